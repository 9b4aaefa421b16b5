//! Sync engine benchmarks against the simulator over loopback HTTP, printed as Markdown.
//!
//! 1. Event-to-channel latency (ledger `recorded_at` to the channel's acknowledgement), no
//!    faults, events arriving one by one: p50 and p99.
//! 2. A backlog of 100,000 listings: throughput as a share of what the simulated rate limit
//!    allows (`spent / (bucket + restore_rate * elapsed)`), at Shopify Standard (2,000 points,
//!    100/s) and at a fast 1,000/s restore rate that makes the engine, not the bucket, the
//!    limit; THROTTLED responses after the first window.
//! 3. Engine memory with 100,000 queued rows: the engine runs in a child process (this binary,
//!    re-executed) and reports its own peak RSS; the simulator runs in another child, so
//!    neither the setup nor the simulator's stock count against the engine.
//!
//! Figures, not pass/fail: `scripts/bench.sh` collects them into BENCHMARKS.md.

use shelfsync_store::testing::connection;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use shelfsync_channels::ChannelKind;
use shelfsync_core::{Event, Item, Location, LocationCode, Movement, Sku};
use shelfsync_sim::{Sim, SimConfig};
use shelfsync_store::{ItemRecord, Store};
use shelfsync_sync::config::{self, NewChannel, SHOPIFY_TOKEN};
use shelfsync_sync::credentials::{Backend, Secret, Secrets};
use shelfsync_sync::{Engine, EngineConfig, Mode};

const TOKEN: &str = "shpat_bench";
const BACKLOG: usize = 100_000;
const LATENCY_EVENTS: usize = 300;

fn main() {
    match std::env::var("SHELFSYNC_BENCH_ROLE").as_deref() {
        Ok("sim") => return serve_sim(),
        Ok("engine") => return run_engine_child(),
        _ => {}
    }
    let latency = latency_bench();
    println!("| measure | figure |");
    println!("| --- | --- |");
    println!(
        "| event-to-channel latency, no faults, {LATENCY_EVENTS} events at 20/s: p50 | {} ms |",
        latency.0
    );
    println!("| event-to-channel latency: p99 | {} ms |", latency.1);
    for (label, restore) in
        [("Standard: bucket 2,000, restore 100/s", 100.0), ("fast: bucket 2,000, restore 1,000/s", 1000.0)]
    {
        let backlog = backlog_bench(restore);
        println!(
            "| backlog of {BACKLOG} listings, {label}: elapsed | {:.1} s ({:.0} listings/s) |",
            backlog.elapsed_s,
            BACKLOG as f64 / backlog.elapsed_s
        );
        println!("| share of the simulated rate limit ({label}) | {:.1}% |", backlog.share * 100.0);
        println!("| THROTTLED during the backlog ({label}) | {} |", backlog.throttled);
        println!(
            "| engine peak RSS with {BACKLOG} queued rows ({label}) | {:.1} MB |",
            backlog.engine_rss_mb
        );
    }
}

fn setup_db(dir: &Path, listings: usize) -> PathBuf {
    let db = dir.join("bench.db");
    let mut store = Store::open(&db).unwrap();
    let location = LocationCode::new("WH1").unwrap();
    store
        .upsert_locations(&[Location { code: location.clone(), name: "Main".into(), parent: None }])
        .unwrap();
    let items: Vec<ItemRecord> = (0..listings)
        .map(|i| ItemRecord {
            item: Item {
                sku: Sku::new(format!("S{i}")).unwrap(),
                name: format!("item {i}"),
                unit_cost_cents: 100,
                category: "bench".into(),
                safety_stock: 0,
            },
            barcodes: vec![],
        })
        .collect();
    store.upsert_items(&items).unwrap();
    db
}

fn add_channel(db: &Path, endpoint: &str, listings: usize) {
    let store = Store::open(db).unwrap();
    let new = NewChannel {
        name: "shop".into(),
        kind: ChannelKind::Shopify,
        endpoint: endpoint.into(),
        shop: Some("bench.myshopify.com".into()),
        seller_id: None,
        marketplace_id: None,
    };
    let secrets = Secrets::with_backend(db, Backend::File);
    config::add_channel(
        &store,
        shelfsync_store::By::new("tester", "ws-test"),
        &secrets,
        &new,
        &[(SHOPIFY_TOKEN, Secret::new(TOKEN).unwrap())],
    )
    .unwrap();
    let mut csv = String::from("sku,location,inventory_item_id,location_id\n");
    for i in 0..listings {
        csv.push_str(&format!("S{i},WH1,gid://shopify/InventoryItem/{i},gid://shopify/Location/1\n"));
    }
    let file = db.with_extension("mappings.csv");
    std::fs::write(&file, csv).unwrap();
    config::import_mappings(&store, shelfsync_store::By::new("tester", "ws-test"), "shop", &file).unwrap();
}

fn receive_event(i: usize, qty: u32) -> Event {
    let movement = Movement::Receive {
        sku: Sku::new(format!("S{i}")).unwrap(),
        location: LocationCode::new("WH1").unwrap(),
        qty,
    };
    shelfsync_store::new_event(movement, "bench", "bench")
}

fn bench_config() -> EngineConfig {
    EngineConfig { holder: format!("bench:{}", std::process::id()), ..EngineConfig::default() }
}

/// Events one by one at 20/s on distinct listings, the engine as a daemon: p50 and p99 of the
/// persisted push latencies.
fn latency_bench() -> (i64, i64) {
    let dir = tempfile::tempdir().unwrap();
    let db = setup_db(dir.path(), LATENCY_EVENTS);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let sim = Sim::new(SimConfig { access_token: Some(TOKEN.into()), ..SimConfig::default() });
        let server = sim.serve(0).await.unwrap();
        add_channel(&db, &server.url(), LATENCY_EVENTS);
        // The mappings' first pushes (quantity 0) go first, so the measured pushes are alone.
        let engine = Engine::new(&db, Secrets::with_backend(&db, Backend::File), bench_config());
        let (_keep, stopped) = tokio::sync::watch::channel(false);
        engine.run(Mode::Once, stopped).await.unwrap();
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let daemon = tokio::spawn(async move { engine.run(Mode::Daemon, stopped).await });
        let mut store = Store::open(&db).unwrap();
        let before: i64 =
            connection(&store).query_row("SELECT max(id) FROM pushes", [], |r| r.get(0)).unwrap();
        for i in 0..LATENCY_EVENTS {
            store.append(&receive_event(i, 5)).unwrap();
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        while shelfsync_sync::queue::queue_depth(&store, "shop").unwrap() > 0 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        stop.send(true).unwrap();
        daemon.await.unwrap().unwrap();
        let mut latencies: Vec<i64> = connection(&store)
            .prepare("SELECT latency_ms FROM pushes WHERE id > ?1")
            .unwrap()
            .query_map([before], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        latencies.sort_unstable();
        assert_eq!(latencies.len(), LATENCY_EVENTS, "every event reached the channel");
        server.stop().await;
        (percentile(&latencies, 0.50), percentile(&latencies, 0.99))
    })
}

fn percentile(sorted: &[i64], p: f64) -> i64 {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

struct Backlog {
    elapsed_s: f64,
    share: f64,
    throttled: u64,
    engine_rss_mb: f64,
}

fn backlog_bench(restore_rate: f64) -> Backlog {
    let dir = tempfile::tempdir().unwrap();
    let db = setup_db(dir.path(), BACKLOG);
    let mut sim = ChildSim::start(restore_rate);
    add_channel(&db, &sim.url, BACKLOG);
    let events: Vec<Event> = (0..BACKLOG).map(|i| receive_event(i, 7)).collect();
    Store::open(&db).unwrap().append_batch(&events).unwrap();
    let queued = shelfsync_sync::queue::queue_depth(&Store::open(&db).unwrap(), "shop").unwrap();
    assert_eq!(queued as usize, BACKLOG);

    let engine = Command::new(std::env::current_exe().unwrap())
        .env("SHELFSYNC_BENCH_ROLE", "engine")
        .env("SHELFSYNC_BENCH_DB", &db)
        .stderr(Stdio::inherit())
        .output()
        .unwrap();
    assert!(engine.status.success(), "the engine child failed");
    let report: serde_json::Value = serde_json::from_slice(&engine.stdout).unwrap();
    let elapsed_s = report["elapsed_s"].as_f64().unwrap();
    let state = sim.state();
    let spent = state["stats"]["points_spent"].as_f64().unwrap();
    let bucket = state["bucket"]["maximumAvailable"].as_f64().unwrap();
    let levels_set = state["stats"]["entries_applied"].as_u64().unwrap();
    assert_eq!(levels_set as usize, BACKLOG, "every listing was set once");
    sim.stop();
    Backlog {
        elapsed_s,
        share: spent / (bucket + restore_rate * elapsed_s),
        throttled: state["stats"]["throttled"].as_u64().unwrap(),
        engine_rss_mb: report["peak_rss_kb"].as_f64().unwrap() / 1024.0,
    }
}

/// Child role: drain once, report elapsed time and own peak RSS.
fn run_engine_child() {
    let db = PathBuf::from(std::env::var("SHELFSYNC_BENCH_DB").unwrap());
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let started = Instant::now();
    runtime.block_on(async {
        let engine = Engine::new(&db, Secrets::with_backend(&db, Backend::File), bench_config());
        let (_keep, stopped) = tokio::sync::watch::channel(false);
        engine.run(Mode::Once, stopped).await.unwrap();
    });
    let elapsed_s = started.elapsed().as_secs_f64();
    println!("{}", serde_json::json!({ "elapsed_s": elapsed_s, "peak_rss_kb": peak_rss_kb() }));
}

fn peak_rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse().ok())
        .unwrap_or(0)
}

/// Child role: the simulator on a free loopback port, until stdin closes.
fn serve_sim() {
    let restore_rate: f64 = std::env::var("SHELFSYNC_BENCH_RESTORE").unwrap().parse().unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    runtime.block_on(async {
        let sim =
            Sim::new(SimConfig { restore_rate, access_token: Some(TOKEN.into()), ..SimConfig::default() });
        let server = sim.serve(0).await.unwrap();
        println!("{}", server.url());
        tokio::task::spawn_blocking(|| {
            let mut sink = Vec::new();
            let _ = std::io::stdin().read_to_end(&mut sink);
        })
        .await
        .unwrap();
        server.stop().await;
    });
}

struct ChildSim {
    child: Child,
    url: String,
}

impl ChildSim {
    fn start(restore_rate: f64) -> ChildSim {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .env("SHELFSYNC_BENCH_ROLE", "sim")
            .env("SHELFSYNC_BENCH_RESTORE", restore_rate.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut url = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut url).unwrap();
        ChildSim { child, url: url.trim().to_string() }
    }

    fn state(&self) -> serde_json::Value {
        let addr = self.url.trim_start_matches("http://");
        let mut stream = TcpStream::connect(addr).unwrap();
        write!(stream, "GET /admin/state HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        let text = String::from_utf8_lossy(&response);
        let body = &text[text.find("\r\n\r\n").unwrap() + 4..];
        serde_json::from_str(body).unwrap()
    }

    fn stop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}
