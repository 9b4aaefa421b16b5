//! This workstation's settings: which scanners, the serial baud rate, the idle lock, the demo
//! channels, the webhook address and the keyboard-wedge timing.
//!
//! Where a value comes from, first match wins: the environment variable (an override set on this
//! machine, as before issue 15), then the value saved in the database for this workstation, then
//! the default. [`resolve`] is pure (the environment is passed in) so the precedence is tested
//! without touching the process; [`validate`] is the one rule for a value, used both for what an
//! admin saves and for what the environment says.
//!
//! When a change takes effect: the idle lock at once; scanners at "Restart scanners"; the
//! webhook and the demo channels at the next app start (the service and the simulator are
//! started once, at boot, from the values read then: see [`boot_snapshot`]).

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use crate::error::{AppError, Result};
use crate::ipc::{SettingSource, WorkstationSettingView};
use crate::session::{DEFAULT_IDLE, IDLE_ENV, MAX_IDLE, MIN_IDLE};
use crate::state::AppState;

pub const SERIAL_SCANNER: &str = "serial_scanner";
pub const SERIAL_BAUD: &str = "serial_baud";
pub const HID_SCANNER: &str = "hid_scanner";
pub const IDLE_LOCK_SECS: &str = "idle_lock_secs";
pub const DEMO_CHANNELS: &str = "demo_channels";
pub const WEBHOOK_ADDR: &str = "webhook_addr";
pub const WEDGE_MAX_GAP_MS: &str = "wedge_max_gap_ms";

/// The standard serial rates a barcode scanner is set to; 9600 is what nearly all ship with.
pub const BAUD_RATES: [u32; 8] = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200];
pub const DEFAULT_BAUD: u32 = 9600;
/// The wedge's key-gap bounds, as `ui/src/lib/wedge.ts` (`MAX_GAP_LIMIT_MS`) checks them.
pub const WEDGE_GAP_MIN_MS: u32 = 1;
pub const WEDGE_GAP_MAX_MS: u32 = 250;
pub const DEFAULT_WEDGE_GAP_MS: u32 = 30;
/// Longest serial path list accepted (several paths separated by commas).
const MAX_SERIAL_TEXT: usize = 500;

/// When a change reaches the running app, in the words the Settings screen shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applies {
    AtOnce,
    ScannerRestart,
    NextStart,
}

impl Applies {
    fn words(self) -> &'static str {
        match self {
            Applies::AtOnce => "Takes effect at once.",
            Applies::ScannerRestart => {
                "Takes effect at Restart scanners (below), or when the app starts again."
            }
            Applies::NextStart => "Takes effect the next time the app starts.",
        }
    }
}

/// One setting: its key, the environment variable that overrides it, its default, and when a
/// change applies.
pub struct Spec {
    pub key: &'static str,
    pub env: Option<&'static str>,
    pub default: &'static str,
    pub applies: Applies,
}

/// Every setting, in the order the Settings screen lists them.
pub const SPECS: [Spec; 7] = [
    Spec {
        key: SERIAL_SCANNER,
        env: Some(crate::scanners::SERIAL_ENV),
        default: "",
        applies: Applies::ScannerRestart,
    },
    Spec { key: SERIAL_BAUD, env: None, default: "9600", applies: Applies::ScannerRestart },
    Spec {
        key: HID_SCANNER,
        env: Some(crate::scanners::HID_ENV),
        default: "auto",
        applies: Applies::ScannerRestart,
    },
    Spec { key: IDLE_LOCK_SECS, env: Some(IDLE_ENV), default: "300", applies: Applies::AtOnce },
    Spec {
        key: DEMO_CHANNELS,
        env: Some(crate::state::DEMO_CHANNELS_ENV),
        default: "on",
        applies: Applies::NextStart,
    },
    Spec {
        key: WEBHOOK_ADDR,
        env: Some(crate::service::WEBHOOK_ENV),
        default: "",
        applies: Applies::NextStart,
    },
    Spec { key: WEDGE_MAX_GAP_MS, env: None, default: "30", applies: Applies::NextStart },
];

pub fn spec(key: &str) -> Option<&'static Spec> {
    SPECS.iter().find(|s| s.key == key)
}

/// Checks one value and returns it in its stored form (trimmed, `on`/`off`, lower-case hex).
/// The error is one sentence a supervisor can act on.
pub fn validate(key: &str, value: &str) -> std::result::Result<String, String> {
    let v = value.trim();
    let whole = |what: &str, lo: u64, hi: u64| -> std::result::Result<u64, String> {
        match v.parse::<u64>() {
            Ok(n) if (lo..=hi).contains(&n) => Ok(n),
            _ => Err(format!("{what} must be a whole number from {lo} to {hi}; got '{v}'.")),
        }
    };
    match key {
        SERIAL_SCANNER => {
            if v.len() > MAX_SERIAL_TEXT || v.chars().any(char::is_control) {
                return Err(format!(
                    "The serial scanner is a device path such as /dev/ttyACM0 or COM3 (several separated by commas), at most {MAX_SERIAL_TEXT} characters."
                ));
            }
            let paths: Vec<&str> = v.split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
            Ok(paths.join(","))
        }
        SERIAL_BAUD => match v.parse::<u32>() {
            Ok(rate) if BAUD_RATES.contains(&rate) => Ok(rate.to_string()),
            _ => Err(format!(
                "The baud rate must be one of {}; got '{v}'.",
                BAUD_RATES.map(|r| r.to_string()).join(", ")
            )),
        },
        HID_SCANNER => match v.to_ascii_lowercase().as_str() {
            "auto" => Ok("auto".into()),
            "off" | "0" | "no" => Ok("off".into()),
            other => parse_vid_pid(other).map(|(vid, pid)| format!("{vid:04x}:{pid:04x}")).ok_or_else(|| {
                format!("The HID scanner is 'auto', 'off' or VID:PID in hex such as 05e0:1200; got '{v}'.")
            }),
        },
        IDLE_LOCK_SECS => {
            whole("The idle lock (seconds)", MIN_IDLE.as_secs(), MAX_IDLE.as_secs()).map(|n| n.to_string())
        }
        DEMO_CHANNELS => match v.to_ascii_lowercase().as_str() {
            "on" | "1" | "true" | "yes" => Ok("on".into()),
            "off" | "0" | "false" | "no" => Ok("off".into()),
            _ => Err(format!("The demo channels are 'on' or 'off'; got '{v}'.")),
        },
        WEBHOOK_ADDR => {
            if v.is_empty() {
                return Ok(String::new());
            }
            v.parse::<std::net::SocketAddr>().map(|a| a.to_string()).map_err(|_| {
                format!("The webhook address is IP:PORT such as 0.0.0.0:8787, or empty for none; got '{v}'.")
            })
        }
        WEDGE_MAX_GAP_MS => whole(
            "The keyboard-wedge key gap (milliseconds)",
            u64::from(WEDGE_GAP_MIN_MS),
            u64::from(WEDGE_GAP_MAX_MS),
        )
        .map(|n| n.to_string()),
        other => Err(format!(
            "There is no workstation setting '{other}'; the settings are {}.",
            SPECS.iter().map(|s| s.key).collect::<Vec<_>>().join(", ")
        )),
    }
}

pub fn parse_vid_pid(text: &str) -> Option<(u16, u16)> {
    let (vid, pid) = text.trim().split_once(':')?;
    let hex = |s: &str| {
        let s = s.trim().trim_start_matches("0x");
        (!s.is_empty() && s.len() <= 4).then(|| u16::from_str_radix(s, 16).ok()).flatten()
    };
    Some((hex(vid)?, hex(pid)?))
}

/// One setting's value and where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Resolved {
    pub key: &'static str,
    pub value: String,
    pub source: SettingSource,
    pub env: Option<&'static str>,
    /// The environment variable was set but held a value the rule refuses (then ignored).
    pub env_refused: Option<String>,
    pub applies: Applies,
}

/// Every setting: environment (if set and valid) > saved (if valid) > default.
pub fn resolve(saved: &BTreeMap<String, String>, env: impl Fn(&str) -> Option<String>) -> Vec<Resolved> {
    SPECS
        .iter()
        .map(|spec| {
            let mut env_refused = None;
            let from_env = spec.env.and_then(&env).and_then(|raw| match validate(spec.key, &raw) {
                Ok(value) => Some(value),
                Err(why) => {
                    env_refused = Some(why);
                    None
                }
            });
            let (value, source) = match from_env {
                Some(value) => (value, SettingSource::Env),
                None => match saved.get(spec.key).and_then(|raw| validate(spec.key, raw).ok()) {
                    Some(value) => (value, SettingSource::Saved),
                    None => (spec.default.to_string(), SettingSource::Default),
                },
            };
            Resolved { key: spec.key, value, source, env: spec.env, env_refused, applies: spec.applies }
        })
        .collect()
}

/// The process environment, as [`resolve`] reads it.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// The saved settings of this workstation (none when the store is not open yet).
pub fn saved(state: &AppState) -> BTreeMap<String, String> {
    match state.store() {
        Ok(store) => match store.workstation_settings(state.workstation()) {
            Ok(rows) => rows.into_iter().map(|r| (r.key, r.value)).collect(),
            Err(error) => {
                tracing::warn!(%error, "cannot read the workstation settings; using defaults");
                BTreeMap::new()
            }
        },
        Err(_) => BTreeMap::new(),
    }
}

/// Every setting of this workstation now.
pub fn current(state: &AppState) -> Vec<Resolved> {
    resolve(&saved(state), process_env)
}

pub fn value_of<'a>(settings: &'a [Resolved], key: &str) -> &'a str {
    settings.iter().find(|r| r.key == key).map_or("", |r| r.value.as_str())
}

pub fn idle_of(settings: &[Resolved]) -> Duration {
    value_of(settings, IDLE_LOCK_SECS).parse().map(Duration::from_secs).unwrap_or(DEFAULT_IDLE)
}

pub fn baud_of(settings: &[Resolved]) -> u32 {
    value_of(settings, SERIAL_BAUD).parse().unwrap_or(DEFAULT_BAUD)
}

// ---- values read once at start -----------------------------------------------------------------

/// The settings as read when the store opened: the service's webhook and the demo channels
/// start once from these, so a change saved later applies at the next start, as the screen says.
static BOOT: Mutex<Option<Vec<Resolved>>> = Mutex::new(None);

/// Reads the settings once the store is open: applies the idle lock and keeps the start-time
/// values for the service and the demo channels. Called by the boot thread before either starts.
pub fn boot_snapshot(state: &AppState) {
    let settings = current(state);
    for r in &settings {
        if let (Some(env), Some(why)) = (r.env, &r.env_refused) {
            tracing::warn!("ignoring {env}: {why}");
        }
    }
    state.sessions.set_idle(idle_of(&settings));
    *BOOT.lock().unwrap_or_else(|p| p.into_inner()) = Some(settings);
}

/// Back to "not booted", for a test that took a snapshot (the service reads the environment).
#[cfg(test)]
pub fn forget_boot_snapshot() {
    *BOOT.lock().unwrap_or_else(|p| p.into_inner()) = None;
}

/// A start-time value, or `None` before [`boot_snapshot`] ran (tests that start the service
/// directly): callers then read the environment as before.
pub fn boot_value(key: &str) -> Option<String> {
    BOOT.lock().unwrap_or_else(|p| p.into_inner()).as_ref().map(|s| value_of(s, key).to_string())
}

// ---- commands ----------------------------------------------------------------------------------

fn views(settings: Vec<Resolved>) -> Vec<WorkstationSettingView> {
    settings
        .into_iter()
        .map(|r| WorkstationSettingView {
            key: r.key.to_string(),
            value: r.value,
            source: r.source,
            env_var: r.env.map(str::to_string),
            env_refused: r.env_refused,
            applies: r.applies.words().to_string(),
        })
        .collect()
}

/// This workstation's settings with their sources (supervisors and admins).
pub fn workstation_settings(state: &AppState) -> Result<Vec<WorkstationSettingView>> {
    crate::commands::allowed(state, shelfsync_core::Action::WorkstationSettingsView)?;
    Ok(views(current(state)))
}

/// Saves one setting (supervisors and admins). A refused value changes nothing.
pub fn set_workstation_setting(
    state: &AppState,
    key: String,
    value: String,
) -> Result<Vec<WorkstationSettingView>> {
    let user = crate::commands::allowed(state, shelfsync_core::Action::WorkstationSettingSet)?;
    let value = validate(&key, &value).map_err(|why| {
        tracing::warn!(%key, by = %user.name, "workstation setting refused: {why}");
        AppError::BadRequest(why)
    })?;
    state.store()?.set_workstation_setting(state.workstation(), &key, &value, &user)?;
    tracing::info!(%key, %value, by = %user.name, "workstation setting saved");
    let settings = current(state);
    if key == IDLE_LOCK_SECS {
        state.sessions.set_idle(idle_of(&settings));
    }
    Ok(views(settings))
}

/// The keyboard-wedge key gap saved for this workstation, for the scan station (anyone: it is
/// read before sign-in); `None` when none is saved, so the window keeps the timing it had in its
/// local storage before the setting moved here. Refused while the store is still opening, so
/// the window asks again rather than take "none saved" for an answer.
pub fn wedge_max_gap_ms(state: &AppState) -> Result<Option<u32>> {
    drop(state.store()?);
    let settings = current(state);
    let saved =
        settings.iter().find(|r| r.key == WEDGE_MAX_GAP_MS).filter(|r| r.source != SettingSource::Default);
    Ok(saved.and_then(|r| r.value.parse().ok()))
}
