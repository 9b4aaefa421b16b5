//! SIGKILL across the stack, through the real `shelfsync` binary as the child process:
//! - during a count posting (`count submit` of a session whose variances post at once);
//! - during a sync drain: `shelfsync serve` (webhook receiver and engine in one process)
//!   acknowledges signed Shopify orders and pushes their sales to `shelfsync sim`; it is
//!   killed while it holds the sync lease with rows still queued (seen with the child stopped);
//! - during a migration (opening a database left at every earlier schema version): killed
//!   while it holds the write lock on a database still at the old version (seen with the child
//!   stopped).
//!
//! The count test kills at a random moment of its run (the window is measured from an
//! uninterrupted run first); the drain and migration tests stop the child (SIGSTOP), check
//! from this process that it is where the test claims, and SIGKILL it there, and assert most
//! kills landed there. Then: nothing acknowledged was lost, nothing applied twice, the outbox
//! agrees with the ledger, and the file is sound. `SHELFSYNC_CRASH_ITERATIONS`
//! raises the per-suite iteration count on demand (defaults below keep each under a minute).
//! A failure prints the seed of the kill schedule.

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
// Raw SQLite for crash probes and fault injection (the store's `testing` feature).
use shelfsync_core::{LocationCode, Sku};
use shelfsync_store::testing::connection;
use shelfsync_store::testing::rusqlite;
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
    let secrets =
        [("SHELFSYNC_SHOPIFY_TOKEN", "shpat_crash"), ("SHELFSYNC_SHOPIFY_WEBHOOK_SECRET", WEBHOOK_SECRET)];
    ok(&db, &shop, &[secrets[0], secrets[1], ada[0], ada[1]]);
    ok(&db, &["channel", "import-mappings", "shop", &write(dir, "m.csv", &maps)], &ada);
    db
}

/// The outbox agrees with the ledger: every row wants exactly what the balances allocate.
fn outbox_consistent(store: &Store) -> Result<(), String> {
    let rows: Vec<(i64, i64)> = connection(store)
        .prepare("SELECT listing_id, desired_qty FROM outbox")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (listing, desired) in rows {
        let want = store.allocation_for(listing).unwrap().qty;
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
    connection(store).query_row(sql, [], |r| r.get(0)).unwrap()
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
    connection(store)
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

/// One HTTP request over a plain socket to `base` (`http://127.0.0.1:PORT`); `None` when the
/// connection fails or breaks (the server was killed), which is no acknowledgement.
fn http(base: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Option<(u16, String)> {
    use std::io::{Read, Write};
    let addr = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    write!(stream, "{head}\r\n{body}").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.get(9..12)?.parse().ok()?;
    let body = response[response.find("\r\n\r\n")? + 4..].to_string();
    Some((status, body))
}

/// `shelfsync serve --port 0` on `db`: the webhook receiver and the sync engine in one process,
/// as a back-office PC runs it. Returns the child, its receiver's base URL, and its stdout,
/// which must stay open: serve prints a second line, and a closed pipe would end it.
type Stdout = std::io::BufReader<std::process::ChildStdout>;
fn serve(db: &Path) -> (std::process::Child, String, Stdout) {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_shelfsync"))
        .arg("--db")
        .arg(db)
        .args(["serve", "--port", "0"])
        .env("SHELFSYNC_SECRETS", "file")
        .env("SHELFSYNC_LOG_DIR", db.parent().unwrap().join("logs"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut first).unwrap();
    let at =
        first.find("http://127.0.0.1:").unwrap_or_else(|| panic!("serve prints its receiver: {first:?}"));
    let url: String = first[at..].chars().take_while(|c| !c.is_whitespace()).collect();
    (child, url.split("/webhooks").next().unwrap().to_string(), stdout)
}

/// The killed engine stopped renewing its lease; let it lapse now rather than waiting out its
/// 30 s (a clock jump past the expiry).
fn expire_lease(db: &Path) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute("UPDATE sync_lease SET expires_at = '1970-01-01T00:00:00.000Z'", []).unwrap();
}

/// While the child is stopped: is it inside a drain? It holds the sync lease (its pid is in
/// the holder) and the outbox still has rows for it to push. `None` when the database is busy
/// (the child stopped mid-checkpoint): not known, so not counted.
fn draining(probe: &rusqlite::Connection, pid: u32) -> Option<bool> {
    let holder: Option<String> = match probe.query_row("SELECT holder FROM sync_lease", [], |r| r.get(0)) {
        Ok(h) => Some(h),
        Err(rusqlite::Error::QueryReturnedNoRows) => None,
        Err(_) => return None,
    };
    let queued: i64 = probe.query_row("SELECT count(*) FROM outbox", [], |r| r.get(0)).ok()?;
    Some(holder.is_some_and(|h| h.ends_with(&format!("(pid {pid})"))) && queued > 0)
}

/// The sale events booked for an order line, by the reference capture gives them.
fn bookings(store: &Store, reference: &str) -> i64 {
    connection(store)
        .query_row(
            "SELECT count(*) FROM events WHERE kind = 'sale' AND json_extract(body, '$.reference') = ?1",
            [reference],
            |r| r.get(0),
        )
        .unwrap()
}

const WEBHOOK_SECRET: &str = "whsec_crash_points";

#[test]
fn sigkill_during_sync_drains_loses_no_acknowledged_order_and_applies_no_key_twice() {
    let dir = tempfile::tempdir().unwrap();
    let sim = SimProcess::start(SEED);
    let db = setup(dir.path(), &sim.url);
    let mut rng = rand::rngs::StdRng::seed_from_u64(SEED + 1);
    // The first drain lists every SKU on the simulated shop, so orders can be placed there.
    assert!(
        run_or_kill(&db, &["sync", "run", "--once"], &[], Duration::from_secs(60)).is_some(),
        "an uninterrupted drain works"
    );
    // Every push answers after 30 ms: a drain lasts long enough to be caught in the middle.
    let slow = r#"{"throttle":0,"server_error":0,"timeout_after_apply":0,"slow":1,"drop_connection":0,"too_many_requests":0,"retry_after_ms":0,"slow_ms":30,"hang_ms":0}"#;
    sim.request("POST", "/admin/faults", slow);
    // Order line references the killed process acknowledged (its receiver answered 200), and
    // those it was sent without answering.
    let mut acknowledged: Vec<String> = Vec::new();
    let mut unanswered: Vec<String> = Vec::new();
    let (mut inside, mut elsewhere) = (0, 0);
    let runs = iterations(40);
    for run in 0..runs {
        expire_lease(&db);
        let (mut child, url, _stdout) = serve(&db);
        let pid = child.id();
        for _ in 0..rng.random_range(1..=3) {
            let placed = sim.request(
                "POST",
                "/admin/shop/orders",
                &format!(
                    r#"{{"item":"gid://shopify/InventoryItem/{}","location":"gid://shopify/Location/1","qty":{}}}"#,
                    100 + rng.random_range(0..SKUS),
                    rng.random_range(1..=3)
                ),
            );
            let order = placed["order"].to_string();
            let reference = format!(
                "shop order {} line {}",
                placed["order"]["id"], placed["order"]["line_items"][0]["id"]
            );
            let signature = shelfsync_capture::webhook::sign(WEBHOOK_SECRET.as_bytes(), order.as_bytes());
            let event_id = format!("{run}-{reference}");
            let headers = [
                ("X-Shopify-Topic", "orders/create"),
                ("X-Shopify-Event-Id", event_id.as_str()),
                ("X-Shopify-Hmac-Sha256", signature.as_str()),
                ("Content-Type", "application/json"),
            ];
            match http(&url, "POST", "/webhooks/shopify/shop", &headers, &order) {
                Some((200, _)) => acknowledged.push(reference),
                Some((status, body)) => {
                    panic!("seed {SEED}: the receiver refused a signed order: {status} {body}")
                }
                None => unanswered.push(reference),
            }
        }
        // Hunt for the drain: stop the child, look, and kill it there. The hunt is bounded by
        // a random while, after which the kill lands wherever the child is (counted apart).
        let probe = rusqlite::Connection::open(&db).unwrap();
        probe.busy_timeout(Duration::ZERO).unwrap();
        let give_up = Duration::from_millis(rng.random_range(200..2_000));
        let started = Instant::now();
        loop {
            assert!(signal(pid, "STOP"), "seed {SEED}: serve is still running");
            if draining(&probe, pid) == Some(true) {
                inside += 1;
                break;
            }
            if started.elapsed() >= give_up {
                elsewhere += 1;
                break;
            }
            signal(pid, "CONT");
            std::thread::sleep(Duration::from_millis(1));
        }
        child.kill().unwrap();
        child.wait().unwrap();
    }
    sim.request("POST", "/admin/faults", r#"{"throttle":0,"server_error":0,"timeout_after_apply":0,"slow":0,"drop_connection":0,"too_many_requests":0,"retry_after_ms":0,"slow_ms":0,"hang_ms":0}"#);
    // A last, uninterrupted service books what the inbox holds and drains the outbox.
    expire_lease(&db);
    let (mut child, _, _stdout) = serve(&db);
    let deadline = Instant::now() + Duration::from_secs(60);
    let settled = |store: &Store| {
        count(store, "SELECT count(*) FROM outbox") == 0
            && count(store, "SELECT count(*) FROM webhook_inbox WHERE processed_at IS NULL") == 0
    };
    while !settled(&Store::open(&db).unwrap()) {
        assert!(Instant::now() < deadline, "seed {SEED}: the service settles within 60 s");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(signal(child.id(), "TERM"));
    child.wait().unwrap();
    let store = Store::open(&db).unwrap();
    for reference in &acknowledged {
        assert_eq!(bookings(&store, reference), 1, "seed {SEED}: acknowledged {reference} booked once");
    }
    for reference in &unanswered {
        assert!(bookings(&store, reference) <= 1, "seed {SEED}: {reference} booked at most once");
    }
    sound(&store);
    let dead = count(&store, "SELECT count(*) FROM dead_letters");
    assert_eq!(dead, 0, "seed {SEED}: nothing dead-lettered");
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
        let listing: i64 = connection(&store)
            .query_row("SELECT id FROM listings WHERE remote_item = ?1", [&item], |r| r.get(0))
            .unwrap();
        let want = store.allocation_for(listing).unwrap().qty;
        assert_eq!(on_channel, Some(want), "seed {SEED}: {item} converged");
    }
    eprintln!(
        "crash points (sync drain): {runs} serve processes killed, {inside} inside a drain, {elsewhere} elsewhere; \
         {} orders acknowledged by the killed processes, all booked once; {} unanswered, none twice; 0 keys applied twice",
        acknowledged.len(),
        unanswered.len()
    );
    assert!(inside * 2 >= runs, "only {inside} of {runs} kills landed inside a drain");
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
        // Busy: another connection holds the write lock. Any other refusal (the child stopped
        // while rebuilding the WAL index: SQLITE_PROTOCOL) says nothing, so it is not counted.
        let writing = match probe.execute_batch("BEGIN IMMEDIATE; ROLLBACK;") {
            Ok(()) => false,
            Err(rusqlite::Error::SqliteFailure(e, _)) => e.code == rusqlite::ErrorCode::DatabaseBusy,
            Err(e) => panic!("probe: {e}"),
        };
        if !probe.is_autocommit() {
            probe.execute_batch("ROLLBACK").unwrap();
        }
        let committed: Option<i64> = match probe.query_row("PRAGMA user_version", [], |r| r.get(0)) {
            Ok(v) => Some(v),
            Err(rusqlite::Error::SqliteFailure(..)) => None,
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
        connection(&store).query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0)).unwrap()
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
