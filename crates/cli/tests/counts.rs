//! The counting workflow end to end through the binary, on a real database file.

use std::process::{Command, Output};

use serde_json::Value;

struct Db {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
}

const PINS: [(&str, &str); 5] =
    [("ada", "1111"), ("sam", "2222"), ("sue", "3333"), ("stu", "4444"), ("cat", "5555")];

fn pin(user: &str) -> &'static str {
    PINS.iter().find(|(u, _)| *u == user).map(|(_, p)| *p).unwrap()
}

impl Db {
    fn run(&self, user: Option<&str>, args: &[&str]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_shelfsync"));
        command
            .arg("--db")
            .arg(&self.path)
            .args(args)
            .env_remove("SHELFSYNC_USER")
            .env_remove("SHELFSYNC_PIN");
        if let Some(user) = user {
            command.args(["--user", user]).env("SHELFSYNC_PIN", pin(user));
        }
        command.output().unwrap()
    }

    fn ok(&self, user: Option<&str>, args: &[&str]) -> Value {
        let out = self.run(user, &[args, &["--json"]].concat());
        assert!(out.status.success(), "{args:?} as {user:?}: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
    }

    fn fails(&self, user: Option<&str>, args: &[&str], want: &str) {
        let before = self.fingerprint();
        let out = self.run(user, args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} as {user:?} should fail");
        assert!(
            stderr.starts_with("error: ") && stderr.contains(want),
            "{args:?}: got {stderr:?}, want {want:?}"
        );
        assert_eq!(self.fingerprint(), before, "{args:?} changed the database");
    }

    fn fingerprint(&self) -> String {
        let stock = self.ok(None, &["stock"]);
        let events = self.ok(None, &["events"]);
        format!("{stock}{events}")
    }

    fn on_hand(&self, sku: &str) -> i64 {
        self.ok(None, &["stock", sku, "--location", "WH1"])[0]["on_hand"].as_i64().unwrap()
    }
}

fn setup() -> Db {
    let dir = tempfile::tempdir().unwrap();
    let db = Db { path: dir.path().join("counts.db"), _dir: dir };
    let d = db._dir.path();
    std::fs::write(d.join("l.csv"), "code,name\nWH1,Main\n").unwrap();
    std::fs::write(
        d.join("i.csv"),
        "sku,name,unit_cost,category,safety_stock,barcodes\nA-1,Mug,2.00,home,0,4006381333931\nB-1,Boot,10.00,footwear,0,\nC-1,Cap,5.00,apparel,0,\n",
    )
    .unwrap();
    std::fs::write(d.join("s.csv"), "sku,location,qty\nA-1,WH1,100\nB-1,WH1,50\nC-1,WH1,30\n").unwrap();
    db.ok(None, &["init"]);
    for (kind, file) in [("locations", "l.csv"), ("items", "i.csv"), ("stock", "s.csv")] {
        db.ok(None, &["import", kind, d.join(file).to_str().unwrap()]);
    }
    let add = |name: &str, role: &str, by: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_shelfsync"));
        command
            .arg("--db")
            .arg(&db.path)
            .args(["user", "add", name, "--role", role])
            .env("SHELFSYNC_NEW_PIN", pin(name));
        if let Some(by) = by {
            command.args(["--user", by]).env("SHELFSYNC_PIN", pin(by));
        }
        assert!(command.status().unwrap().success(), "add {name}");
    };
    add("ada", "admin", None);
    add("sam", "supervisor", Some("ada"));
    add("sue", "supervisor", Some("ada"));
    add("stu", "staff", Some("ada"));
    add("cat", "staff", Some("ada"));
    db.ok(Some("ada"), &["tolerance", "set", "--units", "2"]);
    db
}

fn line<'a>(view: &'a Value, sku: &str, round: i64) -> &'a Value {
    view["lines"].as_array().unwrap().iter().find(|l| l["sku"] == sku && l["round"] == round).unwrap()
}

#[test]
fn a_count_with_sales_during_it_posts_within_tolerance_and_waits_above() {
    let db = setup();
    let session =
        db.ok(Some("sue"), &["count", "start", "--location", "WH1"])["id"].as_str().unwrap().to_string();
    // A barcode counts for its item; two counters add up.
    db.ok(Some("sue"), &["count", "scan", &session, "4006381333931", "60"]);
    db.ok(Some("cat"), &["count", "scan", &session, "A-1", "39"]);
    // Five boots sell and ship during the count, before they are counted: not a variance.
    db.ok(Some("stu"), &["sale", "B-1", "5", "--location", "WH1"]);
    db.ok(Some("stu"), &["fulfil", "B-1", "5", "--location", "WH1"]);
    db.ok(Some("sue"), &["count", "scan", &session, "B-1", "40"]);
    db.ok(Some("cat"), &["count", "scan", &session, "C-1", "12"]);
    // A cap sells after it was counted: the count still matches what was expected then.
    db.ok(Some("cat"), &["count", "scan", &session, "C-1", "30", "--replace"]);
    db.ok(Some("stu"), &["sale", "C-1", "3", "--location", "WH1"]);
    db.ok(Some("stu"), &["fulfil", "C-1", "3", "--location", "WH1"]);
    let submitted = db.ok(Some("sue"), &["count", "submit", &session]);
    assert_eq!(submitted["status"], "submitted");
    // Within the 2-unit tolerance, but sue (a supervisor) counted it: it waits for another one.
    let a = line(&submitted, "A-1", 1);
    assert_eq!(
        (a["counted"].as_i64(), a["expected"].as_i64(), a["state"].as_str()),
        (Some(99), Some(100), Some("pending"))
    );
    let b = line(&submitted, "B-1", 1);
    assert_eq!(
        (b["counted"].as_i64(), b["expected"].as_i64(), b["variance"].as_i64()),
        (Some(40), Some(45), Some(-5))
    );
    assert_eq!(b["state"], "pending", "5 units is over the 2-unit tolerance");
    let c = line(&submitted, "C-1", 1);
    assert_eq!((c["variance"].as_i64(), c["state"].as_str()), (Some(0), Some("posted")));
    assert_eq!(db.on_hand("A-1"), 100, "a pending variance posts nothing");
    assert_eq!(db.on_hand("B-1"), 45, "a pending variance posts nothing");
    assert_eq!(db.on_hand("C-1"), 27);

    let inbox = db.ok(Some("sam"), &["approvals", "list"]);
    let skus: Vec<&str> = inbox.as_array().unwrap().iter().map(|a| a["sku"].as_str().unwrap()).collect();
    assert_eq!(skus.len(), 2, "{skus:?}");
    let b_line = inbox.as_array().unwrap().iter().find(|a| a["sku"] == "B-1").unwrap();
    let approval = b_line["id"].as_str().unwrap().to_string();
    assert_eq!(b_line["value"], 50.0);
    assert_eq!(b_line["movements_during_count"], 2);
    let a_line = inbox.as_array().unwrap().iter().find(|a| a["sku"] == "A-1").unwrap();
    let a_id = a_line["id"].as_str().unwrap().to_string();
    db.fails(
        Some("sue"),
        &["approvals", "approve", &a_id, "--reason", "ok"],
        "may not decide a count they took part in",
    );
    db.ok(Some("sam"), &["approvals", "approve", &a_id, "--reason", "one mug short, seen"]);
    assert_eq!(db.on_hand("A-1"), 99);
    db.fails(Some("stu"), &["approvals", "approve", &approval, "--reason", "ok"], "may not decide approvals");
    db.fails(
        Some("sue"),
        &["approvals", "approve", &approval, "--reason", "ok"],
        "may not decide a count they took part in",
    );
    db.fails(Some("stu"), &["approvals", "list"], "may not see the approvals inbox");
    db.fails(Some("sam"), &["approvals", "approve", &approval, "--reason", " "], "a reason is required");

    db.ok(Some("sam"), &["approvals", "recount", &approval, "--reason", "check the top shelf"]);
    db.fails(
        Some("sam"),
        &["approvals", "approve", &approval, "--reason", "ok"],
        "is not pending (it is recount)",
    );
    db.ok(Some("sue"), &["count", "scan", &session, "B-1", "41"]);
    let recounted = db.ok(Some("sue"), &["count", "submit", &session]);
    assert_eq!(line(&recounted, "B-1", 1)["state"], "recount", "the first count stays for the record");
    let second = line(&recounted, "B-1", 2);
    assert_eq!((second["variance"].as_i64(), second["state"].as_str()), (Some(-4), Some("pending")));
    let second_id = second["id"].as_str().unwrap().to_string();
    db.ok(Some("sam"), &["approvals", "approve", &second_id, "--reason", "confirmed by recount"]);
    db.fails(
        Some("sam"),
        &["approvals", "approve", &second_id, "--reason", "again"],
        "is not pending (it is posted)",
    );
    assert_eq!(db.on_hand("B-1"), 41);

    let events = db.ok(None, &["events", "--sku", "B-1"]);
    let posting = events.as_array().unwrap().iter().find(|e| e["kind"] == "count_posting").unwrap();
    assert_eq!(posting["reference"], format!("count:{session}"));
    assert_eq!(posting["actor"], "sam");
    let final_view = db.ok(None, &["count", "show", &session]);
    assert_eq!(line(&final_view, "B-1", 2)["decided_by"], "sam");
    db.ok(None, &["audit", "verify"]);
    db.ok(None, &["check"]);
}

#[test]
fn blind_and_full_counts() {
    let db = setup();
    let session = db.ok(Some("cat"), &["count", "start", "--location", "WH1", "--blind", "--full"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    db.ok(Some("cat"), &["count", "scan", &session, "A-1", "100"]);
    let open = db.ok(None, &["count", "show", &session]);
    assert_eq!(
        line(&open, "A-1", 1)["expected"],
        Value::Null,
        "blind: the counter never sees the system quantity"
    );
    db.fails(Some("cat"), &["count", "submit", &session], "2 SKUs in this full count were not counted");
    let submitted = db.ok(Some("cat"), &["count", "submit", &session, "--confirm-zero"]);
    assert_eq!(line(&submitted, "B-1", 1)["counted"], 0);
    assert_eq!(line(&submitted, "B-1", 1)["state"], "pending");
    assert_eq!(line(&submitted, "A-1", 1)["expected"], 100, "revealed once submitted");
    db.fails(Some("cat"), &["count", "scan", &session, "A-1", "1"], "is submitted; scanning is closed");
}

#[test]
fn bad_count_input_is_refused_and_changes_nothing() {
    let db = setup();
    let session = db.ok(Some("cat"), &["count", "start", "--location", "WH1", "--sku", "A-1"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    db.fails(
        Some("cat"),
        &["count", "scan", "no-such-session", "A-1", "1"],
        "unknown count session 'no-such-session'",
    );
    db.fails(Some("cat"), &["count", "scan", &session, "NOPE", "1"], "unknown barcode 'NOPE'");
    db.fails(Some("cat"), &["count", "scan", &session, "A-1", "-1"], "got -1");
    db.fails(Some("cat"), &["count", "scan", &session, "B-1", "1"], "not in the scope");
    db.fails(Some("cat"), &["count", "submit", &session], "nothing was counted");
    db.fails(None, &["count", "scan", &session, "A-1", "1"], "--user NAME");
    db.fails(Some("cat"), &["count", "start", "--location", "WH9"], "unknown location 'WH9'");
    db.fails(Some("cat"), &["count", "start", "--location", "WH1", "--sku", "ZZZ"], "unknown SKU 'ZZZ'");
    db.fails(Some("cat"), &["count", "start", "--location", "WH1", "--class", "D"], "must be A, B or C");
    db.fails(Some("stu"), &["tolerance", "set", "--units", "5"], "may not change tolerances");
    db.fails(Some("ada"), &["tolerance", "set", "--units", "-5"], "must not be negative");
    db.fails(
        Some("ada"),
        &["tolerance", "set", "--category", "home"],
        "needs a limit (units, percent or value)",
    );
    db.fails(Some("cat"), &["approvals", "approve", "nope", "--reason", "x"], "may not decide approvals");
    db.fails(Some("sam"), &["approvals", "approve", "nope", "--reason", "x"], "unknown approval 'nope'");
    db.fails(
        Some("stu"),
        &["write-off", "A-1", "1", "--location", "WH1"],
        "a reason is required for a write-off",
    );
    db.fails(Some("cat"), &["count", "resume", &session], "is open");
}

#[test]
fn the_pin_never_appears_in_the_process_list_or_output() {
    let db = setup();
    let out = db.run(Some("sam"), &["approvals", "list", "--json"]);
    assert!(out.status.success());
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!all.contains(pin("sam")));
    // The PIN travels in the environment, never in argv (which every process can read).
    let bad = db.run(None, &["approvals", "list", "--pin", "2222"]);
    assert!(!bad.status.success(), "there is no --pin option");
    let raw = std::fs::read(&db.path).unwrap();
    assert!(
        !raw.windows(4).any(|w| w == pin("sam").as_bytes()),
        "the PIN is stored only as an Argon2id hash"
    );
}

#[test]
fn reports_plans_and_pins() {
    let db = setup();
    let session =
        db.ok(Some("cat"), &["count", "start", "--location", "WH1"])["id"].as_str().unwrap().to_string();
    db.ok(Some("cat"), &["count", "scan", &session, "A-1", "99"]);
    db.ok(Some("cat"), &["count", "scan", &session, "B-1", "47"]);
    db.ok(Some("cat"), &["count", "submit", &session]);
    let pending = db.ok(Some("sam"), &["approvals", "list"]);
    db.ok(Some("sam"), &["approvals", "approve", pending[0]["id"].as_str().unwrap(), "--reason", "seen"]);

    let csv = db._dir.path().join("variance.csv");
    let report = db.ok(None, &["report", "variance", &session, "--csv", csv.to_str().unwrap()]);
    let rows = report.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (rows[0]["sku"].as_str(), rows[0]["variance"].as_i64(), rows[0]["value"].as_f64()),
        (Some("A-1"), Some(-1), Some(-2.0))
    );
    assert_eq!(
        (rows[1]["sku"].as_str(), rows[1]["variance"].as_i64(), rows[1]["value"].as_f64()),
        (Some("B-1"), Some(-3), Some(-30.0))
    );
    assert_eq!(rows[1]["approved_by"], "sam");
    assert_eq!(rows[0]["counted_by"], "cat");
    let written = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(written.lines().count(), 3, "{written}");
    // The report agrees with the ledger.
    assert_eq!(db.on_hand("A-1"), 99);
    assert_eq!(db.on_hand("B-1"), 47);

    let accuracy = db.ok(None, &["report", "accuracy"]);
    let month = &accuracy[0];
    assert_eq!((month["lines"].as_i64(), month["within_tolerance"].as_i64()), (Some(2), Some(1)));
    assert_eq!(month["accuracy_pct"], 50.0);
    assert_eq!(month["net_variance_value"], -32.0);
    assert_eq!(month["abs_variance_value"], 32.0);
    db.fails(None, &["report", "variance", "nope"], "unknown count session 'nope'");

    // A plan generates what is due, once per period.
    let first = db.ok(Some("sam"), &["count", "plan", "due", "--location", "WH1", "--generate"]);
    let plans: Vec<&str> = first.as_array().unwrap().iter().map(|d| d["plan"].as_str().unwrap()).collect();
    assert!(plans.iter().any(|p| p.starts_with("full:WH1:")), "{plans:?}");
    assert!(first.as_array().unwrap().iter().all(|d| d["session"].is_string()));
    let again = db.ok(Some("sam"), &["count", "plan", "due", "--location", "WH1", "--generate"]);
    assert_eq!(again.as_array().unwrap().len(), 0, "no duplicates: {again}");
    db.fails(
        Some("cat"),
        &["count", "plan", "due", "--location", "WH1", "--generate"],
        "may not generate planned counts",
    );

    // PINs: your own, or anyone's as an admin.
    let passwd = |user: &str, target: &str, new_pin: &str| {
        Command::new(env!("CARGO_BIN_EXE_shelfsync"))
            .arg("--db")
            .arg(&db.path)
            .args(["user", "passwd", target, "--user", user])
            .env("SHELFSYNC_PIN", pin(user))
            .env("SHELFSYNC_NEW_PIN", new_pin)
            .output()
            .unwrap()
    };
    assert!(!passwd("cat", "stu", "9876").status.success(), "staff cannot change another's PIN");
    assert!(passwd("ada", "stu", "9876").status.success());
    let old = db.run(Some("stu"), &["approvals", "list"]);
    assert!(
        String::from_utf8_lossy(&old.stderr).contains("wrong user or PIN"),
        "the old PIN no longer works"
    );
}

#[test]
fn a_costly_write_off_waits_for_a_supervisor() {
    let db = setup();
    db.ok(Some("ada"), &["settings", "set", "write_off_approval_value", "100.00"]);
    // 5 boots at 10.00 = 50.00: under the threshold, posts at once.
    db.ok(Some("stu"), &["write-off", "B-1", "5", "--location", "WH1", "--reason", "shrinkage"]);
    assert_eq!(db.on_hand("B-1"), 45);
    // 20 boots = 200.00: waits, and nothing moves yet.
    let parked = db.ok(Some("stu"), &["write-off", "B-1", "20", "--location", "WH1", "--reason", "theft"]);
    assert_eq!(parked["status"], "awaiting_approval");
    assert_eq!(parked["value"], "200.00");
    assert_eq!(db.on_hand("B-1"), 45);
    let approval = parked["approval"].as_str().unwrap().to_string();
    let inbox = db.ok(Some("sam"), &["approvals", "list"]);
    let item = inbox.as_array().unwrap().iter().find(|a| a["id"] == approval.as_str()).unwrap();
    assert_eq!(
        (item["kind"].as_str(), item["qty"].as_i64(), item["value"].as_f64()),
        (Some("write_off"), Some(20), Some(200.0))
    );
    db.fails(Some("cat"), &["approvals", "approve", &approval, "--reason", "ok"], "may not decide approvals");
    db.ok(Some("sam"), &["approvals", "approve", &approval, "--reason", "police report 1142"]);
    assert_eq!(db.on_hand("B-1"), 25);
    db.fails(
        Some("sam"),
        &["approvals", "approve", &approval, "--reason", "again"],
        "is not pending (it is posted)",
    );
    // A supervisor's own costly damage waits too, for another supervisor; a request with no
    // reason never parks.
    let own = db.ok(Some("sam"), &["damage", "B-1", "15", "--location", "WH1", "--reason", "water"]);
    assert_eq!(own["status"], "awaiting_approval");
    let own = own["approval"].as_str().unwrap().to_string();
    db.fails(
        Some("sam"),
        &["approvals", "approve", &own, "--reason", "mine"],
        "may not approve their own request",
    );
    db.ok(Some("sue"), &["approvals", "approve", &own, "--reason", "saw the water"]);
    assert_eq!(db.ok(None, &["stock", "B-1"])[0]["damaged"], 15);
    db.fails(
        Some("stu"),
        &["write-off", "B-1", "20", "--location", "WH1"],
        "a reason is required for a write-off",
    );
    db.fails(Some("stu"), &["settings", "set", "write_off_approval_value", "1"], "may not change settings");
    db.fails(Some("ada"), &["settings", "set", "colour", "blue"], "unknown setting 'colour'");
    db.ok(None, &["audit", "verify"]);
}

/// A negative adjustment is a write-off by another name: it weighs against the approval value
/// as a write-off does. The value is the requester's losses of the day together, not the line
/// alone, and it holds for supervisors too: their own loss above it waits for another one.
#[test]
fn a_costly_negative_adjustment_waits_for_another_supervisor_like_a_write_off() {
    let db = setup();
    db.ok(Some("ada"), &["settings", "set", "write_off_approval_value", "100.00"]);
    // (user, delta, posts at once). Boots cost 10.00: stu's 10 are exactly 100.00, not above;
    // one more the same day is, split into a line of its own or not.
    let cases = [
        ("stu", "-10", true),
        ("stu", "-1", false),
        ("stu", "30", true),
        ("cat", "-5", true),
        ("sam", "-20", false),
    ];
    for (user, delta, posts) in cases {
        let before = db.on_hand("B-1");
        let out = db.ok(Some(user), &["adjust", "B-1", delta, "--location", "WH1", "--reason", "recount"]);
        let moved = db.on_hand("B-1") - before;
        if posts {
            assert_eq!(moved, delta.parse::<i64>().unwrap(), "{user} {delta}: {out}");
        } else {
            assert_eq!((out["status"].as_str(), moved), (Some("awaiting_approval"), 0), "{user} {delta}");
        }
    }
    let inbox = db.ok(Some("sue"), &["approvals", "list"]);
    let waiting = |by: &str| {
        let item =
            inbox.as_array().unwrap().iter().find(|a| a["kind"] == "adjust" && a["requested_by"] == by);
        let item = item.unwrap_or_else(|| panic!("{by}'s adjustment waits: {inbox}"));
        (item["id"].as_str().unwrap().to_string(), item["qty"].as_i64(), item["value"].as_f64())
    };
    let (stus, qty, value) = waiting("stu");
    assert_eq!((qty, value), (Some(1), Some(10.0)));
    let (sams, qty, value) = waiting("sam");
    assert_eq!((qty, value), (Some(20), Some(200.0)));
    db.fails(Some("stu"), &["approvals", "approve", &stus, "--reason", "ok"], "may not decide approvals");
    db.fails(
        Some("sam"),
        &["approvals", "approve", &sams, "--reason", "mine"],
        "may not approve their own request",
    );
    let before = db.on_hand("B-1");
    db.ok(Some("sam"), &["approvals", "approve", &stus, "--reason", "shelf recounted"]);
    db.ok(Some("sue"), &["approvals", "approve", &sams, "--reason", "saw the empty shelf"]);
    assert_eq!(db.on_hand("B-1"), before - 21);
    db.ok(None, &["audit", "verify"]);
}
