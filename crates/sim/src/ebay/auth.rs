//! eBay OAuth: the token endpoint (refresh grant, Basic client credentials, the granted scopes).

use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::EbaySim;
use crate::amazon::percent_decode;

fn form_value(body: &str, key: &str) -> Option<String> {
    body.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key).then(|| percent_decode(v))
    })
}

fn basic(id: &str, secret: &str) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let input = format!("{id}:{secret}");
    let input = input.as_bytes();
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            out.push(if i <= chunk.len() { TABLE[((n >> (18 - 6 * i)) & 63) as usize] as char } else { '=' });
        }
    }
    format!("Basic {out}")
}

/// The OAuth scopes the simulated app was granted: Sell Inventory and Sell Fulfillment.
const SCOPES: [&str; 2] = [
    "https://api.ebay.com/oauth/api_scope/sell.inventory",
    "https://api.ebay.com/oauth/api_scope/sell.fulfillment",
];

pub(super) async fn token(State(sim): State<EbaySim>, headers: HeaderMap, body: Bytes) -> Response {
    let body = String::from_utf8_lossy(&body).to_string();
    sim.with(|s| {
        s.stats.token_requests += 1;
        let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
        if auth != basic(&s.config.client_id, &s.config.client_secret) {
            return (StatusCode::UNAUTHORIZED, Json(json!({ "error": "invalid_client", "error_description": "client authentication failed" }))).into_response();
        }
        let scope_ok = form_value(&body, "scope").is_some_and(|v| v.split(' ').any(|s| SCOPES.contains(&s)));
        let grant_ok = form_value(&body, "grant_type").as_deref() == Some("refresh_token")
            && form_value(&body, "refresh_token").as_deref() == Some(s.config.refresh_token.as_str());
        if !grant_ok || !scope_ok {
            let (error, description) = if grant_ok { ("invalid_scope", "the requested scope is invalid") } else { ("invalid_grant", "the provided authorization refresh token is invalid") };
            return (StatusCode::BAD_REQUEST, Json(json!({ "error": error, "error_description": description }))).into_response();
        }
        s.token_serial += 1;
        let token = format!("v^1.1#i^1#sim-{}-{}", s.config.seed, s.token_serial);
        s.tokens.insert(token.clone(), Instant::now() + s.config.token_ttl);
        Json(json!({ "access_token": token, "expires_in": s.config.token_ttl.as_secs().max(1), "token_type": "User Access Token" })).into_response()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_header() {
        assert_eq!(basic("id", "secret"), "Basic aWQ6c2VjcmV0");
    }
}
