//! The Listings Items API (`patchListingsItem`, `getListingsItem`, `searchListingsItems`) and
//! FBA `getInventorySummaries`.

use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use rand::Rng;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{
    AmazonApplied, AmazonSim, AmazonState, after_apply, error_list, quota_exceeded, transport, with_rate,
};

#[derive(Deserialize)]
pub(super) struct ItemQuery {
    #[serde(rename = "marketplaceIds", default)]
    marketplace_ids: Option<String>,
}

/// The answer for one patch body: (status, issues) with issues in the spec's `Issue` shape.
pub(super) fn validate_patch(body: &Value) -> Result<i64, Value> {
    let invalid = |code: &str, message: &str, attribute: &str| json!({ "code": code, "message": message, "severity": "ERROR", "attributeNames": [attribute], "categories": ["INVALID_ATTRIBUTE"] });
    if body.get("productType").and_then(Value::as_str).is_none() {
        return Err(invalid("90000900", "The attributes are invalid.", "productType"));
    }
    let Some([patch]) = body.get("patches").and_then(Value::as_array).map(Vec::as_slice) else {
        return Err(invalid("90000900", "The attributes are invalid.", "patches"));
    };
    let path = patch.get("path").and_then(Value::as_str).unwrap_or_default();
    if path != "/attributes/fulfillment_availability" {
        let name = path.trim_start_matches("/attributes/");
        return Err(invalid("90000900", "The attributes are invalid.", name));
    }
    let op = patch.get("op").and_then(Value::as_str).unwrap_or_default();
    if !matches!(op, "add" | "replace" | "merge") {
        return Err(invalid("90000900", "The attributes are invalid.", "fulfillment_availability"));
    }
    let Some(values) = patch.get("value").and_then(Value::as_array) else {
        return Err(invalid(
            "4000001",
            "'fulfillment_availability' does not have enough values.",
            "fulfillment_availability",
        ));
    };
    let default =
        values.iter().find(|v| v.get("fulfillment_channel_code").and_then(Value::as_str) == Some("DEFAULT"));
    let Some(quantity) = default.and_then(|v| v.get("quantity")).and_then(Value::as_i64) else {
        return Err(invalid(
            "4000001",
            "'fulfillment_availability' does not have enough values.",
            "fulfillment_availability",
        ));
    };
    if quantity < 0 {
        return Err(invalid(
            "4000003",
            "The value for 'quantity' must be 0 or more.",
            "fulfillment_availability",
        ));
    }
    Ok(quantity)
}

fn submission(sku: &str, status: &str, serial: u64, issues: Vec<Value>) -> Value {
    json!({ "sku": sku, "status": status, "submissionId": format!("sim-{serial:08x}"), "issues": issues })
}

pub(super) async fn patch_item(
    State(sim): State<AmazonSim>,
    Path((seller, sku)): Path<(String, String)>,
    Query(query): Query<ItemQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refusal) = sim.with(|s| s.check_token(&headers)) {
        return refusal;
    }
    let fault = match transport(&sim) {
        Ok(fault) => fault,
        Err(response) => return response,
    };
    let answer = sim.with(|s| -> Result<(Value, f64), Response> {
        if !s.patch_bucket.take() {
            s.stats.too_many_requests += 1;
            return Err(quota_exceeded(Some(s.config.patch_rate)));
        }
        if s.rng.random::<f64>() < s.amazon_faults.quota_exceeded {
            s.stats.too_many_requests += 1;
            return Err(quota_exceeded(Some(s.config.patch_rate)));
        }
        if seller != s.config.seller_id || query.marketplace_ids.as_deref().is_none_or(str::is_empty) {
            return Err(error_list(StatusCode::BAD_REQUEST, "BAD_REQUEST", "Invalid parameters provided."));
        }
        let Ok(body) = serde_json::from_slice::<Value>(&body) else {
            return Err(error_list(StatusCode::BAD_REQUEST, "BAD_REQUEST", "Invalid input"));
        };
        s.stats.patches += 1;
        let serial = s.stats.patches;
        let rate = s.config.patch_rate;
        let known = s.listings.contains_key(&sku) || !s.config.strict_skus;
        let validated = if known {
            validate_patch(&body)
        } else {
            Err(json!({ "code": "90220", "message": format!("SKU '{sku}' is not a listing of this seller."), "severity": "ERROR", "categories": ["INVALID_ATTRIBUTE"] }))
        };
        let validated = match validated {
            Ok(_) if s.rng.random::<f64>() < s.amazon_faults.invalid => Err(json!({
                "code": "8541", "message": "Simulated: the listing data conflicts with the catalogue.",
                "severity": "ERROR", "categories": ["CONFLICTING_VALUE"]
            })),
            other => other,
        };
        match validated {
            Err(issue) => {
                s.stats.invalid += 1;
                Ok((submission(&sku, "INVALID", serial, vec![issue]), rate))
            }
            Ok(quantity) => {
                s.stats.accepted += 1;
                if s.rng.random::<f64>() < s.amazon_faults.silent_drop {
                    s.stats.silent_drops += 1;
                } else {
                    s.listings.entry(sku.clone()).or_insert((0, 0)).0 = quantity;
                    let at_ms = s.started.elapsed().as_millis() as u64;
                    if s.log.len() < s.config.log_limit {
                        s.log.push(AmazonApplied { sku: sku.clone(), quantity, at_ms });
                    }
                }
                Ok((submission(&sku, "ACCEPTED", serial, vec![]), rate))
            }
        }
    });
    match answer {
        Err(response) => response,
        Ok((value, rate)) => after_apply(&sim, fault, with_rate(Json(value).into_response(), rate)).await,
    }
}

fn item_json(sku: &str, quantity: i64) -> Value {
    json!({
        "sku": sku,
        "fulfillmentAvailability": [{ "fulfillmentChannelCode": "DEFAULT", "quantity": quantity }],
    })
}

pub(super) async fn get_item(
    State(sim): State<AmazonSim>,
    Path((_seller, sku)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = sim.with(|s| s.check_token(&headers)) {
        return refusal;
    }
    sim.with(|s| {
        if !s.search_bucket.take() {
            s.stats.too_many_requests += 1;
            return quota_exceeded(Some(s.config.search_rate));
        }
        match s.quantity(&sku) {
            Some(q) => Json(item_json(&sku, q)).into_response(),
            None => {
                error_list(StatusCode::NOT_FOUND, "NOT_FOUND", "The requested listings item was not found.")
            }
        }
    })
}

#[derive(Deserialize)]
pub(super) struct SearchQuery {
    #[serde(default)]
    identifiers: Option<String>,
    #[serde(rename = "pageSize", default)]
    page_size: Option<usize>,
    #[serde(rename = "pageToken", default)]
    page_token: Option<String>,
    #[serde(rename = "includedData", default)]
    included_data: Option<String>,
}

/// A listing as searchListingsItems returns it with `includedData=summaries`.
fn summary_json(sku: &str, quantity: i64, marketplace: &str) -> Value {
    json!({
        "sku": sku,
        "summaries": [{
            "marketplaceId": marketplace, "asin": "B000SIM", "productType": "PRODUCT",
            "conditionType": "new_new", "status": ["BUYABLE"], "itemName": format!("Simulated {sku}"),
            "createdDate": "2026-01-01T00:00:00Z", "lastUpdatedDate": "2026-01-01T00:00:00Z",
        }],
        "fulfillmentAvailability": [{ "fulfillmentChannelCode": "DEFAULT", "quantity": quantity }],
    })
}

/// searchListingsItems without identifiers: the seller's listings, `pageSize` (1 to 20,
/// default 10) a page, `pagination.nextToken` naming the next page.
fn seller_page(s: &AmazonState, query: &SearchQuery, marketplace: &str) -> Result<Value, Response> {
    let size = query.page_size.unwrap_or(10);
    let start = match query.page_token.as_deref() {
        None => 0,
        Some(token) => token
            .strip_prefix("sim-page-")
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n <= s.listings.len())
            .ok_or_else(|| error_list(StatusCode::BAD_REQUEST, "InvalidInput", "Invalid pageToken."))?,
    };
    let items: Vec<Value> = s
        .listings
        .iter()
        .skip(start)
        .take(size)
        .map(|(sku, (q, _))| {
            if query.included_data.as_deref().is_some_and(|d| d.contains("summaries")) {
                summary_json(sku, *q, marketplace)
            } else {
                item_json(sku, *q)
            }
        })
        .collect();
    let end = start + items.len();
    let mut pagination = json!({});
    if end < s.listings.len() {
        pagination["nextToken"] = json!(format!("sim-page-{end}"));
    }
    if start > 0 {
        pagination["previousToken"] = json!(format!("sim-page-{}", start.saturating_sub(size)));
    }
    Ok(json!({ "numberOfResults": s.listings.len(), "pagination": pagination, "items": items }))
}

pub(super) async fn search_items(
    State(sim): State<AmazonSim>,
    Path(seller): Path<String>,
    Query(marketplace): Query<ItemQuery>,
    Query(query): Query<SearchQuery>,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = sim.with(|s| s.check_token(&headers)) {
        return refusal;
    }
    sim.with(|s| {
        if !s.search_bucket.take() {
            s.stats.too_many_requests += 1;
            return quota_exceeded(Some(s.config.search_rate));
        }
        s.stats.searches += 1;
        let skus: Vec<String> = query
            .identifiers
            .clone()
            .unwrap_or_default()
            .split(',')
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect();
        if skus.len() > 20 || query.page_size.is_some_and(|p| p > 20 || p == 0) {
            return error_list(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "At most 20 identifiers and pageSize 1 to 20.",
            );
        }
        // Another seller's id: refused as the real API refuses a seller the token cannot act for.
        if seller != s.config.seller_id {
            return error_list(
                StatusCode::BAD_REQUEST,
                "InvalidInput",
                "Invalid sellerId for this application.",
            );
        }
        if skus.is_empty() {
            let marketplace_id = marketplace.marketplace_ids.clone().unwrap_or_default();
            return match seller_page(s, &query, &marketplace_id) {
                Ok(page) => with_rate(Json(page).into_response(), s.config.search_rate),
                Err(refusal) => refusal,
            };
        }
        let items: Vec<Value> =
            skus.iter().filter_map(|sku| s.quantity(sku).map(|q| item_json(sku, q))).collect();
        with_rate(
            Json(json!({ "numberOfResults": items.len(), "pagination": {}, "items": items })).into_response(),
            s.config.search_rate,
        )
    })
}

#[derive(Deserialize)]
pub(super) struct FbaQuery {
    #[serde(rename = "sellerSkus", default)]
    seller_skus: Option<String>,
    #[serde(rename = "nextToken", default)]
    next_token: Option<String>,
    #[serde(default)]
    details: Option<bool>,
}

/// FBA `getInventorySummaries`, two summaries per page so paging is exercised; a `nextToken`
/// older than its time to live is refused.
pub(super) async fn fba_summaries(
    State(sim): State<AmazonSim>,
    Query(query): Query<FbaQuery>,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = sim.with(|s| s.check_token(&headers)) {
        return refusal;
    }
    sim.with(|s| {
        let skus: Vec<String> =
            query.seller_skus.unwrap_or_default().split(',').filter(|v| !v.is_empty()).map(str::to_string).collect();
        if skus.len() > 50 {
            return error_list(StatusCode::BAD_REQUEST, "InvalidInput", "At most 50 sellerSkus.");
        }
        let offset = match query.next_token.as_deref() {
            None => 0,
            Some(token) => match s.next_tokens.get(token) {
                Some((offset, at)) if at.elapsed() < s.next_token_ttl => *offset,
                _ => return error_list(StatusCode::BAD_REQUEST, "InvalidInput", "The nextToken has expired."),
            },
        };
        let known: Vec<&String> = skus.iter().filter(|k| s.fba.contains_key(*k)).collect();
        let page: Vec<Value> = known
            .iter()
            .skip(offset)
            .take(2)
            .map(|sku| {
                let (fulfillable, reserved) = s.fba[*sku];
                let mut summary = json!({ "sellerSku": sku, "fnSku": format!("X00{sku}"), "asin": "B000SIM", "condition": "NewItem",
                    "productName": sku, "totalQuantity": fulfillable + reserved, "stores": [] });
                if query.details == Some(true) {
                    summary["inventoryDetails"] = json!({ "fulfillableQuantity": fulfillable,
                        "reservedQuantity": { "totalReservedQuantity": reserved } });
                }
                summary
            })
            .collect();
        let mut pagination = json!({});
        if offset + 2 < known.len() {
            let token = format!("sim-next-{}-{}", offset + 2, s.next_tokens.len());
            s.next_tokens.insert(token.clone(), (offset + 2, Instant::now()));
            pagination = json!({ "nextToken": token });
        }
        Json(json!({ "payload": { "granularity": { "granularityType": "Marketplace", "granularityId": "ATVPDKIKX0DER" },
            "inventorySummaries": page }, "pagination": pagination })).into_response()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case_path_and_missing_channel_code_are_invalid() {
        let good = json!({"productType":"PRODUCT","patches":[{"op":"replace","path":"/attributes/fulfillment_availability","value":[{"fulfillment_channel_code":"DEFAULT","quantity":3}]}]});
        assert_eq!(validate_patch(&good), Ok(3));
        let camel = json!({"productType":"PRODUCT","patches":[{"op":"replace","path":"/attributes/fulfillmentAvailability","value":[{"fulfillment_channel_code":"DEFAULT","quantity":3}]}]});
        assert_eq!(validate_patch(&camel).unwrap_err()["code"], "90000900");
        let no_code = json!({"productType":"PRODUCT","patches":[{"op":"replace","path":"/attributes/fulfillment_availability","value":[{"quantity":3}]}]});
        assert!(validate_patch(&no_code).is_err());
    }
}
