//! The ledger commands doing their job, end to end through the binary on a real file.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn ok(db: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_shelfsync")).arg("--db").arg(db).args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn json(db: &Path, args: &[&str]) -> Value {
    serde_json::from_str(&ok(db, args)).unwrap()
}

fn row<'a>(stock: &'a Value, location: &str) -> &'a Value {
    stock.as_array().unwrap().iter().find(|r| r["location"] == location).unwrap()
}

#[test]
fn demo_loads_a_realistic_catalogue_that_checks_out() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let loaded = json(&db, &["demo", "--json"]);
    assert_eq!(loaded["skus"], 1000);
    assert!(loaded["events"].as_u64().unwrap() > 10_000, "two weeks of history: {loaded}");
    let stock = json(&db, &["stock", "--json"]);
    let skus: std::collections::HashSet<&str> =
        stock.as_array().unwrap().iter().map(|r| r["sku"].as_str().unwrap()).collect();
    assert_eq!(skus.len(), 1000);
    let locations: std::collections::HashSet<&str> =
        stock.as_array().unwrap().iter().map(|r| r["location"].as_str().unwrap()).collect();
    assert_eq!(locations.len(), 3);
    ok(&db, &["check"]);
    ok(&db, &["audit", "verify"]);
    // A demo GTIN resolves through the scan layer to a 14-digit GTIN.
    let parsed: Value = serde_json::from_str(&ok(&db, &["scan", "parse", "]E05901230000011"])).unwrap();
    assert_eq!(parsed["gtin"], "05901230000011");
    let refused =
        Command::new(env!("CARGO_BIN_EXE_shelfsync")).arg("--db").arg(&db).arg("demo").output().unwrap();
    assert!(!refused.status.success(), "a second demo load into a used database is refused");
}

#[test]
fn movements_move_the_right_buckets() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let d = dir.path();
    ok(&db, &["init"]);
    std::fs::write(d.join("l.csv"), "code,name\nWH1,Main\nWH2,Second\n").unwrap();
    std::fs::write(
        d.join("i.csv"),
        "sku,name,unit_cost,category,safety_stock,barcodes\nA-1,Mug,3.50,home,2,4006381333931\n",
    )
    .unwrap();
    std::fs::write(d.join("s.csv"), "sku,location,qty\nA-1,WH1,20\n").unwrap();
    for (kind, file) in [("locations", "l.csv"), ("items", "i.csv"), ("stock", "s.csv")] {
        ok(&db, &["import", kind, d.join(file).to_str().unwrap()]);
    }
    ok(&db, &["sale", "A-1", "3", "--location", "WH1", "--reference", "order-1"]);
    ok(&db, &["fulfil", "A-1", "2", "--location", "WH1"]);
    ok(&db, &["cancel", "A-1", "1", "--location", "WH1"]);
    ok(&db, &["reserve", "A-1", "2", "--location", "WH1"]);
    ok(&db, &["damage", "A-1", "3", "--location", "WH1", "--reason", "crushed"]);
    ok(&db, &["write-off", "A-1", "1", "--location", "WH1", "--reason", "crushed", "--from", "damaged"]);
    ok(&db, &["return", "A-1", "1", "--location", "WH1", "--damaged"]);
    let stock = json(&db, &["stock", "A-1", "--location", "WH1", "--json"]);
    let wh1 = row(&stock, "WH1");
    // 20 received, 2 shipped, 1 written off, 1 returned damaged.
    assert_eq!(wh1["on_hand"], 18);
    assert_eq!(wh1["committed"], 0);
    assert_eq!(wh1["reserved"], 2);
    assert_eq!(wh1["damaged"], 3);
    assert_eq!(wh1["atp"], 13);

    let ship = json(&db, &["transfer", "ship", "A-1", "5", "--from", "WH1", "--to", "WH2", "--json"]);
    let id = ship["id"].as_str().unwrap();
    let in_transit = json(&db, &["stock", "A-1", "--json"]);
    assert_eq!(row(&in_transit, "WH2")["in_transit"], 5);
    assert_eq!(row(&in_transit, "WH1")["on_hand"], 13);
    ok(&db, &["transfer", "receive", id, "--qty", "4", "--reason", "one missing"]);
    ok(&db, &["transfer", "A-1", "2", "--from", "WH2", "--to", "WH1"]);
    let after = json(&db, &["stock", "A-1", "--json"]);
    assert_eq!(row(&after, "WH2")["in_transit"], 0);
    assert_eq!(row(&after, "WH2")["on_hand"], 2);
    assert_eq!(row(&after, "WH1")["on_hand"], 15);

    let events = json(&db, &["events", "--sku", "A-1", "--json"]);
    let kinds: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "receive",
            "sale",
            "fulfil",
            "cancel",
            "reserve",
            "damage",
            "write_off",
            "return",
            "transfer_ship",
            "transfer_receive",
            "transfer"
        ]
    );
    assert_eq!(events[1]["reference"], "order-1");
    let last_two = json(&db, &["events", "--sku", "A-1", "--limit", "2", "--json"]);
    let kinds: Vec<&str> = last_two.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["transfer_receive", "transfer"], "--limit keeps the newest, oldest first");
    let future = json(&db, &["events", "--since", "2999-01-01T00:00:00Z", "--json"]);
    assert_eq!(future.as_array().unwrap().len(), 0);

    let export = d.join("events.csv");
    ok(&db, &["export", "events", export.to_str().unwrap()]);
    let exported = std::fs::read_to_string(&export).unwrap();
    assert_eq!(exported.lines().count(), 12, "a header and 11 events");
    assert!(exported.starts_with("seq,id,kind,sku,occurred_at"));
    let stock_csv = d.join("stock.csv");
    ok(&db, &["export", "stock", stock_csv.to_str().unwrap()]);
    let exported = std::fs::read_to_string(&stock_csv).unwrap();
    assert!(exported.contains("A-1,WH1,15,0,2,3,0,10"), "{exported}");
    ok(&db, &["check"]);
    ok(&db, &["audit", "verify"]);
}

#[test]
fn a_mistaken_posting_is_reversed_by_a_new_event_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    json(&db, &["demo", "--json"]);
    let before = json(&db, &["stock", "SS-00002", "--location", "WH2", "--json"]);
    let wrong = json(&db, &["transfer", "SS-00002", "4", "--from", "WH2", "--to", "STORE", "--json"]);
    let id = wrong["id"].as_str().unwrap();
    let reversal = json(&db, &["reverse", id, "--reason", "scanned the wrong pallet", "--json"]);
    assert_eq!(reversal["kind"], "reversal");
    assert_eq!(json(&db, &["stock", "SS-00002", "--location", "WH2", "--json"]), before);
    let events = json(&db, &["events", "--sku", "SS-00002", "--limit", "1", "--json"]);
    assert_eq!(events[0]["reference"], format!("reverses:{id}"));
    let again = Command::new(env!("CARGO_BIN_EXE_shelfsync"))
        .arg("--db")
        .arg(&db)
        .args(["reverse", id, "--reason", "twice"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&again.stderr).contains("was already reversed"));
    let of_reversal = Command::new(env!("CARGO_BIN_EXE_shelfsync"))
        .arg("--db")
        .arg(&db)
        .args(["reverse", reversal["id"].as_str().unwrap(), "--reason", "x"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&of_reversal.stderr).contains("is itself a reversal"));
    // Damage reasons are kept with a loss code.
    json(
        &db,
        &["damage", "SS-00002", "1", "--location", "WH2", "--reason", "Expired: best before 11/26", "--json"],
    );
    json(&db, &["damage", "SS-00002", "1", "--location", "WH2", "--reason", "crushed", "--json"]);
    let last = json(&db, &["events", "--sku", "SS-00002", "--limit", "2", "--json"]);
    assert_eq!(last[0]["reason"], "expired: best before 11/26");
    assert_eq!(last[1]["reason"], "other: crushed");
    ok(&db, &["check"]);
    ok(&db, &["audit", "verify"]);
}
