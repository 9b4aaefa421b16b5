//! Hub benchmarks on a real PostgreSQL cluster (fsync on) over loopback: replication lag from a
//! local commit to another workstation's file, catch-up after time offline, and events per
//! second through the hub. Prints one Markdown section. BENCH_QUICK=1: a scaled-down run.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use shelfsync_core::{Event, Item, Location, LocationCode, Movement, Sku};
use shelfsync_hub::testing::{Durability, PgCluster};
use shelfsync_hub::{NodeConfig, node};
use shelfsync_store::testing::connection;
use shelfsync_store::{ItemRecord, Store};
use tokio::sync::watch;

const SKUS: usize = 50;

fn sku(i: usize) -> Sku {
    Sku::new(format!("S{i}")).unwrap()
}

fn wh() -> LocationCode {
    LocationCode::new("WH1").unwrap()
}

fn workstation(dir: &Path, name: &str, catalogue: bool) -> PathBuf {
    let db = dir.join(format!("{name}.db"));
    let mut store = Store::open(&db).unwrap();
    if catalogue {
        store.upsert_locations(&[Location { code: wh(), name: "Main".into(), parent: None }]).unwrap();
        let items: Vec<ItemRecord> = (0..SKUS)
            .map(|i| ItemRecord {
                item: Item {
                    sku: sku(i),
                    name: format!("Item {i}"),
                    unit_cost_cents: 100,
                    category: "general".into(),
                    safety_stock: 0,
                },
                barcodes: vec![],
            })
            .collect();
        store.upsert_items(&items).unwrap();
    }
    db
}

fn receipts(name: &str, n: usize) -> Vec<Event> {
    (0..n)
        .map(|i| {
            shelfsync_store::new_event(
                Movement::Receive { sku: sku(i % SKUS), location: wh(), qty: 1 },
                "bench",
                name,
            )
        })
        .collect()
}

fn once() -> NodeConfig {
    NodeConfig { once: true, engine: None, ..NodeConfig::default() }
}

async fn sync_once(db: &Path) {
    let (_stop, stopped) = watch::channel(false);
    node::run(db, once(), stopped).await.unwrap();
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn has_event(db: &Path, id: &str) -> bool {
    connection(&Store::open(db).unwrap())
        .query_row("SELECT 1 FROM events WHERE id = ?1", [id], |_| Ok(()))
        .is_ok()
}

/// One event at a time on A; the time until it is in B's file, with both loops running.
async fn lag(dir: &Path, url: &str, samples: usize) -> Vec<f64> {
    let a = workstation(dir, "lag-a", true);
    let b = workstation(dir, "lag-b", false);
    shelfsync_hub::connect(&a, url, "lag-a").await.unwrap();
    shelfsync_hub::connect(&b, url, "lag-b").await.unwrap();
    sync_once(&a).await;
    sync_once(&b).await;
    let (stop, stopped) = watch::channel(false);
    let daemon = NodeConfig { engine: None, ..NodeConfig::default() };
    let run_a = tokio::spawn({
        let (a, config, stopped) = (a.clone(), daemon.clone(), stopped.clone());
        async move { node::run(&a, config, stopped).await }
    });
    let run_b = tokio::spawn({
        let (b, config) = (b.clone(), daemon.clone());
        async move { node::run(&b, config, stopped).await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut store = Store::open(&a).unwrap();
    let mut lags = Vec::with_capacity(samples);
    for event in receipts("lag-a", samples) {
        store.append(&event).unwrap();
        let committed = Instant::now();
        let id = event.id.to_string();
        while !has_event(&b, &id) {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        lags.push(committed.elapsed().as_secs_f64() * 1000.0);
        // Spread the commits out, as scans are.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = stop.send(true);
    let _ = run_a.await;
    let _ = run_b.await;
    lags.sort_by(f64::total_cmp);
    lags
}

/// (seconds to push n offline events up, seconds for another workstation to pull them).
async fn catch_up(dir: &Path, url: &str, n: usize) -> (f64, f64) {
    let a = workstation(dir, "off-a", true);
    let b = workstation(dir, "off-b", false);
    shelfsync_hub::connect(&a, url, "off-a").await.unwrap();
    shelfsync_hub::connect(&b, url, "off-b").await.unwrap();
    sync_once(&a).await;
    sync_once(&b).await;
    // An hour offline: the events pile up in A's file only.
    Store::open(&a).unwrap().append_batch(&receipts("off-a", n)).unwrap();
    let started = Instant::now();
    sync_once(&a).await;
    let push = started.elapsed().as_secs_f64();
    let started = Instant::now();
    sync_once(&b).await;
    let pull = started.elapsed().as_secs_f64();
    assert_eq!(Store::open(&b).unwrap().event_count().unwrap(), n as u64);
    (push, pull)
}

/// Three workstations push n events each at the same time: events per second into the hub.
async fn throughput(dir: &Path, url: &str, n: usize) -> f64 {
    let mut dbs = Vec::new();
    for i in 0..3 {
        let name = format!("tp-{i}");
        let db = workstation(dir, &name, true);
        shelfsync_hub::connect(&db, url, &name).await.unwrap();
        sync_once(&db).await;
        Store::open(&db).unwrap().append_batch(&receipts(&name, n)).unwrap();
        dbs.push(db);
    }
    let started = Instant::now();
    let tasks: Vec<_> =
        dbs.into_iter().map(|db| tokio::spawn(async move { sync_once_push_only(&db).await })).collect();
    for task in tasks {
        task.await.unwrap();
    }
    (3 * n) as f64 / started.elapsed().as_secs_f64()
}

/// A push-only pass: what each pusher costs the hub, without pulling the others' events.
async fn sync_once_push_only(db: &Path) {
    let target = shelfsync_hub::HubTarget::parse(&shelfsync_hub_url(db)).unwrap();
    let mut hub = shelfsync_hub::pg::connect(&target).await.unwrap();
    let store = Store::open(db).unwrap();
    let workstation = store.hub_config().unwrap().unwrap().workstation;
    loop {
        let watermark = store.hub_config().unwrap().unwrap().push_watermark;
        let batch = store.hub_pending_events(watermark, shelfsync_hub::replicate::PUSH_BATCH).unwrap();
        let Some(last) = batch.last().map(|e| e.seq) else { break };
        let refused = shelfsync_hub::replicate::push_batch(&mut hub, &workstation, &batch).await.unwrap();
        store.hub_pushed_events(last, &refused).unwrap();
    }
}

fn shelfsync_hub_url(db: &Path) -> String {
    let secrets = shelfsync_sync::credentials::Secrets::for_database(db);
    secrets.get("@hub", "url").unwrap().unwrap().expose().to_string()
}

fn main() {
    // SAFETY: set before any thread starts.
    unsafe { std::env::set_var("SHELFSYNC_SECRETS", "file") };
    let quick = std::env::var("BENCH_QUICK").is_ok_and(|v| v == "1");
    let (samples, offline, per_pusher) = if quick { (30, 1_000, 1_000) } else { (300, 10_000, 10_000) };
    let pg = PgCluster::start(Durability::Durable);
    let dir = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let lags = runtime.block_on(lag(dir.path(), &pg.database("lag"), samples));
    let (push, pull) = runtime.block_on(catch_up(dir.path(), &pg.database("offline"), offline));
    let rate = runtime.block_on(throughput(dir.path(), &pg.database("throughput"), per_pusher));
    println!(
        "Real PostgreSQL {} (a throwaway cluster, fsync on) over loopback; SQLite files with",
        pg.server_version()
    );
    println!("synchronous=FULL. Lag: one commit at a time on workstation A, 20 ms apart, timed until");
    println!("the event is in B's file (both `hub sync` loops running: 50 ms local poll, NOTIFY to B).");
    println!();
    println!("| measure | target | result |");
    println!("| --- | --- | --- |");
    println!(
        "| replication lag, local commit to another workstation ({samples} events) | p99 < 500 ms | median {:.0} ms, p99 {:.0} ms, max {:.0} ms |",
        percentile(&lags, 0.5),
        percentile(&lags, 0.99),
        lags.last().copied().unwrap_or_default()
    );
    println!(
        "| catch-up after offline: push {offline} local events up | < 10 s | {push:.2} s ({:.0} events/s) |",
        offline as f64 / push
    );
    println!(
        "| catch-up after offline: another workstation pulls them | < 10 s | {pull:.2} s ({:.0} events/s) |",
        offline as f64 / pull
    );
    println!(
        "| events/s through the hub, 3 workstations pushing {per_pusher} each at once | >= 5,000 | {rate:.0} events/s |"
    );
    if quick {
        println!();
        println!("(BENCH_QUICK: scaled down; the figures only prove the benchmark runs.)");
    }
}
