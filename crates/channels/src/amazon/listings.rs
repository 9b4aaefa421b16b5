//! What `patchListingsItem` answers mean for a row, and the quantities `searchListingsItems`
//! reads back.

use serde_json::Value;

use super::{ErrorList, Issue, Reply, SubmissionResponse, error_text};
use crate::{ChannelError, PushOutcome, Rejection, RejectionKind, RemoteListing};

/// What one answered patch means for its row.
pub(super) fn patch_outcome(reply: &Reply) -> Result<PushOutcome, ChannelError> {
    if !(200..300).contains(&reply.status) {
        let list: ErrorList = serde_json::from_slice(&reply.body).unwrap_or_default();
        let code = list.errors.first().map_or_else(|| format!("HTTP_{}", reply.status), |e| e.code.clone());
        let message = error_text(&reply.body);
        // A 400/404 for this SKU and value fails the same way every time.
        return Ok(PushOutcome::Rejected(vec![Rejection {
            index: Some(0),
            code,
            message,
            kind: RejectionKind::Permanent,
        }]));
    }
    let parsed: SubmissionResponse = serde_json::from_slice(&reply.body)
        .map_err(|e| ChannelError::Uncertain(format!("unreadable submission response: {e}")))?;
    let errors: Vec<&Issue> = parsed.issues.iter().filter(|i| i.severity == "ERROR").collect();
    if parsed.status == "INVALID" || !errors.is_empty() {
        let codes: Vec<&str> = errors.iter().map(|i| i.code.as_str()).collect();
        let code = if codes.is_empty() { "INVALID".to_string() } else { codes.join(",") };
        let message = errors.iter().map(|i| i.message.as_str()).collect::<Vec<_>>().join("; ");
        return Ok(PushOutcome::Rejected(vec![Rejection {
            index: Some(0),
            code,
            message: if message.is_empty() { "status INVALID".into() } else { message },
            kind: RejectionKind::Permanent,
        }]));
    }
    match parsed.status.as_str() {
        // Queued by Amazon; read back later to confirm (reconciliation).
        "ACCEPTED" | "VALID" => Ok(PushOutcome::Accepted),
        other => Err(ChannelError::Uncertain(format!("unknown submission status '{other}'"))),
    }
}

pub(super) fn search_levels(
    body: &[u8],
    listings: &[RemoteListing],
) -> Result<Vec<Option<i64>>, ChannelError> {
    let parsed: Value = serde_json::from_slice(body)
        .map_err(|e| ChannelError::Uncertain(format!("unreadable search results: {e}")))?;
    let items = parsed.get("items").and_then(Value::as_array).cloned().unwrap_or_default();
    Ok(listings
        .iter()
        .map(|listing| {
            let item =
                items.iter().find(|i| i.get("sku").and_then(Value::as_str) == Some(listing.item.as_str()))?;
            let availability = item.get("fulfillmentAvailability")?.as_array()?;
            availability
                .iter()
                .find(|a| a.get("fulfillmentChannelCode").and_then(Value::as_str) == Some("DEFAULT"))
                .and_then(|a| a.get("quantity")?.as_i64())
                .or(Some(0))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::amazon::AmazonClient;

    fn reply(status: u16, body: &str) -> Reply {
        Reply { status, body: body.as_bytes().to_vec() }
    }

    #[test]
    fn patch_uses_snake_case_and_default_channel() {
        let body = AmazonClient::patch_body(7);
        assert_eq!(body["patches"][0]["path"], "/attributes/fulfillment_availability");
        assert_eq!(body["patches"][0]["value"][0]["fulfillment_channel_code"], "DEFAULT");
        assert_eq!(body["patches"][0]["value"][0]["quantity"], 7);
    }

    #[test]
    fn invalid_as_200_is_permanent_with_issue_codes() {
        let r = reply(
            200,
            r#"{"sku":"X","status":"INVALID","submissionId":"s","issues":[{"code":"90000900","message":"The attributes are invalid.","severity":"ERROR","categories":["INVALID_ATTRIBUTE"]}]}"#,
        );
        let PushOutcome::Rejected(rej) = patch_outcome(&r).unwrap() else { panic!() };
        assert_eq!(rej[0].code, "90000900");
        assert_eq!(rej[0].kind, RejectionKind::Permanent);
        let warn = reply(
            200,
            r#"{"sku":"X","status":"ACCEPTED","submissionId":"s","issues":[{"code":"1","message":"w","severity":"WARNING","categories":[]}]}"#,
        );
        assert_eq!(patch_outcome(&warn).unwrap(), PushOutcome::Accepted);
        let err_issue = reply(
            200,
            r#"{"sku":"X","status":"ACCEPTED","submissionId":"s","issues":[{"code":"8541","message":"e","severity":"ERROR","categories":[]}]}"#,
        );
        assert!(matches!(patch_outcome(&err_issue).unwrap(), PushOutcome::Rejected(_)));
    }
}
