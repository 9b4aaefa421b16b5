//! Amazon SP-API, as the sync engine uses it: the LWA token endpoint, `patchListingsItem`
//! (HTTP 200 with `ACCEPTED` or `INVALID` and issues), `getListingsItem` and
//! `searchListingsItems` with `fulfillmentAvailability`, per-operation token buckets answering
//! 429 `QuotaExceeded`, `x-amzn-RateLimit-Limit`, expiring access tokens, its own stock sold
//! by its own orders, and seeded faults (INVALID, silent drops of ACCEPTED updates, 429, and
//! the transport faults of [`Faults`]).

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

use crate::faults::{Fault, Faults};
use crate::shopify::dropped_connection;

#[derive(Clone, Debug)]
pub struct AmazonSimConfig {
    pub seed: u64,
    pub seller_id: String,
    pub client_id: String,
    pub client_secret: String,
    pub refresh_token: String,
    /// Access-token lifetime (Amazon: 3,600 s).
    pub token_ttl: Duration,
    /// patchListingsItem bucket (5/s, burst 5) and the value sent in `x-amzn-RateLimit-Limit`.
    pub patch_rate: f64,
    pub patch_burst: f64,
    pub search_rate: f64,
    pub search_burst: f64,
    /// Unknown SKUs get INVALID (a listing must exist before its quantity is patched).
    pub strict_skus: bool,
    /// How long a feed spends IN_QUEUE then IN_PROGRESS (half each) before DONE.
    pub feed_delay: Duration,
    /// Orders API buckets: getOrders (Amazon: 0.0167/s, burst 20) and getOrderItems (0.5/s,
    /// burst 30).
    pub orders_rate: f64,
    pub orders_burst: f64,
    pub order_items_rate: f64,
    pub order_items_burst: f64,
    /// getOrder (0.5/s, burst 30).
    pub order_rate: f64,
    pub order_burst: f64,
    /// The SQS side: its credentials, region, account and default queue.
    pub sqs: crate::sqs::SqsSimConfig,
    /// How long after an order changes its ORDER_CHANGE message becomes visible on the queue.
    pub notification_delay: Duration,
    /// The share of ORDER_CHANGE messages never delivered (0..1), drawn from the seed.
    pub notification_loss: f64,
}

impl Default for AmazonSimConfig {
    fn default() -> Self {
        AmazonSimConfig {
            seed: 1,
            seller_id: "A2SELLER0TEST".into(),
            client_id: "amzn1.application-oa2-client.test".into(),
            client_secret: "lwa-secret".into(),
            refresh_token: "Atzr|test-refresh".into(),
            token_ttl: Duration::from_secs(3600),
            patch_rate: 5.0,
            patch_burst: 5.0,
            search_rate: 5.0,
            search_burst: 5.0,
            strict_skus: true,
            feed_delay: Duration::from_secs(2),
            orders_rate: 0.0167,
            orders_burst: 20.0,
            order_items_rate: 0.5,
            order_items_burst: 30.0,
            order_rate: 0.5,
            order_burst: 30.0,
            sqs: crate::sqs::SqsSimConfig::default(),
            // Amazon documents no figure; notifications typically arrive within seconds.
            notification_delay: Duration::from_millis(0),
            notification_loss: 0.0,
        }
    }
}

/// Amazon-only faults, drawn after the transport faults of [`Faults`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AmazonFaults {
    /// A valid patch answered `INVALID` with an ERROR issue (HTTP 200).
    pub invalid: f64,
    /// `ACCEPTED`, but the quantity never changes (the known silent drop).
    pub silent_drop: f64,
    /// HTTP 429 QuotaExceeded although the bucket had room (the per-application limit).
    pub quota_exceeded: f64,
    /// A JSON_LISTINGS_FEED that stays IN_PROGRESS forever.
    pub stuck_feed: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AmazonStats {
    pub requests: u64,
    pub token_requests: u64,
    pub expired_token_refusals: u64,
    pub patches: u64,
    pub accepted: u64,
    pub invalid: u64,
    pub silent_drops: u64,
    pub too_many_requests: u64,
    pub server_errors: u64,
    pub drops: u64,
    pub timeouts: u64,
    pub searches: u64,
    pub feeds: u64,
    pub feed_messages_accepted: u64,
    pub feed_messages_invalid: u64,
    pub stuck_feeds: u64,
    pub orders: u64,
    pub units_sold: i64,
    pub notifications_sent: u64,
    pub notifications_lost: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AmazonListing {
    pub sku: String,
    /// The top-level `fulfillmentAvailability` quantity (what buyers see).
    pub quantity: i64,
    pub sold: i64,
}

/// One accepted patch that applied, in order (for convergence checkers).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AmazonApplied {
    pub sku: String,
    pub quantity: i64,
    pub at_ms: u64,
}

struct Bucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn new(rate: f64, burst: f64) -> Bucket {
        Bucket { rate, burst, tokens: burst, at: Instant::now() }
    }

    fn take(&mut self) -> bool {
        let now = Instant::now();
        self.tokens = (self.tokens + now.duration_since(self.at).as_secs_f64() * self.rate).min(self.burst);
        self.at = now;
        // A hair of slack for timer jitter between two honest token buckets.
        if self.tokens >= 0.98 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

pub struct AmazonState {
    pub config: AmazonSimConfig,
    pub faults: Faults,
    pub amazon_faults: AmazonFaults,
    rng: StdRng,
    tokens: HashMap<String, Instant>,
    token_serial: u64,
    patch_bucket: Bucket,
    search_bucket: Bucket,
    pub listings: BTreeMap<String, (i64, i64)>,
    pub log: Vec<AmazonApplied>,
    pub stats: AmazonStats,
    started: Instant,
    documents: HashMap<String, Option<Value>>,
    feeds: HashMap<String, SimFeed>,
    /// FBA stock by seller SKU: (fulfillable, reserved).
    pub fba: BTreeMap<String, (i64, i64)>,
    /// Issued nextTokens: (offset, issued at). They expire after `next_token_ttl`.
    next_tokens: HashMap<String, (usize, Instant)>,
    pub next_token_ttl: Duration,
    orders: Vec<SimOrder>,
    order_clock: crate::orders::Clock,
    /// getOrders NextTokens: (LastUpdatedAfter, offset).
    order_tokens: HashMap<String, (String, usize)>,
    orders_bucket: Bucket,
    order_items_bucket: Bucket,
    order_bucket: Bucket,
    /// Grantless tokens (scope `sellingpartnerapi::notifications`), with their expiry.
    grantless: HashMap<String, Instant>,
    /// Notification destinations: (destinationId, name, SQS ARN).
    pub destinations: Vec<(String, String, String)>,
    /// Subscriptions by notification type: (subscriptionId, destinationId).
    pub subscriptions: BTreeMap<String, (String, String)>,
}

struct SimFeed {
    document: String,
    created: Instant,
    stuck: bool,
    report: Option<String>,
}

impl AmazonState {
    fn new(config: AmazonSimConfig) -> AmazonState {
        AmazonState {
            faults: Faults::none(),
            amazon_faults: AmazonFaults::default(),
            rng: StdRng::seed_from_u64(config.seed ^ 0xA11A_2025),
            tokens: HashMap::new(),
            token_serial: 0,
            patch_bucket: Bucket::new(config.patch_rate, config.patch_burst),
            search_bucket: Bucket::new(config.search_rate, config.search_burst),
            listings: BTreeMap::new(),
            log: Vec::new(),
            stats: AmazonStats::default(),
            started: Instant::now(),
            documents: HashMap::new(),
            feeds: HashMap::new(),
            fba: BTreeMap::new(),
            next_tokens: HashMap::new(),
            next_token_ttl: Duration::from_secs(30),
            orders: Vec::new(),
            order_clock: crate::orders::Clock::default(),
            order_tokens: HashMap::new(),
            orders_bucket: Bucket::new(config.orders_rate, config.orders_burst),
            order_items_bucket: Bucket::new(config.order_items_rate, config.order_items_burst),
            order_bucket: Bucket::new(config.order_rate, config.order_burst),
            grantless: HashMap::new(),
            destinations: Vec::new(),
            subscriptions: BTreeMap::new(),
            config,
        }
    }

    pub fn quantity(&self, sku: &str) -> Option<i64> {
        self.listings.get(sku).map(|l| l.0)
    }

    pub fn listings(&self) -> Vec<AmazonListing> {
        self.listings
            .iter()
            .map(|(sku, (q, sold))| AmazonListing { sku: sku.clone(), quantity: *q, sold: *sold })
            .collect()
    }

    pub fn state_json(&self) -> Value {
        json!({ "listings": self.listings(), "stats": self.stats, "faults": self.faults, "amazon_faults": self.amazon_faults })
    }

    fn issue_token(&mut self) -> String {
        self.token_serial += 1;
        let token = format!("Atza|sim-{}-{}", self.config.seed, self.token_serial);
        self.tokens.insert(token.clone(), Instant::now() + self.config.token_ttl);
        token
    }

    /// None: the token is good. Some: the refusal to send.
    fn check_token(&mut self, headers: &HeaderMap) -> Option<Response> {
        let given = headers.get("x-amz-access-token").and_then(|v| v.to_str().ok()).unwrap_or_default();
        match self.tokens.get(given) {
            Some(until) if Instant::now() < *until => None,
            Some(_) => {
                self.stats.expired_token_refusals += 1;
                Some(error_list(
                    StatusCode::FORBIDDEN,
                    "Unauthorized",
                    "The access token you provided has expired.",
                ))
            }
            None => Some(error_list(
                StatusCode::FORBIDDEN,
                "Unauthorized",
                "Access to requested resource is denied.",
            )),
        }
    }

    fn sell(&mut self, sku: &str, qty: i64) -> i64 {
        let Some((level, sold)) = self.listings.get_mut(sku) else { return 0 };
        let n = qty.clamp(0, (*level).max(0));
        *level -= n;
        *sold += n;
        if n > 0 {
            self.stats.orders += 1;
            self.stats.units_sold += n;
        }
        n
    }
}

fn error_list(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({ "errors": [{ "code": code, "message": message, "details": "" }] }))).into_response()
}

#[derive(Clone)]
pub struct AmazonSim {
    pub(crate) state: Arc<Mutex<AmazonState>>,
    /// The seller's SQS queue(s), where ORDER_CHANGE notifications go once subscribed.
    pub sqs: crate::sqs::SqsSim,
}

impl AmazonSim {
    pub fn new(config: AmazonSimConfig) -> AmazonSim {
        let sqs = crate::sqs::SqsSim::new(config.sqs.clone());
        AmazonSim { state: Arc::new(Mutex::new(AmazonState::new(config))), sqs }
    }

    pub(crate) fn with<T>(&self, f: impl FnOnce(&mut AmazonState) -> T) -> T {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut state)
    }

    pub fn inspect<T>(&self, f: impl FnOnce(&AmazonState) -> T) -> T {
        self.with(|s| f(s))
    }

    pub fn set_listing(&self, sku: &str, quantity: i64) {
        self.with(|s| {
            s.listings.entry(sku.to_string()).or_insert((0, 0)).0 = quantity;
        });
    }

    pub fn sell(&self, sku: &str, qty: i64) -> i64 {
        self.with(|s| s.sell(sku, qty))
    }

    /// FBA stock of a seller SKU (Amazon's own; sellers do not set it).
    pub fn set_fba(&self, sku: &str, fulfillable: i64, reserved: i64) {
        self.with(|s| {
            s.fba.insert(sku.to_string(), (fulfillable, reserved));
        });
    }

    /// Forgets a listing: patches of it come back INVALID (strict SKUs).
    pub fn with_listing_removed(&self, sku: &str) {
        self.with(|s| {
            s.listings.remove(sku);
        });
    }

    pub fn set_faults(&self, faults: Faults, amazon: AmazonFaults) {
        self.with(|s| {
            s.faults = faults;
            s.amazon_faults = amazon;
        });
    }

    /// Every access token issued so far expires now.
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
            .route("/auth/o2/token", post(token))
            .route(
                "/listings/2021-08-01/items/{seller}/{sku}",
                axum::routing::patch(patch_item).get(get_item),
            )
            .route("/listings/2021-08-01/items/{seller}", get(search_items))
            .route("/fba/inventory/v1/summaries", get(fba_summaries))
            .route("/feeds/2021-06-30/documents", post(create_document))
            .route("/feeds/2021-06-30/documents/{id}", get(get_document))
            .route("/feeds/2021-06-30/feeds", post(create_feed))
            .route("/feeds/2021-06-30/feeds/{id}", get(get_feed))
            // Amazon's guidance: feed files under 10 MiB; axum's default limit is 2 MB.
            .route(
                "/amazon/documents/{id}",
                axum::routing::put(upload_document)
                    .layer(axum::extract::DefaultBodyLimit::max(10 * 1024 * 1024))
                    .get(download_document),
            )
            .route("/amazon/admin/state", get(admin_state))
            .route("/amazon/admin/faults", post(admin_faults))
            .route("/amazon/admin/listings", post(admin_listings))
            .route("/amazon/admin/sell", post(admin_sell))
            .route("/orders/v0/orders", get(get_orders))
            .route("/orders/v0/orders/{id}/orderItems", get(get_order_items))
            .route("/amazon/admin/orders", post(admin_place_order))
            .route("/amazon/admin/orders/{id}/cancel", post(admin_cancel_order))
            .route("/orders/v0/orders/{id}", get(get_order))
            .route("/notifications/v1/destinations", get(get_destinations).post(create_destination))
            .route("/notifications/v1/subscriptions/{kind}", get(get_subscription).post(create_subscription))
            .with_state(self.clone())
            .merge(self.sqs.router())
    }
}

fn form_value(body: &str, key: &str) -> Option<String> {
    body.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key).then(|| percent_decode(v))
    })
}

pub(crate) fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn token(State(sim): State<AmazonSim>, body: Bytes) -> Response {
    let body = String::from_utf8_lossy(&body).to_string();
    sim.with(|s| {
        s.stats.token_requests += 1;
        let grant = form_value(&body, "grant_type");
        if grant.as_deref() == Some("client_credentials") {
            return grantless_token(s, &body);
        }
        let good = grant.as_deref() == Some("refresh_token")
            && form_value(&body, "refresh_token").as_deref() == Some(s.config.refresh_token.as_str())
            && form_value(&body, "client_id").as_deref() == Some(s.config.client_id.as_str())
            && form_value(&body, "client_secret").as_deref() == Some(s.config.client_secret.as_str());
        if !good {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({ "error": "invalid_grant", "error_description": "The request has an invalid grant parameter : refresh_token" })),
            )
                .into_response();
        }
        let token = s.issue_token();
        Json(json!({
            "access_token": token,
            "refresh_token": s.config.refresh_token,
            "token_type": "bearer",
            "expires_in": s.config.token_ttl.as_secs().max(1),
        }))
        .into_response()
    })
}

#[derive(Deserialize)]
struct ItemQuery {
    #[serde(rename = "marketplaceIds", default)]
    marketplace_ids: Option<String>,
}

/// The answer for one patch body: (status, issues) with issues in the spec's `Issue` shape.
fn validate_patch(body: &Value) -> Result<i64, Value> {
    let invalid = |code: &str, message: &str, attribute: &str| json!({ "code": code, "message": message, "severity": "ERROR", "attributeNames": [attribute], "categories": ["INVALID_ATTRIBUTE"] });
    if body.get("productType").and_then(Value::as_str).is_none() {
        return Err(invalid("90000900", "The attributes are invalid.", "productType"));
    }
    let Some([patch]) = body.get("patches").and_then(Value::as_array).map(Vec::as_slice) else {
        return Err(invalid("90000900", "The attributes are invalid.", "patches"));
    };
    let path = patch.get("path").and_then(Value::as_str).unwrap_or_default();
    if path != "/attributes/fulfillment_availability" {
        let name = path.trim_start_matches("/attributes/");
        return Err(invalid("90000900", "The attributes are invalid.", name));
    }
    let op = patch.get("op").and_then(Value::as_str).unwrap_or_default();
    if !matches!(op, "add" | "replace" | "merge") {
        return Err(invalid("90000900", "The attributes are invalid.", "fulfillment_availability"));
    }
    let Some(values) = patch.get("value").and_then(Value::as_array) else {
        return Err(invalid(
            "4000001",
            "'fulfillment_availability' does not have enough values.",
            "fulfillment_availability",
        ));
    };
    let default =
        values.iter().find(|v| v.get("fulfillment_channel_code").and_then(Value::as_str) == Some("DEFAULT"));
    let Some(quantity) = default.and_then(|v| v.get("quantity")).and_then(Value::as_i64) else {
        return Err(invalid(
            "4000001",
            "'fulfillment_availability' does not have enough values.",
            "fulfillment_availability",
        ));
    };
    if quantity < 0 {
        return Err(invalid(
            "4000003",
            "The value for 'quantity' must be 0 or more.",
            "fulfillment_availability",
        ));
    }
    Ok(quantity)
}

fn submission(sku: &str, status: &str, serial: u64, issues: Vec<Value>) -> Value {
    json!({ "sku": sku, "status": status, "submissionId": format!("sim-{serial:08x}"), "issues": issues })
}

/// Transport faults shared with the Shopify endpoint. `Ok(fault)` lets the request go on.
fn transport(sim: &AmazonSim) -> Result<Fault, Response> {
    let fault = sim.with(|s| {
        s.stats.requests += 1;
        s.faults.draw(&mut s.rng)
    });
    match fault {
        Fault::ServerError => {
            sim.with(|s| s.stats.server_errors += 1);
            Err(error_list(
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailable",
                "Service temporarily unavailable.",
            ))
        }
        Fault::TooManyRequests(_) | Fault::Throttle => {
            sim.with(|s| s.stats.too_many_requests += 1);
            Err(quota_exceeded(None))
        }
        Fault::DropBeforeApply => {
            sim.with(|s| s.stats.drops += 1);
            Err(dropped_connection())
        }
        other => Ok(other),
    }
}

fn quota_exceeded(rate: Option<f64>) -> Response {
    let mut response = error_list(
        StatusCode::TOO_MANY_REQUESTS,
        "QuotaExceeded",
        "You exceeded your quota for the requested resource.",
    );
    if let Some(rate) = rate
        && let Ok(v) = format!("{rate:.1}").parse()
    {
        response.headers_mut().insert("x-amzn-ratelimit-limit", v);
    }
    response
}

async fn after_apply(sim: &AmazonSim, fault: Fault, response: Response) -> Response {
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

fn with_rate(mut response: Response, rate: f64) -> Response {
    if let Ok(v) = format!("{rate:.1}").parse() {
        response.headers_mut().insert("x-amzn-ratelimit-limit", v);
    }
    response
}

async fn patch_item(
    State(sim): State<AmazonSim>,
    Path((seller, sku)): Path<(String, String)>,
    Query(query): Query<ItemQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refusal) = sim.with(|s| s.check_token(&headers)) {
        return refusal;
    }
    let fault = match transport(&sim) {
        Ok(fault) => fault,
        Err(response) => return response,
    };
    let answer = sim.with(|s| -> Result<(Value, f64), Response> {
        if !s.patch_bucket.take() {
            s.stats.too_many_requests += 1;
            return Err(quota_exceeded(Some(s.config.patch_rate)));
        }
        if s.rng.random::<f64>() < s.amazon_faults.quota_exceeded {
            s.stats.too_many_requests += 1;
            return Err(quota_exceeded(Some(s.config.patch_rate)));
        }
        if seller != s.config.seller_id || query.marketplace_ids.as_deref().is_none_or(str::is_empty) {
            return Err(error_list(StatusCode::BAD_REQUEST, "BAD_REQUEST", "Invalid parameters provided."));
        }
        let Ok(body) = serde_json::from_slice::<Value>(&body) else {
            return Err(error_list(StatusCode::BAD_REQUEST, "BAD_REQUEST", "Invalid input"));
        };
        s.stats.patches += 1;
        let serial = s.stats.patches;
        let rate = s.config.patch_rate;
        let known = s.listings.contains_key(&sku) || !s.config.strict_skus;
        let validated = if known {
            validate_patch(&body)
        } else {
            Err(json!({ "code": "90220", "message": format!("SKU '{sku}' is not a listing of this seller."), "severity": "ERROR", "categories": ["INVALID_ATTRIBUTE"] }))
        };
        let validated = match validated {
            Ok(_) if s.rng.random::<f64>() < s.amazon_faults.invalid => Err(json!({
                "code": "8541", "message": "Simulated: the listing data conflicts with the catalogue.",
                "severity": "ERROR", "categories": ["CONFLICTING_VALUE"]
            })),
            other => other,
        };
        match validated {
            Err(issue) => {
                s.stats.invalid += 1;
                Ok((submission(&sku, "INVALID", serial, vec![issue]), rate))
            }
            Ok(quantity) => {
                s.stats.accepted += 1;
                if s.rng.random::<f64>() < s.amazon_faults.silent_drop {
                    s.stats.silent_drops += 1;
                } else {
                    s.listings.entry(sku.clone()).or_insert((0, 0)).0 = quantity;
                    let at_ms = s.started.elapsed().as_millis() as u64;
                    s.log.push(AmazonApplied { sku: sku.clone(), quantity, at_ms });
                }
                Ok((submission(&sku, "ACCEPTED", serial, vec![]), rate))
            }
        }
    });
    match answer {
        Err(response) => response,
        Ok((value, rate)) => after_apply(&sim, fault, with_rate(Json(value).into_response(), rate)).await,
    }
}

fn item_json(sku: &str, quantity: i64) -> Value {
    json!({
        "sku": sku,
        "fulfillmentAvailability": [{ "fulfillmentChannelCode": "DEFAULT", "quantity": quantity }],
    })
}

async fn get_item(
    State(sim): State<AmazonSim>,
    Path((_seller, sku)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = sim.with(|s| s.check_token(&headers)) {
        return refusal;
    }
    sim.with(|s| {
        if !s.search_bucket.take() {
            s.stats.too_many_requests += 1;
            return quota_exceeded(Some(s.config.search_rate));
        }
        match s.quantity(&sku) {
            Some(q) => Json(item_json(&sku, q)).into_response(),
            None => {
                error_list(StatusCode::NOT_FOUND, "NOT_FOUND", "The requested listings item was not found.")
            }
        }
    })
}

#[derive(Deserialize)]
struct SearchQuery {
    #[serde(default)]
    identifiers: Option<String>,
    #[serde(rename = "pageSize", default)]
    page_size: Option<usize>,
    #[serde(rename = "pageToken", default)]
    page_token: Option<String>,
    #[serde(rename = "includedData", default)]
    included_data: Option<String>,
}

/// A listing as searchListingsItems returns it with `includedData=summaries`.
fn summary_json(sku: &str, quantity: i64, marketplace: &str) -> Value {
    json!({
        "sku": sku,
        "summaries": [{
            "marketplaceId": marketplace, "asin": "B000SIM", "productType": "PRODUCT",
            "conditionType": "new_new", "status": ["BUYABLE"], "itemName": format!("Simulated {sku}"),
            "createdDate": "2026-01-01T00:00:00Z", "lastUpdatedDate": "2026-01-01T00:00:00Z",
        }],
        "fulfillmentAvailability": [{ "fulfillmentChannelCode": "DEFAULT", "quantity": quantity }],
    })
}

/// searchListingsItems without identifiers: the seller's listings, `pageSize` (1 to 20,
/// default 10) a page, `pagination.nextToken` naming the next page.
fn seller_page(s: &AmazonState, query: &SearchQuery, marketplace: &str) -> Result<Value, Response> {
    let size = query.page_size.unwrap_or(10);
    let start = match query.page_token.as_deref() {
        None => 0,
        Some(token) => token
            .strip_prefix("sim-page-")
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n <= s.listings.len())
            .ok_or_else(|| error_list(StatusCode::BAD_REQUEST, "InvalidInput", "Invalid pageToken."))?,
    };
    let items: Vec<Value> = s
        .listings
        .iter()
        .skip(start)
        .take(size)
        .map(|(sku, (q, _))| {
            if query.included_data.as_deref().is_some_and(|d| d.contains("summaries")) {
                summary_json(sku, *q, marketplace)
            } else {
                item_json(sku, *q)
            }
        })
        .collect();
    let end = start + items.len();
    let mut pagination = json!({});
    if end < s.listings.len() {
        pagination["nextToken"] = json!(format!("sim-page-{end}"));
    }
    if start > 0 {
        pagination["previousToken"] = json!(format!("sim-page-{}", start.saturating_sub(size)));
    }
    Ok(json!({ "numberOfResults": s.listings.len(), "pagination": pagination, "items": items }))
}

async fn search_items(
    State(sim): State<AmazonSim>,
    Path(seller): Path<String>,
    Query(marketplace): Query<ItemQuery>,
    Query(query): Query<SearchQuery>,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = sim.with(|s| s.check_token(&headers)) {
        return refusal;
    }
    sim.with(|s| {
        if !s.search_bucket.take() {
            s.stats.too_many_requests += 1;
            return quota_exceeded(Some(s.config.search_rate));
        }
        s.stats.searches += 1;
        let skus: Vec<String> = query
            .identifiers
            .clone()
            .unwrap_or_default()
            .split(',')
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect();
        if skus.len() > 20 || query.page_size.is_some_and(|p| p > 20 || p == 0) {
            return error_list(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "At most 20 identifiers and pageSize 1 to 20.",
            );
        }
        // Another seller's id: refused as the real API refuses a seller the token cannot act for.
        if seller != s.config.seller_id {
            return error_list(
                StatusCode::BAD_REQUEST,
                "InvalidInput",
                "Invalid sellerId for this application.",
            );
        }
        if skus.is_empty() {
            let marketplace_id = marketplace.marketplace_ids.clone().unwrap_or_default();
            return match seller_page(s, &query, &marketplace_id) {
                Ok(page) => with_rate(Json(page).into_response(), s.config.search_rate),
                Err(refusal) => refusal,
            };
        }
        let items: Vec<Value> =
            skus.iter().filter_map(|sku| s.quantity(sku).map(|q| item_json(sku, q))).collect();
        with_rate(
            Json(json!({ "numberOfResults": items.len(), "pagination": {}, "items": items })).into_response(),
            s.config.search_rate,
        )
    })
}

#[derive(Deserialize)]
struct FbaQuery {
    #[serde(rename = "sellerSkus", default)]
    seller_skus: Option<String>,
    #[serde(rename = "nextToken", default)]
    next_token: Option<String>,
    #[serde(default)]
    details: Option<bool>,
}

/// FBA `getInventorySummaries`, two summaries per page so paging is exercised; a `nextToken`
/// older than its time to live is refused.
async fn fba_summaries(
    State(sim): State<AmazonSim>,
    Query(query): Query<FbaQuery>,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = sim.with(|s| s.check_token(&headers)) {
        return refusal;
    }
    sim.with(|s| {
        let skus: Vec<String> =
            query.seller_skus.unwrap_or_default().split(',').filter(|v| !v.is_empty()).map(str::to_string).collect();
        if skus.len() > 50 {
            return error_list(StatusCode::BAD_REQUEST, "InvalidInput", "At most 50 sellerSkus.");
        }
        let offset = match query.next_token.as_deref() {
            None => 0,
            Some(token) => match s.next_tokens.get(token) {
                Some((offset, at)) if at.elapsed() < s.next_token_ttl => *offset,
                _ => return error_list(StatusCode::BAD_REQUEST, "InvalidInput", "The nextToken has expired."),
            },
        };
        let known: Vec<&String> = skus.iter().filter(|k| s.fba.contains_key(*k)).collect();
        let page: Vec<Value> = known
            .iter()
            .skip(offset)
            .take(2)
            .map(|sku| {
                let (fulfillable, reserved) = s.fba[*sku];
                let mut summary = json!({ "sellerSku": sku, "fnSku": format!("X00{sku}"), "asin": "B000SIM", "condition": "NewItem",
                    "productName": sku, "totalQuantity": fulfillable + reserved, "stores": [] });
                if query.details == Some(true) {
                    summary["inventoryDetails"] = json!({ "fulfillableQuantity": fulfillable,
                        "reservedQuantity": { "totalReservedQuantity": reserved } });
                }
                summary
            })
            .collect();
        let mut pagination = json!({});
        if offset + 2 < known.len() {
            let token = format!("sim-next-{}-{}", offset + 2, s.next_tokens.len());
            s.next_tokens.insert(token.clone(), (offset + 2, Instant::now()));
            pagination = json!({ "nextToken": token });
        }
        Json(json!({ "payload": { "granularity": { "granularityType": "Marketplace", "granularityId": "ATVPDKIKX0DER" },
            "inventorySummaries": page }, "pagination": pagination })).into_response()
    })
}

fn host(headers: &HeaderMap) -> String {
    headers.get("host").and_then(|v| v.to_str().ok()).unwrap_or("127.0.0.1").to_string()
}

async fn create_document(State(sim): State<AmazonSim>, headers: HeaderMap) -> Response {
    if let Some(refusal) = sim.with(|s| s.check_token(&headers)) {
        return refusal;
    }
    let id = sim.with(|s| {
        let id = format!("amzn1.tortuga.sim.{}", s.documents.len() + 1);
        s.documents.insert(id.clone(), None);
        id
    });
    let url = format!("http://{}/amazon/documents/{id}", host(&headers));
    (StatusCode::CREATED, Json(json!({ "feedDocumentId": id, "url": url }))).into_response()
}

/// The presigned URL: the upload (PUT) and the download (GET) of a document.
async fn upload_document(State(sim): State<AmazonSim>, Path(id): Path<String>, body: Bytes) -> Response {
    let parsed = serde_json::from_slice::<Value>(&body).ok();
    sim.with(|s| match s.documents.get_mut(&id) {
        Some(slot) => {
            *slot = parsed;
            StatusCode::OK.into_response()
        }
        None => StatusCode::FORBIDDEN.into_response(),
    })
}

async fn download_document(State(sim): State<AmazonSim>, Path(id): Path<String>) -> Response {
    sim.with(|s| match s.documents.get(&id) {
        Some(Some(document)) => Json(document.clone()).into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    })
}

async fn get_document(State(sim): State<AmazonSim>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    if let Some(refusal) = sim.with(|s| s.check_token(&headers)) {
        return refusal;
    }
    let known = sim.with(|s| s.documents.contains_key(&id));
    if !known {
        return error_list(StatusCode::NOT_FOUND, "NotFound", "The feed document was not found.");
    }
    let url = format!("http://{}/amazon/documents/{id}", host(&headers));
    Json(json!({ "feedDocumentId": id, "url": url })).into_response()
}

async fn create_feed(State(sim): State<AmazonSim>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(refusal) = sim.with(|s| s.check_token(&headers)) {
        return refusal;
    }
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    sim.with(|s| {
        let document = request["inputFeedDocumentId"].as_str().unwrap_or_default().to_string();
        let markets = request["marketplaceIds"].as_array().map_or(0, Vec::len);
        if request["feedType"] != "JSON_LISTINGS_FEED"
            || !(1..=25).contains(&markets)
            || !s.documents.contains_key(&document)
        {
            return error_list(StatusCode::BAD_REQUEST, "InvalidInput", "Invalid feed specification.");
        }
        s.stats.feeds += 1;
        let id = format!("{}", 50_000 + s.stats.feeds);
        let stuck = s.rng.random::<f64>() < s.amazon_faults.stuck_feed;
        if stuck {
            s.stats.stuck_feeds += 1;
        }
        s.feeds.insert(id.clone(), SimFeed { document, created: Instant::now(), stuck, report: None });
        (StatusCode::ACCEPTED, Json(json!({ "feedId": id }))).into_response()
    })
}

async fn get_feed(State(sim): State<AmazonSim>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    if let Some(refusal) = sim.with(|s| s.check_token(&headers)) {
        return refusal;
    }
    sim.with(|s| {
        let delay = s.config.feed_delay;
        let Some(feed) = s.feeds.get(&id) else {
            return error_list(StatusCode::NOT_FOUND, "NotFound", "The feed was not found.");
        };
        let elapsed = feed.created.elapsed();
        let status = if feed.report.is_some() {
            "DONE"
        } else if feed.stuck || elapsed >= delay / 2 && elapsed < delay {
            "IN_PROGRESS"
        } else if elapsed < delay / 2 {
            "IN_QUEUE"
        } else {
            let document = feed.document.clone();
            let report = s.process_feed(&id, &document);
            if let Some(feed) = s.feeds.get_mut(&id) {
                feed.report = Some(report);
            }
            "DONE"
        };
        let feed = &s.feeds[&id];
        let mut body = json!({ "feedId": id, "feedType": "JSON_LISTINGS_FEED", "marketplaceIds": ["ATVPDKIKX0DER"],
            "createdTime": "2026-01-01T00:00:00Z", "processingStatus": status });
        if let Some(report) = &feed.report {
            body["resultFeedDocumentId"] = json!(report);
        }
        Json(body).into_response()
    })
}

impl AmazonState {
    /// Applies a feed's messages and files its processing report; returns the report's id.
    fn process_feed(&mut self, feed_id: &str, document: &str) -> String {
        let messages = self
            .documents
            .get(document)
            .cloned()
            .flatten()
            .and_then(|d| d.get("messages").cloned())
            .and_then(|m| m.as_array().cloned())
            .unwrap_or_default();
        let mut issues = Vec::new();
        let mut accepted = 0;
        for message in &messages {
            let id = message.get("messageId").cloned().unwrap_or(Value::Null);
            let sku = message.get("sku").and_then(Value::as_str).unwrap_or_default().to_string();
            let known = self.listings.contains_key(&sku) || !self.config.strict_skus;
            let outcome = if !known {
                Err(
                    json!({ "code": "90220", "message": format!("SKU '{sku}' is not a listing of this seller.") }),
                )
            } else if message.get("operationType").and_then(Value::as_str) != Some("PATCH") {
                Err(json!({ "code": "4000001", "message": "Only PATCH is simulated." }))
            } else {
                validate_patch(message)
                    .map_err(|issue| json!({ "code": issue["code"], "message": issue["message"] }))
            };
            match outcome {
                Ok(quantity) => {
                    accepted += 1;
                    if self.rng.random::<f64>() < self.amazon_faults.silent_drop {
                        self.stats.silent_drops += 1;
                    } else {
                        self.listings.entry(sku.clone()).or_insert((0, 0)).0 = quantity;
                        let at_ms = self.started.elapsed().as_millis() as u64;
                        self.log.push(AmazonApplied { sku, quantity, at_ms });
                    }
                }
                Err(issue) => issues.push(json!({ "messageId": id, "sku": sku, "code": issue["code"], "severity": "ERROR", "message": issue["message"] })),
            }
        }
        self.stats.feed_messages_accepted += accepted;
        self.stats.feed_messages_invalid += issues.len() as u64;
        let report = json!({
            "header": { "sellerId": self.config.seller_id, "version": "2.0", "feedId": feed_id },
            "issues": issues,
            "summary": { "errors": issues.len(), "warnings": 0, "messagesProcessed": messages.len(),
                         "messagesAccepted": accepted, "messagesInvalid": issues.len() },
        });
        let id = format!("amzn1.tortuga.sim.report.{feed_id}");
        self.documents.insert(id.clone(), Some(report));
        id
    }
}

async fn admin_state(State(sim): State<AmazonSim>) -> Json<Value> {
    Json(sim.with(|s| s.state_json()))
}

#[derive(Deserialize)]
struct FaultsInput {
    #[serde(default)]
    faults: Faults,
    #[serde(default)]
    amazon: AmazonFaults,
}

async fn admin_faults(State(sim): State<AmazonSim>, Json(input): Json<FaultsInput>) -> Json<Value> {
    sim.set_faults(input.faults, input.amazon);
    Json(json!({ "faults": input.faults, "amazon_faults": input.amazon }))
}

#[derive(Deserialize)]
struct ListingInput {
    sku: String,
    quantity: i64,
}

async fn admin_listings(
    State(sim): State<AmazonSim>,
    Json(listings): Json<Vec<ListingInput>>,
) -> Json<Value> {
    let count = listings.len();
    for l in listings {
        sim.set_listing(&l.sku, l.quantity);
    }
    Json(json!({ "set": count }))
}

#[derive(Deserialize)]
struct SaleInput {
    sku: String,
    qty: i64,
}

async fn admin_sell(State(sim): State<AmazonSim>, Json(sale): Json<SaleInput>) -> Json<Value> {
    Json(json!({ "sold": sim.sell(&sale.sku, sale.qty) }))
}

/// Orders kept: far above any test or demo, and a bound on memory.
const MAX_ORDERS: usize = 100_000;

/// getOrders' page cap (MaxResultsPerPage).
const MAX_ORDERS_PAGE: usize = 100;

/// NextTokens kept: each page of a long listing leaves one behind.
const MAX_ORDER_TOKENS: usize = 10_000;

/// One simulated order: one line of one seller SKU, sold from the listing's own quantity.
#[derive(Clone, Debug)]
struct SimOrder {
    id: String,
    item_id: String,
    sku: String,
    qty: i64,
    purchased: String,
    updated: String,
    canceled: bool,
}

impl SimOrder {
    fn json(&self, marketplace: &str) -> Value {
        let (unshipped, status) = if self.canceled { (0, "Canceled") } else { (self.qty, "Unshipped") };
        json!({
            "AmazonOrderId": self.id,
            "PurchaseDate": self.purchased,
            "LastUpdateDate": self.updated,
            "OrderStatus": status,
            "FulfillmentChannel": "MFN",
            "SalesChannel": "Amazon.com",
            "OrderType": "StandardOrder",
            "NumberOfItemsShipped": 0,
            "NumberOfItemsUnshipped": unshipped,
            "MarketplaceId": marketplace,
            "IsPrime": false,
            "IsBusinessOrder": false,
        })
    }
}

#[derive(Deserialize)]
struct OrdersQuery {
    #[serde(rename = "MarketplaceIds", default)]
    marketplace_ids: Option<String>,
    #[serde(rename = "LastUpdatedAfter", default)]
    last_updated_after: Option<String>,
    #[serde(rename = "CreatedAfter", default)]
    created_after: Option<String>,
    #[serde(rename = "NextToken", default)]
    next_token: Option<String>,
    #[serde(rename = "MaxResultsPerPage", default)]
    max_results: Option<usize>,
}

fn invalid_input(message: &str) -> Response {
    error_list(StatusCode::BAD_REQUEST, "InvalidInput", message)
}

/// getOrders: orders updated (or created) at or after the given time, oldest update first,
/// `NextToken` for the rest.
async fn get_orders(
    State(sim): State<AmazonSim>,
    Query(query): Query<OrdersQuery>,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = sim.with(|s| s.check_token(&headers)) {
        return refusal;
    }
    sim.with(|s| {
        if !s.orders_bucket.take() {
            s.stats.too_many_requests += 1;
            return quota_exceeded(Some(s.config.orders_rate));
        }
        let Some(marketplace) = query.marketplace_ids.filter(|m| !m.trim().is_empty()) else {
            return invalid_input("MarketplaceIds is required.");
        };
        let page = query.max_results.unwrap_or(MAX_ORDERS_PAGE);
        if !(1..=MAX_ORDERS_PAGE).contains(&page) {
            return invalid_input("MaxResultsPerPage must be between 1 and 100.");
        }
        let (since, by_update, offset) =
            match (&query.next_token, &query.last_updated_after, &query.created_after) {
                (Some(token), _, _) => match s.order_tokens.get(token) {
                    Some((since, offset)) => (since.clone(), true, *offset),
                    None => return invalid_input("Invalid NextToken."),
                },
                (None, Some(after), _) => (after.clone(), true, 0),
                (None, None, Some(after)) => (after.clone(), false, 0),
                (None, None, None) => {
                    return invalid_input("Either CreatedAfter or LastUpdatedAfter must be specified.");
                }
            };
        if !crate::orders::looks_like_timestamp(&since) {
            return invalid_input("LastUpdatedAfter is not a valid ISO 8601 date-time.");
        }
        let mut hits: Vec<&SimOrder> = s
            .orders
            .iter()
            .filter(|o| if by_update { o.updated >= since } else { o.purchased >= since })
            .collect();
        hits.sort_by(|a, b| a.updated.cmp(&b.updated));
        let orders: Vec<Value> = hits.iter().skip(offset).take(page).map(|o| o.json(&marketplace)).collect();
        let mut payload = json!({ "Orders": orders, "LastUpdatedBefore": s.order_clock.stamp() });
        if offset + page < hits.len() {
            if s.order_tokens.len() >= MAX_ORDER_TOKENS {
                s.order_tokens.clear();
            }
            let token = format!("sim-orders-{}-{}", offset + page, s.order_tokens.len());
            s.order_tokens.insert(token.clone(), (since, offset + page));
            payload["NextToken"] = json!(token);
        }
        with_rate(Json(json!({ "payload": payload })).into_response(), s.config.orders_rate)
    })
}

async fn get_order_items(
    State(sim): State<AmazonSim>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = sim.with(|s| s.check_token(&headers)) {
        return refusal;
    }
    sim.with(|s| {
        if !s.order_items_bucket.take() {
            s.stats.too_many_requests += 1;
            return quota_exceeded(Some(s.config.order_items_rate));
        }
        let Some(order) = s.orders.iter().find(|o| o.id == id) else {
            return error_list(StatusCode::NOT_FOUND, "NotFound", "The requested order was not found.");
        };
        let item = json!({
            "ASIN": format!("B0SIM{:05}", order.sku.len()),
            "SellerSKU": order.sku,
            "OrderItemId": order.item_id,
            "Title": order.sku,
            "QuantityOrdered": order.qty,
            "QuantityShipped": 0,
        });
        with_rate(
            Json(json!({ "payload": { "AmazonOrderId": order.id, "OrderItems": [item] } })).into_response(),
            s.config.order_items_rate,
        )
    })
}

#[derive(Deserialize)]
struct PlaceOrder {
    sku: String,
    qty: i64,
}

/// Places an order for up to `qty` units of a listing (never below zero); 422 when nothing sold.
/// When ORDER_CHANGE is subscribed, its notification goes to the queue.
async fn admin_place_order(State(sim): State<AmazonSim>, Json(input): Json<PlaceOrder>) -> Response {
    let placed = sim.with(|s| {
        let order = s.new_order(&input.sku, input.qty)?;
        let message = s.order_change(&order, "NewOrder");
        let body = json!({ "order": order.json("ATVPDKIKX0DER"), "order_item_id": order.item_id, "sold": order.qty });
        Some((body, message))
    });
    let Some((body, message)) = placed else {
        return error_list(StatusCode::UNPROCESSABLE_ENTITY, "InvalidInput", "Nothing in stock to sell.");
    };
    sim.deliver(message);
    (StatusCode::CREATED, Json(body)).into_response()
}

/// Cancels an order and puts its units back on the listing (an ORDER_CHANGE when subscribed).
async fn admin_cancel_order(State(sim): State<AmazonSim>, Path(id): Path<String>) -> Response {
    let answer = sim.with(|s| {
        let at = s.order_clock.stamp();
        let Some(order) = s.orders.iter_mut().find(|o| o.id == id) else {
            return Err(error_list(StatusCode::NOT_FOUND, "NotFound", "The requested order was not found."));
        };
        let mut message = None;
        if !order.canceled {
            order.canceled = true;
            order.updated = at;
            let (sku, qty) = (order.sku.clone(), order.qty);
            let snapshot = order.clone();
            if let Some((level, sold)) = s.listings.get_mut(&sku) {
                *level += qty;
                *sold -= qty;
            }
            message = s.order_change(&snapshot, "BuyerCancelled");
        }
        let order = s.orders.iter().find(|o| o.id == id).map(|o| o.json("ATVPDKIKX0DER"));
        Ok((order, message))
    });
    match answer {
        Err(refusal) => refusal,
        Ok((order, message)) => {
            sim.deliver(message);
            Json(json!({ "order": order })).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case_path_and_missing_channel_code_are_invalid() {
        let good = json!({"productType":"PRODUCT","patches":[{"op":"replace","path":"/attributes/fulfillment_availability","value":[{"fulfillment_channel_code":"DEFAULT","quantity":3}]}]});
        assert_eq!(validate_patch(&good), Ok(3));
        let camel = json!({"productType":"PRODUCT","patches":[{"op":"replace","path":"/attributes/fulfillmentAvailability","value":[{"fulfillment_channel_code":"DEFAULT","quantity":3}]}]});
        assert_eq!(validate_patch(&camel).unwrap_err()["code"], "90000900");
        let no_code = json!({"productType":"PRODUCT","patches":[{"op":"replace","path":"/attributes/fulfillment_availability","value":[{"quantity":3}]}]});
        assert!(validate_patch(&no_code).is_err());
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("Atzr%7Ca%20b"), "Atzr|a b");
    }
}

// --- SP-API Notifications and ORDER_CHANGE (issue 16) -------------------------------------

/// A grantless LWA token: `client_credentials` with the notifications scope and the app's
/// client id and secret (no refresh token: it acts for the application, not a seller).
fn grantless_token(s: &mut AmazonState, body: &str) -> Response {
    let scope = form_value(body, "scope");
    let client_ok = form_value(body, "client_id").as_deref() == Some(s.config.client_id.as_str())
        && form_value(body, "client_secret").as_deref() == Some(s.config.client_secret.as_str());
    if !client_ok {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": "invalid_client", "error_description": "Client authentication failed" })),
        )
            .into_response();
    }
    if scope.as_deref() != Some("sellingpartnerapi::notifications") {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": "invalid_scope", "error_description": "The request has an invalid parameter : scope" })),
        )
            .into_response();
    }
    s.token_serial += 1;
    let token = format!("Atc|sim-grantless-{}-{}", s.config.seed, s.token_serial);
    s.grantless.insert(token.clone(), Instant::now() + s.config.token_ttl);
    Json(json!({ "access_token": token, "token_type": "bearer", "expires_in": s.config.token_ttl.as_secs().max(1) }))
        .into_response()
}

impl AmazonState {
    fn check_grantless(&self, headers: &HeaderMap) -> Option<Response> {
        let given = headers.get("x-amz-access-token").and_then(|v| v.to_str().ok()).unwrap_or_default();
        match self.grantless.get(given) {
            Some(until) if Instant::now() < *until => None,
            _ => Some(error_list(
                StatusCode::FORBIDDEN,
                "Unauthorized",
                "Access to requested resource is denied. This operation needs a grantless token (scope sellingpartnerapi::notifications).",
            )),
        }
    }

    /// The ORDER_CHANGE message for an order, and the queue it goes to, when subscribed (None
    /// when not subscribed or when this one is "lost").
    fn order_change(&mut self, order: &SimOrder, reason: &str) -> Option<(String, String)> {
        let (subscription_id, destination_id) = self.subscriptions.get("ORDER_CHANGE")?.clone();
        let arn = self.destinations.iter().find(|d| d.0 == destination_id)?.2.clone();
        if self.rng.random::<f64>() < self.config.notification_loss {
            self.stats.notifications_lost += 1;
            return None;
        }
        self.stats.notifications_sent += 1;
        let at = self.order_clock.stamp();
        let status = if order.canceled { "Canceled" } else { "Unshipped" };
        let body = json!({
            "NotificationVersion": "1.0",
            "NotificationType": "ORDER_CHANGE",
            "PayloadVersion": "1.0",
            "EventTime": at,
            "NotificationMetadata": {
                "ApplicationId": "amzn1.sellerapps.app.shelfsync-sim",
                "SubscriptionId": subscription_id,
                "PublishTime": at,
                "NotificationId": format!("sim-notification-{}-{}", self.config.seed, self.stats.notifications_sent),
            },
            "Payload": { "OrderChangeNotification": {
                "NotificationLevel": "OrderLevel",
                "SellerId": self.config.seller_id,
                "AmazonOrderId": order.id,
                "OrderChangeType": "OrderStatusChange",
                "OrderChangeTrigger": { "TimeOfOrderChange": order.updated, "ChangeReason": reason },
                "Summary": {
                    "MarketplaceId": "ATVPDKIKX0DER",
                    "OrderStatus": status,
                    "PurchaseDate": order.purchased,
                    "FulfillmentType": "MFN",
                    "OrderType": "StandardOrder",
                    "OrderItems": [{ "OrderItemId": order.item_id, "SellerSKU": order.sku, "SupplySourceId": null, "Quantity": order.qty }],
                },
            } },
        });
        Some((arn, body.to_string()))
    }
}

impl AmazonSim {
    /// Puts an ORDER_CHANGE on the subscribed queue after the configured delay.
    fn deliver(&self, message: Option<(String, String)>) {
        let Some((arn, body)) = message else { return };
        let delay = self.with(|s| s.config.notification_delay);
        if let Some(queue) = self.sqs.queue_for_arn(&arn) {
            self.sqs.send(&queue, body, delay);
        }
    }

    /// Places an order in-process (as `POST /amazon/admin/orders`): (AmazonOrderId, units sold).
    pub fn place_order(&self, sku: &str, qty: i64) -> Option<(String, i64)> {
        let (placed, message) = self.with(|s| {
            let order = s.new_order(sku, qty)?;
            let message = s.order_change(&order, "NewOrder");
            Some(((order.id.clone(), order.qty), message))
        })?;
        self.deliver(message);
        Some(placed)
    }

    /// Sets how long ORDER_CHANGE messages take and how many are lost.
    pub fn set_notifications(&self, delay: Duration, loss: f64) {
        self.with(|s| {
            s.config.notification_delay = delay;
            s.config.notification_loss = loss.clamp(0.0, 1.0);
        });
    }
}

impl AmazonState {
    /// A new order of one line, sold from the listing; None when nothing sold.
    fn new_order(&mut self, sku: &str, qty: i64) -> Option<SimOrder> {
        let sold = self.sell(sku, qty);
        if sold <= 0 {
            return None;
        }
        if self.orders.len() >= MAX_ORDERS {
            self.orders.remove(0);
        }
        let n = self.stats.orders;
        let at = self.order_clock.stamp();
        let order = SimOrder {
            id: format!("113-{:07}-{:07}", n / 10_000_000, n % 10_000_000),
            item_id: format!("{:014}", n * 10 + 1),
            sku: sku.to_string(),
            qty: sold,
            purchased: at.clone(),
            updated: at,
            canceled: false,
        };
        self.orders.push(order.clone());
        Some(order)
    }
}

/// getOrder: one order by id.
async fn get_order(State(sim): State<AmazonSim>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    sim.with(|s| {
        if let Some(refusal) = s.check_token(&headers) {
            return refusal;
        }
        if !s.order_bucket.take() {
            s.stats.too_many_requests += 1;
            return quota_exceeded(Some(s.config.order_rate));
        }
        match s.orders.iter().find(|o| o.id == id) {
            Some(order) => with_rate(
                Json(json!({ "payload": order.json("ATVPDKIKX0DER") })).into_response(),
                s.config.order_rate,
            ),
            None => error_list(StatusCode::NOT_FOUND, "NotFound", "The requested order was not found."),
        }
    })
}

fn destination_json(d: &(String, String, String)) -> Value {
    json!({ "destinationId": d.0, "name": d.1, "resource": { "sqs": { "arn": d.2 } } })
}

async fn get_destinations(State(sim): State<AmazonSim>, headers: HeaderMap) -> Response {
    sim.with(|s| {
        if let Some(refusal) = s.check_grantless(&headers) {
            return refusal;
        }
        Json(json!({ "payload": s.destinations.iter().map(destination_json).collect::<Vec<_>>() }))
            .into_response()
    })
}

async fn create_destination(State(sim): State<AmazonSim>, headers: HeaderMap, body: Bytes) -> Response {
    let refused = sim.with(|s| s.check_grantless(&headers));
    if let Some(refusal) = refused {
        return refusal;
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return invalid_input("The request body is not JSON.");
    };
    let name = body.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
    let arn = body
        .pointer("/resourceSpecification/sqs/arn")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if name.is_empty() || arn.is_empty() {
        return invalid_input("name and resourceSpecification.sqs.arn are required.");
    }
    // Amazon checks it can send to the queue (its policy must allow Amazon's principal).
    if sim.sqs.queue_for_arn(&arn).is_none() {
        return invalid_input(
            "Unable to send to the SQS queue: it does not exist or does not grant sqs:SendMessage.",
        );
    }
    sim.with(|s| {
        if s.destinations.iter().any(|d| d.2 == arn) {
            return error_list(
                StatusCode::CONFLICT,
                "Conflict",
                "A destination for this resource already exists.",
            );
        }
        let id = format!("sim-destination-{}", s.destinations.len() + 1);
        s.destinations.push((id, name, arn));
        let created = s.destinations.last().map(destination_json).unwrap_or_default();
        Json(json!({ "payload": created })).into_response()
    })
}

async fn get_subscription(
    State(sim): State<AmazonSim>,
    Path(kind): Path<String>,
    headers: HeaderMap,
) -> Response {
    sim.with(|s| {
        if let Some(refusal) = s.check_token(&headers) {
            return refusal;
        }
        match s.subscriptions.get(&kind) {
            Some((id, destination)) => Json(json!({ "payload": {
                "subscriptionId": id, "payloadVersion": "1.0", "destinationId": destination } }))
            .into_response(),
            None => error_list(StatusCode::NOT_FOUND, "NotFound", "The resource specified does not exist."),
        }
    })
}

async fn create_subscription(
    State(sim): State<AmazonSim>,
    Path(kind): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    sim.with(|s| {
        if let Some(refusal) = s.check_token(&headers) {
            return refusal;
        }
        let Ok(body) = serde_json::from_slice::<Value>(&body) else {
            return invalid_input("The request body is not JSON.");
        };
        if kind != "ORDER_CHANGE" {
            return invalid_input("This simulator serves the ORDER_CHANGE notification type only.");
        }
        if body.get("payloadVersion").and_then(Value::as_str) != Some("1.0") {
            return invalid_input("payloadVersion must be 1.0 for ORDER_CHANGE.");
        }
        let destination = body.get("destinationId").and_then(Value::as_str).unwrap_or_default().to_string();
        if !s.destinations.iter().any(|d| d.0 == destination) {
            return invalid_input("destinationId does not name a destination of this application.");
        }
        if s.subscriptions.contains_key(&kind) {
            return error_list(StatusCode::CONFLICT, "Conflict", "A subscription of this type already exists.");
        }
        let id = format!("sim-subscription-{}", s.subscriptions.len() + 1);
        s.subscriptions.insert(kind, (id.clone(), destination.clone()));
        Json(json!({ "payload": { "subscriptionId": id, "payloadVersion": "1.0", "destinationId": destination } }))
            .into_response()
    })
}
