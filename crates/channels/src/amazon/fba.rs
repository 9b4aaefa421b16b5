//! FBA stock: `getInventorySummaries` with `details=true`.

use serde_json::Value;

use super::{AmazonClient, error_text};
use crate::ChannelError;
use crate::auth::form_encode;

/// FBA stock of one seller SKU, from `getInventorySummaries` with `details=true`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FbaSummary {
    pub seller_sku: String,
    pub total: i64,
    pub fulfillable: Option<i64>,
}

/// `getInventorySummaries`: 2 requests/s, burst 2; at most 50 SKUs per call.
pub const FBA_MAX_SKUS: usize = 50;

impl AmazonClient {
    /// FBA quantities (reconciliation of Amazon-fulfilled SKUs). Pages are followed at once:
    /// a `nextToken` expires 30 s after it is issued.
    pub async fn fba_summaries(&self, skus: &[String]) -> Result<Vec<FbaSummary>, ChannelError> {
        if skus.is_empty() || skus.len() > FBA_MAX_SKUS {
            return Err(ChannelError::Config(format!(
                "an FBA read covers 1 to {FBA_MAX_SKUS} SKUs, got {}",
                skus.len()
            )));
        }
        let market = form_encode(&self.marketplace_id);
        let listed: Vec<String> = skus.iter().map(|s| form_encode(s)).collect();
        let first = format!(
            "{}/fba/inventory/v1/summaries?details=true&granularityType=Marketplace&granularityId={market}&marketplaceIds={market}&sellerSkus={}",
            self.base,
            listed.join("%2C")
        );
        let mut out = Vec::new();
        let mut url = first.clone();
        // Bounded: 50 SKUs never need more pages than this.
        for _ in 0..=FBA_MAX_SKUS {
            let reply = self
                .call(&self.fba_bucket, |token| self.http.get(&url).header("x-amz-access-token", token))
                .await?;
            if !(200..300).contains(&reply.status) {
                return Err(ChannelError::Refused(format!(
                    "HTTP {}: {}",
                    reply.status,
                    error_text(&reply.body)
                )));
            }
            let page: Value = serde_json::from_slice(&reply.body)
                .map_err(|e| ChannelError::Uncertain(format!("unreadable inventory summaries: {e}")))?;
            for summary in
                page.pointer("/payload/inventorySummaries").and_then(Value::as_array).into_iter().flatten()
            {
                out.push(FbaSummary {
                    seller_sku: summary["sellerSku"].as_str().unwrap_or_default().to_string(),
                    total: summary["totalQuantity"].as_i64().unwrap_or(0),
                    fulfillable: summary
                        .pointer("/inventoryDetails/fulfillableQuantity")
                        .and_then(Value::as_i64),
                });
            }
            match page.pointer("/pagination/nextToken").and_then(Value::as_str) {
                Some(next) if !next.is_empty() => url = format!("{first}&nextToken={}", form_encode(next)),
                _ => return Ok(out),
            }
        }
        Err(ChannelError::Uncertain("getInventorySummaries kept paging".into()))
    }
}
