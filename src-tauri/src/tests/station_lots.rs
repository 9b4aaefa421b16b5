//! Lots and serials at the scan station (issue 21): a GS1 label's lot (AI 10), serial (AI 21)
//! and expiry (AI 17) ride on the line into the ledger, in every mode; a tracked line without
//! its tag, or with a bad one, is refused with nothing recorded; a retried commit records a
//! lot count once; and a reprinted lot label carries the expiry the lot was booked with, as
//! GS1-128 or GS1 DataMatrix.

use shelfsync_store::By;

use crate::commands;
use crate::error::AppError;
use crate::ipc::*;
use crate::labels::label_preview;

use super::{fresh_demo, line, request};

const MILK_GTIN: &str = "09506000134352";
const TV_GTIN: &str = "09506000134376";

/// MILK tracked by lot and TV by serial, both with GTINs and no stock yet.
fn with_tracked_items(state: &crate::state::AppState) {
    let csv = format!(
        "sku,name,unit_cost,category,safety_stock,barcodes,tracking\n\
         MILK,Milk,1.00,food,0,{MILK_GTIN},lot\nTV,TV,100.00,elec,0,{TV_GTIN},serial\n"
    );
    state.store().unwrap().import_items(csv.as_bytes(), "admin", "ws-test").unwrap();
}

fn lot(code: &str, expiry: Option<&str>) -> Option<LineTag> {
    Some(LineTag { kind: TagKind::Lot, code: code.into(), expiry: expiry.map(str::to_string) })
}

fn tagged(sku: &str, qty: u32, tag: Option<LineTag>) -> CommitLine {
    CommitLine { tag, ..line(sku, qty) }
}

/// (lot, expiry, on hand) of `sku`'s lots at `location`, first expiry first.
fn lots_at(state: &crate::state::AppState, sku: &str, location: &str) -> Vec<(String, Option<String>, i64)> {
    let store = state.store().unwrap();
    let rows = store.lot_rows(sku, Some(location)).unwrap();
    rows.into_iter().map(|r| (r.stock.lot, r.stock.expiry.map(|d| d.to_string()), r.stock.on_hand)).collect()
}

#[test]
fn a_gs1_scan_gives_the_line_its_lot_serial_and_expiry() {
    let (_dir, state) = fresh_demo();
    with_tracked_items(&state);
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    let scan = |data: &str| commands::classify_scan(&state, data.into()).unwrap();
    // (scan, SKU, tracking, tag, quantity the label gives)
    let cases: [(String, &str, Option<TagKind>, Option<LineTag>, Option<u32>); 6] = [
        (
            format!("(01){MILK_GTIN}(17)270331(10)L1"),
            "MILK",
            Some(TagKind::Lot),
            lot("L1", Some("2027-03-31")),
            None,
        ),
        // DD 00 is the month's end.
        (
            format!("(01){MILK_GTIN}(17)270200(10)L2"),
            "MILK",
            Some(TagKind::Lot),
            lot("L2", Some("2027-02-28")),
            None,
        ),
        (format!("(01){MILK_GTIN}(10)L3(30)24"), "MILK", Some(TagKind::Lot), lot("L3", None), Some(24)),
        // The item's own barcode: found (look-up works), but no lot for a line.
        (MILK_GTIN.to_string(), "MILK", Some(TagKind::Lot), None, None),
        (
            format!("(01){TV_GTIN}(21)SN-9"),
            "TV",
            Some(TagKind::Serial),
            Some(LineTag { kind: TagKind::Serial, code: "SN-9".into(), expiry: None }),
            None,
        ),
        // An untracked item's lot is not kept: many labels print one.
        (format!("(01)0{}(10)L1", super::demo_gtin13(1)), "SS-00001", None, None, None),
    ];
    for (data, sku, tracking, tag, quantity) in cases {
        let outcome = scan(&data);
        assert_eq!(outcome.kind, ScanKind::Item, "{data}: {:?}", outcome.message);
        assert_eq!(outcome.sku.as_deref(), Some(sku), "{data}");
        assert_eq!((outcome.tracking, outcome.tag, outcome.quantity), (tracking, tag, quantity), "{data}");
    }
    // A GS1 date that is not one (month 13) is refused at the scan, naming its AI.
    let bad = scan(&format!("(01){MILK_GTIN}(17)271332(10)L1"));
    assert_eq!(bad.kind, ScanKind::Error);
    let message = bad.message.unwrap();
    assert!(message.starts_with("Unreadable barcode: AI (17)"), "{message}");
}

#[test]
fn lots_go_from_the_station_into_the_ledger_and_bad_tags_record_nothing() {
    let (_dir, state) = fresh_demo();
    with_tracked_items(&state);
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    let receive = request(
        StationMode::Receive,
        "WH1",
        vec![
            tagged("MILK", 10, lot("L1", Some("2027-03-31"))),
            tagged("MILK", 5, lot("L2", Some("2027-01-31"))),
        ],
    );
    assert_eq!(commands::commit_scans(&state, receive).unwrap().committed, 2);
    assert_eq!(
        lots_at(&state, "MILK", "WH1"),
        [("L2".into(), Some("2027-01-31".into()), 5), ("L1".into(), Some("2027-03-31".into()), 10)]
    );
    let serial = Some(LineTag { kind: TagKind::Serial, code: "SN-9".into(), expiry: None });
    let tv = request(StationMode::Receive, "WH1", vec![tagged("TV", 1, serial.clone())]);
    assert_eq!(commands::commit_scans(&state, tv).unwrap().committed, 1);

    // Each refused before anything is recorded: (case, line, what the refusal says)
    let cases: [(&str, CommitLine, &str); 5] = [
        ("no lot", line("MILK", 1), "SKU 'MILK' is tracked by lot"),
        ("a serial for a lot", tagged("MILK", 1, serial.clone()), "tracked by lot, not serial"),
        (
            "a serial received twice",
            tagged("TV", 1, serial.clone()),
            "serial 'SN-9' of SKU 'TV' is already on hand",
        ),
        ("a lot with a space", tagged("MILK", 1, lot("L 1", None)), "invalid lot 'L 1'"),
        ("an expiry that is not a date", tagged("MILK", 1, lot("L1", Some("2027-02-30"))), "is not a date"),
    ];
    for (case, bad, says) in cases {
        let before = lots_at(&state, "MILK", "WH1");
        let result = commands::commit_scans(&state, request(StationMode::Receive, "WH1", vec![bad]));
        let error = match result {
            Ok(r) => r.error.unwrap_or_else(|| panic!("{case}: recorded")),
            Err(e) => e.to_string(),
        };
        assert!(error.contains(says), "{case}: {error}");
        assert_eq!(lots_at(&state, "MILK", "WH1"), before, "{case}");
    }

    // The failing line's refusal also crosses as a code with its values, for the screen to
    // translate.
    let twice = request(StationMode::Receive, "WH1", vec![tagged("TV", 1, serial.clone())]);
    let refused = commands::commit_scans(&state, twice).unwrap();
    let refusal = refused.refusal.expect("a refusal with a code");
    assert_eq!((refusal.code.as_str(), refused.failed_index), ("lot.serialOnHand", Some(0)));
    assert_eq!(refusal.args["serial"], "SN-9");
    assert_eq!(refused.error.unwrap(), format!("TV: {}", refusal.message));

    // A damage line by lot: the lot's units go to damaged.
    let mut damage = request(StationMode::Damage, "WH1", vec![tagged("MILK", 2, lot("L2", None))]);
    damage.reason = Some("Crushed".into());
    assert_eq!(commands::commit_scans(&state, damage).unwrap().committed, 1);
    let store = state.store().unwrap();
    let l2 = store.lot_rows("MILK", Some("WH1")).unwrap().into_iter().find(|r| r.stock.lot == "L2").unwrap();
    assert_eq!((l2.stock.on_hand, l2.stock.damaged), (5, 2));
    assert!(store.lots_match_rebuild().unwrap());
}

#[test]
fn a_count_by_lot_from_the_station_records_a_retried_commit_once() {
    let (_dir, state) = fresh_demo();
    with_tracked_items(&state);
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    let receive =
        request(StationMode::Receive, "WH1", vec![tagged("MILK", 10, lot("L1", Some("2027-03-31")))]);
    commands::commit_scans(&state, receive).unwrap();
    let session = commands::start_count(&state, "WH1".into()).unwrap();
    let id = uuid::Uuid::now_v7().to_string();
    let counted = CommitLine { id: Some(id), ..tagged("MILK", 7, lot("L1", None)) };
    let mut count =
        request(StationMode::Count, "WH1", vec![counted, tagged("MILK", 3, lot("L4", Some("2027-06-30")))]);
    count.session = Some(session.id.clone());
    assert_eq!(commands::commit_scans(&state, count.clone()).unwrap().committed, 2);
    // The same commit again (a crash before the screen heard back): the line with its id once.
    count.lines.truncate(1);
    assert_eq!(commands::commit_scans(&state, count).unwrap().committed, 1);
    let store = state.store().unwrap();
    assert_eq!(
        store.count_lots(&session.id, "MILK").unwrap(),
        [("L1".to_string(), 7), ("L4".to_string(), 3)]
    );
    drop(store);
    let detail = commands::count_session(&state, session.id.clone()).unwrap();
    assert_eq!(detail.lines.iter().find(|l| l.sku == "MILK").unwrap().counted, 10);
    // Without its lot, a tracked item's count line is refused.
    let mut untagged = request(StationMode::Count, "WH1", vec![line("MILK", 1)]);
    untagged.session = Some(session.id);
    let result = commands::commit_scans(&state, untagged).unwrap();
    assert_eq!(result.committed, 0);
    assert!(result.error.unwrap().contains("count needs --lot"));
}

#[test]
fn a_lot_label_carries_its_booked_expiry_as_gs1_128_or_datamatrix() {
    let (_dir, state) = fresh_demo();
    with_tracked_items(&state);
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    let receive =
        request(StationMode::Receive, "WH1", vec![tagged("MILK", 4, lot("L1", Some("2027-03-31")))]);
    commands::commit_scans(&state, receive).unwrap();
    let label = |symbology: Option<LabelSymbology>, expiry: Option<&str>| {
        label_preview(
            &state,
            LabelRequest {
                kind: LabelKind::Item,
                code: "MILK".into(),
                lot: Some("L1".into()),
                expiry: expiry.map(str::to_string),
                copies: 1,
                symbology,
            },
        )
    };
    let linear = label(None, None).unwrap();
    assert_eq!(linear.human, format!("(01){MILK_GTIN}(17)270331(10)L1"));
    assert_eq!(linear.lines[1..], ["SKU MILK", "LOT L1", "EXP 2027-03-31"]);
    let matrix = label(Some(LabelSymbology::DataMatrix), None).unwrap();
    assert_eq!(matrix.human, linear.human, "the same GS1 data, as a square");
    let png = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &matrix.png_base64).unwrap();
    let (width, height) = (&png[16..20], &png[20..24]);
    assert_eq!(width, height, "a DataMatrix preview is square");
    // Another date for the booked lot is refused.
    let error = label(None, Some("2027-04-30")).unwrap_err();
    assert!(matches!(error, AppError::Store(_)), "{error:?}");
    assert_eq!(
        error.to_string(),
        "lot 'L1' of SKU 'MILK' expires 2027-03-31, not 2027-04-30: one lot has one expiry"
    );
    // An item tracked by nothing, set back: the store's own rule (only while it holds no stock).
    let by = By::new("admin", "ws-test");
    assert!(state.store().unwrap().set_tracking(by, "MILK", shelfsync_core::Tracking::None).is_err());
}

#[test]
fn the_movements_screen_moves_lots_and_suggests_the_first_expiry() {
    use crate::lots_view::item_lots;
    use crate::movements as mv;
    let (_dir, state) = fresh_demo();
    with_tracked_items(&state);
    commands::sign_in(&state, "admin".into(), "3333".into()).unwrap();
    let receive = request(
        StationMode::Receive,
        "WH1",
        vec![
            tagged("MILK", 10, lot("L1", Some("2027-03-31"))),
            tagged("MILK", 5, lot("L2", Some("2027-01-31"))),
        ],
    );
    commands::commit_scans(&state, receive).unwrap();

    // First expiry first: 7 units are L2's 5 and 2 of L1; 20 leave 5 that no lot holds.
    let picks = |qty| {
        let view = item_lots(&state, "MILK".into(), "WH1".into(), Some(qty)).unwrap();
        (view.picks.into_iter().map(|p| (p.code, p.qty)).collect::<Vec<_>>(), view.uncovered)
    };
    assert_eq!(picks(7), (vec![("L2".into(), 5), ("L1".into(), 2)], 0));
    assert_eq!(picks(20), (vec![("L2".into(), 5), ("L1".into(), 10)], 5));
    let view = item_lots(&state, MILK_GTIN.into(), "WH1".into(), None).unwrap();
    assert_eq!((view.sku.as_str(), view.tracking, view.hidden), ("MILK", Some(TagKind::Lot), false));
    let shown: Vec<(&str, Option<i64>)> = view.lots.iter().map(|l| (l.code.as_str(), l.on_hand)).collect();
    assert_eq!(shown, [("L2", Some(5)), ("L1", Some(10))]);
    let untracked = item_lots(&state, "SS-00001".into(), "WH1".into(), Some(3)).unwrap();
    assert_eq!((untracked.tracking, untracked.lots.len()), (None, 0));
    for (code, location, qty, says) in [
        ("NOPE", "WH1", None, "No item has the SKU or barcode 'NOPE'"),
        ("MILK", "NOWHERE", None, "NOWHERE"),
        ("MILK", "WH1", Some(0), "a quantity is between 1 and"),
    ] {
        let error = item_lots(&state, code.into(), location.into(), qty).unwrap_err().to_string();
        assert!(error.contains(says), "{code} {location}: {error}");
    }

    // A write-off by lot; without its lot it is refused.
    let write_off = |tag| WriteOffRequest {
        sku: "MILK".into(),
        location: "WH1".into(),
        qty: 2,
        from: WriteOffFromView::OnHand,
        code: "expired".into(),
        note: None,
        tag,
    };
    assert!(mv::write_off(&state, write_off(lot("L2", None))).unwrap().posted);
    let error = mv::write_off(&state, write_off(None)).unwrap_err().to_string();
    assert!(error.contains("SKU 'MILK' is tracked by lot"), "{error}");
    // A two-phase transfer of L1: the receipt books the lot that was shipped.
    let ship = ShipRequest {
        sku: "MILK".into(),
        from: "WH1".into(),
        to: "WH2".into(),
        qty: 3,
        reason: None,
        tag: lot("L1", None),
    };
    assert!(mv::ship_transfer(&state, ship).unwrap().posted);
    let open = mv::transfers_in_transit(&state).unwrap();
    let shipment = open.iter().find(|t| t.sku == "MILK").unwrap();
    assert_eq!(shipment.lot.as_deref(), Some("L1"));
    let received = ReceiveTransferRequest { transfer_id: shipment.id.clone(), received: 3, reason: None };
    assert!(mv::receive_transfer(&state, received).unwrap().posted);
    assert_eq!(lots_at(&state, "MILK", "WH2"), [("L1".into(), Some("2027-03-31".into()), 3)]);
    // A return to a lot, then its reversal: the reversal moves the same lot back.
    let returned = ReturnRequest {
        sku: "MILK".into(),
        location: "WH1".into(),
        qty: 1,
        damaged: false,
        reason: None,
        tag: lot("L1", None),
    };
    let returned = mv::customer_return(&state, returned).unwrap();
    assert_eq!(
        lots_at(&state, "MILK", "WH1"),
        [("L2".into(), Some("2027-01-31".into()), 3), ("L1".into(), Some("2027-03-31".into()), 8)]
    );
    let reverse = ReverseRequest { event_id: returned.event_id, reason: "returned by mistake".into() };
    assert!(mv::reverse_event(&state, reverse).unwrap().posted);
    assert_eq!(
        lots_at(&state, "MILK", "WH1"),
        [("L2".into(), Some("2027-01-31".into()), 3), ("L1".into(), Some("2027-03-31".into()), 7)]
    );
    assert!(state.store().unwrap().lots_match_rebuild().unwrap());
}
