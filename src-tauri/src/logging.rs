//! The app's logs: `shelfsync_logging` (a daily rolling file in `<data dir>/logs/` or
//! `$SHELFSYNC_LOG_DIR`, stderr, the panic hook, secrets scrubbed) under the component name
//! `shelfsync-app`, so the files read `shelfsync-app.YYYY-MM-DD.log`.
//!
//! `main` calls [`init`] before Tauri starts; the guard lives in a static because Tauri's event
//! loop ends the process with `exit` and never returns to `main`. [`plugin`] flushes the file on
//! `RunEvent::Exit`, the last moment the app's code runs.

use std::sync::OnceLock;

use tauri::plugin::{Builder, TauriPlugin};
use tauri::{RunEvent, Runtime};

/// File names: `shelfsync-app.YYYY-MM-DD.log`.
pub const COMPONENT: &str = "shelfsync-app";

static GUARD: OnceLock<shelfsync_logging::Guard> = OnceLock::new();

/// Starts logging. A folder that cannot be used (a read-only home) leaves logging on stderr
/// only, says why there, and the app starts anyway: a log is never a reason not to scan.
pub fn init() {
    let guard = match shelfsync_logging::init(None, COMPONENT) {
        Ok(guard) => guard,
        Err(error) => match shelfsync_logging::init_stderr_only() {
            Ok(guard) => {
                tracing::error!("no log file, logging to stderr only: {error}");
                guard
            }
            Err(_) => return,
        },
    };
    let _ = GUARD.set(guard);
}

/// Where this run's log files are, if it has any (for diagnostics and the About screen).
pub fn log_dir() -> Option<&'static std::path::Path> {
    GUARD.get().and_then(|guard| guard.log_dir())
}

/// Writes queued log lines out when the app exits.
pub fn plugin<R: Runtime>() -> TauriPlugin<R> {
    Builder::new("shelfsync-logs")
        .on_event(|_app, event| {
            if let RunEvent::Exit = event {
                tracing::info!("the app is exiting");
                if let Some(guard) = GUARD.get() {
                    guard.flush();
                }
            }
        })
        .build()
}
