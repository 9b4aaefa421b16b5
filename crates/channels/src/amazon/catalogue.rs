//! Connection test and the seller's catalogue (`searchListingsItems` without identifiers,
//! 20 a page, `pageToken` followed, paced by the search bucket: 5/s, burst 5).

use serde_json::Value;

use super::{AmazonClient, MAX_SEARCH_SKUS, Reply, error_text, form_encode, path_segment};
use crate::connect::MAX_CATALOGUE;
use crate::{Catalogue, CatalogueEntry, ChannelError, Connected, ConnectionFailure};

/// Throttles (429) taken in a row before a read gives up; the bucket paces the retries.
const MAX_THROTTLES: u32 = 8;

impl AmazonClient {
    /// One page of the seller's listings; a 429 drains the bucket, which then paces the retry.
    async fn search_page(
        &self,
        page_size: usize,
        page_token: Option<&str>,
    ) -> Result<Reply, ConnectionFailure> {
        let mut url = format!(
            "{}/listings/2021-08-01/items/{}?marketplaceIds={}&includedData=summaries&pageSize={page_size}",
            self.base,
            path_segment(&self.seller_id),
            form_encode(&self.marketplace_id)
        );
        if let Some(token) = page_token {
            url.push_str(&format!("&pageToken={}", form_encode(token)));
        }
        for _ in 0..MAX_THROTTLES {
            match self
                .call(&self.search_bucket, |token| self.http.get(&url).header("x-amz-access-token", token))
                .await
            {
                Err(ChannelError::Throttled { .. }) => continue,
                Err(ChannelError::Auth(message)) => {
                    // The token was fresh (it was just issued): the seller is not theirs.
                    return Err(ConnectionFailure::NotFound(format!(
                        "seller {} is not reachable with these credentials ({message})",
                        self.seller_id
                    )));
                }
                Err(other) => return Err(other.into()),
                Ok(reply) if (200..300).contains(&reply.status) => return Ok(reply),
                Ok(reply) if matches!(reply.status, 400 | 404) => {
                    return Err(ConnectionFailure::NotFound(format!(
                        "seller {} in marketplace {} (HTTP {}: {})",
                        self.seller_id,
                        self.marketplace_id,
                        reply.status,
                        error_text(&reply.body)
                    )));
                }
                Ok(reply) => {
                    return Err(ConnectionFailure::Channel {
                        status: Some(reply.status),
                        message: error_text(&reply.body),
                    });
                }
            }
        }
        Err(ConnectionFailure::Throttled)
    }

    /// An LWA token first, so a refusal there reads as wrong credentials and a refusal of
    /// a later call (with a fresh token) as a seller the credentials cannot reach.
    async fn sign_in(&self) -> Result<(), ConnectionFailure> {
        self.token.token(&self.http).await.map(drop).map_err(|e| match e {
            ChannelError::Auth(m) => ConnectionFailure::Unauthorized(format!(
                "Login with Amazon refused the client id, client secret or refresh token: {m}"
            )),
            other => other.into(),
        })
    }

    /// An LWA token, then one page of the seller's listings.
    pub async fn test_connection(&self) -> Result<Connected, ConnectionFailure> {
        self.sign_in().await?;
        let reply = self.search_page(1, None).await?;
        let page: Value = serde_json::from_slice(&reply.body).map_err(|e| ConnectionFailure::Channel {
            status: Some(reply.status),
            message: format!("unreadable searchListingsItems answer: {e}"),
        })?;
        let listings = page.get("numberOfResults").and_then(Value::as_u64);
        Ok(Connected {
            summary: format!(
                "seller {} in marketplace {}{}",
                self.seller_id,
                self.marketplace_id,
                listings.map(|n| format!(", {n} listings")).unwrap_or_default()
            ),
            account: Some(self.seller_id.clone()),
            locations: vec![],
        })
    }

    /// Every listing of the seller in the marketplace (seller SKUs).
    pub async fn catalogue(&self) -> Result<Catalogue, ConnectionFailure> {
        self.sign_in().await?;
        let mut catalogue = Catalogue::default();
        let mut token: Option<String> = None;
        loop {
            let reply = self.search_page(MAX_SEARCH_SKUS, token.as_deref()).await?;
            catalogue.pages += 1;
            let page: Value =
                serde_json::from_slice(&reply.body).map_err(|e| ConnectionFailure::Channel {
                    status: Some(reply.status),
                    message: format!("unreadable searchListingsItems answer: {e}"),
                })?;
            for item in page.get("items").and_then(Value::as_array).map_or(&[][..], Vec::as_slice) {
                if let Some(sku) = item.get("sku").and_then(Value::as_str) {
                    catalogue.entries.push(CatalogueEntry { sku: sku.to_string(), item: sku.to_string() });
                }
            }
            if catalogue.entries.len() > MAX_CATALOGUE {
                return Err(ConnectionFailure::Channel {
                    status: None,
                    message: format!("more than {MAX_CATALOGUE} listings"),
                });
            }
            match page.pointer("/pagination/nextToken").and_then(Value::as_str) {
                Some(next) if !next.is_empty() => token = Some(next.to_string()),
                _ => return Ok(catalogue),
            }
        }
    }
}
