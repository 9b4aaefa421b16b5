//! `shelfsync report count-pack | shrink | variance-by` through the real binary (issue 20): a
//! month's full count packed as PDF, read back with lopdf and naming every line, the decision
//! and its reason; bad input refused in one line with no file written.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod support;
use support::people::{add_people, pin};

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

fn json(db: &Path, user: Option<&str>, args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&text(db, user, &[args, &["--json"]].concat())).unwrap()
}

/// Two items at WH1, a full count by stu (A-1 short by 3, approved by sam with a reason; B-2
/// exact) and a theft write-off. Returns the session.
fn counted() -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("reports.db");
    let d = dir.path();
    std::fs::write(d.join("l.csv"), "code,name\nWH1,Main\n").unwrap();
    std::fs::write(
        d.join("i.csv"),
        "sku,name,unit_cost,category,safety_stock,barcodes\nA-1,Mug,2.00,home,0,\nB-2,Bowl,5.00,kitchen,0,\n",
    )
    .unwrap();
    std::fs::write(d.join("s.csv"), "sku,location,qty\nA-1,WH1,10\nB-2,WH1,4\n").unwrap();
    text(&db, None, &["init"]);
    for (kind, file) in [("locations", "l.csv"), ("items", "i.csv"), ("stock", "s.csv")] {
        text(&db, None, &["import", kind, d.join(file).to_str().unwrap()]);
    }
    add_people(&db);
    let session = json(&db, Some("stu"), &["count", "start", "--location", "WH1", "--full"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    text(&db, Some("stu"), &["count", "scan", &session, "A-1", "7"]);
    text(&db, Some("stu"), &["count", "scan", &session, "B-2", "4"]);
    text(&db, Some("stu"), &["count", "submit", &session]);
    let waiting = json(&db, Some("sam"), &["approvals", "list"]);
    for approval in waiting.as_array().unwrap() {
        let id = approval["id"].as_str().unwrap();
        text(&db, Some("sam"), &["approvals", "approve", id, "--reason", "mugs broken in transit"]);
    }
    (dir, db, session)
}

fn pdf_text(path: &Path) -> String {
    let doc = lopdf::Document::load(path).expect("the pack parses as PDF");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    doc.extract_text(&pages).expect("its text reads")
}

#[test]
fn the_months_count_pack_names_its_lines_and_decisions() {
    let (dir, db, session) = counted();
    let month = chrono::Utc::now().format("%Y-%m").to_string();
    let by_month = dir.path().join("month.pdf");
    let summary = json(
        &db,
        Some("sam"),
        &["report", "count-pack", "--month", &month, "--out", by_month.to_str().unwrap()],
    );
    assert_eq!((summary["sessions"].as_i64(), summary["lines"].as_i64()), (Some(1), Some(2)), "{summary}");
    let by_session = dir.path().join("session.pdf");
    text(&db, Some("sam"), &["report", "count-pack", &session, "--out", by_session.to_str().unwrap()]);
    for (path, title) in
        [(&by_month, format!("Monthly count {month}")), (&by_session, format!("Count {session}"))]
    {
        let pack = pdf_text(path);
        for want in [
            title.as_str(),
            "A-1",
            "Mug",
            "B-2",
            "Bowl",
            "mugs broken in transit",
            "sam",
            "Approved by (supervisor)",
        ] {
            assert!(pack.contains(want), "{want:?} missing from {}:\n{pack}", path.display());
        }
        assert!(pack.contains("Accuracy 50.0% (1 of 2 lines within tolerance)"), "{pack}");
    }
}

#[test]
fn a_pack_that_cannot_be_made_writes_nothing() {
    let (dir, db, _) = counted();
    let out = dir.path().join("never.pdf");
    let path = out.to_str().unwrap();
    let cases: [(&[&str], &str); 4] = [
        (&["report", "count-pack", "no-such", "--out", path], "error: unknown count session 'no-such'"),
        (
            &["report", "count-pack", "--month", "2001-01", "--out", path],
            "error: no full count was started in 2001-01",
        ),
        (&["report", "count-pack", "--month", "2026-13", "--out", path], "error: '2026-13' is not a month"),
        (&["report", "shrink", "--days", "0"], "error: shrink over 0 days"),
    ];
    for (args, want) in cases {
        let result = run(&db, Some("sam"), args);
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(!result.status.success(), "{args:?} succeeded");
        assert!(stderr.starts_with(want), "{args:?}: {stderr:?}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: one line: {stderr:?}");
        assert!(!out.exists(), "{args:?} wrote {path}");
    }
}

#[test]
fn shrink_and_variance_read_as_rows() {
    let (_dir, db, session) = counted();
    let shrink = json(&db, None, &["report", "shrink", "--days", "7"]);
    assert_eq!(shrink[0]["reason"], "count_variance", "{shrink}");
    assert_eq!((shrink[0]["units"].as_i64(), shrink[0]["value_cents"].as_i64()), (Some(3), Some(600)));
    let sessions = json(&db, None, &["report", "variance-by", "session"]);
    assert_eq!(sessions[0]["key"], session.as_str());
    let categories = json(&db, None, &["report", "variance-by", "category"]);
    let keys: Vec<&str> = categories.as_array().unwrap().iter().map(|r| r["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["home", "kitchen"], "largest absolute value first");
}
