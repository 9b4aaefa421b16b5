//! Orders API v0: `getOrders`, `getOrder` and `getOrderItems`, their limits and their parsing.

use serde_json::Value;

use super::{AmazonClient, error_text, path_segment};
use crate::ChannelError;
use crate::auth::form_encode;

/// Orders API v0 `getOrders`: 0.0167 requests/s, burst 20.
pub const ORDERS_RATE: f64 = 0.0167;
pub const ORDERS_BURST: f64 = 20.0;
/// `getOrderItems`: 0.5 requests/s, burst 30.
pub const ORDER_ITEMS_RATE: f64 = 0.5;
pub const ORDER_ITEMS_BURST: f64 = 30.0;
/// `getOrder`: 0.5 requests/s, burst 30.
pub const ORDER_RATE: f64 = 0.5;
pub const ORDER_BURST: f64 = 30.0;
/// getOrders' page cap (`MaxResultsPerPage`).
pub const ORDERS_PAGE: usize = 100;
/// Longest id or timestamp taken from an order: far above Amazon's, a bound on junk.
const MAX_ORDER_FIELD: usize = 200;
/// Most items one order may carry (and pages of them followed): a bound on one answer.
const MAX_ORDER_ITEMS: usize = 500;

/// An order as `getOrders` lists it (its items come from [`AmazonClient::order_items`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AmazonOrder {
    pub id: String,
    pub purchase_date: String,
    pub last_update: String,
    /// `OrderStatus` is `Canceled`: its units go back.
    pub canceled: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AmazonOrderItem {
    pub id: String,
    pub seller_sku: String,
    pub quantity: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AmazonOrderPage {
    pub orders: Vec<AmazonOrder>,
    pub next_token: Option<String>,
}

fn order_field(value: &Value, key: &str, what: &str) -> Result<String, ChannelError> {
    match value.get(key).and_then(Value::as_str).map(str::trim) {
        Some(s) if !s.is_empty() && s.len() <= MAX_ORDER_FIELD => Ok(s.to_string()),
        _ => Err(ChannelError::Uncertain(format!("{what}: {key} is missing or not a short string"))),
    }
}

fn order_of(o: &Value) -> Result<AmazonOrder, ChannelError> {
    let id = order_field(o, "AmazonOrderId", "an order")?;
    Ok(AmazonOrder {
        purchase_date: order_field(o, "PurchaseDate", &format!("order {id}"))?,
        last_update: order_field(o, "LastUpdateDate", &format!("order {id}"))?,
        canceled: order_field(o, "OrderStatus", &format!("order {id}"))? == "Canceled",
        id,
    })
}

/// The `payload` of a getOrder answer: one order.
pub fn parse_order(body: &[u8]) -> Result<AmazonOrder, ChannelError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ChannelError::Uncertain(format!("getOrder answer is not JSON: {e}")))?;
    let payload = value
        .get("payload")
        .ok_or_else(|| ChannelError::Uncertain("getOrder answer has no payload".into()))?;
    order_of(payload)
}

/// The `payload` of a getOrders answer.
pub fn parse_orders_page(body: &[u8]) -> Result<AmazonOrderPage, ChannelError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ChannelError::Uncertain(format!("getOrders answer is not JSON: {e}")))?;
    let payload = value
        .get("payload")
        .ok_or_else(|| ChannelError::Uncertain("getOrders answer has no payload".into()))?;
    let raw = payload
        .get("Orders")
        .and_then(Value::as_array)
        .ok_or_else(|| ChannelError::Uncertain("getOrders payload has no Orders list".into()))?;
    let orders = raw.iter().map(order_of).collect::<Result<_, ChannelError>>()?;
    let next_token = payload.get("NextToken").and_then(Value::as_str).map(str::to_string);
    Ok(AmazonOrderPage { orders, next_token })
}

/// The `payload` of a getOrderItems answer: its items and the next page's token.
pub fn parse_order_items(body: &[u8]) -> Result<(Vec<AmazonOrderItem>, Option<String>), ChannelError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ChannelError::Uncertain(format!("getOrderItems answer is not JSON: {e}")))?;
    let payload = value
        .get("payload")
        .ok_or_else(|| ChannelError::Uncertain("getOrderItems answer has no payload".into()))?;
    let raw = payload
        .get("OrderItems")
        .and_then(Value::as_array)
        .ok_or_else(|| ChannelError::Uncertain("getOrderItems payload has no OrderItems list".into()))?;
    let items = raw
        .iter()
        .map(|i| {
            let id = order_field(i, "OrderItemId", "an order item")?;
            let quantity = i
                .get("QuantityOrdered")
                .and_then(Value::as_u64)
                .filter(|q| *q <= u64::from(u32::MAX))
                .ok_or_else(|| {
                    ChannelError::Uncertain(format!("order item {id}: QuantityOrdered is not a count"))
                })?;
            Ok(AmazonOrderItem {
                seller_sku: order_field(i, "SellerSKU", &format!("order item {id}"))?,
                quantity: quantity as u32,
                id,
            })
        })
        .collect::<Result<_, ChannelError>>()?;
    Ok((items, payload.get("NextToken").and_then(Value::as_str).map(str::to_string)))
}

impl AmazonClient {
    /// One page of `getOrders`: orders updated at or after `after` (ISO 8601), or the page a
    /// `next_token` names.
    pub async fn orders_updated_after(
        &self,
        after: &str,
        next_token: Option<&str>,
    ) -> Result<AmazonOrderPage, ChannelError> {
        let mut url = format!(
            "{}/orders/v0/orders?MarketplaceIds={}&MaxResultsPerPage={ORDERS_PAGE}",
            self.base,
            form_encode(&self.marketplace_id)
        );
        match next_token {
            Some(token) => url.push_str(&format!("&NextToken={}", form_encode(token))),
            None => url.push_str(&format!("&LastUpdatedAfter={}", form_encode(after))),
        }
        let reply = self
            .call(&self.orders_bucket, |token| self.http.get(&url).header("x-amz-access-token", token))
            .await?;
        if !(200..300).contains(&reply.status) {
            return Err(ChannelError::Refused(format!("HTTP {}: {}", reply.status, error_text(&reply.body))));
        }
        parse_orders_page(&reply.body)
    }

    /// One order by id (`getOrder`), paced by its own bucket (0.5/s, burst 30).
    pub async fn order(&self, order_id: &str) -> Result<AmazonOrder, ChannelError> {
        let url = format!("{}/orders/v0/orders/{}", self.base, path_segment(order_id));
        let reply = self
            .call(&self.order_bucket, |token| self.http.get(&url).header("x-amz-access-token", token))
            .await?;
        if !(200..300).contains(&reply.status) {
            return Err(ChannelError::Refused(format!("HTTP {}: {}", reply.status, error_text(&reply.body))));
        }
        parse_order(&reply.body)
    }

    /// Every item of one order (`getOrderItems`, its pages followed).
    pub async fn order_items(&self, order_id: &str) -> Result<Vec<AmazonOrderItem>, ChannelError> {
        let mut items = Vec::new();
        let mut next: Option<String> = None;
        // Bounded: an order has at most a few hundred items, so a token loop means a broken answer.
        for _ in 0..MAX_ORDER_ITEMS.div_ceil(ORDERS_PAGE) {
            let mut url = format!("{}/orders/v0/orders/{}/orderItems", self.base, path_segment(order_id));
            if let Some(token) = &next {
                url.push_str(&format!("?NextToken={}", form_encode(token)));
            }
            let reply = self
                .call(&self.order_items_bucket, |token| {
                    self.http.get(&url).header("x-amz-access-token", token)
                })
                .await?;
            if !(200..300).contains(&reply.status) {
                return Err(ChannelError::Refused(format!(
                    "HTTP {}: {}",
                    reply.status,
                    error_text(&reply.body)
                )));
            }
            let (page, token) = parse_order_items(&reply.body)?;
            items.extend(page);
            match token {
                Some(token) if items.len() < MAX_ORDER_ITEMS => next = Some(token),
                _ => return Ok(items),
            }
        }
        Ok(items)
    }
}

#[cfg(test)]
mod order_tests {
    use super::*;

    #[test]
    fn orders_pages_parse_and_refuse_broken_answers() {
        let good = br#"{"payload":{"Orders":[{"AmazonOrderId":"113-1","PurchaseDate":"2026-11-26T10:00:00Z","LastUpdateDate":"2026-11-26T11:00:00Z","OrderStatus":"Canceled"}],"NextToken":"t2"}}"#;
        let page = parse_orders_page(good).unwrap();
        assert_eq!(page.next_token.as_deref(), Some("t2"));
        assert!(page.orders[0].canceled);
        let bad: [(&[u8], &str); 4] = [
            (b"not json", "not JSON"),
            (br#"{"errors":[]}"#, "no payload"),
            (br#"{"payload":{"Orders":[{"PurchaseDate":"x","LastUpdateDate":"x","OrderStatus":"Pending"}]}}"#, "AmazonOrderId"),
            (br#"{"payload":{"Orders":[{"AmazonOrderId":"1","PurchaseDate":"x","OrderStatus":"Pending"}]}}"#, "LastUpdateDate"),
        ];
        for (body, want) in bad {
            let error = parse_orders_page(body).unwrap_err().to_string();
            assert!(error.contains(want), "{error}");
        }
    }

    #[test]
    fn order_items_need_sku_and_count() {
        let good = br#"{"payload":{"AmazonOrderId":"1","OrderItems":[{"OrderItemId":"9","SellerSKU":"A-1","QuantityOrdered":2}]}}"#;
        let (items, next) = parse_order_items(good).unwrap();
        assert_eq!((items[0].seller_sku.as_str(), items[0].quantity, next), ("A-1", 2, None));
        for (body, want) in [
            (&br#"{"payload":{"OrderItems":[{"OrderItemId":"9","SellerSKU":"A-1","QuantityOrdered":-2}]}}"#[..], "QuantityOrdered"),
            (&br#"{"payload":{"OrderItems":[{"OrderItemId":"9","QuantityOrdered":2}]}}"#[..], "SellerSKU"),
        ] {
            let error = parse_order_items(body).unwrap_err().to_string();
            assert!(error.contains(want), "{error}");
        }
    }
}
