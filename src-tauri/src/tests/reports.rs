//! The Reports screen's commands (issue 20) on a real SQLite file holding the demo catalogue:
//! a blind full count at WH1 with one SKU not found (approved by a supervisor with a reason) drawn as
//! variance, accuracy and shrink; every report exported as CSV; the count pack written as PDF
//! for supervisors only; bad input refused in one line with no file written.

use crate::commands;
use crate::counts_scoped;
use crate::error::AppError;
use crate::ipc::*;
use crate::reports::{export_report_csv, report_accuracy, report_shrink, report_variance, save_count_pack};
use crate::state::AppState;

use super::fresh_demo;

fn sign_in(state: &AppState, who: &str) {
    let pin = match who {
        "staff" => "1111",
        "super" => "2222",
        _ => "3333",
    };
    commands::sign_in(state, who.into(), pin.into()).unwrap();
}

/// Staff counts SS-00030 and SS-00031 at WH1 in full, finding none of SS-00031; the supervisor
/// approves the variance with a reason. Returns the session.
fn counted(state: &AppState) -> String {
    sign_in(state, "staff");
    let query = StockQuery { sku: Some("SS-00030".into()), location: Some("WH1".into()), limit: None };
    let on_hand = commands::stock_levels(state, query).unwrap().rows[0].buckets.on_hand.expect("not hidden");
    let request = CountStartRequest {
        location: "WH1".into(),
        skus: vec!["SS-00030".into(), "SS-00031".into()],
        class: None,
        top: None,
        blind: true,
        full: true,
    };
    let session = counts_scoped::start_count_scoped(state, request).unwrap();
    let scans = CommitRequest {
        mode: StationMode::Count,
        location: "WH1".into(),
        to_location: None,
        session: Some(session.id.clone()),
        reason: None,
        lines: vec![CommitLine {
            id: None,
            sku: "SS-00030".into(),
            qty: u32::try_from(on_hand).unwrap(),
            tag: None,
        }],
    };
    commands::commit_scans(state, scans).unwrap();
    counts_scoped::submit_count_confirmed(state, session.id.clone(), true).unwrap();
    commands::sign_out(state).unwrap();
    sign_in(state, "super");
    for approval in commands::approvals(state).unwrap() {
        commands::decide(
            state,
            approval.id,
            DecisionView::Approve,
            "shelf found empty".into(),
            "2222".into(),
        )
        .unwrap();
    }
    session.id
}

fn files_in(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |d| d.count())
}

#[test]
fn the_charts_read_the_count_and_every_report_exports() {
    let (dir, state) = fresh_demo();
    let session = counted(&state);
    let by_session = report_variance(&state, VarianceGroupView::Session).unwrap();
    assert_eq!(by_session[0].key, session);
    assert!(by_session[0].net_units < 0 && by_session[0].abs_value_cents > 0, "{by_session:?}");
    let by_location = report_variance(&state, VarianceGroupView::Location).unwrap();
    assert_eq!(by_location.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(), ["WH1"]);
    let month = chrono::Utc::now().format("%Y-%m").to_string();
    let accuracy = report_accuracy(&state).unwrap();
    let this_month = accuracy.iter().find(|p| p.month == month).expect("this month's point");
    assert_eq!((this_month.lines, this_month.within_tolerance), (2, 1));
    assert_eq!(this_month.accuracy_pct, 50.0);
    let shrink = report_shrink(&state, 30).unwrap();
    let count = shrink.rows.iter().find(|r| r.reason == "count_variance").expect("the count's shrink");
    assert_eq!(count.units, -by_session[0].net_units);

    let kinds = [
        (ReportCsvKind::VarianceSession, "key,label,at,lines,net_units,net_value,abs_value"),
        (ReportCsvKind::VarianceLocation, "key,label,at,lines,net_units,net_value,abs_value"),
        (ReportCsvKind::VarianceCategory, "key,label,at,lines,net_units,net_value,abs_value"),
        (
            ReportCsvKind::Accuracy,
            "month,lines,within_tolerance,accuracy_pct,net_variance_value,abs_variance_value",
        ),
        (ReportCsvKind::Shrink, "reason,events,units,value,since,until"),
        (ReportCsvKind::DriftHistory, "run,scope,top,started_at,finished_at,checked,flagged,rows_kept,by"),
    ];
    for (kind, header) in kinds {
        let done = export_report_csv(&state, kind.clone(), None).unwrap();
        let text = std::fs::read_to_string(&done.path).unwrap();
        assert!(text.starts_with(&format!("{header}\r\n")), "{kind:?}: {text}");
        assert_eq!(text.lines().count(), done.rows as usize + 1, "{kind:?}");
        assert!(std::path::Path::new(&done.path).starts_with(dir.path().join("exports")));
    }
    let accuracy_csv =
        std::fs::read_to_string(export_report_csv(&state, ReportCsvKind::Accuracy, None).unwrap().path)
            .unwrap();
    assert!(accuracy_csv.contains(&format!("{month},2,1,50.0,")), "{accuracy_csv}");
}

#[test]
fn the_count_pack_is_written_for_supervisors_only() {
    let (dir, state) = fresh_demo();
    let session = counted(&state);
    let reports = dir.path().join("reports");
    let month = chrono::Utc::now().format("%Y-%m").to_string();
    let saved =
        save_count_pack(&state, CountPackRequest { session: Some(session.clone()), month: None }).unwrap();
    assert_eq!(
        (saved.title.as_str(), saved.sessions, saved.lines),
        (format!("Count {session}").as_str(), 1, 2)
    );
    assert_eq!(saved.accuracy_permille, 500);
    let pdf = std::fs::read(&saved.path).unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    let monthly = save_count_pack(&state, CountPackRequest { session: None, month: Some(month) }).unwrap();
    assert_eq!(monthly.sessions, 1);
    assert_eq!(files_in(&reports), 2);

    commands::sign_out(&state).unwrap();
    sign_in(&state, "staff");
    let refused =
        save_count_pack(&state, CountPackRequest { session: Some(session), month: None }).unwrap_err();
    assert!(matches!(refused, AppError::Store(shelfsync_store::StoreError::Forbidden { .. })), "{refused:?}");
    assert_eq!(files_in(&reports), 2, "nothing written");
}

#[test]
fn bad_report_requests_are_one_line_and_write_nothing() {
    let (dir, state) = fresh_demo();
    counted(&state);
    let pack = |session: Option<&str>, month: Option<&str>| {
        save_count_pack(
            &state,
            CountPackRequest { session: session.map(Into::into), month: month.map(Into::into) },
        )
        .unwrap_err()
        .to_string()
    };
    let cases = [
        (pack(Some("no-such"), None), "unknown count session 'no-such'"),
        (pack(None, Some("2001-01")), "no full count was started in 2001-01"),
        (pack(None, Some("13/2026")), "'13/2026' is not a month"),
        (pack(None, None), "Name one count session or one month"),
        (pack(Some("x"), Some("2026-11")), "Name one count session or one month"),
        (report_shrink(&state, 0).unwrap_err().to_string(), "shrink over 0 days"),
        (
            export_report_csv(&state, ReportCsvKind::Accuracy, Some(7)).unwrap_err().to_string(),
            "Only the shrink report takes a number of days.",
        ),
    ];
    for (message, want) in cases {
        assert!(message.contains(want), "{message:?} should say {want:?}");
        assert!(!message.contains('\n'), "{message:?} is one line");
    }
    assert_eq!(files_in(&dir.path().join("reports")), 0);
    assert_eq!(files_in(&dir.path().join("exports")), 0);
    commands::sign_out(&state).unwrap();
    assert!(matches!(report_accuracy(&state), Err(AppError::SignedOut)));
}
