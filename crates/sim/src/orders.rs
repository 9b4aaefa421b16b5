//! Shopify orders: the simulator's order book, the REST list the polling fallback reads
//! (`GET /admin/api/{version}/orders.json?updated_at_min=..&status=any&limit=..`), and admin
//! endpoints that place, cancel and refund orders against the simulated stock.
//!
//! Why a book beside [`SimState`](crate::SimState) and not in it: this file owns orders alone,
//! so the book is keyed by the simulator's shared state and lives here. Webhook delivery is the
//! caller's business: the admin answer carries the order JSON, which a test signs and posts
//! (or "loses") as it pleases.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::Sim;

/// Shopify's page size cap for REST lists.
const MAX_LIMIT: usize = 250;

/// Orders kept per simulator: far above any test or demo, and a bound on memory.
const MAX_ORDERS: usize = 100_000;

#[derive(Default)]
struct Book {
    next_id: u64,
    orders: Vec<Value>,
    /// Last timestamp handed out (ms): strictly increasing, so updated_at orders the book.
    last_ms: u128,
}

static BOOKS: LazyLock<Mutex<HashMap<usize, Book>>> = LazyLock::new(|| Mutex::new(HashMap::new()));

fn with_book<T>(sim: &Sim, f: impl FnOnce(&mut Book) -> T) -> T {
    let key = Arc::as_ptr(&sim.state) as usize;
    let mut books = BOOKS.lock().unwrap_or_else(|p| p.into_inner());
    f(books.entry(key).or_insert_with(|| Book { next_id: 1000, ..Book::default() }))
}

pub(crate) fn routes() -> Router<Sim> {
    Router::new()
        .route("/admin/api/{version}/orders.json", get(list))
        .route("/admin/shop/orders", post(place))
        .route("/admin/shop/orders/{id}/cancel", post(cancel))
        .route("/admin/shop/orders/{id}/refund", post(refund))
}

impl Book {
    fn stamp(&mut self) -> String {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
        self.last_ms = now.max(self.last_ms + 1);
        rfc3339_ms(self.last_ms)
    }

    fn find(&mut self, id: u64) -> Option<&mut Value> {
        self.orders.iter_mut().find(|o| o["id"] == json!(id))
    }
}

#[derive(Deserialize)]
pub(crate) struct ListQuery {
    updated_at_min: Option<String>,
    limit: Option<usize>,
    status: Option<String>,
}

async fn list(State(sim): State<Sim>, Query(query): Query<ListQuery>) -> (StatusCode, Json<Value>) {
    if let Some(status) = &query.status
        && !matches!(status.as_str(), "any" | "open" | "cancelled")
    {
        return (StatusCode::BAD_REQUEST, Json(json!({ "errors": { "status": "is invalid" } })));
    }
    let limit = query.limit.unwrap_or(50).clamp(1, MAX_LIMIT);
    let min = query.updated_at_min.unwrap_or_default();
    let orders: Vec<Value> = with_book(&sim, |book| {
        let mut hits: Vec<&Value> = book
            .orders
            .iter()
            .filter(|o| o["updated_at"].as_str().is_some_and(|u| u >= min.as_str()))
            .collect();
        hits.sort_by(|a, b| a["updated_at"].as_str().cmp(&b["updated_at"].as_str()));
        hits.into_iter()
            .filter(|o| match query.status.as_deref() {
                Some("open") => o["cancelled_at"].is_null(),
                Some("cancelled") => !o["cancelled_at"].is_null(),
                _ => true,
            })
            .take(limit)
            .cloned()
            .collect()
    });
    (StatusCode::OK, Json(json!({ "orders": orders })))
}

#[derive(Deserialize)]
pub(crate) struct PlaceInput {
    item: String,
    location: String,
    qty: i64,
}

/// Places an order for up to `qty` units (never below the level's zero). 422 when nothing sold.
async fn place(State(sim): State<Sim>, Json(input): Json<PlaceInput>) -> (StatusCode, Json<Value>) {
    let sold = sim.with(|s| s.sell(&input.item, &input.location, input.qty));
    if sold <= 0 {
        return (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({ "errors": "nothing in stock to sell" })));
    }
    let order = with_book(&sim, |book| {
        if book.orders.len() >= MAX_ORDERS {
            book.orders.remove(0);
        }
        book.next_id += 1;
        let id = book.next_id;
        let at = book.stamp();
        let order = json!({
            "id": id,
            "admin_graphql_api_id": format!("gid://shopify/Order/{id}"),
            "name": format!("#{id}"),
            "created_at": at,
            "updated_at": at,
            "cancelled_at": null,
            "location_id": input.location,
            "line_items": [{ "id": id * 10 + 1, "inventory_item_id": input.item, "quantity": sold }],
            "refunds": [],
        });
        book.orders.push(order.clone());
        order
    });
    (StatusCode::CREATED, Json(json!({ "order": order, "sold": sold })))
}

/// Cancels an order and restocks its lines.
async fn cancel(State(sim): State<Sim>, Path(id): Path<u64>) -> (StatusCode, Json<Value>) {
    let found = with_book(&sim, |book| {
        let at = book.stamp();
        let order = book.find(id)?;
        if order["cancelled_at"].is_null() {
            order["cancelled_at"] = json!(at);
            order["updated_at"] = json!(at);
        }
        Some(order.clone())
    });
    let Some(order) = found else {
        return (StatusCode::NOT_FOUND, Json(json!({ "errors": "Not Found" })));
    };
    restock(&sim, &order, None);
    (StatusCode::OK, Json(json!({ "order": order })))
}

#[derive(Deserialize)]
pub(crate) struct RefundInput {
    line_id: u64,
    qty: i64,
}

/// Refunds (and restocks) `qty` units of one line.
async fn refund(
    State(sim): State<Sim>,
    Path(id): Path<u64>,
    Json(input): Json<RefundInput>,
) -> (StatusCode, Json<Value>) {
    let found = with_book(&sim, |book| {
        let at = book.stamp();
        let refund_id = book.next_id * 100 + 7;
        book.next_id += 1;
        let order = book.find(id)?;
        let line = order["line_items"].as_array()?.iter().find(|l| l["id"] == json!(input.line_id))?.clone();
        let qty = input.qty.clamp(1, line["quantity"].as_i64().unwrap_or(0).max(1));
        let refund = json!({
            "id": refund_id,
            "order_id": id,
            "created_at": at,
            "refund_line_items": [{ "line_item_id": input.line_id, "quantity": qty, "restock_type": "return" }],
        });
        order["refunds"].as_array_mut()?.push(refund.clone());
        order["updated_at"] = json!(at);
        Some((order.clone(), refund, line, qty))
    });
    let Some((order, refund, line, qty)) = found else {
        return (StatusCode::NOT_FOUND, Json(json!({ "errors": "Not Found" })));
    };
    restock(&sim, &order, Some((&line, qty)));
    (StatusCode::CREATED, Json(json!({ "refund": refund, "order": order })))
}

fn restock(sim: &Sim, order: &Value, only: Option<(&Value, i64)>) {
    let location = order["location_id"].as_str().unwrap_or_default().to_string();
    let lines: Vec<(String, i64)> = match only {
        Some((line, qty)) => vec![(line["inventory_item_id"].as_str().unwrap_or_default().to_string(), qty)],
        None => order["line_items"]
            .as_array()
            .map(|ls| {
                ls.iter()
                    .map(|l| {
                        (
                            l["inventory_item_id"].as_str().unwrap_or_default().to_string(),
                            l["quantity"].as_i64().unwrap_or(0),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
    };
    sim.with(|s| {
        for (item, qty) in lines {
            let level = s.level(&item, &location).unwrap_or(0);
            s.set_level(&item, &location, level + qty);
        }
    });
}

/// Hands out strictly increasing timestamps, so "updated since" cursors order the Amazon and
/// eBay order books as they do Shopify's.
#[derive(Default)]
pub(crate) struct Clock {
    last_ms: u128,
}

impl Clock {
    pub(crate) fn stamp(&mut self) -> String {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
        self.last_ms = now.max(self.last_ms + 1);
        rfc3339_ms(self.last_ms)
    }
}

/// True for an RFC 3339 / ISO 8601 UTC timestamp as the marketplaces accept in a query
/// (`2026-11-26T19:40:00Z`, optional fraction): enough to refuse garbage with a 400.
pub(crate) fn looks_like_timestamp(value: &str) -> bool {
    let b = value.as_bytes();
    let digits = |r: std::ops::Range<usize>| r.clone().all(|i| b.get(i).is_some_and(u8::is_ascii_digit));
    b.len() >= 20
        && b.len() <= 35
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && (value.ends_with('Z') || value[19..].contains(['+', '-']))
}

/// RFC 3339 in UTC with milliseconds, from Unix milliseconds (civil-from-days, Howard Hinnant).
pub(crate) fn rfc3339_ms(ms: u128) -> String {
    let secs = (ms / 1000) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        ms % 1000
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(super::rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(super::rfc3339_ms(1_764_115_200_123), "2025-11-26T00:00:00.123Z");
    }

    #[test]
    fn query_timestamps_are_checked() {
        for good in ["2026-11-26T19:40:00Z", "2026-11-26T19:40:00.123Z", "2026-11-26T19:40:00+00:00"] {
            assert!(super::looks_like_timestamp(good), "{good}");
        }
        for bad in ["", "yesterday", "2026-11-26", "2026-11-26 19:40:00Z", "2026-11-26T19:40:00"] {
            assert!(!super::looks_like_timestamp(bad), "{bad}");
        }
    }
}
