//! Lookups, stock pages and the event list on the shared demo database.

use crate::commands;
use crate::error::AppError;
use crate::floor_refusal::FloorRefusal;
use crate::ipc::*;

use super::{demo, demo_gtin13};

#[test]
fn lookup_resolves_sku_gtin_in_any_length_and_internal_code() {
    let gtin13 = demo_gtin13(1);
    for code in [
        "SS-00001".to_string(),
        gtin13.clone(),
        format!("0{gtin13}"),
        "INT-00001".to_string(),
        format!("  {gtin13}\n"),
    ] {
        let item = commands::item_lookup(demo(), code.clone()).unwrap_or_else(|e| panic!("{code:?}: {e}"));
        assert_eq!(item.sku, "SS-00001", "{code:?}");
    }
    let item = commands::item_lookup(demo(), gtin13).unwrap();
    assert_eq!(item.stock.len(), 3, "received at WH1, WH2 and STORE");
    let on_hand: i64 = item.stock.iter().map(|r| r.buckets.on_hand.unwrap()).sum();
    assert_eq!(item.totals.on_hand, Some(on_hand));
    let t = item.totals;
    let [atp, on_hand, committed, reserved, damaged] =
        [t.atp, t.on_hand, t.committed, t.reserved, t.damaged].map(Option::unwrap);
    assert_eq!(atp, on_hand - committed - reserved - damaged);
    assert!(item.barcodes.iter().any(|b| b.kind == "gtin" && b.code == format!("0{}", demo_gtin13(1))));
}

#[test]
fn lookup_of_an_unknown_code_says_so() {
    for code in ["NOPE-123", "5901230000019", "9999999999994"] {
        let error = commands::item_lookup(demo(), code.into()).unwrap_err();
        assert!(matches!(error, AppError::NotFound(_)), "{code}: {error:?}");
        // What the UI receives (issue 19): a code with the code scanned, and Rust's sentence.
        let sent = serde_json::to_value(&error).unwrap();
        assert_eq!(
            (&sent["code"], &sent["args"]["code"]),
            (&serde_json::json!("stock.notFound"), &serde_json::json!(code))
        );
        assert_eq!(
            sent["message"],
            serde_json::json!(format!(
                "No item has the SKU or barcode '{code}'. Check the label and scan again."
            ))
        );
    }
    let error = commands::item_lookup(demo(), "   ".into()).unwrap_err();
    assert!(matches!(error, AppError::Refused(FloorRefusal::NoCode)), "{error:?}");
    let error = commands::item_lookup(demo(), "9".repeat(129)).unwrap_err();
    assert!(matches!(error, AppError::Refused(FloorRefusal::CodeTooLong { max: 128 })), "{error:?}");
}

#[test]
fn stock_pages_are_bounded_and_filtered() {
    let page = commands::stock_levels(demo(), StockQuery::default()).unwrap();
    assert_eq!(page.rows.len(), commands::DEFAULT_STOCK_ROWS as usize);
    // Every item is received at three locations; a few fast movers sell out at WH1.
    assert!(page.total > 2_500 && page.total <= 3_000, "{}", page.total);
    let page = commands::stock_levels(
        demo(),
        StockQuery { location: Some("WH2".into()), limit: Some(5), ..Default::default() },
    )
    .unwrap();
    assert_eq!(page.rows.len(), 5);
    assert!(page.rows.iter().all(|r| r.location == "WH2"));
    let page =
        commands::stock_levels(demo(), StockQuery { sku: Some("SS-00002".into()), ..Default::default() })
            .unwrap();
    assert!(page.rows.iter().all(|r| r.sku == "SS-00002"));
    assert_eq!(page.total as usize, page.rows.len());
    for bad in [Some(0), Some(commands::MAX_STOCK_ROWS + 1)] {
        let query = StockQuery { limit: bad, ..Default::default() };
        assert!(matches!(commands::stock_levels(demo(), query), Err(AppError::BadRequest(_))));
    }
    let query = StockQuery { location: Some("MOON".into()), ..Default::default() };
    assert_eq!(commands::stock_levels(demo(), query).unwrap_err().to_string(), "unknown location 'MOON'");
}

#[test]
fn recent_events_are_newest_first_and_bounded() {
    let all = commands::recent_events(demo(), Some("SS-00001".into()), Some(500)).unwrap();
    assert!(all.len() >= 3, "three opening receipts at least");
    assert!(all.iter().all(|e| e.sku == "SS-00001"));
    assert!(all.windows(2).all(|w| w[0].seq > w[1].seq), "newest first");
    assert_eq!(all.last().unwrap().kind, "receive", "the oldest is an opening receipt");
    let newest = commands::recent_events(demo(), Some("SS-00001".into()), Some(2)).unwrap();
    assert_eq!(newest.len(), 2);
    assert_eq!((newest[0].seq, newest[1].seq), (all[0].seq, all[1].seq), "the two newest");

    let latest = commands::recent_events(demo(), None, Some(20)).unwrap();
    assert_eq!(latest.len(), 20);
    let info = commands::app_info(demo()).unwrap();
    assert_eq!(latest[0].seq as u64, info.event_count, "the log's last event comes first");
    assert!(commands::recent_events(demo(), None, Some(0)).is_err());
}
