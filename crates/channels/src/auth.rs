//! Access tokens from a refresh token (Amazon LWA, eBay OAuth): fetched on first use, renewed
//! ahead of expiry, and dropped when a call reports it expired so the next call fetches anew.

use std::time::{Duration, Instant};

use serde::Deserialize;
use tokio::sync::Mutex;

use crate::ChannelError;
use crate::shopify::{classify_send_error, read_bounded};

/// Renew this long before the token's stated expiry: a call in flight must not outlive it.
const RENEW_AHEAD: Duration = Duration::from_secs(60);

pub(crate) struct TokenSource {
    url: String,
    form: String,
    /// `Authorization: Basic ...` (eBay); Amazon sends the client credentials in the form.
    basic: Option<String>,
    cache: Mutex<Option<(String, Instant)>>,
    fetches: std::sync::atomic::AtomicU64,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

#[derive(Deserialize)]
struct TokenError {
    #[serde(default)]
    error: String,
    #[serde(default)]
    error_description: String,
}

impl TokenSource {
    pub(crate) fn new(url: String, form: String, basic: Option<String>) -> TokenSource {
        TokenSource { url, form, basic, cache: Mutex::new(None), fetches: Default::default() }
    }

    /// How many tokens were fetched (tests: a refresh happens once, not per call).
    pub(crate) fn fetches(&self) -> u64 {
        self.fetches.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub(crate) async fn token(&self, http: &reqwest::Client) -> Result<String, ChannelError> {
        let mut cache = self.cache.lock().await;
        if let Some((token, renew_at)) = cache.as_ref()
            && Instant::now() < *renew_at
        {
            return Ok(token.clone());
        }
        let mut request = http
            .post(&self.url)
            .header("content-type", "application/x-www-form-urlencoded;charset=UTF-8")
            .body(self.form.clone());
        if let Some(basic) = &self.basic {
            request = request.header("authorization", format!("Basic {basic}"));
        }
        let response = request.send().await.map_err(classify_send_error)?;
        let status = response.status();
        let bytes = read_bounded(response).await?;
        self.fetches.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if status.as_u16() == 429 {
            return Err(ChannelError::Throttled { retry_after: None, rate: None });
        }
        if status.is_server_error() {
            return Err(ChannelError::Offline(format!("token endpoint: HTTP {status}")));
        }
        if !status.is_success() {
            let reason = serde_json::from_slice::<TokenError>(&bytes)
                .map(|e| format!("{} {}", e.error, e.error_description))
                .unwrap_or_else(|_| format!("HTTP {status}"));
            return Err(ChannelError::Auth(format!("token refresh refused: {}", reason.trim())));
        }
        let parsed: TokenResponse = serde_json::from_slice(&bytes)
            .map_err(|e| ChannelError::Auth(format!("unreadable token response: {e}")))?;
        let lifetime = Duration::from_secs(parsed.expires_in.unwrap_or(3600));
        // Short-lived tokens (tests) renew at half-life rather than never being fresh.
        let ahead = RENEW_AHEAD.min(lifetime / 2);
        *cache = Some((parsed.access_token.clone(), Instant::now() + lifetime - ahead));
        Ok(parsed.access_token)
    }

    /// The channel said this token expired: forget it (unless another call already renewed).
    pub(crate) async fn invalidate(&self, stale: &str) {
        let mut cache = self.cache.lock().await;
        if cache.as_ref().is_some_and(|(token, _)| token == stale) {
            *cache = None;
        }
    }
}

/// `application/x-www-form-urlencoded` value encoding.
pub(crate) fn form_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub(crate) fn base64(input: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(TABLE[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        assert_eq!(base64(b"id:secret"), "aWQ6c2VjcmV0");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(form_encode("Atzr|a b/c"), "Atzr%7Ca%20b%2Fc");
    }
}
