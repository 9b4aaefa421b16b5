//! What the desktop app's Sync dashboard draws: each channel's recent event-to-channel
//! latencies (the sparkline) and one SKU's push history across channels. Read-only views over
//! the push log the worker writes on every acknowledgement; no rule lives here.

use rusqlite::params;
use serde::Serialize;
use serde_json::Value;

use crate::{Result, Store};

/// Most points one sparkline gets: a few per pixel of a card-wide chart, and a bounded read.
pub const MAX_LATENCY_POINTS: u32 = 500;
/// Most pushes one SKU's history returns (all channels and locations together).
pub const MAX_PUSHES: u32 = 500;

/// One acknowledged push of a channel: when the channel took it and how long after the ledger
/// change that made it (event-to-channel latency).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LatencyPoint {
    pub acked_at: String,
    pub latency_ms: i64,
}

/// The last `limit` pushes of `channel` (at most [`MAX_LATENCY_POINTS`]), oldest first, so a
/// chart reads left to right.
pub fn recent_latencies(store: &Store, channel: &str, limit: u32) -> Result<Vec<LatencyPoint>> {
    let conn = &store.conn;
    let limit = limit.min(MAX_LATENCY_POINTS);
    let mut points: Vec<LatencyPoint> = conn
        .prepare_cached(
            "SELECT acked_at, latency_ms FROM pushes WHERE channel = ?1
             ORDER BY acked_at DESC, id DESC LIMIT ?2",
        )?
        .query_map(params![channel, limit], |r| {
            Ok(LatencyPoint { acked_at: r.get(0)?, latency_ms: r.get(1)? })
        })?
        .collect::<Result<_, _>>()?;
    points.reverse();
    Ok(points)
}

/// One acknowledged push of a SKU's listing, with the derivation stored with it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PushRecord {
    pub channel: String,
    pub location: Option<String>,
    pub qty: i64,
    pub version: i64,
    /// The quantity the compare-and-set expected on the channel (Shopify), if any.
    pub change_from: Option<i64>,
    pub acked_at: String,
    pub latency_ms: i64,
    pub derivation: Value,
}

/// The newest `limit` pushes (at most [`MAX_PUSHES`]) of every listing of `sku`, newest first.
/// An unknown SKU or one never pushed has none.
pub fn push_history(store: &Store, sku: &str, limit: u32) -> Result<Vec<PushRecord>> {
    let conn = &store.conn;
    let limit = limit.min(MAX_PUSHES);
    let rows = conn
        .prepare_cached(
            "SELECT p.channel, l.location, p.qty, p.version, p.change_from, p.acked_at, p.latency_ms,
                    p.derivation
             FROM listings l JOIN pushes p ON p.listing_id = l.id
             WHERE l.sku = ?1 ORDER BY p.id DESC LIMIT ?2",
        )?
        .query_map(params![sku, limit], |r| {
            let derivation: String = r.get(7)?;
            Ok(PushRecord {
                channel: r.get(0)?,
                location: r.get(1)?,
                qty: r.get(2)?,
                version: r.get(3)?,
                change_from: r.get(4)?,
                acked_at: r.get(5)?,
                latency_ms: r.get(6)?,
                derivation: serde_json::from_str(&derivation).unwrap_or(Value::String(derivation)),
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// The channels that list `sku`, by name: the ones `sync explain` can explain.
pub fn channels_listing(store: &Store, sku: &str) -> Result<Vec<String>> {
    let conn = &store.conn;
    Ok(conn
        .prepare_cached("SELECT DISTINCT channel FROM listings WHERE sku = ?1 ORDER BY channel")?
        .query_map([sku], |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}

/// Pushes acknowledged per remote item of `channel` since `since` (an RFC 3339 stamp): what a
/// fresh eBay client must count against its 250-revisions-a-day cap.
pub fn pushes_per_item_since(store: &Store, channel: &str, since: &str) -> Result<Vec<(String, u32)>> {
    Ok(store
        .conn
        .prepare_cached(
            "SELECT l.remote_item, count(*) FROM pushes p JOIN listings l ON l.id = p.listing_id
             WHERE p.channel = ?1 AND p.acked_at >= ?2 GROUP BY l.remote_item",
        )?
        .query_map(params![channel, since], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?)))?
        .collect::<Result<_, _>>()?)
}
