//! Lots that expire (issue 21): the `expiring` alert rule and the service's daily expiry job.
//!
//! The rules (when a lot has expired, how far ahead "soon" reaches) are core's
//! (`shelfsync_core::lot`); the lots are the store's (`shelfsync_store::lots`). Both take the
//! date they work on: the alert pass and the job pass the instant they run as at, so a test's
//! clock drives them as the service's does.

use chrono::{DateTime, Utc};
use shelfsync_core::lot::{MAX_EXPIRY_WINDOW_DAYS, expiring_until};
use shelfsync_store::Store;
use shelfsync_store::lots::{ExpiryRun, expiring_in};
use shelfsync_store::oversight::Db;

use crate::alerts::{Firing, threshold_in_force};
use crate::{CaptureError, Result};

/// The alert rule: a lot with sellable units expires within the threshold's days.
pub const EXPIRING: &str = "expiring";

/// Days ahead the rule looks by default: a week is time to sell, move or mark down a lot.
pub const EXPIRING_DAYS: f64 = 7.0;

/// One firing per (SKU, location, lot) whose expiry is within the threshold's days of `at`'s
/// date (UTC), units still sellable; the alert resolves when they are sold, written off or
/// expired (then they are damaged, out of ATP).
pub fn conditions(db: &impl Db, at: DateTime<Utc>, peak: bool) -> Result<Vec<Firing>> {
    let days = threshold_in_force(db, EXPIRING, peak)?.clamp(0.0, f64::from(MAX_EXPIRY_WINDOW_DAYS));
    let today = at.date_naive();
    let until = expiring_until(today, days as i64).map_err(|e| CaptureError::Invalid(e.to_string()))?;
    Ok(expiring_in(db, until)?
        .into_iter()
        .map(|lot| {
            let left = (lot.expiry - today).num_days();
            Firing {
                rule: EXPIRING,
                subject: format!("{}:{}:{}", lot.sku, lot.location, lot.lot),
                message: format!(
                    "{} lot {} at {}: {} units expire {} ({left} days)",
                    lot.sku, lot.lot, lot.location, lot.available, lot.expiry
                ),
                value: left as f64,
                threshold: days,
            }
        })
        .collect())
}

/// The expiry job as at `at` (its UTC date): lots past their expiry go to damaged, reason
/// `expired`, one event each, in the service's name. A lot it could not book fails the job
/// (the job's record keeps the reason) and is tried again on its next run.
pub fn run(store: &mut Store, at: DateTime<Utc>, actor: &str, workstation: &str) -> Result<ExpiryRun> {
    let run = store.expire_lots(at.date_naive(), actor, workstation)?;
    if !run.failed.is_empty() {
        return Err(CaptureError::Invalid(run.failed.join("; ")));
    }
    Ok(run)
}
