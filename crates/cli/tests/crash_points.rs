//! SIGKILL across the stack, through the real `shelfsync` binary as the child process:
//! - during a count posting (`count submit` of a session whose variances post at once);
//! - during a sync drain (`sync run --once` against `shelfsync sim`);
//! - during a migration (opening a database left at every earlier schema version).
//!
//! The parent kills the child at a random moment of its run (the window is measured from an
//! uninterrupted run first), then checks: nothing acknowledged was lost, nothing applied twice,
//! the outbox agrees with the ledger, and the file is sound. `SHELFSYNC_CRASH_ITERATIONS`
//! raises the per-suite iteration count on demand (defaults below keep each under a minute).
//! A failure prints the seed of the kill schedule.

mod support;

use std::collections::HashSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use shelfsync_core::{Event, LocationCode, Movement, Sku};
use shelfsync_store::{CountScope, MIGRATIONS, Store};
use support::{SimProcess, ok, write};

const SEED: u64 = 20_261_126;
const SKUS: usize = 12;

fn iterations(default: usize) -> usize {
    std::env::var("SHELFSYNC_CRASH_ITERATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Runs the binary; kills it after `kill_after` unless it finished. `Some(stdout)` when it
/// exited on its own with success: the acknowledgement.
fn run_or_kill(db: &Path, args: &[&str], env: &[(&str, &str)], kill_after: Duration) -> Option<Vec<u8>> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_shelfsync"));
    command.arg("--db").arg(db).args(args).env("SHELFSYNC_SECRETS", "file");
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let deadline = Instant::now() + kill_after;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut out = Vec::new();
            std::io::Read::read_to_end(child.stdout.as_mut().unwrap(), &mut out).unwrap();
            return status.success().then_some(out);
        }
        if Instant::now() >= deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            return None;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn sku(i: usize) -> String {
    format!("C-{i:02}")
}

/// A catalogue of `SKUS` items at WH1 with stock, an admin and a staff user, and a Shopify
/// channel on `endpoint` mapping every SKU (so every change writes outbox rows).
fn setup(dir: &Path, endpoint: &str) -> std::path::PathBuf {
    let db = dir.join("crash.db");
    ok(&db, &["init"], &[]);
    ok(&db, &["import", "locations", &write(dir, "l.csv", "code,name\nWH1,Main\n")], &[]);
    let mut items = String::from("sku,name,unit_cost,category,safety_stock,barcodes\n");
    let mut stock = String::from("sku,location,qty\n");
    let mut maps = String::from("sku,location,inventory_item_id,location_id\n");
    for i in 0..SKUS {
        items.push_str(&format!("{},Item {i},1.00,misc,0,\n", sku(i)));
        stock.push_str(&format!("{},WH1,500\n", sku(i)));
        maps.push_str(&format!(
            "{},WH1,gid://shopify/InventoryItem/{},gid://shopify/Location/1\n",
            sku(i),
            100 + i
        ));
    }
    ok(&db, &["import", "items", &write(dir, "i.csv", &items)], &[]);
    ok(&db, &["import", "stock", &write(dir, "s.csv", &stock)], &[]);
    ok(&db, &["user", "add", "ada", "--role", "admin"], &[("SHELFSYNC_NEW_PIN", "1111")]);
    ok(
        &db,
        &["user", "add", "stu", "--role", "staff", "--user", "ada"],
        &[("SHELFSYNC_PIN", "1111"), ("SHELFSYNC_NEW_PIN", "2222")],
    );
    ok(&db, &["tolerance", "set", "--units", "5", "--user", "ada"], &[("SHELFSYNC_PIN", "1111")]);
    let shop = ["channel", "add", "shopify", "shop", "--endpoint", endpoint, "--shop", "crash.myshopify.com"];
    // Users exist from here: a change needs a verified user (issue 17).
    let ada = [("SHELFSYNC_USER", "ada"), ("SHELFSYNC_PIN", "1111")];
    ok(&db, &shop, &[("SHELFSYNC_SHOPIFY_TOKEN", "shpat_crash"), ada[0], ada[1]]);
    ok(&db, &["channel", "import-mappings", "shop", &write(dir, "m.csv", &maps)], &ada);
    db
}

/// The outbox agrees with the ledger: every row wants exactly what the balances allocate.
fn outbox_consistent(store: &Store) -> Result<(), String> {
    let rows: Vec<(i64, i64)> = store
        .connection()
        .prepare("SELECT listing_id, desired_qty FROM outbox")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (listing, desired) in rows {
        let want = shelfsync_store::outbox::allocation_for(store.connection(), listing).unwrap().qty;
        if want != desired {
            return Err(format!("listing {listing}: outbox wants {desired}, the ledger allocates {want}"));
        }
    }
    Ok(())
}

fn sound(store: &Store) {
    assert_eq!(store.integrity_check().unwrap(), "ok", "seed {SEED}");
    assert!(store.projection_matches_rebuild().unwrap(), "seed {SEED}: projection differs from rebuild");
    assert!(store.verify_audit().unwrap().first_break.is_none(), "seed {SEED}: audit chain broken");
    outbox_consistent(store).unwrap_or_else(|e| panic!("seed {SEED}: {e}"));
}

fn count(store: &Store, sql: &str) -> i64 {
    store.connection().query_row(sql, [], |r| r.get(0)).unwrap()
}

/// An open count of every SKU at WH1, each counted within tolerance of what the ledger expects,
/// so submitting it posts a variance event per SKU.
fn prepared_count(db: &Path, rng: &mut rand::rngs::StdRng) -> String {
    let mut store = Store::open(db).unwrap();
    let stu = store.users().unwrap().into_iter().find(|u| u.name == "stu").unwrap();
    let scope =
        CountScope { location: "WH1".into(), skus: (0..SKUS).map(sku).collect(), ..CountScope::default() };
    let session = store.start_count(&scope, false, false, &stu, "ws").unwrap();
    for i in 0..SKUS {
        let expected =
            store.balances(&Sku::new(sku(i)).unwrap(), &LocationCode::new("WH1").unwrap()).unwrap().on_hand;
        let counted = (expected + rng.random_range(-3..=3)).max(0);
        store.count_scan(&session, &sku(i), counted, false, &stu, "ws").unwrap();
    }
    session
}

fn status(store: &Store, session: &str) -> String {
    store
        .connection()
        .query_row("SELECT status FROM count_sessions WHERE id = ?1", [session], |r| r.get(0))
        .unwrap()
}

#[test]
fn sigkill_during_count_postings_loses_no_acknowledged_posting_and_posts_none_twice() {
    let dir = tempfile::tempdir().unwrap();
    // No engine runs here; the endpoint is never called.
    let db = setup(dir.path(), "http://127.0.0.1:9");
    let mut rng = rand::rngs::StdRng::seed_from_u64(SEED);
    let submit = |session: &str, kill_after: Duration| {
        run_or_kill(
            &db,
            &["count", "submit", session, "--user", "stu"],
            &[("SHELFSYNC_PIN", "2222")],
            kill_after,
        )
    };
    let started = Instant::now();
    let first = prepared_count(&db, &mut rng);
    assert!(submit(&first, Duration::from_secs(30)).is_some(), "an uninterrupted submit works");
    let window = started.elapsed().max(Duration::from_millis(50));
    let mut acknowledged = vec![first];
    let mut killed = 0;
    let runs = iterations(120);
    for _ in 0..runs {
        let session = prepared_count(&db, &mut rng);
        let kill_after = Duration::from_micros(rng.random_range(0..window.as_micros() as u64 * 3 / 2));
        match submit(&session, kill_after) {
            Some(_) => acknowledged.push(session),
            None => {
                killed += 1;
                // The counter submits again after the crash: it must post once, not twice.
                let mut store = Store::open(&db).unwrap();
                if status(&store, &session) == "open" {
                    let stu = store.users().unwrap().into_iter().find(|u| u.name == "stu").unwrap();
                    store.submit_count(&session, false, &stu, "ws").unwrap();
                }
            }
        }
    }
    let store = Store::open(&db).unwrap();
    for session in &acknowledged {
        assert_ne!(status(&store, session), "open", "seed {SEED}: acknowledged submit of {session} lost");
    }
    let unposted = count(
        &store,
        "SELECT count(*) FROM count_lines l WHERE state = 'posted' AND variance != 0
         AND NOT EXISTS (SELECT 1 FROM events e WHERE e.id = l.event_id)",
    );
    let orphans = count(
        &store,
        "SELECT count(*) FROM events e WHERE kind = 'count_posting'
         AND NOT EXISTS (SELECT 1 FROM count_lines l WHERE l.event_id = e.id AND l.state = 'posted')",
    );
    let open = count(&store, "SELECT count(*) FROM count_sessions WHERE status = 'open'");
    assert_eq!(
        (unposted, orphans, open),
        (0, 0, 0),
        "seed {SEED}: postings lost, duplicated or left half-done"
    );
    sound(&store);
    eprintln!(
        "crash points (count posting): {runs} runs, {killed} killed mid-run, {} acknowledged, 0 lost, 0 duplicated",
        acknowledged.len()
    );
}

#[test]
fn sigkill_during_sync_drains_loses_nothing_and_applies_no_key_twice() {
    let dir = tempfile::tempdir().unwrap();
    let sim = SimProcess::start(SEED);
    let db = setup(dir.path(), &sim.url);
    let mut rng = rand::rngs::StdRng::seed_from_u64(SEED + 1);
    let drain = |kill_after: Duration| run_or_kill(&db, &["sync", "run", "--once"], &[], kill_after);
    let started = Instant::now();
    assert!(drain(Duration::from_secs(60)).is_some(), "an uninterrupted drain works");
    let window = started.elapsed().max(Duration::from_millis(50));
    let mut acknowledged = HashSet::new();
    let mut killed = 0;
    let runs = iterations(80);
    for _ in 0..runs {
        {
            let mut store = Store::open(&db).unwrap();
            for _ in 0..rng.random_range(1..=4) {
                let movement = Movement::Receive {
                    sku: Sku::new(sku(rng.random_range(0..SKUS))).unwrap(),
                    location: LocationCode::new("WH1").unwrap(),
                    qty: rng.random_range(1..=9),
                };
                let event = Event::new(movement, "crash", "ws");
                store.append(&event).unwrap();
                acknowledged.insert(event.id.to_string());
            }
            // The killed engine stopped renewing its lease; let it lapse now rather than
            // waiting out its 30 s (a clock jump past the expiry).
            store
                .connection()
                .execute("UPDATE sync_lease SET expires_at = '1970-01-01T00:00:00.000Z'", [])
                .unwrap();
        }
        let kill_after = Duration::from_micros(rng.random_range(0..window.as_micros() as u64 * 3 / 2));
        if drain(kill_after).is_none() {
            killed += 1;
        }
    }
    {
        let store = Store::open(&db).unwrap();
        store
            .connection()
            .execute("UPDATE sync_lease SET expires_at = '1970-01-01T00:00:00.000Z'", [])
            .unwrap();
    }
    assert!(drain(Duration::from_secs(60)).is_some(), "seed {SEED}: the last drain completes");
    let store = Store::open(&db).unwrap();
    let recorded: HashSet<String> = store
        .connection()
        .prepare("SELECT id FROM events")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let lost = acknowledged.iter().filter(|id| !recorded.contains(*id)).count();
    assert_eq!(lost, 0, "seed {SEED}: acknowledged events lost");
    sound(&store);
    let dirty = count(&store, "SELECT count(*) FROM outbox");
    let dead = count(&store, "SELECT count(*) FROM dead_letters");
    assert_eq!((dirty, dead), (0, 0), "seed {SEED}: the outbox drained, nothing dead-lettered");
    let state = sim.state();
    let stats = &state["stats"];
    assert_eq!(
        (stats["keys_applied_twice"].as_i64(), stats["key_mismatches"].as_i64()),
        (Some(0), Some(0)),
        "seed {SEED}: {stats}"
    );
    let levels = state["levels"].as_array().cloned().unwrap_or_default();
    for i in 0..SKUS {
        let item = format!("gid://shopify/InventoryItem/{}", 100 + i);
        let on_channel =
            levels.iter().find(|l| l["item"] == item.as_str()).and_then(|l| l["available"].as_i64());
        let listing: i64 = store
            .connection()
            .query_row("SELECT id FROM listings WHERE remote_item = ?1", [&item], |r| r.get(0))
            .unwrap();
        let want = shelfsync_store::outbox::allocation_for(store.connection(), listing).unwrap().qty;
        assert_eq!(on_channel, Some(want), "seed {SEED}: {item} converged");
    }
    eprintln!(
        "crash points (sync drain): {runs} runs, {killed} killed mid-drain, {} events acknowledged, 0 lost, 0 keys applied twice",
        acknowledged.len()
    );
}

/// Sends `signal` (STOP, CONT, KILL) to `pid` with the `kill` tool (a test tool: it must exist).
fn signal(pid: u32, signal: &str) -> bool {
    Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .stderr(Stdio::null())
        .status()
        .expect("the kill tool runs")
        .success()
}

/// Where a kill landed, as seen from outside while the child was stopped.
#[derive(Debug, PartialEq)]
enum Landed {
    /// The child held the write lock while the committed schema was still the old one: it was
    /// inside the migration transaction.
    InsideMigration,
    /// Anywhere else: starting up, reading, or after the migration committed.
    Elsewhere,
    /// It finished first.
    NotKilled,
}

/// Runs `shelfsync check` on `db` (left at version `from`) and hunts for the migration: it
/// stops the child every few hundred microseconds and probes the database from this process
/// (`BEGIN IMMEDIATE` with no wait fails only while another connection holds the write lock;
/// `user_version` shows the committed version). Found inside the migration: SIGKILL while it
/// is still stopped, so the kill lands exactly there. With `give_up_after` elapsed it kills
/// wherever the child is, so some kills land elsewhere too.
fn kill_in_migration(db: &Path, from: i64, give_up_after: Duration) -> Landed {
    let mut child = Command::new(env!("CARGO_BIN_EXE_shelfsync"))
        .arg("--db")
        .arg(db)
        .arg("check")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let probe = rusqlite::Connection::open(db).unwrap();
    probe.busy_timeout(Duration::ZERO).unwrap();
    let pid = child.id();
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return Landed::NotKilled;
        }
        if !signal(pid, "STOP") {
            child.wait().unwrap();
            return Landed::NotKilled;
        }
        let writing = match probe.execute_batch("BEGIN IMMEDIATE; ROLLBACK;") {
            Ok(()) => false,
            Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::DatabaseBusy => true,
            Err(e) => panic!("probe: {e}"),
        };
        // Busy here too while the child recovers the WAL or checkpoints: not the migration.
        let committed: Option<i64> = match probe.query_row("PRAGMA user_version", [], |r| r.get(0)) {
            Ok(v) => Some(v),
            Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::DatabaseBusy => None,
            Err(e) => panic!("probe: {e}"),
        };
        let landed = if writing && committed == Some(from) {
            Some(Landed::InsideMigration)
        } else if started.elapsed() >= give_up_after {
            Some(Landed::Elsewhere)
        } else {
            None
        };
        if let Some(landed) = landed {
            child.kill().unwrap();
            let status = child.wait().unwrap();
            // A child that exited on its own just before the kill was not killed.
            if status.success() {
                return Landed::NotKilled;
            }
            return landed;
        }
        signal(pid, "CONT");
        std::thread::sleep(Duration::from_micros(200));
    }
}

#[test]
fn sigkill_during_migrations_leaves_every_database_at_a_whole_version() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(SEED + 2);
    let latest = {
        let store = Store::open(dir.path().join("latest.db")).unwrap();
        store.connection().query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0)).unwrap()
    };
    assert!(latest >= 2, "there are migrations to interrupt");
    let runs = iterations(150);
    let (mut inside, mut elsewhere) = (0, 0);
    for run in 0..runs {
        let db = dir.path().join(format!("old-{run}.db"));
        let from = 1 + run as i64 % (latest - 1);
        {
            let mut conn = rusqlite::Connection::open(&db).unwrap();
            // As every database the store has opened: in WAL mode already, so the only write
            // `check` makes on it is the migration.
            let _: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).unwrap();
            MIGRATIONS.to_version(&mut conn, from as usize).unwrap();
            conn.execute("INSERT INTO locations (code, name) VALUES ('WH1', 'Main')", []).unwrap();
        }
        // One run in four gives up early, so kills also land before and after the migration.
        let give_up_after = if rng.random_bool(0.25) {
            Duration::from_micros(rng.random_range(0..30_000))
        } else {
            Duration::from_secs(5)
        };
        let landed = kill_in_migration(&db, from, give_up_after);
        let conn = rusqlite::Connection::open(&db).unwrap();
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        match landed {
            Landed::InsideMigration => {
                inside += 1;
                assert_eq!(
                    version, from,
                    "seed {SEED} run {run}: killed inside the migration, yet it committed"
                );
            }
            Landed::Elsewhere => elsewhere += 1,
            Landed::NotKilled => {
                assert_eq!(version, latest, "seed {SEED} run {run}: a finished check migrated")
            }
        }
        assert!(
            version == from || version == latest,
            "seed {SEED} run {run}: version {version} after starting at {from}: not a whole version"
        );
        let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(integrity, "ok", "seed {SEED} run {run}");
        drop(conn);
        let store = Store::open(&db).expect("the migration completes on the next start");
        assert_eq!(
            count(&store, "SELECT count(*) FROM locations WHERE code = 'WH1'"),
            1,
            "seed {SEED}: data kept"
        );
        assert_eq!(count(&store, "PRAGMA user_version"), latest);
    }
    eprintln!(
        "crash points (migration): {runs} runs, {inside} killed inside the migration transaction, {elsewhere} elsewhere; all at a whole version"
    );
    // The claim is about kills inside the migration: most runs must have landed there.
    assert!(inside * 2 >= runs, "only {inside} of {runs} kills landed inside the migration");
}
