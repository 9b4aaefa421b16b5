//! The daily health check: one summary per channel for the start of a shift (sync state, queue,
//! latency, errors, dead letters, capture rate, last reconciliation), plus open alerts and
//! incidents.

use serde::Serialize;
use serde_json::{Value, json};
use shelfsync_store::Store;
use shelfsync_store::oversight::{poll_cursors, reconcile, webhook_inbox};
use shelfsync_sync::report;

use crate::{Result, alerts, incidents, poll};

#[derive(Clone, Debug, Serialize)]
pub struct Health {
    /// "ok" when no alert and no incident is open; otherwise "attention".
    pub status: String,
    pub channels: Vec<Value>,
    pub open_alerts: Vec<alerts::Alert>,
    pub open_incidents: usize,
    pub overdue_incidents: usize,
    pub inbox_pending: i64,
    /// Who holds the sync lease (the live service, `service:<workstation> (pid N)`, or a
    /// one-shot `sync run`), if anyone live does: where the engine and the scheduled jobs run.
    pub lease_holder: Option<String>,
    /// The live service's scheduled jobs: when each last ran, where, and how it ended.
    pub service_jobs: Vec<crate::service::JobRecord>,
}

/// Evaluates the alert rules, then summarises.
pub fn health(store: &Store) -> Result<Health> {
    alerts::evaluate(store, chrono::Utc::now())?;
    let mut channels = Vec::new();
    for status in report::status(store)? {
        let rate = poll::capture_rates(store, Some(&status.channel), 1)?.into_iter().next();
        let last_reconcile = reconcile::last_run(store, &status.channel)?;
        let last_poll = poll_cursors::polled_at(store, &status.channel)?;
        channels.push(json!({
            "channel": status.channel,
            "state": status.state,
            "queue_depth": status.queue_depth,
            "last_success": status.last_success,
            "errors_last_hour": status.errors_last_hour,
            "p95_latency_ms": status.p95_latency_ms,
            "dead_letters": status.dead_letters,
            "webhook_capture": rate,
            "last_poll": last_poll,
            "last_reconcile": last_reconcile.map(|(at, checked, gaps)| json!({"at": at, "checked": checked, "gaps": gaps})),
        }));
    }
    let open_alerts = alerts::list(store, false)?;
    let open = incidents::list(store, true)?;
    let overdue = open.iter().filter(|i| i.overdue).count();
    let inbox_pending = webhook_inbox::waiting_count(store)?;
    let status = if open_alerts.is_empty() && open.is_empty() { "ok" } else { "attention" };
    Ok(Health {
        status: status.into(),
        channels,
        open_alerts,
        open_incidents: open.len(),
        overdue_incidents: overdue,
        inbox_pending,
        lease_holder: shelfsync_sync::lease::holder(store)?.map(|(holder, _)| holder),
        service_jobs: crate::service::jobs(store)?,
    })
}
