//! Amazon SP-API: LWA sign-in, `patchListingsItem` on the snake_case
//! `fulfillment_availability` attribute (one SKU per call), and `searchListingsItems` to read
//! quantities back.
//!
//! Pitfalls handled here (shared/reference/channel-apis.md §2, §5): INVALID and ERROR issues
//! arrive with HTTP 200 and are permanent refusals; `ACCEPTED` is queued, not applied, so it
//! is reported as [`PushOutcome::Accepted`] and confirmed later by reading back; every value carries `fulfillment_channel_code: DEFAULT`; pacing is a token
//! bucket per operation that `x-amzn-RateLimit-Limit` adjusts; 429 `QuotaExceeded` drains it.

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

/// What one answered patch means for its row.
fn patch_outcome(reply: &Reply) -> Result<PushOutcome, ChannelError> {
    if !(200..300).contains(&reply.status) {
        let list: ErrorList = serde_json::from_slice(&reply.body).unwrap_or_default();
        let code = list.errors.first().map_or_else(|| format!("HTTP_{}", reply.status), |e| e.code.clone());
        let message = error_text(&reply.body);
        // A 400/404 for this SKU and value fails the same way every time.
        return Ok(PushOutcome::Rejected(vec![Rejection {
            index: Some(0),
            code,
            message,
            kind: RejectionKind::Permanent,
        }]));
    }
    let parsed: SubmissionResponse = serde_json::from_slice(&reply.body)
        .map_err(|e| ChannelError::Uncertain(format!("unreadable submission response: {e}")))?;
    let errors: Vec<&Issue> = parsed.issues.iter().filter(|i| i.severity == "ERROR").collect();
    if parsed.status == "INVALID" || !errors.is_empty() {
        let codes: Vec<&str> = errors.iter().map(|i| i.code.as_str()).collect();
        let code = if codes.is_empty() { "INVALID".to_string() } else { codes.join(",") };
        let message = errors.iter().map(|i| i.message.as_str()).collect::<Vec<_>>().join("; ");
        return Ok(PushOutcome::Rejected(vec![Rejection {
            index: Some(0),
            code,
            message: if message.is_empty() { "status INVALID".into() } else { message },
            kind: RejectionKind::Permanent,
        }]));
    }
    match parsed.status.as_str() {
        // Queued by Amazon; read back later to confirm (reconciliation).
        "ACCEPTED" | "VALID" => Ok(PushOutcome::Accepted),
        other => Err(ChannelError::Uncertain(format!("unknown submission status '{other}'"))),
    }
}

fn search_levels(body: &[u8], listings: &[RemoteListing]) -> Result<Vec<Option<i64>>, ChannelError> {
    let parsed: Value = serde_json::from_slice(body)
        .map_err(|e| ChannelError::Uncertain(format!("unreadable search results: {e}")))?;
    let items = parsed.get("items").and_then(Value::as_array).cloned().unwrap_or_default();
    Ok(listings
        .iter()
        .map(|listing| {
            let item =
                items.iter().find(|i| i.get("sku").and_then(Value::as_str) == Some(listing.item.as_str()))?;
            let availability = item.get("fulfillmentAvailability")?.as_array()?;
            availability
                .iter()
                .find(|a| a.get("fulfillmentChannelCode").and_then(Value::as_str) == Some("DEFAULT"))
                .and_then(|a| a.get("quantity")?.as_i64())
                .or(Some(0))
        })
        .collect())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(status: u16, body: &str) -> Reply {
        Reply { status, body: body.as_bytes().to_vec() }
    }

    #[test]
    fn patch_uses_snake_case_and_default_channel() {
        let body = AmazonClient::patch_body(7);
        assert_eq!(body["patches"][0]["path"], "/attributes/fulfillment_availability");
        assert_eq!(body["patches"][0]["value"][0]["fulfillment_channel_code"], "DEFAULT");
        assert_eq!(body["patches"][0]["value"][0]["quantity"], 7);
    }

    #[test]
    fn invalid_as_200_is_permanent_with_issue_codes() {
        let r = reply(
            200,
            r#"{"sku":"X","status":"INVALID","submissionId":"s","issues":[{"code":"90000900","message":"The attributes are invalid.","severity":"ERROR","categories":["INVALID_ATTRIBUTE"]}]}"#,
        );
        let PushOutcome::Rejected(rej) = patch_outcome(&r).unwrap() else { panic!() };
        assert_eq!(rej[0].code, "90000900");
        assert_eq!(rej[0].kind, RejectionKind::Permanent);
        let warn = reply(
            200,
            r#"{"sku":"X","status":"ACCEPTED","submissionId":"s","issues":[{"code":"1","message":"w","severity":"WARNING","categories":[]}]}"#,
        );
        assert_eq!(patch_outcome(&warn).unwrap(), PushOutcome::Accepted);
        let err_issue = reply(
            200,
            r#"{"sku":"X","status":"ACCEPTED","submissionId":"s","issues":[{"code":"8541","message":"e","severity":"ERROR","categories":[]}]}"#,
        );
        assert!(matches!(patch_outcome(&err_issue).unwrap(), PushOutcome::Rejected(_)));
    }
}

/// FBA stock of one seller SKU, from `getInventorySummaries` with `details=true`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FbaSummary {
    pub seller_sku: String,
    pub total: i64,
    pub fulfillable: Option<i64>,
}

/// `getInventorySummaries`: 2 requests/s, burst 2; at most 50 SKUs per call.
pub const FBA_MAX_SKUS: usize = 50;

impl AmazonClient {
    /// FBA quantities (reconciliation of Amazon-fulfilled SKUs). Pages are followed at once:
    /// a `nextToken` expires 30 s after it is issued.
    pub async fn fba_summaries(&self, skus: &[String]) -> Result<Vec<FbaSummary>, ChannelError> {
        if skus.is_empty() || skus.len() > FBA_MAX_SKUS {
            return Err(ChannelError::Config(format!(
                "an FBA read covers 1 to {FBA_MAX_SKUS} SKUs, got {}",
                skus.len()
            )));
        }
        let market = form_encode(&self.marketplace_id);
        let listed: Vec<String> = skus.iter().map(|s| form_encode(s)).collect();
        let first = format!(
            "{}/fba/inventory/v1/summaries?details=true&granularityType=Marketplace&granularityId={market}&marketplaceIds={market}&sellerSkus={}",
            self.base,
            listed.join("%2C")
        );
        let mut out = Vec::new();
        let mut url = first.clone();
        // Bounded: 50 SKUs never need more pages than this.
        for _ in 0..=FBA_MAX_SKUS {
            let reply = self
                .call(&self.fba_bucket, |token| self.http.get(&url).header("x-amz-access-token", token))
                .await?;
            if !(200..300).contains(&reply.status) {
                return Err(ChannelError::Refused(format!(
                    "HTTP {}: {}",
                    reply.status,
                    error_text(&reply.body)
                )));
            }
            let page: Value = serde_json::from_slice(&reply.body)
                .map_err(|e| ChannelError::Uncertain(format!("unreadable inventory summaries: {e}")))?;
            for summary in
                page.pointer("/payload/inventorySummaries").and_then(Value::as_array).into_iter().flatten()
            {
                out.push(FbaSummary {
                    seller_sku: summary["sellerSku"].as_str().unwrap_or_default().to_string(),
                    total: summary["totalQuantity"].as_i64().unwrap_or(0),
                    fulfillable: summary
                        .pointer("/inventoryDetails/fulfillableQuantity")
                        .and_then(Value::as_i64),
                });
            }
            match page.pointer("/pagination/nextToken").and_then(Value::as_str) {
                Some(next) if !next.is_empty() => url = format!("{first}&nextToken={}", form_encode(next)),
                _ => return Ok(out),
            }
        }
        Err(ChannelError::Uncertain("getInventorySummaries kept paging".into()))
    }
}

/// The bulk path: `JSON_LISTINGS_FEED` for large backlogs (a first sync, a full re-push).
pub mod feed {
    use std::time::{Duration, Instant};

    use serde_json::{Value, json};

    use super::{AmazonClient, QUANTITY_PATH, error_text};
    use crate::ChannelError;
    use crate::bucket::TokenBucket;

    /// Messages per feed (Amazon's limit).
    pub const MAX_MESSAGES: usize = 25_000;
    /// A feed still IN_QUEUE or IN_PROGRESS after this raises an alert and its stock-outs go
    /// on the fast path.
    pub const STUCK_AFTER: Duration = Duration::from_secs(30 * 60);

    /// One row's fate in the processing report, by its message id (1-based index).
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub enum MessageResult {
        /// Accepted: being applied (confirm by reading back, like a patch's ACCEPTED).
        Accepted,
        /// Failed with these issue codes and messages: permanent for this value.
        Failed { codes: Vec<String>, message: String },
    }

    #[derive(Clone, Debug, PartialEq, Eq)]
    pub enum FeedOutcome {
        /// DONE: one result per submitted row, in order.
        Done { feed_id: String, results: Vec<MessageResult> },
        /// FATAL or CANCELLED: nothing can be assumed applied; resend.
        Failed { feed_id: String, status: String },
        /// Still queued or processing past the threshold: alert, and send the stock-outs
        /// (quantity 0, by index) on the fast path.
        Stuck { feed_id: String, status: String, stock_outs: Vec<usize> },
    }

    /// Feed pacing: createFeedDocument 0.5/s burst 15, createFeed 0.0083/s burst 15, getFeed
    /// 2/s burst 15 (the Feeds API rate table).
    pub struct FeedLimits {
        pub(super) create_document: TokenBucket,
        pub(super) create_feed: TokenBucket,
        pub(super) get_feed: TokenBucket,
        pub(super) get_document: TokenBucket,
        pub poll_every: Duration,
        pub stuck_after: Duration,
    }

    impl Default for FeedLimits {
        fn default() -> Self {
            FeedLimits {
                create_document: TokenBucket::new(0.5, 15.0),
                create_feed: TokenBucket::new(0.0083, 15.0),
                get_feed: TokenBucket::new(2.0, 15.0),
                get_document: TokenBucket::new(0.0222, 10.0),
                poll_every: Duration::from_secs(30),
                stuck_after: STUCK_AFTER,
            }
        }
    }

    impl FeedLimits {
        /// Fast polling for tests and the simulator.
        pub fn polling(poll_every: Duration, stuck_after: Duration) -> FeedLimits {
            FeedLimits {
                create_document: TokenBucket::new(100.0, 15.0),
                create_feed: TokenBucket::new(100.0, 15.0),
                get_feed: TokenBucket::new(100.0, 15.0),
                get_document: TokenBucket::new(100.0, 10.0),
                poll_every,
                stuck_after,
            }
        }
    }

    /// The feed document: one PATCH message per row, `messageId` = row index + 1.
    pub fn document(seller_id: &str, rows: &[(String, i64)]) -> Value {
        let messages: Vec<Value> = rows
            .iter()
            .enumerate()
            .map(|(i, (sku, quantity))| {
                json!({
                    "messageId": i + 1,
                    "sku": sku,
                    "operationType": "PATCH",
                    "productType": "PRODUCT",
                    "patches": [{
                        "op": "replace",
                        "path": QUANTITY_PATH,
                        "value": [{ "fulfillment_channel_code": "DEFAULT", "quantity": quantity }],
                    }],
                })
            })
            .collect();
        json!({ "header": { "sellerId": seller_id, "version": "2.0", "issueLocale": "en_US" }, "messages": messages })
    }

    /// Maps the processing report onto the rows: an ERROR issue with a `messageId` fails that
    /// row; every other row was accepted.
    pub fn results(report: &Value, rows: usize) -> Vec<MessageResult> {
        let mut out = vec![MessageResult::Accepted; rows];
        for issue in report.get("issues").and_then(Value::as_array).into_iter().flatten() {
            if issue.get("severity").and_then(Value::as_str) != Some("ERROR") {
                continue;
            }
            let Some(index) =
                issue.get("messageId").and_then(Value::as_u64).and_then(|m| (m as usize).checked_sub(1))
            else {
                continue;
            };
            let Some(slot) = out.get_mut(index) else { continue };
            let code = issue.get("code").and_then(Value::as_str).unwrap_or("UNKNOWN").to_string();
            let message = issue.get("message").and_then(Value::as_str).unwrap_or_default().to_string();
            match slot {
                MessageResult::Failed { codes, message: m } => {
                    codes.push(code);
                    m.push_str("; ");
                    m.push_str(&message);
                }
                MessageResult::Accepted => *slot = MessageResult::Failed { codes: vec![code], message },
            }
        }
        out
    }

    impl AmazonClient {
        async fn feeds_call(
            &self,
            bucket: &TokenBucket,
            build: impl Fn(&str) -> reqwest::RequestBuilder,
        ) -> Result<Value, ChannelError> {
            let reply = self.call(bucket, build).await?;
            if !(200..300).contains(&reply.status) {
                return Err(ChannelError::Refused(format!(
                    "HTTP {}: {}",
                    reply.status,
                    error_text(&reply.body)
                )));
            }
            serde_json::from_slice(&reply.body)
                .map_err(|e| ChannelError::Uncertain(format!("unreadable feeds answer: {e}")))
        }

        /// Submits `rows` (seller SKU, quantity) as one JSON_LISTINGS_FEED and follows it to
        /// its report, or until it is stuck.
        pub async fn submit_feed(
            &self,
            rows: &[(String, i64)],
            limits: &FeedLimits,
        ) -> Result<FeedOutcome, ChannelError> {
            if rows.is_empty() || rows.len() > MAX_MESSAGES {
                return Err(ChannelError::Config(format!(
                    "a feed carries 1 to {MAX_MESSAGES} rows, got {}",
                    rows.len()
                )));
            }
            let content_type = "application/json; charset=UTF-8";
            let base = &self.base;
            let created = self
                .feeds_call(&limits.create_document, |token| {
                    self.http
                        .post(format!("{base}/feeds/2021-06-30/documents"))
                        .header("x-amz-access-token", token)
                        .json(&json!({ "contentType": content_type }))
                })
                .await?;
            let (Some(document_id), Some(url)) =
                (created["feedDocumentId"].as_str(), created["url"].as_str())
            else {
                return Err(ChannelError::Uncertain(format!("createFeedDocument answered {created}")));
            };
            let body = serde_json::to_vec(&document(&self.seller_id, rows)).expect("a JSON value serialises");
            let upload = self
                .http
                .put(url)
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .map_err(crate::shopify::classify_send_error)?;
            if !upload.status().is_success() {
                return Err(ChannelError::Refused(format!("document upload: HTTP {}", upload.status())));
            }
            let feed = self
                .feeds_call(&limits.create_feed, |token| {
                    self.http
                        .post(format!("{base}/feeds/2021-06-30/feeds"))
                        .header("x-amz-access-token", token)
                        .json(&json!({
                            "feedType": "JSON_LISTINGS_FEED",
                            "marketplaceIds": [self.marketplace_id],
                            "inputFeedDocumentId": document_id,
                            "feedOptions": {},
                        }))
                })
                .await?;
            let feed_id = feed["feedId"]
                .as_str()
                .ok_or_else(|| ChannelError::Uncertain(format!("createFeed answered {feed}")))?
                .to_string();
            let started = Instant::now();
            loop {
                let state = self
                    .feeds_call(&limits.get_feed, |token| {
                        self.http
                            .get(format!("{base}/feeds/2021-06-30/feeds/{feed_id}"))
                            .header("x-amz-access-token", token)
                    })
                    .await?;
                let status = state["processingStatus"].as_str().unwrap_or_default().to_string();
                match status.as_str() {
                    "DONE" => {
                        let report_id =
                            state["resultFeedDocumentId"].as_str().unwrap_or_default().to_string();
                        let report = self.read_report(&report_id, limits).await?;
                        return Ok(FeedOutcome::Done { feed_id, results: results(&report, rows.len()) });
                    }
                    "FATAL" | "CANCELLED" => return Ok(FeedOutcome::Failed { feed_id, status }),
                    _ if started.elapsed() >= limits.stuck_after => {
                        let stock_outs =
                            rows.iter().enumerate().filter(|(_, (_, q))| *q == 0).map(|(i, _)| i).collect();
                        return Ok(FeedOutcome::Stuck { feed_id, status, stock_outs });
                    }
                    _ => tokio::time::sleep(limits.poll_every).await,
                }
            }
        }

        async fn read_report(&self, document_id: &str, limits: &FeedLimits) -> Result<Value, ChannelError> {
            let base = &self.base;
            let document = self
                .feeds_call(&limits.get_document, |token| {
                    self.http
                        .get(format!("{base}/feeds/2021-06-30/documents/{document_id}"))
                        .header("x-amz-access-token", token)
                })
                .await?;
            if document.get("compressionAlgorithm").is_some_and(|c| !c.is_null()) {
                return Err(ChannelError::Refused("GZIP processing reports are not supported yet".into()));
            }
            let url = document["url"]
                .as_str()
                .ok_or_else(|| ChannelError::Uncertain(format!("getFeedDocument answered {document}")))?;
            let response = self.http.get(url).send().await.map_err(crate::shopify::classify_send_error)?;
            let bytes = crate::shopify::read_bounded(response).await?;
            serde_json::from_slice(&bytes)
                .map_err(|e| ChannelError::Uncertain(format!("unreadable processing report: {e}")))
        }
    }
}

/// Orders API v0 `getOrders`: 0.0167 requests/s, burst 20.
pub const ORDERS_RATE: f64 = 0.0167;
pub const ORDERS_BURST: f64 = 20.0;
/// `getOrderItems`: 0.5 requests/s, burst 30.
pub const ORDER_ITEMS_RATE: f64 = 0.5;
pub const ORDER_ITEMS_BURST: f64 = 30.0;
/// `getOrder`: 0.5 requests/s, burst 30.
pub const ORDER_RATE: f64 = 0.5;
pub const ORDER_BURST: f64 = 30.0;
/// getOrders' page cap (`MaxResultsPerPage`).
pub const ORDERS_PAGE: usize = 100;
/// Longest id or timestamp taken from an order: far above Amazon's, a bound on junk.
const MAX_ORDER_FIELD: usize = 200;
/// Most items one order may carry (and pages of them followed): a bound on one answer.
const MAX_ORDER_ITEMS: usize = 500;

/// An order as `getOrders` lists it (its items come from [`AmazonClient::order_items`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AmazonOrder {
    pub id: String,
    pub purchase_date: String,
    pub last_update: String,
    /// `OrderStatus` is `Canceled`: its units go back.
    pub canceled: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AmazonOrderItem {
    pub id: String,
    pub seller_sku: String,
    pub quantity: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AmazonOrderPage {
    pub orders: Vec<AmazonOrder>,
    pub next_token: Option<String>,
}

fn order_field(value: &Value, key: &str, what: &str) -> Result<String, ChannelError> {
    match value.get(key).and_then(Value::as_str).map(str::trim) {
        Some(s) if !s.is_empty() && s.len() <= MAX_ORDER_FIELD => Ok(s.to_string()),
        _ => Err(ChannelError::Uncertain(format!("{what}: {key} is missing or not a short string"))),
    }
}

fn order_of(o: &Value) -> Result<AmazonOrder, ChannelError> {
    let id = order_field(o, "AmazonOrderId", "an order")?;
    Ok(AmazonOrder {
        purchase_date: order_field(o, "PurchaseDate", &format!("order {id}"))?,
        last_update: order_field(o, "LastUpdateDate", &format!("order {id}"))?,
        canceled: order_field(o, "OrderStatus", &format!("order {id}"))? == "Canceled",
        id,
    })
}

/// The `payload` of a getOrder answer: one order.
pub fn parse_order(body: &[u8]) -> Result<AmazonOrder, ChannelError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ChannelError::Uncertain(format!("getOrder answer is not JSON: {e}")))?;
    let payload = value
        .get("payload")
        .ok_or_else(|| ChannelError::Uncertain("getOrder answer has no payload".into()))?;
    order_of(payload)
}

/// The `payload` of a getOrders answer.
pub fn parse_orders_page(body: &[u8]) -> Result<AmazonOrderPage, ChannelError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ChannelError::Uncertain(format!("getOrders answer is not JSON: {e}")))?;
    let payload = value
        .get("payload")
        .ok_or_else(|| ChannelError::Uncertain("getOrders answer has no payload".into()))?;
    let raw = payload
        .get("Orders")
        .and_then(Value::as_array)
        .ok_or_else(|| ChannelError::Uncertain("getOrders payload has no Orders list".into()))?;
    let orders = raw.iter().map(order_of).collect::<Result<_, ChannelError>>()?;
    let next_token = payload.get("NextToken").and_then(Value::as_str).map(str::to_string);
    Ok(AmazonOrderPage { orders, next_token })
}

/// The `payload` of a getOrderItems answer: its items and the next page's token.
pub fn parse_order_items(body: &[u8]) -> Result<(Vec<AmazonOrderItem>, Option<String>), ChannelError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ChannelError::Uncertain(format!("getOrderItems answer is not JSON: {e}")))?;
    let payload = value
        .get("payload")
        .ok_or_else(|| ChannelError::Uncertain("getOrderItems answer has no payload".into()))?;
    let raw = payload
        .get("OrderItems")
        .and_then(Value::as_array)
        .ok_or_else(|| ChannelError::Uncertain("getOrderItems payload has no OrderItems list".into()))?;
    let items = raw
        .iter()
        .map(|i| {
            let id = order_field(i, "OrderItemId", "an order item")?;
            let quantity = i
                .get("QuantityOrdered")
                .and_then(Value::as_u64)
                .filter(|q| *q <= u64::from(u32::MAX))
                .ok_or_else(|| {
                    ChannelError::Uncertain(format!("order item {id}: QuantityOrdered is not a count"))
                })?;
            Ok(AmazonOrderItem {
                seller_sku: order_field(i, "SellerSKU", &format!("order item {id}"))?,
                quantity: quantity as u32,
                id,
            })
        })
        .collect::<Result<_, ChannelError>>()?;
    Ok((items, payload.get("NextToken").and_then(Value::as_str).map(str::to_string)))
}

impl AmazonClient {
    /// One page of `getOrders`: orders updated at or after `after` (ISO 8601), or the page a
    /// `next_token` names.
    pub async fn orders_updated_after(
        &self,
        after: &str,
        next_token: Option<&str>,
    ) -> Result<AmazonOrderPage, ChannelError> {
        let mut url = format!(
            "{}/orders/v0/orders?MarketplaceIds={}&MaxResultsPerPage={ORDERS_PAGE}",
            self.base,
            form_encode(&self.marketplace_id)
        );
        match next_token {
            Some(token) => url.push_str(&format!("&NextToken={}", form_encode(token))),
            None => url.push_str(&format!("&LastUpdatedAfter={}", form_encode(after))),
        }
        let reply = self
            .call(&self.orders_bucket, |token| self.http.get(&url).header("x-amz-access-token", token))
            .await?;
        if !(200..300).contains(&reply.status) {
            return Err(ChannelError::Refused(format!("HTTP {}: {}", reply.status, error_text(&reply.body))));
        }
        parse_orders_page(&reply.body)
    }

    /// One order by id (`getOrder`), paced by its own bucket (0.5/s, burst 30).
    pub async fn order(&self, order_id: &str) -> Result<AmazonOrder, ChannelError> {
        let url = format!("{}/orders/v0/orders/{}", self.base, path_segment(order_id));
        let reply = self
            .call(&self.order_bucket, |token| self.http.get(&url).header("x-amz-access-token", token))
            .await?;
        if !(200..300).contains(&reply.status) {
            return Err(ChannelError::Refused(format!("HTTP {}: {}", reply.status, error_text(&reply.body))));
        }
        parse_order(&reply.body)
    }

    /// Every item of one order (`getOrderItems`, its pages followed).
    pub async fn order_items(&self, order_id: &str) -> Result<Vec<AmazonOrderItem>, ChannelError> {
        let mut items = Vec::new();
        let mut next: Option<String> = None;
        // Bounded: an order has at most a few hundred items, so a token loop means a broken answer.
        for _ in 0..MAX_ORDER_ITEMS.div_ceil(ORDERS_PAGE) {
            let mut url = format!("{}/orders/v0/orders/{}/orderItems", self.base, path_segment(order_id));
            if let Some(token) = &next {
                url.push_str(&format!("?NextToken={}", form_encode(token)));
            }
            let reply = self
                .call(&self.order_items_bucket, |token| {
                    self.http.get(&url).header("x-amz-access-token", token)
                })
                .await?;
            if !(200..300).contains(&reply.status) {
                return Err(ChannelError::Refused(format!(
                    "HTTP {}: {}",
                    reply.status,
                    error_text(&reply.body)
                )));
            }
            let (page, token) = parse_order_items(&reply.body)?;
            items.extend(page);
            match token {
                Some(token) if items.len() < MAX_ORDER_ITEMS => next = Some(token),
                _ => return Ok(items),
            }
        }
        Ok(items)
    }
}

#[cfg(test)]
mod order_tests {
    use super::*;

    #[test]
    fn orders_pages_parse_and_refuse_broken_answers() {
        let good = br#"{"payload":{"Orders":[{"AmazonOrderId":"113-1","PurchaseDate":"2026-11-26T10:00:00Z","LastUpdateDate":"2026-11-26T11:00:00Z","OrderStatus":"Canceled"}],"NextToken":"t2"}}"#;
        let page = parse_orders_page(good).unwrap();
        assert_eq!(page.next_token.as_deref(), Some("t2"));
        assert!(page.orders[0].canceled);
        let bad: [(&[u8], &str); 4] = [
            (b"not json", "not JSON"),
            (br#"{"errors":[]}"#, "no payload"),
            (br#"{"payload":{"Orders":[{"PurchaseDate":"x","LastUpdateDate":"x","OrderStatus":"Pending"}]}}"#, "AmazonOrderId"),
            (br#"{"payload":{"Orders":[{"AmazonOrderId":"1","PurchaseDate":"x","OrderStatus":"Pending"}]}}"#, "LastUpdateDate"),
        ];
        for (body, want) in bad {
            let error = parse_orders_page(body).unwrap_err().to_string();
            assert!(error.contains(want), "{error}");
        }
    }

    #[test]
    fn order_items_need_sku_and_count() {
        let good = br#"{"payload":{"AmazonOrderId":"1","OrderItems":[{"OrderItemId":"9","SellerSKU":"A-1","QuantityOrdered":2}]}}"#;
        let (items, next) = parse_order_items(good).unwrap();
        assert_eq!((items[0].seller_sku.as_str(), items[0].quantity, next), ("A-1", 2, None));
        for (body, want) in [
            (&br#"{"payload":{"OrderItems":[{"OrderItemId":"9","SellerSKU":"A-1","QuantityOrdered":-2}]}}"#[..], "QuantityOrdered"),
            (&br#"{"payload":{"OrderItems":[{"OrderItemId":"9","QuantityOrdered":2}]}}"#[..], "SellerSKU"),
        ] {
            let error = parse_order_items(body).unwrap_err().to_string();
            assert!(error.contains(want), "{error}");
        }
    }
}

/// Connection test and the seller's catalogue (`searchListingsItems` without identifiers,
/// 20 a page, `pageToken` followed, paced by the search bucket: 5/s, burst 5).
mod catalogue {
    use serde_json::Value;

    use super::{AmazonClient, MAX_SEARCH_SKUS, Reply, error_text, form_encode, path_segment};
    use crate::connect::MAX_CATALOGUE;
    use crate::{Catalogue, CatalogueEntry, ChannelError, Connected, ConnectionFailure};

    /// Throttles (429) taken in a row before a read gives up; the bucket paces the retries.
    const MAX_THROTTLES: u32 = 8;

    impl AmazonClient {
        /// One page of the seller's listings; a 429 drains the bucket, which then paces the retry.
        async fn search_page(
            &self,
            page_size: usize,
            page_token: Option<&str>,
        ) -> Result<Reply, ConnectionFailure> {
            let mut url = format!(
                "{}/listings/2021-08-01/items/{}?marketplaceIds={}&includedData=summaries&pageSize={page_size}",
                self.base,
                path_segment(&self.seller_id),
                form_encode(&self.marketplace_id)
            );
            if let Some(token) = page_token {
                url.push_str(&format!("&pageToken={}", form_encode(token)));
            }
            for _ in 0..MAX_THROTTLES {
                match self
                    .call(&self.search_bucket, |token| {
                        self.http.get(&url).header("x-amz-access-token", token)
                    })
                    .await
                {
                    Err(ChannelError::Throttled { .. }) => continue,
                    Err(ChannelError::Auth(message)) => {
                        // The token was fresh (it was just issued): the seller is not theirs.
                        return Err(ConnectionFailure::NotFound(format!(
                            "seller {} is not reachable with these credentials ({message})",
                            self.seller_id
                        )));
                    }
                    Err(other) => return Err(other.into()),
                    Ok(reply) if (200..300).contains(&reply.status) => return Ok(reply),
                    Ok(reply) if matches!(reply.status, 400 | 404) => {
                        return Err(ConnectionFailure::NotFound(format!(
                            "seller {} in marketplace {} (HTTP {}: {})",
                            self.seller_id,
                            self.marketplace_id,
                            reply.status,
                            error_text(&reply.body)
                        )));
                    }
                    Ok(reply) => {
                        return Err(ConnectionFailure::Channel {
                            status: Some(reply.status),
                            message: error_text(&reply.body),
                        });
                    }
                }
            }
            Err(ConnectionFailure::Throttled)
        }

        /// An LWA token first, so a refusal there reads as wrong credentials and a refusal of
        /// a later call (with a fresh token) as a seller the credentials cannot reach.
        async fn sign_in(&self) -> Result<(), ConnectionFailure> {
            self.token.token(&self.http).await.map(drop).map_err(|e| match e {
                ChannelError::Auth(m) => ConnectionFailure::Unauthorized(format!(
                    "Login with Amazon refused the client id, client secret or refresh token: {m}"
                )),
                other => other.into(),
            })
        }

        /// An LWA token, then one page of the seller's listings.
        pub async fn test_connection(&self) -> Result<Connected, ConnectionFailure> {
            self.sign_in().await?;
            let reply = self.search_page(1, None).await?;
            let page: Value =
                serde_json::from_slice(&reply.body).map_err(|e| ConnectionFailure::Channel {
                    status: Some(reply.status),
                    message: format!("unreadable searchListingsItems answer: {e}"),
                })?;
            let listings = page.get("numberOfResults").and_then(Value::as_u64);
            Ok(Connected {
                summary: format!(
                    "seller {} in marketplace {}{}",
                    self.seller_id,
                    self.marketplace_id,
                    listings.map(|n| format!(", {n} listings")).unwrap_or_default()
                ),
                account: Some(self.seller_id.clone()),
                locations: vec![],
            })
        }

        /// Every listing of the seller in the marketplace (seller SKUs).
        pub async fn catalogue(&self) -> Result<Catalogue, ConnectionFailure> {
            self.sign_in().await?;
            let mut catalogue = Catalogue::default();
            let mut token: Option<String> = None;
            loop {
                let reply = self.search_page(MAX_SEARCH_SKUS, token.as_deref()).await?;
                catalogue.pages += 1;
                let page: Value =
                    serde_json::from_slice(&reply.body).map_err(|e| ConnectionFailure::Channel {
                        status: Some(reply.status),
                        message: format!("unreadable searchListingsItems answer: {e}"),
                    })?;
                for item in page.get("items").and_then(Value::as_array).map_or(&[][..], Vec::as_slice) {
                    if let Some(sku) = item.get("sku").and_then(Value::as_str) {
                        catalogue
                            .entries
                            .push(CatalogueEntry { sku: sku.to_string(), item: sku.to_string() });
                    }
                }
                if catalogue.entries.len() > MAX_CATALOGUE {
                    return Err(ConnectionFailure::Channel {
                        status: None,
                        message: format!("more than {MAX_CATALOGUE} listings"),
                    });
                }
                match page.pointer("/pagination/nextToken").and_then(Value::as_str) {
                    Some(next) if !next.is_empty() => token = Some(next.to_string()),
                    _ => return Ok(catalogue),
                }
            }
        }
    }
}
