//! A channel sale of a kit (issue 21) on a real SQLite file: capture books one sale per
//! component (line quantity x component quantity) with derived ids and references naming the
//! kit and the order line, a redelivery books nothing new, a cancellation gives the components
//! back, and the kit's listing follows its components in the outbox.

use chrono::{DateTime, Utc};
use shelfsync_capture::orders::{self, Line, Order, Source};
use shelfsync_core::kit::parse_component;
use shelfsync_core::{Item, Location, LocationCode, Movement, Sku};
use shelfsync_store::testing::connection;
use shelfsync_store::{EventFilter, ItemRecord, Store};

fn item(sku: &str) -> ItemRecord {
    ItemRecord {
        item: Item {
            sku: Sku::new(sku).unwrap(),
            name: sku.into(),
            unit_cost_cents: 100,
            category: "test".into(),
            safety_stock: 0,
        },
        barcodes: vec![],
    }
}

/// MUG x 10 and CAP x 3 at WH1; GIFT = 2 MUG + 1 CAP, listed on "shop" (fed by WH1).
fn setup() -> (tempfile::TempDir, Store, i64) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("ledger.db")).unwrap();
    store
        .upsert_locations(&[Location {
            code: LocationCode::new("WH1").unwrap(),
            name: "Main".into(),
            parent: None,
        }])
        .unwrap();
    store.upsert_items(&[item("MUG"), item("CAP"), item("GIFT")]).unwrap();
    for (sku, qty) in [("MUG", 10), ("CAP", 3)] {
        let movement = Movement::Receive {
            sku: Sku::new(sku).unwrap(),
            location: LocationCode::new("WH1").unwrap(),
            qty,
        };
        store.append(&shelfsync_store::new_event(movement, "tester", "ws")).unwrap();
    }
    let parts = [parse_component("MUG:2").unwrap(), parse_component("CAP:1").unwrap()];
    store.kit_set("GIFT", &parts, "tester", "ws").unwrap();
    let listing = {
        let conn = connection(&store);
        conn.execute(
            "INSERT INTO channels (name, kind, endpoint, created_at) VALUES ('shop', 'shopify', 'http://127.0.0.1:9', '2026-01-01T00:00:00Z')",
            [],
        )
        .unwrap();
        conn.execute("INSERT INTO allocation_rules (channel) VALUES ('shop')", []).unwrap();
        conn.execute(
            "INSERT INTO listings (channel, sku, location, remote_item) VALUES ('shop', 'GIFT', NULL, 'gid://shopify/InventoryItem/9')",
            [],
        )
        .unwrap();
        conn.last_insert_rowid()
    };
    (dir, store, listing)
}

fn order(cancelled: bool) -> Order {
    let at: DateTime<Utc> = "2026-03-01T10:00:00Z".parse().unwrap();
    Order {
        id: "5001".into(),
        created_at: at,
        updated_at: "2026-03-01T10:00:00.000Z".into(),
        cancelled,
        cancelled_at: cancelled.then_some(at + chrono::Duration::minutes(5)),
        location: None,
        lines: vec![Line { id: "77".into(), item: "sku:GIFT".into(), quantity: 2 }],
        refunds: vec![],
    }
}

/// (kind, sku, qty, reference) of every event after the opening receipts.
fn booked(store: &Store) -> Vec<(String, String, u32, String)> {
    store
        .events(&EventFilter::default())
        .unwrap()
        .into_iter()
        .skip(2)
        .map(|e| {
            let qty = match &e.event.movement {
                Movement::Sale { qty, .. } | Movement::Cancel { qty, .. } => *qty,
                other => panic!("unexpected {other:?}"),
            };
            (
                e.event.movement.kind().to_string(),
                e.event.movement.sku().to_string(),
                qty,
                e.event.reference.clone().unwrap_or_default(),
            )
        })
        .collect()
}

fn atp(store: &Store, sku: &str) -> i64 {
    let rows = store.stock(&shelfsync_store::StockFilter { sku: Some(sku.into()), location: None }).unwrap();
    rows.iter().map(|r| r.atp).sum()
}

#[test]
fn a_kit_sale_books_its_components_once_and_its_cancellation_gives_them_back() {
    let (_dir, store, listing) = setup();
    // 3 kits before the sale (CAP limits): the listing shows them.
    assert_eq!(store.allocation_for(listing).unwrap().qty, 3);

    let report = orders::ingest(&store, "shop", &order(false), Source::Webhook).unwrap();
    assert_eq!((report.recorded, report.unmapped), (2, 0));
    let reference = "shop order 5001 line 77 kit GIFT";
    assert_eq!(
        booked(&store),
        vec![
            ("sale".into(), "CAP".into(), 2, reference.into()),
            ("sale".into(), "MUG".into(), 4, reference.into()),
        ]
    );
    assert_eq!((atp(&store, "MUG"), atp(&store, "CAP")), (6, 1));
    // One kit left (CAP 1); the listing's outbox row follows.
    assert_eq!(store.allocation_for(listing).unwrap().qty, 1);
    let queued: i64 = connection(&store)
        .query_row("SELECT desired_qty FROM outbox WHERE listing_id = ?1", [listing], |r| r.get(0))
        .unwrap();
    assert_eq!(queued, 1);

    // The same order again (the poll after the webhook): nothing new.
    let again = orders::ingest(&store, "shop", &order(false), Source::Poll).unwrap();
    assert_eq!(again.recorded, 0);
    assert_eq!(booked(&store).len(), 2);

    // Cancelled: each component's sale is cancelled by what it booked, once.
    for _ in 0..2 {
        orders::ingest(&store, "shop", &order(true), Source::Poll).unwrap();
    }
    let events = booked(&store);
    assert_eq!(events.len(), 4, "{events:?}");
    assert_eq!(
        &events[2..],
        &[
            ("cancel".to_string(), "CAP".to_string(), 2, reference.to_string()),
            ("cancel".to_string(), "MUG".to_string(), 4, reference.to_string()),
        ]
    );
    assert_eq!((atp(&store, "MUG"), atp(&store, "CAP")), (10, 3));
    assert_eq!(store.allocation_for(listing).unwrap().qty, 3);
}

#[test]
fn a_kit_refund_alone_and_inside_its_order_returns_the_components_once() {
    let (_dir, store, _listing) = setup();
    orders::ingest(&store, "shop", &order(false), Source::Webhook).unwrap();
    // One of the two kits comes back, delivered alone (refunds/create) before the poll.
    let refund = orders::Refund {
        id: "900".into(),
        created_at: Some("2026-03-02T09:00:00Z".parse().unwrap()),
        lines: vec![("77".into(), 1)],
    };
    let alone = orders::ingest_refund(&store, "shop", "5001", &refund).unwrap();
    assert_eq!(alone.recorded, 2);
    assert_eq!((atp(&store, "MUG"), atp(&store, "CAP")), (8, 2));
    // The poll brings the order with the refund inside: the same events, nothing new.
    let mut polled = order(false);
    polled.refunds.push(refund.clone());
    let again = orders::ingest(&store, "shop", &polled, Source::Poll).unwrap();
    assert_eq!(again.recorded, 0, "{again:?}");
    assert_eq!((atp(&store, "MUG"), atp(&store, "CAP")), (8, 2));
    let returns: Vec<String> = store
        .events(&EventFilter::default())
        .unwrap()
        .into_iter()
        .filter(|e| e.event.movement.kind() == "return")
        .map(|e| e.event.reference.unwrap_or_default())
        .collect();
    assert_eq!(returns, vec!["shop order 5001 line 77 refund 900 kit GIFT"; 2]);
    // A refund for a line that was never captured is still refused by name.
    let stray = orders::Refund { id: "901".into(), created_at: None, lines: vec![("78".into(), 1)] };
    let error = orders::ingest_refund(&store, "shop", "5001", &stray).unwrap_err().to_string();
    assert!(error.contains("line 78 is not captured yet"), "{error}");
}
