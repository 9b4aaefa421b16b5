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
use serde::{Deserialize, Serialize};
use shelfsync_core::Event;

use crate::Result;

/// ATP of one feeding location, as it entered a derivation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocationAtp {
    pub location: String,
    pub atp: i64,
}

/// A channel's allocation rule (the numeric part; feeding locations are resolved by SQL).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocationRule {
    pub percent: u8,
    pub buffer: i64,
    pub cap: Option<i64>,
}

impl Default for AllocationRule {
    fn default() -> Self {
        AllocationRule { percent: 100, buffer: 0, cap: None }
    }
}

/// Why a pushed quantity is what it is: every input and every step, stored with the outbox row
/// and with the push, so `sync explain` can show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    pub locations: Vec<LocationAtp>,
    /// Sum of ATP over the feeding locations (an oversold location counts negative).
    pub pool: i64,
    pub safety_stock: i64,
    pub percent: u8,
    /// floor((pool - safety_stock) * percent / 100), never below 0.
    pub after_percent: i64,
    pub buffer: i64,
    pub cap: Option<i64>,
    /// Unresolved differences found on the channels: every unseen drop of the item on any
    /// channel (a sale not yet in the ledger lowers what every channel lists), plus this
    /// listing's own other differences awaiting capture or reconciliation.
    pub channel_adjustment: i64,
    /// What is pushed: never negative.
    pub qty: i64,
}

/// Largest quantity ever pushed. Shopify refuses more than 1,000,000,000; a ledger bucket
/// cannot get near it, so reaching it means a bug, and clamping keeps the push valid.
pub const MAX_PUSH_QTY: i64 = 1_000_000_000;

/// The allocation arithmetic, pure: safety stock first (it is kept back from every channel),
/// then the channel's share, then its buffer and cap, then unseen channel sales.
pub fn allocate(
    rule: AllocationRule,
    locations: Vec<LocationAtp>,
    safety_stock: i64,
    channel_adjustment: i64,
) -> Allocation {
    let pool: i64 = locations.iter().map(|l| l.atp).sum();
    let available = (pool - safety_stock).max(0);
    let after_percent = available * i64::from(rule.percent.min(100)) / 100;
    let after_buffer = after_percent - rule.buffer;
    let capped = rule.cap.map_or(after_buffer, |cap| after_buffer.min(cap));
    let qty = (capped + channel_adjustment).clamp(0, MAX_PUSH_QTY);
    Allocation {
        locations,
        pool,
        safety_stock,
        percent: rule.percent,
        after_percent,
        buffer: rule.buffer,
        cap: rule.cap,
        channel_adjustment,
        qty,
    }
}

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
    let listing = listing_inputs(conn, listing_id)?;
    compute(conn, &listing)
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

fn compute(conn: &Connection, listing: &ListingInputs) -> Result<Allocation> {
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
    Ok(allocate(rule, feeding_atp(conn, listing)?, safety_stock, channel_adjustment(conn, listing)?))
}

/// ATP at every location that feeds the listing: the listing's own location and its bins (or
/// every location when the listing has none), kept only where the channel's rule lists the
/// location or its warehouse (or lists nothing).
fn feeding_atp(conn: &Connection, listing: &ListingInputs) -> Result<Vec<LocationAtp>> {
    let mut stmt = conn.prepare_cached(
        "SELECT x.code, b.on_hand - b.committed - b.reserved - b.damaged
         FROM balances b JOIN locations x ON x.code = b.location
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
    let listing = listing_inputs(conn, listing_id)?;
    let allocation = compute(conn, &listing)?;
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
/// changes (the unseen sales it is holding back).
pub fn ledger_quantity(conn: &Connection, listing_id: i64) -> Result<i64> {
    let a = allocation_for(conn, listing_id)?;
    let after_buffer = a.after_percent - a.buffer;
    Ok(a.cap.map_or(after_buffer, |cap| after_buffer.min(cap)).max(0))
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

/// Timestamps as the store writes them everywhere: RFC 3339, UTC, milliseconds. They sort as
/// text, which the FIFO order relies on.
pub fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(location: &str, atp: i64) -> LocationAtp {
        LocationAtp { location: location.into(), atp }
    }

    #[test]
    fn allocation_steps_apply_in_order_and_never_go_negative() {
        let rule = |percent, buffer, cap| AllocationRule { percent, buffer, cap };
        let cases = [
            (rule(100, 0, None), vec![at("WH1", 10)], 0, 0, 10),
            (rule(100, 0, None), vec![at("WH1", 10), at("WH2", 5)], 2, 0, 13),
            (rule(50, 0, None), vec![at("WH1", 11)], 0, 0, 5),
            (rule(50, 1, None), vec![at("WH1", 11), at("WH2", -3)], 2, 0, 2),
            (rule(100, 0, Some(4)), vec![at("WH1", 10)], 0, 0, 4),
            (rule(100, 3, None), vec![at("WH1", 2)], 0, 0, 0),
            (rule(100, 0, None), vec![at("WH1", -5)], 0, 0, 0),
            (rule(100, 0, None), vec![at("WH1", 10)], 0, -3, 7),
            (rule(100, 0, None), vec![], 0, 0, 0),
        ];
        for (rule, locations, safety, adjustment, want) in cases {
            let got = allocate(rule, locations.clone(), safety, adjustment);
            assert_eq!(got.qty, want, "{rule:?} {locations:?} safety {safety} adj {adjustment}");
            assert!(got.qty >= 0);
        }
    }
}
