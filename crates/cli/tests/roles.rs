//! Every role-restricted CLI action tried as every role (signed out, staff, supervisor, admin)
//! against one declared table, on a real database through the real binary. A denied action
//! exits non-zero with one `error:` line naming the refusal and changes nothing in the
//! database (every row of every table compared); a permitted one passes the role check.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use shelfsync_store::Store;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum As {
    SignedOut,
    Staff,
    Supervisor,
    Admin,
}

const EVERY_ROLE: [As; 4] = [As::SignedOut, As::Staff, As::Supervisor, As::Admin];

/// Who may do what. `permitted` lists the roles that pass; everyone else is refused.
/// `passes_when` is what a permitted run prints when it succeeds only past the role check
/// (an approval id that does not exist, say); `None` means it must succeed outright.
struct Rule {
    action: &'static str,
    args: &'static [&'static str],
    permitted: &'static [As],
    passes_when: Option<&'static str>,
}

const SUPERVISORS: &[As] = &[As::Supervisor, As::Admin];
const ADMINS: &[As] = &[As::Admin];
const ANYONE_SIGNED_IN: &[As] = &[As::Staff, As::Supervisor, As::Admin];

const TABLE: &[Rule] = &[
    Rule {
        action: "add a user",
        args: &["user", "add", "{new}", "--role", "staff"],
        permitted: ADMINS,
        passes_when: None,
    },
    Rule {
        action: "change another user's PIN",
        args: &["user", "passwd", "stu"],
        permitted: ADMINS,
        passes_when: None,
    },
    Rule {
        action: "change tolerances",
        args: &["tolerance", "set", "--units", "3"],
        permitted: SUPERVISORS,
        passes_when: None,
    },
    Rule {
        action: "change settings",
        args: &["settings", "set", "write_off_approval_value", "250.00"],
        permitted: SUPERVISORS,
        passes_when: None,
    },
    Rule {
        action: "generate planned counts",
        args: &["count", "plan", "due", "--location", "WH1", "--generate"],
        permitted: SUPERVISORS,
        passes_when: None,
    },
    Rule {
        action: "see the approvals inbox",
        args: &["approvals", "list"],
        permitted: SUPERVISORS,
        passes_when: None,
    },
    Rule {
        action: "approve a variance",
        args: &["approvals", "approve", "no-such-approval", "--reason", "checked"],
        permitted: SUPERVISORS,
        passes_when: Some("unknown approval"),
    },
    Rule {
        action: "reject a variance",
        args: &["approvals", "reject", "no-such-approval", "--reason", "checked"],
        permitted: SUPERVISORS,
        passes_when: Some("unknown approval"),
    },
    Rule {
        action: "override a negative balance",
        args: &["adjust", "C-1", "-1000", "--location", "WH1", "--reason", "found short", "--override"],
        permitted: SUPERVISORS,
        passes_when: None,
    },
    Rule {
        action: "start a count",
        args: &["count", "start", "--location", "WH1", "--sku", "A-1"],
        permitted: ANYONE_SIGNED_IN,
        passes_when: None,
    },
];

const PINS: [(&str, &str); 4] = [("ada", "1111"), ("sam", "2222"), ("cat", "3333"), ("stu", "4444")];

fn actor(role: As) -> Option<&'static str> {
    match role {
        As::SignedOut => None,
        As::Staff => Some("cat"),
        As::Supervisor => Some("sam"),
        As::Admin => Some("ada"),
    }
}

fn pin(user: &str) -> &'static str {
    PINS.iter().find(|(u, _)| *u == user).unwrap().1
}

struct Db {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl Db {
    fn run(&self, user: Option<&str>, args: &[&str]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_shelfsync"));
        command.arg("--db").arg(&self.path).args(args).env_remove("SHELFSYNC_PIN");
        // `user passwd stu` keeps stu's PIN, so later rows still sign stu in.
        command.env("SHELFSYNC_NEW_PIN", pin("stu"));
        if let Some(user) = user {
            command.args(["--user", user]).env("SHELFSYNC_PIN", pin(user));
        }
        command.output().unwrap()
    }

    fn ok(&self, user: Option<&str>, args: &[&str]) {
        let out = self.run(user, args);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

/// Every row of every table except the sign-in counters, which a refused action may move.
fn fingerprint(path: &Path) -> String {
    let store = Store::open(path).unwrap();
    let conn = store.connection();
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut out = String::new();
    for table in tables {
        let sql = if table == "users" {
            "SELECT name, role, pin_hash, active FROM users ORDER BY name".to_string()
        } else {
            // Some tables are WITHOUT ROWID: rows are sorted here instead.
            format!("SELECT * FROM \"{table}\"")
        };
        let mut stmt = conn.prepare(&sql).unwrap();
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

fn setup() -> Db {
    let dir = tempfile::tempdir().unwrap();
    let db = Db { path: dir.path().join("roles.db"), _dir: dir };
    let d = db._dir.path();
    std::fs::write(d.join("l.csv"), "code,name\nWH1,Main\n").unwrap();
    std::fs::write(
        d.join("i.csv"),
        "sku,name,unit_cost,category,safety_stock,barcodes\nA-1,Mug,2.00,home,0,\nC-1,Cap,5.00,apparel,0,\n",
    )
    .unwrap();
    std::fs::write(d.join("s.csv"), "sku,location,qty\nA-1,WH1,100\nC-1,WH1,30\n").unwrap();
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
    add("cat", "staff", Some("ada"));
    add("stu", "staff", Some("ada"));
    db
}

fn check(db: &Db, rule: &Rule, role: As, n: usize) -> Result<(), String> {
    let new_user = format!("new{n}");
    let args: Vec<&str> =
        rule.args.iter().map(|a| if *a == "{new}" { new_user.as_str() } else { a }).collect();
    let before = fingerprint(&db.path);
    let out = db.run(actor(role), &args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let refused = stderr.contains("may not") || stderr.contains("--user");
    let permitted = rule.permitted.contains(&role);
    match (permitted, out.status.success()) {
        (true, true) if rule.passes_when.is_none() => Ok(()),
        (true, false) if rule.passes_when.is_some_and(|w| stderr.contains(w)) => Ok(()),
        (true, _) => Err(format!("permitted but: exit {:?}, {stderr:?}", out.status.code())),
        (false, true) => Err("refused by the table but it succeeded".into()),
        (false, false)
            if !refused || !stderr.starts_with("error: ") || stderr.trim().lines().count() != 1 =>
        {
            Err(format!("refused, but not as a one-line role refusal: {stderr:?}"))
        }
        (false, false) if fingerprint(&db.path) != before => Err("refused, yet the database changed".into()),
        (false, false) => Ok(()),
    }
}

#[test]
fn every_restricted_cli_action_as_every_role_matches_the_table() {
    let db = setup();
    let mut failures = Vec::new();
    let mut tried = 0;
    for rule in TABLE {
        for role in EVERY_ROLE {
            tried += 1;
            if let Err(why) = check(&db, rule, role, tried) {
                failures.push(format!("{} as {role:?}: {why}", rule.action));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {tried} cases disagree with the table:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(tried, TABLE.len() * EVERY_ROLE.len());
}

#[test]
fn staff_cannot_approve_and_a_supervisor_cannot_decide_a_count_they_took_part_in() {
    let db = setup();
    db.ok(Some("ada"), &["tolerance", "set", "--units", "1"]);
    let start = db.run(Some("sam"), &["count", "start", "--location", "WH1", "--sku", "A-1", "--json"]);
    let session: serde_json::Value = serde_json::from_slice(&start.stdout).unwrap();
    let session = session["id"].as_str().unwrap();
    db.ok(Some("sam"), &["count", "scan", session, "A-1", "90"]);
    db.ok(Some("sam"), &["count", "submit", session]);
    let list = db.run(Some("ada"), &["approvals", "list", "--json"]);
    let list: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let id = list[0]["id"].as_str().expect("the variance waits for approval").to_string();
    let before = fingerprint(&db.path);
    for (user, want) in [("cat", "may not"), ("sam", "may not")] {
        let out = db.run(Some(user), &["approvals", "approve", &id, "--reason", "ok"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && stderr.contains(want), "{user}: {stderr}");
    }
    assert_eq!(fingerprint(&db.path), before, "refusals changed nothing");
    db.ok(Some("ada"), &["approvals", "approve", &id, "--reason", "recounted"]);
}
