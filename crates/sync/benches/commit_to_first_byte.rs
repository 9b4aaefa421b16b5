//! Commit to the first byte of the channel request, while the rate limiter has room (issue 16's
//! target: p99 under 5 ms).
//!
//! Set-up: a real SQLite ledger file, a Shopify channel mapped to 50 SKUs, the real sync engine
//! as a daemon (production `EngineConfig`), and the real simulator (Shopify Standard: bucket
//! 2,000 points, 100/s restore), all in this process. Between the engine and the simulator sits
//! a loopback TCP relay that stamps the first byte of every request it receives (HTTP/1.1 has
//! no pipelining: the first client byte after an answer began is a new request), keeps the
//! request's opening bytes, and forwards everything unchanged.
//!
//! Each sample: one receipt appended with `Store::append` (the commit: `synchronous=FULL`)
//! on a thread of its own, as the app's scanner does; the time from `append` returning to the
//! first byte of the `inventorySetQuantities` request for that SKU. One sample at a time: the
//! next commit waits until the push was answered and the outbox is empty, then for the rest of
//! its 120 ms slot, so the cost bucket never runs dry (a push costs 10 points, a read-back 4;
//! at most 14 per 120 ms against 12 restored, from a full 2,000 over 500 samples). The first
//! `WARMUP` samples (connection set-up, statement caches) are not counted.
//!
//! Prints a Markdown table; `BENCH_QUICK=1` (or `--quick`) takes 40 samples, a few seconds.
//! The ledger goes in a temporary directory under `TMPDIR`: `TMPDIR=/dev/shm` (tmpfs, where
//! fsync costs nothing) separates the disk's share of the figure from the engine's.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use shelfsync_channels::ChannelKind;
use shelfsync_core::{Item, Location, LocationCode, Movement, Sku};
use shelfsync_sim::{ShopifyPlan, Sim, SimConfig};
use shelfsync_store::{By, ItemRecord, Store};
use shelfsync_sync::config::{self, Mapping, NewChannel, SHOPIFY_TOKEN};
use shelfsync_sync::credentials::{Backend, Secret, Secrets};
use shelfsync_sync::{Engine, EngineConfig, Mode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const TOKEN: &str = "shpat_bench";
const SKUS: usize = 50;
const WARMUP: usize = 10;
/// One commit per slot: the bucket restores 12 points a slot, a sample spends at most 14.
const SLOT: Duration = Duration::from_millis(120);
/// A request's opening bytes kept for matching (headers and the mutation's variables).
const KEEP: usize = 16 * 1024;
/// A sample whose request does not come within this is reported as missing, not waited for.
const SAMPLE_LIMIT: Duration = Duration::from_secs(5);

fn main() {
    let quick =
        std::env::var("BENCH_QUICK").is_ok_and(|v| v == "1") || std::env::args().any(|a| a == "--quick");
    let samples = if quick { 40 } else { 500 };
    let dir = tempfile::tempdir().unwrap();
    let db = setup_db(dir.path());
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let result = runtime.block_on(measure(&db, samples));
    report(&result, quick);
}

/// One request as the relay saw it: when its first byte arrived, and its opening bytes.
struct Request {
    at: Instant,
    bytes: Vec<u8>,
}

/// The requests seen so far, and a signal for each new one (the sampler waits on it instead of
/// polling, which would take CPU from the engine it measures).
#[derive(Default)]
struct Seen {
    requests: Mutex<Vec<Request>>,
    arrived: Condvar,
}

type Log = Arc<Seen>;

/// The relay: accepts the engine's connections and forwards each to the simulator.
async fn relay(listener: TcpListener, upstream: SocketAddr, log: Log) {
    loop {
        let Ok((client, _)) = listener.accept().await else { return };
        let log = log.clone();
        tokio::spawn(async move {
            let Ok(server) = TcpStream::connect(upstream).await else { return };
            let _ = client.set_nodelay(true);
            let _ = server.set_nodelay(true);
            let (mut client_rx, mut client_tx) = client.into_split();
            let (mut server_rx, mut server_tx) = server.into_split();
            // True until the client's next byte: that byte opens a new request.
            let fresh = Arc::new(AtomicBool::new(true));
            let answered = fresh.clone();
            let upward = async move {
                let mut buf = vec![0u8; 64 * 1024];
                let mut current: Option<usize> = None;
                loop {
                    let n = match client_rx.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    let at = Instant::now();
                    {
                        let mut requests = log.requests.lock().unwrap();
                        if fresh.swap(false, Ordering::AcqRel) || current.is_none() {
                            requests.push(Request { at, bytes: Vec::new() });
                            current = Some(requests.len() - 1);
                        }
                        let request = &mut requests[current.expect("set above")];
                        let room = KEEP.saturating_sub(request.bytes.len());
                        request.bytes.extend_from_slice(&buf[..n.min(room)]);
                    }
                    log.arrived.notify_all();
                    if server_tx.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
                let _ = server_tx.shutdown().await;
            };
            let downward = async move {
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    let n = match server_rx.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    answered.store(true, Ordering::Release);
                    if client_tx.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
                let _ = client_tx.shutdown().await;
            };
            tokio::join!(upward, downward);
        });
    }
}

struct Measured {
    /// Commit-to-first-byte per counted sample, in microseconds, sorted.
    micros: Vec<u64>,
    missing: usize,
    throttled: u64,
    bucket_left: f64,
    append_micros: Vec<u64>,
    load: String,
}

async fn measure(db: &Path, samples: usize) -> Measured {
    let sim = Sim::new(SimConfig {
        access_token: Some(TOKEN.into()),
        ..SimConfig::for_plan(ShopifyPlan::Standard)
    });
    for i in 0..SKUS {
        sim.set_level(&item_gid(i), "gid://shopify/Location/1", 0);
    }
    let server = sim.serve(0).await.unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let relay_url = format!("http://{}", listener.local_addr().unwrap());
    let log: Log = Arc::default();
    let relay_task = tokio::spawn(relay(listener, server.addr, log.clone()));
    add_channel(db, &relay_url);

    // The mappings' first pushes go first, so each measured push is alone.
    let config = EngineConfig { holder: format!("bench:{}", std::process::id()), ..EngineConfig::default() };
    let engine = Engine::new(db, Secrets::with_backend(db, Backend::File), config);
    let (_keep, stopped) = tokio::sync::watch::channel(false);
    engine.run(Mode::Once, stopped).await.unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let daemon = tokio::spawn(async move { engine.run(Mode::Daemon, stopped).await });

    let db_owned = db.to_path_buf();
    let sampler_log = log.clone();
    let (results, appends) =
        tokio::task::spawn_blocking(move || sample(&db_owned, samples, &sampler_log)).await.unwrap();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim().to_string();
    stop.send(true).unwrap();
    daemon.await.unwrap().unwrap();
    let (throttled, bucket_left) = sim.inspect(|s| {
        let state = s.state_json();
        (
            state["stats"]["throttled"].as_u64().unwrap_or(0),
            state["bucket"]["currentlyAvailable"].as_f64().unwrap_or(0.0),
        )
    });
    relay_task.abort();
    server.stop().await;
    let counted = &results[WARMUP.min(results.len())..];
    let mut micros: Vec<u64> = counted.iter().flatten().copied().collect();
    micros.sort_unstable();
    let mut append_micros = appends[WARMUP.min(appends.len())..].to_vec();
    append_micros.sort_unstable();
    Measured {
        missing: counted.iter().filter(|r| r.is_none()).count(),
        micros,
        throttled,
        bucket_left,
        append_micros,
        load,
    }
}

/// The commits, one per slot, on this (blocking) thread: per sample the commit-to-first-byte
/// time (None: no request within `SAMPLE_LIMIT`), and how long each append took.
fn sample(db: &Path, samples: usize, log: &Log) -> (Vec<Option<u64>>, Vec<u64>) {
    let mut store = Store::open(db).unwrap();
    let mut out = Vec::with_capacity(samples);
    let mut appends = Vec::with_capacity(samples);
    for n in 0..samples + WARMUP {
        let slot = Instant::now();
        let i = n % SKUS;
        let seen = log.requests.lock().unwrap().len();
        let movement = Movement::Receive {
            sku: Sku::new(sku(i)).unwrap(),
            location: LocationCode::new("WH1").unwrap(),
            qty: 1,
        };
        let event = shelfsync_store::new_event(movement, "bench", "bench");
        let before = Instant::now();
        store.append(&event).unwrap();
        let committed = Instant::now();
        appends.push((committed - before).as_micros() as u64);
        let needle = format!("\"{}\"", item_gid(i));
        let mut first_byte = None;
        let mut requests = log.requests.lock().unwrap();
        while first_byte.is_none() && committed.elapsed() < SAMPLE_LIMIT {
            first_byte = requests[seen..]
                .iter()
                .find(|r| {
                    let text = String::from_utf8_lossy(&r.bytes);
                    text.contains("inventorySetQuantities") && text.contains(&needle)
                })
                .map(|r| r.at);
            if first_byte.is_none() {
                requests = log.arrived.wait_timeout(requests, Duration::from_millis(50)).unwrap().0;
            }
        }
        drop(requests);
        out.push(first_byte.map(|at| at.saturating_duration_since(committed).as_micros() as u64));
        // The push answered and acknowledged before the next commit: looked at only once the
        // slot is nearly over (a push takes milliseconds), so the sampler takes no CPU meanwhile.
        if let Some(rest) = SLOT.checked_sub(slot.elapsed() + Duration::from_millis(5)) {
            std::thread::sleep(rest);
        }
        while committed.elapsed() < SAMPLE_LIMIT
            && shelfsync_sync::queue::queue_depth(&store, "shop").unwrap_or(0) > 0
        {
            std::thread::sleep(Duration::from_millis(5));
        }
        if let Some(rest) = SLOT.checked_sub(slot.elapsed()) {
            std::thread::sleep(rest);
        }
    }
    (out, appends)
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

fn ms(micros: u64) -> String {
    format!("{:.2} ms", micros as f64 / 1000.0)
}

fn report(m: &Measured, quick: bool) {
    let n = m.micros.len();
    let p99 = percentile(&m.micros, 0.99);
    let met = if n > 0 && m.missing == 0 && p99 < 5_000 { "met" } else { "missed" };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "| measure | figure |");
    let _ = writeln!(out, "| --- | --- |");
    let _ = writeln!(
        out,
        "| commit to first byte of the channel request ({n} samples, one per {} ms): p50 | {} |",
        SLOT.as_millis(),
        ms(percentile(&m.micros, 0.50))
    );
    let _ = writeln!(out, "| commit to first byte: p90 | {} |", ms(percentile(&m.micros, 0.90)));
    let _ = writeln!(out, "| commit to first byte: p99 (target < 5 ms: {met}) | {} |", ms(p99));
    let _ = writeln!(out, "| commit to first byte: max | {} |", ms(m.micros.last().copied().unwrap_or(0)));
    let _ = writeln!(out, "| samples with no request within {} s | {} |", SAMPLE_LIMIT.as_secs(), m.missing);
    let _ = writeln!(
        out,
        "| the commit itself (`Store::append`, synchronous=FULL): p50 / p99 | {} / {} |",
        ms(percentile(&m.append_micros, 0.50)),
        ms(percentile(&m.append_micros, 0.99))
    );
    let _ = writeln!(
        out,
        "| THROTTLED answers / bucket left at the end (Shopify Standard, 2,000 points) | {} / {:.0} |",
        m.throttled, m.bucket_left
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Real ledger file, real engine (production timings), real simulator behind a loopback relay \
         that stamps each request's first byte; the first {WARMUP} samples are not counted. The \
         path holds a second commit: the worker freezes the attempt group (its idempotency key) in \
         the ledger before it sends, on its bookkeeping connection (synchronous=NORMAL: no fsync; \
         Store::open_for_sync_bookkeeping). Load average during the run: {}.",
        m.load
    );
    if quick {
        let _ = writeln!(out, "\n(quick run: {n} samples; indicative only)");
    }
}

fn sku(i: usize) -> String {
    format!("S{i}")
}

fn item_gid(i: usize) -> String {
    format!("gid://shopify/InventoryItem/{}", 1000 + i)
}

fn setup_db(dir: &Path) -> PathBuf {
    let db = dir.join("bench.db");
    let mut store = Store::open(&db).unwrap();
    let location = LocationCode::new("WH1").unwrap();
    store.upsert_locations(&[Location { code: location, name: "Main".into(), parent: None }]).unwrap();
    let items: Vec<ItemRecord> = (0..SKUS)
        .map(|i| ItemRecord {
            item: Item {
                sku: Sku::new(sku(i)).unwrap(),
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

fn add_channel(db: &Path, endpoint: &str) {
    let store = Store::open(db).unwrap();
    let by = By::new("bench", "bench");
    let new = NewChannel {
        name: "shop".into(),
        kind: ChannelKind::Shopify,
        endpoint: endpoint.into(),
        shop: Some("bench.myshopify.com".into()),
        seller_id: None,
        marketplace_id: None,
    };
    let secrets = Secrets::with_backend(db, Backend::File);
    config::add_channel(&store, by, &secrets, &new, &[(SHOPIFY_TOKEN, Secret::new(TOKEN).unwrap())]).unwrap();
    for i in 0..SKUS {
        let mapping = Mapping {
            sku: sku(i),
            location: Some("WH1".into()),
            remote_item: item_gid(i),
            remote_location: Some("gid://shopify/Location/1".into()),
        };
        config::map_one(&store, by, "shop", &mapping).unwrap();
    }
}
