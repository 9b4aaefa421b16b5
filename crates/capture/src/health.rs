//! The daily health check: one summary per channel for the start of a shift (sync state, queue,
//! latency, errors, dead letters, capture rate, last reconciliation), plus open alerts and
//! incidents.

use rusqlite::OptionalExtension;
use serde::Serialize;
use serde_json::{Value, json};
use shelfsync_store::Store;
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
    let conn = store.connection();
    alerts::evaluate(conn, chrono::Utc::now())?;
    let mut channels = Vec::new();
    for status in report::status(conn)? {
        let rate = poll::capture_rates(store, Some(&status.channel), 1)?.into_iter().next();
        let last_reconcile: Option<(String, i64, i64)> = conn
            .query_row(
                "SELECT at, checked, gaps FROM reconcile_runs WHERE channel = ?1 ORDER BY id DESC LIMIT 1",
                [&status.channel],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let last_poll: Option<String> = conn
            .query_row("SELECT polled_at FROM poll_cursors WHERE channel = ?1", [&status.channel], |r| {
                r.get(0)
            })
            .optional()?;
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
    let open_alerts = alerts::list(conn, false)?;
    let open = incidents::list(conn, true)?;
    let overdue = open.iter().filter(|i| i.overdue).count();
    let inbox_pending: i64 =
        conn.query_row("SELECT count(*) FROM webhook_inbox WHERE processed_at IS NULL", [], |r| r.get(0))?;
    let status = if open_alerts.is_empty() && open.is_empty() { "ok" } else { "attention" };
    Ok(Health {
        status: status.into(),
        channels,
        open_alerts,
        open_incidents: open.len(),
        overdue_incidents: overdue,
        inbox_pending,
        lease_holder: shelfsync_sync::lease::holder(conn)?.map(|(holder, _)| holder),
        service_jobs: crate::service::jobs(conn)?,
    })
}
