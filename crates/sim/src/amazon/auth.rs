//! Login with Amazon: the token endpoint (refresh-token grant) and the form decoding it needs.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::AmazonSim;
use super::notifications::grantless_token;

pub(super) fn form_value(body: &str, key: &str) -> Option<String> {
    body.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key).then(|| percent_decode(v))
    })
}

pub(crate) fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(super) async fn token(State(sim): State<AmazonSim>, body: Bytes) -> Response {
    let body = String::from_utf8_lossy(&body).to_string();
    sim.with(|s| {
        s.stats.token_requests += 1;
        let grant = form_value(&body, "grant_type");
        if grant.as_deref() == Some("client_credentials") {
            return grantless_token(s, &body);
        }
        let good = grant.as_deref() == Some("refresh_token")
            && form_value(&body, "refresh_token").as_deref() == Some(s.config.refresh_token.as_str())
            && form_value(&body, "client_id").as_deref() == Some(s.config.client_id.as_str())
            && form_value(&body, "client_secret").as_deref() == Some(s.config.client_secret.as_str());
        if !good {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({ "error": "invalid_grant", "error_description": "The request has an invalid grant parameter : refresh_token" })),
            )
                .into_response();
        }
        let token = s.issue_token();
        Json(json!({
            "access_token": token,
            "refresh_token": s.config.refresh_token,
            "token_type": "bearer",
            "expires_in": s.config.token_ttl.as_secs().max(1),
        }))
        .into_response()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("Atzr%7Ca%20b"), "Atzr|a b");
    }
}
