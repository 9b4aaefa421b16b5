//! `shelfsync hub ...` end to end: real `shelfsync` processes on three SQLite files, a real
//! throwaway PostgreSQL cluster as the hub, and the channel simulator over loopback HTTP.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use shelfsync_hub::testing::{Durability, PgCluster};
use shelfsync_store::testing::connection;
use support::{SimProcess, ok, shelfsync, write};

const TOKEN: &str = "shpat_hub_test";
/// Short, so a takeover happens within seconds in the test; production uses 30 s.
const LEASE_TTL: &str = "2";
/// Generous functional bound for convergence on a loaded 2-core box; the benchmark measures
/// the real figures.
const SETTLE: Duration = Duration::from_secs(60);

/// `shelfsync hub sync` as a child process; SIGKILLed when dropped or killed.
struct Daemon {
    child: Child,
}

impl Daemon {
    fn start(db: &Path, log: &Path) -> Daemon {
        let log = std::fs::File::create(log).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_shelfsync"))
            .arg("--db")
            .arg(db)
            .args(["hub", "sync", "--lease-ttl", LEASE_TTL])
            .env("SHELFSYNC_SECRETS", "file")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        Daemon { child }
    }

    /// kill -9: no clean-up, no lease release.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) -> Duration {
    let started = Instant::now();
    while started.elapsed() < limit {
        if done() {
            return started.elapsed();
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{what}: not within {limit:?}");
}

fn status(db: &Path) -> serde_json::Value {
    serde_json::from_str(&ok(db, &["hub", "status", "--json"], &[])).unwrap()
}

/// Runs a ledger command and returns the id of the event it acknowledged.
fn act(db: &Path, args: &[&str]) -> String {
    let mut all = args.to_vec();
    all.push("--json");
    let out: serde_json::Value = serde_json::from_str(&ok(db, &all, &[])).unwrap();
    out["id"].as_str().unwrap().to_string()
}

fn event_ids(db: &Path) -> BTreeSet<String> {
    let events: serde_json::Value = serde_json::from_str(&ok(db, &["events", "--json"], &[])).unwrap();
    events.as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap().to_string()).collect()
}

fn stock(db: &Path) -> BTreeMap<(String, String), (i64, i64)> {
    let rows: serde_json::Value = serde_json::from_str(&ok(db, &["stock", "--json"], &[])).unwrap();
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let key = (r["sku"].as_str().unwrap().to_string(), r["location"].as_str().unwrap().to_string());
            (key, (r["on_hand"].as_i64().unwrap(), r["atp"].as_i64().unwrap()))
        })
        .collect()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

/// The hub's event ids, non-zero on_hand balances by (sku, location), and lease holders.
type HubState = (BTreeSet<String>, BTreeMap<(String, String), i64>, Vec<String>);

/// The hub's events and non-zero on_hand balances, read straight from PostgreSQL.
fn hub_state(url: &str) -> HubState {
    runtime().block_on(async {
        let hub = shelfsync_hub::pg::connect(&shelfsync_hub::HubTarget::parse(url).unwrap()).await.unwrap();
        let ids =
            hub.client.query("SELECT id FROM events", &[]).await.unwrap().iter().map(|r| r.get(0)).collect();
        let balances = hub
            .client
            .query("SELECT sku, location, on_hand FROM balances WHERE on_hand <> 0", &[])
            .await
            .unwrap()
            .iter()
            .map(|r| ((r.get(0), r.get(1)), r.get(2)))
            .collect();
        let holders =
            shelfsync_hub::lease::history(&hub).await.unwrap().into_iter().map(|(_, h)| h).collect();
        (ids, balances, holders)
    })
}

/// Every acknowledged push on this workstation: (acked_at, workstation).
fn pushes(db: &Path, name: &str) -> Vec<(String, String)> {
    let store = shelfsync_store::Store::open(db).unwrap();
    let mut stmt = connection(&store).prepare("SELECT acked_at FROM pushes ORDER BY acked_at").unwrap();
    stmt.query_map([], |r| r.get::<_, String>(0)).unwrap().map(|at| (at.unwrap(), name.to_string())).collect()
}

fn setup_first(dir: &Path, sim: &SimProcess) -> PathBuf {
    let db = dir.join("ws1.db");
    ok(&db, &["init"], &[]);
    ok(&db, &["import", "locations", &write(dir, "l.csv", "code,name\nWH1,Main\n")], &[]);
    let items =
        "sku,name,unit_cost,category,safety_stock,barcodes\nA-1,Mug,3.50,home,0,\nB-1,Cup,1.00,home,0,\n";
    ok(&db, &["import", "items", &write(dir, "i.csv", items)], &[]);
    add_channel(&db, dir, sim);
    db
}

/// The channel, its secret and its listings: each workstation's own, set by its admin (they do
/// not come from the hub, where anyone with a workstation's login could rewrite them).
fn add_channel(db: &Path, dir: &Path, sim: &SimProcess) {
    ok(
        db,
        &["channel", "add", "shopify", "main", "--endpoint", &sim.url, "--shop", "demo.myshopify.com"],
        &[("SHELFSYNC_SHOPIFY_TOKEN", TOKEN)],
    );
    let mappings = "sku,location,inventory_item_id,location_id\n\
                    A-1,WH1,gid://shopify/InventoryItem/11,gid://shopify/Location/1\n\
                    B-1,WH1,gid://shopify/InventoryItem/12,gid://shopify/Location/1\n";
    ok(db, &["channel", "import-mappings", "main", &write(dir, "m.csv", mappings)], &[]);
}

fn sim_levels(sim: &SimProcess) -> BTreeMap<String, i64> {
    sim.state()["levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["item"].as_str().unwrap().to_string(), l["available"].as_i64().unwrap()))
        .collect()
}

#[test]
fn three_workstations_one_offline_lease_holder_killed_all_converge() {
    let pg = PgCluster::start(Durability::Fast);
    let url = pg.database("three");
    let dir = tempfile::tempdir().unwrap();
    let sim = SimProcess::start(11);
    let ws1 = setup_first(dir.path(), &sim);
    let ws2 = dir.path().join("ws2.db");
    let ws3 = dir.path().join("ws3.db");
    // 1. Three databases join one hub; the new ones need only `init` and `hub connect`.
    for (db, name) in [(&ws1, "ws1"), (&ws2, "ws2"), (&ws3, "ws3")] {
        if name != "ws1" {
            ok(db, &["init"], &[]);
        }
        ok(db, &["hub", "connect", &url, "--workstation", name], &[]);
        ok(db, &["hub", "sync", "--once"], &[]);
    }
    for db in [&ws2, &ws3] {
        ok(db, &["hub", "sync", "--once"], &[]);
        // The catalogue arrived from the hub; the channel is this workstation's admin's to add.
        add_channel(db, dir.path(), &sim);
    }
    let log = |name: &str| dir.path().join(format!("{name}.log"));
    let d1 = Daemon::start(&ws1, &log("ws1"));
    wait_until("ws1 takes the lease", SETTLE, || status(&ws1)["engine"] == "ws1");
    // Runs until the test ends (dropping a Daemon stops it); never addressed by name.
    let _d2 = Daemon::start(&ws2, &log("ws2"));
    let d3 = Daemon::start(&ws3, &log("ws3"));

    // 2. Each scans and adjusts.
    let mut acknowledged = BTreeSet::new();
    acknowledged.insert(act(&ws1, &["receive", "A-1", "20", "--location", "WH1"]));
    acknowledged.insert(act(&ws2, &["receive", "B-1", "10", "--location", "WH1"]));
    acknowledged.insert(act(&ws3, &["receive", "A-1", "5", "--location", "WH1"]));
    wait_until("everyone sees 25 A-1 and 10 B-1", SETTLE, || {
        [&ws1, &ws2, &ws3].iter().all(|db| {
            let s = stock(db);
            s.get(&("A-1".into(), "WH1".into())).map(|v| v.0) == Some(25)
                && s.get(&("B-1".into(), "WH1".into())).map(|v| v.0) == Some(10)
        })
    });
    acknowledged.insert(act(&ws1, &["adjust", "A-1", "-4", "--location", "WH1", "--reason", "count"]));
    acknowledged.insert(act(&ws2, &["adjust", "B-1", "-3", "--location", "WH1", "--reason", "count"]));

    let a1 = "gid://shopify/InventoryItem/11".to_string();
    let b1 = "gid://shopify/InventoryItem/12".to_string();
    wait_until("ws1's engine pushes 21 mugs and 7 cups", SETTLE, || {
        sim_levels(&sim) == [(a1.clone(), 21), (b1.clone(), 7)].into()
    });

    // 3. ws3 goes offline (its link to the hub dies) and keeps working on its own file.
    d3.kill();
    for i in 0..8 {
        acknowledged.insert(act(
            &ws3,
            &["receive", "A-1", "1", "--location", "WH1", "--reason", &format!("offline {i}")],
        ));
    }
    acknowledged.insert(act(&ws3, &["adjust", "B-1", "-1", "--location", "WH1", "--reason", "offline"]));
    assert_eq!(status(&ws3)["pending_up"], 9, "ws3's offline work waits to go up");

    // 4. The lease holder dies (kill -9); another workstation's engine takes over.
    d1.kill();
    let took = wait_until("another workstation takes the lease", SETTLE, || {
        let engine = status(&ws2)["engine"].clone();
        engine == "ws2" || engine == "ws3"
    });
    eprintln!("takeover after {took:?}");
    acknowledged.insert(act(&ws2, &["receive", "B-1", "2", "--location", "WH1"]));

    // 5. Everything reconnects.
    let _d3 = Daemon::start(&ws3, &log("ws3-again"));
    let _d1 = Daemon::start(&ws1, &log("ws1-again"));
    wait_until("all caught up", SETTLE, || {
        [&ws1, &ws2, &ws3].iter().all(|db| {
            let s = status(db);
            s["connected"] == true && s["pending_up"] == 0 && s["lag_events"] == 0
        }) && [&ws2, &ws3].iter().all(|db| event_ids(db) == event_ids(&ws1))
    });

    // All four ledgers hold the same events and balances; nothing acknowledged was lost.
    let (hub_ids, hub_balances, holders) = hub_state(&url);
    let ids = event_ids(&ws1);
    assert_eq!(ids, hub_ids);
    assert!(acknowledged.is_subset(&ids), "an acknowledged event is missing");
    assert_eq!(ids.len(), acknowledged.len(), "nothing doubled, nothing invented");
    let balances = stock(&ws1);
    for db in [&ws2, &ws3] {
        assert_eq!(event_ids(db), ids);
        assert_eq!(stock(db), balances);
        ok(db, &["check"], &[]);
        ok(db, &["audit", "verify"], &[]);
    }
    let on_hand: BTreeMap<(String, String), i64> =
        balances.iter().filter(|(_, v)| v.0 != 0).map(|(k, v)| (k.clone(), v.0)).collect();
    assert_eq!(on_hand, hub_balances);
    // 25 - 4 + 8 = 29 mugs; 10 - 3 - 1 + 2 = 8 cups.
    assert_eq!(on_hand[&("A-1".to_string(), "WH1".to_string())], 29);
    assert_eq!(on_hand[&("B-1".to_string(), "WH1".to_string())], 8);

    // The channel holds the converged quantities, pushed by whoever holds the lease now.
    let want: BTreeMap<String, i64> = [
        (a1, balances[&("A-1".to_string(), "WH1".to_string())].1),
        (b1, balances[&("B-1".to_string(), "WH1".to_string())].1),
    ]
    .into();
    wait_until("the simulator holds the ledger's quantities", SETTLE, || sim_levels(&sim) == want);

    // Exactly one engine pushed at any time: ordered by time, the pushes fall into runs of one
    // workstation each, in the order the lease passed between them.
    let mut all: Vec<(String, String)> = [(&ws1, "ws1"), (&ws2, "ws2"), (&ws3, "ws3")]
        .iter()
        .flat_map(|(db, name)| pushes(db, name))
        .collect();
    all.sort();
    let mut runs: Vec<String> = all.into_iter().map(|(_, ws)| ws).collect();
    runs.dedup();
    let mut lease_order = holders.iter();
    for run in &runs {
        assert!(
            lease_order.any(|holder| holder == run),
            "pushes {runs:?} do not follow the lease {holders:?}"
        );
    }
    assert!(runs.len() >= 2, "both the first engine and its successor pushed: {runs:?}");
}

#[test]
fn bad_hub_input_gives_one_error_line_and_changes_nothing() {
    let pg = PgCluster::start(Durability::Fast);
    let url = pg.database("bad");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    ok(&db, &["init"], &[]);
    let missing = dir.path().join("missing.db");
    let cases: Vec<(&Path, Vec<&str>, &str)> = vec![
        (&db, vec!["hub", "connect", "http://example.com/db", "--workstation", "a"], "invalid hub URL"),
        (&db, vec!["hub", "connect", "postgres://", "--workstation", "a"], "invalid hub URL"),
        (
            &db,
            vec!["hub", "connect", "postgres://me:s3cret@127.0.0.1:1/hub", "--workstation", "a"],
            "the hub password does not go on the command line",
        ),
        (
            &db,
            vec!["hub", "connect", "postgres://me@127.0.0.1:1/hub", "--workstation", "a"],
            "cannot reach the hub at me@127.0.0.1:1/hub",
        ),
        (
            &db,
            vec!["hub", "connect", "postgres://me@hub.example/hub?sslmode=prefer", "--workstation", "a"],
            "the hub at me@hub.example:5432/hub is not on this machine, so TLS is required",
        ),
        (
            &db,
            vec!["hub", "connect", "postgres://me@hub.example/hub?sslmode=disable", "--workstation", "a"],
            "use sslmode=require",
        ),
        (&db, vec!["hub", "connect", &url, "--workstation", "no spaces"], "invalid workstation name"),
        (&missing, vec!["hub", "connect", &url, "--workstation", "a"], "no database at"),
        (&db, vec!["hub", "sync", "--once"], "not connected to a hub"),
        (&db, vec!["hub", "sync", "--lease-ttl", "0"], "0 is not in 1..=600"),
        (&db, vec!["hub", "credentials", "nope"], "unknown channel 'nope'"),
    ];
    for (target, args, expected) in cases {
        let out = shelfsync(target, &args, &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(!stderr.contains("s3cret"), "{args:?} printed the password: {stderr}");
        assert_eq!(stderr.lines().filter(|l| l.starts_with("error:")).count(), 1, "{args:?}: {stderr}");
        assert!(!missing.exists(), "{args:?} created a database");
        assert!(!dir.path().join("s.db.secrets").exists(), "{args:?} stored a secret");
        assert_eq!(status(&db)["workstation"], serde_json::Value::Null, "{args:?} joined anyway");
    }
    // And the good form works, and says where it joined without the password.
    let joined = ok(&db, &["hub", "connect", &url, "--workstation", "a", "--json"], &[]);
    assert!(joined.contains("\"workstation\": \"a\""), "{joined}");
    assert_eq!(status(&db)["connected"], true);
}

/// (extra arguments, environment, what the one error line says)
type Refusal<'a> = (&'a [&'a str], Vec<(&'a str, &'a str)>, &'a str);

/// The way a real hub is joined: the hub's owner is an ordinary role with CREATEROLE that logs
/// in with a password; `hub connect` reads it from SHELFSYNC_HUB_PASSWORD, never from argv,
/// keeps only the workstation's own generated login, and is an admin's to run.
#[test]
fn hub_connect_takes_the_owner_password_from_the_environment_and_keeps_only_its_own_login() {
    let pg = PgCluster::start(Durability::Fast);
    pg.require_passwords();
    runtime().block_on(async {
        let owner =
            shelfsync_hub::pg::connect(&shelfsync_hub::HubTarget::parse(&pg.url("postgres")).unwrap())
                .await
                .unwrap();
        owner
            .client
            .batch_execute("CREATE ROLE hubowner LOGIN CREATEROLE PASSWORD 'owner-pw-7'")
            .await
            .unwrap();
        owner.client.batch_execute("CREATE DATABASE real OWNER hubowner").await.unwrap();
    });
    let url = format!("postgres://hubowner@127.0.0.1:{}/real?sslmode=disable", pg.port);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ws.db");
    ok(&db, &["init"], &[]);
    ok(&db, &["import", "locations", &write(dir.path(), "l.csv", "code,name\nWH1,Main\n")], &[]);
    let items = "sku,name,unit_cost,category,safety_stock,barcodes\nA-1,Mug,3.50,home,0,\n";
    ok(&db, &["import", "items", &write(dir.path(), "i.csv", items)], &[]);
    ok(&db, &["user", "add", "ada", "--role", "admin"], &[("SHELFSYNC_NEW_PIN", "1234")]);
    ok(
        &db,
        &["user", "add", "stu", "--role", "staff", "--user", "ada"],
        &[("SHELFSYNC_PIN", "1234"), ("SHELFSYNC_NEW_PIN", "5555")],
    );
    let connect = ["hub", "connect", url.as_str(), "--workstation", "pack-1"];
    let password = ("SHELFSYNC_HUB_PASSWORD", "owner-pw-7");
    // (who, environment, what the one error line says)
    let refused: [Refusal; 4] = [
        (&[], vec![password], "--user NAME"),
        (
            &["--user", "stu"],
            vec![password, ("SHELFSYNC_PIN", "5555")],
            "user 'stu' (staff) may not connect to a hub",
        ),
        (
            &["--user", "ada"],
            vec![("SHELFSYNC_PIN", "1234")],
            "the hub wants a password; set SHELFSYNC_HUB_PASSWORD",
        ),
        (
            &["--user", "ada"],
            vec![("SHELFSYNC_PIN", "1234"), ("SHELFSYNC_HUB_PASSWORD", "wrong")],
            "password authentication failed",
        ),
    ];
    for (who, env, expected) in refused {
        let args: Vec<&str> = connect.iter().chain(who).copied().collect();
        let out = shelfsync(&db, &args, &env);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{who:?} joined");
        assert!(stderr.contains(expected), "{who:?}: {stderr}");
        assert_eq!(stderr.lines().filter(|l| l.starts_with("error:")).count(), 1, "{who:?}: {stderr}");
        assert!(!dir.path().join("ws.db.secrets").exists(), "{who:?} stored a secret");
    }
    // Storing a channel's secrets is an admin's too.
    let out = shelfsync(
        &db,
        &["hub", "credentials", "main", "--user", "stu"],
        &[("SHELFSYNC_PIN", "5555"), ("SHELFSYNC_SHOPIFY_TOKEN", TOKEN)],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("user 'stu' (staff) may not store hub credentials"), "{stderr}");
    let args: Vec<&str> = connect.iter().chain(&["--user", "ada"]).copied().collect();
    ok(&db, &args, &[("SHELFSYNC_PIN", "1234"), password]);
    let secrets = std::fs::read_to_string(dir.path().join("ws.db.secrets")).unwrap();
    assert!(!secrets.contains("owner-pw-7"), "the owner's password was kept");
    assert!(secrets.contains("pack-1@127.0.0.1"), "the workstation's own login is kept: {secrets}");
    // Replication runs under that login, with no password given.
    ok(&db, &["receive", "A-1", "1", "--location", "WH1", "--user", "ada"], &[("SHELFSYNC_PIN", "1234")]);
    ok(&db, &["hub", "sync", "--once"], &[]);
    let hub = status(&db);
    assert_eq!(hub["pending_up"], 0, "the receipt went up: {hub}");
    assert_eq!(
        (hub["connected"].as_bool(), hub["hub"].as_str()),
        (Some(true), Some(format!("pack-1@127.0.0.1:{}/real", pg.port).as_str()))
    );
}
