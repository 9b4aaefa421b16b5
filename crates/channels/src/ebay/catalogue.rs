//! Connection test and the catalogue (`getInventoryItems`, offset-paged, 200 a page; offer
//! ids by `getOffers` per SKU), all under the client's call budget.

use serde_json::Value;

use super::{EbayClient, ErrorBody};
use crate::connect::MAX_CATALOGUE;
use crate::{Catalogue, CatalogueEntry, ChannelError, Connected, ConnectionFailure};

/// getInventoryItems' largest page.
pub const PAGE: usize = 200;
const MAX_THROTTLES: u32 = 8;

impl EbayClient {
    async fn inventory_page(&self, limit: usize, offset: usize) -> Result<Value, ConnectionFailure> {
        let url = format!("{}/inventory_item?limit={limit}&offset={offset}", self.api);
        for _ in 0..MAX_THROTTLES {
            match self.call(|token| self.http.get(&url).bearer_auth(token)).await {
                // A daily-quota 429 says to wait for hours: give up and say so.
                Err(ChannelError::Throttled { retry_after: Some(wait), .. })
                    if wait > crate::connect::MAX_THROTTLE_WAIT =>
                {
                    return Err(ConnectionFailure::Throttled);
                }
                Err(ChannelError::Throttled { retry_after, .. }) => {
                    tokio::time::sleep(retry_after.unwrap_or(std::time::Duration::from_secs(1))).await;
                }
                Err(ChannelError::Auth(m)) => {
                    return Err(ConnectionFailure::Unauthorized(format!(
                        "{m}: the user token lacks the sell.inventory scope or was revoked"
                    )));
                }
                Err(other) => return Err(other.into()),
                Ok((status, body)) if (200..300).contains(&status) => {
                    return serde_json::from_slice(&body).map_err(|e| ConnectionFailure::Channel {
                        status: Some(status),
                        message: format!("unreadable getInventoryItems answer: {e}"),
                    });
                }
                Ok((status, body)) => {
                    let parsed: ErrorBody = serde_json::from_slice(&body).unwrap_or_default();
                    let message = parsed.errors.first().map_or_else(
                        || String::from_utf8_lossy(&body[..body.len().min(200)]).to_string(),
                        |e| format!("{} {}", e.error_id, e.message),
                    );
                    return Err(ConnectionFailure::Channel { status: Some(status), message });
                }
            }
        }
        Err(ConnectionFailure::Throttled)
    }

    /// A user token for `sell.inventory`, then `getInventoryItems?limit=1`.
    pub async fn test_connection(&self) -> Result<Connected, ConnectionFailure> {
        self.token.token(&self.http).await.map_err(|e| match e {
            ChannelError::Auth(m) => ConnectionFailure::Unauthorized(format!(
                "eBay refused the client id, client secret or refresh token: {m}"
            )),
            other => other.into(),
        })?;
        let page = self.inventory_page(1, 0).await?;
        let total = page.get("total").and_then(Value::as_u64);
        Ok(Connected {
            summary: format!(
                "eBay seller account{}",
                total.map(|n| format!(", {n} inventory items")).unwrap_or_default()
            ),
            account: None,
            locations: vec![],
        })
    }

    /// Every inventory item's SKU.
    pub async fn catalogue(&self) -> Result<Catalogue, ConnectionFailure> {
        let mut catalogue = Catalogue::default();
        let mut offset = 0;
        loop {
            let page = self.inventory_page(PAGE, offset).await?;
            catalogue.pages += 1;
            let items = page.get("inventoryItems").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
            for item in items {
                if let Some(sku) = item.get("sku").and_then(Value::as_str) {
                    catalogue.entries.push(CatalogueEntry { sku: sku.to_string(), item: sku.to_string() });
                }
            }
            if catalogue.entries.len() > MAX_CATALOGUE {
                return Err(ConnectionFailure::Channel {
                    status: None,
                    message: format!("more than {MAX_CATALOGUE} inventory items"),
                });
            }
            let more = page.get("next").and_then(Value::as_str).is_some_and(|n| !n.is_empty());
            if items.is_empty() || !more {
                return Ok(catalogue);
            }
            offset += items.len();
        }
    }

    /// The published offer of `sku` (`getOffers`), for a mapping's offer id.
    pub async fn offer_id(&self, sku: &str) -> Result<Option<String>, ConnectionFailure> {
        self.resolve_offer(sku).await.map_err(ConnectionFailure::from)
    }
}
