//! Admin and supervisor changes made through the real binary land in the audit chain under
//! the verified user and the workstation (issue 17); `audit verify` still passes; a refused
//! change (bad input, or a role that may not) adds no entry.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod support;
use support::people::{add_people, pin};

use shelfsync_store::Store;

const WS: &str = "till-2";
const TOKEN: &str = "shpat_audit_secret_value";

fn run(db: &Path, user: Option<&str>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_shelfsync"));
    command
        .arg("--db")
        .arg(db)
        .args(["--workstation", WS])
        .args(args)
        .env("SHELFSYNC_SECRETS", "file")
        .env("SHELFSYNC_SHOPIFY_TOKEN", TOKEN)
        .env_remove("SHELFSYNC_USER")
        .env_remove("SHELFSYNC_PIN");
    if let Some(user) = user {
        command.args(["--user", user]).env("SHELFSYNC_PIN", pin(user));
    }
    command.output().unwrap()
}

fn ok(db: &Path, user: Option<&str>, args: &[&str]) {
    let out = run(db, user, args);
    assert!(out.status.success(), "{args:?} as {user:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// (actor, workstation, action, subject, detail) of every entry, in order.
fn entries(db: &Path) -> Vec<(String, String, String, String, String)> {
    let store = Store::open(db).unwrap();
    let conn = shelfsync_store::testing::connection(&store);
    let mut stmt =
        conn.prepare("SELECT actor, workstation, action, subject, detail FROM audit ORDER BY seq").unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn verified(db: &Path) {
    let out = run(db, None, &["audit", "verify"]);
    assert!(out.status.success(), "audit verify: {}", String::from_utf8_lossy(&out.stdout));
}

fn setup() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("audit.db");
    ok(&db, None, &["init"]);
    add_people(&db);
    (dir, db)
}

#[test]
fn each_change_through_the_binary_is_one_entry_in_the_users_name() {
    let (dir, db) = setup();
    let d = dir.path();
    std::fs::write(d.join("l.csv"), "code,name\nWH1,Main\n").unwrap();
    std::fs::write(
        d.join("i.csv"),
        "sku,name,unit_cost,category,safety_stock,barcodes\nA-1,Mug,2.00,home,0,\n",
    )
    .unwrap();
    let file = |name: &str| d.join(name).to_str().unwrap().to_string();
    let (locations, items) = (file("l.csv"), file("i.csv"));
    // (user, arguments, action, subject)
    let cases: &[(&str, Vec<&str>, &str, &str)] = &[
        ("ada", vec!["import", "locations", &locations], "import.locations", "locations"),
        ("ada", vec!["import", "items", &items], "import.items", "items"),
        (
            "ada",
            vec![
                "channel",
                "add",
                "shopify",
                "web",
                "--endpoint",
                "http://127.0.0.1:9",
                "--shop",
                "demo.myshopify.com",
            ],
            "channel.add",
            "web",
        ),
        ("ada", vec!["channel", "rule", "web", "--percent", "50"], "channel.rule", "web"),
        (
            "ada",
            vec![
                "channel",
                "map",
                "web",
                "A-1",
                "--location",
                "WH1",
                "--item",
                "gid://shopify/InventoryItem/1",
                "--remote-location",
                "gid://shopify/Location/1",
            ],
            "channel.map",
            "web",
        ),
        ("ada", vec!["hub", "credentials", "web"], "channel.credentials", "web"),
        ("ada", vec!["alerts", "threshold", "failures", "7"], "alert.threshold", "failures"),
        ("ada", vec!["alerts", "target-add", "https://hooks.test/a", "--hours", "8-18"], "alert.target", "1"),
        (
            "ada",
            vec![
                "alerts",
                "smtp",
                "--host",
                "mail.test",
                "--port",
                "587",
                "--security",
                "starttls",
                "--from",
                "alerts@shop.test",
            ],
            "alert.smtp",
            "mail.test",
        ),
    ];
    for (user, args, action, subject) in cases {
        let before = entries(&db).len();
        ok(&db, Some(user), args);
        let after = entries(&db);
        assert_eq!(after.len(), before + 1, "{args:?}: exactly one new entry, got {:?}", &after[before..]);
        let (actor, ws, got_action, got_subject, _) = &after[before];
        assert_eq!(
            (actor.as_str(), ws.as_str(), got_action.as_str(), got_subject.as_str()),
            (*user, WS, *action, *subject),
            "{args:?}"
        );
        verified(&db);
    }
    assert!(!entries(&db).iter().any(|e| e.4.contains(TOKEN)), "no secret in the chain");
}

#[test]
fn a_refused_change_through_the_binary_writes_no_entry() {
    let (_dir, db) = setup();
    ok(
        &db,
        Some("ada"),
        &[
            "channel",
            "add",
            "shopify",
            "web",
            "--endpoint",
            "http://127.0.0.1:9",
            "--shop",
            "demo.myshopify.com",
        ],
    );
    // (user, arguments): bad input from an admin, or a role the policy refuses.
    let cases: &[(&str, &[&str])] = &[
        ("ada", &["channel", "rule", "web", "--percent", "150"]),
        ("ada", &["channel", "rule", "nope", "--percent", "50"]),
        ("ada", &["alerts", "threshold", "no_such_rule", "1"]),
        ("ada", &["alerts", "threshold", "failures", "-1"]),
        ("ada", &["alerts", "target-add", "ftp://x", "--hours", "8-18"]),
        ("ada", &["alerts", "smtp", "--host", "mail.test", "--from", "not an address"]),
        ("ada", &["alerts", "ack", "999"]),
        ("sam", &["incidents", "resolve", "999", "--cause", "x"]),
        ("sam", &["sync", "dlq", "retry", "999"]),
        ("ada", &["hub", "credentials", "nope"]),
        ("stu", &["channel", "rule", "web", "--percent", "10"]),
        ("stu", &["alerts", "threshold", "failures", "3"]),
    ];
    for (user, args) in cases {
        let before = entries(&db);
        let out = run(&db, Some(user), args);
        assert!(!out.status.success(), "{args:?} as {user} should be refused");
        assert_eq!(entries(&db), before, "{args:?} as {user}: no entry");
    }
    verified(&db);
}
