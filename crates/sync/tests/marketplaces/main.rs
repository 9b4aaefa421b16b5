//! Amazon and eBay over real loopback HTTP to the simulator: seeded convergence for all three
//! channels at once, INVALID-as-200 to the dead-letter queue with its issue codes, expired
//! tokens renewed once, 429 back-off, eBay partial batches and the per-listing revision cap,
//! and pacing at the configured rate with no 429.
//!
//! `SHELFSYNC_MARKET_SEEDS=N` runs N seeds (default 24); `SHELFSYNC_MARKET_SEED=S` replays one.

#[path = "../common/mod.rs"]
mod common;

use shelfsync_store::testing::connection;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use shelfsync_channels::amazon::{AmazonClient, AmazonConfig};
use shelfsync_channels::ebay::{EbayClient, EbayConfig};
use shelfsync_channels::{Channel, ChannelKind, PushOutcome, PushRequest, QuantityUpdate, RemoteListing};
use shelfsync_core::{Item, Location, LocationCode, Movement, Sku};
use shelfsync_sim::amazon::{AmazonFaults, AmazonSimConfig};
use shelfsync_sim::ebay::{EbayFaults, EbaySimConfig};
use shelfsync_sim::{Faults, RunningSim, Sim, SimConfig};
use shelfsync_store::{ItemRecord, Store};
use shelfsync_sync::config::{
    self, EBAY_CLIENT_ID, EBAY_CLIENT_SECRET, EBAY_REFRESH_TOKEN, LWA_CLIENT_ID, LWA_CLIENT_SECRET,
    LWA_REFRESH_TOKEN, Mapping, NewChannel, SHOPIFY_TOKEN,
};
use shelfsync_sync::credentials::Secret;
use shelfsync_sync::{Engine, EngineConfig, Mode, RunReport};
use tempfile::TempDir;

mod convergence;
mod feeds;
mod priority;
mod pushes;
mod schemas;

const AMAZON: &str = "amz";
const EBAY: &str = "eb";
const SHOP: &str = "shop";
const MARKETPLACE: &str = "ATVPDKIKX0DER";

struct Market {
    _dir: TempDir,
    db: PathBuf,
    store: Store,
    sim: Sim,
    _server: RunningSim,
    amazon_config: AmazonSimConfig,
    ebay_config: EbaySimConfig,
    url: String,
}

fn offer_id(i: usize) -> String {
    format!("{}", 900_000 + i)
}

/// `skus` items at WH1, listed on Amazon (seller SKU `AMZ-Si`), eBay (SKU `Si`, offer ids
/// given for even SKUs and looked up for odd ones) and, with `shopify`, Shopify.
async fn market(skus: usize, amazon: AmazonSimConfig, ebay: EbaySimConfig, shopify: bool) -> Market {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.db");
    let mut store = Store::open(&db).unwrap();
    store
        .upsert_locations(&[Location {
            code: LocationCode::new("WH1").unwrap(),
            name: "WH1".into(),
            parent: None,
        }])
        .unwrap();
    let items: Vec<ItemRecord> = (0..skus)
        .map(|i| ItemRecord {
            item: Item {
                sku: Sku::new(sku(i)).unwrap(),
                name: format!("item {i}"),
                unit_cost_cents: 100,
                category: "t".into(),
                safety_stock: 0,
            },
            barcodes: vec![],
        })
        .collect();
    store.upsert_items(&items).unwrap();
    let sim = Sim::with_marketplaces(
        SimConfig { seed: amazon.seed, access_token: Some(TOKEN.into()), ..SimConfig::default() },
        amazon.clone(),
        ebay.clone(),
    );
    for i in 0..skus {
        sim.amazon.set_listing(&format!("AMZ-{}", sku(i)), 0);
        sim.ebay.set_item(&sku(i), &offer_id(i), 0);
        sim.set_level(&item_gid(i), &location_gid("WH1"), 0);
    }
    let server = sim.serve(0).await.unwrap();
    let url = server.url();
    let secrets = secrets(&db);
    let add = |name: &str, kind: ChannelKind, seller: Option<&str>, keys: &[(&str, Secret)]| {
        let new = NewChannel {
            name: name.into(),
            kind,
            endpoint: url.clone(),
            shop: (kind == ChannelKind::Shopify).then(|| "t.myshopify.com".to_string()),
            seller_id: seller.map(str::to_string),
            marketplace_id: seller.map(|_| MARKETPLACE.to_string()),
        };
        config::add_channel(&store, shelfsync_store::By::new("tester", "ws-test"), &secrets, &new, keys)
            .unwrap();
    };
    let s = |v: &str| Secret::new(v).unwrap();
    add(
        AMAZON,
        ChannelKind::Amazon,
        Some(&amazon.seller_id),
        &[
            (LWA_CLIENT_ID, s(&amazon.client_id)),
            (LWA_CLIENT_SECRET, s(&amazon.client_secret)),
            (LWA_REFRESH_TOKEN, s(&amazon.refresh_token)),
        ],
    );
    add(
        EBAY,
        ChannelKind::Ebay,
        None,
        &[
            (EBAY_CLIENT_ID, s(&ebay.client_id)),
            (EBAY_CLIENT_SECRET, s(&ebay.client_secret)),
            (EBAY_REFRESH_TOKEN, s(&ebay.refresh_token)),
        ],
    );
    if shopify {
        add(SHOP, ChannelKind::Shopify, None, &[(SHOPIFY_TOKEN, s(TOKEN))]);
    }
    for i in 0..skus {
        let amz = Mapping {
            sku: sku(i),
            location: None,
            remote_item: format!("AMZ-{}", sku(i)),
            remote_location: None,
        };
        config::map_one(&store, shelfsync_store::By::new("tester", "ws-test"), AMAZON, &amz).unwrap();
        let offer = (i % 2 == 0).then(|| offer_id(i));
        let eb = Mapping { sku: sku(i), location: None, remote_item: sku(i), remote_location: offer };
        config::map_one(&store, shelfsync_store::By::new("tester", "ws-test"), EBAY, &eb).unwrap();
        if shopify {
            let m = Mapping {
                sku: sku(i),
                location: Some("WH1".into()),
                remote_item: item_gid(i),
                remote_location: Some(location_gid("WH1")),
            };
            config::map_one(&store, shelfsync_store::By::new("tester", "ws-test"), SHOP, &m).unwrap();
        }
    }
    Market { _dir: dir, db, store, sim, _server: server, amazon_config: amazon, ebay_config: ebay, url }
}

fn engine(m: &Market, config: EngineConfig) -> Engine {
    Engine::new(&m.db, secrets(&m.db), config)
}

async fn drain(engine: &Engine) -> RunReport {
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    tokio::time::timeout(Duration::from_secs(60), engine.run(Mode::Once, stopped))
        .await
        .expect("drains in 60 s")
        .expect("runs")
}

fn depth(m: &Market, channel: &str) -> i64 {
    shelfsync_sync::queue::queue_depth(&m.store, channel).unwrap()
}

/// Dead letters of a channel: (sku, kind, message).
fn dead_letters(m: &Market, channel: &str) -> Vec<(String, String, String)> {
    connection(&m.store)
        .prepare(
            "SELECT l.sku, d.* FROM dead_letters d JOIN listings l ON l.id = d.listing_id WHERE l.channel = ?1 ORDER BY d.id",
        )
        .unwrap()
        .query_map([channel], |r| {
            let sku: String = r.get(0)?;
            let mut text = Vec::new();
            for i in 1..r.as_ref().column_count() {
                if let Ok(Some(v)) = r.get::<_, Option<String>>(i) {
                    text.push(v);
                }
            }
            Ok((sku, text.join(" | "), String::new()))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn fast(seed: u64) -> EngineConfig {
    let mut config = fast_config(seed);
    config.tuning.amazon_patch_rate = 200.0;
    config.tuning.amazon_patch_burst = 5.0;
    config.tuning.ebay_calls_per_second = 500.0;
    config
}

fn amazon_sim(seed: u64) -> AmazonSimConfig {
    AmazonSimConfig {
        seed,
        patch_rate: 200.0,
        patch_burst: 5.0,
        search_rate: 200.0,
        search_burst: 20.0,
        ..Default::default()
    }
}

fn ebay_sim(seed: u64) -> EbaySimConfig {
    EbaySimConfig { seed, ..Default::default() }
}

fn amazon_client(m: &Market) -> AmazonClient {
    let c = &m.amazon_config;
    let mut config = AmazonConfig::new(
        &m.url,
        &c.seller_id,
        MARKETPLACE,
        &c.client_id,
        &c.client_secret,
        &c.refresh_token,
    );
    config.patch_rate = c.patch_rate;
    config.patch_burst = c.patch_burst;
    AmazonClient::new(config).unwrap()
}

fn ebay_client(m: &Market) -> EbayClient {
    let c = &m.ebay_config;
    EbayClient::new(EbayConfig::new(&m.url, &c.client_id, &c.client_secret, &c.refresh_token)).unwrap()
}

fn spec_dir() -> PathBuf {
    // Copies kept in the repository (tests/specs/README.md says where each comes from), so a
    // clone alone can run this test.
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/specs")
}

fn draft7(file: &str) -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(spec_dir().join(file)).unwrap()).unwrap();
    jsonschema::options().with_draft(jsonschema::Draft::Draft7).build(&schema).unwrap()
}
