//! Every CLI command tried as every role (signed out, staff, supervisor, admin) on a real
//! database that has users, through the real binary. Who may run a command comes from the one
//! role policy (`shelfsync_core::may`) applied to the actions the row declares, not from a
//! list of roles written here: a refused run exits non-zero with one `error:` line naming the
//! refusal and changes nothing in the database (every row of every table compared); a
//! permitted one passes the role check. A last test walks the binary's own `--help` and fails
//! if a command is missing from the table.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use shelfsync_core::{Action, Role, may};
use shelfsync_store::Store;
use shelfsync_store::testing::connection;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum As {
    SignedOut,
    Staff,
    Supervisor,
    Admin,
}

const EVERY_ROLE: [As; 4] = [As::SignedOut, As::Staff, As::Supervisor, As::Admin];

impl As {
    fn role(self) -> Option<Role> {
        match self {
            As::SignedOut => None,
            As::Staff => Some(Role::Staff),
            As::Supervisor => Some(Role::Supervisor),
            As::Admin => Some(Role::Admin),
        }
    }
}

/// What a command needs, as the CLI's contract states it.
#[derive(Clone, Copy, Debug)]
enum Needs {
    /// Reads only: anyone, signed in or not.
    Open,
    /// The live service: acts as `service:<workstation>` whoever runs it.
    Service,
    /// A verified user whose role the policy lets do every action listed (none: any user).
    User(&'static [Action]),
}

impl Needs {
    fn permits(self, who: As) -> bool {
        match self {
            Needs::Open | Needs::Service => true,
            Needs::User(actions) => who.role().is_some_and(|role| actions.iter().all(|a| may(role, *a))),
        }
    }
}

/// One command. `passes_when`: what a permitted run may fail with once past the role check (an
/// id that does not exist, a channel that does not answer); `None` means it must succeed.
/// `runs_until_stopped`: a service that prints a first line once running, then is stopped.
struct Row {
    args: &'static [&'static str],
    needs: Needs,
    passes_when: Option<&'static str>,
    runs_until_stopped: bool,
}

const fn row(args: &'static [&'static str], needs: Needs) -> Row {
    Row { args, needs, passes_when: None, runs_until_stopped: false }
}

const fn row_or(args: &'static [&'static str], needs: Needs, passes_when: &'static str) -> Row {
    Row { args, needs, passes_when: Some(passes_when), runs_until_stopped: false }
}

const fn service(args: &'static [&'static str]) -> Row {
    Row { args, needs: Needs::Service, passes_when: None, runs_until_stopped: true }
}

use Action as A;
use Needs::{Open, User};

/// A channel that never answers: port 9 (discard) on loopback, closed on a test machine.
const DEAD: &str = "connect";
/// Commands that reach out to the channel (which does not answer here) or to a scenario may
/// fail in their own words once past the role check; a role refusal still fails the row.
const PAST_THE_ROLE_CHECK: &str = "";

const TABLE: &[Row] = &[
    row(&["init"], Open),
    row(&["import", "locations", "{dir}/l2.csv"], User(&[A::ImportLocations])),
    row(&["import", "items", "{dir}/i2.csv"], User(&[A::ImportItems])),
    row(&["import", "stock", "{dir}/s2.csv"], User(&[A::ImportStock])),
    row(&["kit", "set", "K-1", "--component", "A-1:2"], User(&[A::KitEdit])),
    row(&["kit", "show", "K-1"], Open),
    row(&["label", "item", "A-1", "--format", "zpl", "--out", "{dir}/a-1.zpl"], Open),
    row(&["label", "location", "WH1", "--format", "pdf", "--out", "{dir}/wh1.pdf"], Open),
    row(&["label", "commands", "--format", "zpl", "--out", "{dir}/commands.zpl"], Open),
    row(&["import", "kits", "{dir}/k.csv"], User(&[A::KitEdit])),
    row(&["import", "packs", "{dir}/p.csv"], User(&[A::ImportItems])),
    row(&["pack", "list", "--sku", "A-1"], Open),
    row(&["pack", "remove", "A-1-CASE"], User(&[A::ImportItems])),
    row_or(&["kit", "remove", "K-1"], User(&[A::KitEdit]), "is not a kit"),
    // Lots (issue 21): A-1 holds stock, so its tracking stays as it is (none).
    row(&["item", "set", "A-1", "--tracking", "none"], User(&[A::ImportItems])),
    row_or(&["lots", "suggest", "A-1", "--qty", "1", "--location", "WH1"], Open, "not tracked"),
    row(&["lots", "expire", "--date", "2027-01-01"], User(&[A::Damage])),
    row(&["expiring", "--within", "30"], Open),
    row(&["export", "stock", "{dir}/out-stock.csv"], Open),
    row(&["export", "events", "{dir}/out-events.csv"], Open),
    row(&["receive", "A-1", "2", "--location", "WH1"], User(&[A::Receive])),
    row(&["adjust", "A-1", "1", "--location", "WH1", "--reason", "found"], User(&[A::Adjust])),
    row(
        &["adjust", "C-1", "-1000", "--location", "WH1", "--reason", "found short", "--override"],
        User(&[A::Adjust, A::OverrideNegative]),
    ),
    row(&["damage", "A-1", "1", "--location", "WH1", "--reason", "damaged"], User(&[A::Damage])),
    row(&["write-off", "A-1", "1", "--location", "WH1", "--reason", "damaged"], User(&[A::WriteOff])),
    row(&["sale", "A-1", "1", "--location", "WH1"], User(&[A::Sale])),
    row(&["fulfil", "A-1", "1", "--location", "WH1"], User(&[A::Fulfil])),
    row(&["sale", "A-1", "1", "--location", "WH1"], User(&[A::Sale])),
    row(&["cancel", "A-1", "1", "--location", "WH1"], User(&[A::Cancel])),
    row(&["return", "A-1", "1", "--location", "WH1"], User(&[A::Return])),
    row(&["reserve", "A-1", "1", "--location", "WH1"], User(&[A::Reserve])),
    row(&["release", "A-1", "1", "--location", "WH1"], User(&[A::Release])),
    row(&["transfer", "A-1", "1", "--from", "WH1", "--to", "WH2"], User(&[A::Transfer])),
    row(&["transfer", "ship", "A-1", "1", "--from", "WH1", "--to", "WH2"], User(&[A::Transfer])),
    row_or(&["transfer", "receive", "{ship}"], User(&[A::Transfer]), "already received"),
    row_or(&["reverse", "{event}", "--reason", "typo"], User(&[A::Reverse]), "already reversed"),
    row(&["stock"], Open),
    row(&["events", "--limit", "5"], Open),
    row(&["audit", "verify"], Open),
    row(&["audit", "list", "--kind", "event", "--limit", "5"], User(&[A::AuditView])),
    row(&["check"], Open),
    row(&["scan", "parse", "4006381333931"], Open),
    row(&["scan", "devices"], Open),
    row(&["tolerance", "set", "--units", "3"], User(&[A::ToleranceSet])),
    row(&["count", "start", "--location", "WH1", "--sku", "A-1"], User(&[A::CountStart])),
    row(&["count", "scan", "{session}", "A-1", "1"], User(&[A::CountScan])),
    row_or(&["count", "pause", "{session}"], User(&[A::CountPause]), "is paused"),
    row_or(&["count", "resume", "{session}"], User(&[A::CountPause]), "is open"),
    row(&["count", "show", "{session}"], Open),
    row(&["count", "plan", "due", "--location", "WH1"], User(&[])),
    row(&["count", "plan", "due", "--location", "WH1", "--generate"], User(&[A::CountGenerate])),
    row_or(&["count", "submit", "{session}"], User(&[A::CountSubmit]), "is submitted"),
    row(&["approvals", "list"], User(&[A::ApprovalsView])),
    row_or(
        &["approvals", "approve", "no-such", "--reason", "ok"],
        User(&[A::ApprovalsDecide]),
        "unknown approval",
    ),
    row_or(
        &["approvals", "reject", "no-such", "--reason", "no"],
        User(&[A::ApprovalsDecide]),
        "unknown approval",
    ),
    row_or(
        &["approvals", "recount", "no-such", "--reason", "again"],
        User(&[A::ApprovalsDecide]),
        "unknown approval",
    ),
    row_or(&["report", "variance", "no-such"], Open, "unknown count session"),
    row(&["report", "accuracy"], Open),
    row_or(
        &["report", "count-pack", "no-such", "--out", "no-such-pack.pdf"],
        User(&[A::ApprovalsView]),
        "unknown count session",
    ),
    row(&["report", "shrink", "--days", "7"], Open),
    row(&["report", "variance-by", "location"], Open),
    row(&["settings", "set", "write_off_approval_value", "250.00"], User(&[A::SettingSet])),
    row(&["user", "add", "{new}", "--role", "staff"], User(&[A::UserAdd])),
    row(&["user", "list"], Open),
    row(&["user", "passwd", "stu"], User(&[A::UserResetPin])),
    row(&["user", "unlock", "stu"], User(&[A::UserUnlock])),
    row(&["user", "deactivate", "stu"], User(&[A::UserDeactivate])),
    row(&["user", "activate", "stu"], User(&[A::UserDeactivate])),
    row(
        &[
            "channel",
            "add",
            "shopify",
            "{new}",
            "--endpoint",
            "http://127.0.0.1:9",
            "--shop",
            "x.myshopify.com",
        ],
        User(&[A::ChannelAdd]),
    ),
    row(&["channel", "list"], Open),
    row_or(
        &[
            "channel",
            "notifications",
            "shop",
            "--queue-url",
            "https://sqs.us-east-1.amazonaws.com/1/q",
            "--region",
            "us-east-1",
        ],
        User(&[A::ChannelNotifications]),
        "ORDER_CHANGE notifications are Amazon's",
    ),
    row_or(&["channel", "test", "shop"], User(&[A::ChannelTest]), PAST_THE_ROLE_CHECK),
    row_or(&["channel", "link", "shop"], User(&[A::ChannelLink]), DEAD),
    row(
        &[
            "channel",
            "map",
            "shop",
            "A-1",
            "--location",
            "WH1",
            "--item",
            "gid://shopify/InventoryItem/1",
            "--remote-location",
            "gid://shopify/Location/1",
        ],
        User(&[A::ChannelLink]),
    ),
    row(&["channel", "import-mappings", "shop", "{dir}/m.csv"], User(&[A::ChannelLink])),
    row(&["channel", "rule", "shop", "--percent", "90"], User(&[A::ChannelRule])),
    row_or(&["sync", "run", "--once"], Needs::Service, PAST_THE_ROLE_CHECK),
    row(&["sync", "status"], Open),
    row_or(&["sync", "explain", "A-1", "--channel", "shop"], Open, PAST_THE_ROLE_CHECK),
    row(&["sync", "dlq", "list"], Open),
    row(&["sync", "dlq", "retry"], User(&[A::DeadLetterRetry])),
    row(&["sync", "flash-sale", "show"], Open),
    row(&["report", "scorecard", "--days", "7"], Open),
    row(&["sync", "flash-sale", "dry-run", "--window", "10m", "--trigger", "3"], Open),
    row(
        &["sync", "flash-sale", "on", "--window", "5m", "--trigger", "4"],
        User(&[A::SettingSet, A::ChannelRule]),
    ),
    row(&["sync", "flash-sale", "off"], User(&[A::SettingSet, A::ChannelRule])),
    service(&["sim", "--port", "0"]),
    service(&["serve", "--port", "0"]),
    service(&["webhook", "serve", "--port", "0"]),
    row_or(&["orders", "poll", "--channel", "shop"], Needs::Service, PAST_THE_ROLE_CHECK),
    row_or(&["orders", "listen", "--once"], Needs::Service, PAST_THE_ROLE_CHECK),
    row(&["orders", "capture-rate"], Open),
    row_or(&["reconcile", "--dry-run"], Open, PAST_THE_ROLE_CHECK),
    row_or(&["reconcile"], User(&[A::Reconcile]), PAST_THE_ROLE_CHECK),
    row_or(&["drift", "report", "--top", "5"], User(&[A::DriftAudit]), PAST_THE_ROLE_CHECK),
    row(&["drift", "history"], Open),
    row_or(&["drift", "show", "999"], Open, "999"),
    row(&["alerts", "list"], Open),
    row_or(&["alerts", "ack", "999"], User(&[A::AlertAck]), "999"),
    row(&["alerts", "threshold", "queue_depth", "200"], User(&[A::AlertThresholdSet])),
    row(&["alerts", "thresholds"], Open),
    row(&["alerts", "target-add", "ops@example.com"], User(&[A::AlertContacts])),
    row(&["alerts", "contacts"], Open),
    row(
        &["alerts", "smtp", "--host", "127.0.0.1", "--from", "ShelfSync <a@example.com>"],
        User(&[A::AlertContacts]),
    ),
    row_or(&["alerts", "deliver"], User(&[A::AlertDeliver]), PAST_THE_ROLE_CHECK),
    row(&["alerts", "targets"], Open),
    row(&["alerts", "hours"], Open),
    row(&["alerts", "hours", "--zone", "America/New_York"], User(&[A::BusinessHoursSet])),
    row(&["alerts", "peak-add", "2026-11-27"], User(&[A::BusinessHoursSet])),
    row_or(&["alerts", "peak-remove", "2026-11-28"], User(&[A::BusinessHoursSet]), "2026-11-28"),
    row(&["incidents", "list"], Open),
    row_or(&["incidents", "show", "999"], Open, "999"),
    row_or(&["incidents", "resolve", "999", "--cause", "late-sync"], User(&[A::IncidentResolve]), "999"),
    row(&["incidents", "report"], Open),
    row(&["health"], Open),
    row_or(&["bench", "scenario", "no-such-scenario"], Open, "no-such-scenario"),
    row(
        &["debug", "append-script", "--seed", "1", "--count", "3"],
        User(&[A::ImportItems, A::ImportLocations, A::Receive, A::Transfer, A::Sale]),
    ),
    // Last: it would fill the database with 1,000 SKUs (it refuses one that holds events).
    row_or(&["demo"], User(&[A::LoadDemo]), "the demo needs an empty one"),
];

/// Commands this table does not run, and where they are tried instead.
const ELSEWHERE: &[(&str, &str)] = &[
    ("hub", "hub_cli.rs: hub connect and credentials ask the policy themselves (HubConnect, HubCredentials)"),
    ("scan listen", "opens no database and listens to a device until Ctrl-C"),
];

const PINS: [(&str, &str); 4] = [("ada", "1111"), ("sam", "2222"), ("cat", "3333"), ("stu", "4444")];

fn actor(who: As) -> Option<&'static str> {
    match who {
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
    dir: tempfile::TempDir,
    path: PathBuf,
    /// Placeholders in a row's arguments and their values.
    values: Vec<(&'static str, String)>,
}

impl Db {
    fn command(&self, user: Option<&str>, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_shelfsync"));
        command
            .arg("--db")
            .arg(&self.path)
            .args(args)
            .env_remove("SHELFSYNC_USER")
            .env_remove("SHELFSYNC_PIN")
            .env("SHELFSYNC_SECRETS", "file")
            .env("SHELFSYNC_LOG_DIR", self.dir.path().join("logs"))
            .env("SHELFSYNC_SHOPIFY_TOKEN", "shpat_test")
            .env("SHELFSYNC_SMTP_PASSWORD", "smtp-test")
            .env("SHELFSYNC_AWS_ACCESS_KEY_ID", "AKIATEST")
            .env("SHELFSYNC_AWS_SECRET_ACCESS_KEY", "secret-test")
            .stdin(Stdio::null());
        // `user passwd stu` keeps stu's PIN, so later rows still sign stu in.
        command.env("SHELFSYNC_NEW_PIN", pin("stu"));
        if let Some(user) = user {
            // The environment's form of --user: automation's way.
            command.env("SHELFSYNC_USER", user).env("SHELFSYNC_PIN", pin(user));
        }
        command
    }

    fn run(&self, user: Option<&str>, args: &[&str]) -> Output {
        self.command(user, args).output().unwrap()
    }

    fn ok(&self, user: Option<&str>, args: &[&str]) -> String {
        let out = self.run(user, args);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    /// A long-running service: if it prints its first line it is running (past any role check)
    /// and is stopped; if it exits first, its output is returned as a normal run's.
    fn run_until_first_line(&self, user: Option<&str>, args: &[&str]) -> Option<Output> {
        let mut child =
            self.command(user, args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
        if !first.is_empty() {
            let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
            let _ = child.wait();
            return None;
        }
        let out = child.wait_with_output().unwrap();
        Some(out)
    }

    fn expand(&self, args: &[&str], n: usize) -> Vec<String> {
        args.iter()
            .map(|a| {
                if *a == "{new}" {
                    return format!("new{n}");
                }
                let mut a = a.to_string();
                for (key, value) in &self.values {
                    a = a.replace(key, value);
                }
                a
            })
            .collect()
    }
}

/// Every row of every table except the sign-in counters (a refused PIN moves them, by design)
/// and the lease and job tables the service rows touch as they start and stop.
fn fingerprint(path: &Path) -> String {
    let store = Store::open(path).unwrap();
    let conn = connection(&store);
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

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// A warehouse set up as a user would: with no users yet the CLI acts freely (locations,
/// items, stock, a channel), then the first admin adds the others and the rest needs them.
fn setup() -> Db {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roles.db");
    let mut db = Db { dir, path, values: Vec::new() };
    let d = db.dir.path().to_path_buf();
    write(&d, "l.csv", "code,name\nWH1,Main\nWH2,Back\n");
    write(
        &d,
        "i.csv",
        "sku,name,unit_cost,category,safety_stock,barcodes\nA-1,Mug,2.00,home,0,\nC-1,Cap,5.00,apparel,0,\nK-1,Mug pair,4.00,home,0,\n",
    );
    write(&d, "s.csv", "sku,location,qty\nA-1,WH1,100\nC-1,WH1,30\n");
    write(&d, "l2.csv", "code,name\nWH3,Annex\n");
    write(&d, "i2.csv", "sku,name,unit_cost,category,safety_stock,barcodes\nD-1,Dish,1.00,home,0,\n");
    write(&d, "s2.csv", "sku,location,qty\nA-1,WH2,1\n");
    write(&d, "k.csv", "kit,component,qty\nK-1,A-1,2\nK-1,C-1,1\n");
    write(&d, "p.csv", "barcode,sku,qty\nA-1-CASE,A-1,12\n");
    write(
        &d,
        "m.csv",
        "sku,location,inventory_item_id,location_id\nC-1,WH1,gid://shopify/InventoryItem/2,gid://shopify/Location/1\n",
    );
    db.ok(None, &["init"]);
    for (kind, file) in [("locations", "l.csv"), ("items", "i.csv"), ("stock", "s.csv")] {
        db.ok(None, &["import", kind, d.join(file).to_str().unwrap()]);
    }
    db.ok(
        None,
        &[
            "channel",
            "add",
            "shopify",
            "shop",
            "--endpoint",
            "http://127.0.0.1:9",
            "--shop",
            "x.myshopify.com",
        ],
    );
    let add = |name: &str, role: &str, by: Option<&str>| {
        let mut command = db.command(by, &["user", "add", name, "--role", role]);
        command.env("SHELFSYNC_NEW_PIN", pin(name));
        let out = command.output().unwrap();
        assert!(out.status.success(), "add {name}: {}", String::from_utf8_lossy(&out.stderr));
    };
    add("ada", "admin", None);
    add("sam", "supervisor", Some("ada"));
    add("cat", "staff", Some("ada"));
    add("stu", "staff", Some("ada"));
    let json = |out: String| serde_json::from_str::<serde_json::Value>(&out).unwrap();
    let ship =
        json(db.ok(Some("cat"), &["transfer", "ship", "A-1", "1", "--from", "WH1", "--to", "WH2", "--json"]));
    let received = json(db.ok(Some("cat"), &["receive", "A-1", "1", "--location", "WH2", "--json"]));
    let session = json(db.ok(Some("cat"), &["count", "start", "--location", "WH2", "--json"]));
    db.values = vec![
        ("{dir}", d.to_str().unwrap().to_string()),
        ("{ship}", ship["id"].as_str().unwrap().to_string()),
        ("{event}", received["id"].as_str().unwrap().to_string()),
        ("{session}", session["id"].as_str().unwrap().to_string()),
    ];
    db
}

fn check(db: &Db, row: &Row, who: As, n: usize) -> Result<(), String> {
    let args = db.expand(row.args, n);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let before = fingerprint(&db.path);
    let out = if row.runs_until_stopped {
        match db.run_until_first_line(actor(who), &args) {
            None if row.needs.permits(who) => return Ok(()),
            None => return Err("refused by the table but it started".into()),
            Some(out) => out,
        }
    } else {
        db.run(actor(who), &args)
    };
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let role_refusal = stderr.contains("may not") || stderr.contains("--user NAME");
    match (row.needs.permits(who), out.status.success()) {
        (true, true) => Ok(()),
        (true, false) if role_refusal => Err(format!("permitted but refused: {stderr:?}")),
        (true, false) if row.passes_when.is_some_and(|w| stderr.contains(w)) => Ok(()),
        (true, false) => Err(format!("permitted but: exit {:?}, {stderr:?}", out.status.code())),
        (false, true) => Err("refused by the table but it succeeded".into()),
        (false, false)
            if !role_refusal || !stderr.starts_with("error: ") || stderr.trim().lines().count() != 1 =>
        {
            Err(format!("refused, but not as a one-line role refusal: {stderr:?}"))
        }
        (false, false) if fingerprint(&db.path) != before => Err("refused, yet the database changed".into()),
        (false, false) => Ok(()),
    }
}

#[test]
fn every_cli_command_as_every_role_follows_the_policy() {
    let db = setup();
    let mut failures = Vec::new();
    let mut tried = 0;
    for row in TABLE {
        for who in EVERY_ROLE {
            tried += 1;
            if let Err(why) = check(&db, row, who, tried) {
                failures.push(format!("{:?} as {who:?}: {why}", row.args));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {tried} cases disagree with the policy:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(tried, TABLE.len() * EVERY_ROLE.len());
}

/// The command paths `shelfsync` lists in its help, walked down: (path, runs on its own).
fn commands_in_help() -> Vec<(Vec<String>, bool)> {
    let mut found = Vec::new();
    let mut queue = vec![Vec::<String>::new()];
    while let Some(path) = queue.pop() {
        assert!(found.len() < 500, "the help walk is bounded");
        let out = Command::new(env!("CARGO_BIN_EXE_shelfsync")).args(&path).arg("--help").output().unwrap();
        let help = String::from_utf8(out.stdout).unwrap();
        let usage = help.lines().find(|l| l.starts_with("Usage:")).unwrap_or_default().to_string();
        let children: Vec<String> = help
            .lines()
            .skip_while(|l| !l.starts_with("Commands:"))
            .skip(1)
            .take_while(|l| !l.trim().is_empty())
            .filter_map(|l| l.split_whitespace().next().map(str::to_string))
            .filter(|name| name != "help")
            .collect();
        if !path.is_empty() {
            found.push((path.clone(), children.is_empty() || usage.contains("[COMMAND]")));
        }
        for child in children {
            let mut next = path.clone();
            next.push(child);
            queue.push(next);
        }
    }
    found
}

#[test]
fn the_table_covers_every_command_the_cli_has() {
    let commands = commands_in_help();
    assert!(commands.len() > 60, "the help walk found {} commands", commands.len());
    let known: BTreeSet<Vec<String>> = commands.iter().map(|(p, _)| p.clone()).collect();
    // A row's command is the longest prefix of its arguments that is a command.
    let covered: BTreeSet<Vec<String>> = TABLE
        .iter()
        .filter_map(|row| {
            (1..=row.args.len())
                .rev()
                .map(|n| row.args[..n].iter().map(|a| a.to_string()).collect::<Vec<_>>())
                .find(|prefix| known.contains(prefix))
        })
        .collect();
    let missing: Vec<String> = commands
        .iter()
        .filter(|(_, leaf)| *leaf)
        .map(|(path, _)| path.join(" "))
        .filter(|path| !covered.contains(&path.split(' ').map(str::to_string).collect::<Vec<_>>()))
        .filter(|path| {
            !ELSEWHERE.iter().any(|(prefix, _)| path == prefix || path.starts_with(&format!("{prefix} ")))
        })
        .collect();
    assert!(missing.is_empty(), "commands with no row in the role table: {missing:?}");
}

/// The recorded name is the verified user's; a name without its PIN is refused, and so is a
/// change with no name at all once users exist; the service acts in its own name.
#[test]
fn the_audit_records_only_verified_names() {
    let db = setup();
    let receive = ["receive", "A-1", "1", "--location", "WH1", "--json"];
    let mut forged = db.command(None, &receive);
    forged.env("SHELFSYNC_USER", "ada").env("SHELFSYNC_PIN", "0000");
    let out = forged.output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("wrong user or PIN for 'ada'"));
    let mut no_pin = db.command(None, &receive);
    no_pin.arg("--user").arg("ada");
    let out = no_pin.output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("no PIN"), "{out:?}");
    db.ok(Some("stu"), &receive);
    let events: serde_json::Value = serde_json::from_str(&db.ok(None, &["events", "--json"])).unwrap();
    let last = events.as_array().unwrap().last().unwrap();
    assert_eq!((last["actor"].as_str(), last["kind"].as_str()), (Some("stu"), Some("receive")));
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
