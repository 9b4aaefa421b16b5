//! eBay Sell Inventory API v1: OAuth user token from the refresh token (scope
//! `sell.inventory`), `bulkUpdatePriceQuantity` (at most 25 entries, each SKU's
//! `shipToLocationAvailability.quantity` and its published offer's `availableQuantity`
//! together), and `bulkGetInventoryItem` to read back.
//!
//! Pitfalls handled here (channel-apis.md §3, §5): HTTP 207 means some entries failed, each
//! judged by its own `statusCode` and error category (APPLICATION: retry; REQUEST/BUSINESS:
//! permanent); 429 with errorId 2001 is the day's quota, not a burst; a listing takes at most
//! 250 revisions a day, counted here so the 251st waits instead of failing; the daily call
//! quota is spread evenly by a token bucket.

mod catalogue;
mod orders;

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::amazon::{check_base, http_client};
use crate::auth::{TokenSource, base64, form_encode};
use crate::bucket::TokenBucket;
use crate::shopify::{classify_send_error, read_bounded, retry_after};
use crate::{
    Answer, Channel, ChannelError, ChannelKind, Limits, PushOutcome, PushRequest, Rejection, RejectionKind,
    RemoteListing, Timeouts,
};

pub use orders::{EbayOrder, EbayOrderLine, EbayOrderPage, ORDERS_PAGE, parse_orders_page};

pub const MAX_ENTRIES: usize = 25;
pub const SCOPE: &str = "https://api.ebay.com/oauth/api_scope/sell.inventory";
/// Sell Fulfillment (order reads) takes its own scope. It has a token of its own, so a seller
/// who never granted it loses the order polling, not the pushes.
pub const FULFILLMENT_SCOPE: &str = "https://api.ebay.com/oauth/api_scope/sell.fulfillment";
/// Inventory API default: 2,000,000 calls a day per application.
pub const DAILY_CALLS: f64 = 2_000_000.0;
pub const REVISIONS_PER_DAY: u32 = 250;
/// The code a push rejected by the local revision cap carries.
pub const REVISION_CAP_CODE: &str = "REVISION_CAP";

#[derive(Clone)]
pub struct EbayConfig {
    /// Base URL (`https://api.ebay.com` or the simulator).
    pub endpoint: String,
    /// The OAuth token endpoint, when given; otherwise [`crate::endpoint::token_url`] picks it
    /// (eBay's own for `api.ebay.com` and its sandbox, the endpoint's
    /// `/identity/v1/oauth2/token` for a simulator).
    pub auth_endpoint: Option<String>,
    pub client_id: String,
    pub client_secret: String,
    pub refresh_token: String,
    pub timeouts: Timeouts,
    /// The configured per-second budget: the daily quota spread evenly.
    pub calls_per_second: f64,
    pub burst: f64,
    pub revisions_per_day: u32,
}

impl std::fmt::Debug for EbayConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EbayConfig")
            .field("endpoint", &self.endpoint)
            .field("auth_endpoint", &self.auth_endpoint)
            .finish_non_exhaustive()
    }
}

impl EbayConfig {
    pub fn new(endpoint: &str, client_id: &str, client_secret: &str, refresh_token: &str) -> EbayConfig {
        EbayConfig {
            endpoint: endpoint.to_string(),
            auth_endpoint: None,
            client_id: client_id.to_string(),
            client_secret: client_secret.to_string(),
            refresh_token: refresh_token.to_string(),
            timeouts: Timeouts::default(),
            calls_per_second: DAILY_CALLS / 86_400.0,
            burst: 5.0,
            revisions_per_day: REVISIONS_PER_DAY,
        }
    }
}

pub struct EbayClient {
    http: reqwest::Client,
    api: String,
    /// Sell Fulfillment API base: the order reads of capture's polling fallback.
    fulfillment: String,
    token: TokenSource,
    orders_token: TokenSource,
    bucket: TokenBucket,
    revisions_per_day: u32,
    /// Revisions sent per SKU today: (day number, count).
    revisions: Mutex<HashMap<String, (u64, u32)>>,
    /// offerId by SKU, for mappings imported without one (resolved through getOffers).
    offers: Mutex<HashMap<String, Option<String>>>,
}

impl std::fmt::Debug for EbayClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EbayClient").field("api", &self.api).finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct BulkResponse {
    #[serde(default)]
    responses: Vec<EntryResponse>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EntryResponse {
    #[serde(default)]
    status_code: u16,
    #[serde(default)]
    sku: Option<String>,
    #[serde(default)]
    errors: Vec<EbayError>,
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
struct EbayError {
    #[serde(default)]
    error_id: i64,
    #[serde(default)]
    category: String,
    #[serde(default)]
    message: String,
}

#[derive(Deserialize, Default)]
struct ErrorBody {
    #[serde(default)]
    errors: Vec<EbayError>,
}

/// Days since the epoch in US Pacific standard time (eBay's quota day resets at 00:00
/// Pacific; daylight saving is ignored, so the local count resets an hour early in summer,
/// which only errs towards the channel refusing, never towards overspending silently).
fn pacific_day(now: SystemTime) -> u64 {
    let secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    secs.saturating_sub(8 * 3600) / 86_400
}

fn until_pacific_midnight(now: SystemTime) -> Duration {
    let secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()).saturating_sub(8 * 3600);
    Duration::from_secs(86_400 - secs % 86_400)
}

/// APPLICATION errors (25001 system, 25025 concurrent access) are worth retrying; REQUEST and
/// BUSINESS errors fail the same way every time.
pub fn entry_kind(error_id: i64, category: &str) -> RejectionKind {
    if matches!(error_id, 25001 | 25025) || category == "APPLICATION" {
        RejectionKind::Temporary
    } else {
        RejectionKind::Permanent
    }
}

impl EbayClient {
    pub fn new(config: EbayConfig) -> Result<EbayClient, ChannelError> {
        let base = check_base(&config.endpoint)?;
        let token_url =
            crate::endpoint::token_url(ChannelKind::Ebay, &config.endpoint, config.auth_endpoint.as_deref())?;
        let form = format!(
            "grant_type=refresh_token&refresh_token={}&scope={}",
            form_encode(&config.refresh_token),
            form_encode(SCOPE)
        );
        let basic = base64(format!("{}:{}", config.client_id, config.client_secret).as_bytes());
        let orders_form = format!(
            "grant_type=refresh_token&refresh_token={}&scope={}",
            form_encode(&config.refresh_token),
            form_encode(FULFILLMENT_SCOPE)
        );
        Ok(EbayClient {
            orders_token: TokenSource::new(token_url.clone(), orders_form, Some(basic.clone())),
            http: http_client(config.timeouts)?,
            token: TokenSource::new(token_url, form, Some(basic)),
            api: format!("{base}/sell/inventory/v1"),
            fulfillment: format!("{base}/sell/fulfillment/v1"),
            bucket: TokenBucket::new(config.calls_per_second, config.burst),
            revisions_per_day: config.revisions_per_day,
            revisions: Mutex::new(HashMap::new()),
            offers: Mutex::new(HashMap::new()),
        })
    }

    pub fn token_fetches(&self) -> u64 {
        self.token.fetches()
    }

    /// One call under the day's budget; 401 renews the token once.
    async fn call(
        &self,
        build: impl Fn(&str) -> reqwest::RequestBuilder,
    ) -> Result<(u16, Vec<u8>), ChannelError> {
        self.call_with(&self.token, build).await
    }

    /// [`EbayClient::call`] with the token of a given scope.
    async fn call_with(
        &self,
        source: &TokenSource,
        build: impl Fn(&str) -> reqwest::RequestBuilder,
    ) -> Result<(u16, Vec<u8>), ChannelError> {
        for attempt in 0..2 {
            let token = source.token(&self.http).await?;
            self.bucket.take().await;
            let response = build(&token).send().await.map_err(classify_send_error)?;
            let status = response.status().as_u16();
            if status == 429 {
                let after = retry_after(&response);
                let body: ErrorBody =
                    serde_json::from_slice(&read_bounded(response).await.unwrap_or_default())
                        .unwrap_or_default();
                self.bucket.drain().await;
                // 2001: the day's quota is spent; nothing goes until it resets.
                let daily = body.errors.iter().any(|e| e.error_id == 2001);
                let wait = if daily {
                    Some(after.unwrap_or_else(|| until_pacific_midnight(SystemTime::now())))
                } else {
                    after
                };
                return Err(ChannelError::Throttled { retry_after: wait, rate: None });
            }
            if (status == 401 || status == 403) && attempt == 0 {
                source.invalidate(&token).await;
                continue;
            }
            if status == 401 || status == 403 {
                return Err(ChannelError::Auth(format!("HTTP {status}")));
            }
            if status >= 500 {
                return Err(ChannelError::Uncertain(format!("HTTP {status}")));
            }
            return Ok((status, read_bounded(response).await?));
        }
        unreachable!("the loop returns on its second pass")
    }

    /// getOffers by SKU: the published offer's id (first one), or None.
    async fn resolve_offer(&self, sku: &str) -> Result<Option<String>, ChannelError> {
        if let Some(known) = self.offers.lock().await.get(sku) {
            return Ok(known.clone());
        }
        let url = format!("{}/offer?sku={}", self.api, form_encode(sku));
        let (status, body) = self.call(|token| self.http.get(&url).bearer_auth(token)).await?;
        let offer = if (200..300).contains(&status) {
            let parsed: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            parsed
                .get("offers")
                .and_then(Value::as_array)
                .and_then(|offers| {
                    offers
                        .iter()
                        .find(|o| o.get("status").and_then(Value::as_str) == Some("PUBLISHED"))
                        .or_else(|| offers.first())
                })
                .and_then(|o| o.get("offerId")?.as_str().map(str::to_string))
        } else {
            None
        };
        self.offers.lock().await.insert(sku.to_string(), offer.clone());
        Ok(offer)
    }

    /// Revisions already made today (from the engine's push history), so a fresh client
    /// (each `sync run --once`) still respects the daily cap.
    pub fn seed_revisions(&self, counts: impl IntoIterator<Item = (String, u32)>) {
        let day = pacific_day(SystemTime::now());
        let mut revisions = self.revisions.try_lock().expect("seeded before first use");
        for (sku, count) in counts {
            revisions.insert(sku, (day, count));
        }
    }

    /// Revisions counted today for `sku`.
    pub fn revisions_today(&self, sku: &str) -> u32 {
        let day = pacific_day(SystemTime::now());
        self.revisions
            .try_lock()
            .ok()
            .and_then(|r| r.get(sku).filter(|(d, _)| *d == day).map(|(_, n)| *n))
            .unwrap_or(0)
    }

    /// Takes a revision for `sku` today; false when the listing already had its 250.
    async fn take_revision(&self, sku: &str, day: u64) -> bool {
        let mut revisions = self.revisions.lock().await;
        let entry = revisions.entry(sku.to_string()).or_insert((day, 0));
        if entry.0 != day {
            *entry = (day, 0);
        }
        if entry.1 >= self.revisions_per_day {
            return false;
        }
        entry.1 += 1;
        true
    }

    async fn give_back_revision(&self, sku: &str) {
        if let Some(entry) = self.revisions.lock().await.get_mut(sku) {
            entry.1 = entry.1.saturating_sub(1);
        }
    }
}

fn entry_rejection(index: usize, entry: &EntryResponse) -> Rejection {
    let first = entry.errors.first().cloned().unwrap_or(EbayError {
        error_id: 0,
        category: if entry.status_code >= 500 { "APPLICATION".into() } else { "REQUEST".into() },
        message: format!("status {}", entry.status_code),
    });
    Rejection {
        index: Some(index),
        code: first.error_id.to_string(),
        message: format!("{} {}", first.category, first.message).trim().to_string(),
        kind: entry_kind(first.error_id, &first.category),
    }
}

impl Channel for EbayClient {
    fn kind(&self) -> ChannelKind {
        ChannelKind::Ebay
    }

    fn limits(&self) -> Limits {
        Limits { max_batch: MAX_ENTRIES, max_read: MAX_ENTRIES }
    }

    fn push_cost(&self, _entries: usize) -> f64 {
        1.0
    }

    fn read_cost(&self, _entries: usize) -> f64 {
        1.0
    }

    /// Absolute sets: read first (bulkGetInventoryItem, 25 SKUs a call, on the daily quota).
    fn reads_before_urgent_push(&self) -> bool {
        true
    }

    async fn push(&self, request: PushRequest<'_>) -> Result<Answer<PushOutcome>, ChannelError> {
        if request.updates.is_empty() || request.updates.len() > MAX_ENTRIES {
            return Err(ChannelError::Config(format!(
                "an eBay push carries 1 to {MAX_ENTRIES} SKUs, got {}",
                request.updates.len()
            )));
        }
        let day = pacific_day(SystemTime::now());
        let mut rejections = Vec::new();
        let mut entries = Vec::new();
        let mut sent = Vec::new();
        for (index, update) in request.updates.iter().enumerate() {
            let sku = &update.listing.item;
            let offer = match update.listing.location.as_deref().filter(|o| !o.is_empty()) {
                Some(offer) => Some(offer.to_string()),
                None => self.resolve_offer(sku).await?,
            };
            if !self.take_revision(sku, day).await {
                rejections.push(Rejection {
                    index: Some(index),
                    code: REVISION_CAP_CODE.into(),
                    message: format!(
                        "listing {sku} had {} revisions today (eBay's daily cap); it waits for the Pacific-midnight reset",
                        self.revisions_per_day
                    ),
                    kind: RejectionKind::Deferred,
                });
                continue;
            }
            let mut entry =
                json!({ "sku": sku, "shipToLocationAvailability": { "quantity": update.quantity } });
            if let Some(offer) = offer {
                entry["offers"] = json!([{ "offerId": offer, "availableQuantity": update.quantity }]);
            }
            entries.push(entry);
            sent.push(index);
        }
        if entries.is_empty() {
            return Ok(Answer { value: PushOutcome::Rejected(rejections), rate: None });
        }
        let url = format!("{}/bulk_update_price_quantity", self.api);
        let body = json!({ "requests": entries });
        let result = self.call(|token| self.http.post(&url).bearer_auth(token).json(&body)).await;
        let (status, bytes) = match result {
            Ok(reply) => reply,
            Err(error) => {
                if !error.outcome_unknown() {
                    for &i in &sent {
                        self.give_back_revision(&request.updates[i].listing.item).await;
                    }
                }
                return Err(error);
            }
        };
        if status == 400 {
            let body: ErrorBody = serde_json::from_slice(&bytes).unwrap_or_default();
            let first = body.errors.first().cloned();
            for &i in &sent {
                self.give_back_revision(&request.updates[i].listing.item).await;
            }
            return Ok(Answer {
                value: PushOutcome::Rejected(vec![Rejection {
                    index: None,
                    code: first.as_ref().map_or("400".into(), |e| e.error_id.to_string()),
                    message: first.map_or("request refused".into(), |e| e.message),
                    kind: RejectionKind::Permanent,
                }]),
                rate: None,
            });
        }
        if !(200..300).contains(&status) {
            return Err(ChannelError::Refused(format!(
                "HTTP {status}: {}",
                String::from_utf8_lossy(&bytes[..bytes.len().min(200)])
            )));
        }
        let parsed: BulkResponse = serde_json::from_slice(&bytes)
            .map_err(|e| ChannelError::Uncertain(format!("unreadable bulk response: {e}")))?;
        for entry in parsed.responses.iter().filter(|e| e.status_code != 200) {
            let Some(index) =
                sent.iter().copied().find(|&i| Some(&request.updates[i].listing.item) == entry.sku.as_ref())
            else {
                continue;
            };
            self.give_back_revision(&request.updates[index].listing.item).await;
            rejections.push(entry_rejection(index, entry));
        }
        // A sent entry the response does not mention is unknown: retried (absolute sets are
        // safe to resend).
        for &i in &sent {
            let mentioned =
                parsed.responses.iter().any(|e| e.sku.as_ref() == Some(&request.updates[i].listing.item));
            if !mentioned {
                rejections.push(Rejection {
                    index: Some(i),
                    code: "NO_ENTRY".into(),
                    message: "no response entry".into(),
                    kind: RejectionKind::Temporary,
                });
            }
        }
        let value =
            if rejections.is_empty() { PushOutcome::Applied } else { PushOutcome::Partial(rejections) };
        Ok(Answer { value, rate: None })
    }

    async fn read_levels(
        &self,
        listings: &[RemoteListing],
    ) -> Result<Answer<Vec<Option<i64>>>, ChannelError> {
        if listings.is_empty() || listings.len() > MAX_ENTRIES {
            return Err(ChannelError::Config(format!(
                "a read covers 1 to {MAX_ENTRIES} SKUs, got {}",
                listings.len()
            )));
        }
        let url = format!("{}/bulk_get_inventory_item", self.api);
        let requests: Vec<Value> = listings.iter().map(|l| json!({ "sku": l.item })).collect();
        let body = json!({ "requests": requests });
        let (status, bytes) = self.call(|token| self.http.post(&url).bearer_auth(token).json(&body)).await?;
        if !(200..300).contains(&status) {
            return Err(ChannelError::Refused(format!("HTTP {status}")));
        }
        let parsed: Value = serde_json::from_slice(&bytes)
            .map_err(|e| ChannelError::Uncertain(format!("unreadable read: {e}")))?;
        let responses = parsed.get("responses").and_then(Value::as_array).cloned().unwrap_or_default();
        let levels = listings
            .iter()
            .map(|l| {
                let r = responses
                    .iter()
                    .find(|r| r.get("sku").and_then(Value::as_str) == Some(l.item.as_str()))?;
                if r.get("statusCode").and_then(Value::as_u64) != Some(200) {
                    return None;
                }
                r.pointer("/inventoryItem/availability/shipToLocationAvailability/quantity")?.as_i64()
            })
            .collect();
        Ok(Answer { value: levels, rate: None })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_decide_retry() {
        assert_eq!(entry_kind(25025, "REQUEST"), RejectionKind::Temporary);
        assert_eq!(entry_kind(25001, "APPLICATION"), RejectionKind::Temporary);
        assert_eq!(entry_kind(25002, "REQUEST"), RejectionKind::Permanent);
        assert_eq!(entry_kind(25759, "BUSINESS"), RejectionKind::Permanent);
    }

    #[test]
    fn pacific_midnight_is_within_a_day() {
        let wait = until_pacific_midnight(SystemTime::now());
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(86_400));
    }
}
