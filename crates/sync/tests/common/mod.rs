//! Fixtures for the engine's tests: a real SQLite file, the simulator on a loopback port, a
//! Shopify channel whose token sits in the 0600 file store, and fast retry timings so suites
//! finish in seconds. Nothing is mocked: every push is real HTTP.
#![allow(dead_code)]

use shelfsync_store::testing::connection;
use std::path::PathBuf;
use std::time::Duration;

use shelfsync_channels::{ChannelKind, Timeouts};
use shelfsync_core::{Event, Item, Location, LocationCode, Movement, Sku};
use shelfsync_sim::{RunningSim, Sim, SimConfig};
use shelfsync_store::{ItemRecord, Store};
use shelfsync_sync::backoff::Backoff;
use shelfsync_sync::config::{self, Mapping, NewChannel, SHOPIFY_TOKEN};
use shelfsync_sync::credentials::{Backend, Secret, Secrets};
use shelfsync_sync::{Engine, EngineConfig, Mode, RunReport, WorkerConfig};
use tempfile::TempDir;

pub const CHANNEL: &str = "shop";
pub const TOKEN: &str = "shpat_test_token";

pub struct Fixture {
    pub dir: TempDir,
    pub db: PathBuf,
    pub store: Store,
    pub sim: Sim,
    /// Taken by tests that stop the simulator and start it again.
    pub server: Option<RunningSim>,
    pub url: String,
}

pub fn sku(i: usize) -> String {
    format!("S{i}")
}

pub fn item_gid(i: usize) -> String {
    format!("gid://shopify/InventoryItem/{}", 1000 + i)
}

pub fn location_gid(location: &str) -> String {
    format!("gid://shopify/Location/{}", location.trim_start_matches("WH"))
}

/// `skus` items (S0..), locations WH1 and WH2, each SKU mapped at each given location.
pub async fn fixture(skus: usize, mapped_at: &[&str], sim_config: SimConfig) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.db");
    let mut store = Store::open(&db).unwrap();
    let locations: Vec<Location> = ["WH1", "WH2"]
        .iter()
        .map(|c| Location { code: LocationCode::new(*c).unwrap(), name: c.to_string(), parent: None })
        .collect();
    store.upsert_locations(&locations).unwrap();
    let items: Vec<ItemRecord> = (0..skus)
        .map(|i| ItemRecord {
            item: Item {
                sku: Sku::new(sku(i)).unwrap(),
                name: format!("item {i}"),
                unit_cost_cents: 100,
                category: "test".into(),
                safety_stock: 0,
            },
            barcodes: vec![],
        })
        .collect();
    store.upsert_items(&items).unwrap();
    let sim = Sim::new(SimConfig { access_token: Some(TOKEN.into()), ..sim_config });
    for i in 0..skus {
        for location in mapped_at {
            sim.set_level(&item_gid(i), &location_gid(location), 0);
        }
    }
    let server = sim.serve(0).await.unwrap();
    let url = server.url();
    add_channel(&store, &db, CHANNEL, &url);
    for i in 0..skus {
        for location in mapped_at {
            let mapping = Mapping {
                sku: sku(i),
                location: Some(location.to_string()),
                remote_item: item_gid(i),
                remote_location: Some(location_gid(location)),
            };
            config::map_one(&store, shelfsync_store::By::new("tester", "ws-test"), CHANNEL, &mapping)
                .unwrap();
        }
    }
    Fixture { dir, db, store, sim, server: Some(server), url }
}

pub fn secrets(db: &std::path::Path) -> Secrets {
    Secrets::with_backend(db, Backend::File)
}

pub fn add_channel(store: &Store, db: &std::path::Path, name: &str, endpoint: &str) {
    let new = NewChannel {
        name: name.into(),
        kind: ChannelKind::Shopify,
        endpoint: endpoint.into(),
        shop: Some("test-shop.myshopify.com".into()),
        seller_id: None,
        marketplace_id: None,
    };
    config::add_channel(
        store,
        shelfsync_store::By::new("tester", "ws-test"),
        &secrets(db),
        &new,
        &[(SHOPIFY_TOKEN, Secret::new(TOKEN).unwrap())],
    )
    .unwrap();
}

/// Millisecond timings: the same code paths as production, a thousand times faster.
pub fn fast_config(seed: u64) -> EngineConfig {
    EngineConfig {
        worker: WorkerConfig {
            backoff: Backoff { base: Duration::from_millis(5), cap: Duration::from_millis(80) },
            max_attempts: 8,
            offline_attempt_bound: 2,
            idle_poll: Duration::from_millis(10),
            max_batch: None,
            once_wait_limit: Duration::from_secs(2),
            once_offline_probes: 3,
            seed,
            deferred_retry: Duration::from_millis(50),
            confirm_after: Duration::from_millis(30),
            confirm_gaps: 3,
            bulk_pause: Duration::from_secs(5),
            offline_probe_max: Duration::from_millis(200),
            read_fresh: Duration::from_millis(50),
        },
        lease_ttl: Duration::from_secs(2),
        lease_wait: Duration::from_secs(5),
        holder: format!("test-{seed}"),
        timeouts: Timeouts { connect: Duration::from_millis(500), request: Duration::from_millis(400) },
        tuning: shelfsync_sync::ChannelTuning {
            amazon_feed_poll: Duration::from_millis(20),
            amazon_feed_stuck_after: Duration::from_millis(300),
            ..shelfsync_sync::ChannelTuning::default()
        },
    }
}

pub fn engine(f: &Fixture, config: EngineConfig) -> Engine {
    Engine::new(&f.db, secrets(&f.db), config)
}

/// Drains once, bounded in time so a hung run fails instead of hanging the suite.
pub async fn drain(engine: &Engine) -> RunReport {
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    tokio::time::timeout(Duration::from_secs(60), engine.run(Mode::Once, stopped))
        .await
        .expect("a drain finishes within 60 s")
        .expect("the engine runs")
}

pub fn receive(store: &mut Store, i: usize, location: &str, qty: u32) {
    let movement = Movement::Receive {
        sku: Sku::new(sku(i)).unwrap(),
        location: LocationCode::new(location).unwrap(),
        qty,
    };
    append_patiently(store, &shelfsync_store::new_event(movement, "tester", "ws"));
}

/// Appends like a person at a busy workstation: the store answers `Busy` after its 5 s busy
/// timeout, and with six seeds' engines writing on a loaded 2-core machine a test's own write
/// can wait longer than that. That is the machine, not the engine under test, so the test tries
/// again, for at most a minute; any other error fails with its message. (A 200-seed run failed
/// once at the plain `unwrap` this replaces, on a machine at load 10; its error was not kept.)
fn append_patiently(store: &mut Store, event: &Event) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        match store.append(event) {
            Ok(_) => return,
            Err(shelfsync_store::StoreError::Busy) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Err(error) => panic!("append {:?}: {error}", event.movement),
        }
    }
}

pub fn sale(store: &mut Store, i: usize, location: &str, qty: u32) {
    let movement = Movement::Sale {
        sku: Sku::new(sku(i)).unwrap(),
        location: LocationCode::new(location).unwrap(),
        qty,
    };
    append_patiently(store, &shelfsync_store::new_event(movement, "tester", "ws"));
}

pub fn atp(store: &Store, i: usize, location: &str) -> i64 {
    store.balances(&Sku::new(sku(i)).unwrap(), &LocationCode::new(location).unwrap()).unwrap().atp()
}

pub fn sim_level(f: &Fixture, i: usize, location: &str) -> Option<i64> {
    f.sim.inspect(|s| s.level(&item_gid(i), &location_gid(location)))
}

pub fn queue_depth(f: &Fixture) -> i64 {
    shelfsync_sync::queue::queue_depth(&f.store, CHANNEL).unwrap()
}

/// Starts the engine in daemon mode; stop it with the returned sender.
pub fn spawn_daemon(
    f: &Fixture,
    config: EngineConfig,
) -> (tokio::sync::watch::Sender<bool>, tokio::task::JoinHandle<shelfsync_sync::Result<RunReport>>) {
    let engine = engine(f, config);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let handle = tokio::spawn(async move { engine.run(Mode::Daemon, stopped).await });
    (stop, handle)
}

pub async fn stop_daemon(
    stop: tokio::sync::watch::Sender<bool>,
    handle: tokio::task::JoinHandle<shelfsync_sync::Result<RunReport>>,
) -> RunReport {
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(20), handle).await.expect("the engine stops").unwrap().unwrap()
}

/// Waits until `check` holds, polling; false when `limit` passes first.
pub async fn eventually(limit: Duration, mut check: impl FnMut() -> bool) -> bool {
    let started = std::time::Instant::now();
    while started.elapsed() < limit {
        if check() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    check()
}

/// Open unseen drops (units, positive) of item `i`, per listing as (channel, location): the
/// sales the engine saw leave a channel and the ledger has not booked. Every channel's listing
/// of the item is lowered by all of them together.
pub fn open_drops(store: &Store, i: usize) -> Vec<(String, Option<String>, i64)> {
    connection(store)
        .prepare(
            "SELECT l.channel, l.location, -sum(c.delta) FROM channel_changes c JOIN listings l ON l.id = c.listing_id
             WHERE l.sku = ?1 AND c.resolved_at IS NULL AND c.delta < 0 GROUP BY l.id ORDER BY l.id",
        )
        .unwrap()
        .query_map([sku(i)], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Units of item `i`'s open drops on every listing but (channel, location).
pub fn open_drops_elsewhere(store: &Store, i: usize, channel: &str, location: Option<&str>) -> i64 {
    open_drops(store, i)
        .into_iter()
        .filter(|(c, l, _)| !(c == channel && l.as_deref() == location))
        .map(|(_, _, n)| n)
        .sum()
}
