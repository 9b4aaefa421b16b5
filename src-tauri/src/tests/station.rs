//! The station: scans classified, commits of each mode, counts submitted and approved.

use crate::commands;
use crate::error::AppError;
use crate::floor_refusal::FloorRefusal;
use crate::ipc::*;

use super::{demo_gtin13, fresh_demo, line, request};

#[test]
fn scans_classify_as_commands_items_or_errors() {
    let (_dir, state) = fresh_demo();
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    let scan = |data: &str| commands::classify_scan(&state, data.into()).unwrap();
    let loc = scan("LOC:WH1");
    assert_eq!((loc.kind, loc.location.as_deref()), (ScanKind::Location, Some("WH1")));
    let bad = scan("LOC:MOON");
    assert_eq!(bad.kind, ScanKind::Error);
    assert!(bad.message.unwrap().contains("No location 'MOON'"));
    // Every refused scan carries its code for the screen to translate, and the same English.
    // A GS1 date that is no date (month 13).
    let bad_date = format!("(01)0{}(17)271332", demo_gtin13(2));
    for (data, code, args) in [
        ("LOC:MOON", "scan.unknownLocation", serde_json::json!({"location": "MOON"})),
        ("   ", "scan.empty", serde_json::json!({})),
        (
            "QTY:0",
            "scan.badLabel",
            serde_json::json!({"detail": "bad command barcode: quantity 0 is outside 1..=100000"}),
        ),
        ("NOPE-4711", "stock.notFound", serde_json::json!({"code": "NOPE-4711"})),
        (&"9".repeat(crate::station::MAX_SCAN_LEN + 1), "scan.tooLong", serde_json::json!({})),
        (&bad_date, "scan.unreadable", serde_json::Value::Null),
    ] {
        let outcome = scan(data);
        assert_eq!(outcome.kind, ScanKind::Error, "{data}");
        let refusal = outcome.refusal.unwrap_or_else(|| panic!("{data}: no refusal"));
        assert_eq!(refusal.code, code, "{data}");
        assert_eq!(Some(refusal.message), outcome.message, "{data}");
        if !args.is_null() {
            assert_eq!(serde_json::to_value(&refusal.args).unwrap(), args, "{data}");
        }
    }
    assert!(scan("SS-00002").refusal.is_none(), "a scan that is used carries no refusal");
    assert_eq!(scan("QTY:12").quantity, Some(12));
    assert_eq!(scan("QTY:0").kind, ScanKind::Error);
    assert_eq!(scan("MODE:damage").mode, Some(StationMode::Damage));
    assert_eq!(scan("CMD:UNDO").kind, ScanKind::Undo);
    assert_eq!(scan("CMD:DONE").kind, ScanKind::Done);
    for code in ["SS-00002".to_string(), demo_gtin13(2), format!("0{}", demo_gtin13(2)), "INT-00002".into()] {
        let item = scan(&code);
        assert_eq!((item.kind, item.sku.as_deref()), (ScanKind::Item, Some("SS-00002")), "{code}");
        assert!(item.name.is_some());
    }
    let unknown = scan("NOPE-4711");
    assert_eq!(unknown.kind, ScanKind::Error);
    assert!(unknown.message.unwrap().starts_with("No item has the SKU or barcode 'NOPE-4711'"));
}

#[test]
fn station_commits_receive_transfer_and_damage() {
    let (_dir, state) = fresh_demo();
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    let on_hand = |location: &str| {
        let query = StockQuery { sku: Some("SS-00003".into()), location: Some(location.into()), limit: None };
        commands::stock_levels(&state, query).unwrap().rows.first().map_or(0, |r| r.buckets.on_hand.unwrap())
    };
    let (wh1, wh2) = (on_hand("WH1"), on_hand("WH2"));
    let result =
        commands::commit_scans(&state, request(StationMode::Receive, "WH1", vec![line("SS-00003", 4)]))
            .unwrap();
    assert_eq!((result.committed, result.failed_index), (1, None));
    assert_eq!(on_hand("WH1"), wh1 + 4);

    let mut transfer = request(StationMode::Transfer, "WH1", vec![line("SS-00003", 2)]);
    assert!(matches!(
        commands::commit_scans(&state, transfer.clone()),
        Err(AppError::Refused(FloorRefusal::NoDestination))
    ));
    transfer.to_location = Some("WH2".into());
    assert_eq!(commands::commit_scans(&state, transfer).unwrap().committed, 1);
    assert_eq!((on_hand("WH1"), on_hand("WH2")), (wh1 + 2, wh2 + 2));

    let mut damage =
        request(StationMode::Damage, "WH1", vec![line("SS-00003", 1), line("NOPE", 1), line("SS-00003", 1)]);
    let error = commands::commit_scans(&state, damage.clone()).unwrap_err();
    assert!(error.to_string().contains("why"), "a reason is required: {error}");
    damage.reason = Some("crushed".into());
    let result = commands::commit_scans(&state, damage).unwrap();
    assert_eq!((result.committed, result.failed_index), (1, Some(1)), "stops at the bad line");
    assert!(result.error.unwrap().starts_with("NOPE"));
}

#[test]
fn count_submit_and_supervisor_approval_with_pin() {
    let (_dir, state) = fresh_demo();
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    let session = commands::start_count(&state, "WH1".into()).unwrap();
    assert_eq!((session.status.as_str(), session.blind), ("open", true));
    let mut count = request(StationMode::Count, "WH1", vec![line("SS-00001", 400), line("SS-00001", 100)]);
    count.session = Some(session.id.clone());
    assert_eq!(commands::commit_scans(&state, count).unwrap().committed, 2);
    let open = commands::count_sessions(&state).unwrap();
    let row = open.iter().find(|s| s.id == session.id).unwrap();
    assert_eq!((row.counted_skus, row.entries), (1, 2));
    let detail = commands::count_session(&state, session.id.clone()).unwrap();
    assert_eq!(detail.lines[0].counted, 500);
    assert_eq!(detail.lines[0].expected, None, "blind for staff");

    let submitted = commands::submit_count(&state, session.id.clone()).unwrap();
    assert_eq!(submitted.status, "submitted");
    assert_eq!(submitted.lines[0].state, "pending");

    commands::sign_in(&state, "super".into(), "2222".into()).unwrap();
    let inbox = commands::approvals(&state).unwrap();
    assert_eq!(inbox.len(), 1);
    let item = &inbox[0];
    assert_eq!((item.kind.as_str(), item.sku.as_str(), item.counted), ("count", "SS-00001", Some(500)));
    assert_eq!(item.variance, 500 - item.expected.unwrap());
    assert_eq!(item.counters, ["staff"]);

    let error = commands::decide(&state, item.id.clone(), DecisionView::Approve, "ok".into(), "0000".into())
        .unwrap_err();
    assert!(error.to_string().contains("wrong user or PIN"), "{error}");
    let error = commands::decide(&state, item.id.clone(), DecisionView::Approve, " ".into(), "2222".into())
        .unwrap_err();
    assert!(matches!(error, AppError::Refused(FloorRefusal::NoReason { max: 200 })), "{error:?}");
    commands::decide(&state, item.id.clone(), DecisionView::Approve, "recounted shelf".into(), "2222".into())
        .unwrap();
    assert!(commands::approvals(&state).unwrap().is_empty());
    let query = StockQuery { sku: Some("SS-00001".into()), location: Some("WH1".into()), limit: None };
    assert_eq!(commands::stock_levels(&state, query).unwrap().rows[0].buckets.on_hand, Some(500));
}
