//! Kits on a real SQLite file: definitions (set, show, remove, import) with every bad input
//! refused in one line and nothing changed, the derived ATP and its limiting component, the
//! ledger refusing a kit's own stock, and a component's change re-queuing a kit's listing.

mod common;

use common::{event, fresh_store, loc, receive, sku};
use shelfsync_core::kit::parse_component;
use shelfsync_core::{KitComponent, Movement};
use shelfsync_store::Store;
use shelfsync_store::testing::connection;

fn parts(list: &[&str]) -> Vec<KitComponent> {
    list.iter().map(|p| parse_component(p).unwrap()).collect()
}

/// Every kit row, the audit chain's length and the outbox: what a refusal must leave alone.
fn fingerprint(store: &Store) -> String {
    let conn = connection(store);
    let kits: Vec<String> = conn
        .prepare("SELECT kit || '/' || component || '/' || qty FROM kit_components ORDER BY kit, component")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let audit: i64 = conn.query_row("SELECT count(*) FROM audit", [], |r| r.get(0)).unwrap();
    let outbox: i64 =
        conn.query_row("SELECT ifnull(sum(desired_qty), -1) FROM outbox", [], |r| r.get(0)).unwrap();
    format!("{kits:?} audit={audit} outbox={outbox}")
}

/// S1 and S2 are components of kit S3 (two S1 and one S2) unless a test says otherwise.
fn with_kit() -> (tempfile::TempDir, Store) {
    let (dir, mut store) = fresh_store();
    store.kit_set("S3", &parts(&["S1:2", "S2:1"]), "tester", "ws-test").unwrap();
    (dir, store)
}

#[test]
fn set_show_and_remove_round_trip() {
    let (_dir, mut store) = with_kit();
    let view = store.kit_show("S3").unwrap();
    assert_eq!(view.components, parts(&["S1:2", "S2:1"]));
    assert_eq!(store.kits_using("S1").unwrap(), vec!["S3".to_string()]);
    // Setting again replaces the whole definition.
    store.kit_set("S3", &parts(&["S2:3"]), "tester", "ws-test").unwrap();
    assert_eq!(store.kit_show("S3").unwrap().components, parts(&["S2:3"]));
    assert!(store.kits_using("S1").unwrap().is_empty());
    store.kit_remove("S3", "tester", "ws-test").unwrap();
    assert!(!store.is_kit("S3").unwrap());
    assert_eq!(store.kit_show("S3").unwrap_err().to_string(), "'S3' is not a kit");
    assert_eq!(store.kit_remove("S3", "tester", "ws-test").unwrap_err().to_string(), "'S3' is not a kit");
}

#[test]
fn bad_definitions_are_refused_in_one_line_and_change_nothing() {
    let (_dir, mut store) = with_kit();
    catalogue_item(&mut store, "HELD");
    catalogue_item(&mut store, "S4");
    store.append(&receive("HELD", "WH1", 1)).unwrap();
    let cases: &[(&str, &[&str], &str)] = &[
        ("NOPE", &["S1:1"], "unknown SKU 'NOPE'"),
        ("S3", &["GHOST:1"], "component 'GHOST' is not an item"),
        ("S3", &["S3:1"], "kit 'S3' cannot be a component of itself"),
        ("S3", &[], "kit 'S3' needs at least one component"),
        ("S3", &["S1:1", "S1:2"], "lists component 'S1' twice"),
        ("S4", &["S3:1"], "component 'S3' is itself a kit"),
        ("S1", &["S2:1"], "'S1' is a component of kit 'S3'"),
        ("HELD", &["S2:1"], "'HELD' holds stock"),
    ];
    for (kit, components, want) in cases {
        let before = fingerprint(&store);
        let error = store.kit_set(kit, &parts(components), "tester", "ws-test").unwrap_err().to_string();
        assert!(error.contains(want), "{kit} {components:?}: {error}");
        assert_eq!(error.lines().count(), 1, "{error}");
        assert_eq!(fingerprint(&store), before, "{kit} {components:?} changed something");
    }
    // Quantities out of range never reach the store as components: core refuses the text.
    for raw in ["S1:0", "S1:1001", "S1:-2", "S1:two"] {
        let error = parse_component(raw).unwrap_err().to_string();
        assert!(error.contains("from 1 to 1000"), "{raw}: {error}");
    }
    // ...and a hand-built component out of range is refused by the store's validation.
    let before = fingerprint(&store);
    let zero = [KitComponent { sku: sku("S1"), qty: 0 }];
    assert!(store.kit_set("S3", &zero, "t", "w").unwrap_err().to_string().contains("from 1 to 1000"));
    assert_eq!(fingerprint(&store), before);
}

fn catalogue_item(store: &mut Store, code: &str) {
    let item = shelfsync_core::Item {
        sku: sku(code),
        name: code.into(),
        unit_cost_cents: 100,
        category: "test".into(),
        safety_stock: 0,
    };
    store.upsert_items(&[shelfsync_store::ItemRecord { item, barcodes: vec![] }]).unwrap();
}

#[test]
fn kit_import_is_all_or_nothing_with_line_numbers() {
    let (_dir, mut store) = fresh_store();
    catalogue_item(&mut store, "S4");
    let good = "kit,component,qty\nS3,S1,2\nS3,S2,1\n";
    assert_eq!(store.import_kits(good.as_bytes(), "tester", "ws-test").unwrap().rows, 2);
    assert_eq!(store.kit_show("S3").unwrap().components, parts(&["S1:2", "S2:1"]));
    let cases = [
        ("kit,component,qty\nS3,S1,1\nS3,GHOST,1\n", "line 3: component 'GHOST' is not an item"),
        (
            "kit,component,qty\nS3,S1,0\n",
            "line 2: component 'S1': qty '0' must be a whole number from 1 to 1000",
        ),
        ("kit,component,qty\nS3,S1,1001\n", "line 2: component 'S1': qty '1001'"),
        ("kit,component,qty\nS3,S1,1\nS3,S3,1\n", "line 3: kit 'S3' cannot be a component of itself"),
        ("kit,component,qty\nS4,S3,1\n", "line 2: component 'S3' is itself a kit"),
        ("kit,component,qty\nS3,S1,1\nS1,S2,1\n", "line 3: 'S1' is a component of kit 'S3'"),
        ("kit,component,qty\nS3,S1,1\nS3,S1,1\n", "line 3: kit 'S3' lists component 'S1' twice"),
        ("kit,qty\nS3,1\n", "missing column(s) component"),
    ];
    for (csv, want) in cases {
        let before = fingerprint(&store);
        let error = store.import_kits(csv.as_bytes(), "tester", "ws-test").unwrap_err().to_string();
        assert!(error.starts_with(want) || error.contains(want), "{csv:?}: {error}");
        assert_eq!(error.lines().count(), 1, "{error}");
        assert_eq!(fingerprint(&store), before, "{csv:?} changed something");
    }
    // A file naming a kit defines it afresh: the rows are its whole definition.
    store.import_kits("kit,component,qty\nS3,S2,4\n".as_bytes(), "tester", "ws-test").unwrap();
    assert_eq!(store.kit_show("S3").unwrap().components, parts(&["S2:4"]));
}

#[test]
fn kit_atp_per_location_is_the_scarcest_component() {
    let (_dir, mut store) = with_kit();
    // (S1, S2) received per location; the kit needs 2 x S1 and 1 x S2.
    for (s, l, q) in
        [("S1", "WH1", 7), ("S2", "WH1", 5), ("S1", "WH2", 10), ("S2", "WH2", 2), ("S1", "WH3", 1)]
    {
        store.append(&receive(s, l, q)).unwrap();
    }
    store.append(&event(Movement::Reserve { sku: sku("S1"), location: loc("WH1"), qty: 1 })).unwrap();
    let rows = store.kit_stock("S3", None).unwrap();
    let got: Vec<(&str, i64, Option<&str>)> =
        rows.iter().map(|r| (r.location.as_str(), r.atp, r.limiting_component.as_deref())).collect();
    // WH1: S1 6/2 = 3, S2 5 -> 3 by S1. WH2: S1 5, S2 2 -> 2 by S2. WH3: S2 none -> 0 by S1 (1/2).
    assert_eq!(got, vec![("WH1", 3, Some("S1")), ("WH2", 2, Some("S2")), ("WH3", 0, Some("S1"))]);
    assert!(rows.iter().all(|r| r.kit && r.on_hand == 0));
    assert_eq!(store.kit_stock("S3", Some("WH2")).unwrap().len(), 1);
    assert_eq!(store.kit_stock("S1", None).unwrap_err().to_string(), "'S1' is not a kit");
}

#[test]
fn the_ledger_refuses_stock_of_a_kit_and_says_what_to_do() {
    let (_dir, mut store) = with_kit();
    let cases = [
        (
            Movement::Receive { sku: sku("S3"), location: loc("WH1"), qty: 1 },
            "'S3' is a kit: receive its components",
        ),
        (
            Movement::Adjust { sku: sku("S3"), location: loc("WH1"), delta: 1 },
            "'S3' is a kit: count its components",
        ),
        (
            Movement::CountPosting {
                sku: sku("S3"),
                location: loc("WH1"),
                session: "s".into(),
                counted: 1,
                expected: 0,
            },
            "'S3' is a kit: count its components",
        ),
        (
            Movement::Sale { sku: sku("S3"), location: loc("WH1"), qty: 1 },
            "'S3' is a kit: book its components",
        ),
    ];
    for (movement, want) in cases {
        let before = (fingerprint(&store), store.event_count().unwrap());
        let error = store.append(&event(movement.clone()).with_reason("found")).unwrap_err().to_string();
        assert!(error.starts_with(want), "{movement:?}: {error}");
        assert_eq!((fingerprint(&store), store.event_count().unwrap()), before);
    }
    // Its components take stock as usual.
    store.append(&receive("S1", "WH1", 1)).unwrap();
}

#[test]
fn a_kit_movement_made_here_is_booked_on_its_components_once() {
    let (_dir, mut store) = with_kit();
    store.append(&receive("S1", "WH1", 10)).unwrap();
    store.append(&receive("S2", "WH1", 10)).unwrap();
    let sale = event(Movement::Sale { sku: sku("S3"), location: loc("WH1"), qty: 3 }).with_reference("PO-1");
    let booked = store.append_kit(&sale).unwrap();
    let got: Vec<(String, i64, Option<String>)> = booked
        .iter()
        .map(|(e, _)| (e.movement.sku().to_string(), e.deltas()[0].amount, e.reference.clone()))
        .collect();
    let reference = Some("PO-1 (kit S3 x3)".to_string());
    assert_eq!(got, vec![("S1".into(), 6, reference.clone()), ("S2".into(), 3, reference)]);
    // The same kit event again (a retry) books nothing new.
    let count = store.event_count().unwrap();
    let again = store.append_kit(&sale).unwrap();
    assert!(again.iter().all(|(_, o)| matches!(o, shelfsync_store::AppendOutcome::Duplicate { .. })));
    assert_eq!(store.event_count().unwrap(), count);
    assert_eq!(store.kit_stock("S3", Some("WH1")).unwrap()[0].atp, 2, "S1 4 / 2 = 2 kits");
    // What is not a commercial movement stays refused, and a plain item is not a kit.
    let before = (fingerprint(&store), store.event_count().unwrap());
    let receipt = event(Movement::Receive { sku: sku("S3"), location: loc("WH1"), qty: 1 });
    assert!(store.append_kit(&receipt).unwrap_err().to_string().starts_with("'S3' is a kit: receive"));
    let plain = event(Movement::Sale { sku: sku("S1"), location: loc("WH1"), qty: 1 });
    assert_eq!(store.append_kit(&plain).unwrap_err().to_string(), "'S1' is not a kit");
    let huge = event(Movement::Sale { sku: sku("S3"), location: loc("WH1"), qty: 600_000 });
    assert!(
        store.append_kit(&huge).unwrap_err().to_string().contains("quantity must be between 1 and 1000000")
    );
    assert_eq!((fingerprint(&store), store.event_count().unwrap()), before);
}

#[test]
fn a_kit_with_a_lot_tracked_component_is_picked_first_expiry_first() {
    use shelfsync_core::{LotKind, LotTag, Tracking};
    use shelfsync_store::By;
    let (_dir, mut store) = with_kit();
    store.set_tracking(By::new("tester", "ws-test"), "S1", Tracking::Lot).unwrap();
    let lot = |code: &str, expiry: &str| {
        Some(
            LotTag::new(
                LotKind::Lot,
                code,
                Some(chrono::NaiveDate::parse_from_str(expiry, "%Y-%m-%d").unwrap()),
            )
            .unwrap(),
        )
    };
    store.append(&receive("S1", "WH1", 3).with_lot(lot("LATE", "2027-06-30"))).unwrap();
    store.append(&receive("S1", "WH1", 3).with_lot(lot("SOON", "2027-01-31"))).unwrap();
    store.append(&receive("S2", "WH1", 10)).unwrap();
    // Two kits sold, then picked: 4 of S1 (SOON's 3, then 1 of LATE) and 2 of S2.
    store.append_kit(&event(Movement::Sale { sku: sku("S3"), location: loc("WH1"), qty: 2 })).unwrap();
    let pick = event(Movement::Fulfil { sku: sku("S3"), location: loc("WH1"), qty: 2 });
    let booked = store.append_kit(&pick).unwrap();
    let got: Vec<(String, Option<String>, i64)> = booked
        .iter()
        .map(|(e, _)| {
            (e.movement.sku().to_string(), e.lot.as_ref().map(|l| l.code.clone()), e.deltas()[0].amount)
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("S1".into(), Some("SOON".into()), -3),
            ("S1".into(), Some("LATE".into()), -1),
            ("S2".into(), None, -2)
        ]
    );
    // A retry books nothing and names the same lots.
    let count = store.event_count().unwrap();
    let again = store.append_kit(&pick).unwrap();
    assert!(again.iter().all(|(_, o)| matches!(o, shelfsync_store::AppendOutcome::Duplicate { .. })));
    assert_eq!(
        again.iter().map(|(e, _)| e.id).collect::<Vec<_>>(),
        booked.iter().map(|(e, _)| e.id).collect::<Vec<_>>()
    );
    assert_eq!(store.event_count().unwrap(), count);
    let lots: Vec<(String, i64)> = store
        .lot_rows("S1", Some("WH1"))
        .unwrap()
        .into_iter()
        .map(|r| (r.stock.lot, r.stock.on_hand))
        .collect();
    assert_eq!(lots, vec![("LATE".into(), 2)]);
    // More kits than the lots hold: refused whole, nothing booked.
    store.append_kit(&event(Movement::Sale { sku: sku("S3"), location: loc("WH1"), qty: 2 })).unwrap();
    let before = (fingerprint(&store), store.event_count().unwrap());
    let short = store.append_kit(&event(Movement::Fulfil { sku: sku("S3"), location: loc("WH1"), qty: 2 }));
    assert_eq!(
        short.unwrap_err().to_string(),
        "kit component 'S1' at WH1: its lots hold 2 of the 4 units the kit needs; receive or count its lots first"
    );
    assert_eq!((fingerprint(&store), store.event_count().unwrap()), before);
    assert!(store.lots_match_rebuild().unwrap());
}

/// A channel and one listing per SKU at WH1, straight into the channel tables.
fn list_on_channel(store: &Store, skus: &[&str]) -> Vec<i64> {
    let conn = connection(store);
    conn.execute(
        "INSERT INTO channels (name, kind, endpoint, created_at) VALUES ('shop', 'shopify', 'http://127.0.0.1:9', '2026-01-01T00:00:00Z')",
        [],
    )
    .unwrap();
    conn.execute("INSERT INTO allocation_rules (channel) VALUES ('shop')", []).unwrap();
    skus.iter()
        .map(|s| {
            conn.execute(
                "INSERT INTO listings (channel, sku, location, remote_item) VALUES ('shop', ?1, 'WH1', ?2)",
                [*s, &format!("gid://shopify/InventoryItem/{s}")],
            )
            .unwrap();
            conn.last_insert_rowid()
        })
        .collect()
}

fn queued(store: &Store, listing: i64) -> Option<i64> {
    connection(store)
        .query_row("SELECT desired_qty FROM outbox WHERE listing_id = ?1", [listing], |r| r.get(0))
        .ok()
}

#[test]
fn a_component_change_requeues_the_kit_listing_with_the_derived_quantity() {
    let (_dir, mut store) = with_kit();
    let ids = list_on_channel(&store, &["S3"]);
    let kit_listing = ids[0];
    store.append(&receive("S1", "WH1", 10)).unwrap();
    // S2 has no stock yet: the kit allocates 0 (nothing queued differs from unknown -> a row).
    assert_eq!(store.allocation_for(kit_listing).unwrap().qty, 0);
    store.append(&receive("S2", "WH1", 4)).unwrap();
    assert_eq!(queued(&store, kit_listing), Some(4), "S2 limits: 4 kits");
    store.append(&event(Movement::Sale { sku: sku("S1"), location: loc("WH1"), qty: 5 })).unwrap();
    assert_eq!(queued(&store, kit_listing), Some(2), "S1 now limits: 5 / 2 = 2 kits");
    let allocation = store.allocation_for(kit_listing).unwrap();
    assert_eq!((allocation.pool, allocation.locations[0].location.as_str()), (2, "WH1"));
    // Reconciliation's bulk expectations derive the same pool.
    let pools = shelfsync_store::channels::listings::feeding_atp(&store, "shop").unwrap();
    assert_eq!(pools.get(&kit_listing), Some(&2));
    // `sync explain` shows the derivation down to the limiting component, and so does the row.
    let kit = allocation.kit.expect("a kit listing's allocation carries its derivation");
    assert_eq!((kit[0].atp, kit[0].limiting_component.as_deref()), (2, Some("S1")));
    let derivation: String = connection(&store)
        .query_row("SELECT derivation FROM outbox WHERE listing_id = ?1", [kit_listing], |r| r.get(0))
        .unwrap();
    assert!(derivation.contains(r#""limiting_component":"S1""#), "{derivation}");
    // An item's allocation has no kit part, and an allocation stored before kits still reads.
    let old: shelfsync_store::Allocation = serde_json::from_str(
        r#"{"locations":[],"pool":0,"safety_stock":0,"percent":100,"after_percent":0,"buffer":0,"cap":null,"channel_adjustment":0,"qty":0}"#,
    )
    .unwrap();
    assert!(old.kit.is_none());
    // Redefining the kit re-queues its listing too; removing it leaves the kit's own stock (none).
    store.kit_set("S3", &parts(&["S2:1"]), "tester", "ws-test").unwrap();
    assert_eq!(queued(&store, kit_listing), Some(4));
    store.kit_remove("S3", "tester", "ws-test").unwrap();
    assert_eq!(queued(&store, kit_listing), Some(0));
}
