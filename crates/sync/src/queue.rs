//! The worker's side of the outbox: forming attempt groups (urgent rows before bulk ones),
//! acknowledging them, failing them with backoff, dead-lettering, and recording what a stale
//! compare-and-set found. Every function is one short `BEGIN IMMEDIATE` transaction, so the
//! ledger's appends interleave.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use shelfsync_channels::RemoteListing;
use shelfsync_store::outbox::{self, now, requeue_listing};

use crate::Result;
use crate::config::immediate;

/// One listing's entry in an attempt group: exactly what was (or will be) sent under the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupRow {
    pub listing_id: i64,
    pub remote: RemoteListing,
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

fn later(delay: Duration) -> String {
    stamp(Utc::now() + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::zero()))
}

const GROUP_ROW_SQL: &str =
    "SELECT o.listing_id, l.remote_item, l.remote_location, o.group_qty, o.group_from,
        o.group_version, o.dirty_since, o.attempts
     FROM outbox o JOIN listings l ON l.id = o.listing_id";

fn group_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<GroupRow> {
    Ok(GroupRow {
        listing_id: row.get(0)?,
        remote: RemoteListing { item: row.get(1)?, location: row.get(2)? },
        qty: row.get(3)?,
        change_from: row.get(4)?,
        version: row.get(5)?,
        dirty_since: row.get(6)?,
        attempts: row.get(7)?,
    })
}

/// The attempt group already formed whose retry is due: one holding an urgent row first, then
/// the oldest. `busy` is a group still being sent (a bulk submission in progress), never taken.
pub fn due_group(conn: &Connection, channel: &str, busy: Option<&str>) -> Result<Option<Group>> {
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

fn load_group(conn: &Connection, key: String) -> Result<Group> {
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
pub fn form_group(conn: &Connection, channel: &str, max: usize) -> Result<Option<Group>> {
    form_group_by(conn, channel, max, Selection::UrgentFirst)
}

/// Takes up to `max` due rows in the `selection`'s order into a new attempt group: each row's
/// current desired quantity, version and our belief of the channel's quantity are frozen on
/// the row with the new key. A group is filled from the next class when the first runs out, so
/// a few urgent rows still ride in a full batch.
pub fn form_group_by(
    conn: &Connection,
    channel: &str,
    max: usize,
    selection: Selection,
) -> Result<Option<Group>> {
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
pub fn next_due(conn: &Connection, channel: &str, busy: Option<&str>) -> Result<Option<String>> {
    Ok(conn.query_row(
        "SELECT min(next_attempt_at) FROM outbox WHERE channel = ?1 AND (?2 IS NULL OR group_key IS NOT ?2)",
        params![channel, busy],
        |r| r.get(0),
    )?)
}

/// Urgent rows due and not in a group, counted up to `cap` (the caller only needs to know
/// whether there are none, some, or at least `cap`; the index stops the scan there).
pub fn urgent_due(conn: &Connection, channel: &str, cap: usize) -> Result<usize> {
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
pub fn requeue_bulk(conn: &Connection, listing_id: i64, dirty_since: &str) -> Result<()> {
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
/// (what a [`crate::config::repush_channel`] marked).
pub fn repush_remaining(conn: &Connection, channel: &str, last_listing: i64) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM outbox WHERE channel = ?1 AND listing_id <= ?2",
        params![channel, last_listing],
        |r| r.get(0),
    )?)
}

pub fn queue_depth(conn: &Connection, channel: &str) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM outbox WHERE channel = ?1", [channel], |r| r.get(0))?)
}

fn latency_ms(dirty_since: &str, acked: DateTime<Utc>) -> i64 {
    DateTime::parse_from_rfc3339(dirty_since)
        .map_or(0, |t| (acked - t.with_timezone(&Utc)).num_milliseconds().max(0))
}

/// The channel applied the group: the channel now holds each row's group quantity. Rows with
/// no newer value leave the outbox; rows that changed meanwhile stay dirty with their newer
/// value. Returns each push's latency in milliseconds.
pub fn ack(conn: &Connection, channel: &str, group: &Group) -> Result<Vec<i64>> {
    let tx = immediate(conn)?;
    let latencies = ack_in(&tx, channel, group)?;
    tx.commit()?;
    Ok(latencies)
}

/// Acknowledges a group the channel accepted without applying yet (Amazon ACCEPTED) and, in the
/// same transaction, schedules each row's read-back `confirm_after` from now: an acknowledged
/// push is never without its read-back, whoever runs the engine next.
pub fn ack_accepted(
    conn: &Connection,
    channel: &str,
    group: &Group,
    confirm_after: Duration,
) -> Result<Vec<i64>> {
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
pub fn due_confirmations(conn: &Connection, channel: &str, limit: usize) -> Result<Vec<Unconfirmed>> {
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
                    remote: RemoteListing { item: r.get(1)?, location: r.get(2)? },
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
pub fn next_confirmation(conn: &Connection, channel: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT min(due_at) FROM unconfirmed_pushes WHERE channel = ?1 AND due_at IS NOT NULL",
        )?
        .query_row([channel], |r| r.get(0))?)
}

/// The read-back found the accepted value (or found it superseded, or gave up): forget it.
pub fn confirmed(conn: &Connection, listing_id: i64) -> Result<()> {
    conn.prepare_cached("DELETE FROM unconfirmed_pushes WHERE listing_id = ?1")?.execute([listing_id])?;
    Ok(())
}

/// The read-back found the accepted value: the channel holds it, so it is our belief again (a
/// read before a push may have moved the belief to the value the channel showed before it
/// applied this one), and the wait is over.
pub fn confirmed_applied(conn: &Connection, listing_id: i64, version: i64, qty: i64) -> Result<()> {
    let tx = immediate(conn)?;
    tx.prepare_cached("UPDATE listings SET acked_qty = ?3 WHERE id = ?1 AND acked_version = ?2")?
        .execute(params![listing_id, version, qty])?;
    tx.prepare_cached("DELETE FROM unconfirmed_pushes WHERE listing_id = ?1")?.execute([listing_id])?;
    tx.commit()?;
    Ok(())
}

/// Urgent rows of the channel, due and not in a group, oldest first, up to `limit`: the rows a
/// read before an urgent push covers besides its own group's (a read takes up to the
/// channel's read limit of SKUs, so one read serves the next pushes too).
pub fn urgent_unsent(conn: &Connection, channel: &str, limit: usize) -> Result<Vec<(i64, RemoteListing)>> {
    Ok(conn
        .prepare_cached(
            "SELECT o.listing_id, l.remote_item, l.remote_location FROM outbox o JOIN listings l ON l.id = o.listing_id
             WHERE o.channel = ?1 AND o.bulk = 0 AND o.group_key IS NULL AND o.next_attempt_at <= ?2
             ORDER BY o.dirty_since, o.listing_id LIMIT ?3",
        )?
        .query_map(params![channel, now(), limit as i64], |r| {
            Ok((r.get(0)?, RemoteListing { item: r.get(1)?, location: r.get(2)? }))
        })?
        .collect::<Result<_, _>>()?)
}

/// The rows of a group that are urgent (a ledger event caused them), as listing ids.
pub fn urgent_in_group(conn: &Connection, key: &str) -> Result<Vec<i64>> {
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
pub fn refresh_group(conn: &Connection, key: &str) -> Result<bool> {
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

/// What a read before an urgent absolute push found on one listing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadFinding {
    /// Nothing new: the channel holds what we believed (or more, or we had no belief).
    Unchanged,
    /// A drop the ledger already explains (this channel's own sales, booked first): settled
    /// at once, nothing held back.
    Booked(i64),
    /// A drop the ledger does not explain: an unseen sale, kept out of every channel's listing
    /// of the item until its order is booked or reconciliation calls it an edit. `booked` is
    /// the part of the drop that was already booked.
    Unseen { units: i64, booked: i64 },
    /// The channel does not know the listing (the push will say so).
    Missing,
}

/// Records what a read before an urgent absolute push (Amazon, eBay) found for one listing,
/// in one transaction, the same way a stale compare-and-set is recorded on Shopify:
/// - the base is our belief of the channel's quantity; while an accepted push awaits its
///   read-back the channel may still hold the value before it, so the base is the lower of the
///   two (only a drop below both is certainly sales);
/// - the part of a drop that is this channel's own booked sales is settled at once
///   ([`outbox::take_booked_drop`]); the rest is an unseen sale, recorded so it lowers every
///   channel's listing of the item;
/// - a raise is not a sale: what it is (a seller's edit, a restock) is reconciliation's call,
///   and the push sets ours, as it always did;
/// - a read asked at or before our last acknowledgement (`asked_at`, a [`stamp`]) shows the
///   channel before that push applied: it is no news, neither a drop nor a belief. This
///   happens when the worker that read waited for the write lock while another engine's worker
///   pushed and acknowledged (a crashed engine's task runs on until its next await);
/// - the belief becomes what the channel holds, so the next read does not count the same drop.
pub fn record_read(
    conn: &Connection,
    channel: &str,
    listing_id: i64,
    observed: Option<i64>,
    asked_at: &str,
) -> Result<ReadFinding> {
    let Some(observed) = observed else { return Ok(ReadFinding::Missing) };
    let tx = immediate(conn)?;
    let (believed, acked_at): (Option<i64>, Option<String>) = tx
        .prepare_cached("SELECT acked_qty, acked_at FROM listings WHERE id = ?1")?
        .query_row([listing_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((None, None));
    if acked_at.as_deref().is_some_and(|acked| acked >= asked_at) {
        return Ok(ReadFinding::Unchanged);
    }
    // An accepted push awaiting its read-back: the value it replaced is the compare value that
    // push went out with (`pushes.change_from` of its version); unknown, the drop is unknowable.
    let pending: Option<(i64, Option<i64>)> = tx
        .prepare_cached(
            "SELECT u.qty, (SELECT p.change_from FROM pushes p WHERE p.listing_id = u.listing_id AND p.version = u.version
                            ORDER BY p.id DESC LIMIT 1)
             FROM unconfirmed_pushes u WHERE u.listing_id = ?1 AND u.due_at IS NOT NULL",
        )?
        .query_row([listing_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let base = match (believed, pending) {
        (None, _) | (Some(_), Some((_, None))) => None,
        (Some(b), None) => Some(b),
        (Some(b), Some((accepted, Some(prior)))) => Some(b.min(accepted).min(prior)),
    };
    let finding = match base {
        Some(base) if observed < base => {
            let drop = base - observed;
            let booked = outbox::take_booked_drop(&tx, listing_id, drop)?;
            if booked < drop {
                outbox::record_channel_change(&tx, listing_id, channel, base - booked, observed)?;
                ReadFinding::Unseen { units: drop - booked, booked }
            } else {
                ReadFinding::Booked(booked)
            }
        }
        _ => ReadFinding::Unchanged,
    };
    tx.prepare_cached("UPDATE listings SET acked_qty = ?2 WHERE id = ?1")?
        .execute(params![listing_id, observed])?;
    tx.commit()?;
    Ok(finding)
}

/// The value was missing and the listing was queued again: count the gap and wait for the
/// re-send's own acceptance (which sets the next read-back time).
pub fn gap_found(conn: &Connection, listing_id: i64) -> Result<()> {
    conn.prepare_cached(
        "UPDATE unconfirmed_pushes SET gaps = gaps + 1, due_at = NULL, updated_at = ?2 WHERE listing_id = ?1",
    )?
    .execute(params![listing_id, now()])?;
    Ok(())
}

/// A read that failed is not a gap: read again after `delay`.
pub fn confirm_later(conn: &Connection, listing_id: i64, delay: Duration) -> Result<()> {
    conn.prepare_cached("UPDATE unconfirmed_pushes SET due_at = ?2 WHERE listing_id = ?1")?
        .execute(params![listing_id, later(delay)])?;
    Ok(())
}

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
    conn: &Connection,
    channel: &str,
    group: &Group,
    listing_ids: &[i64],
    failure: &Failure<'_>,
) -> Result<u32> {
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
pub fn forget_belief(conn: &Connection, listing_ids: &[i64]) -> Result<()> {
    for id in listing_ids {
        conn.prepare_cached("UPDATE listings SET acked_qty = NULL WHERE id = ?1")?.execute([id])?;
    }
    Ok(())
}

/// [`forget_belief`] for every row of the channel already in an attempt group: called when a
/// worker starts, since an earlier engine may have sent those groups without hearing back.
pub fn forget_belief_in_groups(conn: &Connection, channel: &str) -> Result<()> {
    conn.prepare_cached(
        "UPDATE listings SET acked_qty = NULL
         WHERE id IN (SELECT listing_id FROM outbox WHERE channel = ?1 AND group_key IS NOT NULL)",
    )?
    .execute([channel])?;
    Ok(())
}

/// Rows sent with others that failed: they go again at once, under a new key.
pub fn release(conn: &Connection, listing_ids: &[i64]) -> Result<()> {
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
fn dead_letter_row(conn: &Connection, listing_id: i64, group_key: Option<&str>) -> Result<()> {
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
    conn: &Connection,
    channel: &str,
    listing_ids: &[i64],
    kind: &str,
    message: &str,
) -> Result<()> {
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

fn note_failure(conn: &Connection, channel: &str, kind: &str, message: &str) -> Result<()> {
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
    conn: &Connection,
    channel: &str,
    row: &GroupRow,
    observed: i64,
    max_attempts: u32,
) -> Result<()> {
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
    conn: &Connection,
    channel: &str,
    row: &GroupRow,
    observed: Option<i64>,
    give_up: bool,
) -> Result<Unapplied> {
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

pub fn count_attempt(conn: &Connection, channel: &str) -> Result<()> {
    conn.prepare_cached("UPDATE channel_metrics SET attempts = attempts + 1 WHERE channel = ?1")?
        .execute([channel])?;
    Ok(())
}

pub fn count_throttle(conn: &Connection, channel: &str) -> Result<()> {
    conn.prepare_cached("UPDATE channel_metrics SET throttles = throttles + 1 WHERE channel = ?1")?
        .execute([channel])?;
    Ok(())
}

pub fn set_offline(conn: &Connection, channel: &str) -> Result<()> {
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

pub fn prune(conn: &Connection, channel: &str) -> Result<()> {
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
