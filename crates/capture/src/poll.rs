//! The polling fallback: Shopify orders updated since a cursor
//! (`GET /admin/api/{version}/orders.json?status=any&updated_at_min=..`), booked through the same
//! path as webhooks, so an order seen both ways is booked once. Each poll also recomputes the
//! webhook capture rate of the days it saw: webhook-received orders over the orders the channel
//! reports for that day.

use std::path::Path;
use std::time::Duration;

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde_json::Value;
use shelfsync_channels::ChannelKind;
use shelfsync_store::Store;
use shelfsync_sync::config::{SHOPIFY_TOKEN, list_channels};
use shelfsync_sync::credentials::Secrets;

use crate::orders::{self, IngestReport, Source};
use crate::{CaptureError, Result, now};

/// The Admin API version the client speaks.
pub const API_VERSION: &str = "2026-04";

/// Shopify's page cap.
const PAGE: usize = 250;

/// Pages one poll reads at most: 25,000 orders, then the next poll continues from the cursor.
const MAX_PAGES: usize = 100;

/// How often the daemon polls (the guide: every 15 minutes).
pub const POLL_EVERY: Duration = Duration::from_secs(15 * 60);

#[derive(Clone, Debug, Default, Serialize)]
pub struct PollReport {
    pub channel: String,
    pub fetched: usize,
    pub recorded: usize,
    pub duplicates: usize,
    pub unmapped: usize,
    pub incidents: Vec<String>,
    pub errors: Vec<String>,
    pub cursor: Option<String>,
}

pub(crate) struct ChannelAccess {
    pub name: String,
    pub endpoint: String,
    pub token: String,
}

/// The Shopify channels to work on (all, or the one named) with their access tokens.
pub(crate) fn shopify_channels(
    store: &Store,
    secrets: &Secrets,
    only: Option<&str>,
) -> Result<Vec<ChannelAccess>> {
    let all = list_channels(store.connection())?;
    if let Some(name) = only
        && !all.iter().any(|c| c.name == name)
    {
        return Err(CaptureError::UnknownChannel(name.to_string()));
    }
    let mut out = Vec::new();
    for channel in all.into_iter().filter(|c| only.is_none_or(|n| n == c.name)) {
        if ChannelKind::parse(&channel.kind) != Some(ChannelKind::Shopify) {
            if only.is_some() {
                return Err(CaptureError::Invalid(format!(
                    "channel '{}' is {}: only shopify is captured so far",
                    channel.name, channel.kind
                )));
            }
            continue;
        }
        let token = secrets.get(&channel.name, SHOPIFY_TOKEN)?.ok_or_else(|| {
            CaptureError::Invalid(format!("no access token stored for channel '{}'", channel.name))
        })?;
        out.push(ChannelAccess {
            name: channel.name,
            endpoint: channel.endpoint,
            token: token.expose().to_string(),
        });
    }
    Ok(out)
}

pub fn http_client() -> Result<reqwest::Client> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| CaptureError::Http(format!("cannot build the HTTP client: {e}")))
}

/// Polls every Shopify channel (or the one named) once.
pub async fn poll(db_path: &Path, secrets: &Secrets, only: Option<&str>) -> Result<Vec<PollReport>> {
    let store = Store::open(db_path)?;
    let channels = shopify_channels(&store, secrets, only)?;
    let http = http_client()?;
    let mut reports = Vec::new();
    for channel in channels {
        reports.push(poll_channel(&store, &http, &channel).await?);
    }
    Ok(reports)
}

async fn poll_channel(store: &Store, http: &reqwest::Client, channel: &ChannelAccess) -> Result<PollReport> {
    let mut report = PollReport { channel: channel.name.clone(), ..PollReport::default() };
    let mut cursor: Option<String> = store
        .connection()
        .query_row("SELECT cursor FROM poll_cursors WHERE channel = ?1", [&channel.name], |r| r.get(0))
        .optional()?;
    let mut days = std::collections::BTreeSet::new();
    let mut total = IngestReport::default();
    for _ in 0..MAX_PAGES {
        let orders = fetch_page(http, channel, cursor.as_deref()).await?;
        let full = orders.len() >= PAGE;
        let mut newest = cursor.clone();
        for raw in &orders {
            report.fetched += 1;
            let order = match orders::parse_order(raw) {
                Ok(order) => order,
                Err(error) => {
                    report.errors.push(error.to_string());
                    continue;
                }
            };
            days.insert(order.created_at.format("%Y-%m-%d").to_string());
            match orders::ingest(store, &channel.name, &order, Source::Poll) {
                Ok(r) => total.add(r),
                Err(error) => report.errors.push(format!("order {}: {error}", order.id)),
            }
            if newest.as_deref().is_none_or(|n| order.updated_at.as_str() > n) {
                newest = Some(order.updated_at.clone());
            }
        }
        let advanced = newest != cursor;
        cursor = newest;
        if !full || !advanced {
            break;
        }
    }
    // Changes the engine saw on the channel before their orders were booked settle here.
    let ids: Vec<i64> = store
        .connection()
        .prepare(
            "SELECT DISTINCT listing_id FROM channel_changes WHERE channel = ?1 AND resolved_at IS NULL",
        )?
        .query_map([&channel.name], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for id in ids {
        orders::settle_channel_changes(store.connection(), id)?;
    }
    if let Some(cursor) = &cursor {
        store.connection().execute(
            "INSERT INTO poll_cursors (channel, cursor, polled_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (channel) DO UPDATE SET cursor = excluded.cursor, polled_at = excluded.polled_at",
            params![channel.name, cursor, now()],
        )?;
    }
    for day in &days {
        store.connection().execute(
            "INSERT INTO capture_rates (channel, day, webhook_orders, channel_orders, computed_at)
             SELECT ?1, ?2, count(webhook_at), count(*), ?3 FROM captured_orders WHERE channel = ?1 AND created_day = ?2
             ON CONFLICT (channel, day) DO UPDATE SET webhook_orders = excluded.webhook_orders,
                 channel_orders = excluded.channel_orders, computed_at = excluded.computed_at",
            params![channel.name, day, now()],
        )?;
    }
    report.recorded = total.recorded;
    report.duplicates = total.duplicates;
    report.unmapped = total.unmapped;
    report.incidents = total.incidents.iter().map(i64::to_string).collect();
    report.cursor = cursor;
    Ok(report)
}

async fn fetch_page(
    http: &reqwest::Client,
    channel: &ChannelAccess,
    since: Option<&str>,
) -> Result<Vec<Value>> {
    let url = format!("{}/admin/api/{API_VERSION}/orders.json", channel.endpoint.trim_end_matches('/'));
    let mut url = format!("{url}?status=any&limit={PAGE}");
    if let Some(since) = since {
        url.push_str(&format!("&updated_at_min={}", encode(since)));
    }
    let response = http
        .get(&url)
        .header("X-Shopify-Access-Token", &channel.token)
        .send()
        .await
        .map_err(|e| CaptureError::Http(format!("{}: cannot list orders: {e}", channel.name)))?;
    let status = response.status();
    if !status.is_success() {
        return Err(CaptureError::Http(format!("{}: listing orders answered HTTP {status}", channel.name)));
    }
    let body: Value = response
        .json()
        .await
        .map_err(|e| CaptureError::Http(format!("{}: order list is not JSON: {e}", channel.name)))?;
    body["orders"]
        .as_array()
        .cloned()
        .ok_or_else(|| CaptureError::Http(format!("{}: order list has no 'orders' array", channel.name)))
}

/// Percent-encodes a query value (timestamps carry ':' and '+').
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CaptureRate {
    pub channel: String,
    pub day: String,
    pub webhook_orders: i64,
    pub channel_orders: i64,
    pub rate_percent: f64,
}

/// Stored capture rates, newest day first.
pub fn capture_rates(store: &Store, channel: Option<&str>, days: usize) -> Result<Vec<CaptureRate>> {
    Ok(store
        .connection()
        .prepare(
            "SELECT channel, day, webhook_orders, channel_orders FROM capture_rates
             WHERE ?1 IS NULL OR channel = ?1 ORDER BY day DESC, channel LIMIT ?2",
        )?
        .query_map(params![channel, days as i64], |r| {
            let (webhook, total): (i64, i64) = (r.get(2)?, r.get(3)?);
            Ok(CaptureRate {
                channel: r.get(0)?,
                day: r.get(1)?,
                webhook_orders: webhook,
                channel_orders: total,
                rate_percent: if total == 0 { 100.0 } else { (webhook as f64) * 100.0 / (total as f64) },
            })
        })?
        .collect::<Result<_, _>>()?)
}
