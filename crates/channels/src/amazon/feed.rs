//! The bulk path: `JSON_LISTINGS_FEED` for large backlogs (a first sync, a full re-push).

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
            return Err(ChannelError::Refused(format!("HTTP {}: {}", reply.status, error_text(&reply.body))));
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
        let (Some(document_id), Some(url)) = (created["feedDocumentId"].as_str(), created["url"].as_str())
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
            let polled = self
                .feeds_call(&limits.get_feed, |token| {
                    self.http
                        .get(format!("{base}/feeds/2021-06-30/feeds/{feed_id}"))
                        .header("x-amz-access-token", token)
                })
                .await;
            // Amazon already accepted the feed: a throttled poll waits and polls again (toward
            // the stuck limit) instead of abandoning it, which would send the whole feed again
            // at createFeed's 0.0083/s.
            let state = match polled {
                Err(ChannelError::Throttled { retry_after, .. })
                    if started.elapsed() < limits.stuck_after =>
                {
                    tokio::time::sleep(throttle_wait(retry_after, limits.poll_every)).await;
                    continue;
                }
                other => other?,
            };
            let status = state["processingStatus"].as_str().unwrap_or_default().to_string();
            match status.as_str() {
                "DONE" => {
                    let report_id = state["resultFeedDocumentId"].as_str().unwrap_or_default().to_string();
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
        let mut throttled = 0;
        let document = loop {
            let read = self
                .feeds_call(&limits.get_document, |token| {
                    self.http
                        .get(format!("{base}/feeds/2021-06-30/documents/{document_id}"))
                        .header("x-amz-access-token", token)
                })
                .await;
            match read {
                // The feed is done: its report is worth waiting for (getFeedDocument refills at
                // one call per 45 s), a few times, rather than sending the feed again.
                Err(ChannelError::Throttled { retry_after, .. })
                    if throttled < MAX_THROTTLED_REPORT_READS =>
                {
                    throttled += 1;
                    tokio::time::sleep(throttle_wait(retry_after, limits.poll_every)).await;
                }
                other => break other?,
            }
        };
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

/// Throttled report reads waited out before the feed counts as failed: with getFeedDocument's
/// 45 s refill, about four minutes.
const MAX_THROTTLED_REPORT_READS: u32 = 5;

/// Longest wait a throttle's Retry-After is followed for: past a minute the bucket is better
/// left to refill while the worker does other work.
const MAX_THROTTLE_WAIT: Duration = Duration::from_secs(60);

/// How long to wait after a throttled feeds call: what the channel asked (at most a minute), or
/// the poll interval when it did not say.
fn throttle_wait(retry_after: Option<Duration>, poll_every: Duration) -> Duration {
    retry_after.unwrap_or(poll_every).min(MAX_THROTTLE_WAIT)
}
