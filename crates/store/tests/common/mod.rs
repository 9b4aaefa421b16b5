//! Fixtures shared by the store's integration tests: a real SQLite file in a temp folder,
//! with a small catalogue.
#![allow(dead_code)]

use shelfsync_core::{Event, Item, Location, LocationCode, Movement, Sku};
use shelfsync_store::{ItemRecord, Store};
use tempfile::TempDir;

pub const SKUS: [&str; 3] = ["S1", "S2", "S3"];
pub const LOCATIONS: [&str; 3] = ["WH1", "WH2", "WH3"];

pub fn sku(code: &str) -> Sku {
    Sku::new(code).unwrap()
}

pub fn loc(code: &str) -> LocationCode {
    LocationCode::new(code).unwrap()
}

/// A fresh database file with three SKUs and three locations. Keep the TempDir alive.
pub fn fresh_store() -> (TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = store_at(&dir);
    (dir, store)
}

pub fn store_at(dir: &TempDir) -> Store {
    let mut store = Store::open(dir.path().join("ledger.db")).unwrap();
    seed_catalogue(&mut store);
    store
}

pub fn seed_catalogue(store: &mut Store) {
    let locations: Vec<Location> =
        LOCATIONS.iter().map(|c| Location { code: loc(c), name: format!("loc {c}"), parent: None }).collect();
    store.upsert_locations(&locations).unwrap();
    let items: Vec<ItemRecord> = SKUS
        .iter()
        .map(|s| ItemRecord {
            item: Item {
                sku: sku(s),
                name: format!("item {s}"),
                unit_cost_cents: 250,
                category: "test".into(),
                safety_stock: 0,
            },
            barcodes: vec![],
        })
        .collect();
    store.upsert_items(&items).unwrap();
}

pub fn event(movement: Movement) -> Event {
    shelfsync_store::new_event(movement, "tester", "ws-test")
}

pub fn receive(s: &str, l: &str, qty: u32) -> Event {
    event(Movement::Receive { sku: sku(s), location: loc(l), qty })
}
