//! Capture benchmarks over loopback HTTP, printed as a Markdown table.
//!
//! 1. Reconciliation of 100,000 Shopify listings against the simulator: the read-back time and
//!    the local diff (allocation, classification, stored reads and report) measured apart. The
//!    simulator's cost bucket is opened wide so the read shows the transport's own cost; what
//!    the real read limits allow is computed beside it (the run's time is bounded by them).
//! 2. The webhook receiver: signed `orders/create` deliveries from a Rust load generator with
//!    N concurrent connections; requests per second and the answer latency (the answer is sent
//!    only once the delivery is in the durable inbox), p50 and p99.
//!
//! `BENCH_QUICK=1` scales both down to run in seconds. Figures, not pass/fail.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use shelfsync_capture::{poll, reconcile, webhook};
use shelfsync_channels::ChannelKind;
use shelfsync_core::{Event, Item, Location, LocationCode, Movement, Sku};
use shelfsync_sim::{Sim, SimConfig};
use shelfsync_store::testing::connection;
use shelfsync_store::{ItemRecord, Store};
use shelfsync_sync::config::{self, NewChannel, SHOPIFY_TOKEN, SHOPIFY_WEBHOOK_SECRET};
use shelfsync_sync::credentials::{Backend, Secret, Secrets};

const TOKEN: &str = "shpat_capture_bench";
const SECRET: &str = "whsec_capture_bench";
const LOCATION: &str = "gid://shopify/Location/1";
const STOCK: u32 = 50;

struct Scale {
    listings: usize,
    deliveries: usize,
    connections: usize,
}

fn scale() -> Scale {
    if std::env::var("BENCH_QUICK").is_ok_and(|v| v == "1") {
        Scale { listings: 2_000, deliveries: 1_000, connections: 16 }
    } else {
        Scale { listings: 100_000, deliveries: 20_000, connections: 32 }
    }
}

fn item(i: usize) -> String {
    format!("gid://shopify/InventoryItem/{i}")
}

/// `listings` SKUs with `STOCK` units each at WH1, mapped on one Shopify channel at `endpoint`.
fn setup(dir: &Path, endpoint: &str, listings: usize, stock: u32) -> PathBuf {
    let db = dir.join("bench.db");
    let mut store = Store::open(&db).unwrap();
    let wh1 = LocationCode::new("WH1").unwrap();
    store.upsert_locations(&[Location { code: wh1.clone(), name: "Main".into(), parent: None }]).unwrap();
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
    let events: Vec<Event> = (0..listings)
        .map(|i| {
            let receive = Movement::Receive {
                sku: Sku::new(format!("S{i}")).unwrap(),
                location: wh1.clone(),
                qty: stock,
            };
            shelfsync_store::new_event(receive, "bench", "bench")
        })
        .collect();
    for chunk in events.chunks(10_000) {
        store.append_batch(chunk).map_err(|(_, e)| e).unwrap();
    }
    let new = NewChannel {
        name: "shop".into(),
        kind: ChannelKind::Shopify,
        endpoint: endpoint.into(),
        shop: Some("bench.myshopify.com".into()),
        seller_id: None,
        marketplace_id: None,
    };
    let secrets = Secrets::with_backend(&db, Backend::File);
    config::add_channel(
        &store,
        shelfsync_store::By::new("tester", "ws-test"),
        &secrets,
        &new,
        &[
            (SHOPIFY_TOKEN, Secret::new(TOKEN).unwrap()),
            (SHOPIFY_WEBHOOK_SECRET, Secret::new(SECRET).unwrap()),
        ],
    )
    .unwrap();
    let mut csv = String::from("sku,location,inventory_item_id,location_id\n");
    for i in 0..listings {
        csv.push_str(&format!("S{i},WH1,{},{LOCATION}\n", item(i)));
    }
    let file = db.with_extension("mappings.csv");
    std::fs::write(&file, csv).unwrap();
    config::import_mappings(&store, shelfsync_store::By::new("tester", "ws-test"), "shop", &file).unwrap();
    db
}

struct ReconcileFigures {
    total_s: f64,
    read_s: f64,
    local_s: f64,
    gaps: usize,
    read_floor_standard_s: f64,
    read_floor_plus_s: f64,
}

/// One real (stored) reconciliation of every listing; the simulator already shows what the
/// ledger expects, but for 1 in 1,000 listings, edited on the channel.
fn reconcile_bench(listings: usize) -> ReconcileFigures {
    let dir = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let config = SimConfig {
            access_token: Some(TOKEN.into()),
            bucket_size: 1e12,
            restore_rate: 1e12,
            ..SimConfig::default()
        };
        let sim = Sim::new(config.clone());
        for i in 0..listings {
            let edited = if i % 1000 == 7 { STOCK as i64 - 1 } else { STOCK as i64 };
            sim.set_level(&item(i), LOCATION, edited);
        }
        let server = sim.serve(0).await.unwrap();
        let db = setup(dir.path(), &server.url(), listings, STOCK);
        let secrets = Secrets::with_backend(&db, Backend::File);
        let started = Instant::now();
        let reports = reconcile::reconcile(&db, &secrets, Some("shop"), false).await.unwrap();
        let total_s = started.elapsed().as_secs_f64();
        let report = &reports[0];
        assert_eq!(report.checked, listings);
        // What Shopify's own limits allow for the same read: points per level over the restore rate.
        let points = listings as f64 * config.read_cost_per_level;
        ReconcileFigures {
            total_s,
            read_s: report.read_ms as f64 / 1000.0,
            local_s: report.local_ms as f64 / 1000.0,
            gaps: report.gaps.len(),
            read_floor_standard_s: (points - 2_000.0).max(0.0) / 100.0,
            read_floor_plus_s: (points - 20_000.0).max(0.0) / 1_000.0,
        }
    })
}

struct ReceiverFigures {
    requests_per_s: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    booked_s: f64,
}

/// `deliveries` signed orders posted by `connections` concurrent senders.
fn receiver_bench(deliveries: usize, connections: usize) -> ReceiverFigures {
    let dir = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        // No simulator is called: the channel's endpoint is only stored. Stock covers every
        // order, so the run measures capture rather than oversell incidents.
        let db = setup(dir.path(), "http://127.0.0.1:9", 100, deliveries as u32);
        let secrets = Secrets::with_backend(&db, Backend::File);
        let receiver = webhook::serve(&db, &secrets, "127.0.0.1:0".parse().unwrap()).await.unwrap();
        let url = format!("{}/webhooks/shopify/shop", receiver.url());
        let bodies: Arc<Vec<(String, Vec<u8>)>> = Arc::new(
            (0..deliveries)
                .map(|n| {
                    let body = serde_json::to_vec(&json!({
                        "id": 1_000_000 + n, "created_at": "2026-11-26T10:00:00Z", "updated_at": "2026-11-26T10:00:00Z",
                        "location_id": LOCATION,
                        "line_items": [{ "id": 10 * n + 1, "inventory_item_id": item(n % 100), "quantity": 1 }],
                    }))
                    .unwrap();
                    (webhook::sign(SECRET.as_bytes(), &body), body)
                })
                .collect(),
        );
        let http = poll::http_client().unwrap();
        let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let started = Instant::now();
        let mut senders = tokio::task::JoinSet::new();
        for _ in 0..connections {
            let (http, url, bodies, next) = (http.clone(), url.clone(), bodies.clone(), next.clone());
            senders.spawn(async move {
                let mut latencies = Vec::new();
                loop {
                    let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some((signature, body)) = bodies.get(n) else { return latencies };
                    let sent = Instant::now();
                    let response = http
                        .post(&url)
                        .header("X-Shopify-Topic", "orders/create")
                        .header("X-Shopify-Event-Id", format!("bench-{n}"))
                        .header("X-Shopify-Hmac-Sha256", signature)
                        .header("Content-Type", "application/json")
                        .body(body.clone())
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(response.status(), 200);
                    latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
                }
            });
        }
        let mut latencies = Vec::with_capacity(deliveries);
        while let Some(done) = senders.join_next().await {
            latencies.extend(done.unwrap());
        }
        let elapsed = started.elapsed().as_secs_f64();
        let store = Store::open(&db).unwrap();
        let pending = || -> i64 {
            connection(&store)
                .query_row("SELECT count(*) FROM webhook_inbox WHERE processed_at IS NULL", [], |r| r.get(0))
                .unwrap()
        };
        // Bounded: the processor books in the background; a stall must end the benchmark.
        let deadline = Instant::now() + Duration::from_secs(600);
        while pending() > 0 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let booked_s = started.elapsed().as_secs_f64();
        receiver.stop().await;
        latencies.sort_by(f64::total_cmp);
        let at = |q: f64| latencies[((latencies.len() as f64 * q).ceil() as usize).clamp(1, latencies.len()) - 1];
        ReceiverFigures {
            requests_per_s: deliveries as f64 / elapsed,
            p50_ms: at(0.50),
            p99_ms: at(0.99),
            max_ms: at(1.0),
            booked_s,
        }
    })
}

fn main() {
    let scale = scale();
    let r = reconcile_bench(scale.listings);
    let w = receiver_bench(scale.deliveries, scale.connections);
    let n = scale.listings;
    println!("| measure | figure | target |");
    println!("| --- | --- | --- |");
    println!(
        "| reconciliation of {n} listings, whole run (poll, read-back, diff, stored report) | {:.2} s | bounded by read limits |",
        r.total_s
    );
    println!(
        "| of which the channel read-back (simulator bucket opened wide) | {:.2} s ({:.0} listings/s) | - |",
        r.read_s,
        n as f64 / r.read_s.max(1e-9)
    );
    println!(
        "| of which the local diff (allocation, classes, reads and report stored) | {:.3} s | < 1 s |",
        r.local_s
    );
    println!("| gaps found (1 listing in 1,000 edited on the channel) | {} | {} |", r.gaps, n / 1000);
    println!(
        "| read floor at Shopify's limits: Standard (2,000 points, 100/s) / Plus (20,000, 1,000/s) | {:.0} s / {:.0} s | - |",
        r.read_floor_standard_s, r.read_floor_plus_s
    );
    println!(
        "| webhook receiver, {} signed deliveries over {} connections: requests/s | {:.0} | >= 2,000 |",
        scale.deliveries, scale.connections, w.requests_per_s
    );
    println!(
        "| answer latency (stored in the durable inbox) p50 / p99 / max | {:.1} / {:.1} / {:.1} ms | p99 < 20 ms |",
        w.p50_ms, w.p99_ms, w.max_ms
    );
    println!("| every delivery booked into the ledger after | {:.1} s | - |", w.booked_s);
}
