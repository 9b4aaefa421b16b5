//! The worker's side of the outbox: forming attempt groups (urgent rows before bulk ones),
//! acknowledging them, failing them with backoff, dead-lettering, and recording what a stale
//! compare-and-set found (submodules: `ack` for acknowledgements and read-backs of accepted
//! pushes, `failure` for failures, dead letters and stale compare-and-sets, `read` for reads
//! before an urgent push). Every function is one short `BEGIN IMMEDIATE` transaction, so the
//! ledger's appends interleave.
//!
//! Tables: `outbox` (the group columns), `pushes`, `unconfirmed_pushes`, `dead_letters`,
//! `sync_failures`, `channel_metrics`, and `listings`' belief columns (`acked_*`). The sync
//! crate keeps the pacing, retries and outcome handling; it calls these.
//!
//! Why free functions taking `&Store` rather than methods: the queue's vocabulary (`ack`,
//! `fail`, `release`, `prune`) is only clear next to the word "queue", and the sync crate
//! re-exports this module as `shelfsync_sync::queue` so its callers keep their paths.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::immediate;
use super::listings::RemoteIds;
use crate::outbox::{now, requeue_listing};
use crate::oversight::Db;
use crate::{Result, Store};

mod ack;
mod failure;
mod read;

pub use ack::{
    Unapplied, Unconfirmed, ack, ack_accepted, confirm_later, confirmed, confirmed_applied,
    due_confirmations, gap_found, next_confirmation, record_unapplied,
};
pub use failure::{
    Failure, dead_letter, dead_lettered, fail, forget_belief, forget_belief_in_groups, record_stale, release,
};
pub use read::{ReadFinding, record_read};

/// One listing's entry in an attempt group: exactly what was (or will be) sent under the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupRow {
    pub listing_id: i64,
    pub remote: RemoteIds,
    pub qty: i64,
    pub change_from: Option<i64>,
    pub version: i64,
    pub dirty_since: String,
    pub attempts: u32,
}

/// An attempt group: one idempotency key and the rows sent under it. Persisted on the rows, so
/// a restarted engine resends the same variables under the same key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub key: String,
    pub rows: Vec<GroupRow>,
}

impl Group {
    pub fn max_attempts(&self) -> u32 {
        self.rows.iter().map(|r| r.attempts).max().unwrap_or(0)
    }

    pub fn listing_ids(&self) -> Vec<i64> {
        self.rows.iter().map(|r| r.listing_id).collect()
    }
}

pub fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub(super) fn later(delay: Duration) -> String {
    stamp(Utc::now() + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::zero()))
}

const GROUP_ROW_SQL: &str =
    "SELECT o.listing_id, l.remote_item, l.remote_location, o.group_qty, o.group_from,
        o.group_version, o.dirty_since, o.attempts
     FROM outbox o JOIN listings l ON l.id = o.listing_id";

fn group_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<GroupRow> {
    Ok(GroupRow {
        listing_id: row.get(0)?,
        remote: RemoteIds { item: row.get(1)?, location: row.get(2)? },
        qty: row.get(3)?,
        change_from: row.get(4)?,
        version: row.get(5)?,
        dirty_since: row.get(6)?,
        attempts: row.get(7)?,
    })
}

/// The attempt group already formed whose retry is due: one holding an urgent row first, then
/// the oldest. `busy` is a group still being sent (a bulk submission in progress), never taken.
pub fn due_group(store: &Store, channel: &str, busy: Option<&str>) -> Result<Option<Group>> {
    let conn = &store.conn;
    let key: Option<String> = conn
        .query_row(
            "SELECT group_key FROM outbox WHERE channel = ?1 AND group_key IS NOT NULL AND group_key IS NOT ?3
             GROUP BY group_key HAVING max(next_attempt_at) <= ?2 ORDER BY min(bulk), min(dirty_since) LIMIT 1",
            params![channel, now(), busy],
            |r| r.get(0),
        )
        .optional()?;
    key.map(|key| load_group(conn, key)).transpose()
}

pub(super) fn load_group(conn: &Connection, key: String) -> Result<Group> {
    let rows = conn
        .prepare_cached(&format!(
            "{GROUP_ROW_SQL} WHERE o.group_key = ?1 ORDER BY o.dirty_since, o.listing_id"
        ))?
        .query_map([&key], group_row)?
        .collect::<Result<_, _>>()?;
    Ok(Group { key, rows })
}

/// Which due rows a new attempt group takes first.
///
/// Why not strict priority: urgent volume is normally bounded by the sales rate (a few a
/// second, far below any channel's throughput), but a stock count or a hub catch-up can queue
/// thousands of urgent rows at once; the worker forms one group in [`BULK_TURN`] oldest-first
/// so a re-push keeps moving whatever arrives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selection {
    /// Urgent rows (caused by a ledger event) first, then bulk; oldest first within each.
    UrgentFirst,
    /// Oldest first whatever the class (the bulk's turn).
    OldestFirst,
    /// Urgent rows only: while a bulk submission carries the re-push, patches stay free for
    /// sales (bulk ones would add under 1% to a feed's throughput and cost a read-back each).
    UrgentOnly,
    /// Bulk rows only: a bulk submission (minutes long) leaves urgent rows to the fast path.
    BulkOnly,
}

/// One fast group in this many is formed [`Selection::OldestFirst`]: bulk gets at least an
/// eighth of the groups while urgent rows keep coming, and an urgent row waits at most one
/// extra group for it.
pub const BULK_TURN: u64 = 8;

/// Takes up to `max` due rows, urgent first, into a new attempt group (see [`form_group_by`]).
pub fn form_group(store: &Store, channel: &str, max: usize) -> Result<Option<Group>> {
    form_group_by(store, channel, max, Selection::UrgentFirst)
}

/// Takes up to `max` due rows in the `selection`'s order into a new attempt group: each row's
/// current desired quantity, version and our belief of the channel's quantity are frozen on
/// the row with the new key. A group is filled from the next class when the first runs out, so
/// a few urgent rows still ride in a full batch.
pub fn form_group_by(
    store: &Store,
    channel: &str,
    max: usize,
    selection: Selection,
) -> Result<Option<Group>> {
    let conn = &store.conn;
    let (class, order) = match selection {
        Selection::UrgentFirst => ("", "bulk, dirty_since, listing_id"),
        Selection::OldestFirst => ("", "dirty_since, listing_id"),
        Selection::UrgentOnly => ("AND bulk = 0", "dirty_since, listing_id"),
        Selection::BulkOnly => ("AND bulk = 1", "dirty_since, listing_id"),
    };
    let tx = immediate(conn)?;
    let ids: Vec<i64> = tx
        .prepare_cached(&format!(
            "SELECT listing_id FROM outbox WHERE channel = ?1 AND group_key IS NULL AND next_attempt_at <= ?2 {class}
             ORDER BY {order} LIMIT ?3"
        ))?
        .query_map(params![channel, now(), max as i64], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    if ids.is_empty() {
        return Ok(None);
    }
    let key = uuid::Uuid::now_v7().to_string();
    for id in &ids {
        tx.prepare_cached(
            "UPDATE outbox SET group_key = ?2, group_qty = desired_qty, group_version = version,
                 group_from = (SELECT acked_qty FROM listings WHERE id = ?1)
             WHERE listing_id = ?1",
        )?
        .execute(params![id, key])?;
    }
    let group = load_group(&tx, key)?;
    tx.commit()?;
    Ok(Some(group))
}

/// When the next row of the channel becomes due (None: nothing queued), leaving out the rows
/// of `busy`, a group still being sent.
pub fn next_due(store: &Store, channel: &str, busy: Option<&str>) -> Result<Option<String>> {
    let conn = &store.conn;
    Ok(conn.query_row(
        "SELECT min(next_attempt_at) FROM outbox WHERE channel = ?1 AND (?2 IS NULL OR group_key IS NOT ?2)",
        params![channel, busy],
        |r| r.get(0),
    )?)
}

/// Whether the channel has an attempt group kept for a retry (other than `busy`, a group still
/// being sent): while a channel is offline only such a group probes it, so with none left the
/// worker must form a new one or it would wait for ever.
pub fn has_kept_group(store: &Store, channel: &str, busy: Option<&str>) -> Result<bool> {
    let conn = &store.conn;
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM outbox WHERE channel = ?1 AND group_key IS NOT NULL AND group_key IS NOT ?2 LIMIT 1",
        )?
        .query_row(params![channel, busy], |r| r.get::<_, i64>(0))
        .optional()?
        .is_some())
}

/// Urgent rows due and not in a group, counted up to `cap` (the caller only needs to know
/// whether there are none, some, or at least `cap`; the index stops the scan there).
pub fn urgent_due(store: &Store, channel: &str, cap: usize) -> Result<usize> {
    let conn = &store.conn;
    let n: i64 = conn
        .prepare_cached(
            "SELECT count(*) FROM (SELECT 1 FROM outbox WHERE channel = ?1 AND bulk = 0 AND group_key IS NULL
                 AND next_attempt_at <= ?2 LIMIT ?3)",
        )?
        .query_row(params![channel, now(), cap as i64], |r| r.get(0))?;
    Ok(n as usize)
}

/// Re-queues a listing as part of a bulk re-push (a mapping, a rule change, a replay of every
/// dead letter): a row this creates is bulk; a row already queued keeps its class, so a pending
/// sale stays urgent (urgent wins when both).
pub fn requeue_bulk(store: &Store, listing_id: i64, dirty_since: &str) -> Result<()> {
    requeue_bulk_in(&store.conn, listing_id, dirty_since)
}

/// [`requeue_bulk`] inside a caller's transaction (a rule change, a mapping, a replay).
pub(crate) fn requeue_bulk_in(conn: &Connection, listing_id: i64, dirty_since: &str) -> Result<()> {
    let queued = conn
        .prepare_cached("SELECT 1 FROM outbox WHERE listing_id = ?1")?
        .query_row([listing_id], |r| r.get::<_, i64>(0))
        .optional()?
        .is_some();
    requeue_listing(conn, listing_id, dirty_since)?;
    if !queued {
        conn.prepare_cached("UPDATE outbox SET bulk = 1 WHERE listing_id = ?1")?.execute([listing_id])?;
    }
    Ok(())
}

/// Outbox rows of `channel` still waiting among the listings with an id up to `last_listing`
/// (what a [`crate::channels::registry::repush_channel`] marked).
pub fn repush_remaining(store: &Store, channel: &str, last_listing: i64) -> Result<i64> {
    let conn = &store.conn;
    Ok(conn.query_row(
        "SELECT count(*) FROM outbox WHERE channel = ?1 AND listing_id <= ?2",
        params![channel, last_listing],
        |r| r.get(0),
    )?)
}

pub fn queue_depth(store: &Store, channel: &str) -> Result<i64> {
    queue_depth_in(store, channel)
}

/// [`queue_depth`] wherever `db` runs (alert evaluation reads it inside its transaction).
pub fn queue_depth_in(db: &impl Db, channel: &str) -> Result<i64> {
    Ok(db.conn().query_row("SELECT count(*) FROM outbox WHERE channel = ?1", [channel], |r| r.get(0))?)
}

/// Since when the channel's oldest queued update has waited.
pub fn oldest_dirty(db: &impl Db, channel: &str) -> Result<Option<String>> {
    Ok(db
        .conn()
        .query_row("SELECT min(dirty_since) FROM outbox WHERE channel = ?1", [channel], |r| r.get(0))?)
}

/// The channel's queued updates: (listing id, dirty since), in no particular order
/// (reconciliation classes a gap by them).
pub fn queued_since(db: &impl Db, channel: &str) -> Result<Vec<(i64, String)>> {
    Ok(db
        .conn()
        .prepare("SELECT listing_id, dirty_since FROM outbox WHERE channel = ?1")?
        .query_map([channel], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?)
}

/// Urgent rows of the channel, due and not in a group, oldest first, up to `limit`: the rows a
/// read before an urgent push covers besides its own group's (a read takes up to the
/// channel's read limit of SKUs, so one read serves the next pushes too).
pub fn urgent_unsent(store: &Store, channel: &str, limit: usize) -> Result<Vec<(i64, RemoteIds)>> {
    let conn = &store.conn;
    Ok(conn
        .prepare_cached(
            "SELECT o.listing_id, l.remote_item, l.remote_location FROM outbox o JOIN listings l ON l.id = o.listing_id
             WHERE o.channel = ?1 AND o.bulk = 0 AND o.group_key IS NULL AND o.next_attempt_at <= ?2
             ORDER BY o.dirty_since, o.listing_id LIMIT ?3",
        )?
        .query_map(params![channel, now(), limit as i64], |r| {
            Ok((r.get(0)?, RemoteIds { item: r.get(1)?, location: r.get(2)? }))
        })?
        .collect::<Result<_, _>>()?)
}

/// The rows of a group that are urgent (a ledger event caused them), as listing ids.
pub fn urgent_in_group(store: &Store, key: &str) -> Result<Vec<i64>> {
    let conn = &store.conn;
    Ok(conn
        .prepare_cached(
            "SELECT listing_id FROM outbox WHERE group_key = ?1 AND bulk = 0 ORDER BY listing_id",
        )?
        .query_map([key], |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}

/// After a read before a group's first send: whether the group's frozen values still equal what
/// the outbox wants (an unseen drop lowers them; the group is then formed again, nothing having
/// been sent). A current group takes the belief the read found as its compare value, which the
/// push history keeps.
pub fn refresh_group(store: &Store, key: &str) -> Result<bool> {
    let conn = &store.conn;
    let tx = immediate(conn)?;
    let changed: i64 = tx
        .prepare_cached("SELECT count(*) FROM outbox WHERE group_key = ?1 AND desired_qty != group_qty")?
        .query_row([key], |r| r.get(0))?;
    if changed == 0 {
        tx.prepare_cached(
            "UPDATE outbox SET group_from = (SELECT acked_qty FROM listings WHERE id = outbox.listing_id)
             WHERE group_key = ?1",
        )?
        .execute([key])?;
    }
    tx.commit()?;
    Ok(changed == 0)
}

pub fn count_attempt(store: &Store, channel: &str) -> Result<()> {
    let conn = &store.conn;
    conn.prepare_cached("UPDATE channel_metrics SET attempts = attempts + 1 WHERE channel = ?1")?
        .execute([channel])?;
    Ok(())
}

pub fn count_throttle(store: &Store, channel: &str) -> Result<()> {
    let conn = &store.conn;
    conn.prepare_cached("UPDATE channel_metrics SET throttles = throttles + 1 WHERE channel = ?1")?
        .execute([channel])?;
    Ok(())
}

pub fn set_offline(store: &Store, channel: &str) -> Result<()> {
    let conn = &store.conn;
    conn.prepare_cached(
        "UPDATE channel_metrics SET offline_since = ifnull(offline_since, ?2) WHERE channel = ?1",
    )?
    .execute(params![channel, now()])?;
    Ok(())
}

/// History kept per channel: enough for a week of busy explain/latency queries, bounded so
/// the file does not grow without end.
const MAX_PUSH_HISTORY: i64 = 200_000;

/// Failures older than this are dropped: "errors in the last hour" needs an hour, a day
/// leaves room to look back.
const FAILURE_RETENTION_HOURS: i64 = 24;

pub fn prune(store: &Store, channel: &str) -> Result<()> {
    let conn = &store.conn;
    conn.execute(
        "DELETE FROM pushes WHERE channel = ?1 AND id <= (SELECT max(id) FROM pushes WHERE channel = ?1) - ?2",
        params![channel, MAX_PUSH_HISTORY],
    )?;
    let cutoff = stamp(Utc::now() - chrono::Duration::hours(FAILURE_RETENTION_HOURS));
    conn.execute("DELETE FROM sync_failures WHERE channel = ?1 AND at < ?2", params![channel, cutoff])?;
    // A re-send that was never accepted again (the listing was dead-lettered, or its next push
    // was applied outright) leaves a wait with no read-back time; a day later it is noise.
    conn.execute(
        "DELETE FROM unconfirmed_pushes WHERE channel = ?1 AND due_at IS NULL AND updated_at < ?2",
        params![channel, cutoff],
    )?;
    Ok(())
}
