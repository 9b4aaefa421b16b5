//! Sell Inventory: `bulkUpdatePriceQuantity`, `bulkGetInventoryItem`, `getInventoryItems` and
//! `getOffers`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{EbaySim, after_apply, error, errors, transport};

pub(super) async fn bulk_update(State(sim): State<EbaySim>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(refusal) = sim.with(|s| s.check_token(&headers)) {
        return refusal;
    }
    let fault = match transport(&sim) {
        Ok(fault) => fault,
        Err(response) => return response,
    };
    let answer = sim.with(|s| {
        if let Some(refusal) = s.charge() {
            return refusal;
        }
        let Ok(request) = serde_json::from_slice::<Value>(&body) else {
            return errors(
                StatusCode::BAD_REQUEST,
                25002,
                "API_INVENTORY",
                "REQUEST",
                "Could not serialize the request.",
            );
        };
        let entries = request.get("requests").and_then(Value::as_array).cloned().unwrap_or_default();
        if entries.is_empty() || entries.len() > 25 {
            return errors(
                StatusCode::BAD_REQUEST,
                25002,
                "API_INVENTORY",
                "REQUEST",
                "requests must hold 1 to 25 entries.",
            );
        }
        let mut skus = std::collections::HashSet::new();
        if !entries
            .iter()
            .all(|e| skus.insert(e.get("sku").and_then(Value::as_str).unwrap_or_default().to_string()))
        {
            return errors(
                StatusCode::BAD_REQUEST,
                25002,
                "API_INVENTORY",
                "REQUEST",
                "Duplicate SKU in requests.",
            );
        }
        s.stats.bulk_updates += 1;
        let responses: Vec<Value> = entries.iter().map(|e| s.update_entry(e)).collect();
        let failed = responses.iter().filter(|r| r["statusCode"] != 200).count() as u64;
        s.stats.entries_failed += failed;
        let status = if failed == 0 {
            StatusCode::OK
        } else {
            s.stats.partial_responses += 1;
            StatusCode::MULTI_STATUS
        };
        (status, Json(json!({ "responses": responses }))).into_response()
    });
    after_apply(&sim, fault, answer).await
}

pub(super) async fn bulk_get(State(sim): State<EbaySim>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(refusal) = sim.with(|s| s.check_token(&headers)) {
        return refusal;
    }
    sim.with(|s| {
        if let Some(refusal) = s.charge() {
            return refusal;
        }
        s.stats.reads += 1;
        let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let entries = request.get("requests").and_then(Value::as_array).cloned().unwrap_or_default();
        if entries.is_empty() || entries.len() > 25 {
            return errors(StatusCode::BAD_REQUEST, 25727, "API_INVENTORY", "REQUEST", "The number of SKUs exceeds the maximum of 25.");
        }
        let mut all_ok = true;
        let responses: Vec<Value> = entries
            .iter()
            .map(|e| {
                let sku = e.get("sku").and_then(Value::as_str).unwrap_or_default();
                match s.items.get(sku) {
                    Some(item) => json!({ "statusCode": 200, "sku": sku, "errors": [], "warnings": [],
                        "inventoryItem": { "sku": sku, "locale": "en_US", "condition": "NEW",
                            "availability": { "shipToLocationAvailability": { "quantity": item.ship,
                                "allocationByFormat": { "auction": 0, "fixedPrice": item.ship } } } } }),
                    None => {
                        all_ok = false;
                        json!({ "statusCode": 404, "sku": sku, "errors": [error(25702, "REQUEST", "SKU not found")], "warnings": [] })
                    }
                }
            })
            .collect();
        let status = if all_ok { StatusCode::OK } else { StatusCode::MULTI_STATUS };
        (status, Json(json!({ "responses": responses }))).into_response()
    })
}

#[derive(Deserialize)]
pub(super) struct InventoryQuery {
    #[serde(default)]
    limit: Option<String>,
    #[serde(default)]
    offset: Option<String>,
}

/// getInventoryItems: `limit` 1 to 200 (default 25) from `offset`, with `next` while more
/// remain, under the same per-second limit and daily quota as every call.
pub(super) async fn get_inventory_items(
    State(sim): State<EbaySim>,
    headers: HeaderMap,
    Query(query): Query<InventoryQuery>,
) -> Response {
    if let Some(refusal) = sim.with(|s| s.check_token(&headers)) {
        return refusal;
    }
    let parse = |raw: Option<&str>, default: usize| raw.map_or(Some(default), |v| v.parse::<usize>().ok());
    let (Some(limit), Some(offset)) = (parse(query.limit.as_deref(), 25), parse(query.offset.as_deref(), 0))
    else {
        return errors(
            StatusCode::BAD_REQUEST,
            25709,
            "API_INVENTORY",
            "REQUEST",
            "Invalid value for limit or offset.",
        );
    };
    if !(1..=200).contains(&limit) {
        return errors(
            StatusCode::BAD_REQUEST,
            25709,
            "API_INVENTORY",
            "REQUEST",
            "Invalid value for limit: 1 to 200.",
        );
    }
    sim.with(|s| {
        if let Some(refusal) = s.charge() {
            return refusal;
        }
        s.stats.reads += 1;
        let total = s.items.len();
        let items: Vec<Value> = s
            .items
            .iter()
            .skip(offset)
            .take(limit)
            .map(|(sku, item)| {
                json!({ "sku": sku, "locale": "en_US", "condition": "NEW",
                    "product": { "title": format!("Simulated {sku}") },
                    "availability": { "shipToLocationAvailability": { "quantity": item.ship } } })
            })
            .collect();
        let href = |o: usize| format!("/sell/inventory/v1/inventory_item?limit={limit}&offset={o}");
        let mut body = json!({ "href": href(offset), "limit": limit, "size": items.len(), "total": total,
            "inventoryItems": items });
        if offset + limit < total {
            body["next"] = json!(href(offset + limit));
        }
        if offset > 0 {
            body["prev"] = json!(href(offset.saturating_sub(limit)));
        }
        Json(body).into_response()
    })
}

#[derive(Deserialize)]
pub(super) struct OfferQuery {
    sku: String,
}

pub(super) async fn get_offers(
    State(sim): State<EbaySim>,
    headers: HeaderMap,
    Query(query): Query<OfferQuery>,
) -> Response {
    if let Some(refusal) = sim.with(|s| s.check_token(&headers)) {
        return refusal;
    }
    sim.with(|s| {
        if let Some(refusal) = s.charge() {
            return refusal;
        }
        s.stats.offer_lookups += 1;
        match s.items.get(&query.sku) {
            Some(item) => Json(json!({ "total": 1, "size": 1, "limit": 25, "offset": 0, "offers": [{
                "offerId": item.offer_id, "sku": query.sku, "marketplaceId": "EBAY_US", "format": "FIXED_PRICE",
                "availableQuantity": item.offer, "status": "PUBLISHED" }] }))
            .into_response(),
            None => errors(StatusCode::NOT_FOUND, 25713, "API_INVENTORY", "REQUEST", "This Offer is not available."),
        }
    })
}
