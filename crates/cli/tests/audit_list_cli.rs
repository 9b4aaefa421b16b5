//! `shelfsync audit list` through the real binary (issue 20): supervisors and admins read a
//! filtered page of the chain, newest first, and page on with `--before`; staff and a signed-out
//! run are refused; a bad filter is one `error:` line; nothing a list does adds to the chain.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod support;
use support::people::{add_people, pin};

use serde_json::Value;

fn run(db: &Path, user: Option<&str>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_shelfsync"));
    command
        .arg("--db")
        .arg(db)
        .args(["--workstation", "till-1"])
        .args(args)
        .env("SHELFSYNC_SECRETS", "file")
        .env_remove("SHELFSYNC_USER")
        .env_remove("SHELFSYNC_PIN");
    if let Some(user) = user {
        command.args(["--user", user]).env("SHELFSYNC_PIN", pin(user));
    }
    command.output().unwrap()
}

fn ok(db: &Path, user: Option<&str>, args: &[&str]) -> String {
    let out = run(db, user, args);
    assert!(out.status.success(), "{args:?} as {user:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// `audit list ARGS --json` as `user`: the page.
fn list(db: &Path, user: &str, args: &[&str]) -> Value {
    let mut all = vec!["audit", "list"];
    all.extend_from_slice(args);
    all.push("--json");
    serde_json::from_str(&ok(db, Some(user), &all)).unwrap()
}

/// (seq, actor, kind, sku) of each entry in a page.
fn rows(page: &Value) -> Vec<(i64, String, String, Option<String>)> {
    page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["seq"].as_i64().unwrap(),
                e["actor"].as_str().unwrap().to_string(),
                e["kind"].as_str().unwrap().to_string(),
                e["sku"].as_str().map(str::to_string),
            )
        })
        .collect()
}

fn chain_length(db: &Path) -> u64 {
    let out = ok(db, None, &["audit", "verify", "--json"]);
    serde_json::from_str::<Value>(&out).unwrap()["entries"].as_u64().unwrap()
}

/// Three users, a catalogue of two items, and stock movements by the staff member.
fn setup() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("audit.db");
    ok(&db, None, &["init"]);
    add_people(&db);
    let file = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let locations = file("l.csv", "code,name\nWH1,Main\n");
    let items = file(
        "i.csv",
        "sku,name,unit_cost,category,safety_stock,barcodes\nA-1,Mug,2.00,home,0,\nB-2,Cup,1.00,home,0,\n",
    );
    ok(&db, Some("ada"), &["import", "locations", &locations]);
    ok(&db, Some("ada"), &["import", "items", &items]);
    ok(&db, Some("stu"), &["receive", "A-1", "10", "--location", "WH1"]);
    ok(&db, Some("stu"), &["receive", "B-2", "4", "--location", "WH1"]);
    ok(&db, Some("stu"), &["sale", "A-1", "2", "--location", "WH1"]);
    ok(&db, Some("sam"), &["tolerance", "set", "--units", "3"]);
    (dir, db)
}

#[test]
fn supervisors_and_admins_read_filtered_pages_newest_first() {
    let (_dir, db) = setup();
    let before = chain_length(&db);
    let all = rows(&list(&db, "sam", &[]));
    assert_eq!(all.len() as u64, before, "the default page holds this whole short chain");
    assert!(all.windows(2).all(|w| w[0].0 > w[1].0), "newest first: {all:?}");
    // (arguments, which entries of the whole chain they keep)
    type Keep = fn(&(i64, String, String, Option<String>)) -> bool;
    let cases: &[(&[&str], Keep)] = &[
        (&["--actor", "stu"], |e| e.1 == "stu"),
        (&["--sku", "A-1"], |e| e.3.as_deref() == Some("A-1")),
        (&["--kind", "event"], |e| e.2.starts_with("event.")),
        (&["--kind", "event.receive", "--actor", "stu"], |e| e.2 == "event.receive" && e.1 == "stu"),
        (&["--kind", "import"], |e| e.2.starts_with("import.")),
        (&["--since", "2000-01-01", "--until", "2999-12-31"], |_| true),
        (&["--until", "2000-01-01"], |_| false),
    ];
    for (args, keep) in cases {
        let want: Vec<_> = all.iter().filter(|e| keep(e)).cloned().collect();
        assert!(!want.is_empty() || args.contains(&"2000-01-01"), "{args:?} keeps something");
        assert_eq!(rows(&list(&db, "ada", args)), want, "{args:?}");
    }
    // Pages of two walk the three stock events, then say there is no more.
    let first = list(&db, "sam", &["--kind", "event", "--limit", "2"]);
    let next = first["next_before"].as_i64().unwrap();
    let second = list(&db, "sam", &["--kind", "event", "--limit", "2", "--before", &next.to_string()]);
    assert_eq!(second["next_before"], Value::Null);
    let walked: Vec<_> = rows(&first).into_iter().chain(rows(&second)).collect();
    assert_eq!(walked, all.iter().filter(|e| e.2.starts_with("event.")).cloned().collect::<Vec<_>>());
    // The text form: a table, newest first.
    let text = ok(&db, Some("sam"), &["audit", "list", "--sku", "B-2"]);
    assert!(text.lines().next().unwrap().starts_with('#') && text.contains("event.receive"), "{text}");
    assert_eq!(chain_length(&db), before, "listing adds nothing to the chain");
}

#[test]
fn staff_signed_out_and_bad_filters_are_refused_in_one_line() {
    let (_dir, db) = setup();
    let before = chain_length(&db);
    // (who, arguments, what the one error line says)
    let cases: &[(Option<&str>, &[&str], &str)] = &[
        (Some("stu"), &[], "may not read the audit log"),
        (None, &[], "name who acts to read the audit log"),
        (Some("sam"), &["--since", "2026-12-05", "--until", "2026-12-04"], "is not before until"),
        (Some("sam"), &["--kind", "teleport"], "unknown audit kind 'teleport'"),
        (Some("sam"), &["--kind", "event.teleport"], "unknown audit kind 'event.teleport'"),
        (Some("sam"), &["--limit", "501"], "limit 501 is out of range: a page holds 1 to 500"),
        (Some("sam"), &["--limit", "0"], "limit 0 is out of range"),
        (Some("sam"), &["--since", "last week"], "since 'last week' is not a time"),
        (Some("sam"), &["--before", "0"], "before 0 is not an entry number"),
    ];
    for (user, args, want) in cases {
        let mut all = vec!["audit", "list"];
        all.extend_from_slice(args);
        let out = run(&db, *user, &all);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{user:?} {args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{user:?} {args:?}: {stderr}");
        assert!(stderr.starts_with("error: ") && stderr.contains(want), "{user:?} {args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{user:?} {args:?}");
    }
    assert_eq!(chain_length(&db), before, "a refusal adds nothing to the chain");
}
