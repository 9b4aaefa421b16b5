//! The live service in the app: the same `shelfsync_capture::service` that `shelfsync serve`
//! runs, started in-process on every database once it is open (see `AppState::start_service`).
//! The webhook address is the workstation setting `webhook_addr` (read at start), which
//! `$SHELFSYNC_WEBHOOK` overrides.

use std::net::SocketAddr;
use std::time::Duration;

use shelfsync_capture::service::ServiceConfig;

use crate::error::{AppError, Result};

/// Set to `off` to run the app without its service (the CLI's `shelfsync serve` elsewhere then
/// keeps the channels true). On by default: a manual override must always reach the channels.
pub const SERVICE_ENV: &str = "SHELFSYNC_SERVICE";
/// `IP:PORT` where this workstation receives Shopify webhooks; unset, it receives none.
pub const WEBHOOK_ENV: &str = "SHELFSYNC_WEBHOOK";
/// How long closing the app waits for the engine's round and the lease hand-over. Bounded so a
/// hung channel cannot keep the window from closing; the lease then expires by itself (30 s).
pub const STOP_TIMEOUT: Duration = Duration::from_secs(10);

pub fn enabled_from_env() -> bool {
    !matches!(std::env::var(SERVICE_ENV).as_deref(), Ok("off" | "0" | "false" | "no"))
}

/// The service's settings for this workstation.
pub fn config(workstation: &str) -> Result<ServiceConfig> {
    let mut config = ServiceConfig::new(workstation);
    // The environment first (an override on this machine), else the saved setting as read at start.
    let text = std::env::var(WEBHOOK_ENV)
        .ok()
        .filter(|t| !t.is_empty())
        .or_else(|| crate::workstation_settings::boot_value(crate::workstation_settings::WEBHOOK_ADDR));
    if let Some(text) = text.filter(|t| !t.is_empty()) {
        let addr: SocketAddr = text.parse().map_err(|_| {
            AppError::BadRequest(format!("{WEBHOOK_ENV}={text} is not an address: expected IP:PORT"))
        })?;
        config.webhook = Some(addr);
    }
    Ok(config)
}
