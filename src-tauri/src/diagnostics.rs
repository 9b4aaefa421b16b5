//! "Save diagnostics" (Settings): one folder a supervisor can send to whoever supports the
//! workstation, written next to the database like `exports/` (the webview has no file access).
//!
//! `diagnostics-<UTC time>/` holds:
//! - `logs/`: the log files changed in the last [`LOG_DAYS`] days, each cut to its last
//!   [`LOG_CAP_BYTES`]. Three days cover a problem reported after a weekend; the cap keeps a
//!   runaway log (a device erroring in a loop) from filling the disk or the e-mail, and the end
//!   of a file is the part nearest the problem.
//! - `versions.txt`: app version, OS, architecture, WebKitGTK (the webview) when known.
//! - `health.json`: what `shelfsync health --json` prints for this database.
//! - `settings.json`: this workstation's settings with their sources; a value whose key looks
//!   like a secret is left out (none does today: the rule is there for the next setting).
//!
//! No channel secret or PIN hash goes in: none of these sources holds one (logs never carry a
//! secret by the logging crate's rule), and the copied logs are still searched for every channel
//! secret this database has stored, replaced by `[redacted]` if one ever slipped in.

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::error::{AppError, Result};
use crate::ipc::DiagnosticsView;
use crate::state::AppState;
use crate::workstation_settings::{self, Resolved};

/// Log files changed within this many days are copied.
pub const LOG_DAYS: u64 = 3;
/// Each copied log keeps at most its last 5 MiB.
pub const LOG_CAP_BYTES: u64 = 5 * 1024 * 1024;
/// Most log files copied, newest first: a bound even if the folder fills with small files.
const MAX_LOG_FILES: usize = 30;

/// Parts of a key that mark its value as secret: such values never leave the database.
const SECRET_WORDS: [&str; 5] = ["secret", "token", "password", "pin", "key"];

pub fn save_diagnostics(state: &AppState) -> Result<DiagnosticsView> {
    let user = state.sessions.act(std::time::Instant::now())?;
    shelfsync_store::require(&user, shelfsync_core::Action::DiagnosticsSave)?;
    let settings = workstation_settings::current(state);
    let (health, secrets) = {
        let store = state.store()?;
        let health = shelfsync_capture::health::health(&store)
            .map(|h| serde_json::to_value(h).unwrap_or_default())
            .unwrap_or_else(|error| serde_json::json!({ "error": error.to_string() }));
        (health, channel_secrets(state.db_path(), &store))
    };
    let log_dir = shelfsync_logging::resolve_log_dir(None).ok();
    let root = state.db_path().parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let inputs = Inputs {
        log_dir: log_dir.as_deref(),
        versions: versions(),
        health,
        settings: &settings,
        workstation: state.workstation(),
        secrets: &secrets,
    };
    let folder = write(root, &inputs, SystemTime::now()).map_err(|e| {
        AppError::Unavailable(format!("could not write the diagnostics next to the database: {e}"))
    })?;
    tracing::info!(folder = %folder.display(), by = %user.name, "diagnostics saved");
    let mut files = list_files(&folder);
    files.sort();
    Ok(DiagnosticsView { folder: folder.display().to_string(), files })
}

/// What goes into the folder, gathered by the caller (so tests can point at their own logs).
pub struct Inputs<'a> {
    pub log_dir: Option<&'a Path>,
    pub versions: String,
    pub health: serde_json::Value,
    pub settings: &'a [Resolved],
    pub workstation: &'a str,
    /// Every secret value the database's channels have stored, to scrub from the log copies.
    pub secrets: &'a [String],
}

/// Writes `<root>/diagnostics-<time>/` and returns its path.
pub fn write(root: &Path, inputs: &Inputs<'_>, now: SystemTime) -> std::io::Result<PathBuf> {
    let stamp = chrono::DateTime::<chrono::Utc>::from(now).format("%Y%m%dT%H%M%S%3fZ");
    let folder = root.join(format!("diagnostics-{stamp}"));
    std::fs::create_dir_all(&folder)?;
    std::fs::write(folder.join("versions.txt"), &inputs.versions)?;
    std::fs::write(folder.join("health.json"), pretty(&inputs.health))?;
    std::fs::write(
        folder.join("settings.json"),
        pretty(&settings_json(inputs.workstation, inputs.settings)),
    )?;
    let logs = folder.join("logs");
    std::fs::create_dir_all(&logs)?;
    if let Some(dir) = inputs.log_dir {
        for path in recent_logs(dir, now) {
            let Some(name) = path.file_name() else { continue };
            match tail(&path, LOG_CAP_BYTES) {
                Ok(bytes) => std::fs::write(logs.join(name), scrub(bytes, inputs.secrets))?,
                Err(error) => tracing::warn!(%error, file = %path.display(), "log not copied"),
            }
        }
    }
    Ok(folder)
}

fn pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

pub fn looks_secret(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    SECRET_WORDS.iter().any(|w| key.split('_').any(|part| part == *w))
}

fn settings_json(workstation: &str, settings: &[Resolved]) -> serde_json::Value {
    let entries: serde_json::Map<String, serde_json::Value> = settings
        .iter()
        .map(|r| {
            let value =
                if looks_secret(r.key) { serde_json::json!("[omitted]") } else { r.value.clone().into() };
            let source = format!("{:?}", r.source).to_lowercase();
            (r.key.to_string(), serde_json::json!({ "value": value, "source": source, "env": r.env }))
        })
        .collect();
    serde_json::json!({ "workstation": workstation, "settings": entries })
}

/// Log files in `dir` changed within [`LOG_DAYS`] of `now`, newest first.
fn recent_logs(dir: &Path, now: SystemTime) -> Vec<PathBuf> {
    let since = now.checked_sub(Duration::from_secs(LOG_DAYS * 24 * 3600)).unwrap_or(SystemTime::UNIX_EPOCH);
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut found: Vec<(SystemTime, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let meta = e.metadata().ok()?;
            let modified = meta.modified().ok()?;
            (meta.is_file() && modified >= since).then(|| (modified, e.path()))
        })
        .collect();
    found.sort_by_key(|(modified, _)| std::cmp::Reverse(*modified));
    found.into_iter().take(MAX_LOG_FILES).map(|(_, p)| p).collect()
}

/// The last `cap` bytes of a file.
fn tail(path: &Path, cap: u64) -> std::io::Result<Vec<u8>> {
    let mut file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    if len > cap {
        file.seek(SeekFrom::Start(len - cap))?;
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len.min(cap)).unwrap_or(0));
    file.take(cap).read_to_end(&mut bytes)?;
    Ok(bytes)
}

fn scrub(bytes: Vec<u8>, secrets: &[String]) -> Vec<u8> {
    let mut text = String::from_utf8_lossy(&bytes).into_owned();
    for secret in secrets.iter().filter(|s| s.len() >= 4) {
        text = text.replace(secret.as_str(), "[redacted]");
    }
    text.into_bytes()
}

/// Every secret stored for this database's channels (read only to scrub them from the copies).
fn channel_secrets(db_path: &Path, store: &shelfsync_store::Store) -> Vec<String> {
    use shelfsync_sync::config as c;
    const NAMES: [&str; 8] = [
        c::SHOPIFY_TOKEN,
        c::SHOPIFY_WEBHOOK_SECRET,
        c::LWA_CLIENT_ID,
        c::LWA_CLIENT_SECRET,
        c::LWA_REFRESH_TOKEN,
        c::EBAY_CLIENT_ID,
        c::EBAY_CLIENT_SECRET,
        c::EBAY_REFRESH_TOKEN,
    ];
    let secrets = shelfsync_sync::credentials::Secrets::for_database(db_path);
    let Ok(channels) = c::list_channels(store) else { return Vec::new() };
    channels
        .iter()
        .flat_map(|channel| NAMES.iter().filter_map(|name| secrets.get(&channel.name, name).ok().flatten()))
        .map(|secret| secret.expose().to_string())
        .collect()
}

fn versions() -> String {
    let os_release = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|t| {
            t.lines().find_map(|l| l.strip_prefix("PRETTY_NAME=").map(|v| v.trim_matches('"').to_string()))
        })
        .unwrap_or_else(|| "unknown".into());
    let webview = tauri::webview_version().unwrap_or_else(|_| "unknown".into());
    format!(
        "ShelfSync app {}\nOS: {} ({}, {})\nWebview (WebKitGTK on Linux): {}\n",
        env!("CARGO_PKG_VERSION"),
        os_release,
        std::env::consts::OS,
        std::env::consts::ARCH,
        webview
    )
}

fn list_files(folder: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in walk(folder) {
        if let Ok(rel) = entry.strip_prefix(folder) {
            out.push(rel.display().to_string());
        }
    }
    out
}

/// Every file under `dir` (two levels here: the folder and `logs/`).
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for entry in entries.filter_map(|e| e.ok()) {
        let path = entry.path();
        if path.is_dir() { out.extend(walk(&path)) } else { out.push(path) }
    }
    out
}
