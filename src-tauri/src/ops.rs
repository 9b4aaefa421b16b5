//! Monitoring commands: alerts, incidents, reconciliation runs, drift audits and their CSV
//! exports. Each one calls `shelfsync_capture` or `shelfsync_sync` and converts; the rules (what
//! fires, what a gap is) stay in those crates. Reading lists is for anyone signed in; acting on
//! them (acknowledge, resolve, run a reconciliation or a drift audit) is for supervisors, checked
//! here whatever the UI shows.

use std::path::PathBuf;

use chrono::Utc;
use serde_json::Value;
use shelfsync_capture::{alerts, drift, incidents, reconcile};
use shelfsync_core::Action;
use shelfsync_store::Store;

use crate::commands::{acting_user, allowed, looking_user};
use shelfsync_sync::credentials::Secrets;

use crate::error::{AppError, Result};
use crate::export::{Csv, write_export};
use crate::ipc::{
    AlertList, AlertView, DriftReportView, ExportKind, ExportResult, GapView, IncidentView, ReconcileRunView,
    ScoreLineView, ScorecardView,
};
use crate::state::AppState;

/// Longest id accepted for an alert or incident (they are integers; 20 digits is i64's width).
const MAX_ID_LEN: usize = 20;
/// Longest root cause kept (the capture crate's own limit).
pub const MAX_CAUSE_LEN: usize = 500;
/// Reconciliation runs listed at most: four a day per channel for a month fits.
pub const MAX_RUNS_LISTED: u32 = shelfsync_store::app_support::MAX_RECONCILE_RUNS;
/// Longest a reconciliation or drift audit may take before the app gives up on it: channel
/// reads are paced by rate limits, but a run stuck longer than this is not coming back.
const CHANNEL_JOB_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(300);

fn check_id(id: &str, what: &str) -> Result<String> {
    let id = id.trim();
    if id.is_empty() || id.len() > MAX_ID_LEN || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::BadRequest(format!("'{id}' is not {what} number.")));
    }
    Ok(id.to_string())
}

// ---- alerts ------------------------------------------------------------------------------------

/// The alerts, newest first (open and closed, at most the capture crate's 1,000). With
/// `check`, the rules are evaluated first, as the monitoring daemon does every minute.
pub fn alerts(state: &AppState, check: bool) -> Result<AlertList> {
    looking_user(state)?;
    let store = state.store()?;
    let conn: &Store = &store;
    let (opened, resolved) = if check {
        let evaluation = alerts::evaluate(conn, Utc::now())?;
        (evaluation.opened.len(), evaluation.resolved.len())
    } else {
        (0, 0)
    };
    let list = alerts::list(conn, true)?;
    Ok(AlertList {
        alerts: list.into_iter().map(AlertView::from).collect(),
        opened: u32::try_from(opened).unwrap_or(u32::MAX),
        resolved: u32::try_from(resolved).unwrap_or(u32::MAX),
    })
}

/// A supervisor has seen the alert. Refused for staff.
pub fn ack_alert(state: &AppState, id: String) -> Result<AlertView> {
    let user = allowed(state, Action::AlertAck)?;
    let id = check_id(&id, "an alert")?;
    let store = state.store()?;
    Ok(alerts::ack(&*store, shelfsync_store::By::new(&user.name, state.workstation()), &id)?.into())
}

// ---- incidents ---------------------------------------------------------------------------------

pub fn incidents(state: &AppState, open_only: bool) -> Result<Vec<IncidentView>> {
    looking_user(state)?;
    let store = state.store()?;
    let list = incidents::list(&*store, open_only)?;
    Ok(list.into_iter().map(IncidentView::from).collect())
}

pub fn incident(state: &AppState, id: String) -> Result<IncidentView> {
    looking_user(state)?;
    let id = check_id(&id, "an incident")?;
    let store = state.store()?;
    Ok(incidents::show(&*store, &id)?.into())
}

/// Records the root cause and closes the incident. Supervisors only.
pub fn resolve_incident(state: &AppState, id: String, cause: String) -> Result<IncidentView> {
    let user = allowed(state, Action::IncidentResolve)?;
    let id = check_id(&id, "an incident")?;
    let cause = cause.trim();
    if cause.is_empty() || cause.chars().count() > MAX_CAUSE_LEN {
        return Err(AppError::BadRequest(format!("Write the root cause (1 to {MAX_CAUSE_LEN} characters).")));
    }
    let store = state.store()?;
    Ok(incidents::resolve(&*store, shelfsync_store::By::new(&user.name, state.workstation()), &id, cause)?
        .into())
}

// ---- scorecard ---------------------------------------------------------------------------------

/// The guide's Quick Reference measured over the last `days` (capture's scorecard).
pub fn scorecard(state: &AppState, days: u32) -> Result<ScorecardView> {
    looking_user(state)?;
    let card = shelfsync_capture::scorecard::scorecard(&*state.store()?, Utc::now(), days)?;
    let word = |value: serde_json::Value| value.as_str().unwrap_or_default().to_string();
    Ok(ScorecardView {
        at: card.at,
        days: card.days,
        lines: card
            .lines
            .into_iter()
            .map(|l| ScoreLineView {
                key: l.key.into(),
                label: l.label.into(),
                value: l.value,
                target: l.target,
                red_flag: l.red_flag,
                better: word(serde_json::json!(l.better)),
                verdict: word(serde_json::json!(l.verdict)),
                detail: l.detail,
            })
            .collect(),
    })
}

// ---- reconciliation ----------------------------------------------------------------------------

/// Stored reconciliation runs, newest first.
pub fn reconcile_runs(state: &AppState, limit: u32) -> Result<Vec<ReconcileRunView>> {
    looking_user(state)?;
    if limit == 0 || limit > MAX_RUNS_LISTED {
        return Err(AppError::BadRequest(format!("limit must be 1 to {MAX_RUNS_LISTED}, got {limit}")));
    }
    // The capture crate stores each run's report as JSON; the store reads the table back.
    let rows = state.store()?.reconcile_runs_newest(limit)?;
    let mut out = Vec::new();
    for row in rows {
        let shelfsync_store::app_support::ReconcileRunRow { id, channel, at, checked, report } = row;
        let report: Value = serde_json::from_str(&report).unwrap_or(Value::Null);
        out.push(ReconcileRunView {
            id: id.to_string(),
            channel,
            at,
            checked: u32::try_from(checked).unwrap_or(0),
            rule: report["rule"].as_str().unwrap_or_default().to_string(),
            gaps: report["gaps"]
                .as_array()
                .map(|gaps| gaps.iter().map(gap_from_json).collect())
                .unwrap_or_default(),
        });
    }
    Ok(out)
}

fn gap_from_json(gap: &Value) -> GapView {
    let text = |key: &str| gap[key].as_str().unwrap_or_default().to_string();
    GapView {
        sku: text("sku"),
        location: gap["location"].as_str().map(str::to_string),
        expected: gap["expected"].as_i64().unwrap_or_default(),
        channel_qty: gap["channel_qty"].as_i64(),
        class: text("class"),
        action: text("action"),
    }
}

/// Reconciles every Shopify channel now (orders are polled first, as the daemon does).
/// Supervisors only: a run can re-push or book adjustments by the channels' conflict rules.
pub fn run_reconcile(state: &AppState) -> Result<Vec<ReconcileRunView>> {
    allowed(state, Action::Reconcile)?;
    let secrets = Secrets::for_database(state.db_path());
    let reports = block_on(reconcile::reconcile(state.db_path(), &secrets, None, false))?;
    let runs = reconcile_runs(state, MAX_RUNS_LISTED)?;
    Ok(runs.into_iter().take(reports.len()).collect())
}

// ---- drift -------------------------------------------------------------------------------------

/// A drift audit of the top `top` SKUs against every channel, read back live. Supervisors
/// only (it spends the channels' read budget). The last report is kept for the CSV export.
pub fn run_drift(state: &AppState, top: u32) -> Result<DriftReportView> {
    let user = allowed(state, Action::DriftAudit)?;
    if top == 0 || top as usize > drift::MAX_TOP {
        return Err(AppError::BadRequest(format!("Audit 1 to {} SKUs, not {top}.", drift::MAX_TOP)));
    }
    let secrets = Secrets::for_database(state.db_path());
    let started = Utc::now();
    let report = block_on(drift::report(state.db_path(), &secrets, top as usize))?;
    // Kept with its rows in the drift history, as the CLI's and the service's runs are.
    drift::record(&*state.store()?, drift::DriftScope::Manual, &report, started, Utc::now(), &user.name)?;
    let view = DriftReportView::new(&report, shelfsync_capture::now());
    *state.last_drift() = Some(view.clone());
    Ok(view)
}

/// The last drift audit run in this app session, if any.
pub fn last_drift(state: &AppState) -> Result<Option<DriftReportView>> {
    looking_user(state)?;
    Ok(state.last_drift().clone())
}

/// Runs a capture future to completion on a runtime of its own: the caller is a blocking
/// thread (see lib.rs), and the future holds a SQLite connection, so it cannot be `Send`.
fn block_on<T>(future: impl std::future::Future<Output = shelfsync_capture::Result<T>>) -> Result<T> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| AppError::Unavailable(format!("cannot start a runtime: {e}")))?;
    runtime.block_on(async {
        match tokio::time::timeout(CHANNEL_JOB_TIMEOUT, future).await {
            Ok(result) => result.map_err(AppError::from),
            Err(_) => Err(AppError::BadRequest(format!(
                "The channels did not answer within {} s; try again later.",
                CHANNEL_JOB_TIMEOUT.as_secs()
            ))),
        }
    })
}

// ---- CSV exports -------------------------------------------------------------------------------

/// Writes one list as CSV into the exports folder next to the database and says where.
pub fn export_csv(state: &AppState, kind: ExportKind) -> Result<ExportResult> {
    acting_user(state)?;
    let csv = match kind {
        ExportKind::Alerts => alerts_csv(&alerts(state, false)?.alerts),
        ExportKind::Incidents => incidents_csv(&incidents(state, false)?),
        ExportKind::DeadLetters => dead_letters_csv(state)?,
        ExportKind::Reconciliation => reconcile_csv(&reconcile_runs(state, MAX_RUNS_LISTED)?),
        ExportKind::Drift => match state.last_drift().as_ref() {
            Some(report) => drift_csv(report),
            None => return Err(AppError::BadRequest("Run a drift audit first, then export it.".into())),
        },
    };
    let rows = csv.rows();
    let path: PathBuf = write_export(state.db_path(), export_name(&kind), &csv.finish())?;
    Ok(ExportResult { path: path.display().to_string(), rows })
}

fn export_name(kind: &ExportKind) -> &'static str {
    match kind {
        ExportKind::Alerts => "alerts",
        ExportKind::Incidents => "incidents",
        ExportKind::DeadLetters => "dead-letters",
        ExportKind::Reconciliation => "reconciliation",
        ExportKind::Drift => "drift",
    }
}

fn opt<T: ToString>(value: &Option<T>) -> String {
    value.as_ref().map(T::to_string).unwrap_or_default()
}

fn alerts_csv(list: &[AlertView]) -> Csv {
    let mut csv = Csv::new(&[
        "id",
        "rule",
        "subject",
        "message",
        "value",
        "threshold",
        "opened_at",
        "last_seen_at",
        "acked_at",
        "acked_by",
        "resolved_at",
    ]);
    for a in list {
        csv.row(&[
            a.id.clone(),
            a.rule.clone(),
            a.subject.clone(),
            a.message.clone(),
            opt(&a.value),
            opt(&a.threshold),
            a.opened_at.clone(),
            a.last_seen_at.clone(),
            opt(&a.acked_at),
            opt(&a.acked_by),
            opt(&a.resolved_at),
        ]);
    }
    csv
}

fn incidents_csv(list: &[IncidentView]) -> Csv {
    let mut csv = Csv::new(&[
        "id",
        "kind",
        "channel",
        "sku",
        "location",
        "order_id",
        "oversold_units",
        "opened_at",
        "due_at",
        "overdue",
        "cause",
        "resolved_at",
        "resolved_by",
    ]);
    for i in list {
        csv.row(&[
            i.id.clone(),
            i.kind.clone(),
            i.channel.clone(),
            i.sku.clone(),
            opt(&i.location),
            opt(&i.order_id),
            i.oversold_units.to_string(),
            i.opened_at.clone(),
            i.due_at.clone(),
            i.overdue.to_string(),
            opt(&i.cause),
            opt(&i.resolved_at),
            opt(&i.resolved_by),
        ]);
    }
    csv
}

fn dead_letters_csv(state: &AppState) -> Result<Csv> {
    let store = state.store()?;
    let list =
        shelfsync_sync::report::dead_letters(&store).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let mut csv = Csv::new(&[
        "id",
        "channel",
        "sku",
        "location",
        "desired_qty",
        "attempts",
        "last_error",
        "dirty_since",
        "dead_at",
    ]);
    for d in list {
        csv.row(&[
            d.id,
            d.channel,
            d.sku,
            opt(&d.location),
            d.desired_qty.to_string(),
            d.attempts.to_string(),
            d.last_error,
            d.dirty_since,
            d.dead_at,
        ]);
    }
    Ok(csv)
}

/// One line per gap (a run without gaps gets one line with empty gap columns, so it shows).
fn reconcile_csv(runs: &[ReconcileRunView]) -> Csv {
    let mut csv = Csv::new(&[
        "run",
        "channel",
        "at",
        "checked",
        "rule",
        "sku",
        "location",
        "expected",
        "channel_qty",
        "class",
        "action",
    ]);
    for run in runs {
        let head =
            [run.id.clone(), run.channel.clone(), run.at.clone(), run.checked.to_string(), run.rule.clone()];
        if run.gaps.is_empty() {
            csv.row(&[head.to_vec(), vec![String::new(); 6]].concat());
        }
        for g in &run.gaps {
            let tail = [
                g.sku.clone(),
                opt(&g.location),
                g.expected.to_string(),
                opt(&g.channel_qty),
                g.class.clone(),
                g.action.clone(),
            ];
            csv.row(&[head.to_vec(), tail.to_vec()].concat());
        }
    }
    csv
}

fn drift_csv(report: &DriftReportView) -> Csv {
    let mut csv = Csv::new(&[
        "sku",
        "channel",
        "location",
        "velocity_30d",
        "expected",
        "channel_qty",
        "variance",
        "flagged",
    ]);
    for r in &report.rows {
        csv.row(&[
            r.sku.clone(),
            r.channel.clone(),
            opt(&r.location),
            r.velocity_30d.to_string(),
            r.expected.to_string(),
            opt(&r.channel_qty),
            opt(&r.variance),
            r.flagged.to_string(),
        ]);
    }
    csv
}
