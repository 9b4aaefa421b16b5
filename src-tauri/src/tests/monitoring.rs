//! Monitoring: alerts, incidents and their CSV exports.

use crate::commands;
use crate::error::AppError;
use crate::ipc::*;

use super::{fresh_demo, shopify_request};

/// Monitoring: an alert the engine raises is listed, staff cannot acknowledge it, a supervisor
/// can (once), and every list exports to CSV next to the database.
#[test]
fn alerts_incidents_and_exports() {
    let (dir, state) = fresh_demo();
    assert!(matches!(crate::ops::alerts(&state, true), Err(AppError::SignedOut)));
    commands::sign_in(&state, "admin".into(), "3333".into()).unwrap();
    unsafe { std::env::set_var("SHELFSYNC_SECRETS", "file") };
    crate::admin::add_channel(&state, shopify_request("shop", "t")).unwrap();
    crate::admin::set_threshold(&state, "queue_depth".into(), 0.0).unwrap();
    {
        let store = state.store().unwrap();
        let mapping = shelfsync_sync::config::Mapping {
            sku: "SS-00001".into(),
            location: Some("WH1".into()),
            remote_item: "gid://shopify/InventoryItem/1".into(),
            remote_location: Some("gid://shopify/Location/1".into()),
        };
        shelfsync_sync::config::map_one(
            &store,
            shelfsync_store::By::new("tester", "ws-test"),
            "shop",
            &mapping,
        )
        .unwrap();
    }
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    let list = crate::ops::alerts(&state, true).unwrap();
    let alert = list.alerts.iter().find(|a| a.rule == "queue_depth").expect("the engine raised it");
    assert_eq!(alert.subject, "shop");
    assert!(list.opened >= 1);
    let error = crate::ops::ack_alert(&state, alert.id.clone()).unwrap_err();
    assert!(error.to_string().contains("may not acknowledge alerts"), "{error}");
    for bad in ["", "abc", "-1", "99999999999999999999999"] {
        assert!(crate::ops::ack_alert(&state, bad.into()).is_err(), "{bad}");
    }
    commands::sign_in(&state, "super".into(), "2222".into()).unwrap();
    for bad in ["", "x1"] {
        let error = crate::ops::ack_alert(&state, bad.into()).unwrap_err();
        assert!(error.to_string().contains("is not an alert number"), "{error}");
    }
    let acked = crate::ops::ack_alert(&state, alert.id.clone()).unwrap();
    assert_eq!(acked.acked_by.as_deref(), Some("super"));
    assert!(crate::ops::ack_alert(&state, alert.id.clone()).unwrap_err().to_string().contains("already"));

    assert!(crate::ops::incidents(&state, true).unwrap().is_empty());
    assert!(crate::ops::incident(&state, "7".into()).unwrap_err().to_string().contains("unknown incident"));
    let error = crate::ops::resolve_incident(&state, "7".into(), " ".into()).unwrap_err();
    assert!(error.to_string().contains("root cause"), "{error}");
    assert!(crate::ops::reconcile_runs(&state, 10).unwrap().is_empty());
    assert!(crate::ops::reconcile_runs(&state, 0).is_err());
    assert!(crate::ops::run_drift(&state, 0).unwrap_err().to_string().contains("Audit 1 to"));
    // The drift history (issue 20): stored runs newest first, a bounded page.
    assert!(crate::drift_history::drift_history(&state, None).unwrap().is_empty());
    for bad in [0, 201] {
        let error = crate::drift_history::drift_history(&state, Some(bad)).unwrap_err();
        assert!(error.to_string().contains("Show 1 to 200 drift audits"), "{error}");
    }
    {
        use shelfsync_capture::drift;
        let store = state.store().unwrap();
        let report = drift::DriftReport { top: 50, checked: 3, flagged: 1, rows: vec![] };
        let at = chrono::Utc::now();
        drift::record(&*store, drift::DriftScope::Top, &report, at, at, "service:ws").unwrap();
        drift::record(&*store, drift::DriftScope::Manual, &report, at, at, "super").unwrap();
    }
    let listed = crate::drift_history::drift_history(&state, Some(5)).unwrap();
    let shown: Vec<(&str, u32, u32, &str)> =
        listed.iter().map(|r| (r.scope.as_str(), r.checked, r.flagged, r.actor.as_str())).collect();
    assert_eq!(shown, [("manual", 3, 1, "super"), ("top", 3, 1, "service:ws")]);

    let export = crate::ops::export_csv(&state, ExportKind::Alerts).unwrap();
    assert!(export.rows >= 1);
    let path = std::path::PathBuf::from(&export.path);
    assert_eq!(path.parent().unwrap(), dir.path().join("exports"));
    let csv = std::fs::read_to_string(&path).unwrap();
    assert!(csv.starts_with("id,rule,subject,message,value,threshold,"), "{csv}");
    assert!(csv.contains(",queue_depth,shop,") && csv.contains(",super,"), "{csv}");
    for kind in [ExportKind::Incidents, ExportKind::DeadLetters, ExportKind::Reconciliation] {
        let export = crate::ops::export_csv(&state, kind.clone()).unwrap();
        assert_eq!(export.rows, 0, "{kind:?}");
        assert!(std::fs::read_to_string(&export.path).unwrap().lines().count() == 1, "header only");
    }
    let error = crate::ops::export_csv(&state, ExportKind::Drift).unwrap_err();
    assert_eq!(error.to_string(), "Run a drift audit first, then export it.");
    commands::sign_out(&state).unwrap();
    assert!(matches!(crate::ops::export_csv(&state, ExportKind::Alerts), Err(AppError::SignedOut)));
}
