//! Connection test and catalogue reads (`shop`, `locations`, `inventoryItems`, cursor-paged).

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
    let connection = data.get(field).filter(|c| !c.is_null()).ok_or_else(|| ConnectionFailure::Channel {
        status: None,
        message: format!("the answer has no {field}"),
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
                    crate::ChannelError::Throttled { rate: Some(rate), .. } if rate.restore_rate > 0.0 => {
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
            summary: format!("shop {name} ({domain}), {count} location{}", if count == 1 { "" } else { "s" }),
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
