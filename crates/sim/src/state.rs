//! The simulated store: stock levels, the cost bucket, remembered idempotency keys, the log of
//! applied changes (for checkers), counters, and the admin endpoints over them.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::State;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::{Faults, Sim, SimConfig};

/// Largest order a simulated customer places.
const MAX_ORDER_QTY: i64 = 100;

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrderPlan {
    #[serde(with = "millis")]
    pub every: Duration,
    pub max_qty: i64,
}

mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(value.as_millis() as u64)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::from_millis(u64::deserialize(d)?.max(1)))
    }
}

/// One quantity the simulator applied, in application order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedEntry {
    pub key: String,
    pub item: String,
    pub location: String,
    pub quantity: i64,
    pub previous: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    pub requests: u64,
    pub throttled: u64,
    pub server_errors: u64,
    pub timeouts: u64,
    pub slow: u64,
    pub drops: u64,
    pub stale: u64,
    pub set_calls_applied: u64,
    pub entries_applied: u64,
    pub reads: u64,
    /// A known key resent with the same variables: answered from memory, not applied again.
    pub key_replays: u64,
    /// A known key resent with different variables: a client bug.
    pub key_mismatches: u64,
    /// A key whose change was applied more than once: must stay 0.
    pub keys_applied_twice: u64,
    pub orders: u64,
    pub units_sold: i64,
    pub points_spent: f64,
    pub log_truncated: bool,
    pub too_many_requests: u64,
    /// Requests that came before the Retry-After of a 429 had passed: must stay 0.
    pub retry_after_ignored: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LevelView {
    pub item: String,
    pub location: String,
    pub available: i64,
    /// Units the simulator's own orders (and admin sales) took from this level.
    pub sold: i64,
}

pub(crate) struct Bucket {
    pub maximum: f64,
    pub restore_rate: f64,
    pub available: f64,
    pub at: Instant,
}

impl Bucket {
    pub fn refill(&mut self) {
        let now = Instant::now();
        let restored = now.duration_since(self.at).as_secs_f64() * self.restore_rate;
        self.available = (self.available + restored).min(self.maximum);
        self.at = now;
    }
}

pub(crate) struct KeyRecord {
    pub variables: Value,
    /// The answer to replay; `None` when the attempt failed (the key cannot be reused).
    pub response: Option<Value>,
}

pub struct SimState {
    pub(crate) config: SimConfig,
    pub faults: Faults,
    pub orders: Option<OrderPlan>,
    pub(crate) rng: StdRng,
    pub(crate) bucket: Bucket,
    pub(crate) levels: BTreeMap<(String, String), i64>,
    /// Inventory items the shop lists, by GID, with their SKU (None: no SKU).
    pub(crate) catalogue: BTreeMap<String, Option<String>>,
    /// The shop's locations by GID, with their names.
    pub(crate) locations: BTreeMap<String, String>,
    pub(crate) sold: HashMap<(String, String), i64>,
    pub(crate) keys: HashMap<String, KeyRecord>,
    key_order: VecDeque<String>,
    pub(crate) applied_keys: HashMap<String, u32>,
    pub log: Vec<AppliedEntry>,
    log_limit: usize,
    pub stats: Stats,
    /// Set by a 429: requests before this instant ignored its Retry-After.
    pub(crate) retry_not_before: Option<Instant>,
}

impl SimState {
    pub(crate) fn new(config: SimConfig) -> SimState {
        SimState {
            faults: config.faults,
            orders: None,
            rng: StdRng::seed_from_u64(config.seed),
            bucket: Bucket {
                maximum: config.bucket_size,
                restore_rate: config.restore_rate,
                available: config.bucket_size,
                at: Instant::now(),
            },
            levels: BTreeMap::new(),
            catalogue: BTreeMap::new(),
            locations: BTreeMap::new(),
            sold: HashMap::new(),
            keys: HashMap::new(),
            key_order: VecDeque::new(),
            applied_keys: HashMap::new(),
            log: Vec::new(),
            log_limit: config.log_limit,
            stats: Stats::default(),
            retry_not_before: None,
            config,
        }
    }

    /// The shop's locations (GID, name): those added, or else those its levels name, or else
    /// one default location (a real shop always has at least one).
    pub fn shop_locations(&self) -> Vec<(String, String)> {
        if !self.locations.is_empty() {
            return self.locations.iter().map(|(id, name)| (id.clone(), name.clone())).collect();
        }
        let mut ids: Vec<&String> = self.levels.keys().map(|(_, location)| location).collect();
        ids.sort();
        ids.dedup();
        if ids.is_empty() {
            return vec![("gid://shopify/Location/1".into(), "Shop location".into())];
        }
        ids.into_iter()
            .map(|id| (id.clone(), format!("Location {}", id.rsplit('/').next().unwrap_or(id))))
            .collect()
    }

    /// The shop's inventory items (GID, SKU): those added, and any item a level names.
    pub fn inventory_items(&self) -> Vec<(String, Option<String>)> {
        let mut items = self.catalogue.clone();
        for (item, _) in self.levels.keys() {
            items.entry(item.clone()).or_insert(None);
        }
        items.into_iter().collect()
    }

    pub fn level(&self, item: &str, location: &str) -> Option<i64> {
        self.levels.get(&(item.to_string(), location.to_string())).copied()
    }

    pub fn levels(&self) -> Vec<LevelView> {
        self.levels
            .iter()
            .map(|((item, location), available)| LevelView {
                item: item.clone(),
                location: location.clone(),
                available: *available,
                sold: self.sold.get(&(item.clone(), location.clone())).copied().unwrap_or(0),
            })
            .collect()
    }

    pub fn set_level(&mut self, item: &str, location: &str, available: i64) {
        self.levels.insert((item.to_string(), location.to_string()), available);
    }

    /// Sells up to `qty` units (never below zero); returns how many sold.
    pub fn sell(&mut self, item: &str, location: &str, qty: i64) -> i64 {
        let key = (item.to_string(), location.to_string());
        let Some(level) = self.levels.get_mut(&key) else { return 0 };
        let sold = qty.clamp(0, (*level).max(0));
        *level -= sold;
        *self.sold.entry(key).or_default() += sold;
        if sold > 0 {
            self.stats.orders += 1;
            self.stats.units_sold += sold;
        }
        sold
    }

    pub(crate) fn place_random_order(&mut self) {
        let Some(plan) = self.orders else { return };
        let stocked: Vec<(String, String)> =
            self.levels.iter().filter(|(_, qty)| **qty > 0).map(|(k, _)| k.clone()).collect();
        if stocked.is_empty() {
            return;
        }
        let (item, location) = stocked[self.rng.random_range(0..stocked.len())].clone();
        let qty = self.rng.random_range(1..=plan.max_qty.clamp(1, MAX_ORDER_QTY));
        self.sell(&item, &location, qty);
    }

    pub(crate) fn remember_key(&mut self, key: &str, record: KeyRecord) {
        if self.keys.insert(key.to_string(), record).is_none() {
            self.key_order.push_back(key.to_string());
        }
        while self.key_order.len() > self.config.key_limit {
            if let Some(old) = self.key_order.pop_front() {
                self.keys.remove(&old);
                // How often a forgotten key was applied goes with it: this map grew by a key
                // on every applied set, for ever, in the app's demo too.
                self.applied_keys.remove(&old);
            }
        }
    }

    pub(crate) fn log_applied(&mut self, entry: AppliedEntry) {
        if self.log.len() < self.log_limit {
            self.log.push(entry);
        } else {
            self.stats.log_truncated = true;
        }
    }

    pub(crate) fn throttle_status(&self) -> Value {
        json!({
            "maximumAvailable": self.bucket.maximum,
            "currentlyAvailable": self.bucket.available.floor(),
            "restoreRate": self.bucket.restore_rate,
        })
    }

    pub fn state_json(&self) -> Value {
        json!({
            "levels": self.levels(),
            "stats": self.stats,
            "faults": self.faults,
            "orders": self.orders,
            "bucket": self.throttle_status(),
        })
    }
}

pub(crate) async fn admin_state(State(sim): State<Sim>) -> Json<Value> {
    Json(sim.with(|s| {
        s.bucket.refill();
        s.state_json()
    }))
}

pub(crate) async fn admin_log(State(sim): State<Sim>) -> Json<Value> {
    Json(sim.with(|s| json!(s.log)))
}

pub(crate) async fn admin_set_faults(State(sim): State<Sim>, Json(faults): Json<Faults>) -> Json<Value> {
    sim.set_faults(faults);
    Json(json!({ "faults": faults }))
}

#[derive(Deserialize)]
pub(crate) struct LevelInput {
    item: String,
    location: String,
    available: i64,
}

pub(crate) async fn admin_set_levels(
    State(sim): State<Sim>,
    Json(levels): Json<Vec<LevelInput>>,
) -> Json<Value> {
    let count = levels.len();
    sim.with(|s| {
        for level in levels {
            s.set_level(&level.item, &level.location, level.available);
        }
    });
    Json(json!({ "set": count }))
}

#[derive(Deserialize)]
pub(crate) struct SaleInput {
    item: String,
    location: String,
    qty: i64,
}

pub(crate) async fn admin_sell(State(sim): State<Sim>, Json(sale): Json<SaleInput>) -> Json<Value> {
    let sold = sim.sell(&sale.item, &sale.location, sale.qty);
    Json(json!({ "sold": sold }))
}

#[derive(Deserialize)]
pub(crate) struct CatalogueItemInput {
    id: String,
    #[serde(default)]
    sku: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct LocationInput {
    id: String,
    name: String,
}

#[derive(Deserialize)]
pub(crate) struct CatalogueInput {
    #[serde(default)]
    items: Vec<CatalogueItemInput>,
    #[serde(default)]
    locations: Vec<LocationInput>,
}

/// Adds inventory items (with SKUs) and locations to the shop.
pub(crate) async fn admin_set_catalogue(
    State(sim): State<Sim>,
    Json(input): Json<CatalogueInput>,
) -> Json<Value> {
    let (items, locations) = (input.items.len(), input.locations.len());
    sim.with(|s| {
        for item in input.items {
            s.catalogue.insert(item.id, item.sku);
        }
        for location in input.locations {
            s.locations.insert(location.id, location.name);
        }
    });
    Json(json!({ "items": items, "locations": locations }))
}

pub(crate) async fn admin_set_orders(
    State(sim): State<Sim>,
    Json(plan): Json<Option<OrderPlan>>,
) -> Json<Value> {
    sim.set_orders(plan);
    Json(json!({ "orders": plan }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The log stops at its limit and says so: a long run (the app's demo keeps 1,000) cannot
    /// grow it further.
    #[test]
    fn the_applied_log_stops_at_its_limit() {
        for limit in [0, 1, 3] {
            let mut state = SimState::new(SimConfig { log_limit: limit, ..SimConfig::default() });
            for n in 0..5 {
                state.log_applied(AppliedEntry {
                    key: format!("k{n}"),
                    item: "gid://shopify/InventoryItem/1".into(),
                    location: "gid://shopify/Location/1".into(),
                    quantity: n,
                    previous: 0,
                });
            }
            assert_eq!(state.log.len(), limit, "limit {limit}");
            assert!(state.stats.log_truncated, "limit {limit}: the truncation is reported");
        }
    }

    /// Keys past the limit are forgotten oldest first, with their applied counts: neither map
    /// grows past the limit however long the shop runs.
    #[test]
    fn idempotency_keys_stop_at_their_limit() {
        for limit in [1, 3] {
            let mut state = SimState::new(SimConfig { key_limit: limit, ..SimConfig::default() });
            for n in 0..5 {
                let key = format!("k{n}");
                *state.applied_keys.entry(key.clone()).or_default() += 1;
                state.remember_key(&key, KeyRecord { variables: json!({}), response: None });
            }
            assert_eq!(state.keys.len(), limit, "limit {limit}");
            assert_eq!(state.applied_keys.len(), limit, "limit {limit}");
            assert!(
                state.keys.contains_key("k4") && !state.keys.contains_key("k0"),
                "limit {limit}: newest kept"
            );
        }
    }
}
