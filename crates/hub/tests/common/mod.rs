//! Workstations on real SQLite files joined to a real throwaway PostgreSQL cluster.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use shelfsync_core::{Event, Item, Location, LocationCode, Movement, Sku, WriteOffSource};
use shelfsync_hub::testing::{Durability, PgCluster};
use shelfsync_hub::{NodeConfig, pg};
use shelfsync_store::{ItemRecord, StockFilter, Store};
// Raw SQL for inspection and fault injection; the hub crate itself holds none.
pub use shelfsync_store::testing::connection;
use tokio::sync::watch;

pub fn cluster() -> PgCluster {
    // SAFETY-free: tests force the secrets file (no keychain on CI boxes).
    unsafe { std::env::set_var("SHELFSYNC_SECRETS", "file") };
    PgCluster::start(Durability::Fast)
}

pub struct Ws {
    pub name: String,
    pub db: PathBuf,
}

impl Ws {
    pub fn store(&self) -> Store {
        Store::open(&self.db).unwrap()
    }

    pub fn append(&self, movement: Movement) -> Event {
        let event = shelfsync_store::new_event(movement, "tester", &self.name).with_reason("test");
        self.store().append(&event).unwrap();
        event
    }

    pub fn receive(&self, sku: &str, qty: u32) -> Event {
        self.append(Movement::Receive { sku: sku_(sku), location: loc("WH1"), qty })
    }

    pub fn adjust(&self, sku: &str, delta: i64) -> Event {
        self.append(Movement::Adjust { sku: sku_(sku), location: loc("WH1"), delta })
    }

    pub fn write_off(&self, sku: &str, qty: u32) -> Event {
        self.append(Movement::WriteOff {
            sku: sku_(sku),
            location: loc("WH1"),
            qty,
            from: WriteOffSource::OnHand,
        })
    }

    /// Replicates until caught up (`hub sync --once`).
    pub async fn sync(&self) -> shelfsync_hub::NodeReport {
        let (_tx, rx) = watch::channel(false);
        let config = NodeConfig { once: true, engine: None, ..NodeConfig::default() };
        shelfsync_hub::node::run(&self.db, config, rx).await.unwrap()
    }

    /// (id, body hash) of every event, sorted by id.
    pub fn events(&self) -> Vec<(String, String)> {
        let store = self.store();
        let mut stmt = connection(&store).prepare("SELECT id, body_hash FROM events ORDER BY id").unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<Result<_, _>>().unwrap()
    }

    /// Non-zero balances by (sku, location): [on_hand, committed, reserved, damaged, in_transit].
    pub fn balances(&self) -> BTreeMap<(String, String), [i64; 5]> {
        self.store()
            .stock(&StockFilter::default())
            .unwrap()
            .into_iter()
            .map(|r| ((r.sku, r.location), [r.on_hand, r.committed, r.reserved, r.damaged, r.in_transit]))
            .filter(|(_, b)| b.iter().any(|v| *v != 0))
            .collect()
    }

    pub fn check(&self) {
        let store = self.store();
        assert!(store.projection_matches_rebuild().unwrap(), "{}: projection != rebuild", self.name);
        assert!(store.verify_audit().unwrap().first_break.is_none(), "{}: audit chain broken", self.name);
    }
}

pub fn sku_(s: &str) -> Sku {
    Sku::new(s).unwrap()
}

pub fn loc(s: &str) -> LocationCode {
    LocationCode::new(s).unwrap()
}

/// A workstation database with a catalogue of `skus` at WH1 (nothing received).
pub fn workstation(dir: &Path, name: &str, skus: &[&str]) -> Ws {
    let db = dir.join(format!("{name}.db"));
    let mut store = Store::open(&db).unwrap();
    store.upsert_locations(&[Location { code: loc("WH1"), name: "Main".into(), parent: None }]).unwrap();
    let items: Vec<ItemRecord> = skus
        .iter()
        .map(|s| ItemRecord {
            item: Item {
                sku: sku_(s),
                name: format!("Item {s}"),
                unit_cost_cents: 100,
                category: "general".into(),
                safety_stock: 0,
            },
            barcodes: vec![],
        })
        .collect();
    store.upsert_items(&items).unwrap();
    Ws { name: name.into(), db }
}

/// A workstation made with `init` only: everything else comes from the hub.
pub fn empty_workstation(dir: &Path, name: &str) -> Ws {
    let db = dir.join(format!("{name}.db"));
    Store::open(&db).unwrap();
    Ws { name: name.into(), db }
}

pub async fn hub(url: &str) -> pg::HubConn {
    pg::connect(&pg::HubTarget::parse(url).unwrap()).await.unwrap()
}

pub async fn hub_events(url: &str) -> Vec<(String, String)> {
    let hub = hub(url).await;
    hub.client
        .query("SELECT id, body_hash FROM events ORDER BY id", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

pub async fn hub_balances(url: &str) -> BTreeMap<(String, String), [i64; 5]> {
    let hub = hub(url).await;
    hub.client
        .query("SELECT sku, location, on_hand, committed, reserved, damaged, in_transit FROM balances", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| ((r.get(0), r.get(1)), [r.get(2), r.get(3), r.get(4), r.get(5), r.get(6)]))
        .filter(|(_, b): &(_, [i64; 5])| b.iter().any(|v| *v != 0))
        .collect()
}

pub async fn hub_count(url: &str, sql: &str) -> i64 {
    hub(url).await.client.query_one(sql, &[]).await.unwrap().get(0)
}
