//! Shopify Admin GraphQL, API version 2026-04: `inventorySetQuantities` with compare-and-set
//! (`changeFromQuantity`, always present) and a mandatory `@idempotent(key:)`, and a batched
//! read of `available` levels.
//!
//! Pitfalls handled here (shared/reference/channel-apis.md §1, §5): THROTTLED arrives as
//! HTTP 200; `changeFromQuantity: null` must be sent explicitly, never omitted; the cost bucket
//! is read from `extensions.cost.throttleStatus`, not hard-coded.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::{
    Answer, Channel, ChannelError, ChannelKind, Limits, PushOutcome, PushRequest, QuantityUpdate, RateStatus,
    Rejection, RejectionKind, RemoteListing, Timeouts,
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

/// Keys go into the query text as a literal, so only characters that cannot break out of a
/// GraphQL string are allowed. UUIDs qualify.
fn check_key(key: &str) -> Result<(), ChannelError> {
    let safe =
        !key.is_empty() && key.len() <= 64 && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if safe { Ok(()) } else { Err(ChannelError::Config(format!("unsafe idempotency key '{key}'"))) }
}

fn set_mutation(key: &str) -> String {
    format!(
        "mutation SetQuantities($input: InventorySetQuantitiesInput!) {{ \
         inventorySetQuantities(input: $input) @idempotent(key: \"{key}\") {{ \
         inventoryAdjustmentGroup {{ id }} userErrors {{ code field message }} }} }}"
    )
}

/// The wire form of one quantity. `change_from_quantity` has no `skip_serializing_if`: from
/// 2026-04 the field is mandatory and an omitted one is an error, while `null` opts out of
/// compare-and-set (channel-apis.md pitfall 2).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct QuantityInput<'a> {
    inventory_item_id: &'a str,
    location_id: &'a str,
    quantity: i64,
    change_from_quantity: Option<i64>,
}

fn set_variables(request: &PushRequest<'_>) -> Result<Value, ChannelError> {
    let quantities: Vec<QuantityInput<'_>> =
        request.updates.iter().map(quantity_input).collect::<Result<_, _>>()?;
    Ok(json!({
        "input": {
            "name": "available",
            "reason": "correction",
            "referenceDocumentUri": request.reference,
            "quantities": quantities,
        }
    }))
}

fn quantity_input(update: &QuantityUpdate) -> Result<QuantityInput<'_>, ChannelError> {
    let location = update.listing.location.as_deref().ok_or_else(|| {
        ChannelError::Config(format!("Shopify listing {} has no location GID", update.listing.item))
    })?;
    Ok(QuantityInput {
        inventory_item_id: &update.listing.item,
        location_id: location,
        quantity: update.quantity,
        change_from_quantity: update.change_from,
    })
}

/// The batched read: one aliased `inventoryItem { inventoryLevel }` per listing, ids passed as
/// variables so nothing user-supplied is spliced into the query text.
fn read_query(count: usize) -> String {
    let params: Vec<String> = (0..count).map(|i| format!("$i{i}: ID!, $l{i}: ID!")).collect();
    let fields: Vec<String> = (0..count)
        .map(|i| {
            format!(
                "l{i}: inventoryItem(id: $i{i}) {{ inventoryLevel(locationId: $l{i}) {{ \
                 quantities(names: [\"available\"]) {{ name quantity }} }} }}"
            )
        })
        .collect();
    format!("query Levels({}) {{ {} }}", params.join(", "), fields.join(" "))
}

fn read_variables(listings: &[RemoteListing]) -> Value {
    let mut variables = serde_json::Map::new();
    for (i, listing) in listings.iter().enumerate() {
        variables.insert(format!("i{i}"), json!(listing.item));
        variables.insert(format!("l{i}"), json!(listing.location));
    }
    Value::Object(variables)
}

#[derive(Deserialize)]
struct GraphqlResponse {
    #[serde(default)]
    data: Option<Value>,
    #[serde(default)]
    errors: Vec<GraphqlError>,
    #[serde(default)]
    extensions: Option<Extensions>,
}

#[derive(Deserialize)]
struct GraphqlError {
    #[serde(default)]
    message: String,
    #[serde(default)]
    extensions: Option<ErrorExtensions>,
}

#[derive(Deserialize)]
struct ErrorExtensions {
    #[serde(default)]
    code: Option<String>,
}

#[derive(Deserialize)]
struct Extensions {
    cost: Option<Cost>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Cost {
    requested_query_cost: Option<f64>,
    actual_query_cost: Option<f64>,
    throttle_status: ThrottleStatus,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ThrottleStatus {
    maximum_available: f64,
    currently_available: f64,
    restore_rate: f64,
}

#[derive(Deserialize)]
struct UserError {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    field: Option<Vec<String>>,
    #[serde(default)]
    message: String,
}

impl GraphqlResponse {
    fn rate(&self) -> Option<RateStatus> {
        let cost = self.extensions.as_ref()?.cost.as_ref()?;
        Some(RateStatus {
            requested_cost: cost.requested_query_cost,
            actual_cost: cost.actual_query_cost,
            maximum: cost.throttle_status.maximum_available,
            available: cost.throttle_status.currently_available,
            restore_rate: cost.throttle_status.restore_rate,
        })
    }

    fn check_throttled(&self) -> Result<(), ChannelError> {
        let throttled = self
            .errors
            .iter()
            .any(|e| e.extensions.as_ref().and_then(|x| x.code.as_deref()) == Some("THROTTLED"));
        if throttled {
            return Err(ChannelError::Throttled { retry_after: None, rate: self.rate() });
        }
        Ok(())
    }

    /// Top-level errors without data: the request as a whole was refused.
    fn refused(&self) -> Option<ChannelError> {
        if self.data.as_ref().is_some_and(|d| !d.is_null()) || self.errors.is_empty() {
            return None;
        }
        let messages: Vec<&str> = self.errors.iter().map(|e| e.message.as_str()).collect();
        let auth = self.errors.iter().any(|e| {
            matches!(
                e.extensions.as_ref().and_then(|x| x.code.as_deref()),
                Some("ACCESS_DENIED" | "UNAUTHORIZED")
            )
        });
        let message = messages.join("; ");
        Some(if auth { ChannelError::Auth(message) } else { ChannelError::Refused(message) })
    }
}

/// Maps Shopify's `InventorySetQuantitiesUserErrorCode` onto what the engine does next.
pub fn rejection_kind(code: &str) -> RejectionKind {
    match code {
        "CHANGE_FROM_QUANTITY_STALE" | "COMPARE_QUANTITY_STALE" => RejectionKind::Stale,
        "IDEMPOTENCY_CONCURRENT_REQUEST" => RejectionKind::InFlight,
        "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED" | "IDEMPOTENCY_KEY_PARAMETER_MISMATCH" => {
            RejectionKind::NewKeyNeeded
        }
        "INVALID_INVENTORY_ITEM"
        | "INVALID_LOCATION"
        | "ITEM_NOT_STOCKED_AT_LOCATION"
        | "NON_MUTABLE_INVENTORY_ITEM"
        | "INVALID_QUANTITY_NEGATIVE"
        | "INVALID_QUANTITY_TOO_HIGH"
        | "INVALID_QUANTITY_TOO_LOW"
        | "INVALID_NAME"
        | "INVALID_REASON"
        | "INVALID_REFERENCE_DOCUMENT"
        | "COMPARE_QUANTITY_REQUIRED"
        | "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR" => RejectionKind::Permanent,
        _ => RejectionKind::Temporary,
    }
}

/// `field: ["input", "quantities", "3", "changeFromQuantity"]` names update 3.
fn update_index(field: Option<&[String]>) -> Option<usize> {
    let field = field?;
    let at = field.iter().position(|f| f == "quantities")?;
    field.get(at + 1)?.parse().ok()
}

fn push_outcome(response: &GraphqlResponse) -> Result<PushOutcome, ChannelError> {
    if let Some(error) = response.refused() {
        return Err(error);
    }
    let payload =
        response.data.as_ref().and_then(|d| d.get("inventorySetQuantities")).ok_or_else(|| {
            ChannelError::Uncertain("response has no inventorySetQuantities payload".into())
        })?;
    let user_errors: Vec<UserError> =
        serde_json::from_value(payload.get("userErrors").cloned().unwrap_or(json!([])))
            .map_err(|e| ChannelError::Uncertain(format!("unreadable userErrors: {e}")))?;
    if user_errors.is_empty() {
        return Ok(PushOutcome::Applied);
    }
    let rejections = user_errors
        .into_iter()
        .map(|e| {
            let code = e.code.unwrap_or_else(|| "UNKNOWN".into());
            Rejection {
                index: update_index(e.field.as_deref()),
                kind: rejection_kind(&code),
                code,
                message: e.message,
            }
        })
        .collect();
    Ok(PushOutcome::Rejected(rejections))
}

fn levels(response: &GraphqlResponse, count: usize) -> Result<Vec<Option<i64>>, ChannelError> {
    if let Some(error) = response.refused() {
        return Err(error);
    }
    let data =
        response.data.as_ref().ok_or_else(|| ChannelError::Uncertain("read returned no data".into()))?;
    Ok((0..count)
        .map(|i| {
            data.get(format!("l{i}"))?
                .get("inventoryLevel")?
                .get("quantities")?
                .as_array()?
                .iter()
                .find(|q| q.get("name").and_then(Value::as_str) == Some("available"))?
                .get("quantity")?
                .as_i64()
        })
        .collect())
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

    #[test]
    fn change_from_quantity_is_sent_as_null_not_omitted() {
        let updates = [QuantityUpdate {
            listing: RemoteListing {
                item: "gid://shopify/InventoryItem/1".into(),
                location: Some("gid://shopify/Location/2".into()),
            },
            quantity: 5,
            change_from: None,
        }];
        let request =
            PushRequest { idempotency_key: "k-1", reference: "gid://shelfsync/Sync/1", updates: &updates };
        let variables = set_variables(&request).unwrap();
        let entry = &variables["input"]["quantities"][0];
        assert!(entry.as_object().unwrap().contains_key("changeFromQuantity"));
        assert!(entry["changeFromQuantity"].is_null());
    }

    #[test]
    fn keys_that_could_break_the_query_are_refused() {
        for (key, ok) in
            [("0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", true), ("a\"b", false), ("", false), ("a b", false)]
        {
            assert_eq!(check_key(key).is_ok(), ok, "{key:?}");
        }
    }

    #[test]
    fn throttled_as_200_is_a_throttle() {
        let body = r#"{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED"}}],
            "extensions":{"cost":{"requestedQueryCost":752,"actualQueryCost":null,
            "throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":12,"restoreRate":100.0}}}}"#;
        let parsed: GraphqlResponse = serde_json::from_str(body).unwrap();
        let Err(ChannelError::Throttled { rate: Some(rate), .. }) = parsed.check_throttled() else {
            panic!("not a throttle");
        };
        assert_eq!(rate.available, 12.0);
        assert_eq!(rate.restore_rate, 100.0);
    }

    #[test]
    fn user_errors_name_their_update_and_kind() {
        let body = r#"{"data":{"inventorySetQuantities":{"inventoryAdjustmentGroup":null,"userErrors":[
            {"code":"CHANGE_FROM_QUANTITY_STALE","field":["input","quantities","3","changeFromQuantity"],"message":"stale"},
            {"code":"INVALID_INVENTORY_ITEM","field":["input","quantities","0","inventoryItemId"],"message":"bad"},
            {"code":"SOMETHING_NEW","field":null,"message":"?"}]}}}"#;
        let parsed: GraphqlResponse = serde_json::from_str(body).unwrap();
        let PushOutcome::Rejected(rejections) = push_outcome(&parsed).unwrap() else {
            panic!("not rejected")
        };
        let got: Vec<(Option<usize>, RejectionKind)> = rejections.iter().map(|r| (r.index, r.kind)).collect();
        assert_eq!(
            got,
            vec![
                (Some(3), RejectionKind::Stale),
                (Some(0), RejectionKind::Permanent),
                (None, RejectionKind::Temporary)
            ]
        );
    }

    #[test]
    fn read_levels_parse_missing_items_as_none() {
        let body = r#"{"data":{"l0":{"inventoryLevel":{"quantities":[{"name":"available","quantity":7}]}},
            "l1":null,"l2":{"inventoryLevel":null}}}"#;
        let parsed: GraphqlResponse = serde_json::from_str(body).unwrap();
        assert_eq!(levels(&parsed, 3).unwrap(), vec![Some(7), None, None]);
    }
}

/// Connection test and catalogue reads (`shop`, `locations`, `inventoryItems`, cursor-paged).
mod catalogue {
    use std::time::Duration;

    use serde_json::{Value, json};

    use super::{GraphqlResponse, ShopifyClient, classify_send_error, read_bounded};
    use crate::connect::{MAX_CATALOGUE, MAX_THROTTLE_WAIT};
    use crate::{Catalogue, CatalogueEntry, Connected, ConnectionFailure, RemoteLocation};

    /// Nodes per page: Shopify's array maximum. A page of ids and SKUs costs about 252 points
    /// (2 for the connection, 1 per node), an eighth of the Standard bucket.
    pub const PAGE: usize = 250;

    /// Throttles waited out in a row before a read gives up.
    const MAX_THROTTLES: u32 = 8;

    const SHOP_QUERY: &str = "query Shop($first: Int!, $after: String) { shop { name myshopifyDomain } \
         locations(first: $first, after: $after) { nodes { id name } pageInfo { hasNextPage endCursor } } }";
    const LOCATIONS_QUERY: &str = "query Locations($first: Int!, $after: String) { \
         locations(first: $first, after: $after) { nodes { id name } pageInfo { hasNextPage endCursor } } }";
    const ITEMS_QUERY: &str = "query Items($first: Int!, $after: String) { \
         inventoryItems(first: $first, after: $after) { nodes { id sku } pageInfo { hasNextPage endCursor } } }";

    /// What a page's cost means for the next call: wait until the bucket holds `next_cost`.
    fn pace(response: &GraphqlResponse, next_cost: f64) -> Duration {
        let Some(rate) = response.rate() else { return Duration::ZERO };
        if rate.available >= next_cost || rate.restore_rate <= 0.0 {
            return Duration::ZERO;
        }
        Duration::from_secs_f64(((next_cost - rate.available) / rate.restore_rate).min(60.0))
    }

    fn connection_page<'a>(
        data: &'a Value,
        field: &str,
    ) -> Result<(&'a [Value], Option<String>), ConnectionFailure> {
        let connection = data.get(field).filter(|c| !c.is_null()).ok_or_else(|| {
            ConnectionFailure::Channel { status: None, message: format!("the answer has no {field}") }
        })?;
        let nodes = connection.get("nodes").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
        let more = connection.pointer("/pageInfo/hasNextPage").and_then(Value::as_bool) == Some(true);
        let cursor = connection.pointer("/pageInfo/endCursor").and_then(Value::as_str).map(str::to_string);
        Ok((nodes, if more { cursor } else { None }))
    }

    fn locations_of(nodes: &[Value]) -> Vec<RemoteLocation> {
        nodes
            .iter()
            .filter_map(|n| {
                Some(RemoteLocation {
                    id: n.get("id")?.as_str()?.to_string(),
                    name: n.get("name").and_then(Value::as_str).unwrap_or_default().to_string(),
                })
            })
            .collect()
    }

    impl ShopifyClient {
        /// One query, its HTTP status read as a connection test reads it. Throttles (HTTP 200
        /// THROTTLED, or 429) are waited out a few times: a catalogue read is not the engine's
        /// hot path, and a person is waiting for its answer.
        async fn query(&self, query: &str, variables: Value) -> Result<GraphqlResponse, ConnectionFailure> {
            let body = json!({ "query": query, "variables": variables });
            for _ in 0..MAX_THROTTLES {
                let response = self
                    .http
                    .post(&self.graphql_url)
                    .header("X-Shopify-Access-Token", &self.access_token)
                    .json(&body)
                    .send()
                    .await
                    .map_err(|e| ConnectionFailure::from(classify_send_error(e)))?;
                let status = response.status().as_u16();
                if status == 429 {
                    let wait = super::retry_after(&response).unwrap_or(Duration::from_secs(2));
                    tokio::time::sleep(wait.min(MAX_THROTTLE_WAIT)).await;
                    continue;
                }
                let bytes = read_bounded(response).await.map_err(ConnectionFailure::from)?;
                let text = || String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).trim().to_string();
                match status {
                    401 | 403 => {
                        return Err(ConnectionFailure::Unauthorized(format!(
                            "HTTP {status}: wrong or revoked access token, or it lacks the inventory and location scopes"
                        )));
                    }
                    404 => {
                        return Err(ConnectionFailure::NotFound(format!(
                            "no Shopify shop answers at {} (HTTP 404): check the endpoint and shop",
                            self.graphql_url
                        )));
                    }
                    s if !(200..300).contains(&s) => {
                        return Err(ConnectionFailure::Channel { status: Some(s), message: text() });
                    }
                    _ => {}
                }
                let parsed: GraphqlResponse =
                    serde_json::from_slice(&bytes).map_err(|e| ConnectionFailure::Channel {
                        status: Some(status),
                        message: format!("unreadable answer: {e}"),
                    })?;
                if let Err(throttled) = parsed.check_throttled() {
                    let wait = match &throttled {
                        crate::ChannelError::Throttled { rate: Some(rate), .. }
                            if rate.restore_rate > 0.0 =>
                        {
                            let need = rate.requested_cost.unwrap_or(rate.maximum / 2.0) - rate.available;
                            Duration::from_secs_f64((need.max(1.0) / rate.restore_rate).min(60.0))
                        }
                        _ => Duration::from_secs(1),
                    };
                    tokio::time::sleep(wait.min(MAX_THROTTLE_WAIT)).await;
                    continue;
                }
                if let Some(error) = parsed.refused() {
                    return Err(ConnectionFailure::from(error));
                }
                return Ok(parsed);
            }
            Err(ConnectionFailure::Throttled)
        }

        /// Every location of the shop, following `after` from `first_page` when it has more.
        async fn remaining_locations(
            &self,
            mut locations: Vec<RemoteLocation>,
            mut cursor: Option<String>,
        ) -> Result<Vec<RemoteLocation>, ConnectionFailure> {
            while let Some(after) = cursor.take() {
                let response = self.query(LOCATIONS_QUERY, json!({ "first": PAGE, "after": after })).await?;
                let data = response.data.clone().unwrap_or(Value::Null);
                let (nodes, next) = connection_page(&data, "locations")?;
                locations.extend(locations_of(nodes));
                if locations.len() > MAX_CATALOGUE {
                    return Err(ConnectionFailure::Channel {
                        status: None,
                        message: format!("more than {MAX_CATALOGUE} locations"),
                    });
                }
                tokio::time::sleep(pace(&response, 2.0 + PAGE as f64)).await;
                cursor = next;
            }
            Ok(locations)
        }

        /// An authenticated read of the shop and its locations. Checks that the token reaches
        /// the shop this channel was set up for.
        pub async fn test_connection(&self) -> Result<Connected, ConnectionFailure> {
            let response = self.query(SHOP_QUERY, json!({ "first": PAGE, "after": null })).await?;
            let data = response.data.clone().unwrap_or(Value::Null);
            let name = data.pointer("/shop/name").and_then(Value::as_str).unwrap_or_default().to_string();
            let domain =
                data.pointer("/shop/myshopifyDomain").and_then(Value::as_str).unwrap_or_default().to_string();
            if let Some(expected) = &self.shop
                && !expected.eq_ignore_ascii_case(&domain)
            {
                return Err(ConnectionFailure::NotFound(format!(
                    "shop {expected} is not the one at this endpoint: the token reaches {}",
                    if domain.is_empty() { "an unnamed shop" } else { &domain }
                )));
            }
            let (nodes, next) = connection_page(&data, "locations")?;
            let locations = self.remaining_locations(locations_of(nodes), next).await?;
            let count = locations.len();
            Ok(Connected {
                summary: format!(
                    "shop {name} ({domain}), {count} location{}",
                    if count == 1 { "" } else { "s" }
                ),
                account: Some(domain),
                locations,
            })
        }

        /// The shop's inventory items (id and SKU) and locations, every page.
        pub async fn catalogue(&self) -> Result<Catalogue, ConnectionFailure> {
            let connected = self.test_connection().await?;
            let mut catalogue = Catalogue { locations: connected.locations, ..Catalogue::default() };
            let mut after: Option<String> = None;
            loop {
                let response = self.query(ITEMS_QUERY, json!({ "first": PAGE, "after": after })).await?;
                catalogue.pages += 1;
                let data = response.data.clone().unwrap_or(Value::Null);
                let (nodes, next) = connection_page(&data, "inventoryItems")?;
                for node in nodes {
                    let Some(id) = node.get("id").and_then(Value::as_str) else { continue };
                    let sku = node.get("sku").and_then(Value::as_str).unwrap_or_default();
                    catalogue.entries.push(CatalogueEntry { sku: sku.to_string(), item: id.to_string() });
                }
                if catalogue.entries.len() > MAX_CATALOGUE {
                    return Err(ConnectionFailure::Channel {
                        status: None,
                        message: format!("more than {MAX_CATALOGUE} inventory items"),
                    });
                }
                match next {
                    Some(cursor) => {
                        tokio::time::sleep(pace(&response, 2.0 + PAGE as f64)).await;
                        after = Some(cursor);
                    }
                    None => return Ok(catalogue),
                }
            }
        }
    }
}

pub use catalogue::PAGE as CATALOGUE_PAGE;
