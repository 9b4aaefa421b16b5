//! SP-API Notifications and ORDER_CHANGE (issue 16): grantless tokens, destinations,
//! subscriptions, and the notifications delivered to the seller's SQS queue.

use std::time::{Duration, Instant};

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use rand::Rng;
use serde_json::{Value, json};

use super::auth::form_value;
use super::orders::{SimOrder, invalid_input};
use super::{AmazonSim, AmazonState, error_list};

/// A grantless LWA token: `client_credentials` with the notifications scope and the app's
/// client id and secret (no refresh token: it acts for the application, not a seller).
pub(super) fn grantless_token(s: &mut AmazonState, body: &str) -> Response {
    let scope = form_value(body, "scope");
    let client_ok = form_value(body, "client_id").as_deref() == Some(s.config.client_id.as_str())
        && form_value(body, "client_secret").as_deref() == Some(s.config.client_secret.as_str());
    if !client_ok {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": "invalid_client", "error_description": "Client authentication failed" })),
        )
            .into_response();
    }
    if scope.as_deref() != Some("sellingpartnerapi::notifications") {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": "invalid_scope", "error_description": "The request has an invalid parameter : scope" })),
        )
            .into_response();
    }
    s.token_serial += 1;
    let token = format!("Atc|sim-grantless-{}-{}", s.config.seed, s.token_serial);
    s.grantless.insert(token.clone(), Instant::now() + s.config.token_ttl);
    Json(json!({ "access_token": token, "token_type": "bearer", "expires_in": s.config.token_ttl.as_secs().max(1) }))
        .into_response()
}

impl AmazonState {
    fn check_grantless(&self, headers: &HeaderMap) -> Option<Response> {
        let given = headers.get("x-amz-access-token").and_then(|v| v.to_str().ok()).unwrap_or_default();
        match self.grantless.get(given) {
            Some(until) if Instant::now() < *until => None,
            _ => Some(error_list(
                StatusCode::FORBIDDEN,
                "Unauthorized",
                "Access to requested resource is denied. This operation needs a grantless token (scope sellingpartnerapi::notifications).",
            )),
        }
    }

    /// The ORDER_CHANGE message for an order, and the queue it goes to, when subscribed (None
    /// when not subscribed or when this one is "lost").
    pub(super) fn order_change(&mut self, order: &SimOrder, reason: &str) -> Option<(String, String)> {
        let (subscription_id, destination_id) = self.subscriptions.get("ORDER_CHANGE")?.clone();
        let arn = self.destinations.iter().find(|d| d.0 == destination_id)?.2.clone();
        if self.rng.random::<f64>() < self.config.notification_loss {
            self.stats.notifications_lost += 1;
            return None;
        }
        self.stats.notifications_sent += 1;
        let at = self.order_clock.stamp();
        let status = if order.canceled { "Canceled" } else { "Unshipped" };
        let body = json!({
            "NotificationVersion": "1.0",
            "NotificationType": "ORDER_CHANGE",
            "PayloadVersion": "1.0",
            "EventTime": at,
            "NotificationMetadata": {
                "ApplicationId": "amzn1.sellerapps.app.shelfsync-sim",
                "SubscriptionId": subscription_id,
                "PublishTime": at,
                "NotificationId": format!("sim-notification-{}-{}", self.config.seed, self.stats.notifications_sent),
            },
            "Payload": { "OrderChangeNotification": {
                "NotificationLevel": "OrderLevel",
                "SellerId": self.config.seller_id,
                "AmazonOrderId": order.id,
                "OrderChangeType": "OrderStatusChange",
                "OrderChangeTrigger": { "TimeOfOrderChange": order.updated, "ChangeReason": reason },
                "Summary": {
                    "MarketplaceId": "ATVPDKIKX0DER",
                    "OrderStatus": status,
                    "PurchaseDate": order.purchased,
                    "FulfillmentType": "MFN",
                    "OrderType": "StandardOrder",
                    "OrderItems": [{ "OrderItemId": order.item_id, "SellerSKU": order.sku, "SupplySourceId": null, "Quantity": order.qty }],
                },
            } },
        });
        Some((arn, body.to_string()))
    }
}

impl AmazonSim {
    /// Puts an ORDER_CHANGE on the subscribed queue after the configured delay.
    pub(super) fn deliver(&self, message: Option<(String, String)>) {
        let Some((arn, body)) = message else { return };
        let delay = self.with(|s| s.config.notification_delay);
        if let Some(queue) = self.sqs.queue_for_arn(&arn) {
            self.sqs.send(&queue, body, delay);
        }
    }

    /// Places an order in-process (as `POST /amazon/admin/orders`): (AmazonOrderId, units sold).
    pub fn place_order(&self, sku: &str, qty: i64) -> Option<(String, i64)> {
        let (placed, message) = self.with(|s| {
            let order = s.new_order(sku, qty)?;
            let message = s.order_change(&order, "NewOrder");
            Some(((order.id.clone(), order.qty), message))
        })?;
        self.deliver(message);
        Some(placed)
    }

    /// Sets how long ORDER_CHANGE messages take and how many are lost.
    pub fn set_notifications(&self, delay: Duration, loss: f64) {
        self.with(|s| {
            s.config.notification_delay = delay;
            s.config.notification_loss = loss.clamp(0.0, 1.0);
        });
    }
}

fn destination_json(d: &(String, String, String)) -> Value {
    json!({ "destinationId": d.0, "name": d.1, "resource": { "sqs": { "arn": d.2 } } })
}

pub(super) async fn get_destinations(State(sim): State<AmazonSim>, headers: HeaderMap) -> Response {
    sim.with(|s| {
        if let Some(refusal) = s.check_grantless(&headers) {
            return refusal;
        }
        Json(json!({ "payload": s.destinations.iter().map(destination_json).collect::<Vec<_>>() }))
            .into_response()
    })
}

pub(super) async fn create_destination(
    State(sim): State<AmazonSim>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let refused = sim.with(|s| s.check_grantless(&headers));
    if let Some(refusal) = refused {
        return refusal;
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return invalid_input("The request body is not JSON.");
    };
    let name = body.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
    let arn = body
        .pointer("/resourceSpecification/sqs/arn")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if name.is_empty() || arn.is_empty() {
        return invalid_input("name and resourceSpecification.sqs.arn are required.");
    }
    // Amazon checks it can send to the queue (its policy must allow Amazon's principal).
    if sim.sqs.queue_for_arn(&arn).is_none() {
        return invalid_input(
            "Unable to send to the SQS queue: it does not exist or does not grant sqs:SendMessage.",
        );
    }
    sim.with(|s| {
        if s.destinations.iter().any(|d| d.2 == arn) {
            return error_list(
                StatusCode::CONFLICT,
                "Conflict",
                "A destination for this resource already exists.",
            );
        }
        let id = format!("sim-destination-{}", s.destinations.len() + 1);
        s.destinations.push((id, name, arn));
        let created = s.destinations.last().map(destination_json).unwrap_or_default();
        Json(json!({ "payload": created })).into_response()
    })
}

pub(super) async fn get_subscription(
    State(sim): State<AmazonSim>,
    Path(kind): Path<String>,
    headers: HeaderMap,
) -> Response {
    sim.with(|s| {
        if let Some(refusal) = s.check_token(&headers) {
            return refusal;
        }
        match s.subscriptions.get(&kind) {
            Some((id, destination)) => Json(json!({ "payload": {
                "subscriptionId": id, "payloadVersion": "1.0", "destinationId": destination } }))
            .into_response(),
            None => error_list(StatusCode::NOT_FOUND, "NotFound", "The resource specified does not exist."),
        }
    })
}

pub(super) async fn create_subscription(
    State(sim): State<AmazonSim>,
    Path(kind): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    sim.with(|s| {
        if let Some(refusal) = s.check_token(&headers) {
            return refusal;
        }
        let Ok(body) = serde_json::from_slice::<Value>(&body) else {
            return invalid_input("The request body is not JSON.");
        };
        if kind != "ORDER_CHANGE" {
            return invalid_input("This simulator serves the ORDER_CHANGE notification type only.");
        }
        if body.get("payloadVersion").and_then(Value::as_str) != Some("1.0") {
            return invalid_input("payloadVersion must be 1.0 for ORDER_CHANGE.");
        }
        let destination = body.get("destinationId").and_then(Value::as_str).unwrap_or_default().to_string();
        if !s.destinations.iter().any(|d| d.0 == destination) {
            return invalid_input("destinationId does not name a destination of this application.");
        }
        if s.subscriptions.contains_key(&kind) {
            return error_list(StatusCode::CONFLICT, "Conflict", "A subscription of this type already exists.");
        }
        let id = format!("sim-subscription-{}", s.subscriptions.len() + 1);
        s.subscriptions.insert(kind, (id.clone(), destination.clone()));
        Json(json!({ "payload": { "subscriptionId": id, "payloadVersion": "1.0", "destinationId": destination } }))
            .into_response()
    })
}
