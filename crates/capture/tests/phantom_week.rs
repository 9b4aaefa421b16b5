//! The guide's arithmetic, run for real: a simulated week at 400 orders a day with 1% of the
//! order webhooks lost. Orders are placed through the simulator's admin API (which sells from
//! its own stock), delivered signed to the real receiver over loopback, and a seeded generator
//! drops 1% of them. Without polling and reconciliation the lost orders leave phantom units
//! (units the ledger still offers that the channel already sold); with a reconciliation cycle
//! at the end of each simulated day, none are left after any cycle.
//!
//! Phantom units are measured from both sides: for every listing, what the engine would offer
//! (the ledger's allocation) minus what the channel shows.

use std::path::PathBuf;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use shelfsync_capture::{poll, reconcile, webhook};
use shelfsync_channels::ChannelKind;
use shelfsync_core::{Item, Location, LocationCode, Movement, Sku};
use shelfsync_sim::{RunningSim, Sim, SimConfig};
use shelfsync_store::testing::connection;
use shelfsync_store::{ItemRecord, Store};
use shelfsync_sync::config::{self, Mapping, NewChannel, SHOPIFY_TOKEN, SHOPIFY_WEBHOOK_SECRET};
use shelfsync_sync::credentials::{Backend, Secret, Secrets};
use shelfsync_sync::{Engine, EngineConfig, Mode};
use tempfile::TempDir;

const CHANNEL: &str = "shop";
const TOKEN: &str = "shpat_week_test";
const SECRET: &str = "whsec_week_test";
const LOCATION: &str = "gid://shopify/Location/1";
const SKUS: usize = 20;
const STOCK: u32 = 1_000;
const DAYS: usize = 7;
const ORDERS_PER_DAY: usize = 400;
const LOSS: f64 = 0.01;
const SEED: u64 = 20_261_126;

struct Shop {
    _dir: TempDir,
    db: PathBuf,
    store: Store,
    sim: Sim,
    server: RunningSim,
    http: reqwest::Client,
}

fn secrets(db: &std::path::Path) -> Secrets {
    Secrets::with_backend(db, Backend::File)
}

fn item(i: usize) -> String {
    format!("gid://shopify/InventoryItem/{}", 5000 + i)
}

/// `SKUS` SKUs with `STOCK` units each at WH1, mapped on one Shopify channel and pushed.
async fn shop() -> Shop {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.db");
    let mut store = Store::open(&db).unwrap();
    let wh1 = LocationCode::new("WH1").unwrap();
    store.upsert_locations(&[Location { code: wh1.clone(), name: "WH1".into(), parent: None }]).unwrap();
    let items: Vec<ItemRecord> = (0..SKUS)
        .map(|i| ItemRecord {
            item: Item {
                sku: Sku::new(format!("W{i}")).unwrap(),
                name: format!("item {i}"),
                unit_cost_cents: 100,
                category: "t".into(),
                safety_stock: 0,
            },
            barcodes: vec![],
        })
        .collect();
    store.upsert_items(&items).unwrap();
    let sim = Sim::new(SimConfig { access_token: Some(TOKEN.into()), ..SimConfig::default() });
    for i in 0..SKUS {
        sim.set_level(&item(i), LOCATION, 0);
    }
    let server = sim.serve(0).await.unwrap();
    let new = NewChannel {
        name: CHANNEL.into(),
        kind: ChannelKind::Shopify,
        endpoint: server.url(),
        shop: Some("week.myshopify.com".into()),
        seller_id: None,
        marketplace_id: None,
    };
    config::add_channel(
        &store,
        shelfsync_store::By::new("tester", "ws-test"),
        &secrets(&db),
        &new,
        &[
            (SHOPIFY_TOKEN, Secret::new(TOKEN).unwrap()),
            (SHOPIFY_WEBHOOK_SECRET, Secret::new(SECRET).unwrap()),
        ],
    )
    .unwrap();
    for i in 0..SKUS {
        let mapping = Mapping {
            sku: format!("W{i}"),
            location: Some("WH1".into()),
            remote_item: item(i),
            remote_location: Some(LOCATION.into()),
        };
        config::map_one(&store, shelfsync_store::By::new("tester", "ws-test"), CHANNEL, &mapping).unwrap();
        let receive =
            Movement::Receive { sku: Sku::new(format!("W{i}")).unwrap(), location: wh1.clone(), qty: STOCK };
        store.append(&shelfsync_store::new_event(receive, "tester", "ws")).unwrap();
    }
    let engine =
        Engine::new(&db, secrets(&db), EngineConfig { holder: "week".into(), ..EngineConfig::default() });
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    tokio::time::timeout(Duration::from_secs(60), engine.run(Mode::Once, stopped)).await.unwrap().unwrap();
    Shop { _dir: dir, db, store, sim, server, http: poll::http_client().unwrap() }
}

/// Units the engine would still offer that the channel has already sold, over every listing.
fn phantom_units(shop: &Shop) -> i64 {
    let ids: Vec<(i64, String)> = connection(&shop.store)
        .prepare("SELECT id, remote_item FROM listings WHERE channel = ?1 ORDER BY id")
        .unwrap()
        .query_map([CHANNEL], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    ids.iter()
        .map(|(id, remote)| {
            let ours = shop.store.allocation_for(*id).unwrap().qty;
            let theirs = shop.sim.inspect(|s| s.level(remote, LOCATION)).unwrap();
            ours - theirs
        })
        .sum()
}

async fn settle(shop: &Shop) {
    let pending = || -> i64 {
        connection(&shop.store)
            .query_row("SELECT count(*) FROM webhook_inbox WHERE processed_at IS NULL", [], |r| r.get(0))
            .unwrap()
    };
    let drained = tokio::time::timeout(Duration::from_secs(60), async {
        while pending() > 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(drained.is_ok(), "the inbox drains");
}

/// One simulated day: `ORDERS_PER_DAY` one-unit orders, each webhook delivered unless the
/// generator drops it. Returns the units whose webhook was lost.
async fn day(shop: &Shop, receiver: &str, rng: &mut StdRng, day: usize) -> i64 {
    let mut lost = 0;
    for n in 0..ORDERS_PER_DAY {
        let i = rng.random_range(0..SKUS);
        let placed: Value = shop
            .http
            .post(format!("{}/admin/shop/orders", shop.server.url()))
            .json(&json!({ "item": item(i), "location": LOCATION, "qty": 1 }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let order = &placed["order"];
        assert!(order.is_object(), "the simulator sold: {placed}");
        if rng.random::<f64>() < LOSS {
            lost += order["line_items"][0]["quantity"].as_i64().unwrap();
            continue;
        }
        let body = serde_json::to_vec(order).unwrap();
        let status = shop
            .http
            .post(format!("{receiver}/webhooks/shopify/{CHANNEL}"))
            .header("X-Shopify-Topic", "orders/create")
            .header("X-Shopify-Event-Id", format!("d{day}-o{n}"))
            .header("X-Shopify-Hmac-Sha256", webhook::sign(SECRET.as_bytes(), &body))
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 200);
    }
    settle(shop).await;
    lost
}

async fn week(reconcile_daily: bool) -> (Vec<i64>, Vec<i64>) {
    let shop = shop().await;
    let receiver =
        webhook::serve(&shop.db, &secrets(&shop.db), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let mut rng = StdRng::seed_from_u64(SEED);
    let (mut phantom_by_day, mut lost_by_day) = (Vec::new(), Vec::new());
    for d in 0..DAYS {
        let lost = day(&shop, &receiver.url(), &mut rng, d).await;
        lost_by_day.push(lost);
        if reconcile_daily {
            let before = phantom_units(&shop);
            assert_eq!(before, lost, "day {d}: the lost webhooks are exactly the phantom units");
            let run = reconcile::reconcile(&shop.db, &secrets(&shop.db), Some(CHANNEL), false).await.unwrap();
            let explained = run[0].gaps.iter().filter(|g| g.class == "order_not_ingested").count() as i64;
            assert!(explained <= lost && (lost == 0 || explained > 0), "day {d}: {:?}", run[0].gaps);
            assert!(
                run[0].gaps.iter().all(|g| g.class == "order_not_ingested"),
                "day {d}: nothing else drifted: {:?}",
                run[0].gaps
            );
        }
        phantom_by_day.push(phantom_units(&shop));
    }
    receiver.stop().await;
    (phantom_by_day, lost_by_day)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_percent_webhook_loss_over_a_week_leaves_no_phantom_units_after_each_reconciliation() {
    let (without, lost) = week(false).await;
    let (with, lost_again) = week(true).await;
    assert_eq!(lost, lost_again, "the same seed drops the same webhooks");
    let total_lost: i64 = lost.iter().sum();
    println!(
        "1% webhook loss, {DAYS} days x {ORDERS_PER_DAY} orders: {total_lost} webhooks lost; phantom units \
         by day without polling/reconciliation {without:?} (end of week {}), with a daily cycle {with:?} (end of week {})",
        without.last().unwrap(),
        with.last().unwrap()
    );
    // Without the fallback, every lost webhook stays a phantom unit and they pile up.
    let cumulative: Vec<i64> = lost
        .iter()
        .scan(0, |sum, l| {
            *sum += l;
            Some(*sum)
        })
        .collect();
    assert_eq!(without, cumulative);
    assert!(total_lost > 10, "1% of 2,800 orders is about 28: {total_lost}");
    // With it, none are left after any cycle.
    assert!(with.iter().all(|p| *p == 0), "{with:?}");
}
