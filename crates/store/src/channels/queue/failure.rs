//! Failures: backoff and attempts, rows leaving their group, the dead-letter queue, and a
//! stale compare-and-set (the difference goes to `channel_changes`, the row is recomputed).

use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};

use super::{Group, GroupRow, later};
use crate::channels::immediate;
use crate::outbox::{self, now, requeue_listing};
use crate::oversight::Db;
use crate::{Result, Store};

/// How a failure treats the rows it hits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Failure<'a> {
    pub kind: &'a str,
    pub message: &'a str,
    /// Count an attempt (false for throttles, and for offline beyond its small bound).
    pub burn_attempt: bool,
    /// Keep the key and the frozen values: the outcome is unknown, or nothing was applied and
    /// the same request may go again.
    pub keep_group: bool,
    /// The write may have applied: if the rows leave their group, our belief of the channel's
    /// quantity is no longer known.
    pub outcome_unknown: bool,
    pub delay: Duration,
    pub max_attempts: u32,
}

/// Applies a failure to some rows of a group: attempts, backoff, last error; rows at their cap
/// go to the dead-letter queue. A kept group whose any row hits the cap is dissolved, because
/// its key can only ever carry all of its values together.
pub fn fail(
    store: &Store,
    channel: &str,
    group: &Group,
    listing_ids: &[i64],
    failure: &Failure<'_>,
) -> Result<u32> {
    let conn = &store.conn;
    let tx = immediate(conn)?;
    let next = later(failure.delay);
    let burn = u32::from(failure.burn_attempt);
    let rows: Vec<&GroupRow> = group.rows.iter().filter(|r| listing_ids.contains(&r.listing_id)).collect();
    let capped = |r: &GroupRow| failure.burn_attempt && r.attempts + burn >= failure.max_attempts;
    let dissolve = !failure.keep_group || rows.iter().any(|r| capped(r));
    let mut dead = 0;
    for row in &rows {
        tx.prepare_cached("UPDATE outbox SET attempts = attempts + ?2, last_error = ?3, next_attempt_at = ?4 WHERE listing_id = ?1")?
            .execute(params![row.listing_id, burn, format!("{}: {}", failure.kind, failure.message), next])?;
        if dissolve {
            release_row(&tx, row.listing_id, failure.outcome_unknown)?;
        }
        if capped(row) {
            dead_letter_row(&tx, row.listing_id, Some(&group.key))?;
            dead += 1;
        }
    }
    note_failure(&tx, channel, failure.kind, failure.message)?;
    tx.execute(
        "UPDATE channel_metrics SET dead_letters = dead_letters + ?2 WHERE channel = ?1",
        params![channel, dead],
    )?;
    tx.commit()?;
    Ok(dead)
}

/// Takes a row out of its group. If the group's write may have applied, our belief of the
/// channel's quantity becomes unknown, so the next set goes without compare (null).
fn release_row(conn: &Connection, listing_id: i64, outcome_unknown: bool) -> Result<()> {
    conn.prepare_cached(
        "UPDATE outbox SET group_key = NULL, group_qty = NULL, group_from = NULL, group_version = NULL
         WHERE listing_id = ?1",
    )?
    .execute([listing_id])?;
    if outcome_unknown {
        conn.prepare_cached("UPDATE listings SET acked_qty = NULL WHERE id = ?1")?.execute([listing_id])?;
    }
    Ok(())
}

/// A write whose outcome is unknown on a channel that takes absolute quantities: the channel
/// may hold its value already, so our belief of the channel's quantity is unknown until an
/// answer (even while the group is kept for a retry). A read meanwhile must not take our own
/// applied value for a sale, and a later definite refusal of a retry does not undo the earlier
/// attempt. (Shopify keeps its belief: its compare-and-set finds out either way.)
pub fn forget_belief(store: &Store, listing_ids: &[i64]) -> Result<()> {
    let conn = &store.conn;
    for id in listing_ids {
        conn.prepare_cached("UPDATE listings SET acked_qty = NULL WHERE id = ?1")?.execute([id])?;
    }
    Ok(())
}

/// [`forget_belief`] for every row of the channel already in an attempt group: called when a
/// worker starts, since an earlier engine may have sent those groups without hearing back.
pub fn forget_belief_in_groups(store: &Store, channel: &str) -> Result<()> {
    let conn = &store.conn;
    conn.prepare_cached(
        "UPDATE listings SET acked_qty = NULL
         WHERE id IN (SELECT listing_id FROM outbox WHERE channel = ?1 AND group_key IS NOT NULL)",
    )?
    .execute([channel])?;
    Ok(())
}

/// Rows sent with others that failed: they go again at once, under a new key.
pub fn release(store: &Store, listing_ids: &[i64]) -> Result<()> {
    let conn = &store.conn;
    let tx = immediate(conn)?;
    for id in listing_ids {
        release_row(&tx, *id, false)?;
        tx.prepare_cached("UPDATE outbox SET next_attempt_at = ?2 WHERE listing_id = ?1")?
            .execute(params![id, now()])?;
    }
    tx.commit()?;
    Ok(())
}

/// Moves a row to the dead-letter queue: kept, visible, replayable.
pub(super) fn dead_letter_row(conn: &Connection, listing_id: i64, group_key: Option<&str>) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO dead_letters (listing_id, channel, desired_qty, version, derivation, dirty_since, attempts,
                                   last_error, group_key, dead_at)
         SELECT listing_id, channel, desired_qty, version, derivation, dirty_since, attempts,
                ifnull(last_error, 'unknown'), ?2, ?3
         FROM outbox WHERE listing_id = ?1",
    )?
    .execute(params![listing_id, group_key, now()])?;
    conn.prepare_cached("DELETE FROM outbox WHERE listing_id = ?1")?.execute([listing_id])?;
    Ok(())
}

/// Dead-letters rows at once (a permanent refusal): retrying cannot help.
pub fn dead_letter(
    store: &Store,
    channel: &str,
    listing_ids: &[i64],
    kind: &str,
    message: &str,
) -> Result<()> {
    let conn = &store.conn;
    let tx = immediate(conn)?;
    for id in listing_ids {
        tx.prepare_cached(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?2 WHERE listing_id = ?1",
        )?
        .execute(params![id, format!("{kind}: {message}")])?;
        release_row(&tx, *id, false)?;
        dead_letter_row(&tx, *id, None)?;
    }
    note_failure(&tx, channel, kind, message)?;
    tx.execute(
        "UPDATE channel_metrics SET dead_letters = dead_letters + ?2 WHERE channel = ?1",
        params![channel, listing_ids.len() as i64],
    )?;
    tx.commit()?;
    Ok(())
}

pub(super) fn note_failure(conn: &Connection, channel: &str, kind: &str, message: &str) -> Result<()> {
    let at = now();
    conn.prepare_cached("INSERT INTO sync_failures (channel, at, kind, message) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![channel, at, kind, message])?;
    conn.prepare_cached(
        "UPDATE channel_metrics SET failures = failures + 1, last_error = ?2 WHERE channel = ?1",
    )?
    .execute(params![channel, format!("{kind}: {message}")])?;
    Ok(())
}

/// A stale compare-and-set: the channel holds `observed`, not what we believed. The
/// difference goes to `channel_changes` for capture to ingest, the belief becomes the observed
/// value, and the row is recomputed (unseen sales kept out) and sent again under a new key.
pub fn record_stale(
    store: &Store,
    channel: &str,
    row: &GroupRow,
    observed: i64,
    max_attempts: u32,
) -> Result<()> {
    let conn = &store.conn;
    let tx = immediate(conn)?;
    // Measured against what we believe the channel holds now, not the group's compare value:
    // a change already recorded since the group formed (Shopify's inventory_levels webhook moves
    // the belief) must not be recorded twice.
    let believed: Option<i64> = tx
        .prepare_cached("SELECT acked_qty FROM listings WHERE id = ?1")?
        .query_row([row.listing_id], |r| r.get(0))
        .optional()?
        .flatten();
    // The part of a drop that is this channel's own sales, already booked (Shopify lowers its
    // own count when the order is placed, and the webhook booked it first), is settled here, at
    // once. Kept out again as "unseen", it would count the sale twice until the next poll.
    let base = believed.or(row.change_from);
    let booked = match base {
        Some(e) if observed < e => outbox::take_booked_drop(&tx, row.listing_id, e - observed)?,
        _ => 0,
    };
    let expected = base.map(|e| e - booked);
    if let Some(expected) = expected {
        // A drop lowers every channel's listing of the item, not only this one.
        outbox::record_channel_change(&tx, row.listing_id, channel, expected, observed)?;
    }
    tx.prepare_cached("UPDATE listings SET acked_qty = ?2 WHERE id = ?1")?
        .execute(params![row.listing_id, observed])?;
    release_row(&tx, row.listing_id, false)?;
    tx.prepare_cached(
        "UPDATE outbox SET attempts = attempts + 1, last_error = 'CHANGE_FROM_QUANTITY_STALE', next_attempt_at = ?2
         WHERE listing_id = ?1",
    )?
    .execute(params![row.listing_id, now()])?;
    requeue_listing(&tx, row.listing_id, &row.dirty_since)?;
    if row.attempts + 1 >= max_attempts {
        dead_letter_row(&tx, row.listing_id, None)?;
        tx.execute(
            "UPDATE channel_metrics SET dead_letters = dead_letters + 1 WHERE channel = ?1",
            [channel],
        )?;
    }
    tx.commit()?;
    Ok(())
}

/// Listings of the channel with an open dead letter (reconciliation classes a gap by them).
pub fn dead_lettered(db: &impl Db, channel: &str) -> Result<Vec<i64>> {
    Ok(db
        .conn()
        .prepare(
            "SELECT DISTINCT d.listing_id FROM dead_letters d JOIN listings l ON l.id = d.listing_id
             WHERE l.channel = ?1 AND d.resolved_at IS NULL",
        )?
        .query_map([channel], |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}
