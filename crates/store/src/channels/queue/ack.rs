//! Acknowledgements: a group the channel applied (or accepted, with its read-back scheduled in
//! the same transaction), and what reading an accepted push back found.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::failure::{dead_letter_row, note_failure};
use super::{Group, GroupRow, later, stamp};
use crate::channels::immediate;
use crate::channels::listings::RemoteIds;
use crate::outbox::{now, requeue_listing};
use crate::{Result, Store};

fn latency_ms(dirty_since: &str, acked: DateTime<Utc>) -> i64 {
    DateTime::parse_from_rfc3339(dirty_since)
        .map_or(0, |t| (acked - t.with_timezone(&Utc)).num_milliseconds().max(0))
}

/// The channel applied the group: the channel now holds each row's group quantity. Rows with
/// no newer value leave the outbox; rows that changed meanwhile stay dirty with their newer
/// value. Returns each push's latency in milliseconds.
pub fn ack(store: &Store, channel: &str, group: &Group) -> Result<Vec<i64>> {
    let conn = &store.conn;
    let tx = immediate(conn)?;
    let latencies = ack_in(&tx, channel, group)?;
    tx.commit()?;
    Ok(latencies)
}

/// Acknowledges a group the channel accepted without applying yet (Amazon ACCEPTED) and, in the
/// same transaction, schedules each row's read-back `confirm_after` from now: an acknowledged
/// push is never without its read-back, whoever runs the engine next.
pub fn ack_accepted(
    store: &Store,
    channel: &str,
    group: &Group,
    confirm_after: Duration,
) -> Result<Vec<i64>> {
    let conn = &store.conn;
    let tx = immediate(conn)?;
    let latencies = ack_in(&tx, channel, group)?;
    expect_confirmation_in(&tx, channel, &group.rows, confirm_after)?;
    tx.commit()?;
    Ok(latencies)
}

fn ack_in(tx: &rusqlite::Transaction<'_>, channel: &str, group: &Group) -> Result<Vec<i64>> {
    let acked = Utc::now();
    let at = stamp(acked);
    let mut latencies = Vec::with_capacity(group.rows.len());
    for row in &group.rows {
        // The version guard keeps a late acknowledgement from moving our belief backwards.
        // The channel now holds what we set, which already counts every booked sale.
        tx.prepare_cached(
            "UPDATE listings SET acked_qty = ?2, acked_version = ?3, acked_at = ?4, booked_unobserved = 0
             WHERE id = ?1 AND acked_version < ?3",
        )?
        .execute(params![row.listing_id, row.qty, row.version, at])?;
        let derivation: String = tx
            .prepare_cached("SELECT derivation FROM outbox WHERE listing_id = ?1")?
            .query_row([row.listing_id], |r| r.get(0))?;
        let latency = latency_ms(&row.dirty_since, acked);
        latencies.push(latency);
        tx.prepare_cached(
            "INSERT INTO pushes (listing_id, channel, version, qty, change_from, group_key, derivation, dirty_since,
                                 acked_at, latency_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?
        .execute(params![
            row.listing_id,
            channel,
            row.version,
            row.qty,
            row.change_from,
            group.key,
            derivation,
            row.dirty_since,
            at,
            latency
        ])?;
        tx.prepare_cached("DELETE FROM outbox WHERE listing_id = ?1 AND version = group_version")?
            .execute([row.listing_id])?;
        tx.prepare_cached(
            "UPDATE outbox SET group_key = NULL, group_qty = NULL, group_from = NULL, group_version = NULL,
                 attempts = 0, last_error = NULL, dirty_since = updated_at, next_attempt_at = ?2
             WHERE listing_id = ?1",
        )?
        .execute(params![row.listing_id, at])?;
        tx.prepare_cached(
            "UPDATE dead_letters SET resolved_at = ?3, resolution = 'superseded'
             WHERE listing_id = ?1 AND resolved_at IS NULL AND version < ?2",
        )?
        .execute(params![row.listing_id, row.version, at])?;
    }
    tx.execute(
        "UPDATE channel_metrics SET pushed = pushed + ?2, last_success_at = ?3, offline_since = NULL WHERE channel = ?1",
        params![channel, group.rows.len() as i64, at],
    )?;
    Ok(latencies)
}

/// Remembers accepted-but-unapplied rows for a read-back `due` from now (migration 13). A listing
/// already waiting keeps its count of gaps: a re-send that is accepted again is still the same
/// missing value.
fn expect_confirmation_in(
    tx: &rusqlite::Transaction<'_>,
    channel: &str,
    rows: &[GroupRow],
    due: Duration,
) -> Result<()> {
    let (at, due_at) = (now(), later(due));
    for row in rows {
        tx.prepare_cached(
            "INSERT INTO unconfirmed_pushes (listing_id, channel, version, qty, due_at, gaps, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6)
             ON CONFLICT (listing_id) DO UPDATE SET channel = excluded.channel, version = excluded.version,
                 qty = excluded.qty, due_at = excluded.due_at, updated_at = excluded.updated_at",
        )?
        .execute(params![row.listing_id, channel, row.version, row.qty, due_at, at])?;
    }
    Ok(())
}

/// An accepted push waiting for its read-back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unconfirmed {
    pub row: GroupRow,
    /// Read-backs in a row that found the value missing.
    pub gaps: u32,
}

/// Up to `limit` accepted pushes of the channel whose read-back is due now, oldest first.
pub fn due_confirmations(store: &Store, channel: &str, limit: usize) -> Result<Vec<Unconfirmed>> {
    let conn = &store.conn;
    Ok(conn
        .prepare_cached(
            "SELECT u.listing_id, l.remote_item, l.remote_location, u.qty, u.version, u.updated_at, u.gaps
             FROM unconfirmed_pushes u JOIN listings l ON l.id = u.listing_id
             WHERE u.channel = ?1 AND u.due_at IS NOT NULL AND u.due_at <= ?2
             ORDER BY u.due_at, u.listing_id LIMIT ?3",
        )?
        .query_map(params![channel, now(), limit as i64], |r| {
            Ok(Unconfirmed {
                row: GroupRow {
                    listing_id: r.get(0)?,
                    remote: RemoteIds { item: r.get(1)?, location: r.get(2)? },
                    qty: r.get(3)?,
                    change_from: None,
                    version: r.get(4)?,
                    dirty_since: r.get(5)?,
                    attempts: 0,
                },
                gaps: r.get(6)?,
            })
        })?
        .collect::<Result<_, _>>()?)
}

/// When the channel's next read-back is due, if one is waiting.
pub fn next_confirmation(store: &Store, channel: &str) -> Result<Option<String>> {
    let conn = &store.conn;
    Ok(conn
        .prepare_cached(
            "SELECT min(due_at) FROM unconfirmed_pushes WHERE channel = ?1 AND due_at IS NOT NULL",
        )?
        .query_row([channel], |r| r.get(0))?)
}

/// The read-back found the accepted value (or found it superseded, or gave up): forget it.
pub fn confirmed(store: &Store, listing_id: i64) -> Result<()> {
    let conn = &store.conn;
    conn.prepare_cached("DELETE FROM unconfirmed_pushes WHERE listing_id = ?1")?.execute([listing_id])?;
    Ok(())
}

/// The read-back found the accepted value: the channel holds it, so it is our belief again (a
/// read before a push may have moved the belief to the value the channel showed before it
/// applied this one), and the wait is over.
pub fn confirmed_applied(store: &Store, listing_id: i64, version: i64, qty: i64) -> Result<()> {
    let conn = &store.conn;
    let tx = immediate(conn)?;
    tx.prepare_cached("UPDATE listings SET acked_qty = ?3 WHERE id = ?1 AND acked_version = ?2")?
        .execute(params![listing_id, version, qty])?;
    tx.prepare_cached("DELETE FROM unconfirmed_pushes WHERE listing_id = ?1")?.execute([listing_id])?;
    tx.commit()?;
    Ok(())
}

/// The value was missing and the listing was queued again: count the gap and wait for the
/// re-send's own acceptance (which sets the next read-back time).
pub fn gap_found(store: &Store, listing_id: i64) -> Result<()> {
    let conn = &store.conn;
    conn.prepare_cached(
        "UPDATE unconfirmed_pushes SET gaps = gaps + 1, due_at = NULL, updated_at = ?2 WHERE listing_id = ?1",
    )?
    .execute(params![listing_id, now()])?;
    Ok(())
}

/// A read that failed is not a gap: read again after `delay`.
pub fn confirm_later(store: &Store, listing_id: i64, delay: Duration) -> Result<()> {
    let conn = &store.conn;
    conn.prepare_cached("UPDATE unconfirmed_pushes SET due_at = ?2 WHERE listing_id = ?1")?
        .execute(params![listing_id, later(delay)])?;
    Ok(())
}

/// What reading back an accepted-but-unconfirmed push found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unapplied {
    /// A newer change of the listing was acknowledged or is queued: nothing to do here.
    Superseded,
    /// Queued again at once: the channel holds `observed`, not the accepted value.
    Resent,
    /// Flagged: accepted, read back short too many times; in the dead-letter queue.
    DeadLettered,
}

/// An update the channel accepted (Amazon `ACCEPTED`) did not show up when read back: the
/// belief becomes what the channel holds and the listing goes again, or, after too many such
/// gaps in a row, goes to the dead-letter queue so a person looks (the silent-drop case).
pub fn record_unapplied(
    store: &Store,
    channel: &str,
    row: &GroupRow,
    observed: Option<i64>,
    give_up: bool,
) -> Result<Unapplied> {
    let conn = &store.conn;
    let tx = immediate(conn)?;
    let acked_version: Option<i64> = tx
        .prepare_cached("SELECT acked_version FROM listings WHERE id = ?1")?
        .query_row([row.listing_id], |r| r.get(0))
        .optional()?
        .flatten();
    let queued: Option<i64> = tx
        .prepare_cached("SELECT 1 FROM outbox WHERE listing_id = ?1")?
        .query_row([row.listing_id], |r| r.get(0))
        .optional()?;
    if acked_version != Some(row.version) || queued.is_some() {
        return Ok(Unapplied::Superseded);
    }
    let message = format!(
        "accepted quantity {} but the channel shows {}",
        row.qty,
        observed.map_or("nothing".to_string(), |q| q.to_string())
    );
    tx.prepare_cached("UPDATE listings SET acked_qty = ?2 WHERE id = ?1")?
        .execute(params![row.listing_id, observed])?;
    let since = now();
    requeue_listing(&tx, row.listing_id, &since)?;
    let exists: Option<i64> = tx
        .prepare_cached("SELECT 1 FROM outbox WHERE listing_id = ?1")?
        .query_row([row.listing_id], |r| r.get(0))
        .optional()?;
    if exists.is_none() {
        // The allocation now equals what the channel holds: nothing to resend.
        tx.commit()?;
        return Ok(Unapplied::Superseded);
    }
    tx.prepare_cached("UPDATE outbox SET last_error = ?2, next_attempt_at = ?3 WHERE listing_id = ?1")?
        .execute(params![row.listing_id, format!("ACCEPTED_NOT_APPLIED: {message}"), since])?;
    note_failure(&tx, channel, "accepted not applied", &message)?;
    let outcome = if give_up {
        dead_letter_row(&tx, row.listing_id, None)?;
        tx.execute(
            "UPDATE channel_metrics SET dead_letters = dead_letters + 1 WHERE channel = ?1",
            [channel],
        )?;
        Unapplied::DeadLettered
    } else {
        Unapplied::Resent
    };
    tx.commit()?;
    Ok(outcome)
}
