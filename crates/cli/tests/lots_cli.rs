//! Lots, serials and expiry (issue 21) through the real binary on a real SQLite file: lots in by
//! flag and by GS1 scan, counted by lot, expired by the job (twice, booking once); a serial on
//! hand at most once; the first-expiry-first-out suggestion; and a table of bad input, each one
//! `error:` line with every table of the database unchanged.

mod support;

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use shelfsync_store::Store;
use shelfsync_store::testing::connection;
use support::{shelfsync, write};

/// GTIN of the milk, so a GS1 scan names it.
const MILK_GTIN: &str = "09506000134352";

/// An admin for everything but counting; counts are scanned by staff, so a line within
/// tolerance posts on its own (one an approver counted waits for another approver).
const ADMIN: [(&str, &str); 2] = [("SHELFSYNC_USER", "ada"), ("SHELFSYNC_PIN", "1111")];
const STAFF: [(&str, &str); 2] = [("SHELFSYNC_USER", "stu"), ("SHELFSYNC_PIN", "3333")];

fn ok(db: &Path, args: &[&str]) -> Value {
    ok_as(db, &ADMIN, args)
}

fn ok_as(db: &Path, who: &[(&str, &str)], args: &[&str]) -> Value {
    let out = shelfsync(db, &[args, &["--json"]].concat(), who);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
}

/// Every row of every table, so a refused command can be shown to change nothing.
fn fingerprint(db: &Path) -> String {
    let store = Store::open(db).unwrap();
    let conn = connection(&store);
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut out = String::new();
    for table in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let cols = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        let mut lines = Vec::new();
        while let Some(row) = rows.next().unwrap() {
            let values: Vec<String> = (0..cols).map(|i| format!("{:?}", row.get_ref(i).unwrap())).collect();
            lines.push(format!("{table}:{}", values.join("|")));
        }
        lines.sort();
        out.push_str(&lines.join("\n"));
    }
    out
}

fn fails(db: &Path, args: &[&str], want: &str) {
    let before = fingerprint(db);
    let out = shelfsync(db, args, &ADMIN);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{args:?} should fail");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: one line, got {stderr:?}");
    assert!(stderr.starts_with(&format!("error: {want}")), "{args:?}: got {stderr:?}, want {want:?}");
    assert_eq!(fingerprint(db), before, "{args:?} changed the database");
}

/// Two locations; milk tracked by lot (with a GTIN), a TV tracked by serial, a mug untracked.
fn setup(dir: &Path) -> PathBuf {
    let db = dir.join("lots.db");
    ok_as(&db, &[], &["init"]);
    support::people::add_people(&db);
    let locations = write(dir, "l.csv", "code,name\nWH1,Main\nWH2,Back\n");
    let items = write(
        dir,
        "i.csv",
        &format!(
            "sku,name,unit_cost,category,safety_stock,barcodes,tracking\n\
             MILK,Milk,1.00,food,0,{MILK_GTIN},lot\nTV,TV,100.00,elec,0,,serial\nMUG,Mug,2.00,home,0,,\n"
        ),
    );
    ok(&db, &["import", "locations", &locations]);
    ok(&db, &["import", "items", &items]);
    db
}

/// A lot as `stock --json` shows it: (lot, expiry, on_hand, damaged).
type Lot = (String, Value, i64, i64);

/// `stock SKU --json` at one location: (on_hand, damaged, atp, lots).
fn stock_at(db: &Path, sku: &str, location: &str) -> (i64, i64, i64, Vec<Lot>) {
    let rows = ok(db, &["stock", sku, "--location", location]);
    let row = &rows[0];
    let lots = row["lots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["lot"].as_str().unwrap().to_string(),
                l["expiry"].clone(),
                l["on_hand"].as_i64().unwrap(),
                l["damaged"].as_i64().unwrap(),
            )
        })
        .collect();
    (row["on_hand"].as_i64().unwrap(), row["damaged"].as_i64().unwrap(), row["atp"].as_i64().unwrap(), lots)
}

fn events_of_kind(db: &Path, kind: &str) -> Vec<Value> {
    let events = ok(db, &["events"]);
    events.as_array().unwrap().iter().filter(|e| e["kind"] == kind).cloned().collect()
}

#[test]
fn lots_go_through_receive_count_and_expiry() {
    let dir = tempfile::tempdir().unwrap();
    let db = setup(dir.path());
    ok(&db, &["receive", "MILK", "10", "--location", "WH1", "--lot", "L1", "--expiry", "2027-03-31"]);
    // A GS1 scan: GTIN, expiry (17, DD 00 is the month's end) and lot (10).
    let scan = format!("(01){MILK_GTIN}(17)270100(10)L2");
    ok(&db, &["receive", "MILK", "5", "--location", "WH1", "--scan", &scan]);
    ok(&db, &["sale", "MILK", "4", "--location", "WH1"]);
    let (on_hand, damaged, atp, lots) = stock_at(&db, "MILK", "WH1");
    assert_eq!((on_hand, damaged, atp), (15, 0, 11), "a sale carries no lot; ATP is the item's");
    assert_eq!(
        lots,
        vec![("L2".into(), json!("2027-01-31"), 5, 0), ("L1".into(), json!("2027-03-31"), 10, 0)],
        "first expiry first"
    );

    // Counted by lot: L1 short by 2, L2 right, and a lot nobody booked found on the shelf.
    ok(&db, &["tolerance", "set", "--units", "100"]);
    let session = ok(&db, &["count", "start", "--location", "WH1", "--sku", "MILK"]);
    let session = session["session"].as_str().or(session["id"].as_str()).unwrap().to_string();
    ok_as(&db, &STAFF, &["count", "scan", &session, "MILK", "6", "--lot", "L1"]);
    ok_as(&db, &STAFF, &["count", "scan", &session, "MILK", "2", "--lot", "L1"]);
    ok_as(&db, &STAFF, &["count", "scan", &session, MILK_GTIN, "5", "--lot", "L2"]);
    ok_as(&db, &STAFF, &["count", "scan", &session, "MILK", "1", "--lot", "L9", "--expiry", "2027-06-30"]);
    ok_as(&db, &STAFF, &["count", "submit", &session]);
    let (on_hand, _, _, lots) = stock_at(&db, "MILK", "WH1");
    assert_eq!(on_hand, 14);
    assert_eq!(
        lots,
        vec![
            ("L2".into(), json!("2027-01-31"), 5, 0),
            ("L1".into(), json!("2027-03-31"), 8, 0),
            ("L9".into(), json!("2027-06-30"), 1, 0),
        ]
    );
    let postings = events_of_kind(&db, "count_posting");
    let lot_postings: Vec<&Value> = postings.iter().filter(|e| !e["lot"].is_null()).collect();
    assert_eq!(lot_postings.len(), 2, "a variance per lot that differs: {postings:?}");

    // Expiry: on 2027-01-31 nothing has expired; on 2027-02-01 L2 goes to damaged, once.
    assert_eq!(ok(&db, &["lots", "expire", "--date", "2027-01-31"])["expired"], json!([]));
    let first = ok(&db, &["lots", "expire", "--date", "2027-02-01"]);
    assert_eq!(first["expired"].as_array().unwrap().len(), 1, "{first}");
    assert_eq!(first["expired"][0]["lot"], "L2");
    let second = ok(&db, &["lots", "expire", "--date", "2027-02-01"]);
    assert_eq!(second["expired"], json!([]), "the job run twice books once");
    let (on_hand, damaged, atp, lots) = stock_at(&db, "MILK", "WH1");
    assert_eq!((on_hand, damaged, atp), (14, 5, 5), "expired units leave ATP, not on_hand");
    assert_eq!(lots[0], ("L2".into(), json!("2027-01-31"), 5, 5));
    let damage = events_of_kind(&db, "damage");
    assert_eq!(damage.len(), 1);
    assert_eq!(damage[0]["reason"], "expired");

    // Expiring within 60 days of 2027-02-01: L1 (03-31) yes, L9 (06-30) no, L2 has nothing left to sell.
    let soon = ok(&db, &["expiring", "--within", "60", "--date", "2027-02-01"]);
    let soon: Vec<&str> = soon.as_array().unwrap().iter().map(|l| l["lot"].as_str().unwrap()).collect();
    assert_eq!(soon, vec!["L1"]);
    assert!(shelfsync(&db, &["audit", "verify"], &[]).status.success());
    // The lot projection equals a replay of the events' lots, and `check` notices when not.
    assert_eq!(ok(&db, &["check"])["lots_match_rebuild"], json!(true));
    let store = Store::open(&db).unwrap();
    connection(&store)
        .execute("UPDATE lot_balances SET on_hand = on_hand + 1 WHERE code = 'L1'", [])
        .unwrap();
    let out = shelfsync(&db, &["check"], &[]);
    assert!(!out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: the lot projection differs from a rebuild from the events\n"
    );
}

/// A supervisor, who decides the variances staff counted.
const SUPERVISOR: [(&str, &str); 2] = [("SHELFSYNC_USER", "sam"), ("SHELFSYNC_PIN", "2222")];

/// The count lines `count submit` lists for `sku`, by round: (round, counted, state, id).
fn lines_of(submitted: &Value, sku: &str) -> Vec<(i64, i64, String, String)> {
    let lines = submitted["lines"].as_array().or(submitted.as_array()).expect("lines");
    lines
        .iter()
        .filter(|l| l["sku"] == sku)
        .map(|l| {
            (
                l["round"].as_i64().unwrap(),
                l["counted"].as_i64().unwrap(),
                l["state"].as_str().unwrap().to_string(),
                l["id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_recount_counts_each_lot_again_from_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = setup(dir.path());
    ok(&db, &["receive", "MILK", "10", "--location", "WH1", "--lot", "L1", "--expiry", "2027-03-31"]);
    ok(&db, &["receive", "MILK", "5", "--location", "WH1", "--lot", "L2", "--expiry", "2027-01-31"]);
    // No tolerance: every variance waits for the supervisor.
    let session = ok(&db, &["count", "start", "--location", "WH1", "--sku", "MILK"]);
    let session = session["session"].as_str().or(session["id"].as_str()).unwrap().to_string();
    // Round 1 miscounts: L1 4 (10 booked), L2 9 (5 booked): 13 in all.
    ok_as(&db, &STAFF, &["count", "scan", &session, "MILK", "4", "--lot", "L1"]);
    ok_as(&db, &STAFF, &["count", "scan", &session, "MILK", "9", "--lot", "L2"]);
    let first = ok_as(&db, &STAFF, &["count", "submit", &session]);
    let round1 = lines_of(&first, "MILK");
    assert_eq!(round1.iter().map(|l| (l.0, l.1, l.2.as_str())).collect::<Vec<_>>(), vec![(1, 13, "pending")]);
    ok_as(&db, &SUPERVISOR, &["approvals", "recount", &round1[0].3, "--reason", "count the lots again"]);
    // Round 2 counts L1 10 and L2 4: the lots start from nothing, not from round 1's 4 and 9.
    ok_as(&db, &STAFF, &["count", "scan", &session, "MILK", "10", "--lot", "L1"]);
    ok_as(&db, &STAFF, &["count", "scan", &session, "MILK", "4", "--lot", "L2"]);
    let second = ok_as(&db, &STAFF, &["count", "submit", &session]);
    let round2 = lines_of(&second, "MILK");
    let decided: Vec<(i64, i64, &str)> = round2.iter().map(|l| (l.0, l.1, l.2.as_str())).collect();
    assert_eq!(decided, vec![(1, 13, "recount"), (2, 14, "pending")], "round 1 stays for the record");
    ok_as(&db, &SUPERVISOR, &["approvals", "approve", &round2[1].3, "--reason", "one L2 missing, seen"]);
    let (on_hand, _, _, lots) = stock_at(&db, "MILK", "WH1");
    assert_eq!(on_hand, 14);
    assert_eq!(
        lots,
        vec![("L2".into(), json!("2027-01-31"), 4, 0), ("L1".into(), json!("2027-03-31"), 10, 0)],
        "the lots are round 2's counts"
    );
    assert_eq!(ok(&db, &["check"])["lots_match_rebuild"], json!(true));
}

#[test]
fn a_serial_is_on_hand_at_most_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = setup(dir.path());
    ok(&db, &["receive", "TV", "1", "--location", "WH1", "--serial", "SN1"]);
    fails(
        &db,
        &["receive", "TV", "1", "--location", "WH2", "--serial", "SN1"],
        "serial 'SN1' of SKU 'TV' is already on hand at WH1",
    );
    ok(&db, &["transfer", "TV", "1", "--from", "WH1", "--to", "WH2", "--serial", "SN1"]);
    fails(
        &db,
        &["receive", "TV", "1", "--location", "WH1", "--serial", "SN1"],
        "serial 'SN1' of SKU 'TV' is already on hand at WH2",
    );
    ok(&db, &["receive", "TV", "1", "--location", "WH1", "--serial", "SN2"]);
    ok(&db, &["write-off", "TV", "1", "--location", "WH2", "--serial", "SN1", "--reason", "damaged"]);
    // Gone from the building, the serial may come back (a repair, a return to the vendor undone).
    ok(&db, &["receive", "TV", "1", "--location", "WH1", "--serial", "SN1"]);
    let (on_hand, _, _, lots) = stock_at(&db, "TV", "WH1");
    assert_eq!(on_hand, 2);
    let serials: Vec<&str> = lots.iter().map(|l| l.0.as_str()).collect();
    assert_eq!(serials, vec!["SN1", "SN2"]);
}

#[test]
fn the_suggestion_takes_the_first_expiry_first() {
    let dir = tempfile::tempdir().unwrap();
    let db = setup(dir.path());
    for (lot, qty, expiry) in [
        ("C", "10", None),
        ("B", "4", Some("2027-03-01")),
        ("A", "5", Some("2027-05-01")),
        ("D", "2", Some("2027-03-01")),
    ] {
        let mut args = vec!["receive", "MILK", qty, "--location", "WH1", "--lot", lot];
        if let Some(expiry) = expiry {
            args.extend(["--expiry", expiry]);
        }
        ok(&db, &args);
    }
    ok(&db, &["damage", "MILK", "1", "--location", "WH1", "--lot", "B", "--reason", "damaged"]);
    // (qty asked, lots taken in order, units short)
    type Case<'a> = (&'a str, &'a [(&'a str, i64)], i64);
    let cases: &[Case] = &[
        ("1", &[("B", 1)], 0),
        ("9", &[("B", 3), ("D", 2), ("A", 4)], 0),
        ("20", &[("B", 3), ("D", 2), ("A", 5), ("C", 10)], 0),
        ("25", &[("B", 3), ("D", 2), ("A", 5), ("C", 10)], 5),
    ];
    for (qty, want, short) in cases {
        let got = ok(&db, &["lots", "suggest", "MILK", "--qty", qty, "--location", "WH1"]);
        let take: Vec<(String, i64)> = got["take"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| (l["lot"].as_str().unwrap().to_string(), l["qty"].as_i64().unwrap()))
            .collect();
        let want: Vec<(String, i64)> = want.iter().map(|(l, q)| (l.to_string(), *q)).collect();
        assert_eq!(take, want, "qty {qty}");
        assert_eq!(got["short"], json!(short), "qty {qty}");
    }
    // Picking follows it: the fulfilment names the lot taken.
    ok(&db, &["sale", "MILK", "3", "--location", "WH1"]);
    ok(&db, &["fulfil", "MILK", "3", "--location", "WH1", "--lot", "B"]);
    let (on_hand, damaged, _, lots) = stock_at(&db, "MILK", "WH1");
    assert_eq!((on_hand, damaged), (18, 1));
    assert!(lots.contains(&("B".into(), json!("2027-03-01"), 1, 1)), "{lots:?}");
}

#[test]
fn bad_input_is_one_line_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = setup(dir.path());
    ok(&db, &["receive", "MILK", "10", "--location", "WH1", "--lot", "L1", "--expiry", "2027-03-31"]);
    ok(&db, &["receive", "TV", "1", "--location", "WH1", "--serial", "SN1"]);
    ok(&db, &["receive", "MUG", "5", "--location", "WH1"]);
    ok(&db, &["receive", "MILK", "5", "--location", "WH1", "--lot", "L3"]);
    ok(&db, &["sale", "MILK", "2", "--location", "WH1"]);
    let session = ok(&db, &["count", "start", "--location", "WH1", "--sku", "MILK"]);
    let session = session["session"].as_str().or(session["id"].as_str()).unwrap().to_string();
    let bad_date_scan = format!("(01){MILK_GTIN}(17)271332(10)L5");
    let milk_scan = format!("(01){MILK_GTIN}(10)L1");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["receive", "MILK", "1", "--location", "WH1"],
            "SKU 'MILK' is tracked by lot: receive needs --lot",
        ),
        (
            vec!["damage", "MILK", "1", "--location", "WH1", "--reason", "damaged"],
            "SKU 'MILK' is tracked by lot: damage needs --lot",
        ),
        (
            vec!["write-off", "MILK", "1", "--location", "WH1", "--reason", "damaged"],
            "SKU 'MILK' is tracked by lot: write_off needs --lot",
        ),
        (
            vec!["transfer", "MILK", "1", "--from", "WH1", "--to", "WH2"],
            "SKU 'MILK' is tracked by lot: transfer needs --lot",
        ),
        (vec!["count", "scan", &session, "MILK", "3"], "SKU 'MILK' is tracked by lot: count needs --lot"),
        (
            vec!["receive", "TV", "1", "--location", "WH2", "--serial", "SN1"],
            "serial 'SN1' of SKU 'TV' is already on hand at WH1",
        ),
        (
            vec!["receive", "MILK", "1", "--location", "WH1", "--lot", "L2", "--expiry", "2027-02-30"],
            "expiry '2027-02-30' is not a date (YYYY-MM-DD)",
        ),
        (
            vec!["receive", "MILK", "1", "--location", "WH1", "--lot", "L2", "--expiry", "soon"],
            "expiry 'soon' is not a date (YYYY-MM-DD)",
        ),
        (
            vec!["receive", "MUG", "1", "--location", "WH1", "--lot", "X1"],
            "SKU 'MUG' is not tracked by lot or serial",
        ),
        (
            vec!["count", "scan", &session, "MUG", "1", "--lot", "X1"],
            "SKU 'MUG' is not tracked by lot or serial",
        ),
        (
            vec!["receive", "TV", "2", "--location", "WH1", "--serial", "SN9"],
            "a serial is one unit: serial 'SN9' of SKU 'TV' cannot move 2",
        ),
        (
            vec!["receive", "MILK", "1", "--location", "WH1", "--serial", "SN9"],
            "SKU 'MILK' is tracked by lot, not serial",
        ),
        (vec!["receive", "NOPE", "1", "--location", "WH1", "--lot", "L1"], "unknown SKU 'NOPE'"),
        (vec!["lots", "suggest", "NOPE", "--qty", "1", "--location", "WH1"], "unknown SKU 'NOPE'"),
        (vec!["item", "set", "NOPE", "--tracking", "lot"], "unknown SKU 'NOPE'"),
        (vec!["item", "set", "MILK", "--tracking", "none"], "SKU 'MILK' has 15 units on hand or in transit"),
        (
            vec!["receive", "MILK", "1", "--location", "WH1", "--lot", "L1", "--expiry", "2027-04-30"],
            "lot 'L1' of SKU 'MILK' expires 2027-03-31, not 2027-04-30",
        ),
        (
            vec!["receive", "MILK", "1", "--location", "WH1", "--expiry", "2027-04-30"],
            "an expiry belongs to a lot",
        ),
        (
            vec!["receive", "MILK", "1", "--location", "WH1", "--lot", "THIS-LOT-CODE-IS-TOO-LONG"],
            "invalid lot 'THIS-LOT-CODE-IS-TOO-LONG'",
        ),
        (
            vec!["receive", "MILK", "1", "--location", "WH1", "--scan", &bad_date_scan],
            "AI (17): illegal month",
        ),
        (
            vec!["receive", "MUG", "1", "--location", "WH1", "--scan", &milk_scan],
            "the scan's GTIN 09506000134352 is SKU 'MILK', not 'MUG'",
        ),
        (vec!["sale", "MILK", "1", "--location", "WH1", "--lot", "L1"], "sale carries no lot"),
        (
            vec!["fulfil", "MILK", "1", "--location", "WH1"],
            "SKU 'MILK' is tracked by lot: fulfil needs --lot",
        ),
        (
            vec!["write-off", "MILK", "11", "--location", "WH1", "--lot", "L1", "--reason", "damaged"],
            "lot 'L1' of SKU 'MILK' at WH1 has 10 on hand, so it cannot go to -1",
        ),
        (vec!["lots", "suggest", "MUG", "--qty", "1", "--location", "WH1"], "SKU 'MUG' is not tracked"),
        (
            vec!["lots", "suggest", "MILK", "--qty", "0", "--location", "WH1"],
            "quantity must be between 1 and 1000000",
        ),
        (vec!["expiring", "--within", "-1"], "--within must be 0 to 3650 days, got -1"),
        (
            vec!["expiring", "--within", "5", "--date", "31/12/2026"],
            "--date '31/12/2026' is not a date (YYYY-MM-DD)",
        ),
        (vec!["lots", "expire", "--date", "tomorrow"], "--date 'tomorrow' is not a date (YYYY-MM-DD)"),
    ];
    for (args, want) in &cases {
        fails(&db, args, want);
    }
    // An items file with a bad tracking cell names its line.
    let bad = write(
        dir.path(),
        "bad.csv",
        "sku,name,unit_cost,category,safety_stock,barcodes,tracking\nJAM,Jam,1.00,food,0,,batch\n",
    );
    fails(&db, &["import", "items", &bad], "line 2: tracking 'batch' is not one of none, lot, serial");
}
