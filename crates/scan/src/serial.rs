//! Serial and USB-CDC scanners: open the port, feed bytes through the pipeline, and reopen with
//! capped backoff when the scanner is unplugged.

use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use serialport::{DataBits, FlowControl, Parity, StopBits};

use crate::backoff::{Backoff, BackoffConfig, sleep_unless_stopped};
use crate::error::{Result, ScanError};
use crate::pipeline::{PipelineConfig, Scan, ScanPipeline};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerialConfig {
    pub path: String,
    /// 9600 8N1 without flow control is what scanners ship with; on USB-CDC it is nominal.
    pub baud: u32,
    pub data_bits: DataBits,
    pub parity: Parity,
    pub stop_bits: StopBits,
    pub flow_control: FlowControl,
    /// How long one read waits; bounds how late an idle flush or a stop request is noticed.
    pub read_timeout: Duration,
    pub pipeline: PipelineConfig,
    pub backoff: BackoffConfig,
}

impl SerialConfig {
    pub fn new(path: &str) -> SerialConfig {
        SerialConfig {
            path: path.to_owned(),
            baud: 9600,
            data_bits: DataBits::Eight,
            parity: Parity::None,
            stop_bits: StopBits::One,
            flow_control: FlowControl::None,
            read_timeout: Duration::from_millis(50),
            pipeline: PipelineConfig::default(),
            backoff: BackoffConfig::default(),
        }
    }

    fn open(&self) -> Result<Box<dyn serialport::SerialPort>> {
        serialport::new(&self.path, self.baud)
            .data_bits(self.data_bits)
            .parity(self.parity)
            .stop_bits(self.stop_bits)
            .flow_control(self.flow_control)
            .timeout(self.read_timeout)
            .open()
            .map_err(|e| ScanError::Device(format!("{}: {e}", self.path)))
    }
}

/// Read scans from a serial port until `stop` is set, reconnecting across unplug and replug.
/// Each accepted scan, or each scan that failed to parse, is handed to `on_scan`.
pub fn listen_serial(config: SerialConfig, stop: &AtomicBool, mut on_scan: impl FnMut(Result<Scan>)) {
    let device = format!("serial:{}", config.path);
    let mut pipeline = ScanPipeline::new(&device, config.pipeline.clone());
    let mut backoff = Backoff::new(config.backoff);
    while !stop.load(Ordering::Relaxed) {
        match config.open() {
            Ok(port) => {
                backoff.reset();
                read_until_disconnected(port, &mut pipeline, stop, &mut on_scan);
            }
            Err(_) => sleep_unless_stopped(backoff.next_delay(), stop),
        }
    }
}

/// One connected session; returns when the port fails or a stop is requested.
fn read_until_disconnected(
    mut port: Box<dyn serialport::SerialPort>,
    pipeline: &mut ScanPipeline,
    stop: &AtomicBool,
    on_scan: &mut impl FnMut(Result<Scan>),
) {
    let mut buf = [0u8; 1024];
    while !stop.load(Ordering::Relaxed) {
        match port.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                for scan in pipeline.push_bytes(&buf[..n], Instant::now(), Utc::now()) {
                    on_scan(scan);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                if let Some(scan) = pipeline.poll_idle(Instant::now(), Utc::now()) {
                    on_scan(scan);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    // A scan cut off by the unplug is flushed rather than glued onto the next session.
    if let Some(scan) = pipeline.poll_idle(Instant::now() + Duration::from_secs(3600), Utc::now()) {
        on_scan(scan);
    }
}
