//! An Amazon SQS client for the one thing ShelfSync does with a queue: long-poll it for SP-API
//! notifications and delete what was handled.
//!
//! Protocol: AWS JSON 1.0 (the protocol current SQS endpoints and SDKs speak): `POST /` on the
//! queue's host with `Content-Type: application/x-amz-json-1.0`, `X-Amz-Target:
//! AmazonSQS.ReceiveMessage` or `AmazonSQS.DeleteMessageBatch`, a JSON body naming the
//! `QueueUrl`, signed with SigV4 (service `sqs`, the queue's region). Errors come back as
//! `{"__type": "...#Code", "message": "..."}`.
//!
//! `MD5OfBody` is not verified (no MD5 in the tree; TLS already protects the body in transit).

use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};

use super::sigv4::{self, AwsCredentials, Signable};
use crate::ChannelError;
use crate::shopify::{classify_send_error, install_crypto_provider, read_bounded};

/// SQS's caps: a long poll waits at most 20 s and returns at most 10 messages; a batch
/// deletes at most 10.
pub const MAX_WAIT: Duration = Duration::from_secs(20);
pub const MAX_MESSAGES: usize = 10;

#[derive(Clone)]
pub struct SqsConfig {
    /// `https://sqs.us-east-1.amazonaws.com/123456789012/shelfsync-orders` (or a simulator's).
    pub queue_url: String,
    pub region: String,
    pub credentials: AwsCredentials,
}

impl std::fmt::Debug for SqsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqsConfig")
            .field("queue_url", &self.queue_url)
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

/// One received message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SqsMessage {
    pub message_id: String,
    pub receipt_handle: String,
    pub body: String,
    /// `ApproximateReceiveCount`: how often it was handed out (1 the first time).
    pub receive_count: u32,
}

/// A delete that failed (the message comes back after its visibility timeout).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeleteFailure {
    pub receipt_handle: String,
    pub code: String,
    pub message: String,
}

pub struct SqsClient {
    http: reqwest::Client,
    /// Where requests go: the queue URL's scheme and authority, path `/`.
    endpoint: reqwest::Url,
    host: String,
    config: SqsConfig,
}

/// Checks a queue URL (`http(s)://host[:port]/ACCOUNT/NAME`) and a region name.
pub fn check_queue(queue_url: &str, region: &str) -> Result<(reqwest::Url, String), ChannelError> {
    let url = reqwest::Url::parse(queue_url)
        .map_err(|e| ChannelError::Config(format!("queue URL '{queue_url}' is not a URL: {e}")))?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(ChannelError::Config(format!(
            "queue URL '{queue_url}' must start with https:// or http://"
        )));
    }
    let host =
        url.host_str().ok_or_else(|| ChannelError::Config(format!("queue URL '{queue_url}' has no host")))?;
    let segments: Vec<&str> =
        url.path_segments().map(|s| s.filter(|p| !p.is_empty()).collect()).unwrap_or_default();
    if segments.len() != 2 || !segments[0].bytes().all(|b| b.is_ascii_digit()) {
        return Err(ChannelError::Config(format!(
            "queue URL '{queue_url}' must end in /ACCOUNT_ID/QUEUE_NAME (the URL SQS shows for the queue)"
        )));
    }
    let region_ok = !region.is_empty()
        && region.len() <= 32
        && region.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !region_ok {
        return Err(ChannelError::Config(format!(
            "region '{region}' is not an AWS region name (like us-east-1)"
        )));
    }
    let host = match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    };
    Ok((url, host))
}

/// The queue's ARN (`arn:aws:sqs:REGION:ACCOUNT:NAME`), which Amazon's `createDestination` takes.
pub fn queue_arn(queue_url: &str, region: &str) -> Result<String, ChannelError> {
    let (url, _) = check_queue(queue_url, region)?;
    let segments: Vec<&str> =
        url.path_segments().map(|s| s.filter(|p| !p.is_empty()).collect()).unwrap_or_default();
    Ok(format!("arn:aws:sqs:{region}:{}:{}", segments[0], segments[1]))
}

#[derive(Deserialize)]
struct AwsJsonError {
    #[serde(rename = "__type", default)]
    kind: String,
    #[serde(default, alias = "Message")]
    message: String,
}

impl SqsClient {
    pub fn new(config: SqsConfig) -> Result<SqsClient, ChannelError> {
        let (url, host) = check_queue(&config.queue_url, &config.region)?;
        if config.credentials.access_key_id.trim().is_empty()
            || config.credentials.secret_access_key.is_empty()
        {
            return Err(ChannelError::Config("the AWS access key id and secret key are required".into()));
        }
        install_crypto_provider();
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            // A long poll holds the request up to 20 s; 15 s more for a slow answer.
            .timeout(MAX_WAIT + Duration::from_secs(15))
            .build()
            .map_err(|e| ChannelError::Config(format!("cannot build the HTTP client: {e}")))?;
        let mut endpoint = url;
        endpoint.set_path("/");
        endpoint.set_query(None);
        Ok(SqsClient { http, endpoint, host, config })
    }

    pub fn queue_url(&self) -> &str {
        &self.config.queue_url
    }

    /// One signed AWS JSON 1.0 call; the parsed answer, or the AWS error in words.
    async fn call(&self, target: &str, body: &Value) -> Result<Value, ChannelError> {
        let payload = serde_json::to_vec(body).map_err(|e| ChannelError::Config(e.to_string()))?;
        let date = sigv4::amz_date_now();
        let headers = vec![
            ("content-type".to_string(), "application/x-amz-json-1.0".to_string()),
            ("host".to_string(), self.host.clone()),
            ("x-amz-date".to_string(), date.clone()),
            ("x-amz-target".to_string(), format!("AmazonSQS.{target}")),
        ];
        let signable =
            Signable { method: "POST", path: "/", query: "", headers: &headers, payload: &payload };
        let authorization =
            sigv4::authorization(&self.config.credentials, &signable, &date, &self.config.region, "sqs");
        let mut request = self.http.post(self.endpoint.clone()).header("authorization", authorization);
        for (name, value) in &headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let response = request.body(payload).send().await.map_err(classify_send_error)?;
        let status = response.status().as_u16();
        let bytes = read_bounded(response).await?;
        if (200..300).contains(&status) {
            return serde_json::from_slice(&bytes)
                .map_err(|e| ChannelError::Uncertain(format!("SQS {target}: unreadable answer: {e}")));
        }
        let error: AwsJsonError = serde_json::from_slice(&bytes).unwrap_or(AwsJsonError {
            kind: String::new(),
            message: String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).into_owned(),
        });
        let code = error.kind.rsplit('#').next().unwrap_or_default().to_string();
        let text = format!("SQS {target}: HTTP {status} {code}: {}", error.message);
        Err(match code.as_str() {
            "SignatureDoesNotMatch"
            | "InvalidClientTokenId"
            | "IncompleteSignature"
            | "AccessDenied"
            | "AccessDeniedException"
            | "MissingAuthenticationToken"
            | "UnrecognizedClientException"
            | "SignatureExpired" => ChannelError::Auth(text),
            "RequestThrottled" | "ThrottlingException" | "KmsThrottled" => {
                ChannelError::Throttled { retry_after: None, rate: None }
            }
            _ if status >= 500 => ChannelError::Offline(text),
            _ => ChannelError::Refused(text),
        })
    }

    /// Long-polls the queue: waits up to `wait` (at most 20 s) for up to `max` (1..=10) messages.
    pub async fn receive(&self, wait: Duration, max: usize) -> Result<Vec<SqsMessage>, ChannelError> {
        let body = json!({
            "QueueUrl": self.config.queue_url,
            "MaxNumberOfMessages": max.clamp(1, MAX_MESSAGES),
            "WaitTimeSeconds": wait.min(MAX_WAIT).as_secs(),
            "MessageSystemAttributeNames": ["ApproximateReceiveCount"],
        });
        let answer = self.call("ReceiveMessage", &body).await?;
        let raw = answer.get("Messages").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        raw.iter()
            .take(MAX_MESSAGES)
            .map(|m| {
                let field = |key: &str| {
                    m.get(key).and_then(Value::as_str).map(str::to_string).ok_or_else(|| {
                        ChannelError::Uncertain(format!("SQS ReceiveMessage: a message has no {key}"))
                    })
                };
                Ok(SqsMessage {
                    message_id: field("MessageId")?,
                    receipt_handle: field("ReceiptHandle")?,
                    body: field("Body")?,
                    receive_count: m
                        .pointer("/Attributes/ApproximateReceiveCount")
                        .and_then(Value::as_str)
                        .and_then(|c| c.parse().ok())
                        .unwrap_or(1),
                })
            })
            .collect()
    }

    /// Deletes handled messages (10 a call); returns the deletes SQS refused.
    pub async fn delete(&self, receipt_handles: &[String]) -> Result<Vec<DeleteFailure>, ChannelError> {
        let mut failures = Vec::new();
        for chunk in receipt_handles.chunks(MAX_MESSAGES) {
            let entries: Vec<Value> = chunk
                .iter()
                .enumerate()
                .map(|(i, handle)| json!({ "Id": i.to_string(), "ReceiptHandle": handle }))
                .collect();
            let answer = self
                .call("DeleteMessageBatch", &json!({ "QueueUrl": self.config.queue_url, "Entries": entries }))
                .await?;
            for failed in
                answer.get("Failed").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default()
            {
                let index: usize = failed
                    .get("Id")
                    .and_then(Value::as_str)
                    .and_then(|i| i.parse().ok())
                    .unwrap_or(usize::MAX);
                failures.push(DeleteFailure {
                    receipt_handle: chunk.get(index).cloned().unwrap_or_default(),
                    code: failed.get("Code").and_then(Value::as_str).unwrap_or_default().to_string(),
                    message: failed.get("Message").and_then(Value::as_str).unwrap_or_default().to_string(),
                });
            }
        }
        Ok(failures)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_urls_and_regions_are_checked() {
        assert_eq!(
            queue_arn("https://sqs.us-east-1.amazonaws.com/123456789012/orders", "us-east-1").unwrap(),
            "arn:aws:sqs:us-east-1:123456789012:orders"
        );
        assert_eq!(check_queue("http://127.0.0.1:8787/123/q", "us-east-1").unwrap().1, "127.0.0.1:8787");
        for (url, region, want) in [
            ("sqs.amazonaws.com/1/q", "us-east-1", "not a URL"),
            ("ftp://h/1/q", "us-east-1", "https://"),
            ("https://h/q", "us-east-1", "ACCOUNT_ID"),
            ("https://h/abc/q", "us-east-1", "ACCOUNT_ID"),
            ("https://h/1/q", "US East", "region"),
            ("https://h/1/q", "", "region"),
        ] {
            let error = check_queue(url, region).unwrap_err().to_string();
            assert!(error.contains(want), "{url} {region}: {error}");
        }
    }
}
