//! Lots through the hub (issue 21), against a real PostgreSQL server: an item's tracking
//! replicates with the catalogue, and a lot travels inside its event's body (the hub keeps
//! bodies as text, so it needs no column of its own), so every workstation projects the same
//! lots from the same events, in the audit chain as everywhere else.

mod common;

use chrono::NaiveDate;
use common::*;
use shelfsync_core::{LotKind, LotTag, Movement, Tracking, WriteOffSource};
use shelfsync_store::By;

fn lot(code: &str, expiry: Option<&str>) -> Option<LotTag> {
    let expiry = expiry.map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap());
    Some(LotTag::new(LotKind::Lot, code, expiry).unwrap())
}

fn append_lot(ws: &Ws, movement: Movement, tag: Option<LotTag>) {
    let event = shelfsync_store::new_event(movement, "tester", &ws.name).with_reason("damaged").with_lot(tag);
    ws.store().append(&event).unwrap();
}

/// (lot, expiry, on_hand, damaged) of every lot of `sku` at WH1.
fn lots(ws: &Ws, sku: &str) -> Vec<(String, Option<NaiveDate>, i64, i64)> {
    let rows = ws.store().lot_rows(sku, Some("WH1")).unwrap();
    rows.into_iter().map(|r| (r.stock.lot, r.stock.expiry, r.stock.on_hand, r.stock.damaged)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tracking_and_lots_replicate_with_the_catalogue_and_the_events() {
    let pg = cluster();
    let url = pg.database("lots");
    let dir = tempfile::tempdir().unwrap();
    let a = workstation(dir.path(), "ws-a", &["MILK"]);
    let b = empty_workstation(dir.path(), "ws-b");
    shelfsync_hub::connect(&a.db, &url, "ws-a").await.unwrap();
    shelfsync_hub::connect(&b.db, &url, "ws-b").await.unwrap();
    a.store().set_tracking(By::new("tester", "ws-a"), "MILK", Tracking::Lot).unwrap();
    let receive = |qty| Movement::Receive { sku: sku_("MILK"), location: loc("WH1"), qty };
    append_lot(&a, receive(10), lot("L1", Some("2027-01-31")));
    append_lot(&a, receive(4), lot("L2", None));
    a.sync().await;
    b.sync().await;
    // ws-b started empty: the tracking came with the item, the lots with the receipts.
    assert_eq!(b.store().item_tracking("MILK").unwrap(), Tracking::Lot);
    assert_eq!(lots(&b, "MILK"), lots(&a, "MILK"));
    // ws-b's own movement is checked against the tracking it was sent: no lot, refused.
    let untagged = shelfsync_store::new_event(
        Movement::WriteOff { sku: sku_("MILK"), location: loc("WH1"), qty: 1, from: WriteOffSource::OnHand },
        "tester",
        "ws-b",
    )
    .with_reason("damaged");
    let refused = b.store().append(&untagged).unwrap_err().to_string();
    assert!(refused.contains("tracked by lot"), "{refused}");
    append_lot(
        &b,
        Movement::WriteOff { sku: sku_("MILK"), location: loc("WH1"), qty: 3, from: WriteOffSource::OnHand },
        lot("L1", None),
    );
    for _ in 0..2 {
        b.sync().await;
        a.sync().await;
    }
    let want = vec![
        ("L1".to_string(), Some(NaiveDate::from_ymd_opt(2027, 1, 31).unwrap()), 7, 0),
        ("L2".to_string(), None, 4, 0),
    ];
    assert_eq!(lots(&a, "MILK"), want);
    assert_eq!(lots(&b, "MILK"), want);
    assert_eq!(a.events(), b.events());
    assert_eq!(a.events(), hub_events(&url).await);
    let with_lots =
        hub_count(&url, "SELECT count(*) FROM events WHERE body::json->'lot'->>'code' = 'L1'").await;
    assert_eq!(with_lots, 2, "the lot is in the bodies the hub keeps");
    a.check();
    b.check();
}
