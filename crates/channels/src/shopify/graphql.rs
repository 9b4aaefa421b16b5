//! The GraphQL on the wire: the set mutation and the batched read with their variables, the
//! response shapes, and what an answer means (throttle, refusal, outcome, levels).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::{
    ChannelError, PushOutcome, PushRequest, QuantityUpdate, RateStatus, Rejection, RejectionKind,
    RemoteListing,
};

/// Keys go into the query text as a literal, so only characters that cannot break out of a
/// GraphQL string are allowed. UUIDs qualify.
pub(super) fn check_key(key: &str) -> Result<(), ChannelError> {
    let safe =
        !key.is_empty() && key.len() <= 64 && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if safe { Ok(()) } else { Err(ChannelError::Config(format!("unsafe idempotency key '{key}'"))) }
}

pub(super) fn set_mutation(key: &str) -> String {
    format!(
        "mutation SetQuantities($input: InventorySetQuantitiesInput!) {{ \
         inventorySetQuantities(input: $input) @idempotent(key: \"{key}\") {{ \
         inventoryAdjustmentGroup {{ id }} userErrors {{ code field message }} }} }}"
    )
}

/// The wire form of one quantity. `change_from_quantity` has no `skip_serializing_if`: from
/// 2026-04 the field is mandatory and an omitted one is an error, while `null` opts out of
/// compare-and-set (channel-apis.md pitfall 2).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct QuantityInput<'a> {
    inventory_item_id: &'a str,
    location_id: &'a str,
    quantity: i64,
    change_from_quantity: Option<i64>,
}

pub(super) fn set_variables(request: &PushRequest<'_>) -> Result<Value, ChannelError> {
    let quantities: Vec<QuantityInput<'_>> =
        request.updates.iter().map(quantity_input).collect::<Result<_, _>>()?;
    Ok(json!({
        "input": {
            "name": "available",
            "reason": "correction",
            "referenceDocumentUri": request.reference,
            "quantities": quantities,
        }
    }))
}

fn quantity_input(update: &QuantityUpdate) -> Result<QuantityInput<'_>, ChannelError> {
    let location = update.listing.location.as_deref().ok_or_else(|| {
        ChannelError::Config(format!("Shopify listing {} has no location GID", update.listing.item))
    })?;
    Ok(QuantityInput {
        inventory_item_id: &update.listing.item,
        location_id: location,
        quantity: update.quantity,
        change_from_quantity: update.change_from,
    })
}

/// The batched read: one aliased `inventoryItem { inventoryLevel }` per listing, ids passed as
/// variables so nothing user-supplied is spliced into the query text.
pub(super) fn read_query(count: usize) -> String {
    let params: Vec<String> = (0..count).map(|i| format!("$i{i}: ID!, $l{i}: ID!")).collect();
    let fields: Vec<String> = (0..count)
        .map(|i| {
            format!(
                "l{i}: inventoryItem(id: $i{i}) {{ inventoryLevel(locationId: $l{i}) {{ \
                 quantities(names: [\"available\"]) {{ name quantity }} }} }}"
            )
        })
        .collect();
    format!("query Levels({}) {{ {} }}", params.join(", "), fields.join(" "))
}

pub(super) fn read_variables(listings: &[RemoteListing]) -> Value {
    let mut variables = serde_json::Map::new();
    for (i, listing) in listings.iter().enumerate() {
        variables.insert(format!("i{i}"), json!(listing.item));
        variables.insert(format!("l{i}"), json!(listing.location));
    }
    Value::Object(variables)
}

#[derive(Deserialize)]
pub(super) struct GraphqlResponse {
    #[serde(default)]
    pub(super) data: Option<Value>,
    #[serde(default)]
    errors: Vec<GraphqlError>,
    #[serde(default)]
    extensions: Option<Extensions>,
}

#[derive(Deserialize)]
struct GraphqlError {
    #[serde(default)]
    message: String,
    #[serde(default)]
    extensions: Option<ErrorExtensions>,
}

#[derive(Deserialize)]
struct ErrorExtensions {
    #[serde(default)]
    code: Option<String>,
}

#[derive(Deserialize)]
struct Extensions {
    cost: Option<Cost>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Cost {
    requested_query_cost: Option<f64>,
    actual_query_cost: Option<f64>,
    throttle_status: ThrottleStatus,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ThrottleStatus {
    maximum_available: f64,
    currently_available: f64,
    restore_rate: f64,
}

#[derive(Deserialize)]
struct UserError {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    field: Option<Vec<String>>,
    #[serde(default)]
    message: String,
}

impl GraphqlResponse {
    pub(super) fn rate(&self) -> Option<RateStatus> {
        let cost = self.extensions.as_ref()?.cost.as_ref()?;
        Some(RateStatus {
            requested_cost: cost.requested_query_cost,
            actual_cost: cost.actual_query_cost,
            maximum: cost.throttle_status.maximum_available,
            available: cost.throttle_status.currently_available,
            restore_rate: cost.throttle_status.restore_rate,
        })
    }

    pub(super) fn check_throttled(&self) -> Result<(), ChannelError> {
        let throttled = self
            .errors
            .iter()
            .any(|e| e.extensions.as_ref().and_then(|x| x.code.as_deref()) == Some("THROTTLED"));
        if throttled {
            return Err(ChannelError::Throttled { retry_after: None, rate: self.rate() });
        }
        Ok(())
    }

    /// Top-level errors without data: the request as a whole was refused.
    pub(super) fn refused(&self) -> Option<ChannelError> {
        if self.data.as_ref().is_some_and(|d| !d.is_null()) || self.errors.is_empty() {
            return None;
        }
        let messages: Vec<&str> = self.errors.iter().map(|e| e.message.as_str()).collect();
        let auth = self.errors.iter().any(|e| {
            matches!(
                e.extensions.as_ref().and_then(|x| x.code.as_deref()),
                Some("ACCESS_DENIED" | "UNAUTHORIZED")
            )
        });
        let message = messages.join("; ");
        Some(if auth { ChannelError::Auth(message) } else { ChannelError::Refused(message) })
    }
}

/// Maps Shopify's `InventorySetQuantitiesUserErrorCode` onto what the engine does next.
pub fn rejection_kind(code: &str) -> RejectionKind {
    match code {
        "CHANGE_FROM_QUANTITY_STALE" | "COMPARE_QUANTITY_STALE" => RejectionKind::Stale,
        "IDEMPOTENCY_CONCURRENT_REQUEST" => RejectionKind::InFlight,
        "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED" | "IDEMPOTENCY_KEY_PARAMETER_MISMATCH" => {
            RejectionKind::NewKeyNeeded
        }
        "INVALID_INVENTORY_ITEM"
        | "INVALID_LOCATION"
        | "ITEM_NOT_STOCKED_AT_LOCATION"
        | "NON_MUTABLE_INVENTORY_ITEM"
        | "INVALID_QUANTITY_NEGATIVE"
        | "INVALID_QUANTITY_TOO_HIGH"
        | "INVALID_QUANTITY_TOO_LOW"
        | "INVALID_NAME"
        | "INVALID_REASON"
        | "INVALID_REFERENCE_DOCUMENT"
        | "COMPARE_QUANTITY_REQUIRED"
        | "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR" => RejectionKind::Permanent,
        _ => RejectionKind::Temporary,
    }
}

/// `field: ["input", "quantities", "3", "changeFromQuantity"]` names update 3.
fn update_index(field: Option<&[String]>) -> Option<usize> {
    let field = field?;
    let at = field.iter().position(|f| f == "quantities")?;
    field.get(at + 1)?.parse().ok()
}

pub(super) fn push_outcome(response: &GraphqlResponse) -> Result<PushOutcome, ChannelError> {
    if let Some(error) = response.refused() {
        return Err(error);
    }
    let payload =
        response.data.as_ref().and_then(|d| d.get("inventorySetQuantities")).ok_or_else(|| {
            ChannelError::Uncertain("response has no inventorySetQuantities payload".into())
        })?;
    let user_errors: Vec<UserError> =
        serde_json::from_value(payload.get("userErrors").cloned().unwrap_or(json!([])))
            .map_err(|e| ChannelError::Uncertain(format!("unreadable userErrors: {e}")))?;
    if user_errors.is_empty() {
        return Ok(PushOutcome::Applied);
    }
    let rejections = user_errors
        .into_iter()
        .map(|e| {
            let code = e.code.unwrap_or_else(|| "UNKNOWN".into());
            Rejection {
                index: update_index(e.field.as_deref()),
                kind: rejection_kind(&code),
                code,
                message: e.message,
            }
        })
        .collect();
    Ok(PushOutcome::Rejected(rejections))
}

pub(super) fn levels(response: &GraphqlResponse, count: usize) -> Result<Vec<Option<i64>>, ChannelError> {
    if let Some(error) = response.refused() {
        return Err(error);
    }
    let data =
        response.data.as_ref().ok_or_else(|| ChannelError::Uncertain("read returned no data".into()))?;
    Ok((0..count)
        .map(|i| {
            data.get(format!("l{i}"))?
                .get("inventoryLevel")?
                .get("quantities")?
                .as_array()?
                .iter()
                .find(|q| q.get("name").and_then(Value::as_str) == Some("available"))?
                .get("quantity")?
                .as_i64()
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_from_quantity_is_sent_as_null_not_omitted() {
        let updates = [QuantityUpdate {
            listing: RemoteListing {
                item: "gid://shopify/InventoryItem/1".into(),
                location: Some("gid://shopify/Location/2".into()),
            },
            quantity: 5,
            change_from: None,
        }];
        let request =
            PushRequest { idempotency_key: "k-1", reference: "gid://shelfsync/Sync/1", updates: &updates };
        let variables = set_variables(&request).unwrap();
        let entry = &variables["input"]["quantities"][0];
        assert!(entry.as_object().unwrap().contains_key("changeFromQuantity"));
        assert!(entry["changeFromQuantity"].is_null());
    }

    #[test]
    fn keys_that_could_break_the_query_are_refused() {
        for (key, ok) in
            [("0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", true), ("a\"b", false), ("", false), ("a b", false)]
        {
            assert_eq!(check_key(key).is_ok(), ok, "{key:?}");
        }
    }

    #[test]
    fn throttled_as_200_is_a_throttle() {
        let body = r#"{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED"}}],
            "extensions":{"cost":{"requestedQueryCost":752,"actualQueryCost":null,
            "throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":12,"restoreRate":100.0}}}}"#;
        let parsed: GraphqlResponse = serde_json::from_str(body).unwrap();
        let Err(ChannelError::Throttled { rate: Some(rate), .. }) = parsed.check_throttled() else {
            panic!("not a throttle");
        };
        assert_eq!(rate.available, 12.0);
        assert_eq!(rate.restore_rate, 100.0);
    }

    #[test]
    fn user_errors_name_their_update_and_kind() {
        let body = r#"{"data":{"inventorySetQuantities":{"inventoryAdjustmentGroup":null,"userErrors":[
            {"code":"CHANGE_FROM_QUANTITY_STALE","field":["input","quantities","3","changeFromQuantity"],"message":"stale"},
            {"code":"INVALID_INVENTORY_ITEM","field":["input","quantities","0","inventoryItemId"],"message":"bad"},
            {"code":"SOMETHING_NEW","field":null,"message":"?"}]}}}"#;
        let parsed: GraphqlResponse = serde_json::from_str(body).unwrap();
        let PushOutcome::Rejected(rejections) = push_outcome(&parsed).unwrap() else {
            panic!("not rejected")
        };
        let got: Vec<(Option<usize>, RejectionKind)> = rejections.iter().map(|r| (r.index, r.kind)).collect();
        assert_eq!(
            got,
            vec![
                (Some(3), RejectionKind::Stale),
                (Some(0), RejectionKind::Permanent),
                (None, RejectionKind::Temporary)
            ]
        );
    }

    #[test]
    fn read_levels_parse_missing_items_as_none() {
        let body = r#"{"data":{"l0":{"inventoryLevel":{"quantities":[{"name":"available","quantity":7}]}},
            "l1":null,"l2":{"inventoryLevel":null}}}"#;
        let parsed: GraphqlResponse = serde_json::from_str(body).unwrap();
        assert_eq!(levels(&parsed, 3).unwrap(), vec![Some(7), None, None]);
    }
}
