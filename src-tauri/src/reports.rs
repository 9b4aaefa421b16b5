//! The Reports screen's charts, their CSV files and the count pack (issue 20). The figures come
//! from the store's typed reads (`variance_by`, `accuracy_report`, `shrink_report`, the drift
//! history kept by the capture crate), the same the CLI's `shelfsync report` prints; the pack's
//! PDF is `shelfsync_labels::pdf_count_pack`. Files go next to the database (`exports/` for
//! CSV, `reports/` for the pack), since the webview cannot save any.
//!
//! Who may: anyone signed in reads the charts and exports them (the CLI's reports are open);
//! the pack, which shows every expected quantity (blind counts' too) and is what a supervisor
//! signs, needs `ApprovalsView`.

use chrono::Utc;
use shelfsync_capture::drift;
use shelfsync_core::Action;
use shelfsync_store::VarianceGroup;

use crate::commands::{allowed, looking_user};
use crate::error::{AppError, Result};
use crate::export::{Csv, write_beside_database, write_export};
use crate::ipc::{
    AccuracyPointView, CountPackRequest, CountPackSaved, ExportResult, ReportCsvKind, ShrinkBarView,
    ShrinkView, VarianceBarView, VarianceGroupView,
};
use crate::state::AppState;

/// The shrink chart's period when the screen names none: a quarter.
pub const DEFAULT_SHRINK_DAYS: u32 = 90;
/// Drift audits a CSV holds: the history's own cap (500 runs), well under the export's.
const DRIFT_ROWS: usize = 500;

fn group(g: VarianceGroupView) -> VarianceGroup {
    match g {
        VarianceGroupView::Session => VarianceGroup::Session,
        VarianceGroupView::Location => VarianceGroup::Location,
        VarianceGroupView::Category => VarianceGroup::Category,
    }
}

/// Cents from the accuracy report's amounts (two decimals already).
fn cents(amount: f64) -> i64 {
    (amount * 100.0).round() as i64
}

pub fn report_variance(state: &AppState, by: VarianceGroupView) -> Result<Vec<VarianceBarView>> {
    looking_user(state)?;
    let rows = state.store()?.variance_by(group(by))?;
    Ok(rows
        .into_iter()
        .map(|r| VarianceBarView {
            key: r.key,
            label: r.label,
            at: r.at,
            lines: r.lines,
            net_units: r.net_units,
            net_value_cents: r.net_value_cents,
            abs_value_cents: r.abs_value_cents,
        })
        .collect())
}

pub fn report_accuracy(state: &AppState) -> Result<Vec<AccuracyPointView>> {
    looking_user(state)?;
    let rows = state.store()?.accuracy_report()?;
    Ok(rows
        .into_iter()
        .map(|r| AccuracyPointView {
            month: r.month,
            lines: r.lines,
            within_tolerance: r.within_tolerance,
            accuracy_pct: r.accuracy_pct,
            net_value_cents: cents(r.net_variance_value),
            abs_value_cents: cents(r.abs_variance_value),
        })
        .collect())
}

pub fn report_shrink(state: &AppState, days: u32) -> Result<ShrinkView> {
    looking_user(state)?;
    let report = state.store()?.shrink_report(days, Utc::now())?;
    Ok(ShrinkView {
        days,
        since: report.since,
        until: report.until,
        rows: report
            .rows
            .into_iter()
            .map(|r| ShrinkBarView {
                reason: r.reason,
                events: r.events,
                units: r.units,
                value_cents: r.value_cents,
            })
            .collect(),
    })
}

/// Writes one report as CSV into `exports/` next to the database; `days` is the shrink period
/// (default a quarter), refused for any other report.
pub fn export_report_csv(state: &AppState, kind: ReportCsvKind, days: Option<u32>) -> Result<ExportResult> {
    if days.is_some() && kind != ReportCsvKind::Shrink {
        return Err(AppError::BadRequest("Only the shrink report takes a number of days.".into()));
    }
    let (name, csv) = match kind {
        ReportCsvKind::VarianceSession => {
            ("variance-by-session", variance_csv(&report_variance(state, VarianceGroupView::Session)?))
        }
        ReportCsvKind::VarianceLocation => {
            ("variance-by-location", variance_csv(&report_variance(state, VarianceGroupView::Location)?))
        }
        ReportCsvKind::VarianceCategory => {
            ("variance-by-category", variance_csv(&report_variance(state, VarianceGroupView::Category)?))
        }
        ReportCsvKind::Accuracy => ("accuracy", accuracy_csv(&report_accuracy(state)?)),
        ReportCsvKind::Shrink => {
            ("shrink", shrink_csv(&report_shrink(state, days.unwrap_or(DEFAULT_SHRINK_DAYS))?))
        }
        ReportCsvKind::DriftHistory => {
            looking_user(state)?;
            ("drift-history", drift_csv(&drift::history(&*state.store()?, DRIFT_ROWS)?))
        }
    };
    let rows = csv.rows();
    let path = write_export(state.db_path(), name, &csv.finish())?;
    Ok(ExportResult { path: path.display().to_string(), rows })
}

fn money(cents: i64) -> String {
    shelfsync_core::format_cents(cents)
}

fn variance_csv(rows: &[VarianceBarView]) -> Csv {
    let mut csv = Csv::new(&["key", "label", "at", "lines", "net_units", "net_value", "abs_value"]);
    for r in rows {
        csv.row(&[
            r.key.clone(),
            r.label.clone(),
            r.at.clone(),
            r.lines.to_string(),
            r.net_units.to_string(),
            money(r.net_value_cents),
            money(r.abs_value_cents),
        ]);
    }
    csv
}

fn accuracy_csv(rows: &[AccuracyPointView]) -> Csv {
    let mut csv = Csv::new(&[
        "month",
        "lines",
        "within_tolerance",
        "accuracy_pct",
        "net_variance_value",
        "abs_variance_value",
    ]);
    for r in rows {
        csv.row(&[
            r.month.clone(),
            r.lines.to_string(),
            r.within_tolerance.to_string(),
            format!("{:.1}", r.accuracy_pct),
            money(r.net_value_cents),
            money(r.abs_value_cents),
        ]);
    }
    csv
}

fn shrink_csv(report: &ShrinkView) -> Csv {
    let mut csv = Csv::new(&["reason", "events", "units", "value", "since", "until"]);
    for r in &report.rows {
        csv.row(&[
            r.reason.clone(),
            r.events.to_string(),
            r.units.to_string(),
            money(r.value_cents),
            report.since.clone(),
            report.until.clone(),
        ]);
    }
    csv
}

fn drift_csv(runs: &[drift::DriftRun]) -> Csv {
    let mut csv = Csv::new(&[
        "run",
        "scope",
        "top",
        "started_at",
        "finished_at",
        "checked",
        "flagged",
        "rows_kept",
        "by",
    ]);
    for r in runs {
        csv.row(&[
            r.id.to_string(),
            r.scope.as_str().to_string(),
            r.top.to_string(),
            r.started_at.clone(),
            r.finished_at.clone(),
            r.checked.to_string(),
            r.flagged.to_string(),
            r.rows_kept.clone(),
            r.actor.clone(),
        ]);
    }
    csv
}

/// Supervisors: the count pack of one session or of a month's full counts, as PDF in
/// `reports/` next to the database. Nothing is written when it cannot be made.
pub fn save_count_pack(state: &AppState, request: CountPackRequest) -> Result<CountPackSaved> {
    let user = allowed(state, Action::ApprovalsView)?;
    let now = Utc::now();
    let (pack, name) = {
        let store = state.store()?;
        match (request.session.as_deref().map(str::trim), request.month.as_deref().map(str::trim)) {
            (Some(session), None) if !session.is_empty() => (
                store.count_pack_session(session, &user.name, now)?,
                format!("count-pack-{}", file_part(session)),
            ),
            (None, Some(month)) if !month.is_empty() => {
                (store.count_pack_month(month, &user.name, now)?, format!("count-pack-{}", file_part(month)))
            }
            _ => {
                return Err(AppError::BadRequest(
                    "Name one count session or one month (YYYY-MM) to pack.".into(),
                ));
            }
        }
    };
    let pdf = shelfsync_labels::pdf_count_pack(&pack);
    let path = write_beside_database(state.db_path(), "reports", &name, "pdf", &pdf)?;
    let small = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Ok(CountPackSaved {
        path: path.display().to_string(),
        title: pack.title.clone(),
        sessions: small(pack.sessions.len()),
        lines: small(pack.sessions.iter().map(|s| s.lines.len()).sum()),
        accuracy_permille: pack.figures().accuracy_permille,
    })
}

/// A file name part: letters, digits and '-' kept, at most 40 characters.
fn file_part(text: &str) -> String {
    text.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(40).collect()
}
