//! Amazon SP-API Notifications for orders: `ORDER_CHANGE` delivered to the seller's SQS queue.
//!
//! Setting up (once per channel, idempotent): a grantless LWA token (`client_credentials`,
//! scope `sellingpartnerapi::notifications`) for the destination calls, the seller's token for
//! the subscription calls (channel-apis.md §2.6):
//! 1. `getDestinations`; reuse the one whose `resource.sqs.arn` is the queue's ARN, else
//!    `createDestination` with `resourceSpecification.sqs.arn`;
//! 2. `getSubscription(ORDER_CHANGE)`; reuse it when it points at that destination, else
//!    `createSubscription(ORDER_CHANGE)` with `payloadVersion` 1.0 and the destination id.
//!
//! Receiving: [`sqs`] long-polls the queue with SigV4-signed requests ([`sigv4`]); each body
//! is one notification, parsed by [`parse_order_change`]. The notification names the order and
//! its items, but capture fetches the order itself (`getOrder`, `getOrderItems`) before
//! booking, so a notification and a poll book the very same lines.

pub mod sigv4;
pub mod sqs;

use serde_json::{Value, json};

use crate::amazon::{AmazonConfig, check_base, http_client};
use crate::auth::{TokenSource, form_encode};
use crate::shopify::{classify_send_error, read_bounded};
use crate::{ChannelError, ChannelKind};

pub const ORDER_CHANGE: &str = "ORDER_CHANGE";
pub const PAYLOAD_VERSION: &str = "1.0";
/// The scope of the grantless token the destination calls need.
pub const NOTIFICATIONS_SCOPE: &str = "sellingpartnerapi::notifications";
/// The name ShelfSync gives the destination it creates.
pub const DESTINATION_NAME: &str = "shelfsync-orders";
/// Longest body taken from a queue (SQS's own cap is 256 KiB).
pub const MAX_BODY: usize = 256 * 1024;
/// Most items one notification may name: a bound on junk, far above a real order.
const MAX_ITEMS: usize = 500;
/// Longest id or text field taken from a notification.
const MAX_FIELD: usize = 200;

/// What [`NotificationsClient::subscribe`] found or made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    pub destination_id: String,
    pub subscription_id: String,
    /// Whether each already existed (a second run of the command creates nothing).
    pub destination_reused: bool,
    pub subscription_reused: bool,
}

/// The Notifications API of one seller.
pub struct NotificationsClient {
    http: reqwest::Client,
    base: String,
    seller_token: TokenSource,
    grantless_token: TokenSource,
}

impl NotificationsClient {
    pub fn new(config: &AmazonConfig) -> Result<NotificationsClient, ChannelError> {
        let base = check_base(&config.endpoint)?;
        let url = crate::endpoint::token_url(
            ChannelKind::Amazon,
            &config.endpoint,
            config.auth_endpoint.as_deref(),
        )?;
        let seller_form = format!(
            "grant_type=refresh_token&refresh_token={}&client_id={}&client_secret={}",
            form_encode(&config.refresh_token),
            form_encode(&config.client_id),
            form_encode(&config.client_secret)
        );
        let grantless_form = format!(
            "grant_type=client_credentials&scope={}&client_id={}&client_secret={}",
            form_encode(NOTIFICATIONS_SCOPE),
            form_encode(&config.client_id),
            form_encode(&config.client_secret)
        );
        Ok(NotificationsClient {
            http: http_client(config.timeouts)?,
            base,
            seller_token: TokenSource::new(url.clone(), seller_form, None),
            grantless_token: TokenSource::new(url, grantless_form, None),
        })
    }

    async fn call(
        &self,
        grantless: bool,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(u16, Value), ChannelError> {
        let source = if grantless { &self.grantless_token } else { &self.seller_token };
        let token = source.token(&self.http).await?;
        let mut request =
            self.http.request(method, format!("{}{path}", self.base)).header("x-amz-access-token", &token);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(classify_send_error)?;
        let status = response.status().as_u16();
        let bytes = read_bounded(response).await?;
        let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let text = || {
            value
                .get("errors")
                .and_then(Value::as_array)
                .map(|es| {
                    es.iter()
                        .map(|e| {
                            format!(
                                "{} {}",
                                e["code"].as_str().unwrap_or(""),
                                e["message"].as_str().unwrap_or("")
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("; ")
                })
                .unwrap_or_else(|| String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).into_owned())
        };
        match status {
            401 | 403 => Err(ChannelError::Auth(format!("{path}: HTTP {status}: {}", text()))),
            429 => Err(ChannelError::Throttled { retry_after: None, rate: None }),
            s if s >= 500 => Err(ChannelError::Offline(format!("{path}: HTTP {status}"))),
            200..=299 | 404 | 409 => Ok((status, value)),
            _ => Err(ChannelError::Refused(format!("{path}: HTTP {status}: {}", text()))),
        }
    }

    /// The destination for this queue ARN: found by `getDestinations`, else created.
    pub async fn destination(&self, arn: &str) -> Result<(String, bool), ChannelError> {
        let (_, listed) =
            self.call(true, reqwest::Method::GET, "/notifications/v1/destinations", None).await?;
        let existing = listed.get("payload").and_then(Value::as_array).and_then(|all| {
            all.iter()
                .find(|d| d.pointer("/resource/sqs/arn").and_then(Value::as_str) == Some(arn))
                .and_then(|d| d.get("destinationId")?.as_str().map(str::to_string))
        });
        if let Some(id) = existing {
            return Ok((id, true));
        }
        let body = json!({ "name": DESTINATION_NAME, "resourceSpecification": { "sqs": { "arn": arn } } });
        let (status, created) =
            self.call(true, reqwest::Method::POST, "/notifications/v1/destinations", Some(&body)).await?;
        match created.pointer("/payload/destinationId").and_then(Value::as_str) {
            Some(id) if (200..300).contains(&status) => Ok((id.to_string(), false)),
            _ => Err(ChannelError::Refused(format!("createDestination answered HTTP {status}: {created}"))),
        }
    }

    /// The `ORDER_CHANGE` subscription to `destination_id`: found by `getSubscription`, else
    /// created. A subscription to another destination is refused in words (Amazon allows one
    /// per notification type and application; it must be deleted first).
    pub async fn subscription(&self, destination_id: &str) -> Result<(String, bool), ChannelError> {
        let path = format!("/notifications/v1/subscriptions/{ORDER_CHANGE}");
        let (status, found) = self.call(false, reqwest::Method::GET, &path, None).await?;
        if (200..300).contains(&status)
            && let Some(payload) = found.get("payload")
        {
            let id = payload.get("subscriptionId").and_then(Value::as_str).unwrap_or_default();
            let points_at = payload.get("destinationId").and_then(Value::as_str).unwrap_or_default();
            if points_at == destination_id && !id.is_empty() {
                return Ok((id.to_string(), true));
            }
            return Err(ChannelError::Refused(format!(
                "an ORDER_CHANGE subscription ({id}) already sends to destination {points_at}, not {destination_id}; delete it first"
            )));
        }
        let body = json!({ "payloadVersion": PAYLOAD_VERSION, "destinationId": destination_id });
        let (status, created) = self.call(false, reqwest::Method::POST, &path, Some(&body)).await?;
        match created.pointer("/payload/subscriptionId").and_then(Value::as_str) {
            Some(id) if (200..300).contains(&status) => Ok((id.to_string(), false)),
            _ => Err(ChannelError::Refused(format!("createSubscription answered HTTP {status}: {created}"))),
        }
    }

    /// Destination, then subscription: both reused when they exist.
    pub async fn subscribe(&self, queue_arn: &str) -> Result<Subscription, ChannelError> {
        let (destination_id, destination_reused) = self.destination(queue_arn).await?;
        let (subscription_id, subscription_reused) = self.subscription(&destination_id).await?;
        Ok(Subscription { destination_id, subscription_id, destination_reused, subscription_reused })
    }
}

/// An `ORDER_CHANGE` notification, as much of it as capture uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderChange {
    pub notification_id: Option<String>,
    pub seller_id: String,
    pub amazon_order_id: String,
    /// `OrderStatusChange` or `BuyerRequestedChange`.
    pub change_type: String,
    pub order_status: Option<String>,
    pub marketplace_id: Option<String>,
    /// (OrderItemId, SellerSKU, Quantity) from `Summary.OrderItems`.
    pub items: Vec<(String, String, u32)>,
}

/// Why a message is not an `ORDER_CHANGE` ShelfSync can act on. Such a message is recorded and
/// deleted; redelivering it would never make it readable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NotificationError {
    #[error("the message is not JSON: {0}")]
    NotJson(String),
    #[error("the message is larger than {MAX_BODY} bytes")]
    TooLarge,
    #[error("the notification type is '{0}', not ORDER_CHANGE")]
    WrongType(String),
    #[error("unsupported ORDER_CHANGE payload version '{0}'")]
    WrongVersion(String),
    #[error("the notification lacks {0}")]
    Missing(&'static str),
}

fn text(value: &Value, pointer: &str) -> Option<String> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty() && s.len() <= MAX_FIELD)
        .map(str::to_string)
}

/// Parses one SQS message body as an `ORDER_CHANGE` notification (payload version 1.0).
pub fn parse_order_change(body: &str) -> Result<OrderChange, NotificationError> {
    if body.len() > MAX_BODY {
        return Err(NotificationError::TooLarge);
    }
    let value: Value = serde_json::from_str(body).map_err(|e| NotificationError::NotJson(e.to_string()))?;
    if !value.is_object() {
        return Err(NotificationError::NotJson("not a JSON object".into()));
    }
    let kind = text(&value, "/NotificationType").ok_or(NotificationError::Missing("NotificationType"))?;
    if kind != ORDER_CHANGE {
        return Err(NotificationError::WrongType(kind));
    }
    if let Some(version) = text(&value, "/PayloadVersion")
        && version != PAYLOAD_VERSION
    {
        return Err(NotificationError::WrongVersion(version));
    }
    let change = value
        .pointer("/Payload/OrderChangeNotification")
        .filter(|c| c.is_object())
        .ok_or(NotificationError::Missing("Payload.OrderChangeNotification"))?;
    let items = match change.pointer("/Summary/OrderItems") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) => list
            .iter()
            .take(MAX_ITEMS)
            .map(|i| {
                Ok((
                    text(i, "/OrderItemId").ok_or(NotificationError::Missing("OrderItems[].OrderItemId"))?,
                    text(i, "/SellerSKU").ok_or(NotificationError::Missing("OrderItems[].SellerSKU"))?,
                    i.get("Quantity")
                        .and_then(Value::as_u64)
                        .filter(|q| *q <= u64::from(u32::MAX))
                        .ok_or(NotificationError::Missing("OrderItems[].Quantity"))?
                        as u32,
                ))
            })
            .collect::<Result<_, NotificationError>>()?,
        Some(_) => return Err(NotificationError::Missing("Summary.OrderItems as a list")),
    };
    Ok(OrderChange {
        notification_id: text(&value, "/NotificationMetadata/NotificationId"),
        seller_id: text(change, "/SellerId").ok_or(NotificationError::Missing("SellerId"))?,
        amazon_order_id: text(change, "/AmazonOrderId").ok_or(NotificationError::Missing("AmazonOrderId"))?,
        change_type: text(change, "/OrderChangeType").ok_or(NotificationError::Missing("OrderChangeType"))?,
        order_status: text(change, "/Summary/OrderStatus"),
        marketplace_id: text(change, "/Summary/MarketplaceId"),
        items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"NotificationVersion":"1.0","NotificationType":"ORDER_CHANGE","PayloadVersion":"1.0",
        "EventTime":"2026-09-10T09:05:00.000Z",
        "NotificationMetadata":{"ApplicationId":"amzn1.sellerapps.app.x","SubscriptionId":"s","PublishTime":"2026-09-10T09:05:00.000Z","NotificationId":"n-1"},
        "Payload":{"OrderChangeNotification":{"NotificationLevel":"OrderLevel","SellerId":"A2SELLER","AmazonOrderId":"113-1",
          "OrderChangeType":"OrderStatusChange","OrderChangeTrigger":{"TimeOfOrderChange":"2026-09-10T09:00:00.000Z","ChangeReason":"NewOrder"},
          "Summary":{"MarketplaceId":"ATVPDKIKX0DER","OrderStatus":"Unshipped","FulfillmentType":"MFN",
            "OrderItems":[{"OrderItemId":"OI-1","SellerSKU":"AMZ-S0","SupplySourceId":null,"Quantity":2}]}}}}"#;

    #[test]
    fn an_order_change_parses() {
        let change = parse_order_change(GOOD).unwrap();
        assert_eq!(change.amazon_order_id, "113-1");
        assert_eq!(change.seller_id, "A2SELLER");
        assert_eq!(change.notification_id.as_deref(), Some("n-1"));
        assert_eq!(change.order_status.as_deref(), Some("Unshipped"));
        assert_eq!(change.items, vec![("OI-1".to_string(), "AMZ-S0".to_string(), 2)]);
    }

    #[test]
    fn bad_messages_are_refused_with_the_reason() {
        let other_type = GOOD.replace("\"ORDER_CHANGE\"", "\"ANY_OFFER_CHANGED\"");
        let no_order = GOOD.replace("\"AmazonOrderId\":\"113-1\",", "");
        let no_seller = GOOD.replace("\"SellerId\":\"A2SELLER\",", "");
        let version = GOOD.replace("\"PayloadVersion\":\"1.0\"", "\"PayloadVersion\":\"2.0\"");
        let bad_qty = GOOD.replace("\"Quantity\":2", "\"Quantity\":-2");
        let huge = "x".repeat(MAX_BODY + 1);
        let cases: [(&str, &str); 8] = [
            ("{not json", "not JSON"),
            ("[1,2]", "not a JSON object"),
            (&other_type, "ANY_OFFER_CHANGED"),
            (&no_order, "AmazonOrderId"),
            (&no_seller, "SellerId"),
            (&version, "version"),
            (&bad_qty, "Quantity"),
            (&huge, "larger"),
        ];
        for (body, want) in cases {
            let error = parse_order_change(body).unwrap_err().to_string();
            assert!(error.contains(want), "{want}: {error}");
        }
    }
}
