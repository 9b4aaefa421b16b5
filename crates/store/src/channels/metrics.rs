//! Figures of the sync engine's own tables that oversight reads (alert conditions, an
//! incident's snapshot): last success (`channel_metrics`), failures (`sync_failures`), push
//! latencies and acknowledged groups (`pushes`), open dead letters (`dead_letters`). Read-only;
//! the writes are [`super::queue`]'s. They take a [`Db`] because alert evaluation and incident
//! opening read them inside their own transaction.

use rusqlite::{OptionalExtension, params};

use crate::Result;
use crate::oversight::Db;

/// When the channel last took an update, if it ever did.
pub fn last_success(db: &impl Db, channel: &str) -> Result<Option<String>> {
    Ok(db
        .conn()
        .query_row("SELECT last_success_at FROM channel_metrics WHERE channel = ?1", [channel], |r| r.get(0))
        .optional()?
        .flatten())
}

/// Failed updates of the channel at or after `since`.
pub fn failures_since(db: &impl Db, channel: &str, since: &str) -> Result<i64> {
    Ok(db.conn().query_row(
        "SELECT count(*) FROM sync_failures WHERE channel = ?1 AND at >= ?2",
        params![channel, since],
        |r| r.get(0),
    )?)
}

/// Event-to-channel latencies of pushes acknowledged at or after `since`, ascending.
pub fn latencies_since(db: &impl Db, channel: &str, since: &str) -> Result<Vec<i64>> {
    Ok(db
        .conn()
        .prepare_cached(
            "SELECT latency_ms FROM pushes WHERE channel = ?1 AND acked_at >= ?2 ORDER BY latency_ms",
        )?
        .query_map(params![channel, since], |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}

/// Push groups the channel acknowledged at or after `since`.
pub fn acked_groups_since(db: &impl Db, channel: &str, since: &str) -> Result<i64> {
    Ok(db.conn().query_row(
        "SELECT count(DISTINCT group_key) FROM pushes WHERE channel = ?1 AND acked_at >= ?2",
        params![channel, since],
        |r| r.get(0),
    )?)
}

/// Open dead letters of the channel.
pub fn open_dead_letters(db: &impl Db, channel: &str) -> Result<i64> {
    Ok(db.conn().query_row(
        "SELECT count(*) FROM dead_letters WHERE channel = ?1 AND resolved_at IS NULL",
        [channel],
        |r| r.get(0),
    )?)
}
