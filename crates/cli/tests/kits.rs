//! `shelfsync kit ...`, `import kits` and `stock KIT` through the real binary: the forms work,
//! the JSON carries the kit's derived ATP and its limiting component, and every bad input is one
//! `error:` line with the database unchanged.

mod support;

use std::path::Path;

use support::{json, ok, shelfsync, write};

/// Everything a kit command could change, read through the CLI itself.
fn fingerprint(db: &Path) -> String {
    let show = shelfsync(db, &["kit", "show", "GIFT", "--json"], &[]);
    let stock = ok(db, &["stock", "--json"], &[]);
    let events = ok(db, &["events", "--json"], &[]);
    format!("{}{stock}{events}", String::from_utf8_lossy(&show.stdout))
}

/// Two locations, a mug, a cap and a gift set made of two mugs and a cap; stock of the parts.
fn setup(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("kits.db");
    ok(&db, &["init"], &[]);
    let files = [
        ("locations", write(dir, "l.csv", "code,name\nWH1,Main\nWH2,Back\n")),
        (
            "items",
            write(
                dir,
                "i.csv",
                "sku,name,unit_cost,category,safety_stock,barcodes\nMUG,Mug,2.00,home,0,\nCAP,Cap,5.00,home,0,\nGIFT,Gift set,9.00,home,0,\nBOX,Box,1.00,home,0,\n",
            ),
        ),
        ("stock", write(dir, "s.csv", "sku,location,qty\nMUG,WH1,7\nCAP,WH1,5\nCAP,WH2,3\n")),
    ];
    for (kind, file) in &files {
        ok(&db, &["import", kind, file], &[]);
    }
    ok(&db, &["kit", "set", "GIFT", "--component", "MUG:2", "--component", "CAP:1"], &[]);
    db
}

#[test]
fn a_kit_is_defined_shown_stocked_and_removed() {
    let dir = tempfile::tempdir().unwrap();
    let db = setup(dir.path());
    let shown = json(&db, &["kit", "show", "GIFT"]);
    assert_eq!(shown["kit"], "GIFT");
    let parts: Vec<(String, u64)> = shown["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["sku"].as_str().unwrap().to_string(), c["qty"].as_u64().unwrap()))
        .collect();
    assert_eq!(parts, vec![("CAP".to_string(), 1), ("MUG".to_string(), 2)]);

    // WH1: MUG 7 / 2 = 3, CAP 5 -> 3 limited by MUG; WH2: no MUG -> 0, limited by MUG.
    let stock = json(&db, &["stock", "GIFT"]);
    let rows: Vec<(&str, i64, bool, &str)> = stock
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["location"].as_str().unwrap(),
                r["atp"].as_i64().unwrap(),
                r["kit"].as_bool().unwrap(),
                r["limiting_component"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(rows, vec![("WH1", 3, true, "MUG"), ("WH2", 0, true, "MUG")]);
    // The stock rows' fields are all there: a kit's own buckets are zero.
    assert_eq!(stock[0]["on_hand"], 0);
    // A component's sale lowers the kit at once.
    ok(&db, &["sale", "CAP", "4", "--location", "WH1"], &[]);
    assert_eq!(json(&db, &["stock", "GIFT", "--location", "WH1"])[0]["atp"], 1);
    assert_eq!(json(&db, &["stock", "GIFT", "--location", "WH1"])[0]["limiting_component"], "CAP");
    // Plain items print as before.
    assert!(json(&db, &["stock", "MUG"])[0].get("kit").is_none());

    let removed = json(&db, &["kit", "remove", "GIFT"]);
    assert_eq!(removed["removed"], true);
    let out = shelfsync(&db, &["kit", "show", "GIFT"], &[]);
    assert_eq!(String::from_utf8_lossy(&out.stderr).trim(), "error: 'GIFT' is not a kit");
}

#[test]
fn kits_import_from_csv() {
    let dir = tempfile::tempdir().unwrap();
    let db = setup(dir.path());
    let file = write(dir.path(), "k.csv", "kit,component,qty\nGIFT,CAP,3\nBOX,MUG,1\n");
    let out = json(&db, &["import", "kits", file.as_str()]);
    assert_eq!((out["imported"].as_str(), out["rows"].as_u64()), (Some("kits"), Some(2)));
    assert_eq!(json(&db, &["kit", "show", "GIFT"])["components"][0]["qty"], 3);
    assert_eq!(json(&db, &["kit", "show", "BOX"])["components"][0]["sku"], "MUG");
}

#[test]
fn bad_kit_input_is_one_line_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = setup(dir.path());
    let d = dir.path();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            args(&["kit", "set", "GIFT", "--component", "MUG:0"]),
            "component 'MUG': qty '0' must be a whole number from 1 to 1000",
        ),
        (
            args(&["kit", "set", "GIFT", "--component", "MUG:1001"]),
            "qty '1001' must be a whole number from 1 to 1000",
        ),
        (args(&["kit", "set", "GIFT", "--component", "MUG"]), "'MUG' is not SKU:QTY"),
        (args(&["kit", "set", "GIFT", "--component", "NOPE:1"]), "component 'NOPE' is not an item"),
        (
            args(&["kit", "set", "GIFT", "--component", "GIFT:1"]),
            "kit 'GIFT' cannot be a component of itself",
        ),
        (args(&["kit", "set", "BOX", "--component", "GIFT:1"]), "component 'GIFT' is itself a kit"),
        (args(&["kit", "set", "MUG", "--component", "CAP:1"]), "'MUG' is a component of kit 'GIFT'"),
        (args(&["kit", "set", "NOPE", "--component", "CAP:1"]), "unknown SKU 'NOPE'"),
        (args(&["kit", "remove", "MUG"]), "'MUG' is not a kit"),
        (args(&["receive", "GIFT", "1", "--location", "WH1"]), "'GIFT' is a kit: receive its components"),
        (
            args(&["adjust", "GIFT", "1", "--location", "WH1", "--reason", "found"]),
            "'GIFT' is a kit: count its components",
        ),
        (
            args(&["transfer", "GIFT", "1", "--from", "WH1", "--to", "WH2"]),
            "'GIFT' is a kit: book its components",
        ),
        (args(&["sale", "GIFT", "0", "--location", "WH1"]), "quantity must be between 1 and 1000000, got 0"),
        (
            args(&["sale", "GIFT", "600000", "--location", "WH1"]),
            "quantity must be between 1 and 1000000, got 1200000",
        ),
        (
            vec![
                "import".into(),
                "kits".into(),
                write(d, "bad.csv", "kit,component,qty\nGIFT,MUG,1\nGIFT,GIFT,1\n"),
            ],
            "line 3: kit 'GIFT' cannot be a component of itself",
        ),
        (
            vec!["import".into(), "kits".into(), write(d, "bad2.csv", "kit,component,qty\nBOX,MUG,0\n")],
            "line 2: component 'MUG': qty '0'",
        ),
    ];
    for (command, want) in cases {
        let command: Vec<&str> = command.iter().map(String::as_str).collect();
        let before = fingerprint(&db);
        let out = shelfsync(&db, &command, &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{command:?} succeeded");
        assert!(stderr.starts_with("error: ") && stderr.contains(want), "{command:?}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{command:?}: {stderr}");
        assert_eq!(fingerprint(&db), before, "{command:?} changed the database");
    }
}

#[test]
fn selling_reserving_and_cancelling_a_kit_books_its_components() {
    let dir = tempfile::tempdir().unwrap();
    let db = setup(dir.path());
    let sold = json(&db, &["sale", "GIFT", "2", "--location", "WH1", "--reference", "PO-7"]);
    let events = sold["events"].as_array().unwrap();
    let skus: Vec<&str> = events.iter().map(|e| e["sku"].as_str().unwrap()).collect();
    assert_eq!(skus, vec!["CAP", "MUG"]);
    let log = json(&db, &["events", "--limit", "2"]);
    let booked: Vec<(&str, &str, i64, &str)> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap(),
                e["sku"].as_str().unwrap(),
                e["qty"].as_i64().unwrap(),
                e["reference"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        booked,
        vec![("sale", "CAP", 2, "PO-7 (kit GIFT x2)"), ("sale", "MUG", 4, "PO-7 (kit GIFT x2)")]
    );
    // MUG 7 - 4 = 3 -> 1 kit; CAP 5 - 2 = 3.
    assert_eq!(json(&db, &["stock", "GIFT", "--location", "WH1"])[0]["atp"], 1);
    ok(&db, &["reserve", "GIFT", "1", "--location", "WH1"], &[]);
    assert_eq!(json(&db, &["stock", "GIFT", "--location", "WH1"])[0]["atp"], 0);
    ok(&db, &["release", "GIFT", "1", "--location", "WH1"], &[]);
    ok(&db, &["cancel", "GIFT", "2", "--location", "WH1"], &[]);
    assert_eq!(json(&db, &["stock", "GIFT", "--location", "WH1"])[0]["atp"], 3);
    let mug = json(&db, &["stock", "MUG", "--location", "WH1"]);
    assert_eq!((mug[0]["committed"].as_i64(), mug[0]["reserved"].as_i64()), (Some(0), Some(0)));
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// `sync explain` in words names the kit's derivation down to its limiting component, per
/// location (the JSON has it as `now.kit`).
#[test]
fn sync_explain_names_a_kit_listings_limiting_component() {
    let dir = tempfile::tempdir().unwrap();
    let db = setup(dir.path());
    {
        let store = shelfsync_store::Store::open(&db).unwrap();
        let conn = shelfsync_store::testing::connection(&store);
        conn.execute(
            "INSERT INTO channels (name, kind, endpoint, created_at) VALUES ('shop', 'shopify', 'http://127.0.0.1:9', '2026-01-01T00:00:00Z')",
            [],
        )
        .unwrap();
        conn.execute("INSERT INTO allocation_rules (channel) VALUES ('shop')", []).unwrap();
        conn.execute(
            "INSERT INTO listings (channel, sku, location, remote_item) VALUES ('shop', 'GIFT', 'WH1', 'gid://shopify/InventoryItem/9')",
            [],
        )
        .unwrap();
    }
    let words = ok(&db, &["sync", "explain", "GIFT", "--channel", "shop"], &[]);
    assert!(words.contains("GIFT at WH1 on shop: push 3"), "{words}");
    assert!(words.contains("kit at WH1: 3 whole kits, limited by MUG"), "{words}");
}
