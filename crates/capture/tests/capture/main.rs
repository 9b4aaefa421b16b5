//! Capture end to end over loopback HTTP: the real receiver on port 0, the simulator on port 0,
//! a real SQLite file, the real sync engine. Nothing is mocked.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Value, json};
use shelfsync_capture::{alerts, incidents, orders, poll, reconcile, webhook};
use shelfsync_channels::ChannelKind;
use shelfsync_core::{Item, Location, LocationCode, Movement, Sku};
use shelfsync_sim::{RunningSim, Sim, SimConfig};
use shelfsync_store::testing::connection;
use shelfsync_store::{ItemRecord, Store};
use shelfsync_sync::config::{self, Mapping, NewChannel, RuleChange, SHOPIFY_TOKEN, SHOPIFY_WEBHOOK_SECRET};
use shelfsync_sync::credentials::{Backend, Secret, Secrets};
use shelfsync_sync::{Engine, EngineConfig, Mode};
use tempfile::TempDir;

mod alerts_and_incidents;
mod business_hours;
mod polling_and_reconciliation;
mod replays_and_duplicates;
mod webhooks;

const CHANNEL: &str = "shop";
const TOKEN: &str = "shpat_capture_test";
const SECRET: &str = "whsec_capture_test";
const ITEM: &str = "gid://shopify/InventoryItem/1001";
const LOCATION: &str = "gid://shopify/Location/1";

struct Fixture {
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

/// SKU S1 (safety stock `safety`) at WH1 with `on_hand` units, mapped on channel "shop"; the
/// engine has pushed its quantity to the simulator.
async fn fixture(on_hand: u32, safety: u32) -> Fixture {
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
    store
        .upsert_items(&[ItemRecord {
            item: Item {
                sku: Sku::new("S1").unwrap(),
                name: "item".into(),
                unit_cost_cents: 100,
                category: "t".into(),
                safety_stock: safety,
            },
            barcodes: vec![],
        }])
        .unwrap();
    let sim = Sim::new(SimConfig { access_token: Some(TOKEN.into()), ..SimConfig::default() });
    sim.set_level(ITEM, LOCATION, 0);
    let server = sim.serve(0).await.unwrap();
    let new = NewChannel {
        name: CHANNEL.into(),
        kind: ChannelKind::Shopify,
        endpoint: server.url(),
        shop: Some("test-shop.myshopify.com".into()),
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
    let mapping = Mapping {
        sku: "S1".into(),
        location: Some("WH1".into()),
        remote_item: ITEM.into(),
        remote_location: Some(LOCATION.into()),
    };
    config::map_one(&store, shelfsync_store::By::new("tester", "ws-test"), CHANNEL, &mapping).unwrap();
    if on_hand > 0 {
        let receive = Movement::Receive {
            sku: Sku::new("S1").unwrap(),
            location: LocationCode::new("WH1").unwrap(),
            qty: on_hand,
        };
        store.append(&shelfsync_store::new_event(receive, "tester", "ws")).unwrap();
    }
    let f = Fixture { _dir: dir, db, store, sim, server, http: poll::http_client().unwrap() };
    drain(&f).await;
    f
}

async fn drain(f: &Fixture) {
    let engine = Engine::new(
        &f.db,
        secrets(&f.db),
        EngineConfig { holder: "capture-test".into(), ..EngineConfig::default() },
    );
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    tokio::time::timeout(Duration::from_secs(30), engine.run(Mode::Once, stopped))
        .await
        .expect("drains in time")
        .expect("engine runs");
}

fn balances(f: &Fixture) -> shelfsync_core::Balances {
    f.store.balances(&Sku::new("S1").unwrap(), &LocationCode::new("WH1").unwrap()).unwrap()
}

fn count(f: &Fixture, sql: &str) -> i64 {
    connection(&f.store).query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Places an order on the simulator through its admin API; returns the order JSON.
async fn place_order(f: &Fixture, qty: i64) -> Value {
    let answer: Value = f
        .http
        .post(format!("{}/admin/shop/orders", f.server.url()))
        .json(&json!({ "item": ITEM, "location": LOCATION, "qty": qty }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["order"].clone()
}

async fn deliver(
    f: &Fixture,
    url: &str,
    topic: &str,
    event_id: &str,
    body: &[u8],
    signature: Option<&str>,
) -> (u16, Value) {
    let mut request = f
        .http
        .post(format!("{url}/webhooks/shopify/{CHANNEL}"))
        .header("X-Shopify-Topic", topic)
        .header("X-Shopify-Event-Id", event_id)
        .header("Content-Type", "application/json")
        .body(body.to_vec());
    let signed = webhook::sign(SECRET.as_bytes(), body);
    request = request.header("X-Shopify-Hmac-Sha256", signature.unwrap_or(&signed));
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// An `inventory_levels/update` body as Shopify sends it, set at `second` past a fixed minute.
fn level_body(available: i64, second: u32) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "inventory_item_id": ITEM, "location_id": LOCATION, "available": available,
        "updated_at": format!("2026-12-01T10:00:{second:02}-05:00"),
    }))
    .unwrap()
}

async fn settle(f: &Fixture) {
    let done = tokio::time::timeout(Duration::from_secs(10), async {
        while count(f, "SELECT count(*) FROM webhook_inbox WHERE processed_at IS NULL") > 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    assert!(done.is_ok(), "the inbox drains within 10 s");
}

async fn inject_level(f: &Fixture, available: i64) {
    let response = f
        .http
        .post(format!("{}/admin/levels", f.server.url()))
        .json(&json!([{ "item": ITEM, "location": LOCATION, "available": available }]))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
}

fn open_changes(f: &Fixture) -> i64 {
    count(f, "SELECT count(*) FROM channel_changes WHERE resolved_at IS NULL")
}

fn sim_level(f: &Fixture) -> Option<i64> {
    f.sim.inspect(|s| s.level(ITEM, LOCATION))
}

/// Every row of every table, as text: equal before and after means the database is unchanged.
fn db_state(f: &Fixture) -> String {
    let conn = connection(&f.store);
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut state = String::new();
    for table in tables {
        let mut select = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let columns = select.column_count();
        let mut rows: Vec<String> = select
            .query_map([], |r| {
                (0..columns).map(|i| r.get_ref(i).map(|v| format!("{v:?}"))).collect::<Result<Vec<_>, _>>()
            })
            .unwrap()
            .map(|row| row.unwrap().join("|"))
            .collect();
        rows.sort();
        state.push_str(&format!("{table}: {}\n", rows.join("; ")));
    }
    state
}

fn outcome_of(f: &Fixture, event_id: &str) -> String {
    connection(&f.store)
        .query_row("SELECT outcome FROM webhook_inbox WHERE event_id = ?1", [event_id], |r| r.get(0))
        .unwrap()
}

async fn sim_post(f: &Fixture, path: &str, body: Value) -> Value {
    f.http.post(format!("{}{path}", f.server.url())).json(&body).send().await.unwrap().json().await.unwrap()
}
