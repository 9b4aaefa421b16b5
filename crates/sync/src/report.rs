//! What operators read: per-channel status, why a number is what it is, and the dead-letter
//! queue with its replay.

use chrono::Utc;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::Value;
use shelfsync_store::outbox::{allocation_for, now, requeue_listing};

use crate::config::{immediate, require_channel};
use crate::queue::stamp;
use crate::{Result, SyncError};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChannelStatus {
    pub channel: String,
    pub kind: String,
    /// "ok", "pending", "offline since T", "dead letters"
    pub state: String,
    pub offline_since: Option<String>,
    pub queue_depth: i64,
    pub oldest_dirty: Option<String>,
    pub last_success: Option<String>,
    pub errors_last_hour: i64,
    pub p95_latency_ms: Option<i64>,
    pub dead_letters: i64,
    pub attempts: i64,
    pub failures: i64,
    pub throttles: i64,
    pub pushed: i64,
    pub last_error: Option<String>,
    pub engine: Option<String>,
}

pub fn status(conn: &Connection) -> Result<Vec<ChannelStatus>> {
    let engine = crate::lease::holder(conn)?.map(|(holder, until)| format!("{holder} (lease until {until})"));
    let names: Vec<(String, String)> = conn
        .prepare("SELECT name, kind FROM channels ORDER BY name")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    names.into_iter().map(|(name, kind)| channel_status(conn, name, kind, engine.clone())).collect()
}

fn channel_status(
    conn: &Connection,
    channel: String,
    kind: String,
    engine: Option<String>,
) -> Result<ChannelStatus> {
    let hour_ago = stamp(Utc::now() - chrono::Duration::hours(1));
    let (attempts, failures, throttles, pushed, last_success, last_error, offline_since) = conn.query_row(
        "SELECT attempts, failures, throttles, pushed, last_success_at, last_error, offline_since
         FROM channel_metrics WHERE channel = ?1",
        [&channel],
        |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get::<_, Option<String>>(6)?,
            ))
        },
    )?;
    let (queue_depth, oldest_dirty): (i64, Option<String>) = conn.query_row(
        "SELECT count(*), min(dirty_since) FROM outbox WHERE channel = ?1",
        [&channel],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let errors_last_hour: i64 = conn.query_row(
        "SELECT count(*) FROM sync_failures WHERE channel = ?1 AND at >= ?2",
        params![channel, hour_ago],
        |r| r.get(0),
    )?;
    let dead_letters: i64 = conn.query_row(
        "SELECT count(*) FROM dead_letters WHERE channel = ?1 AND resolved_at IS NULL",
        [&channel],
        |r| r.get(0),
    )?;
    let state = match (&offline_since, queue_depth, dead_letters) {
        (Some(since), _, _) => format!("offline since {since}"),
        (None, _, dead) if dead > 0 => "dead letters".to_string(),
        (None, 0, _) => "ok".to_string(),
        (None, _, _) => "pending".to_string(),
    };
    Ok(ChannelStatus {
        p95_latency_ms: p95_latency(conn, &channel, &hour_ago)?,
        channel,
        kind,
        state,
        offline_since,
        queue_depth,
        oldest_dirty,
        last_success,
        errors_last_hour,
        dead_letters,
        attempts,
        failures,
        throttles,
        pushed,
        last_error,
        engine,
    })
}

/// 95th percentile of the last hour's push latencies (nearest rank).
fn p95_latency(conn: &Connection, channel: &str, since: &str) -> Result<Option<i64>> {
    let count: i64 = conn.query_row(
        "SELECT count(*) FROM pushes WHERE channel = ?1 AND acked_at >= ?2",
        params![channel, since],
        |r| r.get(0),
    )?;
    if count == 0 {
        return Ok(None);
    }
    let rank = ((count as f64) * 0.95).ceil() as i64 - 1;
    Ok(conn
        .query_row(
            "SELECT latency_ms FROM pushes WHERE channel = ?1 AND acked_at >= ?2 ORDER BY latency_ms LIMIT 1 OFFSET ?3",
            params![channel, since, rank.max(0)],
            |r| r.get(0),
        )
        .optional()?)
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Explanation {
    pub sku: String,
    pub channel: String,
    pub location: Option<String>,
    pub remote_item: String,
    pub remote_location: Option<String>,
    /// The allocation from the ledger as it is now.
    pub now: Value,
    /// What the channel last acknowledged (our belief of its quantity).
    pub channel_qty: Option<i64>,
    pub queued: Option<Value>,
    pub last_push: Option<Value>,
    pub open_channel_changes: i64,
}

/// id, location, remote item, remote location, acknowledged quantity.
type ListingRow = (i64, Option<String>, String, Option<String>, Option<i64>);

pub fn explain(conn: &Connection, sku: &str, channel: &str) -> Result<Vec<Explanation>> {
    require_channel(conn, channel)?;
    let known: Option<i64> =
        conn.query_row("SELECT 1 FROM items WHERE sku = ?1", [sku], |r| r.get(0)).optional()?;
    if known.is_none() {
        return Err(SyncError::Store(shelfsync_store::StoreError::UnknownSku(sku.to_string())));
    }
    let listings: Vec<ListingRow> = conn
        .prepare(
            "SELECT id, location, remote_item, remote_location, acked_qty FROM listings
             WHERE channel = ?1 AND sku = ?2 ORDER BY location",
        )?
        .query_map(params![channel, sku], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
        .collect::<Result<_, _>>()?;
    if listings.is_empty() {
        return Err(SyncError::NoListing { sku: sku.to_string(), channel: channel.to_string() });
    }
    listings
        .into_iter()
        .map(|(id, location, remote_item, remote_location, channel_qty)| {
            Ok(Explanation {
                sku: sku.to_string(),
                channel: channel.to_string(),
                location,
                remote_item,
                remote_location,
                now: serde_json::to_value(allocation_for(conn, id)?).expect("serialises"),
                channel_qty,
                queued: queued(conn, id)?,
                last_push: last_push(conn, id)?,
                open_channel_changes: conn.query_row(
                    "SELECT count(*) FROM channel_changes WHERE listing_id = ?1 AND resolved_at IS NULL",
                    [id],
                    |r| r.get(0),
                )?,
            })
        })
        .collect()
}

fn derivation(text: String) -> Value {
    serde_json::from_str(&text).unwrap_or(Value::String(text))
}

fn queued(conn: &Connection, listing_id: i64) -> Result<Option<Value>> {
    Ok(conn
        .query_row(
            "SELECT desired_qty, version, attempts, next_attempt_at, last_error, dirty_since, derivation
             FROM outbox WHERE listing_id = ?1",
            [listing_id],
            |r| {
                Ok(serde_json::json!({
                    "qty": r.get::<_, i64>(0)?, "version": r.get::<_, i64>(1)?, "attempts": r.get::<_, i64>(2)?,
                    "next_attempt_at": r.get::<_, String>(3)?, "last_error": r.get::<_, Option<String>>(4)?,
                    "dirty_since": r.get::<_, String>(5)?, "derivation": derivation(r.get(6)?),
                }))
            },
        )
        .optional()?)
}

fn last_push(conn: &Connection, listing_id: i64) -> Result<Option<Value>> {
    Ok(conn
        .query_row(
            "SELECT qty, version, change_from, acked_at, latency_ms, derivation FROM pushes
             WHERE listing_id = ?1 ORDER BY id DESC LIMIT 1",
            [listing_id],
            |r| {
                Ok(serde_json::json!({
                    "qty": r.get::<_, i64>(0)?, "version": r.get::<_, i64>(1)?,
                    "change_from": r.get::<_, Option<i64>>(2)?, "acked_at": r.get::<_, String>(3)?,
                    "latency_ms": r.get::<_, i64>(4)?, "derivation": derivation(r.get(5)?),
                }))
            },
        )
        .optional()?)
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DeadLetter {
    pub id: String,
    pub channel: String,
    pub sku: String,
    pub location: Option<String>,
    pub desired_qty: i64,
    pub version: i64,
    pub attempts: i64,
    pub last_error: String,
    pub dirty_since: String,
    pub dead_at: String,
}

/// Open dead letters, oldest first.
pub fn dead_letters(conn: &Connection) -> Result<Vec<DeadLetter>> {
    let mut stmt = conn.prepare(
        "SELECT d.id, d.channel, l.sku, l.location, d.desired_qty, d.version, d.attempts, d.last_error,
                d.dirty_since, d.dead_at
         FROM dead_letters d JOIN listings l ON l.id = d.listing_id
         WHERE d.resolved_at IS NULL ORDER BY d.id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(DeadLetter {
            id: r.get::<_, i64>(0)?.to_string(),
            channel: r.get(1)?,
            sku: r.get(2)?,
            location: r.get(3)?,
            desired_qty: r.get(4)?,
            version: r.get(5)?,
            attempts: r.get(6)?,
            last_error: r.get(7)?,
            dirty_since: r.get(8)?,
            dead_at: r.get(9)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Replays one dead letter (or all open ones): the listing goes back in the outbox with the
/// quantity the ledger gives now (the dead value may be stale) and a fresh attempt count.
/// Returns how many were replayed.
pub fn retry_dead_letters(conn: &Connection, id: Option<&str>) -> Result<usize> {
    let tx = immediate(conn)?;
    let ids: Vec<(i64, i64)> = match id {
        Some(raw) => vec![one_dead_letter(&tx, raw)?],
        None => tx
            .prepare("SELECT id, listing_id FROM dead_letters WHERE resolved_at IS NULL ORDER BY id")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?,
    };
    let at = now();
    for (dead_id, listing_id) in &ids {
        tx.execute(
            "UPDATE dead_letters SET resolved_at = ?2, resolution = 'retried' WHERE id = ?1",
            params![dead_id, at],
        )?;
        // The channel may hold anything now: push without compare, so the replay lands.
        tx.execute(
            "UPDATE listings SET acked_qty = NULL WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM outbox WHERE listing_id = ?1)",
            [listing_id],
        )?;
        // Replaying one is an operator's fix, urgent; replaying them all is a batch, bulk.
        match id {
            Some(_) => requeue_listing(&tx, *listing_id, &at).map(drop)?,
            None => crate::queue::requeue_bulk(&tx, *listing_id, &at)?,
        }
    }
    tx.commit()?;
    Ok(ids.len())
}

fn one_dead_letter(conn: &Connection, raw: &str) -> Result<(i64, i64)> {
    let id: i64 = raw.parse().map_err(|_| SyncError::UnknownDeadLetter(raw.to_string()))?;
    let row: Option<(i64, Option<String>)> = conn
        .query_row("SELECT listing_id, resolution FROM dead_letters WHERE id = ?1", [id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    match row {
        None => Err(SyncError::UnknownDeadLetter(raw.to_string())),
        Some((_, Some(resolution))) => Err(SyncError::DeadLetterResolved(id, resolution)),
        Some((listing_id, None)) => Ok((id, listing_id)),
    }
}
