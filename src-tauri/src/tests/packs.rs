//! Packs at the station (issue 21): a pack's barcode classifies as its item, keeps the pack's
//! barcode as the line's code, and every mode books the pack's units per scan; a GS1 count the
//! label carries (AI 30 or 37) is the line's quantity.

use crate::commands;
use crate::ipc::*;

use super::{demo_gtin13, fresh_demo, line, request};

/// SS-00003's case of 12 (a GTIN-14 on the demo's own GTIN) and its inner of 3 (internal).
fn with_packs(state: &crate::state::AppState) -> String {
    let case = shelfsync_core::with_check_digit(&format!("1{}", &demo_gtin13(3)[..12]));
    let csv = format!("barcode,sku,qty\n{case},SS-00003,12\nSS-00003-IN3,SS-00003,3\n");
    state.store().unwrap().import_packs(csv.as_bytes(), "admin", "ws-test").unwrap();
    case
}

#[test]
fn a_pack_scan_classifies_as_its_item_and_keeps_its_barcode() {
    let (_dir, state) = fresh_demo();
    let case = with_packs(&state);
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    let scan = |data: &str| commands::classify_scan(&state, data.into()).unwrap();
    // (scan, the line's code, the name shown, the units one scan books for the line's "1 pack = 12")
    let cases = [
        (case.clone(), case.clone(), "· pack of 12 (SS-00003)", Some(12)),
        (format!("]C101{case}"), case.clone(), "· pack of 12 (SS-00003)", Some(12)),
        ("SS-00003-IN3".to_string(), "SS-00003-IN3".to_string(), "· pack of 3 (SS-00003)", Some(3)),
        (demo_gtin13(3), "SS-00003".to_string(), "", None),
    ];
    for (data, code, name, units) in cases {
        let outcome = scan(&data);
        assert_eq!((outcome.kind, outcome.sku.as_deref()), (ScanKind::Item, Some(code.as_str())), "{data}");
        assert!(outcome.name.unwrap().ends_with(name), "{data}");
        assert_eq!(outcome.pack_units, units, "{data}");
    }
    // The item look-up takes a pack's barcode for its item.
    assert_eq!(commands::item_lookup(&state, case.clone()).unwrap().sku, "SS-00003");
    // A count in the label gives the line its quantity: a pallet label of 5 cases (AI 02 is
    // the case's GTIN, AI 37 how many), and a variable-count item label (AI 30).
    let sscc = "106141410000000019";
    let counted = scan(&format!("(00){sscc}(02){case}(37)5"));
    assert_eq!(counted.kind, ScanKind::Item);
    assert_eq!(
        (counted.sku.as_deref(), counted.quantity, counted.pack_units),
        (Some(case.as_str()), Some(5), Some(12))
    );
    let gtin = format!("0{}", demo_gtin13(3));
    let loose = scan(&format!("(01){gtin}(30)7"));
    assert_eq!(
        (loose.kind, loose.sku.as_deref(), loose.quantity),
        (ScanKind::Item, Some("SS-00003"), Some(7))
    );
    let zero = scan(&format!("(00){sscc}(02){case}(37)0"));
    assert_eq!(zero.kind, ScanKind::Error);
    assert!(zero.message.unwrap().contains("AI (37) count '0': a scan counts at least one unit"));
}

#[test]
fn every_mode_books_a_packs_units_per_scan() {
    let (_dir, state) = fresh_demo();
    let case = with_packs(&state);
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    let on_hand = |location: &str| {
        let query = StockQuery { sku: Some("SS-00003".into()), location: Some(location.into()), limit: None };
        commands::stock_levels(&state, query).unwrap().rows.first().map_or(0, |r| r.buckets.on_hand.unwrap())
    };
    let (wh1, wh2) = (on_hand("WH1"), on_hand("WH2"));
    // Receive two cases and one inner, plus one unit by its SKU: 2 x 12 + 3 + 1.
    let lines = vec![line(&case, 2), line("SS-00003-IN3", 1), line("SS-00003", 1)];
    let result = commands::commit_scans(&state, request(StationMode::Receive, "WH1", lines)).unwrap();
    assert_eq!((result.committed, result.failed_index), (3, None));
    assert_eq!(on_hand("WH1"), wh1 + 28);

    let mut transfer = request(StationMode::Transfer, "WH1", vec![line(&case, 1)]);
    transfer.to_location = Some("WH2".into());
    assert_eq!(commands::commit_scans(&state, transfer).unwrap().committed, 1);
    assert_eq!((on_hand("WH1"), on_hand("WH2")), (wh1 + 16, wh2 + 12));

    // Past one event's limit: refused on its line, nothing booked for it.
    let big = commands::commit_scans(&state, request(StationMode::Receive, "WH1", vec![line(&case, 90_000)]))
        .unwrap();
    assert_eq!((big.committed, big.failed_index), (0, Some(0)));
    assert!(
        big.error.unwrap().ends_with(
            "90000 scans of a pack of 12 is more than 1000000 units in one line: book it in parts"
        )
    );
    assert_eq!(on_hand("WH1"), wh1 + 16);

    let session = commands::start_count(&state, "WH1".into()).unwrap();
    let mut count = request(StationMode::Count, "WH1", vec![line(&case, 3), line("SS-00003-IN3", 2)]);
    count.session = Some(session.id.clone());
    assert_eq!(commands::commit_scans(&state, count).unwrap().committed, 2);
    let detail = commands::count_session(&state, session.id).unwrap();
    let counted = detail.lines.iter().find(|l| l.sku == "SS-00003").unwrap().counted;
    assert_eq!(counted, 42, "3 cases of 12 and 2 inners of 3");
}
