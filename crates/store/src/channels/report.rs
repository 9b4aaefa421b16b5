//! What operators read about the channels: per-channel status, the pieces of `sync explain`,
//! and the dead-letter queue with its replay. Tables read: `channels`, `channel_metrics`,
//! `outbox`, `sync_failures`, `dead_letters`, `pushes`, `channel_changes`, `sync_lease`.

use chrono::Utc;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde_json::Value;

use super::immediate;
use super::queue::{requeue_bulk_in, stamp};
use crate::outbox::{now, requeue_listing};
use crate::{Result, Store};

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

/// Every channel's status, by name.
pub fn status(store: &Store) -> Result<Vec<ChannelStatus>> {
    let engine =
        super::lease::holder(store)?.map(|(holder, until)| format!("{holder} (lease until {until})"));
    let names: Vec<(String, String)> = store
        .conn
        .prepare("SELECT name, kind FROM channels ORDER BY name")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    names.into_iter().map(|(name, kind)| channel_status(store, name, kind, engine.clone())).collect()
}

fn channel_status(
    store: &Store,
    channel: String,
    kind: String,
    engine: Option<String>,
) -> Result<ChannelStatus> {
    let conn = &store.conn;
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
        p95_latency_ms: p95_latency(store, &channel, &hour_ago)?,
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

/// 95th percentile of the channel's push latencies since `since` (nearest rank).
pub fn p95_latency(store: &Store, channel: &str, since: &str) -> Result<Option<i64>> {
    let conn = &store.conn;
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

/// A stored derivation as JSON (a row written before derivations were JSON shows as text).
fn derivation(text: String) -> Value {
    serde_json::from_str(&text).unwrap_or(Value::String(text))
}

/// The listing's outbox row as `sync explain` shows it, if it is queued.
pub fn queued(store: &Store, listing_id: i64) -> Result<Option<Value>> {
    Ok(store
        .conn
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

/// The listing's last acknowledged push as `sync explain` shows it.
pub fn last_push(store: &Store, listing_id: i64) -> Result<Option<Value>> {
    Ok(store
        .conn
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

/// How many changes seen on the listing's channel are still unresolved.
pub fn open_channel_changes(store: &Store, listing_id: i64) -> Result<i64> {
    Ok(store.conn.query_row(
        "SELECT count(*) FROM channel_changes WHERE listing_id = ?1 AND resolved_at IS NULL",
        [listing_id],
        |r| r.get(0),
    )?)
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
pub fn dead_letters(store: &Store) -> Result<Vec<DeadLetter>> {
    let mut stmt = store.conn.prepare(
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

/// What a replay of dead letters did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Replay {
    /// This many dead letters went back in the outbox.
    Replayed(usize),
    /// No dead letter has the id asked for; nothing changed.
    Unknown,
    /// The dead letter asked for was already resolved (how); nothing changed.
    AlreadyResolved(String),
}

/// Replays one dead letter (`Some(id)`) or all open ones (`None`), in one transaction: the
/// listing goes back in the outbox with the quantity the ledger gives now (the dead value may
/// be stale) and a fresh attempt count. A replay that moves anything is audited
/// (`deadletter.retry`: the id or `all`, how many and the first ids) in the same transaction.
pub fn retry_dead_letters(store: &Store, by: crate::By<'_>, id: Option<i64>) -> Result<Replay> {
    let tx = immediate(&store.conn)?;
    let ids: Vec<(i64, i64)> = match id {
        Some(id) => {
            let row: Option<(i64, Option<String>)> = tx
                .query_row("SELECT listing_id, resolution FROM dead_letters WHERE id = ?1", [id], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?;
            match row {
                None => return Ok(Replay::Unknown),
                Some((_, Some(resolution))) => return Ok(Replay::AlreadyResolved(resolution)),
                Some((listing_id, None)) => vec![(id, listing_id)],
            }
        }
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
            None => requeue_bulk_in(&tx, *listing_id, &at)?,
        }
    }
    if !ids.is_empty() {
        // Enough ids to trace a retry of a few; a retry of thousands is a count.
        let named: Vec<i64> = ids.iter().take(20).map(|(dead_id, _)| *dead_id).collect();
        let subject = id.map_or_else(|| "all".to_string(), |id| id.to_string());
        let detail = serde_json::json!({ "retried": ids.len(), "ids": named });
        crate::audit::record(&tx, by, "deadletter.retry", &subject, &detail)?;
    }
    tx.commit()?;
    Ok(Replay::Replayed(ids.len()))
}
