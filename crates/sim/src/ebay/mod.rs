//! eBay Sell Inventory API v1, as the sync engine uses it: the OAuth token endpoint (refresh
//! grant, Basic client credentials, `sell.inventory` scope), `bulkUpdatePriceQuantity` (at most
//! 25 entries, 200 or 207 with per-entry `statusCode` and errors), `bulkGetInventoryItem`,
//! `getOffers` by SKU, a per-second limit and a daily quota (429 errorId 2001), 250 revisions
//! per listing per day, its own stock sold by its own orders, and seeded faults (partial
//! failures 25001, concurrency 25025, quota exhaustion, and the transport faults of
//! [`Faults`]).

// A handler step that refuses returns the refusal itself: an axum Response (128 bytes), once
// per request, so boxing it buys nothing.
#![allow(clippy::result_large_err)]

mod admin;
mod auth;
mod inventory;
mod orders;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Json;
use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::faults::{Fault, Faults};
use crate::shopify::dropped_connection;

use admin::{admin_faults, admin_items, admin_reset_day, admin_sell, admin_state};
use auth::token;
use inventory::{bulk_get, bulk_update, get_inventory_items, get_offers};
use orders::{SimOrder, admin_cancel_order, admin_place_order, get_orders};

#[derive(Clone, Debug)]
pub struct EbaySimConfig {
    pub seed: u64,
    pub client_id: String,
    pub client_secret: String,
    pub refresh_token: String,
    pub token_ttl: Duration,
    /// Calls per second the simulated app may make (eBay publishes none; the client spreads
    /// its daily quota), with a burst.
    pub rate: f64,
    pub burst: f64,
    /// Calls left today.
    pub daily_quota: u64,
    pub revisions_per_day: u32,
    /// Applied updates kept in `log` (see [`crate::MAX_LOG`]).
    pub log_limit: usize,
}

impl Default for EbaySimConfig {
    fn default() -> Self {
        EbaySimConfig {
            seed: 1,
            client_id: "ShelfSyn-test-PRD".into(),
            client_secret: "PRD-secret".into(),
            refresh_token: "v^1.1#i^1#test-refresh".into(),
            token_ttl: Duration::from_secs(7200),
            rate: 1000.0,
            burst: 1000.0,
            daily_quota: 2_000_000,
            revisions_per_day: 250,
            log_limit: crate::MAX_LOG,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EbayFaults {
    /// Per entry: 500 with 25001 (APPLICATION, system error).
    pub system_error: f64,
    /// Per entry: 25025 concurrent access (APPLICATION).
    pub concurrency: f64,
    /// Per call: the day's quota runs out now (429 errorId 2001 until reset).
    pub quota_exhaustion: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EbayStats {
    pub requests: u64,
    pub token_requests: u64,
    pub expired_token_refusals: u64,
    pub bulk_updates: u64,
    pub entries_applied: u64,
    pub entries_failed: u64,
    pub partial_responses: u64,
    pub too_many_requests: u64,
    pub quota_refusals: u64,
    pub revision_cap_refusals: u64,
    pub server_errors: u64,
    pub drops: u64,
    pub timeouts: u64,
    pub reads: u64,
    pub offer_lookups: u64,
    pub orders: u64,
    pub units_sold: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EbayItem {
    pub sku: String,
    pub offer_id: String,
    /// `shipToLocationAvailability.quantity`.
    pub ship_quantity: i64,
    /// The published offer's `availableQuantity`.
    pub offer_quantity: i64,
    /// What buyers see: the lower of the two.
    pub listed: i64,
    pub revisions_today: u32,
    pub sold: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EbayApplied {
    pub sku: String,
    pub quantity: i64,
    /// Milliseconds since the simulator started.
    pub at_ms: u64,
}

struct Item {
    offer_id: String,
    ship: i64,
    offer: i64,
    revisions: u32,
    sold: i64,
}

pub struct EbayState {
    pub config: EbaySimConfig,
    pub faults: Faults,
    pub ebay_faults: EbayFaults,
    rng: StdRng,
    tokens: HashMap<String, Instant>,
    token_serial: u64,
    bucket: (f64, Instant),
    pub quota_left: u64,
    items: BTreeMap<String, Item>,
    pub log: Vec<EbayApplied>,
    pub stats: EbayStats,
    started: Instant,
    orders: Vec<SimOrder>,
    order_clock: crate::orders::Clock,
}

fn error(error_id: i64, category: &str, message: &str) -> Value {
    json!({ "errorId": error_id, "domain": "API_INVENTORY", "subdomain": "Selling", "category": category,
            "message": message, "longMessage": message, "inputRefIds": [], "outputRefIds": [], "parameters": [] })
}

fn errors(status: StatusCode, error_id: i64, domain: &str, category: &str, message: &str) -> Response {
    let mut e = error(error_id, category, message);
    e["domain"] = json!(domain);
    (status, Json(json!({ "errors": [e] }))).into_response()
}

impl EbayState {
    fn new(config: EbaySimConfig) -> EbayState {
        EbayState {
            faults: Faults::none(),
            ebay_faults: EbayFaults::default(),
            rng: StdRng::seed_from_u64(config.seed ^ 0xEBA7_2025),
            tokens: HashMap::new(),
            token_serial: 0,
            bucket: (config.burst, Instant::now()),
            quota_left: config.daily_quota,
            items: BTreeMap::new(),
            log: Vec::new(),
            stats: EbayStats::default(),
            started: Instant::now(),
            orders: Vec::new(),
            order_clock: crate::orders::Clock::default(),
            config,
        }
    }

    pub fn items(&self) -> Vec<EbayItem> {
        self.items
            .iter()
            .map(|(sku, i)| EbayItem {
                sku: sku.clone(),
                offer_id: i.offer_id.clone(),
                ship_quantity: i.ship,
                offer_quantity: i.offer,
                listed: i.ship.min(i.offer),
                revisions_today: i.revisions,
                sold: i.sold,
            })
            .collect()
    }

    /// What buyers see for a SKU.
    pub fn listed(&self, sku: &str) -> Option<i64> {
        self.items.get(sku).map(|i| i.ship.min(i.offer))
    }

    pub fn revisions(&self, sku: &str) -> u32 {
        self.items.get(sku).map_or(0, |i| i.revisions)
    }

    pub fn state_json(&self) -> Value {
        json!({ "items": self.items(), "stats": self.stats, "quota_left": self.quota_left,
                "faults": self.faults, "ebay_faults": self.ebay_faults })
    }

    fn check_token(&mut self, headers: &HeaderMap) -> Option<Response> {
        let given = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        match self.tokens.get(given) {
            Some(until) if Instant::now() < *until => None,
            Some(_) => {
                self.stats.expired_token_refusals += 1;
                Some(errors(StatusCode::UNAUTHORIZED, 1001, "OAuth", "REQUEST", "Invalid access token"))
            }
            None => Some(errors(StatusCode::UNAUTHORIZED, 1001, "OAuth", "REQUEST", "Invalid access token")),
        }
    }

    /// Per-second limit and daily quota; None lets the call through (and counts it).
    fn charge(&mut self) -> Option<Response> {
        if self.rng.random::<f64>() < self.ebay_faults.quota_exhaustion {
            self.quota_left = 0;
        }
        if self.quota_left == 0 {
            self.stats.quota_refusals += 1;
            return Some(errors(
                StatusCode::TOO_MANY_REQUESTS,
                2001,
                "ACCESS",
                "REQUEST",
                "Too many requests.",
            ));
        }
        let now = Instant::now();
        let (tokens, at) = self.bucket;
        let tokens =
            (tokens + now.duration_since(at).as_secs_f64() * self.config.rate).min(self.config.burst);
        if tokens < 0.98 {
            self.bucket = (tokens, now);
            self.stats.too_many_requests += 1;
            return Some(errors(
                StatusCode::TOO_MANY_REQUESTS,
                2002,
                "ACCESS",
                "REQUEST",
                "Too many requests in this second.",
            ));
        }
        self.bucket = (tokens - 1.0, now);
        self.quota_left -= 1;
        None
    }

    fn sell(&mut self, sku: &str, qty: i64) -> i64 {
        let Some(item) = self.items.get_mut(sku) else { return 0 };
        let n = qty.clamp(0, item.ship.min(item.offer).max(0));
        item.ship -= n;
        item.offer -= n;
        item.sold += n;
        if n > 0 {
            self.stats.orders += 1;
            self.stats.units_sold += n;
        }
        n
    }

    fn update_entry(&mut self, entry: &Value) -> Value {
        let sku = entry.get("sku").and_then(Value::as_str).unwrap_or_default().to_string();
        let mut response = json!({ "statusCode": 200, "sku": sku });
        let fail = |mut response: Value, status: u16, e: Value| {
            response["statusCode"] = json!(status);
            response["errors"] = json!([e]);
            response["warnings"] = json!([]);
            response
        };
        let Some(item) = self.items.get(&sku) else {
            return fail(
                response,
                400,
                error(25002, "REQUEST", &format!("No inventory item with SKU '{sku}'.")),
            );
        };
        let ship = entry.pointer("/shipToLocationAvailability/quantity").and_then(Value::as_i64);
        let offers = entry.get("offers").and_then(Value::as_array).cloned().unwrap_or_default();
        if let Some(offer) = offers.first() {
            response["offerId"] = offer.get("offerId").cloned().unwrap_or(Value::Null);
        }
        for offer in &offers {
            if offer.get("offerId").and_then(Value::as_str) != Some(item.offer_id.as_str()) {
                return fail(
                    response,
                    400,
                    error(25002, "REQUEST", "The offer does not belong to this SKU."),
                );
            }
            if offer.get("availableQuantity").is_none() && offer.get("price").is_none() {
                return fail(response, 400, error(25709, "REQUEST", "Invalid value for availableQuantity."));
            }
        }
        if ship.is_some_and(|q| q < 0) {
            return fail(response, 400, error(25709, "REQUEST", "Invalid value for quantity."));
        }
        if item.revisions >= self.config.revisions_per_day {
            self.stats.revision_cap_refusals += 1;
            return fail(
                response,
                400,
                error(25002, "REQUEST", "This listing reached its 250 revisions today."),
            );
        }
        let roll: f64 = self.rng.random();
        if roll < self.ebay_faults.system_error {
            return fail(response, 500, error(25001, "APPLICATION", "A system error has occurred."));
        }
        if roll < self.ebay_faults.system_error + self.ebay_faults.concurrency {
            return fail(
                response,
                500,
                error(25025, "APPLICATION", "Concurrent access of Inventory. Please try again later."),
            );
        }
        let item = self.items.get_mut(&sku).expect("checked above");
        if let Some(q) = ship {
            item.ship = q;
        }
        if let Some(q) = offers.first().and_then(|o| o.get("availableQuantity")).and_then(Value::as_i64) {
            item.offer = q;
        }
        item.revisions += 1;
        let listed = item.ship.min(item.offer);
        let at_ms = self.started.elapsed().as_millis() as u64;
        if self.log.len() < self.config.log_limit {
            self.log.push(EbayApplied { sku: sku.clone(), quantity: listed, at_ms });
        }
        self.stats.entries_applied += 1;
        response
    }
}

#[derive(Clone)]
pub struct EbaySim {
    pub(crate) state: Arc<Mutex<EbayState>>,
}

impl EbaySim {
    pub fn new(config: EbaySimConfig) -> EbaySim {
        EbaySim { state: Arc::new(Mutex::new(EbayState::new(config))) }
    }

    pub(crate) fn with<T>(&self, f: impl FnOnce(&mut EbayState) -> T) -> T {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut state)
    }

    pub fn inspect<T>(&self, f: impl FnOnce(&EbayState) -> T) -> T {
        self.with(|s| f(s))
    }

    /// An inventory item with one published offer, both at `quantity`.
    pub fn set_item(&self, sku: &str, offer_id: &str, quantity: i64) {
        self.with(|s| {
            let item = s.items.entry(sku.to_string()).or_insert(Item {
                offer_id: offer_id.into(),
                ship: 0,
                offer: 0,
                revisions: 0,
                sold: 0,
            });
            item.offer_id = offer_id.to_string();
            item.ship = quantity;
            item.offer = quantity;
        });
    }

    pub fn sell(&self, sku: &str, qty: i64) -> i64 {
        self.with(|s| s.sell(sku, qty))
    }

    pub fn set_faults(&self, faults: Faults, ebay: EbayFaults) {
        self.with(|s| {
            s.faults = faults;
            s.ebay_faults = ebay;
        });
    }

    /// A new quota day: calls and revisions counted afresh.
    pub fn reset_day(&self) {
        self.with(|s| {
            s.quota_left = s.config.daily_quota;
            for item in s.items.values_mut() {
                item.revisions = 0;
            }
        });
    }

    pub fn expire_tokens(&self) {
        self.with(|s| {
            let past = Instant::now() - Duration::from_millis(1);
            for until in s.tokens.values_mut() {
                *until = past;
            }
        });
    }

    pub fn router(&self) -> Router {
        Router::new()
            .route("/identity/v1/oauth2/token", post(token))
            .route("/sell/inventory/v1/bulk_update_price_quantity", post(bulk_update))
            .route("/sell/inventory/v1/bulk_get_inventory_item", post(bulk_get))
            .route("/sell/inventory/v1/offer", get(get_offers))
            .route("/sell/inventory/v1/inventory_item", get(get_inventory_items))
            .route("/ebay/admin/state", get(admin_state))
            .route("/ebay/admin/faults", post(admin_faults))
            .route("/ebay/admin/items", post(admin_items))
            .route("/ebay/admin/sell", post(admin_sell))
            .route("/ebay/admin/reset_day", post(admin_reset_day))
            .route("/sell/fulfillment/v1/order", get(get_orders))
            .route("/ebay/admin/orders", post(admin_place_order))
            .route("/ebay/admin/orders/{id}/cancel", post(admin_cancel_order))
            .with_state(self.clone())
    }
}

fn transport(sim: &EbaySim) -> Result<Fault, Response> {
    let fault = sim.with(|s| {
        s.stats.requests += 1;
        s.faults.draw(&mut s.rng)
    });
    match fault {
        Fault::ServerError => {
            sim.with(|s| s.stats.server_errors += 1);
            Err(errors(
                StatusCode::SERVICE_UNAVAILABLE,
                25001,
                "API_INVENTORY",
                "APPLICATION",
                "A system error has occurred.",
            ))
        }
        Fault::TooManyRequests(_) | Fault::Throttle => {
            sim.with(|s| s.stats.too_many_requests += 1);
            Err(errors(
                StatusCode::TOO_MANY_REQUESTS,
                2002,
                "ACCESS",
                "REQUEST",
                "Too many requests in this second.",
            ))
        }
        Fault::DropBeforeApply => {
            sim.with(|s| s.stats.drops += 1);
            Err(dropped_connection())
        }
        other => Ok(other),
    }
}

async fn after_apply(sim: &EbaySim, fault: Fault, response: Response) -> Response {
    match fault {
        Fault::TimeoutAfterApply(hold) => {
            sim.with(|s| s.stats.timeouts += 1);
            tokio::time::sleep(hold).await;
            response
        }
        Fault::Slow(delay) => {
            tokio::time::sleep(delay).await;
            response
        }
        Fault::DropAfterApply => {
            sim.with(|s| s.stats.drops += 1);
            dropped_connection()
        }
        _ => response,
    }
}
