//! Amazon SP-API: LWA sign-in, `patchListingsItem` on the snake_case
//! `fulfillment_availability` attribute (one SKU per call), and `searchListingsItems` to read
//! quantities back.
//!
//! Pitfalls handled here (shared/reference/channel-apis.md §2, §5): INVALID and ERROR issues
//! arrive with HTTP 200 and are permanent refusals; `ACCEPTED` is queued, not applied, so it
//! is reported as [`PushOutcome::Accepted`] and confirmed later by reading back; every value carries `fulfillment_channel_code: DEFAULT`; pacing is a token
//! bucket per operation that `x-amzn-RateLimit-Limit` adjusts; 429 `QuotaExceeded` drains it.

mod catalogue;
mod fba;
pub mod feed;
mod listings;
mod orders;

use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{TokenSource, form_encode};
use crate::bucket::TokenBucket;
use crate::shopify::{classify_send_error, install_crypto_provider, read_bounded, retry_after};
use crate::{
    Answer, Channel, ChannelError, ChannelKind, Limits, PushOutcome, PushRequest, Rejection, RejectionKind,
    RemoteListing, Timeouts,
};

pub use fba::{FBA_MAX_SKUS, FbaSummary};
use listings::{patch_outcome, search_levels};
pub use orders::{
    AmazonOrder, AmazonOrderItem, AmazonOrderPage, ORDER_BURST, ORDER_ITEMS_BURST, ORDER_ITEMS_RATE,
    ORDER_RATE, ORDERS_BURST, ORDERS_PAGE, ORDERS_RATE, parse_order, parse_order_items, parse_orders_page,
};

/// patchListingsItem: 5 requests/s, burst 5 (per account-application pair).
pub const PATCH_RATE: f64 = 5.0;
pub const PATCH_BURST: f64 = 5.0;
/// searchListingsItems: 5/s, burst 5, at most 20 SKUs per page.
pub const SEARCH_RATE: f64 = 5.0;
pub const SEARCH_BURST: f64 = 5.0;
pub const MAX_SEARCH_SKUS: usize = 20;
/// The quantity path: snake_case, top-level attribute.
pub const QUANTITY_PATH: &str = "/attributes/fulfillment_availability";
/// A backlog this deep takes an hour on the fast path (5/s): it goes by feed instead.
pub const FEED_THRESHOLD: usize = 18_000;

#[derive(Clone)]
pub struct AmazonConfig {
    /// SP-API base URL (`https://sellingpartnerapi-na.amazon.com` or the simulator).
    pub endpoint: String,
    /// Login with Amazon's token endpoint, when given; otherwise [`crate::endpoint::token_url`]
    /// picks it (`https://api.amazon.com/auth/o2/token` for the SP-API hosts, the endpoint's
    /// own `/auth/o2/token` for a simulator).
    pub auth_endpoint: Option<String>,
    pub seller_id: String,
    pub marketplace_id: String,
    pub client_id: String,
    pub client_secret: String,
    pub refresh_token: String,
    pub timeouts: Timeouts,
    pub patch_rate: f64,
    pub patch_burst: f64,
    /// Backlogs at least this deep go by JSON_LISTINGS_FEED (None: always the fast path).
    pub feed_threshold: Option<usize>,
    /// How often a feed is polled, and when it counts as stuck.
    pub feed_poll: Duration,
    pub feed_stuck_after: Duration,
}

impl std::fmt::Debug for AmazonConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AmazonConfig")
            .field("endpoint", &self.endpoint)
            .field("auth_endpoint", &self.auth_endpoint)
            .field("seller_id", &self.seller_id)
            .finish_non_exhaustive()
    }
}

impl AmazonConfig {
    pub fn new(
        endpoint: &str,
        seller_id: &str,
        marketplace_id: &str,
        client_id: &str,
        client_secret: &str,
        refresh_token: &str,
    ) -> AmazonConfig {
        AmazonConfig {
            endpoint: endpoint.to_string(),
            auth_endpoint: None,
            seller_id: seller_id.to_string(),
            marketplace_id: marketplace_id.to_string(),
            client_id: client_id.to_string(),
            client_secret: client_secret.to_string(),
            refresh_token: refresh_token.to_string(),
            timeouts: Timeouts::default(),
            patch_rate: PATCH_RATE,
            patch_burst: PATCH_BURST,
            feed_threshold: Some(FEED_THRESHOLD),
            feed_poll: Duration::from_secs(30),
            feed_stuck_after: feed::STUCK_AFTER,
        }
    }
}

pub struct AmazonClient {
    feed_limits: feed::FeedLimits,
    fba_bucket: TokenBucket,
    bulk_threshold: Option<usize>,
    http: reqwest::Client,
    base: String,
    seller_id: String,
    marketplace_id: String,
    token: TokenSource,
    patch_bucket: TokenBucket,
    search_bucket: TokenBucket,
    orders_bucket: TokenBucket,
    order_items_bucket: TokenBucket,
    /// getOrder (one order by id, as an ORDER_CHANGE notification names it).
    order_bucket: TokenBucket,
}

impl std::fmt::Debug for AmazonClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AmazonClient").field("base", &self.base).finish_non_exhaustive()
    }
}

/// The `ErrorList` body of a non-2xx answer.
#[derive(Deserialize, Default)]
struct ErrorList {
    #[serde(default)]
    errors: Vec<ApiError>,
}

#[derive(Deserialize)]
struct ApiError {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

#[derive(Deserialize)]
struct SubmissionResponse {
    status: String,
    #[serde(default)]
    issues: Vec<Issue>,
}

#[derive(Deserialize)]
struct Issue {
    code: String,
    #[serde(default)]
    message: String,
    severity: String,
}

struct Reply {
    status: u16,
    body: Vec<u8>,
}

fn path_segment(value: &str) -> String {
    form_encode(value)
}

pub(crate) fn check_base(endpoint: &str) -> Result<String, ChannelError> {
    let base = endpoint.trim_end_matches('/');
    if !(base.starts_with("https://") || base.starts_with("http://")) {
        return Err(ChannelError::Config(format!("endpoint '{base}' must start with http:// or https://")));
    }
    Ok(base.to_string())
}

pub(crate) fn http_client(timeouts: Timeouts) -> Result<reqwest::Client, ChannelError> {
    install_crypto_provider();
    reqwest::Client::builder()
        .connect_timeout(timeouts.connect)
        .timeout(timeouts.request)
        .pool_max_idle_per_host(4)
        .build()
        .map_err(|e| ChannelError::Config(format!("cannot build the HTTP client: {e}")))
}

impl AmazonClient {
    pub fn new(config: AmazonConfig) -> Result<AmazonClient, ChannelError> {
        let base = check_base(&config.endpoint)?;
        let form = format!(
            "grant_type=refresh_token&refresh_token={}&client_id={}&client_secret={}",
            form_encode(&config.refresh_token),
            form_encode(&config.client_id),
            form_encode(&config.client_secret)
        );
        let feed_limits = if config.feed_poll < Duration::from_secs(1) {
            feed::FeedLimits::polling(config.feed_poll, config.feed_stuck_after)
        } else {
            feed::FeedLimits {
                poll_every: config.feed_poll,
                stuck_after: config.feed_stuck_after,
                ..Default::default()
            }
        };
        Ok(AmazonClient {
            feed_limits,
            fba_bucket: TokenBucket::new(2.0, 2.0),
            bulk_threshold: config.feed_threshold,
            http: http_client(config.timeouts)?,
            token: TokenSource::new(
                crate::endpoint::token_url(
                    ChannelKind::Amazon,
                    &config.endpoint,
                    config.auth_endpoint.as_deref(),
                )?,
                form,
                None,
            ),
            base,
            seller_id: config.seller_id,
            marketplace_id: config.marketplace_id,
            patch_bucket: TokenBucket::new(config.patch_rate, config.patch_burst),
            search_bucket: TokenBucket::new(SEARCH_RATE, SEARCH_BURST),
            orders_bucket: TokenBucket::new(ORDERS_RATE, ORDERS_BURST),
            order_items_bucket: TokenBucket::new(ORDER_ITEMS_RATE, ORDER_ITEMS_BURST),
            order_bucket: TokenBucket::new(ORDER_RATE, ORDER_BURST),
        })
    }

    /// LWA tokens fetched so far.
    pub fn token_fetches(&self) -> u64 {
        self.token.fetches()
    }

    /// One call with the access token; a 401/403 (expired token) drops the token and tries
    /// once more with a fresh one.
    async fn call(
        &self,
        bucket: &TokenBucket,
        build: impl Fn(&str) -> reqwest::RequestBuilder,
    ) -> Result<Reply, ChannelError> {
        for attempt in 0..2 {
            let token = self.token.token(&self.http).await?;
            bucket.take().await;
            let response = build(&token).send().await.map_err(classify_send_error)?;
            let status = response.status().as_u16();
            if let Some(limit) = response
                .headers()
                .get("x-amzn-ratelimit-limit")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<f64>().ok())
            {
                bucket.set_rate(limit).await;
            }
            if status == 429 {
                bucket.drain().await;
                return Err(ChannelError::Throttled { retry_after: retry_after(&response), rate: None });
            }
            if (status == 401 || status == 403) && attempt == 0 {
                self.token.invalidate(&token).await;
                continue;
            }
            if status == 401 || status == 403 {
                let body = read_bounded(response).await.unwrap_or_default();
                return Err(ChannelError::Auth(format!("HTTP {status}: {}", error_text(&body))));
            }
            if status >= 500 {
                return Err(ChannelError::Uncertain(format!("HTTP {status}")));
            }
            let body = read_bounded(response).await?;
            return Ok(Reply { status, body });
        }
        unreachable!("the loop returns on its second pass")
    }

    fn patch_body(quantity: i64) -> Value {
        json!({
            "productType": "PRODUCT",
            "patches": [{
                "op": "replace",
                "path": QUANTITY_PATH,
                "value": [{ "fulfillment_channel_code": "DEFAULT", "quantity": quantity }],
            }],
        })
    }
}

fn error_text(body: &[u8]) -> String {
    let list: ErrorList = serde_json::from_slice(body).unwrap_or_default();
    if list.errors.is_empty() {
        return String::from_utf8_lossy(&body[..body.len().min(200)]).to_string();
    }
    list.errors.iter().map(|e| format!("{} {}", e.code, e.message)).collect::<Vec<_>>().join("; ")
}

impl Channel for AmazonClient {
    fn kind(&self) -> ChannelKind {
        ChannelKind::Amazon
    }

    fn limits(&self) -> Limits {
        // patchListingsItem sets one SKU per call.
        Limits { max_batch: 1, max_read: MAX_SEARCH_SKUS }
    }

    fn push_cost(&self, _entries: usize) -> f64 {
        1.0
    }

    fn read_cost(&self, _entries: usize) -> f64 {
        1.0
    }

    fn bulk_threshold(&self) -> Option<usize> {
        self.bulk_threshold
    }

    /// Absolute sets: read first (searchListingsItems, 20 SKUs a call, 5/s burst 5).
    fn reads_before_urgent_push(&self) -> bool {
        true
    }

    fn bulk_max(&self) -> usize {
        feed::MAX_MESSAGES
    }

    async fn bulk_push(&self, updates: &[crate::QuantityUpdate]) -> Result<crate::BulkOutcome, ChannelError> {
        let rows: Vec<(String, i64)> = updates.iter().map(|u| (u.listing.item.clone(), u.quantity)).collect();
        Ok(match self.submit_feed(&rows, &self.feed_limits).await? {
            feed::FeedOutcome::Done { results, .. } => crate::BulkOutcome::Done(
                results
                    .into_iter()
                    .enumerate()
                    .map(|(i, r)| match r {
                        feed::MessageResult::Accepted => None,
                        feed::MessageResult::Failed { codes, message } => Some(Rejection {
                            index: Some(i),
                            code: codes.join(","),
                            message,
                            kind: RejectionKind::Permanent,
                        }),
                    })
                    .collect(),
            ),
            feed::FeedOutcome::Failed { feed_id, status } => {
                crate::BulkOutcome::Failed(format!("feed {feed_id} {status}"))
            }
            feed::FeedOutcome::Stuck { feed_id, status, stock_outs } => {
                crate::BulkOutcome::Stuck { status: format!("feed {feed_id} {status}"), stock_outs }
            }
        })
    }

    async fn push(&self, request: PushRequest<'_>) -> Result<Answer<PushOutcome>, ChannelError> {
        let [update] = request.updates else {
            return Err(ChannelError::Config(format!(
                "an Amazon push carries 1 SKU, got {}",
                request.updates.len()
            )));
        };
        let url = format!(
            "{}/listings/2021-08-01/items/{}/{}?marketplaceIds={}&includedData=issues",
            self.base,
            path_segment(&self.seller_id),
            path_segment(&update.listing.item),
            form_encode(&self.marketplace_id)
        );
        let body = Self::patch_body(update.quantity);
        let reply = self
            .call(&self.patch_bucket, |token| {
                self.http.patch(&url).header("x-amz-access-token", token).json(&body)
            })
            .await?;
        Ok(Answer { value: patch_outcome(&reply)?, rate: None })
    }

    async fn read_levels(
        &self,
        listings: &[RemoteListing],
    ) -> Result<Answer<Vec<Option<i64>>>, ChannelError> {
        if listings.is_empty() || listings.len() > MAX_SEARCH_SKUS {
            return Err(ChannelError::Config(format!(
                "a read covers 1 to {MAX_SEARCH_SKUS} SKUs, got {}",
                listings.len()
            )));
        }
        let skus: Vec<String> = listings.iter().map(|l| form_encode(&l.item)).collect();
        let url = format!(
            "{}/listings/2021-08-01/items/{}?marketplaceIds={}&identifiersType=SKU&identifiers={}&includedData=fulfillmentAvailability&pageSize={MAX_SEARCH_SKUS}",
            self.base,
            path_segment(&self.seller_id),
            form_encode(&self.marketplace_id),
            skus.join("%2C")
        );
        let reply = self
            .call(&self.search_bucket, |token| self.http.get(&url).header("x-amz-access-token", token))
            .await?;
        if !(200..300).contains(&reply.status) {
            return Err(ChannelError::Refused(format!("HTTP {}: {}", reply.status, error_text(&reply.body))));
        }
        Ok(Answer { value: search_levels(&reply.body, listings)?, rate: None })
    }
}
