//! The Orders API: `getOrders` with `NextToken` paging, `getOrderItems`, `getOrder`, and the
//! simulated orders behind them, placed and cancelled through the admin endpoints.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{AmazonSim, AmazonState, error_list, quota_exceeded, with_rate};

/// Orders kept: far above any test or demo, and a bound on memory.
const MAX_ORDERS: usize = 100_000;

/// getOrders' page cap (MaxResultsPerPage).
const MAX_ORDERS_PAGE: usize = 100;

/// NextTokens kept: each page of a long listing leaves one behind.
const MAX_ORDER_TOKENS: usize = 10_000;

/// One simulated order: one line of one seller SKU, sold from the listing's own quantity.
#[derive(Clone, Debug)]
pub(super) struct SimOrder {
    pub(super) id: String,
    pub(super) item_id: String,
    pub(super) sku: String,
    pub(super) qty: i64,
    pub(super) purchased: String,
    pub(super) updated: String,
    pub(super) canceled: bool,
}

impl SimOrder {
    pub(super) fn json(&self, marketplace: &str) -> Value {
        let (unshipped, status) = if self.canceled { (0, "Canceled") } else { (self.qty, "Unshipped") };
        json!({
            "AmazonOrderId": self.id,
            "PurchaseDate": self.purchased,
            "LastUpdateDate": self.updated,
            "OrderStatus": status,
            "FulfillmentChannel": "MFN",
            "SalesChannel": "Amazon.com",
            "OrderType": "StandardOrder",
            "NumberOfItemsShipped": 0,
            "NumberOfItemsUnshipped": unshipped,
            "MarketplaceId": marketplace,
            "IsPrime": false,
            "IsBusinessOrder": false,
        })
    }
}

#[derive(Deserialize)]
pub(super) struct OrdersQuery {
    #[serde(rename = "MarketplaceIds", default)]
    marketplace_ids: Option<String>,
    #[serde(rename = "LastUpdatedAfter", default)]
    last_updated_after: Option<String>,
    #[serde(rename = "CreatedAfter", default)]
    created_after: Option<String>,
    #[serde(rename = "NextToken", default)]
    next_token: Option<String>,
    #[serde(rename = "MaxResultsPerPage", default)]
    max_results: Option<usize>,
}

pub(super) fn invalid_input(message: &str) -> Response {
    error_list(StatusCode::BAD_REQUEST, "InvalidInput", message)
}

/// getOrders: orders updated (or created) at or after the given time, oldest update first,
/// `NextToken` for the rest.
pub(super) async fn get_orders(
    State(sim): State<AmazonSim>,
    Query(query): Query<OrdersQuery>,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = sim.with(|s| s.check_token(&headers)) {
        return refusal;
    }
    sim.with(|s| {
        if !s.orders_bucket.take() {
            s.stats.too_many_requests += 1;
            return quota_exceeded(Some(s.config.orders_rate));
        }
        let Some(marketplace) = query.marketplace_ids.filter(|m| !m.trim().is_empty()) else {
            return invalid_input("MarketplaceIds is required.");
        };
        let page = query.max_results.unwrap_or(MAX_ORDERS_PAGE);
        if !(1..=MAX_ORDERS_PAGE).contains(&page) {
            return invalid_input("MaxResultsPerPage must be between 1 and 100.");
        }
        let (since, by_update, offset) =
            match (&query.next_token, &query.last_updated_after, &query.created_after) {
                (Some(token), _, _) => match s.order_tokens.get(token) {
                    Some((since, offset)) => (since.clone(), true, *offset),
                    None => return invalid_input("Invalid NextToken."),
                },
                (None, Some(after), _) => (after.clone(), true, 0),
                (None, None, Some(after)) => (after.clone(), false, 0),
                (None, None, None) => {
                    return invalid_input("Either CreatedAfter or LastUpdatedAfter must be specified.");
                }
            };
        if !crate::orders::looks_like_timestamp(&since) {
            return invalid_input("LastUpdatedAfter is not a valid ISO 8601 date-time.");
        }
        let mut hits: Vec<&SimOrder> = s
            .orders
            .iter()
            .filter(|o| if by_update { o.updated >= since } else { o.purchased >= since })
            .collect();
        hits.sort_by(|a, b| a.updated.cmp(&b.updated));
        let orders: Vec<Value> = hits.iter().skip(offset).take(page).map(|o| o.json(&marketplace)).collect();
        let mut payload = json!({ "Orders": orders, "LastUpdatedBefore": s.order_clock.stamp() });
        if offset + page < hits.len() {
            if s.order_tokens.len() >= MAX_ORDER_TOKENS {
                s.order_tokens.clear();
            }
            let token = format!("sim-orders-{}-{}", offset + page, s.order_tokens.len());
            s.order_tokens.insert(token.clone(), (since, offset + page));
            payload["NextToken"] = json!(token);
        }
        with_rate(Json(json!({ "payload": payload })).into_response(), s.config.orders_rate)
    })
}

pub(super) async fn get_order_items(
    State(sim): State<AmazonSim>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = sim.with(|s| s.check_token(&headers)) {
        return refusal;
    }
    sim.with(|s| {
        if !s.order_items_bucket.take() {
            s.stats.too_many_requests += 1;
            return quota_exceeded(Some(s.config.order_items_rate));
        }
        let Some(order) = s.orders.iter().find(|o| o.id == id) else {
            return error_list(StatusCode::NOT_FOUND, "NotFound", "The requested order was not found.");
        };
        let item = json!({
            "ASIN": format!("B0SIM{:05}", order.sku.len()),
            "SellerSKU": order.sku,
            "OrderItemId": order.item_id,
            "Title": order.sku,
            "QuantityOrdered": order.qty,
            "QuantityShipped": 0,
        });
        with_rate(
            Json(json!({ "payload": { "AmazonOrderId": order.id, "OrderItems": [item] } })).into_response(),
            s.config.order_items_rate,
        )
    })
}

#[derive(Deserialize)]
pub(super) struct PlaceOrder {
    sku: String,
    qty: i64,
}

/// Places an order for up to `qty` units of a listing (never below zero); 422 when nothing sold.
/// When ORDER_CHANGE is subscribed, its notification goes to the queue.
pub(super) async fn admin_place_order(
    State(sim): State<AmazonSim>,
    Json(input): Json<PlaceOrder>,
) -> Response {
    let placed = sim.with(|s| {
        let order = s.new_order(&input.sku, input.qty)?;
        let message = s.order_change(&order, "NewOrder");
        let body = json!({ "order": order.json("ATVPDKIKX0DER"), "order_item_id": order.item_id, "sold": order.qty });
        Some((body, message))
    });
    let Some((body, message)) = placed else {
        return error_list(StatusCode::UNPROCESSABLE_ENTITY, "InvalidInput", "Nothing in stock to sell.");
    };
    sim.deliver(message);
    (StatusCode::CREATED, Json(body)).into_response()
}

/// Cancels an order and puts its units back on the listing (an ORDER_CHANGE when subscribed).
pub(super) async fn admin_cancel_order(State(sim): State<AmazonSim>, Path(id): Path<String>) -> Response {
    let answer = sim.with(|s| {
        let at = s.order_clock.stamp();
        let Some(order) = s.orders.iter_mut().find(|o| o.id == id) else {
            return Err(error_list(StatusCode::NOT_FOUND, "NotFound", "The requested order was not found."));
        };
        let mut message = None;
        if !order.canceled {
            order.canceled = true;
            order.updated = at;
            let (sku, qty) = (order.sku.clone(), order.qty);
            let snapshot = order.clone();
            if let Some((level, sold)) = s.listings.get_mut(&sku) {
                *level += qty;
                *sold -= qty;
            }
            message = s.order_change(&snapshot, "BuyerCancelled");
        }
        let order = s.orders.iter().find(|o| o.id == id).map(|o| o.json("ATVPDKIKX0DER"));
        Ok((order, message))
    });
    match answer {
        Err(refusal) => refusal,
        Ok((order, message)) => {
            sim.deliver(message);
            Json(json!({ "order": order })).into_response()
        }
    }
}

impl AmazonState {
    /// A new order of one line, sold from the listing; None when nothing sold.
    pub(super) fn new_order(&mut self, sku: &str, qty: i64) -> Option<SimOrder> {
        let sold = self.sell(sku, qty);
        if sold <= 0 {
            return None;
        }
        if self.orders.len() >= MAX_ORDERS {
            self.orders.remove(0);
        }
        let n = self.stats.orders;
        let at = self.order_clock.stamp();
        let order = SimOrder {
            id: format!("113-{:07}-{:07}", n / 10_000_000, n % 10_000_000),
            item_id: format!("{:014}", n * 10 + 1),
            sku: sku.to_string(),
            qty: sold,
            purchased: at.clone(),
            updated: at,
            canceled: false,
        };
        self.orders.push(order.clone());
        Some(order)
    }
}

/// getOrder: one order by id.
pub(super) async fn get_order(
    State(sim): State<AmazonSim>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    sim.with(|s| {
        if let Some(refusal) = s.check_token(&headers) {
            return refusal;
        }
        if !s.order_bucket.take() {
            s.stats.too_many_requests += 1;
            return quota_exceeded(Some(s.config.order_rate));
        }
        match s.orders.iter().find(|o| o.id == id) {
            Some(order) => with_rate(
                Json(json!({ "payload": order.json("ATVPDKIKX0DER") })).into_response(),
                s.config.order_rate,
            ),
            None => error_list(StatusCode::NOT_FOUND, "NotFound", "The requested order was not found."),
        }
    })
}
