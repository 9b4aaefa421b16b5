//! The Feeds API: documents (create, upload, download) and `JSON_LISTINGS_FEED` feeds, processed
//! against the listings after `feed_delay`. Each operation has its own per-seller token bucket
//! (createFeed 0.0083/s burst 15, createFeedDocument 0.5/s burst 15, getFeed 2/s burst 15,
//! getFeedDocument 0.0222/s burst 10); an empty bucket answers 429 `QuotaExceeded` with
//! `x-amzn-RateLimit-Limit`, like every other Amazon throttle here. The presigned document URLs
//! (S3 on Amazon) are not rate-limited.

use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use rand::Rng;
use serde_json::{Value, json};

use super::listings::validate_patch;
use super::{
    AmazonApplied, AmazonSim, AmazonState, Bucket, FeedBuckets, SimFeed, error_list, host, quota_exceeded,
    with_rate,
};

/// Which Feeds API operation a call is, for its bucket and its rate.
#[derive(Clone, Copy)]
enum Op {
    CreateFeed,
    CreateDocument,
    GetFeed,
    GetDocument,
}

impl AmazonState {
    fn feed_bucket(&mut self, op: Op) -> (&mut Bucket, f64) {
        let (b, c): (&mut FeedBuckets, _) = (&mut self.feed_buckets, &self.config);
        match op {
            Op::CreateFeed => (&mut b.create_feed, c.create_feed_rate),
            Op::CreateDocument => (&mut b.create_document, c.create_document_rate),
            Op::GetFeed => (&mut b.get_feed, c.get_feed_rate),
            Op::GetDocument => (&mut b.get_document, c.get_document_rate),
        }
    }

    /// Takes a token for `op`: `Err` is the 429 to send, `Ok` the rate to report.
    fn feed_call(&mut self, op: Op) -> Result<f64, Response> {
        let (bucket, rate) = self.feed_bucket(op);
        if bucket.take() {
            Ok(rate)
        } else {
            self.stats.too_many_requests += 1;
            self.stats.feed_throttles += 1;
            Err(quota_exceeded(Some(rate)))
        }
    }
}

pub(super) async fn create_document(State(sim): State<AmazonSim>, headers: HeaderMap) -> Response {
    if let Some(refusal) = sim.with(|s| s.check_token(&headers)) {
        return refusal;
    }
    let created = sim.with(|s| {
        let rate = s.feed_call(Op::CreateDocument)?;
        let id = format!("amzn1.tortuga.sim.{}", s.documents.len() + 1);
        s.documents.insert(id.clone(), None);
        Ok((id, rate))
    });
    let (id, rate) = match created {
        Ok(created) => created,
        Err(refusal) => return refusal,
    };
    let url = format!("http://{}/amazon/documents/{id}", host(&headers));
    with_rate((StatusCode::CREATED, Json(json!({ "feedDocumentId": id, "url": url }))).into_response(), rate)
}

/// The presigned URL: the upload (PUT) and the download (GET) of a document.
pub(super) async fn upload_document(
    State(sim): State<AmazonSim>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let parsed = serde_json::from_slice::<Value>(&body).ok();
    sim.with(|s| match s.documents.get_mut(&id) {
        Some(slot) => {
            *slot = parsed;
            StatusCode::OK.into_response()
        }
        None => StatusCode::FORBIDDEN.into_response(),
    })
}

pub(super) async fn download_document(State(sim): State<AmazonSim>, Path(id): Path<String>) -> Response {
    sim.with(|s| match s.documents.get(&id) {
        Some(Some(document)) => Json(document.clone()).into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    })
}

pub(super) async fn get_document(
    State(sim): State<AmazonSim>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = sim.with(|s| s.check_token(&headers)) {
        return refusal;
    }
    let known = sim.with(|s| s.feed_call(Op::GetDocument).map(|rate| (s.documents.contains_key(&id), rate)));
    let rate = match known {
        Ok((true, rate)) => rate,
        Ok((false, _)) => {
            return error_list(StatusCode::NOT_FOUND, "NotFound", "The feed document was not found.");
        }
        Err(refusal) => return refusal,
    };
    let url = format!("http://{}/amazon/documents/{id}", host(&headers));
    with_rate(Json(json!({ "feedDocumentId": id, "url": url })).into_response(), rate)
}

pub(super) async fn create_feed(State(sim): State<AmazonSim>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(refusal) = sim.with(|s| s.check_token(&headers)) {
        return refusal;
    }
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    sim.with(|s| {
        let rate = match s.feed_call(Op::CreateFeed) {
            Ok(rate) => rate,
            Err(refusal) => return refusal,
        };
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
        with_rate((StatusCode::ACCEPTED, Json(json!({ "feedId": id }))).into_response(), rate)
    })
}

pub(super) async fn get_feed(
    State(sim): State<AmazonSim>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = sim.with(|s| s.check_token(&headers)) {
        return refusal;
    }
    sim.with(|s| {
        let rate = match s.feed_call(Op::GetFeed) {
            Ok(rate) => rate,
            Err(refusal) => return refusal,
        };
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
        with_rate(Json(body).into_response(), rate)
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
                        if self.log.len() < self.config.log_limit {
                            self.log.push(AmazonApplied { sku, quantity, at_ms });
                        }
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
