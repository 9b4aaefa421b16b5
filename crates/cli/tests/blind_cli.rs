//! Blind counts are blind on the CLI (issue 17): while a blind count is open at a location,
//! `stock`, `export stock` and `count show` give its quantities as null (text: hidden) to
//! anyone but a verified user who may see expected quantities; a supervisor with `--user`
//! sees them; once the count is submitted, everyone does.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod support;
use support::people::{add_people, pin};

use serde_json::Value;

fn run(db: &Path, user: Option<&str>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_shelfsync"));
    command.arg("--db").arg(db).args(args).env_remove("SHELFSYNC_USER").env_remove("SHELFSYNC_PIN");
    if let Some(user) = user {
        command.args(["--user", user]).env("SHELFSYNC_PIN", pin(user));
    }
    command.output().unwrap()
}

fn text(db: &Path, user: Option<&str>, args: &[&str]) -> String {
    let out = run(db, user, args);
    assert!(out.status.success(), "{args:?} as {user:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn json(db: &Path, user: Option<&str>, args: &[&str]) -> Value {
    serde_json::from_str(&text(db, user, &[args, &["--json"]].concat())).unwrap()
}

fn setup() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("blind.db");
    let d = dir.path();
    std::fs::write(d.join("l.csv"), "code,name\nWH1,Main\nWH2,Back\n").unwrap();
    std::fs::write(
        d.join("i.csv"),
        "sku,name,unit_cost,category,safety_stock,barcodes\nA-1,Mug,2.00,home,0,\n",
    )
    .unwrap();
    std::fs::write(d.join("s.csv"), "sku,location,qty\nA-1,WH1,100\nA-1,WH2,7\n").unwrap();
    text(&db, None, &["init"]);
    for (kind, file) in [("locations", "l.csv"), ("items", "i.csv"), ("stock", "s.csv")] {
        text(&db, None, &["import", kind, d.join(file).to_str().unwrap()]);
    }
    add_people(&db);
    (dir, db)
}

/// `stock A-1 --json` as `user`: WH1's on_hand (None when hidden) and blind flag, and WH2's on_hand.
fn stock(db: &Path, user: Option<&str>) -> (Option<i64>, bool, Option<i64>) {
    let rows = json(db, user, &["stock", "A-1"]);
    let at = |l: &str| rows.as_array().unwrap().iter().find(|r| r["location"] == l).unwrap().clone();
    let (wh1, wh2) = (at("WH1"), at("WH2"));
    for field in ["committed", "reserved", "damaged", "in_transit", "atp"] {
        assert_eq!(wh1[field].is_null(), wh1["on_hand"].is_null(), "{field} hidden with on_hand: {wh1}");
    }
    (wh1["on_hand"].as_i64(), wh1["blind"].as_bool().unwrap(), wh2["on_hand"].as_i64())
}

fn exported(db: &Path, dir: &Path, user: Option<&str>) -> String {
    let file = dir.join(format!("stock-{}.csv", user.unwrap_or("nobody")));
    text(db, user, &["export", "stock", file.to_str().unwrap()]);
    std::fs::read_to_string(file).unwrap()
}

#[test]
fn an_open_blind_count_hides_its_location_from_all_but_supervisors() {
    let (dir, db) = setup();
    let session = json(&db, Some("stu"), &["count", "start", "--location", "WH1", "--blind"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    text(&db, Some("stu"), &["count", "scan", &session, "A-1", "98"]);

    // (who asks, WH1 hidden)
    let cases: [(Option<&str>, bool); 4] =
        [(None, true), (Some("stu"), true), (Some("sam"), false), (Some("ada"), false)];
    for (user, hidden) in cases {
        let expected_wh1 = if hidden { (None, true, Some(7)) } else { (Some(100), false, Some(7)) };
        assert_eq!(stock(&db, user), expected_wh1, "stock as {user:?}");
        let table = text(&db, user, &["stock", "A-1"]);
        assert_eq!(table.contains("hidden (blind count open)"), hidden, "stock text as {user:?}: {table}");
        let csv = exported(&db, dir.path(), user);
        let wh1 = csv.lines().find(|l| l.starts_with("A-1,WH1,")).unwrap();
        let want = if hidden { "A-1,WH1,,,,,,,true" } else { "A-1,WH1,100,0,0,0,0,100,false" };
        assert_eq!(wh1, want, "export as {user:?}");
        let view = json(&db, user, &["count", "show", &session]);
        assert_eq!(view["lines"][0]["expected"].is_null(), hidden, "count show as {user:?}: {view}");
        // The history adds up to the same number: WH1's receipt is withheld, WH2's is not.
        let events = json(&db, user, &["events", "--sku", "A-1"]);
        let at: Vec<String> = events.as_array().unwrap().iter().map(|e| e.to_string()).collect();
        let wh1 = at.iter().filter(|e| e.contains("\"WH1\"")).count();
        assert_eq!(
            (wh1 == 0, at.iter().any(|e| e.contains("\"WH2\""))),
            (hidden, true),
            "events as {user:?}: {at:?}"
        );
        let file = dir.path().join(format!("events-{}.csv", user.unwrap_or("nobody")));
        text(&db, user, &["export", "events", file.to_str().unwrap()]);
        let csv = std::fs::read_to_string(&file).unwrap();
        assert_eq!(!csv.contains("WH1"), hidden, "export events as {user:?}");
        let explain = run(&db, user, &["sync", "explain", "A-1", "--channel", "web"]);
        let refused = String::from_utf8_lossy(&explain.stderr).contains("in an open blind count");
        assert_eq!(refused, hidden, "sync explain as {user:?}");
    }

    text(&db, Some("stu"), &["count", "submit", &session]);
    assert_eq!(stock(&db, Some("stu")), (Some(100), false, Some(7)), "submitted: no longer hidden");
}

#[test]
fn a_count_of_named_skus_hides_only_those() {
    let (_dir, db) = setup();
    let d = _dir.path();
    std::fs::write(
        d.join("i2.csv"),
        "sku,name,unit_cost,category,safety_stock,barcodes\nB-1,Cap,1.00,home,0,\n",
    )
    .unwrap();
    std::fs::write(d.join("s2.csv"), "sku,location,qty\nB-1,WH1,5\n").unwrap();
    text(&db, Some("ada"), &["import", "items", d.join("i2.csv").to_str().unwrap()]);
    text(&db, Some("ada"), &["import", "stock", d.join("s2.csv").to_str().unwrap()]);
    json(&db, Some("stu"), &["count", "start", "--location", "WH1", "--blind", "--sku", "B-1"]);
    let rows = json(&db, Some("stu"), &["stock", "--location", "WH1"]);
    let blind: Vec<(&str, bool)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["sku"].as_str().unwrap(), r["on_hand"].is_null()))
        .collect();
    assert_eq!(blind, vec![("A-1", false), ("B-1", true)]);
}
