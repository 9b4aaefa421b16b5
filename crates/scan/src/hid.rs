//! USB HID scanners through hidapi: HID POS interfaces, or boot keyboards where the OS allows
//! opening them. Reconnects with capped backoff after unplug.

use std::ffi::CString;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use hidapi::{HidApi, HidDevice};

use crate::backoff::{Backoff, BackoffConfig, sleep_unless_stopped};
use crate::error::{Result, ScanError};
use crate::hidpos::{
    BootKeyboardDecoder, Interface, Reassembler, ReportLayout, USAGE_BARCODE_SCANNER,
    USAGE_PAGE_BARCODE_SCANNER, parse_descriptor,
};
use crate::pipeline::{PipelineConfig, Scan, ScanPipeline};

/// HID report descriptors are at most 4 KiB (HID_MAX_DESCRIPTOR_SIZE on Linux).
const MAX_DESCRIPTOR_LEN: usize = 4096;
/// Full-speed HID reports are at most 64 bytes; high-speed ones can reach 1024.
const MAX_REPORT_LEN: usize = 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HidConfig {
    /// A specific scanner; `None` picks the first HID POS interface (usage page 0x8C, usage 2).
    pub vid_pid: Option<(u16, u16)>,
    pub read_timeout: Duration,
    pub pipeline: PipelineConfig,
    pub backoff: BackoffConfig,
}

impl HidConfig {
    pub fn new(vid_pid: Option<(u16, u16)>) -> HidConfig {
        HidConfig {
            vid_pid,
            read_timeout: Duration::from_millis(100),
            pipeline: PipelineConfig::default(),
            backoff: BackoffConfig::default(),
        }
    }
}

/// Read scans from a HID scanner until `stop` is set, reconnecting across unplug and replug.
pub fn listen_hid(config: HidConfig, stop: &AtomicBool, mut on_scan: impl FnMut(Result<Scan>)) {
    let mut backoff = Backoff::new(config.backoff);
    let mut api: Option<HidApi> = None;
    while !stop.load(Ordering::Relaxed) {
        match open(&mut api, &config) {
            Ok((device, path)) => {
                backoff.reset();
                let mut session = Session::new(&path, &config, &device);
                session.run(&device, stop, &mut on_scan);
            }
            Err(_) => sleep_unless_stopped(backoff.next_delay(), stop),
        }
    }
}

fn open(api: &mut Option<HidApi>, config: &HidConfig) -> Result<(HidDevice, String)> {
    let device_error = |e: hidapi::HidError| ScanError::Device(e.to_string());
    if api.is_none() {
        *api = Some(HidApi::new().map_err(device_error)?);
    }
    let api = api.as_mut().ok_or_else(|| ScanError::Device("hidapi unavailable".into()))?;
    api.refresh_devices().map_err(device_error)?;
    let info = api
        .device_list()
        .find(|d| match config.vid_pid {
            Some((vid, pid)) => d.vendor_id() == vid && d.product_id() == pid,
            None => d.usage_page() == USAGE_PAGE_BARCODE_SCANNER && d.usage() == USAGE_BARCODE_SCANNER,
        })
        .ok_or_else(|| ScanError::Device("no matching HID scanner".into()))?;
    let path: CString = info.path().to_owned();
    let device = api.open_path(&path).map_err(device_error)?;
    Ok((device, path.to_string_lossy().into_owned()))
}

enum Decoder {
    /// Layout known from the descriptor, or guessed from the first report.
    Pos(Option<ReportLayout>, Reassembler),
    Keyboard(BootKeyboardDecoder),
}

struct Session {
    pipeline: ScanPipeline,
    decoder: Decoder,
    timeout_ms: i32,
}

impl Session {
    fn new(path: &str, config: &HidConfig, device: &HidDevice) -> Session {
        let mut desc = [0u8; MAX_DESCRIPTOR_LEN];
        let interface =
            device.get_report_descriptor(&mut desc).ok().and_then(|n| parse_descriptor(&desc[..n]).ok());
        let decoder = match interface {
            Some(Interface::BootKeyboard) => Decoder::Keyboard(BootKeyboardDecoder::default()),
            Some(Interface::Pos(layout)) => Decoder::Pos(Some(layout), Reassembler::default()),
            None => Decoder::Pos(None, Reassembler::default()),
        };
        Session {
            pipeline: ScanPipeline::new(&format!("hid:{path}"), config.pipeline.clone()),
            decoder,
            timeout_ms: i32::try_from(config.read_timeout.as_millis()).unwrap_or(100),
        }
    }

    fn run(&mut self, device: &HidDevice, stop: &AtomicBool, on_scan: &mut impl FnMut(Result<Scan>)) {
        let mut buf = [0u8; MAX_REPORT_LEN];
        while !stop.load(Ordering::Relaxed) {
            match device.read_timeout(&mut buf, self.timeout_ms) {
                Ok(0) => {
                    if let Some(scan) = self.pipeline.poll_idle(Instant::now(), Utc::now()) {
                        on_scan(scan);
                    }
                }
                Ok(n) => self.handle_report(&buf[..n], on_scan),
                Err(_) => return,
            }
        }
    }

    fn handle_report(&mut self, report: &[u8], on_scan: &mut impl FnMut(Result<Scan>)) {
        let now = Instant::now();
        match &mut self.decoder {
            Decoder::Keyboard(kb) => match kb.push(report) {
                Ok(typed) => self.pipeline.push_bytes(&typed, now, Utc::now()).into_iter().for_each(on_scan),
                Err(e) => on_scan(Err(e)),
            },
            Decoder::Pos(layout, reassembler) => {
                let layout = match layout {
                    Some(l) => *l,
                    None => match ReportLayout::guess(report) {
                        Ok(l) => *layout.insert(l),
                        Err(e) => return on_scan(Err(e)),
                    },
                };
                let message = layout.decode(report).map(|chunk| reassembler.push(chunk, now));
                match message {
                    Ok(None) => {}
                    Ok(Some(Ok(msg))) => {
                        if let Some(scan) = self.pipeline.push_message(&msg.scan_bytes(), now, Utc::now()) {
                            on_scan(scan);
                        }
                    }
                    Ok(Some(Err(e))) | Err(e) => on_scan(Err(e)),
                }
            }
        }
    }
}
