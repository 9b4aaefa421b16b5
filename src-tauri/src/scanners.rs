//! Serial and HID scanners, read by background threads and pushed to the webview as `scan`
//! events. The keyboard wedge needs none of this: it types into the webview directly.
//!
//! Which devices: the workstation settings `serial_scanner` (one path, or several separated by
//! commas) with `serial_baud`, and `hid_scanner` (`auto` for the first HID POS scanner when one
//! is attached, `VID:PID` in hex, or `off`); `$SHELFSYNC_SERIAL_SCANNER` and
//! `$SHELFSYNC_HID_SCANNER` override them (workstation_settings.rs). Listeners start once, from the
//! `start_scanners` command, and reopen unplugged devices by themselves (scanner crate).

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use shelfsync_scan::{DeviceKind, HidConfig, SerialConfig, list_devices, listen_hid, listen_serial};
use tauri::{AppHandle, Emitter, Manager};

use crate::floor_refusal::FloorRefusal;
use crate::ipc::{ScanOutcome, ScannerView};
use crate::state::AppState;
use crate::station;

pub const SERIAL_ENV: &str = "SHELFSYNC_SERIAL_SCANNER";
pub const HID_ENV: &str = "SHELFSYNC_HID_SCANNER";
/// The event name the webview listens to.
pub const SCAN_EVENT: &str = "scan";

#[derive(Default)]
pub struct Scanners {
    started: Mutex<Option<Vec<ScannerView>>>,
    /// The running listeners' stop flag; a restart sets it and puts a fresh one in its place.
    stop: Mutex<Arc<AtomicBool>>,
}

/// How long a restart waits for the old listeners to let go of their ports: a read waits at
/// most 50 ms (the scanner crate), so this is several reads' worth.
const RESTART_GRACE: std::time::Duration = std::time::Duration::from_millis(250);

/// Restarting the listeners applies changed scanner settings: supervisors and admins (the same
/// people who change them). Checked apart so the role table can test it without a window.
pub fn may_restart(state: &AppState) -> crate::error::Result<()> {
    crate::commands::allowed(state, shelfsync_core::Action::ScannerRestart).map(drop)
}

impl Scanners {
    /// Starts the configured listeners the first time; afterwards returns what is running.
    pub fn start(&self, app: &AppHandle) -> Vec<ScannerView> {
        let mut started = self.started.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(views) = started.as_ref() {
            return views.clone();
        }
        let mut views = Vec::new();
        let stop = Arc::clone(&self.stop.lock().unwrap_or_else(|p| p.into_inner()));
        let state = app.state::<AppState>();
        let workstation = state.workstation().to_string();
        // Environment > saved for this workstation > default (workstation_settings.rs).
        let settings = crate::workstation_settings::current(&state);
        let baud = crate::workstation_settings::baud_of(&settings);
        for path in serial_paths(crate::workstation_settings::value_of(
            &settings,
            crate::workstation_settings::SERIAL_SCANNER,
        )) {
            let mut config = SerialConfig::new(&path);
            config.baud = baud;
            config.pipeline.workstation = workstation.clone();
            let device = format!("serial:{path}");
            views.push(spawn(app, &stop, device.clone(), "serial", move |stop, on_scan| {
                listen_serial(config, stop, on_scan)
            }));
        }
        let hid = settings.iter().find(|r| r.key == crate::workstation_settings::HID_SCANNER);
        let chosen = hid.is_some_and(|r| r.source != crate::ipc::SettingSource::Default);
        if let Some(vid_pid) = hid.and_then(|r| hid_choice(&r.value, chosen)) {
            let mut config = HidConfig::new(vid_pid);
            config.pipeline.workstation = workstation;
            let device = match vid_pid {
                Some((vid, pid)) => format!("hid:{vid:04x}:{pid:04x}"),
                None => "hid:auto".to_string(),
            };
            views.push(spawn(app, &stop, device, "hid", move |stop, on_scan| {
                listen_hid(config, stop, on_scan)
            }));
        }
        *started = Some(views.clone());
        views
    }

    /// Stops the listeners and starts them again from the settings as they are now.
    pub fn restart(&self, app: &AppHandle) -> Vec<ScannerView> {
        {
            let mut started = self.started.lock().unwrap_or_else(|p| p.into_inner());
            let mut stop = self.stop.lock().unwrap_or_else(|p| p.into_inner());
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            *stop = Arc::new(AtomicBool::new(false));
            *started = None;
        }
        std::thread::sleep(RESTART_GRACE);
        self.start(app)
    }

    pub fn stop(&self) {
        self.stop.lock().unwrap_or_else(|p| p.into_inner()).store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

fn serial_paths(setting: &str) -> Vec<String> {
    setting.split(',').map(str::trim).filter(|p| !p.is_empty()).map(str::to_string).collect()
}

/// `None`: no HID listener. `Some(None)`: the first HID POS scanner. `Some(Some(ids))`: that one.
/// `auto` chosen (set or saved) listens for one to be plugged in; left at its default it listens
/// only when a HID POS scanner is attached now, as before.
fn hid_choice(setting: &str, chosen: bool) -> Option<Option<(u16, u16)>> {
    match setting {
        "off" => None,
        "auto" if chosen => Some(None),
        "auto" | "" => list_devices().iter().any(|d| d.kind == DeviceKind::Hid).then_some(None),
        ids => crate::workstation_settings::parse_vid_pid(ids).map(Some),
    }
}

type OnScan = Box<dyn FnMut(shelfsync_scan::Result<shelfsync_scan::Scan>) + Send>;

fn spawn(
    app: &AppHandle,
    stop: &Arc<AtomicBool>,
    device: String,
    kind: &str,
    listen: impl FnOnce(&AtomicBool, OnScan) + Send + 'static,
) -> ScannerView {
    let handle = app.clone();
    let stop = Arc::clone(stop);
    let source = device.clone();
    let on_scan: OnScan = Box::new(move |scan| {
        let outcome = match scan {
            Ok(scan) => {
                let data = scan.parsed.engine_data_string();
                let state = handle.state::<AppState>();
                match state.store() {
                    Ok(store) => station::classify_parsed(&store, &source, &data, &scan.parsed),
                    Err(error) => ScanOutcome::refused(&source, &data, error),
                }
            }
            Err(error) => {
                ScanOutcome::refused(&source, "", FloorRefusal::Unreadable { detail: error.to_string() })
            }
        };
        if let Err(error) = handle.emit(SCAN_EVENT, outcome) {
            tracing::warn!(%error, "cannot deliver a scan to the window");
        }
    });
    let status = match std::thread::Builder::new()
        .name(format!("scanner {device}"))
        .spawn(move || listen(&stop, on_scan))
    {
        Ok(_) => "listening".to_string(),
        Err(error) => format!("not started: {error}"),
    };
    tracing::info!(%device, %status, "scanner");
    ScannerView { device, kind: kind.to_string(), status }
}
