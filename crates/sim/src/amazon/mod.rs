//! Amazon SP-API, as the sync engine uses it: the LWA token endpoint, `patchListingsItem`
//! (HTTP 200 with `ACCEPTED` or `INVALID` and issues), `getListingsItem` and
//! `searchListingsItems` with `fulfillmentAvailability`, per-operation token buckets answering
//! 429 `QuotaExceeded`, `x-amzn-RateLimit-Limit`, expiring access tokens, its own stock sold
//! by its own orders, and seeded faults (INVALID, silent drops of ACCEPTED updates, 429, and
//! the transport faults of [`Faults`]).

// A handler step that refuses returns the refusal itself: an axum Response (128 bytes), once
// per request, so boxing it buys nothing.
#![allow(clippy::result_large_err)]

mod admin;
mod auth;
mod feeds;
mod listings;
mod notifications;
mod orders;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Json;
use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::faults::{Fault, Faults};
use crate::shopify::dropped_connection;

use admin::{admin_faults, admin_listings, admin_sell, admin_state};
pub(crate) use auth::percent_decode;
use auth::token;
use feeds::{create_document, create_feed, download_document, get_document, get_feed, upload_document};
use listings::{fba_summaries, get_item, patch_item, search_items};
use notifications::{create_destination, create_subscription, get_destinations, get_subscription};
use orders::{SimOrder, admin_cancel_order, admin_place_order, get_order, get_order_items, get_orders};

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
    /// How long a feed spends IN_QUEUE then IN_PROGRESS (half each) before DONE. Amazon
    /// processes a JSON_LISTINGS_FEED in minutes (more at peak): 3 minutes by default; tests
    /// that need speed set milliseconds.
    pub feed_delay: Duration,
    /// Feeds API buckets, per seller (Amazon's rate table): createFeed 0.0083/s burst 15,
    /// createFeedDocument 0.5/s burst 15, getFeed 2/s burst 15, getFeedDocument 0.0222/s
    /// burst 10.
    pub create_feed_rate: f64,
    pub create_feed_burst: f64,
    pub create_document_rate: f64,
    pub create_document_burst: f64,
    pub get_feed_rate: f64,
    pub get_feed_burst: f64,
    pub get_document_rate: f64,
    pub get_document_burst: f64,
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
    /// Applied updates kept in `log` (see [`crate::MAX_LOG`]).
    pub log_limit: usize,
}

/// A feed's processing time on the simulator unless configured: Amazon takes minutes.
pub const DEFAULT_FEED_DELAY: Duration = Duration::from_secs(180);

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
            feed_delay: DEFAULT_FEED_DELAY,
            create_feed_rate: 0.0083,
            create_feed_burst: 15.0,
            create_document_rate: 0.5,
            create_document_burst: 15.0,
            get_feed_rate: 2.0,
            get_feed_burst: 15.0,
            get_document_rate: 0.0222,
            get_document_burst: 10.0,
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
            log_limit: crate::MAX_LOG,
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
    /// Feeds API calls refused for an empty bucket (also counted in `too_many_requests`).
    pub feed_throttles: u64,
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
    feed_buckets: FeedBuckets,
    /// Grantless tokens (scope `sellingpartnerapi::notifications`), with their expiry.
    grantless: HashMap<String, Instant>,
    /// Notification destinations: (destinationId, name, SQS ARN).
    pub destinations: Vec<(String, String, String)>,
    /// Subscriptions by notification type: (subscriptionId, destinationId).
    pub subscriptions: BTreeMap<String, (String, String)>,
}

/// The Feeds API's four operations, each its own bucket.
struct FeedBuckets {
    create_feed: Bucket,
    create_document: Bucket,
    get_feed: Bucket,
    get_document: Bucket,
}

impl FeedBuckets {
    fn new(c: &AmazonSimConfig) -> FeedBuckets {
        FeedBuckets {
            create_feed: Bucket::new(c.create_feed_rate, c.create_feed_burst),
            create_document: Bucket::new(c.create_document_rate, c.create_document_burst),
            get_feed: Bucket::new(c.get_feed_rate, c.get_feed_burst),
            get_document: Bucket::new(c.get_document_rate, c.get_document_burst),
        }
    }
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
            feed_buckets: FeedBuckets::new(&config),
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
        && let Ok(v) = rate_text(rate).parse()
    {
        response.headers_mut().insert("x-amzn-ratelimit-limit", v);
    }
    response
}

/// `x-amzn-RateLimit-Limit` as Amazon writes it: "5.0", "0.0167" (one decimal would turn
/// getOrders' 0.0167/s and createFeed's 0.0083/s into "0.0").
fn rate_text(rate: f64) -> String {
    if rate.fract() == 0.0 { format!("{rate:.1}") } else { format!("{rate}") }
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
    if let Ok(v) = rate_text(rate).parse() {
        response.headers_mut().insert("x-amzn-ratelimit-limit", v);
    }
    response
}

fn host(headers: &HeaderMap) -> String {
    headers.get("host").and_then(|v| v.to_str().ok()).unwrap_or("127.0.0.1").to_string()
}
