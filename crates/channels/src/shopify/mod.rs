//! Shopify Admin GraphQL, API version 2026-04: `inventorySetQuantities` with compare-and-set
//! (`changeFromQuantity`, always present) and a mandatory `@idempotent(key:)`, and a batched
//! read of `available` levels.
//!
//! Pitfalls handled here (shared/reference/channel-apis.md §1, §5): THROTTLED arrives as
//! HTTP 200; `changeFromQuantity: null` must be sent explicitly, never omitted; the cost bucket
//! is read from `extensions.cost.throttleStatus`, not hard-coded.

mod catalogue;
mod graphql;

use std::time::Duration;

use serde_json::{Value, json};

use crate::{
    Answer, Channel, ChannelError, ChannelKind, Limits, PushOutcome, PushRequest, RemoteListing, Timeouts,
};

pub use graphql::rejection_kind;
use graphql::{
    GraphqlResponse, check_key, levels, push_outcome, read_query, read_variables, set_mutation, set_variables,
};

pub const API_VERSION: &str = "2026-04";

/// "Input arguments that accept an array have a maximum size of 250" (Shopify API limits).
pub const MAX_QUANTITIES_PER_CALL: usize = 250;

/// Levels read per query. Each aliased read costs about 3 points; 100 keeps a read near 300,
/// well under the 1,000-point single-query cap.
pub const MAX_LEVELS_PER_READ: usize = 100;

/// A mutation's default cost. The real cost of a 250-entry set is undocumented; the limiter
/// learns the truth from `extensions.cost` after the first call.
const MUTATION_COST: f64 = 10.0;

/// Largest response body read. A 100-level read is a few KiB; 4 MiB means something is wrong.
const MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

/// Longest `Retry-After` honoured. A larger value is almost surely a misconfigured proxy;
/// waiting it out would stall the channel for no benefit.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

#[derive(Clone)]
pub struct ShopifyConfig {
    /// Base URL: `https://SHOP.myshopify.com` or the simulator's `http://127.0.0.1:PORT`.
    pub endpoint: String,
    pub access_token: String,
    pub timeouts: Timeouts,
    /// The shop domain the channel was set up for (`SHOP.myshopify.com`): a connection test
    /// checks that the token reaches this shop. `None`: not checked.
    pub shop: Option<String>,
}

impl std::fmt::Debug for ShopifyConfig {
    /// The access token is never printed, not even in debug output (a `{:?}` in a log line).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShopifyConfig")
            .field("endpoint", &self.endpoint)
            .field("access_token", &"<redacted>")
            .field("timeouts", &self.timeouts)
            .field("shop", &self.shop)
            .finish()
    }
}

pub struct ShopifyClient {
    http: reqwest::Client,
    graphql_url: String,
    access_token: String,
    shop: Option<String>,
}

impl std::fmt::Debug for ShopifyClient {
    /// The token is never printed, not even in debug output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShopifyClient").field("graphql_url", &self.graphql_url).finish_non_exhaustive()
    }
}

impl ShopifyClient {
    pub fn new(config: ShopifyConfig) -> Result<ShopifyClient, ChannelError> {
        install_crypto_provider();
        let base = config.endpoint.trim_end_matches('/');
        if !(base.starts_with("https://") || base.starts_with("http://")) {
            return Err(ChannelError::Config(format!(
                "endpoint '{base}' must start with http:// or https://"
            )));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(config.timeouts.connect)
            .timeout(config.timeouts.request)
            // A few idle connections are plenty for one worker; bounded so a flapping channel
            // cannot pile up sockets.
            .pool_max_idle_per_host(4)
            .build()
            .map_err(|e| ChannelError::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(ShopifyClient {
            http,
            graphql_url: format!("{base}/admin/api/{API_VERSION}/graphql.json"),
            access_token: config.access_token,
            shop: config.shop,
        })
    }

    async fn post(&self, body: &Value) -> Result<GraphqlResponse, ChannelError> {
        let response = self
            .http
            .post(&self.graphql_url)
            .header("X-Shopify-Access-Token", &self.access_token)
            .json(body)
            .send()
            .await
            .map_err(classify_send_error)?;
        let status = response.status();
        if status.as_u16() == 429 {
            return Err(ChannelError::Throttled { retry_after: retry_after(&response), rate: None });
        }
        if status.as_u16() == 401 || status.as_u16() == 403 {
            return Err(ChannelError::Auth(format!("HTTP {status}")));
        }
        if status.is_server_error() {
            return Err(ChannelError::Uncertain(format!("HTTP {status}")));
        }
        let bytes = read_bounded(response).await?;
        if !status.is_success() {
            let text = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).to_string();
            return Err(ChannelError::Refused(format!("HTTP {status}: {text}")));
        }
        let parsed: GraphqlResponse = serde_json::from_slice(&bytes)
            .map_err(|e| ChannelError::Uncertain(format!("unreadable response: {e}")))?;
        parsed.check_throttled()?;
        Ok(parsed)
    }
}

pub(crate) fn install_crypto_provider() {
    // reqwest is built without a bundled provider (see the workspace Cargo.toml); installing
    // twice is harmless, so every client tries.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

pub(crate) fn classify_send_error(error: reqwest::Error) -> ChannelError {
    if error.is_connect() {
        return ChannelError::Offline(root_cause(&error));
    }
    if error.is_timeout() {
        // Still "outcome unknown" for the engine; the prefix lets a connection test say
        // "timeout" rather than "no usable answer".
        return ChannelError::Uncertain(format!("{}: {}", crate::connect::TIMED_OUT, root_cause(&error)));
    }
    ChannelError::Uncertain(root_cause(&error))
}

pub(crate) fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message = format!("{message}: {cause}");
        source = cause.source();
    }
    message
}

pub(crate) fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    let raw = response.headers().get("retry-after")?.to_str().ok()?;
    let seconds: f64 = raw.trim().parse().ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds).min(MAX_RETRY_AFTER))
}

pub(crate) async fn read_bounded(mut response: reqwest::Response) -> Result<Vec<u8>, ChannelError> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| ChannelError::Uncertain(root_cause(&e)))? {
        if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(ChannelError::Uncertain(format!("response larger than {MAX_RESPONSE_BYTES} bytes")));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

impl Channel for ShopifyClient {
    fn kind(&self) -> ChannelKind {
        ChannelKind::Shopify
    }

    fn limits(&self) -> Limits {
        Limits { max_batch: MAX_QUANTITIES_PER_CALL, max_read: MAX_LEVELS_PER_READ }
    }

    fn push_cost(&self, _entries: usize) -> f64 {
        MUTATION_COST
    }

    fn read_cost(&self, entries: usize) -> f64 {
        1.0 + 3.0 * entries as f64
    }

    async fn push(&self, request: PushRequest<'_>) -> Result<Answer<PushOutcome>, ChannelError> {
        check_key(request.idempotency_key)?;
        if request.updates.is_empty() || request.updates.len() > MAX_QUANTITIES_PER_CALL {
            return Err(ChannelError::Config(format!(
                "a push carries 1 to {MAX_QUANTITIES_PER_CALL} quantities, got {}",
                request.updates.len()
            )));
        }
        let body =
            json!({ "query": set_mutation(request.idempotency_key), "variables": set_variables(&request)? });
        let response = self.post(&body).await?;
        Ok(Answer { value: push_outcome(&response)?, rate: response.rate() })
    }

    async fn read_levels(
        &self,
        listings: &[RemoteListing],
    ) -> Result<Answer<Vec<Option<i64>>>, ChannelError> {
        if listings.is_empty() || listings.len() > MAX_LEVELS_PER_READ {
            return Err(ChannelError::Config(format!(
                "a read covers 1 to {MAX_LEVELS_PER_READ} levels, got {}",
                listings.len()
            )));
        }
        let body = json!({ "query": read_query(listings.len()), "variables": read_variables(listings) });
        let response = self.post(&body).await?;
        Ok(Answer { value: levels(&response, listings.len())?, rate: response.rate() })
    }
}

pub use catalogue::PAGE as CATALOGUE_PAGE;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_the_access_token() {
        let config = ShopifyConfig {
            endpoint: "https://x.myshopify.com".into(),
            access_token: "shpat_do_not_print_me".into(),
            timeouts: Timeouts::default(),
            shop: None,
        };
        let printed = format!("{config:?}");
        assert!(!printed.contains("shpat_do_not_print_me"), "{printed}");
        assert!(printed.contains("<redacted>"), "{printed}");
    }
}
