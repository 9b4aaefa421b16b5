//! Packs on a real SQLite file: the import (all or nothing, every bad file refused in one line
//! naming its row, nothing changed), resolving a code to units, a pack scan in a count booking
//! its qty units, and the rules that keep one code to one meaning (item barcodes, SKUs, kits).

mod common;

use common::{fresh_store, sku};
use shelfsync_core::{Barcode, Item, KitComponent, Role};
use shelfsync_store::testing::connection;
use shelfsync_store::{By, CountScope, ItemRecord, Pack, Store, StoreError};

/// S1's own barcode (a GTIN-13); its case of 12 and its pallet of 480 (GTIN-14s).
const S1_GTIN: &str = "4006381333931";
const S1_CASE: &str = "14006381333938";
const S1_PALLET: &str = "24006381333935";

/// S1 carries its GTIN; S2 an internal barcode.
fn store_with_barcodes() -> (tempfile::TempDir, Store) {
    let (dir, mut store) = fresh_store();
    let record = |s: &str, code: &str| ItemRecord {
        item: Item {
            sku: sku(s),
            name: format!("item {s}"),
            unit_cost_cents: 250,
            category: "test".into(),
            safety_stock: 0,
        },
        barcodes: vec![Barcode::classify(code).unwrap()],
    };
    store.upsert_items(&[record("S1", S1_GTIN), record("S2", "S2-EACH")]).unwrap();
    (dir, store)
}

fn import(store: &mut Store, csv: &str) -> Result<usize, StoreError> {
    store.import_packs(csv.as_bytes(), "tester", "ws-test").map(|s| s.rows)
}

/// Every pack row, every item barcode and the audit chain's length: what a refusal leaves alone.
fn fingerprint(store: &Store) -> String {
    let conn = connection(store);
    let rows = |sql: &str| -> Vec<String> {
        conn.prepare(sql).unwrap().query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    let packs = rows("SELECT barcode || '/' || sku || '/' || qty FROM packs ORDER BY barcode");
    let barcodes = rows("SELECT code || '/' || sku FROM barcodes ORDER BY code");
    let audit: i64 = conn.query_row("SELECT count(*) FROM audit", [], |r| r.get(0)).unwrap();
    format!("{packs:?} {barcodes:?} audit={audit}")
}

const GOOD: &str = "barcode,sku,qty\n14006381333938,S1,12\n24006381333935,S1,480\nS2-6PK,S2,6\n";

#[test]
fn a_good_file_imports_lists_and_is_audited() {
    let (_dir, mut store) = store_with_barcodes();
    assert_eq!(import(&mut store, GOOD).unwrap(), 3);
    let pack = |barcode: &str, s: &str, qty| Pack { barcode: barcode.into(), sku: s.into(), qty };
    assert_eq!(
        store.packs(None).unwrap(),
        vec![pack(S1_CASE, "S1", 12), pack(S1_PALLET, "S1", 480), pack("S2-6PK", "S2", 6)]
    );
    assert_eq!(store.packs(Some("S2")).unwrap(), vec![pack("S2-6PK", "S2", 6)]);
    let audit: (String, String, String) = connection(&store)
        .query_row("SELECT action, subject, detail FROM audit ORDER BY seq DESC LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(audit, ("import.packs".into(), "packs".into(), r#"{"rows":3}"#.into()));
    // Importing again sets the same item's pack quantity; nothing else moves.
    assert_eq!(import(&mut store, "barcode,sku,qty\n14006381333938,S1,24\n").unwrap(), 1);
    assert_eq!(store.packs(Some("S1")).unwrap()[0], pack(S1_CASE, "S1", 24));
}

#[test]
fn bad_files_are_refused_by_their_line_and_change_nothing() {
    let (_dir, mut store) = store_with_barcodes();
    import(&mut store, GOOD).unwrap();
    store.kit_set("S3", &[KitComponent { sku: sku("S1"), qty: 2 }], "tester", "ws-test").unwrap();
    let before = fingerprint(&store);
    let head = "barcode,sku,qty\nS1-2PK,S1,2\n";
    // (case, the file's rows after a good line 2, the error)
    let cases: &[(&str, &str, &str)] = &[
        ("qty zero", "S1-3PK,S1,0", "line 3: qty '0' must be a whole number of units from 1 to 100000"),
        ("qty negative", "S1-3PK,S1,-4", "line 3: qty '-4' must be a whole number of units from 1 to 100000"),
        (
            "qty too big",
            "S1-3PK,S1,100001",
            "line 3: qty '100001' must be a whole number of units from 1 to 100000",
        ),
        (
            "qty a word",
            "S1-3PK,S1,twelve",
            "line 3: qty 'twelve' must be a whole number of units from 1 to 100000",
        ),
        ("unknown sku", "S1-3PK,NOPE,3", "line 3: unknown SKU 'NOPE'"),
        (
            "duplicate in the file",
            "S1-3PK,S1,3\nS1-3PK,S1,4",
            "line 4: barcode 'S1-3PK' is already on line 3 of this file",
        ),
        (
            "another item's pack",
            "S2-6PK,S1,6",
            "line 3: barcode 'S2-6PK' is already a pack of 6 x SKU 'S2' (remove it first); a pack needs a barcode of its own",
        ),
        (
            "an item barcode (as scanned)",
            "4006381333931,S1,6",
            "line 3: barcode '04006381333931' is already an item barcode of SKU 'S1' (one unit); a pack needs a barcode of its own",
        ),
        (
            "an internal item barcode",
            "S2-EACH,S2,6",
            "line 3: barcode 'S2-EACH' is already an item barcode of SKU 'S2' (one unit); a pack needs a barcode of its own",
        ),
        ("a SKU", "S2,S1,6", "line 3: barcode 'S2' is already a SKU; a pack needs a barcode of its own"),
        (
            "a kit",
            "S3-2PK,S3,2",
            "line 3: 'S3' is a kit: a pack holds units of one item, so give its components packs",
        ),
        ("a GTIN with a wrong check digit", "14006381333939,S1,6", "line 3: invalid GTIN '14006381333939'"),
        ("a missing field", "S1-3PK,S1", "line 3: expected 3 fields, found 2"),
    ];
    for (case, rows, want) in cases {
        let error = import(&mut store, &format!("{head}{rows}\n")).unwrap_err().to_string();
        assert!(error.starts_with(want), "{case}: {error}");
        assert_eq!(fingerprint(&store), before, "{case}: nothing changed");
    }
    let headers: &[(&str, &str)] = &[
        (
            "sku,barcode,count\nS1-3PK,S1,3\n",
            "cannot read CSV: missing column(s) qty; expected header: barcode,sku,qty",
        ),
        (
            "code,sku,qty\nS1-3PK,S1,3\n",
            "cannot read CSV: missing column(s) barcode; expected header: barcode,sku,qty",
        ),
        ("", "cannot read CSV: missing column(s) barcode, sku, qty; expected header: barcode,sku,qty"),
    ];
    for (file, want) in headers {
        assert_eq!(import(&mut store, file).unwrap_err().to_string(), *want, "{file:?}");
        assert_eq!(fingerprint(&store), before, "{file:?}: nothing changed");
    }
}

#[test]
fn codes_resolve_to_units() {
    let (_dir, mut store) = store_with_barcodes();
    import(&mut store, GOOD).unwrap();
    // (code as scanned or typed, SKU, units, pack)
    let cases: &[(&str, &str, u32, Option<&str>)] = &[
        ("S1", "S1", 1, None),
        (S1_GTIN, "S1", 1, None),
        ("04006381333931", "S1", 1, None),
        ("S2-EACH", "S2", 1, None),
        (S1_CASE, "S1", 12, Some(S1_CASE)),
        (S1_PALLET, "S1", 480, Some(S1_PALLET)),
        ("S2-6PK", "S2", 6, Some("S2-6PK")),
    ];
    for (code, want_sku, units, pack) in cases {
        let resolved = store.resolve_units(code).unwrap();
        assert_eq!(
            (resolved.sku.as_str(), resolved.units, resolved.pack.as_deref()),
            (*want_sku, *units, *pack),
            "{code}"
        );
    }
    assert_eq!(store.resolve_units("NOPE").unwrap_err().to_string(), "unknown barcode 'NOPE'");
    // The items-only look-up does not take a pack for one unit.
    assert_eq!(store.resolve_code(S1_CASE).unwrap_err().to_string(), format!("unknown barcode '{S1_CASE}'"));
    // Removed: the barcode means nothing any more, and the removal is audited.
    let removed = store.remove_pack(By::new("tester", "ws-test"), "S2-6PK").unwrap();
    assert_eq!(removed, Pack { barcode: "S2-6PK".into(), sku: "S2".into(), qty: 6 });
    assert!(matches!(store.resolve_units("S2-6PK"), Err(StoreError::UnknownBarcode(_))));
    let before = fingerprint(&store);
    assert_eq!(
        store.remove_pack(By::new("tester", "ws-test"), "S2-6PK").unwrap_err().to_string(),
        "no pack has barcode 'S2-6PK'"
    );
    assert_eq!(fingerprint(&store), before);
    let action: String = connection(&store)
        .query_row("SELECT action FROM audit ORDER BY seq DESC LIMIT 1", [], |r| r.get(0))
        .unwrap();
    assert_eq!(action, "pack.remove");
}

#[test]
fn one_code_one_meaning_from_the_other_side() {
    let (_dir, mut store) = store_with_barcodes();
    import(&mut store, GOOD).unwrap();
    let before = fingerprint(&store);
    // An item import may not give an item a pack's barcode.
    let items = "sku,name,unit_cost,category,safety_stock,barcodes\nS2,item S2,2.50,test,0,14006381333938\n";
    assert_eq!(
        store.import_items(items.as_bytes(), "tester", "ws-test").unwrap_err().to_string(),
        "line 2: barcode '14006381333938' is a pack of 12 x SKU 'S1'; an item barcode is one unit"
    );
    // An item with packs may not become a kit.
    assert_eq!(
        store
            .kit_set("S1", &[KitComponent { sku: sku("S2"), qty: 1 }], "tester", "ws-test")
            .unwrap_err()
            .to_string(),
        "'S1' has packs: remove them (pack remove BARCODE) before making it a kit"
    );
    assert_eq!(fingerprint(&store), before);
}

#[test]
fn a_pack_scan_in_a_count_counts_its_units() {
    let (_dir, mut store) = store_with_barcodes();
    import(&mut store, GOOD).unwrap();
    let admin = store.add_user("ada", Role::Admin, "1111", None, "ws").unwrap();
    store.kit_set("S3", &[KitComponent { sku: sku("S2"), qty: 2 }], "tester", "ws-test").unwrap();
    let scope = |skus: &[&str]| CountScope {
        location: "WH1".into(),
        skus: skus.iter().map(|s| s.to_string()).collect(),
        ..CountScope::default()
    };
    let session = store.start_count(&scope(&["S1", "S2"]), false, false, &admin, "ws").unwrap();
    // (code, scans, replace, S1's count after, S2's count after)
    let scans: &[(&str, i64, bool, i64, i64)] = &[
        (S1_CASE, 2, false, 24, 0),
        (S1_GTIN, 1, false, 25, 0),
        ("S2-6PK", 1, false, 25, 6),
        (S1_PALLET, 1, true, 480, 6),
        ("S2", 3, false, 480, 9),
    ];
    for (code, qty, replace, s1, s2) in scans {
        store.count_scan(&session, code, *qty, *replace, &admin, "ws").unwrap();
        let view = store.count_session(&session, true).unwrap();
        let counted = |s: &str| view.lines.iter().find(|l| l.sku == s).map_or(0, |l| l.counted);
        assert_eq!((counted("S1"), counted("S2")), (*s1, *s2), "after {code} x{qty}");
    }
    // A pack's units past one event's limit are refused, not clipped.
    assert_eq!(
        store.count_scan(&session, S1_PALLET, 5_000, false, &admin, "ws").unwrap_err().to_string(),
        "5000 scans of a pack of 480 is more than 1000000 units in one line: book it in parts"
    );
    // A kit is refused when its count starts, not later.
    assert_eq!(
        store.start_count(&scope(&["S1", "S3"]), false, false, &admin, "ws").unwrap_err().to_string(),
        "'S3' is a kit: count its components (a kit holds no stock of its own)"
    );
}
