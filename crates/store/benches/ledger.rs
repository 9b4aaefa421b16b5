//! Ledger benchmarks: durable append latency, grouped bulk import, projection rebuild, each
//! beside SQLite's own speed on the same rows, measured in the same run.
//!
//! `cargo bench -p shelfsync-store --bench ledger` prints a markdown table. Medians, not
//! means: the machine is shared and noisy.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use shelfsync_core::{Event, Item, Location, LocationCode, Movement, Sku};
use shelfsync_store::{ItemRecord, Store};

const SKUS: usize = 1_000;
const LOCATIONS: [&str; 3] = ["WH1", "WH2", "WH3"];
const SCAN_APPENDS: usize = 2_000;
const BULK_EVENTS: usize = 100_000;
const REBUILD_EVENTS: usize = 1_000_000;
/// Each figure is the median of this many runs.
const RUNS: usize = 3;
/// `LEDGER_BENCH=quick` measures the bulk import only, for iterating on the append path.
fn quick() -> bool {
    std::env::var("LEDGER_BENCH").is_ok_and(|v| v == "quick")
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // The rebuild runs in a child process so its peak memory is its own.
    if let Some(pos) = args.iter().position(|a| a == "--rebuild-child") {
        return rebuild_child(Path::new(&args[pos + 1]));
    }
    let dir = tempfile::tempdir().unwrap();
    let mut rows = Vec::new();
    if quick() {
        let rate =
            median((0..RUNS).map(|run| bulk_import_rate(&dir.path().join(format!("q{run}.db")))).collect());
        println!("bulk import: {} events/s", thousands(rate));
        return;
    }

    let (p50, p99) = scan_append_latency(dir.path());
    rows.push(format!("| durable scan-sized append (1 event per transaction, synchronous=FULL), p50 / p99 | {} / {} | p99 < 10 ms |", ms(p50), ms(p99)));
    let (floor_p50, floor_p99) = raw_single_insert_latency(dir.path());
    rows.push(format!(
        "| floor: raw SQLite single-row INSERT per transaction, same settings, p50 / p99 | {} / {} | |",
        ms(floor_p50),
        ms(floor_p99)
    ));

    let ledger_rate =
        median((0..RUNS).map(|run| bulk_import_rate(&dir.path().join(format!("bulk{run}.db")))).collect());
    rows.push(format!("| bulk import of {BULK_EVENTS} events, grouped transactions of 5,000 (median of {RUNS}) | {} events/s | >= 50,000 |", thousands(ledger_rate)));
    let raw_rate =
        median((0..RUNS).map(|run| raw_bulk_rate(&dir.path().join(format!("raw{run}.db")))).collect());
    rows.push(format!(
        "| floor: rusqlite INSERT of the same event rows, no ledger logic (median of {RUNS}) | {} rows/s | |",
        thousands(raw_rate)
    ));
    if let Some(cli_rate) = sqlite3_cli_rate(dir.path()) {
        rows.push(format!(
            "| floor: `sqlite3` CLI running the same INSERTs from a .sql file | {} rows/s | |",
            thousands(cli_rate)
        ));
    }
    rows.push(format!(
        "| ledger import as a share of the rusqlite floor | {:.0}% | |",
        100.0 * ledger_rate / raw_rate
    ));

    let big = dir.path().join("rebuild.db");
    let load_rate = load_events(&big, REBUILD_EVENTS);
    rows.push(format!(
        "| loading {REBUILD_EVENTS} events through the ledger for the rebuild | {} events/s | |",
        thousands(load_rate)
    ));
    let (rebuild_time, peak_kib) = median_rebuild(&big);
    rows.push(format!("| projection rebuild of {REBUILD_EVENTS} events (median of {RUNS}), peak RSS of the process | {:.2} s, {} MiB | < 10 s |", rebuild_time.as_secs_f64(), peak_kib / 1024));

    println!("| measure | figure | target |\n| --- | --- | --- |");
    for row in rows {
        println!("{row}");
    }
}

fn catalogue(store: &mut Store) {
    let locations: Vec<Location> = LOCATIONS
        .iter()
        .map(|c| Location { code: LocationCode::new(*c).unwrap(), name: (*c).into(), parent: None })
        .collect();
    store.upsert_locations(&locations).unwrap();
    let items: Vec<ItemRecord> = (0..SKUS)
        .map(|n| ItemRecord {
            item: Item {
                sku: sku(n),
                name: format!("item {n}"),
                unit_cost_cents: 100,
                category: "bench".into(),
                safety_stock: 0,
            },
            barcodes: vec![],
        })
        .collect();
    store.upsert_items(&items).unwrap();
}

fn sku(n: usize) -> Sku {
    Sku::new(format!("B-{n:05}")).unwrap()
}

/// A realistic mix: receipts, sales, fulfilments and transfers, always valid in order.
fn events(count: usize) -> Vec<Event> {
    (0..count)
        .map(|i| {
            let s = sku((i / 4) % SKUS);
            let (a, b) = (LocationCode::new("WH1").unwrap(), LocationCode::new("WH2").unwrap());
            let movement = match i % 4 {
                0 => Movement::Receive { sku: s, location: a, qty: 10 },
                1 => Movement::Sale { sku: s, location: a, qty: 2 },
                2 => Movement::Fulfil { sku: s, location: a, qty: 2 },
                _ => Movement::Transfer { sku: s, from: a, to: b, qty: 1 },
            };
            shelfsync_store::new_event(movement, "bench", "bench-ws")
        })
        .collect()
}

fn scan_append_latency(dir: &Path) -> (Duration, Duration) {
    let mut store = Store::open(dir.join("scan.db")).unwrap();
    catalogue(&mut store);
    let mut samples: Vec<Duration> = events(SCAN_APPENDS)
        .iter()
        .map(|event| {
            let start = Instant::now();
            store.append(event).unwrap();
            start.elapsed()
        })
        .collect();
    percentiles(&mut samples)
}

fn open_raw(path: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;
         CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
             sku TEXT NOT NULL, body TEXT NOT NULL, body_hash TEXT NOT NULL, occurred_at TEXT NOT NULL,
             recorded_at TEXT NOT NULL, shipment TEXT UNIQUE) STRICT;",
    )
    .unwrap();
    conn
}

type RawRow = (String, &'static str, String, String, String, String);

fn raw_rows(count: usize) -> Vec<RawRow> {
    events(count)
        .into_iter()
        .map(|e| {
            let body = e.canonical_body();
            let at = e.occurred_at.to_rfc3339();
            (e.id.to_string(), e.movement.kind(), e.movement.sku().to_string(), body, "0".repeat(64), at)
        })
        .collect()
}

fn insert_raw(tx: &rusqlite::Transaction<'_>, row: &RawRow) {
    tx.prepare_cached(
        "INSERT INTO events (id, kind, sku, body, body_hash, occurred_at, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    )
    .unwrap()
    .execute(rusqlite::params![row.0, row.1, row.2, row.3, row.4, row.5])
    .unwrap();
}

fn raw_single_insert_latency(dir: &Path) -> (Duration, Duration) {
    let mut conn = open_raw(&dir.join("raw-scan.db"));
    let mut samples: Vec<Duration> = raw_rows(SCAN_APPENDS)
        .iter()
        .map(|row| {
            let start = Instant::now();
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).unwrap();
            insert_raw(&tx, row);
            tx.commit().unwrap();
            start.elapsed()
        })
        .collect();
    percentiles(&mut samples)
}

fn bulk_import_rate(path: &Path) -> f64 {
    let mut store = Store::open(path).unwrap();
    catalogue(&mut store);
    let batch = events(BULK_EVENTS);
    let start = Instant::now();
    store.append_batch(&batch).unwrap();
    BULK_EVENTS as f64 / start.elapsed().as_secs_f64()
}

fn raw_bulk_rate(path: &Path) -> f64 {
    let mut conn = open_raw(path);
    let rows = raw_rows(BULK_EVENTS);
    let start = Instant::now();
    for chunk in rows.chunks(5_000) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).unwrap();
        for row in chunk {
            insert_raw(&tx, row);
        }
        tx.commit().unwrap();
    }
    BULK_EVENTS as f64 / start.elapsed().as_secs_f64()
}

/// The `sqlite3` shell on the same rows, when it is installed (scripts/setup.sh installs it).
fn sqlite3_cli_rate(dir: &Path) -> Option<f64> {
    let sql_path = dir.join("insert.sql");
    let mut sql = String::from(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
         CREATE TABLE events (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, sku TEXT NOT NULL,
             body TEXT NOT NULL, body_hash TEXT NOT NULL, occurred_at TEXT NOT NULL, recorded_at TEXT NOT NULL, shipment TEXT UNIQUE) STRICT;\n",
    );
    for chunk in raw_rows(BULK_EVENTS).chunks(5_000) {
        sql.push_str("BEGIN IMMEDIATE;\n");
        for (id, kind, sku, body, hash, at) in chunk {
            let body = body.replace('\'', "''");
            sql.push_str(&format!("INSERT INTO events (id, kind, sku, body, body_hash, occurred_at, recorded_at) VALUES ('{id}','{kind}','{sku}','{body}','{hash}','{at}','{at}');\n"));
        }
        sql.push_str("COMMIT;\n");
    }
    std::fs::write(&sql_path, sql).unwrap();
    let start = Instant::now();
    let status = Command::new("sqlite3")
        .arg(dir.join("cli.db"))
        .stdin(std::fs::File::open(&sql_path).unwrap())
        .stdout(std::process::Stdio::null())
        .status()
        .ok()?;
    status.success().then(|| BULK_EVENTS as f64 / start.elapsed().as_secs_f64())
}

fn load_events(path: &Path, count: usize) -> f64 {
    let mut store = Store::open(path).unwrap();
    catalogue(&mut store);
    let start = Instant::now();
    for chunk_start in (0..count).step_by(100_000) {
        let batch = events(100_000.min(count - chunk_start));
        store.append_batch(&batch).unwrap();
    }
    count as f64 / start.elapsed().as_secs_f64()
}

fn median_rebuild(path: &Path) -> (Duration, u64) {
    let mut runs: Vec<(Duration, u64)> = (0..RUNS)
        .map(|_| {
            let out = Command::new(std::env::current_exe().unwrap())
                .args(["--rebuild-child", path.to_str().unwrap()])
                .output()
                .unwrap();
            let text = String::from_utf8(out.stdout).unwrap();
            let mut parts = text.split_whitespace();
            let nanos: u64 = parts.next().unwrap().parse().unwrap();
            let peak_kib: u64 = parts.next().unwrap().parse().unwrap();
            (Duration::from_nanos(nanos), peak_kib)
        })
        .collect();
    runs.sort();
    runs[runs.len() / 2]
}

fn rebuild_child(path: &Path) {
    let store = Store::open(path).unwrap();
    let start = Instant::now();
    let position = store.rebuild().unwrap();
    let elapsed = start.elapsed();
    assert!(position.same_as(&store.projection().unwrap()), "rebuild equals the projection");
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let peak_kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    println!("{} {peak_kib}", elapsed.as_nanos());
}

fn percentiles(samples: &mut [Duration]) -> (Duration, Duration) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    (at(0.50), at(0.99))
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn thousands(rate: f64) -> String {
    let n = rate.round() as u64;
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
