//! The transactional outbox: every ledger append marks the channel listings it affects dirty
//! in the same transaction, with the quantity the allocation rules now give and how that
//! number was derived.
//!
//! Why here and not in the sync crate: the marking must run inside the ledger's one
//! `BEGIN IMMEDIATE` transaction (an event without its outbox rows would be a change that never
//! reaches a channel), and the ledger cannot depend on the engine. The sync crate calls
//! [`requeue_listing`] too, when a rule or a mapping changes.

use chrono::{SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use shelfsync_core::Event;

// The allocation rule is core's (issue 18); its names stay reachable here for callers that
// import them from the outbox.
pub use shelfsync_core::allocation::{Allocation, AllocationRule, LocationAtp, MAX_PUSH_QTY, allocate};

use crate::oversight::Db;
use crate::{Result, Store};

/// Called by the ledger's append path, inside its transaction: every listing of the event's
/// SKU is recomputed; those whose quantity changed get (or update) their outbox row.
pub fn mark_dirty(conn: &Connection, event: &Event, recorded_at: &str) -> Result<()> {
    let listing_ids: Vec<i64> = conn
        .prepare_cached("SELECT id FROM listings WHERE sku = ?1 ORDER BY id")?
        .query_map([event.movement.sku().as_str()], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    for id in listing_ids {
        requeue_one(conn, id, recorded_at)?;
    }
    // A component's change changes every kit made of it (issue 21).
    for id in crate::kits::listings_of_kits_using(conn, event.movement.sku().as_str())? {
        requeue_one(conn, id, recorded_at)?;
    }
    Ok(())
}

struct ListingInputs {
    id: i64,
    channel: String,
    sku: String,
    location: Option<String>,
    acked_qty: Option<i64>,
}

/// The allocation a listing gets right now, from the balances the connection sees.
pub fn allocation_for(conn: &Connection, listing_id: i64) -> Result<Allocation> {
    allocation_at(conn, listing_id, Utc::now())
}

/// The allocation a listing gets at `at`: the balances the connection sees, with flash-sale
/// mode's window ending at `at` (the scenarios run on a virtual clock).
pub fn allocation_at(conn: &Connection, listing_id: i64, at: chrono::DateTime<Utc>) -> Result<Allocation> {
    let listing = listing_inputs(conn, listing_id)?;
    compute(conn, &listing, at)
}

/// The allocation without flash-sale mode's share: what the channel's rule alone gives.
pub fn allocation_without_flash(conn: &Connection, listing_id: i64) -> Result<Allocation> {
    let listing = listing_inputs(conn, listing_id)?;
    compute_rule(conn, &listing)
}

fn listing_inputs(conn: &Connection, listing_id: i64) -> Result<ListingInputs> {
    Ok(conn
        .prepare_cached("SELECT channel, sku, location, acked_qty FROM listings WHERE id = ?1")?
        .query_row([listing_id], |row| {
            Ok(ListingInputs {
                id: listing_id,
                channel: row.get(0)?,
                sku: row.get(1)?,
                location: row.get(2)?,
                acked_qty: row.get(3)?,
            })
        })?)
}

/// The channel's rule, then flash-sale mode's share when it is on and the item sells fast.
fn compute(conn: &Connection, listing: &ListingInputs, at: chrono::DateTime<Utc>) -> Result<Allocation> {
    let allocation = compute_rule(conn, listing)?;
    let share = match crate::flash::rule(conn)? {
        Some(rule) => crate::flash::share(conn, rule, listing.id, &listing.sku, at)?,
        None => None,
    };
    Ok(allocation.within_flash_share(share))
}

fn compute_rule(conn: &Connection, listing: &ListingInputs) -> Result<Allocation> {
    let rule = conn
        .prepare_cached("SELECT percent, buffer, cap FROM allocation_rules WHERE channel = ?1")?
        .query_row([&listing.channel], |row| {
            Ok(AllocationRule { percent: row.get(0)?, buffer: row.get(1)?, cap: row.get(2)? })
        })
        .optional()?
        .unwrap_or_default();
    let safety_stock: i64 = conn
        .prepare_cached("SELECT safety_stock FROM items WHERE sku = ?1")?
        .query_row([&listing.sku], |r| r.get(0))?;
    let mut allocation =
        allocate(rule, feeding_atp(conn, listing)?, safety_stock, channel_adjustment(conn, listing)?);
    allocation.kit =
        crate::kits::derivation(conn, &listing.sku, listing.location.as_deref(), &listing.channel)?;
    Ok(allocation)
}

/// ATP at every location that feeds the listing: the listing's own location and its bins (or
/// every location when the listing has none), kept only where the channel's rule lists the
/// location or its warehouse (or lists nothing).
fn feeding_atp(conn: &Connection, listing: &ListingInputs) -> Result<Vec<LocationAtp>> {
    // A kit holds no stock: its ATP per location is derived from its components' (issue 21).
    if let Some(kit) =
        crate::kits::feeding_atp(conn, &listing.sku, listing.location.as_deref(), &listing.channel)?
    {
        return Ok(kit.into_iter().map(|(location, k)| LocationAtp { location, atp: k.atp }).collect());
    }
    let mut stmt = conn.prepare_cached(
        "SELECT x.code, b.atp
         FROM stock_atp b JOIN locations x ON x.code = b.location
         WHERE b.sku = ?1
           AND (?2 IS NULL OR x.code = ?2 OR x.parent = ?2)
           AND (NOT EXISTS (SELECT 1 FROM rule_locations r WHERE r.channel = ?3)
                OR EXISTS (SELECT 1 FROM rule_locations r
                           WHERE r.channel = ?3 AND (r.location = x.code OR r.location = x.parent)))
         ORDER BY x.code",
    )?;
    let rows = stmt.query_map(params![listing.sku, listing.location, listing.channel], |row| {
        Ok(LocationAtp { location: row.get(0)?, atp: row.get(1)? })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Changes seen on the channels and not yet matched by ledger events (capture resolves them):
/// every open drop of the item on any channel, and this listing's own open raises.
///
/// Why every channel's drops: a drop is a unit that left the shared stock (an unseen sale), so
/// it is gone for every channel, not only for the one it was sold on; listing it elsewhere
/// until its order is booked is how one unit sells twice. It is taken off each listing in
/// full after the listing's share (percent, buffer, cap): conservative when shares are below
/// 100%, exact at 100%, and the listing's own drop has always been applied there. A raise
/// seen on one channel is that channel's edit, not stock, so it stays with its listing.
fn channel_adjustment(conn: &Connection, listing: &ListingInputs) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT ifnull(sum(c.delta), 0) FROM listings l JOIN channel_changes c ON c.listing_id = l.id
             WHERE l.sku = ?2 AND c.resolved_at IS NULL AND (c.listing_id = ?1 OR c.delta < 0)",
        )?
        .query_row(params![listing.id, listing.sku], |row| row.get(0))?)
}

/// Records a difference seen on a listing's channel (`observed` where we expected `expected`)
/// and re-queues every listing of its item: a drop lowers what every channel lists.
pub fn record_channel_change(
    conn: &Connection,
    listing_id: i64,
    channel: &str,
    expected: i64,
    observed: i64,
) -> Result<()> {
    if expected == observed {
        return Ok(());
    }
    let stamp = now();
    conn.prepare_cached(
        "INSERT INTO channel_changes (listing_id, channel, expected, observed, delta, detected_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![listing_id, channel, expected, observed, observed - expected, stamp])?;
    requeue_item(conn, listing_id, &stamp)
}

/// Re-queues every listing of the item `listing_id` lists (on every channel): called whenever
/// an unseen drop is recorded or resolved, since it counts against all of them.
pub fn requeue_item(conn: &Connection, listing_id: i64, dirty_since: &str) -> Result<()> {
    let ids: Vec<i64> = conn
        .prepare_cached(
            "SELECT o.id FROM listings l JOIN listings o ON o.sku = l.sku WHERE l.id = ?1 ORDER BY o.id",
        )?
        .query_map([listing_id], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    for id in ids {
        requeue_one(conn, id, dirty_since)?;
    }
    Ok(())
}

/// How long an unseen drop waits for the order behind it before reconciliation may call it a
/// channel edit. Orders reach the ledger within seconds (webhooks, Amazon's notifications), 30 s
/// (eBay's poll), 2 minutes (Amazon's poll) or 15 minutes (Shopify's poll, the slowest safety
/// net): twice the slowest leaves a late order room to arrive.
pub const UNSEEN_DROP_GRACE: chrono::Duration = chrono::Duration::minutes(30);

/// Reconciliation's side of the unseen-sale model: the open changes of `channel`'s listings
/// detected before `cutoff` (an RFC 3339 time, normally now minus [`UNSEEN_DROP_GRACE`]) had no
/// order in all that time. They are resolved, so the listing's expectation is the ledger's again
/// and the reconciliation that follows finds the gap and applies the channel's conflict rule;
/// every listing of their items is re-queued (the drops no longer lower any channel). Returns
/// the listings whose changes expired.
pub fn expire_channel_changes(conn: &Connection, channel: &str, cutoff: &str) -> Result<Vec<i64>> {
    let ids: Vec<i64> = conn
        .prepare_cached(
            "SELECT DISTINCT listing_id FROM channel_changes
             WHERE channel = ?1 AND resolved_at IS NULL AND detected_at < ?2 ORDER BY listing_id",
        )?
        .query_map(params![channel, cutoff], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    let stamp = now();
    for &id in &ids {
        conn.prepare_cached(
            "UPDATE channel_changes SET resolved_at = ?2 WHERE listing_id = ?1 AND resolved_at IS NULL",
        )?
        .execute(params![id, stamp])?;
        requeue_item(conn, id, &stamp)?;
    }
    Ok(ids)
}

/// How long after an unseen drop was seen (or settled) its item's listings are recomputed
/// together: see [`requeue_listing`].
const DROP_CASCADE: chrono::Duration = chrono::Duration::hours(1);

/// Recomputes one listing and records the result in the outbox (see [`requeue_one`]); when its
/// item has an unseen drop open or settled within the last hour, every other listing of the
/// item too.
///
/// Why: an unseen drop lowers what every channel lists, so recording or settling one changes
/// the other channels' quantities as well. Callers that settle a drop (capture's order
/// ingest, a level webhook, reconciliation) re-queue the listing the drop was seen on; this
/// carries the change to its siblings without each caller knowing about them. Items with no
/// recent drop (nearly all) pay one indexed lookup.
pub fn requeue_listing(conn: &Connection, listing_id: i64, dirty_since: &str) -> Result<Option<Allocation>> {
    let result = requeue_one(conn, listing_id, dirty_since)?;
    let since = (Utc::now() - DROP_CASCADE).to_rfc3339_opts(SecondsFormat::Millis, true);
    let siblings: Vec<i64> = conn
        .prepare_cached(
            "SELECT o.id FROM listings l JOIN listings o ON o.sku = l.sku AND o.id != l.id
             WHERE l.id = ?1 AND EXISTS (
                 SELECT 1 FROM listings d JOIN channel_changes c ON c.listing_id = d.id
                 WHERE d.sku = l.sku AND c.delta < 0
                   AND (c.resolved_at IS NULL OR c.resolved_at >= ?2 OR c.detected_at >= ?2))
             ORDER BY o.id",
        )?
        .query_map(params![listing_id, since], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    for id in siblings {
        requeue_one(conn, id, dirty_since)?;
    }
    Ok(result)
}

/// Recomputes one listing and records the result in the outbox:
/// - a row exists with another quantity: the newer value replaces it (new version);
/// - no row, and the channel already acknowledged this quantity: nothing to send;
/// - otherwise a new row, dirty since `dirty_since`.
///
/// Returns the allocation when the outbox changed.
pub fn requeue_one(conn: &Connection, listing_id: i64, dirty_since: &str) -> Result<Option<Allocation>> {
    requeue_one_at(conn, listing_id, dirty_since, Utc::now())
}

/// [`requeue_one`] with flash-sale mode's window ending at `at`.
pub fn requeue_one_at(
    conn: &Connection,
    listing_id: i64,
    dirty_since: &str,
    at: chrono::DateTime<Utc>,
) -> Result<Option<Allocation>> {
    let listing = listing_inputs(conn, listing_id)?;
    let allocation = compute(conn, &listing, at)?;
    crate::flash::note_share(conn, &listing.sku, allocation.flash.is_some(), dirty_since)?;
    let queued: Option<i64> = conn
        .prepare_cached("SELECT desired_qty FROM outbox WHERE listing_id = ?1")?
        .query_row([listing_id], |row| row.get(0))
        .optional()?;
    let unchanged = match queued {
        Some(qty) => qty == allocation.qty,
        None => listing.acked_qty == Some(allocation.qty),
    };
    if unchanged {
        return Ok(None);
    }
    let version: i64 = conn
        .prepare_cached("UPDATE listings SET version = version + 1 WHERE id = ?1 RETURNING version")?
        .query_row([listing_id], |row| row.get(0))?;
    let derivation = serde_json::to_string(&allocation).expect("an allocation always serialises");
    if queued.is_some() {
        // A value in flight keeps its group; the first change after it marks when the rest of
        // the row became dirty, so latency after a partial ack is measured from there.
        conn.prepare_cached(
            "UPDATE outbox SET desired_qty = ?2, version = ?3, derivation = ?4,
                 updated_at = CASE WHEN group_key IS NOT NULL AND version = group_version THEN ?5
                                   WHEN group_key IS NULL THEN dirty_since ELSE updated_at END
             WHERE listing_id = ?1",
        )?
        .execute(params![listing_id, allocation.qty, version, derivation, dirty_since])?;
    } else {
        conn.prepare_cached(
            "INSERT INTO outbox (listing_id, channel, desired_qty, version, derivation, dirty_since, updated_at,
                                 next_attempt_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)",
        )?
        .execute(params![listing_id, listing.channel, allocation.qty, version, derivation, dirty_since, now()])?;
    }
    Ok(Some(allocation))
}

/// What the ledger alone gives a listing: its allocation without the unresolved channel
/// changes (the unseen sales it is holding back), within its flash share when it has one.
pub fn ledger_quantity(conn: &Connection, listing_id: i64) -> Result<i64> {
    let a = allocation_for(conn, listing_id)?;
    let after_buffer = a.after_percent - a.buffer;
    let by_rule = a.cap.map_or(after_buffer, |cap| after_buffer.min(cap)).max(0);
    Ok(a.flash.map_or(by_rule, |flash| by_rule.min(flash.share.max(0))))
}

/// A drop of `drop` units seen on a listing's channel (a stale compare-and-set, a level
/// webhook): how many of them are this channel's own sales that the ledger already booked
/// (`listings.booked_unobserved`, migration 15). Those units are consumed here; the rest of the
/// drop is an unseen sale. Settling the booked part at once keeps a sale from being counted
/// twice (booked, and held back again as unseen) until the next poll.
pub fn take_booked_drop(conn: &Connection, listing_id: i64, drop: i64) -> Result<i64> {
    if drop <= 0 {
        return Ok(0);
    }
    let booked: i64 = conn
        .prepare_cached("SELECT booked_unobserved FROM listings WHERE id = ?1")?
        .query_row([listing_id], |r| r.get(0))
        .optional()?
        .unwrap_or(0);
    let taken = booked.min(drop);
    if taken > 0 {
        conn.prepare_cached("UPDATE listings SET booked_unobserved = booked_unobserved - ?2 WHERE id = ?1")?
            .execute(params![listing_id, taken])?;
    }
    Ok(taken)
}

/// A sale of this listing's own channel was booked and `units` of it were not already seen as
/// a drop on the channel: the engine will meet them as a drop later (see [`take_booked_drop`]).
pub fn note_booked_sale(conn: &Connection, listing_id: i64, units: i64) -> Result<()> {
    if units > 0 {
        conn.prepare_cached("UPDATE listings SET booked_unobserved = booked_unobserved + ?2 WHERE id = ?1")?
            .execute(params![listing_id, units])?;
    }
    Ok(())
}

/// Resolves every open channel change of a listing (they are accounted for, or a decision was
/// made about them) and re-queues every listing of its item (its drops lowered them all).
pub fn resolve_all_channel_changes(conn: &Connection, listing_id: i64) -> Result<()> {
    let stamp = now();
    conn.prepare_cached(
        "UPDATE channel_changes SET resolved_at = ?2 WHERE listing_id = ?1 AND resolved_at IS NULL",
    )?
    .execute(params![listing_id, stamp])?;
    requeue_item(conn, listing_id, &stamp)
}

/// [`ledger_quantity`] wherever `db` runs: the store, or a caller's open
/// [`crate::oversight::Tx`] (an order settling its channel changes reads it in its own
/// transaction).
pub fn ledger_quantity_in(db: &impl Db, listing_id: i64) -> Result<i64> {
    ledger_quantity(db.conn(), listing_id)
}

/// The quantity of the attempt group the listing's queued update is in, if one is queued and
/// grouped: a level update showing exactly this is our own push echoing back. `None` also when
/// it cannot be read (the caller then treats the update as not an echo).
pub fn queued_group_qty(db: &impl Db, listing_id: i64) -> Option<i64> {
    db.conn()
        .query_row("SELECT group_qty FROM outbox WHERE listing_id = ?1", [listing_id], |r| r.get(0))
        .unwrap_or(None)
}

impl Store {
    /// The allocation a listing gets right now ([`allocation_for`] on the store's connection):
    /// what `sync explain` and the app's "why this number" show.
    pub fn allocation_for(&self, listing_id: i64) -> Result<Allocation> {
        allocation_for(&self.conn, listing_id)
    }

    /// [`allocation_at`] on the store's connection.
    pub fn allocation_at(&self, listing_id: i64, at: chrono::DateTime<Utc>) -> Result<Allocation> {
        allocation_at(&self.conn, listing_id, at)
    }

    /// What the ledger alone gives a listing ([`ledger_quantity`] on the store's connection).
    pub fn ledger_quantity(&self, listing_id: i64) -> Result<i64> {
        ledger_quantity(&self.conn, listing_id)
    }
}

/// Timestamps as the store writes them everywhere: RFC 3339, UTC, milliseconds. They sort as
/// text, which the FIFO order relies on.
pub fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}
