//! An SQS-compatible queue on the simulator's port, enough for SP-API notifications: the AWS
//! JSON 1.0 protocol (`POST /`, `X-Amz-Target: AmazonSQS.ReceiveMessage` or
//! `AmazonSQS.DeleteMessageBatch`), every request's SigV4 signature checked (a wrong secret gets
//! SQS's own `SignatureDoesNotMatch`, an unknown key `InvalidClientTokenId`), long polls that wait
//! up to `WaitTimeSeconds` (20 at most), and a visibility timeout after which a message that was
//! received but not deleted is handed out again with its receive count raised.
//!
//! The signature check is written here from AWS's spec on its own, not shared with the
//! client's signer, so a canonicalisation mistake on either side shows as a refusal.
//! `MD5OfBody` is left out of answers (no MD5 in the tree; ShelfSync's client does not read it).

// A refusal is the axum Response itself, once per request (as in the amazon module): boxing buys nothing.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use hmac::{Hmac, Mac};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// SQS's caps.
const MAX_WAIT_SECS: u64 = 20;
const MAX_MESSAGES: usize = 10;
/// Messages one queue keeps: a bound on memory in a long demo.
const MAX_QUEUE: usize = 100_000;
/// How far a request's `X-Amz-Date` may be from now (AWS: 15 minutes).
const MAX_SKEW_SECS: i64 = 15 * 60;
/// How often a waiting long poll looks for a message.
const POLL_STEP: Duration = Duration::from_millis(10);

#[derive(Clone, Debug)]
pub struct SqsSimConfig {
    pub region: String,
    pub account: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// The queue every simulator has from the start (`/ACCOUNT/NAME`).
    pub default_queue: String,
    /// How long a received message stays hidden (SQS's default: 30 s).
    pub visibility_timeout: Duration,
}

impl Default for SqsSimConfig {
    fn default() -> Self {
        SqsSimConfig {
            region: "us-east-1".into(),
            account: "123456789012".into(),
            access_key_id: "AKIASIMULATOR0EXAMPLE".into(),
            secret_access_key: "sim/SecretAccessKey0EXAMPLE".into(),
            default_queue: "shelfsync-orders".into(),
            visibility_timeout: Duration::from_secs(30),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SqsStats {
    pub sent: u64,
    pub receive_calls: u64,
    pub received: u64,
    /// Messages handed out again after their visibility timeout.
    pub redelivered: u64,
    pub deleted: u64,
    pub delete_failures: u64,
    pub signature_refusals: u64,
    pub unknown_keys: u64,
}

struct Message {
    id: String,
    body: String,
    visible_at: Instant,
    receipt: Option<String>,
    receive_count: u32,
}

struct Queue {
    visibility: Duration,
    messages: Vec<Message>,
}

pub struct SqsState {
    pub config: SqsSimConfig,
    queues: BTreeMap<String, Queue>,
    serial: u64,
    pub stats: SqsStats,
}

#[derive(Clone)]
pub struct SqsSim {
    state: Arc<Mutex<SqsState>>,
}

impl SqsSim {
    pub fn new(config: SqsSimConfig) -> SqsSim {
        let mut queues = BTreeMap::new();
        queues.insert(
            config.default_queue.clone(),
            Queue { visibility: config.visibility_timeout, messages: vec![] },
        );
        SqsSim {
            state: Arc::new(Mutex::new(SqsState { config, queues, serial: 0, stats: SqsStats::default() })),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut SqsState) -> T) -> T {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut state)
    }

    pub fn stats(&self) -> SqsStats {
        self.with(|s| s.stats.clone())
    }

    pub fn config(&self) -> SqsSimConfig {
        self.with(|s| s.config.clone())
    }

    /// Creates (or re-times) a queue; returns its path `/ACCOUNT/NAME` (the queue URL is the
    /// server's URL followed by it).
    pub fn create_queue(&self, name: &str, visibility: Duration) -> String {
        self.with(|s| {
            s.queues
                .entry(name.to_string())
                .or_insert_with(|| Queue { visibility, messages: vec![] })
                .visibility = visibility;
            format!("/{}/{name}", s.config.account)
        })
    }

    /// The default queue's path.
    pub fn default_queue_path(&self) -> String {
        self.with(|s| format!("/{}/{}", s.config.account, s.config.default_queue))
    }

    /// The queue an ARN names (`arn:aws:sqs:REGION:ACCOUNT:NAME`), if it exists here.
    pub fn queue_for_arn(&self, arn: &str) -> Option<String> {
        self.with(|s| {
            let parts: Vec<&str> = arn.split(':').collect();
            let [_, _, "sqs", region, account, name] = parts.as_slice() else { return None };
            (*region == s.config.region && *account == s.config.account && s.queues.contains_key(*name))
                .then(|| name.to_string())
        })
    }

    /// Puts a message on a queue, visible after `delay`. False when the queue does not exist.
    pub fn send(&self, queue: &str, body: String, delay: Duration) -> bool {
        self.with(|s| {
            s.serial += 1;
            let id = format!("{:08x}-sim0-4000-8000-{:012x}", s.serial, s.serial);
            let Some(q) = s.queues.get_mut(queue) else { return false };
            if q.messages.len() >= MAX_QUEUE {
                q.messages.remove(0);
            }
            q.messages.push(Message {
                id,
                body,
                visible_at: Instant::now() + delay,
                receipt: None,
                receive_count: 0,
            });
            s.stats.sent += 1;
            true
        })
    }

    /// (visible now, in flight or delayed) messages of a queue.
    pub fn depth(&self, queue: &str) -> (usize, usize) {
        self.with(|s| {
            let now = Instant::now();
            s.queues.get(queue).map_or((0, 0), |q| {
                let visible = q.messages.iter().filter(|m| m.visible_at <= now).count();
                (visible, q.messages.len() - visible)
            })
        })
    }

    pub fn router(&self) -> Router {
        Router::new().route("/", post(handle)).with_state(self.clone())
    }
}

fn aws_error(status: StatusCode, code: &str, message: &str) -> Response {
    let namespace = if matches!(
        code,
        "SignatureDoesNotMatch" | "InvalidClientTokenId" | "IncompleteSignature" | "SignatureExpired"
    ) {
        "com.amazon.coral.service"
    } else {
        "com.amazonaws.sqs"
    };
    let mut response = (
        status,
        [("content-type", "application/x-amz-json-1.0")],
        json!({ "__type": format!("{namespace}#{code}"), "message": message }).to_string(),
    )
        .into_response();
    if let Ok(v) = format!("{code};Sender").parse() {
        response.headers_mut().insert("x-amzn-query-error", v);
    }
    response
}

fn ok(body: Value) -> Response {
    (StatusCode::OK, [("content-type", "application/x-amz-json-1.0")], body.to_string()).into_response()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

fn encode(value: &str, keep_slash: bool) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric()
                || matches!(b, b'-' | b'_' | b'.' | b'~')
                || (keep_slash && b == b'/')
            {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Unix seconds of an `X-Amz-Date` (`YYYYMMDDTHHMMSSZ`).
fn parse_amz_date(value: &str) -> Option<i64> {
    let b = value.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let n = |r: std::ops::Range<usize>| value.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (n(0..4)?, n(4..6)?, n(6..8)?);
    let (hh, mm, ss) = (n(9..11)?, n(11..13)?, n(13..15)?);
    // days-from-civil (Howard Hinnant)
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// Checks the request's SigV4 signature against the configured key pair.
fn verify(
    config: &SqsSimConfig,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), Response> {
    let incomplete = |what: &str| aws_error(StatusCode::BAD_REQUEST, "IncompleteSignature", what);
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).ok_or_else(|| {
        aws_error(
            StatusCode::BAD_REQUEST,
            "MissingAuthenticationToken",
            "Request is missing Authentication Token",
        )
    })?;
    let rest =
        auth.strip_prefix("AWS4-HMAC-SHA256 ").ok_or_else(|| incomplete("Unsupported signing algorithm."))?;
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in rest.split(',').map(str::trim) {
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = Some(v);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed_headers = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v);
        }
    }
    let (Some(credential), Some(signed_headers), Some(signature)) = (credential, signed_headers, signature)
    else {
        return Err(incomplete("Authorization header requires Credential, SignedHeaders and Signature."));
    };
    let scope: Vec<&str> = credential.split('/').collect();
    let [key_id, date, region, service, "aws4_request"] = scope.as_slice() else {
        return Err(incomplete("Credential is not KEY/DATE/REGION/SERVICE/aws4_request."));
    };
    if *key_id != config.access_key_id {
        return Err(aws_error(
            StatusCode::FORBIDDEN,
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
        ));
    }
    let amz_date = headers.get("x-amz-date").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    match parse_amz_date(amz_date) {
        Some(at) if (at - now).abs() <= MAX_SKEW_SECS && amz_date.starts_with(date) => {}
        _ => {
            return Err(aws_error(
                StatusCode::BAD_REQUEST,
                "SignatureExpired",
                "Signature expired or X-Amz-Date is missing, malformed or not the credential's date.",
            ));
        }
    }
    if *region != config.region || *service != "sqs" {
        return Err(aws_error(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            "Credential should be scoped to a valid region and service sqs.",
        ));
    }
    let names: Vec<&str> = signed_headers.split(';').collect();
    if !names.contains(&"host") || !names.windows(2).all(|w| w[0] < w[1]) {
        return Err(incomplete("SignedHeaders must include host and be sorted."));
    }
    let mut canonical_headers = String::new();
    for name in &names {
        let values: Vec<String> = headers
            .get_all(*name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        canonical_headers.push_str(&format!("{name}:{}\n", values.join(",")));
    }
    let mut query: Vec<(String, String)> = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                encode(&crate::amazon::percent_decode(k), false),
                encode(&crate::amazon::percent_decode(v), false),
            )
        })
        .collect();
    query.sort();
    let query = query.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
    let canonical = format!(
        "{method}\n{}\n{query}\n{canonical_headers}\n{signed_headers}\n{}",
        encode(uri.path(), true),
        hex(&Sha256::digest(body))
    );
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{date}/{region}/{service}/aws4_request\n{}",
        hex(&Sha256::digest(canonical.as_bytes()))
    );
    let key = [date.as_bytes(), region.as_bytes(), service.as_bytes(), b"aws4_request"]
        .iter()
        .fold(format!("AWS4{}", config.secret_access_key).into_bytes(), |key, part| hmac(&key, part));
    let expected = hex(&hmac(&key, to_sign.as_bytes()));
    // Both are hex of the same length when well-formed; compare every byte regardless.
    let same = expected.len() == signature.len()
        && expected.bytes().zip(signature.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
    if !same {
        return Err(aws_error(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
        ));
    }
    Ok(())
}

/// The queue a `QueueUrl` names on this simulator (its path is `/ACCOUNT/NAME`).
fn queue_name(s: &SqsState, body: &Value) -> Result<String, Response> {
    let url = body.get("QueueUrl").and_then(Value::as_str).unwrap_or_default();
    let path = url.split_once("://").map_or(url, |(_, rest)| rest.split_once('/').map_or("", |(_, p)| p));
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        [account, name] if *account == s.config.account && s.queues.contains_key(*name) => {
            Ok(name.to_string())
        }
        _ => Err(aws_error(
            StatusCode::BAD_REQUEST,
            "QueueDoesNotExist",
            "The specified queue does not exist.",
        )),
    }
}

async fn handle(
    State(sim): State<SqsSim>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let checked = sim.with(|s| {
        let result = verify(&s.config, &method, &uri, &headers, &body);
        if let Err(refusal) = &result {
            match refusal.headers().get("x-amzn-query-error").and_then(|v| v.to_str().ok()) {
                Some(code) if code.starts_with("InvalidClientTokenId") => s.stats.unknown_keys += 1,
                _ => s.stats.signature_refusals += 1,
            }
        }
        result
    });
    if let Err(refusal) = checked {
        return refusal;
    }
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return aws_error(StatusCode::BAD_REQUEST, "SerializationException", "The request body is not JSON.");
    };
    let target = headers.get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or_default();
    match target {
        "AmazonSQS.ReceiveMessage" => receive(&sim, &request).await,
        "AmazonSQS.DeleteMessageBatch" => sim.with(|s| delete_batch(s, &request)),
        _ => aws_error(
            StatusCode::BAD_REQUEST,
            "UnknownOperationException",
            "The action or operation requested is invalid.",
        ),
    }
}

async fn receive(sim: &SqsSim, request: &Value) -> Response {
    let max = request.get("MaxNumberOfMessages").map_or(Some(1), Value::as_u64).unwrap_or(0) as usize;
    let wait = request.get("WaitTimeSeconds").map_or(Some(0), Value::as_u64).unwrap_or(u64::MAX);
    if !(1..=MAX_MESSAGES).contains(&max) {
        return aws_error(
            StatusCode::BAD_REQUEST,
            "InvalidParameterValue",
            "Value for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.",
        );
    }
    if wait > MAX_WAIT_SECS {
        return aws_error(
            StatusCode::BAD_REQUEST,
            "InvalidParameterValue",
            "Value for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.",
        );
    }
    let visibility = request.get("VisibilityTimeout").and_then(Value::as_u64).map(Duration::from_secs);
    let deadline = Instant::now() + Duration::from_secs(wait);
    sim.with(|s| s.stats.receive_calls += 1);
    loop {
        let taken = sim.with(|s| {
            let name = queue_name(s, request)?;
            let now = Instant::now();
            let mut out = Vec::new();
            let mut serial = s.serial;
            let (mut received, mut redelivered) = (0, 0);
            let q = s.queues.get_mut(&name).expect("checked by queue_name");
            let hide = visibility.unwrap_or(q.visibility);
            for m in q.messages.iter_mut().filter(|m| m.visible_at <= now).take(max) {
                serial += 1;
                let receipt = format!("sim-receipt-{serial}-{}", m.id);
                if m.receive_count > 0 {
                    redelivered += 1;
                }
                m.receive_count += 1;
                m.receipt = Some(receipt.clone());
                m.visible_at = now + hide;
                received += 1;
                out.push(json!({
                    "MessageId": m.id,
                    "ReceiptHandle": receipt,
                    "Body": m.body,
                    "Attributes": { "ApproximateReceiveCount": m.receive_count.to_string() },
                }));
            }
            s.serial = serial;
            s.stats.received += received;
            s.stats.redelivered += redelivered;
            Ok::<_, Response>(out)
        });
        match taken {
            Err(refusal) => return refusal,
            Ok(messages) if !messages.is_empty() => return ok(json!({ "Messages": messages })),
            Ok(_) if Instant::now() >= deadline => return ok(json!({})),
            Ok(_) => tokio::time::sleep(POLL_STEP).await,
        }
    }
}

fn delete_batch(s: &mut SqsState, request: &Value) -> Response {
    let name = match queue_name(s, request) {
        Ok(name) => name,
        Err(refusal) => return refusal,
    };
    let entries = request.get("Entries").and_then(Value::as_array).cloned().unwrap_or_default();
    if entries.is_empty() {
        return aws_error(
            StatusCode::BAD_REQUEST,
            "EmptyBatchRequest",
            "There should be at least one DeleteMessageBatchRequestEntry in the request.",
        );
    }
    if entries.len() > MAX_MESSAGES {
        return aws_error(
            StatusCode::BAD_REQUEST,
            "TooManyEntriesInBatchRequest",
            "Maximum number of entries per request are 10.",
        );
    }
    let (mut successful, mut failed) = (Vec::new(), Vec::new());
    for entry in entries {
        let id = entry.get("Id").and_then(Value::as_str).unwrap_or_default().to_string();
        let handle = entry.get("ReceiptHandle").and_then(Value::as_str).unwrap_or_default();
        let q = s.queues.get_mut(&name).expect("checked by queue_name");
        let before = q.messages.len();
        q.messages.retain(|m| m.receipt.as_deref() != Some(handle));
        if q.messages.len() < before {
            s.stats.deleted += 1;
            successful.push(json!({ "Id": id }));
        } else {
            s.stats.delete_failures += 1;
            failed.push(json!({ "Id": id, "SenderFault": true, "Code": "ReceiptHandleIsInvalid", "Message": "The input receipt handle is invalid." }));
        }
    }
    ok(json!({ "Successful": successful, "Failed": failed }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn amz_dates_parse() {
        assert_eq!(super::parse_amz_date("20150830T123600Z"), Some(1_440_938_160));
        assert_eq!(super::parse_amz_date("19700101T000000Z"), Some(0));
        assert_eq!(super::parse_amz_date("2015-08-30T12:36:00Z"), None);
    }
}
