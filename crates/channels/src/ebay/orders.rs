//! Sell Fulfillment `getOrders`: the orders modified since a time, and their parsing.

use serde_json::Value;

use super::{EbayClient, ErrorBody};
use crate::ChannelError;
use crate::auth::form_encode;

/// getOrders' page cap (`limit`).
pub const ORDERS_PAGE: usize = 200;
/// Longest id or timestamp taken from an order: a bound on junk.
const MAX_ORDER_FIELD: usize = 200;
/// Most line items one order may carry.
const MAX_ORDER_LINES: usize = 500;

/// An order as Sell Fulfillment `getOrders` gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EbayOrder {
    pub id: String,
    pub created: String,
    pub last_modified: String,
    /// `cancelStatus.cancelState` is `CANCELED`: its units go back.
    pub canceled: bool,
    pub lines: Vec<EbayOrderLine>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EbayOrderLine {
    pub id: String,
    pub sku: String,
    pub quantity: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EbayOrderPage {
    pub orders: Vec<EbayOrder>,
    pub total: usize,
    /// There is a page after this one (`next` present).
    pub more: bool,
}

fn order_field(value: &Value, key: &str, what: &str) -> Result<String, ChannelError> {
    match value.get(key).and_then(Value::as_str).map(str::trim) {
        Some(s) if !s.is_empty() && s.len() <= MAX_ORDER_FIELD => Ok(s.to_string()),
        _ => Err(ChannelError::Uncertain(format!("{what}: {key} is missing or not a short string"))),
    }
}

fn parse_order(o: &Value) -> Result<EbayOrder, ChannelError> {
    let id = order_field(o, "orderId", "an order")?;
    let what = format!("order {id}");
    let raw = o
        .get("lineItems")
        .and_then(Value::as_array)
        .filter(|l| l.len() <= MAX_ORDER_LINES)
        .ok_or_else(|| ChannelError::Uncertain(format!("{what}: lineItems is missing or too long")))?;
    let lines = raw
        .iter()
        .map(|l| {
            let line = order_field(l, "lineItemId", &what)?;
            let quantity =
                l.get("quantity").and_then(Value::as_u64).filter(|q| *q <= u64::from(u32::MAX)).ok_or_else(
                    || ChannelError::Uncertain(format!("{what} line {line}: quantity is not a count")),
                )?;
            Ok(EbayOrderLine {
                sku: order_field(l, "sku", &format!("{what} line {line}"))?,
                quantity: quantity as u32,
                id: line,
            })
        })
        .collect::<Result<_, ChannelError>>()?;
    Ok(EbayOrder {
        created: order_field(o, "creationDate", &what)?,
        last_modified: order_field(o, "lastModifiedDate", &what)?,
        canceled: o.pointer("/cancelStatus/cancelState").and_then(Value::as_str) == Some("CANCELED"),
        lines,
        id,
    })
}

/// A getOrders answer.
pub fn parse_orders_page(body: &[u8]) -> Result<EbayOrderPage, ChannelError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ChannelError::Uncertain(format!("getOrders answer is not JSON: {e}")))?;
    let raw = value
        .get("orders")
        .and_then(Value::as_array)
        .ok_or_else(|| ChannelError::Uncertain("getOrders answer has no orders list".into()))?;
    Ok(EbayOrderPage {
        orders: raw.iter().map(parse_order).collect::<Result<_, _>>()?,
        total: value.get("total").and_then(Value::as_u64).unwrap_or(0) as usize,
        more: value.get("next").and_then(Value::as_str).is_some(),
    })
}

impl EbayClient {
    /// One page of Sell Fulfillment `getOrders`: orders modified at or after `since`
    /// (`filter=lastmodifieddate:[since..]`), from `offset`.
    pub async fn orders_modified_since(
        &self,
        since: &str,
        offset: usize,
    ) -> Result<EbayOrderPage, ChannelError> {
        let url = format!(
            "{}/order?filter={}&limit={ORDERS_PAGE}&offset={offset}",
            self.fulfillment,
            form_encode(&format!("lastmodifieddate:[{since}..]"))
        );
        let (status, bytes) =
            self.call_with(&self.orders_token, |token| self.http.get(&url).bearer_auth(token)).await?;
        if !(200..300).contains(&status) {
            let body: ErrorBody = serde_json::from_slice(&bytes).unwrap_or_default();
            let text = body.errors.first().map_or(String::new(), |e| format!(": {}", e.message));
            return Err(ChannelError::Refused(format!("HTTP {status}{text}")));
        }
        parse_orders_page(&bytes)
    }
}

#[cfg(test)]
mod order_tests {
    use super::*;

    #[test]
    fn orders_parse_and_broken_answers_are_refused() {
        let good = br#"{"total":3,"next":"/x","orders":[{"orderId":"27-1","creationDate":"2026-11-26T10:00:00.000Z","lastModifiedDate":"2026-11-26T10:00:00.000Z","cancelStatus":{"cancelState":"CANCELED"},"lineItems":[{"lineItemId":"10","sku":"A-1","quantity":2}]}]}"#;
        let page = parse_orders_page(good).unwrap();
        assert!(page.more && page.orders[0].canceled);
        assert_eq!(
            page.orders[0].lines[0],
            EbayOrderLine { id: "10".into(), sku: "A-1".into(), quantity: 2 }
        );
        for (body, want) in [
            (&b"<html>"[..], "not JSON"),
            (&br#"{"total":0}"#[..], "no orders list"),
            (&br#"{"orders":[{"orderId":"1","creationDate":"x","lastModifiedDate":"x"}]}"#[..], "lineItems"),
            (&br#"{"orders":[{"orderId":"1","creationDate":"x","lastModifiedDate":"x","lineItems":[{"lineItemId":"2","sku":"A","quantity":"two"}]}]}"#[..], "quantity"),
        ] {
            let error = parse_orders_page(body).unwrap_err().to_string();
            assert!(error.contains(want), "{error}");
        }
    }
}
