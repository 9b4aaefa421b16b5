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

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::amazon::percent_decode;
use crate::faults::{Fault, Faults};
use crate::shopify::dropped_connection;

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
        self.log.push(EbayApplied { sku: sku.clone(), quantity: listed, at_ms });
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

fn form_value(body: &str, key: &str) -> Option<String> {
    body.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key).then(|| percent_decode(v))
    })
}

fn basic(id: &str, secret: &str) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let input = format!("{id}:{secret}");
    let input = input.as_bytes();
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            out.push(if i <= chunk.len() { TABLE[((n >> (18 - 6 * i)) & 63) as usize] as char } else { '=' });
        }
    }
    format!("Basic {out}")
}

/// The OAuth scopes the simulated app was granted: Sell Inventory and Sell Fulfillment.
const SCOPES: [&str; 2] = [
    "https://api.ebay.com/oauth/api_scope/sell.inventory",
    "https://api.ebay.com/oauth/api_scope/sell.fulfillment",
];

async fn token(State(sim): State<EbaySim>, headers: HeaderMap, body: Bytes) -> Response {
    let body = String::from_utf8_lossy(&body).to_string();
    sim.with(|s| {
        s.stats.token_requests += 1;
        let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
        if auth != basic(&s.config.client_id, &s.config.client_secret) {
            return (StatusCode::UNAUTHORIZED, Json(json!({ "error": "invalid_client", "error_description": "client authentication failed" }))).into_response();
        }
        let scope_ok = form_value(&body, "scope").is_some_and(|v| v.split(' ').any(|s| SCOPES.contains(&s)));
        let grant_ok = form_value(&body, "grant_type").as_deref() == Some("refresh_token")
            && form_value(&body, "refresh_token").as_deref() == Some(s.config.refresh_token.as_str());
        if !grant_ok || !scope_ok {
            let (error, description) = if grant_ok { ("invalid_scope", "the requested scope is invalid") } else { ("invalid_grant", "the provided authorization refresh token is invalid") };
            return (StatusCode::BAD_REQUEST, Json(json!({ "error": error, "error_description": description }))).into_response();
        }
        s.token_serial += 1;
        let token = format!("v^1.1#i^1#sim-{}-{}", s.config.seed, s.token_serial);
        s.tokens.insert(token.clone(), Instant::now() + s.config.token_ttl);
        Json(json!({ "access_token": token, "expires_in": s.config.token_ttl.as_secs().max(1), "token_type": "User Access Token" })).into_response()
    })
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

async fn bulk_update(State(sim): State<EbaySim>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(refusal) = sim.with(|s| s.check_token(&headers)) {
        return refusal;
    }
    let fault = match transport(&sim) {
        Ok(fault) => fault,
        Err(response) => return response,
    };
    let answer = sim.with(|s| {
        if let Some(refusal) = s.charge() {
            return refusal;
        }
        let Ok(request) = serde_json::from_slice::<Value>(&body) else {
            return errors(
                StatusCode::BAD_REQUEST,
                25002,
                "API_INVENTORY",
                "REQUEST",
                "Could not serialize the request.",
            );
        };
        let entries = request.get("requests").and_then(Value::as_array).cloned().unwrap_or_default();
        if entries.is_empty() || entries.len() > 25 {
            return errors(
                StatusCode::BAD_REQUEST,
                25002,
                "API_INVENTORY",
                "REQUEST",
                "requests must hold 1 to 25 entries.",
            );
        }
        let mut skus = std::collections::HashSet::new();
        if !entries
            .iter()
            .all(|e| skus.insert(e.get("sku").and_then(Value::as_str).unwrap_or_default().to_string()))
        {
            return errors(
                StatusCode::BAD_REQUEST,
                25002,
                "API_INVENTORY",
                "REQUEST",
                "Duplicate SKU in requests.",
            );
        }
        s.stats.bulk_updates += 1;
        let responses: Vec<Value> = entries.iter().map(|e| s.update_entry(e)).collect();
        let failed = responses.iter().filter(|r| r["statusCode"] != 200).count() as u64;
        s.stats.entries_failed += failed;
        let status = if failed == 0 {
            StatusCode::OK
        } else {
            s.stats.partial_responses += 1;
            StatusCode::MULTI_STATUS
        };
        (status, Json(json!({ "responses": responses }))).into_response()
    });
    after_apply(&sim, fault, answer).await
}

async fn bulk_get(State(sim): State<EbaySim>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(refusal) = sim.with(|s| s.check_token(&headers)) {
        return refusal;
    }
    sim.with(|s| {
        if let Some(refusal) = s.charge() {
            return refusal;
        }
        s.stats.reads += 1;
        let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let entries = request.get("requests").and_then(Value::as_array).cloned().unwrap_or_default();
        if entries.is_empty() || entries.len() > 25 {
            return errors(StatusCode::BAD_REQUEST, 25727, "API_INVENTORY", "REQUEST", "The number of SKUs exceeds the maximum of 25.");
        }
        let mut all_ok = true;
        let responses: Vec<Value> = entries
            .iter()
            .map(|e| {
                let sku = e.get("sku").and_then(Value::as_str).unwrap_or_default();
                match s.items.get(sku) {
                    Some(item) => json!({ "statusCode": 200, "sku": sku, "errors": [], "warnings": [],
                        "inventoryItem": { "sku": sku, "locale": "en_US", "condition": "NEW",
                            "availability": { "shipToLocationAvailability": { "quantity": item.ship,
                                "allocationByFormat": { "auction": 0, "fixedPrice": item.ship } } } } }),
                    None => {
                        all_ok = false;
                        json!({ "statusCode": 404, "sku": sku, "errors": [error(25702, "REQUEST", "SKU not found")], "warnings": [] })
                    }
                }
            })
            .collect();
        let status = if all_ok { StatusCode::OK } else { StatusCode::MULTI_STATUS };
        (status, Json(json!({ "responses": responses }))).into_response()
    })
}

#[derive(Deserialize)]
struct InventoryQuery {
    #[serde(default)]
    limit: Option<String>,
    #[serde(default)]
    offset: Option<String>,
}

/// getInventoryItems: `limit` 1 to 200 (default 25) from `offset`, with `next` while more
/// remain, under the same per-second limit and daily quota as every call.
async fn get_inventory_items(
    State(sim): State<EbaySim>,
    headers: HeaderMap,
    Query(query): Query<InventoryQuery>,
) -> Response {
    if let Some(refusal) = sim.with(|s| s.check_token(&headers)) {
        return refusal;
    }
    let parse = |raw: Option<&str>, default: usize| raw.map_or(Some(default), |v| v.parse::<usize>().ok());
    let (Some(limit), Some(offset)) = (parse(query.limit.as_deref(), 25), parse(query.offset.as_deref(), 0))
    else {
        return errors(
            StatusCode::BAD_REQUEST,
            25709,
            "API_INVENTORY",
            "REQUEST",
            "Invalid value for limit or offset.",
        );
    };
    if !(1..=200).contains(&limit) {
        return errors(
            StatusCode::BAD_REQUEST,
            25709,
            "API_INVENTORY",
            "REQUEST",
            "Invalid value for limit: 1 to 200.",
        );
    }
    sim.with(|s| {
        if let Some(refusal) = s.charge() {
            return refusal;
        }
        s.stats.reads += 1;
        let total = s.items.len();
        let items: Vec<Value> = s
            .items
            .iter()
            .skip(offset)
            .take(limit)
            .map(|(sku, item)| {
                json!({ "sku": sku, "locale": "en_US", "condition": "NEW",
                    "product": { "title": format!("Simulated {sku}") },
                    "availability": { "shipToLocationAvailability": { "quantity": item.ship } } })
            })
            .collect();
        let href = |o: usize| format!("/sell/inventory/v1/inventory_item?limit={limit}&offset={o}");
        let mut body = json!({ "href": href(offset), "limit": limit, "size": items.len(), "total": total,
            "inventoryItems": items });
        if offset + limit < total {
            body["next"] = json!(href(offset + limit));
        }
        if offset > 0 {
            body["prev"] = json!(href(offset.saturating_sub(limit)));
        }
        Json(body).into_response()
    })
}

#[derive(Deserialize)]
struct OfferQuery {
    sku: String,
}

async fn get_offers(
    State(sim): State<EbaySim>,
    headers: HeaderMap,
    Query(query): Query<OfferQuery>,
) -> Response {
    if let Some(refusal) = sim.with(|s| s.check_token(&headers)) {
        return refusal;
    }
    sim.with(|s| {
        if let Some(refusal) = s.charge() {
            return refusal;
        }
        s.stats.offer_lookups += 1;
        match s.items.get(&query.sku) {
            Some(item) => Json(json!({ "total": 1, "size": 1, "limit": 25, "offset": 0, "offers": [{
                "offerId": item.offer_id, "sku": query.sku, "marketplaceId": "EBAY_US", "format": "FIXED_PRICE",
                "availableQuantity": item.offer, "status": "PUBLISHED" }] }))
            .into_response(),
            None => errors(StatusCode::NOT_FOUND, 25713, "API_INVENTORY", "REQUEST", "This Offer is not available."),
        }
    })
}

async fn admin_state(State(sim): State<EbaySim>) -> Json<Value> {
    Json(sim.with(|s| s.state_json()))
}

#[derive(Deserialize)]
struct FaultsInput {
    #[serde(default)]
    faults: Faults,
    #[serde(default)]
    ebay: EbayFaults,
}

async fn admin_faults(State(sim): State<EbaySim>, Json(input): Json<FaultsInput>) -> Json<Value> {
    sim.set_faults(input.faults, input.ebay);
    Json(json!({ "faults": input.faults, "ebay_faults": input.ebay }))
}

#[derive(Deserialize)]
struct ItemInput {
    sku: String,
    offer_id: String,
    quantity: i64,
}

async fn admin_items(State(sim): State<EbaySim>, Json(items): Json<Vec<ItemInput>>) -> Json<Value> {
    let count = items.len();
    for i in items {
        sim.set_item(&i.sku, &i.offer_id, i.quantity);
    }
    Json(json!({ "set": count }))
}

#[derive(Deserialize)]
struct SaleInput {
    sku: String,
    qty: i64,
}

async fn admin_sell(State(sim): State<EbaySim>, Json(sale): Json<SaleInput>) -> Json<Value> {
    Json(json!({ "sold": sim.sell(&sale.sku, sale.qty) }))
}

async fn admin_reset_day(State(sim): State<EbaySim>) -> Json<Value> {
    sim.reset_day();
    Json(json!({ "reset": true }))
}

/// Orders kept: far above any test or demo, and a bound on memory.
const MAX_ORDERS: usize = 100_000;

/// getOrders' page cap (`limit`).
const MAX_ORDERS_PAGE: usize = 200;

/// One simulated order: one line of one SKU, sold from the item's own quantity.
#[derive(Clone, Debug)]
struct SimOrder {
    id: String,
    line_id: String,
    sku: String,
    qty: i64,
    created: String,
    modified: String,
    canceled: bool,
}

impl SimOrder {
    fn json(&self) -> Value {
        let cancel = if self.canceled { "CANCELED" } else { "NONE_REQUESTED" };
        json!({
            "orderId": self.id,
            "legacyOrderId": format!("{}-{}", self.line_id, self.id),
            "creationDate": self.created,
            "lastModifiedDate": self.modified,
            "orderFulfillmentStatus": "NOT_STARTED",
            "orderPaymentStatus": "PAID",
            "sellerId": "shelfsync-sim",
            "cancelStatus": { "cancelState": cancel, "cancelRequests": [] },
            "salesRecordReference": self.id,
            "lineItems": [{
                "lineItemId": self.line_id,
                "legacyItemId": "110000000000",
                "sku": self.sku,
                "title": self.sku,
                "quantity": self.qty,
                "lineItemFulfillmentStatus": "NOT_STARTED",
                "soldFormat": "FIXED_PRICE",
                "listingMarketplaceId": "EBAY_US",
                "purchaseMarketplaceId": "EBAY_US",
            }],
        })
    }
}

#[derive(Deserialize)]
struct OrdersQuery {
    #[serde(default)]
    filter: Option<String>,
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    offset: Option<usize>,
}

fn bad_request(message: &str) -> Response {
    errors(StatusCode::BAD_REQUEST, 30700, "API_FULFILLMENT", "REQUEST", message)
}

/// `lastmodifieddate:[FROM..]` or `creationdate:[FROM..]` (an upper bound, when given, ends
/// the range): the field, the lower bound, the upper bound.
fn parse_filter(filter: &str) -> Option<(&'static str, String, Option<String>)> {
    let (field, range) = filter.split_once(':')?;
    let field = match field.trim() {
        "lastmodifieddate" => "lastmodifieddate",
        "creationdate" => "creationdate",
        _ => return None,
    };
    let range = range.trim().strip_prefix('[')?.strip_suffix(']')?;
    let (from, to) = range.split_once("..")?;
    let to = (!to.is_empty()).then(|| to.to_string());
    let ok = |t: &str| crate::orders::looks_like_timestamp(t);
    (ok(from) && to.as_deref().is_none_or(ok)).then(|| (field, from.to_string(), to))
}

/// getOrders: the seller's orders in the filter's range, oldest modification first, paged by
/// `offset` and `limit`.
async fn get_orders(
    State(sim): State<EbaySim>,
    headers: HeaderMap,
    Query(query): Query<OrdersQuery>,
) -> Response {
    if let Some(refusal) = sim.with(|s| s.check_token(&headers)) {
        return refusal;
    }
    sim.with(|s| {
        if let Some(refusal) = s.charge() {
            return refusal;
        }
        let limit = query.limit.unwrap_or(50);
        if !(1..=MAX_ORDERS_PAGE).contains(&limit) {
            return bad_request("The 'limit' value must be between 1 and 200.");
        }
        let offset = query.offset.unwrap_or(0);
        let range = match query.filter.as_deref() {
            None => None,
            Some(f) => match parse_filter(f) {
                Some(range) => Some(range),
                None => {
                    return bad_request(
                        "Invalid filter: expected lastmodifieddate:[FROM..] or creationdate:[FROM..TO].",
                    );
                }
            },
        };
        let mut hits: Vec<&SimOrder> = s
            .orders
            .iter()
            .filter(|o| match &range {
                None => true,
                Some((field, from, to)) => {
                    let at = if *field == "creationdate" { &o.created } else { &o.modified };
                    at >= from && to.as_ref().is_none_or(|to| at <= to)
                }
            })
            .collect();
        hits.sort_by(|a, b| a.modified.cmp(&b.modified));
        let page: Vec<Value> = hits.iter().skip(offset).take(limit).map(|o| o.json()).collect();
        let base = "/sell/fulfillment/v1/order";
        let filter = query.filter.as_deref().map(|f| format!("&filter={f}")).unwrap_or_default();
        let mut body = json!({
            "href": format!("{base}?limit={limit}&offset={offset}{filter}"),
            "total": hits.len(), "limit": limit, "offset": offset, "orders": page, "warnings": [],
        });
        if offset + limit < hits.len() {
            body["next"] = json!(format!("{base}?limit={limit}&offset={}{filter}", offset + limit));
        }
        Json(body).into_response()
    })
}

#[derive(Deserialize)]
struct PlaceOrder {
    sku: String,
    qty: i64,
}

/// Places an order for up to `qty` units of an item (never below zero); 422 when nothing sold.
async fn admin_place_order(State(sim): State<EbaySim>, Json(input): Json<PlaceOrder>) -> Response {
    sim.with(|s| {
        let sold = s.sell(&input.sku, input.qty);
        if sold <= 0 {
            return errors(
                StatusCode::UNPROCESSABLE_ENTITY,
                25002,
                "API_FULFILLMENT",
                "REQUEST",
                "Nothing in stock to sell.",
            );
        }
        if s.orders.len() >= MAX_ORDERS {
            s.orders.remove(0);
        }
        let n = s.stats.orders;
        let at = s.order_clock.stamp();
        let order = SimOrder {
            id: format!("27-{:05}-{:05}", n / 100_000, n % 100_000),
            line_id: format!("{}", 10_000_000_000u64 + n),
            sku: input.sku.clone(),
            qty: sold,
            created: at.clone(),
            modified: at,
            canceled: false,
        };
        let body = json!({ "order": order.json(), "sold": sold });
        s.orders.push(order);
        (StatusCode::CREATED, Json(body)).into_response()
    })
}

/// Cancels an order and puts its units back on the item.
async fn admin_cancel_order(State(sim): State<EbaySim>, Path(id): Path<String>) -> Response {
    sim.with(|s| {
        let at = s.order_clock.stamp();
        let Some(order) = s.orders.iter_mut().find(|o| o.id == id) else {
            return errors(StatusCode::NOT_FOUND, 32100, "API_FULFILLMENT", "REQUEST", "Order not found.");
        };
        if !order.canceled {
            order.canceled = true;
            order.modified = at;
            let (sku, qty) = (order.sku.clone(), order.qty);
            if let Some(item) = s.items.get_mut(&sku) {
                item.ship += qty;
                item.offer += qty;
                item.sold -= qty;
            }
        }
        let order = s.orders.iter().find(|o| o.id == id).map(SimOrder::json);
        Json(json!({ "order": order })).into_response()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_header() {
        assert_eq!(basic("id", "secret"), "Basic aWQ6c2VjcmV0");
    }

    #[test]
    fn order_filters() {
        let (field, from, to) = parse_filter("lastmodifieddate:[2026-11-26T10:00:00.000Z..]").unwrap();
        assert_eq!((field, from.as_str(), to), ("lastmodifieddate", "2026-11-26T10:00:00.000Z", None));
        for bad in [
            "",
            "lastmodifieddate:2026-11-26T10:00:00Z",
            "orderstatus:[A..]",
            "lastmodifieddate:[yesterday..]",
        ] {
            assert!(parse_filter(bad).is_none(), "{bad}");
        }
    }
}
