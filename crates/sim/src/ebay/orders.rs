//! Sell Fulfillment `getOrders` (filtered by date, paged by offset), and the simulated orders
//! behind it, placed and cancelled through the admin endpoints.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{EbaySim, errors};

/// Orders kept: far above any test or demo, and a bound on memory.
const MAX_ORDERS: usize = 100_000;

/// getOrders' page cap (`limit`).
const MAX_ORDERS_PAGE: usize = 200;

/// One simulated order: one line of one SKU, sold from the item's own quantity.
#[derive(Clone, Debug)]
pub(super) struct SimOrder {
    id: String,
    line_id: String,
    sku: String,
    qty: i64,
    created: String,
    modified: String,
    canceled: bool,
}

impl SimOrder {
    fn json(&self) -> Value {
        let cancel = if self.canceled { "CANCELED" } else { "NONE_REQUESTED" };
        json!({
            "orderId": self.id,
            "legacyOrderId": format!("{}-{}", self.line_id, self.id),
            "creationDate": self.created,
            "lastModifiedDate": self.modified,
            "orderFulfillmentStatus": "NOT_STARTED",
            "orderPaymentStatus": "PAID",
            "sellerId": "shelfsync-sim",
            "cancelStatus": { "cancelState": cancel, "cancelRequests": [] },
            "salesRecordReference": self.id,
            "lineItems": [{
                "lineItemId": self.line_id,
                "legacyItemId": "110000000000",
                "sku": self.sku,
                "title": self.sku,
                "quantity": self.qty,
                "lineItemFulfillmentStatus": "NOT_STARTED",
                "soldFormat": "FIXED_PRICE",
                "listingMarketplaceId": "EBAY_US",
                "purchaseMarketplaceId": "EBAY_US",
            }],
        })
    }
}

#[derive(Deserialize)]
pub(super) struct OrdersQuery {
    #[serde(default)]
    filter: Option<String>,
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    offset: Option<usize>,
}

fn bad_request(message: &str) -> Response {
    errors(StatusCode::BAD_REQUEST, 30700, "API_FULFILLMENT", "REQUEST", message)
}

/// `lastmodifieddate:[FROM..]` or `creationdate:[FROM..]` (an upper bound, when given, ends
/// the range): the field, the lower bound, the upper bound.
fn parse_filter(filter: &str) -> Option<(&'static str, String, Option<String>)> {
    let (field, range) = filter.split_once(':')?;
    let field = match field.trim() {
        "lastmodifieddate" => "lastmodifieddate",
        "creationdate" => "creationdate",
        _ => return None,
    };
    let range = range.trim().strip_prefix('[')?.strip_suffix(']')?;
    let (from, to) = range.split_once("..")?;
    let to = (!to.is_empty()).then(|| to.to_string());
    let ok = |t: &str| crate::orders::looks_like_timestamp(t);
    (ok(from) && to.as_deref().is_none_or(ok)).then(|| (field, from.to_string(), to))
}

/// getOrders: the seller's orders in the filter's range, oldest modification first, paged by
/// `offset` and `limit`.
pub(super) async fn get_orders(
    State(sim): State<EbaySim>,
    headers: HeaderMap,
    Query(query): Query<OrdersQuery>,
) -> Response {
    if let Some(refusal) = sim.with(|s| s.check_token(&headers)) {
        return refusal;
    }
    sim.with(|s| {
        if let Some(refusal) = s.charge() {
            return refusal;
        }
        let limit = query.limit.unwrap_or(50);
        if !(1..=MAX_ORDERS_PAGE).contains(&limit) {
            return bad_request("The 'limit' value must be between 1 and 200.");
        }
        let offset = query.offset.unwrap_or(0);
        let range = match query.filter.as_deref() {
            None => None,
            Some(f) => match parse_filter(f) {
                Some(range) => Some(range),
                None => {
                    return bad_request(
                        "Invalid filter: expected lastmodifieddate:[FROM..] or creationdate:[FROM..TO].",
                    );
                }
            },
        };
        let mut hits: Vec<&SimOrder> = s
            .orders
            .iter()
            .filter(|o| match &range {
                None => true,
                Some((field, from, to)) => {
                    let at = if *field == "creationdate" { &o.created } else { &o.modified };
                    at >= from && to.as_ref().is_none_or(|to| at <= to)
                }
            })
            .collect();
        hits.sort_by(|a, b| a.modified.cmp(&b.modified));
        let page: Vec<Value> = hits.iter().skip(offset).take(limit).map(|o| o.json()).collect();
        let base = "/sell/fulfillment/v1/order";
        let filter = query.filter.as_deref().map(|f| format!("&filter={f}")).unwrap_or_default();
        let mut body = json!({
            "href": format!("{base}?limit={limit}&offset={offset}{filter}"),
            "total": hits.len(), "limit": limit, "offset": offset, "orders": page, "warnings": [],
        });
        if offset + limit < hits.len() {
            body["next"] = json!(format!("{base}?limit={limit}&offset={}{filter}", offset + limit));
        }
        Json(body).into_response()
    })
}

#[derive(Deserialize)]
pub(super) struct PlaceOrder {
    sku: String,
    qty: i64,
}

/// Places an order for up to `qty` units of an item (never below zero); 422 when nothing sold.
pub(super) async fn admin_place_order(State(sim): State<EbaySim>, Json(input): Json<PlaceOrder>) -> Response {
    sim.with(|s| {
        let sold = s.sell(&input.sku, input.qty);
        if sold <= 0 {
            return errors(
                StatusCode::UNPROCESSABLE_ENTITY,
                25002,
                "API_FULFILLMENT",
                "REQUEST",
                "Nothing in stock to sell.",
            );
        }
        if s.orders.len() >= MAX_ORDERS {
            s.orders.remove(0);
        }
        let n = s.stats.orders;
        let at = s.order_clock.stamp();
        let order = SimOrder {
            id: format!("27-{:05}-{:05}", n / 100_000, n % 100_000),
            line_id: format!("{}", 10_000_000_000u64 + n),
            sku: input.sku.clone(),
            qty: sold,
            created: at.clone(),
            modified: at,
            canceled: false,
        };
        let body = json!({ "order": order.json(), "sold": sold });
        s.orders.push(order);
        (StatusCode::CREATED, Json(body)).into_response()
    })
}

/// Cancels an order and puts its units back on the item.
pub(super) async fn admin_cancel_order(State(sim): State<EbaySim>, Path(id): Path<String>) -> Response {
    sim.with(|s| {
        let at = s.order_clock.stamp();
        let Some(order) = s.orders.iter_mut().find(|o| o.id == id) else {
            return errors(StatusCode::NOT_FOUND, 32100, "API_FULFILLMENT", "REQUEST", "Order not found.");
        };
        if !order.canceled {
            order.canceled = true;
            order.modified = at;
            let (sku, qty) = (order.sku.clone(), order.qty);
            if let Some(item) = s.items.get_mut(&sku) {
                item.ship += qty;
                item.offer += qty;
                item.sold -= qty;
            }
        }
        let order = s.orders.iter().find(|o| o.id == id).map(SimOrder::json);
        Json(json!({ "order": order })).into_response()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_filters() {
        let (field, from, to) = parse_filter("lastmodifieddate:[2026-11-26T10:00:00.000Z..]").unwrap();
        assert_eq!((field, from.as_str(), to), ("lastmodifieddate", "2026-11-26T10:00:00.000Z", None));
        for bad in [
            "",
            "lastmodifieddate:2026-11-26T10:00:00Z",
            "orderstatus:[A..]",
            "lastmodifieddate:[yesterday..]",
        ] {
            assert!(parse_filter(bad).is_none(), "{bad}");
        }
    }
}
