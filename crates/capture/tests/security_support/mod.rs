//! A webhook receiver on loopback over a real SQLite file, for the fuzz and security suites:
//! SKU S1 with stock at WH1, mapped on the Shopify channel "shop" whose webhook secret is
//! [`SECRET`] (kept in the 0600 secrets file beside the database).
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::Duration;

use shelfsync_capture::webhook::{self, RunningReceiver};
use shelfsync_channels::ChannelKind;
use shelfsync_core::{Item, Location, LocationCode, Movement, Sku};
use shelfsync_store::testing::connection;
use shelfsync_store::{ItemRecord, Store};
use shelfsync_sync::config::{self, Mapping, NewChannel, SHOPIFY_TOKEN, SHOPIFY_WEBHOOK_SECRET};
use shelfsync_sync::credentials::{Backend, Secret, Secrets};
use tempfile::TempDir;

pub const CHANNEL: &str = "shop";
pub const SECRET: &str = "whsec_security_suite";
pub const ITEM: &str = "gid://shopify/InventoryItem/1001";
pub const LOCATION: &str = "gid://shopify/Location/1";
pub const TOPICS: [&str; 4] =
    ["orders/create", "orders/cancelled", "refunds/create", "inventory_levels/update"];

pub struct Receiver {
    pub _dir: TempDir,
    pub db: PathBuf,
    pub store: Store,
    pub receiver: RunningReceiver,
    pub http: reqwest::Client,
}

pub fn secrets(db: &std::path::Path) -> Secrets {
    Secrets::with_backend(db, Backend::File)
}

pub async fn receiver() -> Receiver {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.db");
    let mut store = Store::open(&db).unwrap();
    let wh1 = LocationCode::new("WH1").unwrap();
    store.upsert_locations(&[Location { code: wh1.clone(), name: "WH1".into(), parent: None }]).unwrap();
    let item = Item {
        sku: Sku::new("S1").unwrap(),
        name: "item".into(),
        unit_cost_cents: 100,
        category: "t".into(),
        safety_stock: 0,
    };
    store.upsert_items(&[ItemRecord { item, barcodes: vec![] }]).unwrap();
    let new = NewChannel {
        name: CHANNEL.into(),
        kind: ChannelKind::Shopify,
        // Never called: these suites run no engine.
        endpoint: "http://127.0.0.1:9".into(),
        shop: Some("security-suite.myshopify.com".into()),
        seller_id: None,
        marketplace_id: None,
    };
    let creds = [
        (SHOPIFY_TOKEN, Secret::new("shpat_security_suite").unwrap()),
        (SHOPIFY_WEBHOOK_SECRET, Secret::new(SECRET).unwrap()),
    ];
    config::add_channel(&store, shelfsync_store::By::new("tester", "ws-test"), &secrets(&db), &new, &creds)
        .unwrap();
    let mapping = Mapping {
        sku: "S1".into(),
        location: Some("WH1".into()),
        remote_item: ITEM.into(),
        remote_location: Some(LOCATION.into()),
    };
    config::map_one(&store, shelfsync_store::By::new("tester", "ws-test"), CHANNEL, &mapping).unwrap();
    let receive = Movement::Receive { sku: Sku::new("S1").unwrap(), location: wh1, qty: 500 };
    store.append(&shelfsync_store::new_event(receive, "tester", "ws")).unwrap();
    let receiver = webhook::serve(&db, &secrets(&db), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let http = shelfsync_capture::poll::http_client().unwrap();
    Receiver { _dir: dir, db, store, receiver, http }
}

impl Receiver {
    pub fn count(&self, sql: &str) -> i64 {
        connection(&self.store).query_row(sql, [], |r| r.get(0)).unwrap()
    }

    /// POSTs `body` with the given headers; `None` leaves a header out.
    pub async fn post(
        &self,
        topic: Option<&str>,
        event_id: Option<&str>,
        hmac: Option<&str>,
        body: &[u8],
    ) -> (u16, String) {
        let mut request = self
            .http
            .post(format!("{}/webhooks/shopify/{CHANNEL}", self.receiver.url()))
            .header("Content-Type", "application/json")
            .body(body.to_vec());
        for (name, value) in
            [("X-Shopify-Topic", topic), ("X-Shopify-Event-Id", event_id), ("X-Shopify-Hmac-Sha256", hmac)]
        {
            if let Some(value) = value {
                request = request.header(name, value);
            }
        }
        let response = request.send().await.expect("the receiver answers");
        let status = response.status().as_u16();
        (status, response.text().await.unwrap_or_default())
    }

    /// Waits until the background processor has booked every stored delivery.
    pub async fn settle(&self) {
        let done = tokio::time::timeout(Duration::from_secs(30), async {
            while self.count("SELECT count(*) FROM webhook_inbox WHERE processed_at IS NULL") > 0 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await;
        assert!(done.is_ok(), "the inbox drains within 30 s");
    }
}

pub fn sign(body: &[u8]) -> String {
    webhook::sign(SECRET.as_bytes(), body)
}
