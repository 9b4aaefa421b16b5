//! A recorder of the Amazon and eBay exchanges (method, path, JSON bodies, status), off by
//! default, so a test can check every request a client sent and every answer the simulator
//! gave against the official schemas.

use std::sync::{Arc, Mutex};

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use serde::Serialize;
use serde_json::Value;

/// Largest body recorded; larger ones are passed through unrecorded.
const MAX_BODY: usize = 8 * 1024 * 1024;

/// Most exchanges kept: a bound on memory if a recorder is left on.
const MAX_EXCHANGES: usize = 100_000;

#[derive(Clone, Debug, Serialize)]
pub struct Exchange {
    pub method: String,
    /// Path only; the query is in `query`.
    pub path: String,
    pub query: String,
    pub request: Option<Value>,
    pub status: u16,
    pub response: Option<Value>,
}

#[derive(Clone, Default)]
pub struct Traffic(Arc<Mutex<Option<Vec<Exchange>>>>);

impl Traffic {
    pub fn start(&self) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(Vec::new());
    }

    /// What was recorded since `start`; recording goes on.
    pub fn take(&self) -> Vec<Exchange> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).as_mut().map(std::mem::take).unwrap_or_default()
    }

    fn on(&self) -> bool {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).is_some()
    }

    fn push(&self, exchange: Exchange) {
        if let Some(log) = self.0.lock().unwrap_or_else(|p| p.into_inner()).as_mut()
            && log.len() < MAX_EXCHANGES
        {
            log.push(exchange);
        }
    }
}

pub(crate) async fn record(State(traffic): State<Traffic>, request: Request, next: Next) -> Response {
    if !traffic.on() {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return crate::shopify::dropped_connection();
    };
    let method = parts.method.to_string();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().unwrap_or_default().to_string();
    let request_json = serde_json::from_slice(&bytes).ok();
    let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    let (parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        // A simulated dropped connection: nothing whole to record.
        return crate::shopify::dropped_connection();
    };
    traffic.push(Exchange {
        method,
        path,
        query,
        request: request_json,
        status: parts.status.as_u16(),
        response: serde_json::from_slice(&bytes).ok(),
    });
    Response::from_parts(parts, Body::from(bytes))
}
