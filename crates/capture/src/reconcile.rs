//! Reconciliation: read each listing's quantity from the channel (the client's read-back),
//! compare it with what the engine expects, classify each gap and apply the channel's conflict
//! rule. Every run that is not a dry run is stored as a report.
//!
//! Classes: `order_not_ingested` (an order the poll just booked explains it), `channel_edit`,
//! `push_pending`, `push_stuck`, `push_rejected` (the outbox or the dead-letter queue holds a
//! newer value), `unmapped_listing` (orders name a listing we have no mapping for),
//! `listing_missing` (the channel does not know a mapped listing).
//!
//! Rules for a channel edit: `central` re-pushes ours through the outbox; `channel` books an
//! adjustment event with its reason (a raise only after two reads in a row agree); `flag`
//! opens an alert for a person.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use shelfsync_channels::{Channel, RemoteListing};
use shelfsync_core::{Event, LocationCode, Movement, Sku};
use shelfsync_store::outbox::{AllocationRule, LocationAtp, allocate, allocation_for, requeue_listing};
use shelfsync_store::{Store, append_in};
use shelfsync_sync::config::{self, ChannelRecord};
use shelfsync_sync::credentials::Secrets;

use crate::orders::{self, immediate};
use crate::poll;
use crate::{Result, alerts, now};

/// The default schedule (design: every 4 hours).
pub const RECONCILE_EVERY: Duration = Duration::from_secs(4 * 3600);

/// A push older than this is stuck rather than pending.
const STUCK_AFTER_MINUTES: i64 = 10;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Gap {
    pub sku: String,
    pub location: Option<String>,
    pub expected: i64,
    pub channel_qty: Option<i64>,
    pub class: String,
    pub action: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    pub channel: String,
    pub checked: usize,
    pub gaps: Vec<Gap>,
    pub dry_run: bool,
    pub rule: String,
    pub at: String,
    /// Time spent reading the channel, and on everything else (the local diff).
    pub read_ms: u64,
    pub local_ms: u64,
}

struct ListingRow {
    id: i64,
    sku: String,
    location: Option<String>,
    remote_item: String,
    remote_location: Option<String>,
}

/// Reconciles every channel (or the one named), each read back through its own client. Not a
/// dry run: polls orders first, so a gap an unbooked order explains is booked and classed
/// `order_not_ingested`.
pub async fn reconcile(
    db_path: &Path,
    secrets: &Secrets,
    only: Option<&str>,
    dry_run: bool,
) -> Result<Vec<Report>> {
    let store = Store::open(db_path)?;
    let channels = poll::select_channels(&store, only)?;
    let mut reports = Vec::new();
    for channel in channels {
        // Credentials missing or refused: nothing can be read, and nothing is stored.
        let client = poll::client(db_path, secrets, &channel)?;
        let started = Instant::now();
        // Judged before polling and settling: a push those queue themselves is not "pending".
        let pushes = push_classes(&store, &channel.name)?;
        let last_seq: i64 =
            store.connection().query_row("SELECT ifnull(max(seq), 0) FROM events", [], |r| r.get(0))?;
        let before_poll = started.elapsed();
        let booked = if dry_run {
            HashSet::new()
        } else {
            poll::poll(db_path, secrets, Some(&channel.name)).await?;
            booked_since(&store, &channel.name, last_seq)?
        };
        if !dry_run {
            // Unseen drops that found no order within the grace period are the channel's edits:
            // resolved here, so the comparison below finds the gap and applies the rule.
            let cutoff = (Utc::now() - shelfsync_store::outbox::UNSEEN_DROP_GRACE)
                .to_rfc3339_opts(SecondsFormat::Millis, true);
            let tx = immediate(store.connection())?;
            shelfsync_store::outbox::expire_channel_changes(&tx, &channel.name, &cutoff)?;
            tx.commit()?;
        }
        let mut report = reconcile_channel(&store, &channel, &client, dry_run, &booked, &pushes).await?;
        report.local_ms += before_poll.as_millis() as u64;
        if !dry_run {
            store_report(&store, &report)?;
        }
        reports.push(report);
    }
    Ok(reports)
}

fn listings(store: &Store, channel: &str) -> Result<Vec<ListingRow>> {
    Ok(store
        .connection()
        .prepare("SELECT id, sku, location, remote_item, remote_location FROM listings WHERE channel = ?1 ORDER BY id")?
        .query_map([channel], |r| {
            Ok(ListingRow { id: r.get(0)?, sku: r.get(1)?, location: r.get(2)?, remote_item: r.get(3)?, remote_location: r.get(4)? })
        })?
        .collect::<Result<_, _>>()?)
}

/// Listings of the channel whose SKU got ledger events after `last_seq` (the poll's bookings).
fn booked_since(store: &Store, channel: &str, last_seq: i64) -> Result<HashSet<i64>> {
    Ok(store
        .connection()
        .prepare(
            "SELECT DISTINCT l.id FROM events e JOIN listings l ON l.sku = e.sku AND l.channel = ?1 WHERE e.seq > ?2",
        )?
        .query_map(params![channel, last_seq], |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}

async fn reconcile_channel(
    store: &Store,
    channel: &ChannelRecord,
    client: &impl Channel,
    dry_run: bool,
    booked: &HashSet<i64>,
    pushes: &HashMap<i64, &'static str>,
) -> Result<Report> {
    let started = Instant::now();
    let rule = config::rule(store.connection(), &channel.name)?.conflict;
    let rows = listings(store, &channel.name)?;
    let remote: Vec<RemoteListing> = rows
        .iter()
        .map(|l| RemoteListing { item: l.remote_item.clone(), location: l.remote_location.clone() })
        .collect();
    let read_started = Instant::now();
    let levels = read_all(client, &remote).await?;
    let read = read_started.elapsed();
    let previous_reads = previous_reads(store, &channel.name)?;
    let open_changes = open_changes(store, &channel.name)?;
    let bulk = expected_quantities(store.connection(), &channel.name)?;
    let mut gaps = Vec::new();
    for (listing, channel_qty) in rows.iter().zip(levels.iter().copied()) {
        let push_before = pushes.get(&listing.id).copied();
        // Channel changes whose orders are booked settle first (a dry run only assumes so).
        let has_changes = open_changes.contains(&listing.id);
        let expected = if dry_run && has_changes && orders::changes_explained(store.connection(), listing.id)?
        {
            shelfsync_store::outbox::ledger_quantity(store.connection(), listing.id)?
        } else {
            if !dry_run && has_changes {
                orders::settle_channel_changes(store.connection(), listing.id)?;
            }
            match bulk.get(&listing.id) {
                Some(qty) if !has_changes => *qty,
                _ => allocation_for(store.connection(), listing.id)?.qty,
            }
        };
        let previous_read = previous_reads.get(&listing.id).copied().flatten();
        if channel_qty == Some(expected) {
            if booked.contains(&listing.id) {
                gaps.push(gap(listing, expected, channel_qty, "order_not_ingested", "ingested"));
            }
            continue;
        }
        let Some(channel_qty) = channel_qty else {
            let action = if dry_run { "none" } else { flag(store, &channel.name, listing, expected, None)? };
            gaps.push(gap(listing, expected, None, "listing_missing", action));
            continue;
        };
        if let Some(class) = push_before {
            // The outbox (or the dead-letter queue) already holds our value: the engine's business.
            gaps.push(gap(
                listing,
                expected,
                Some(channel_qty),
                class,
                if class == "push_rejected" { "dead_letter" } else { "wait" },
            ));
            continue;
        }
        let action = if dry_run {
            "none"
        } else {
            apply_rule(store, &channel.name, &rule, listing, expected, channel_qty, previous_read)?
        };
        gaps.push(gap(listing, expected, Some(channel_qty), "channel_edit", action));
    }
    if !dry_run {
        // Only reads that differ from the one kept (or are new) are written.
        let changed = rows
            .iter()
            .map(|l| l.id)
            .zip(levels.iter().copied())
            .filter(|(id, qty)| previous_reads.get(id) != Some(qty));
        remember_reads(store, changed)?;
    }
    for (item, location, qty) in unmapped(store, &channel.name)? {
        gaps.push(Gap {
            sku: item,
            location,
            expected: 0,
            channel_qty: None,
            class: "unmapped_listing".into(),
            action: if qty > 0 { "map_listing".into() } else { "none".into() },
        });
    }
    let local = started.elapsed().saturating_sub(read);
    Ok(Report {
        channel: channel.name.clone(),
        checked: rows.len(),
        gaps,
        dry_run,
        rule,
        at: now(),
        read_ms: read.as_millis() as u64,
        local_ms: local.as_millis() as u64,
    })
}

/// What the engine would offer for every listing of the channel, in four queries instead of
/// four per listing: the same arithmetic as `allocation_for` ([`allocate`] over the feeding
/// locations' ATP, safety stock, the channel's rule and its unsettled channel changes).
pub fn expected_quantities(conn: &Connection, channel: &str) -> Result<HashMap<i64, i64>> {
    let rule = conn
        .query_row("SELECT percent, buffer, cap FROM allocation_rules WHERE channel = ?1", [channel], |r| {
            Ok(AllocationRule { percent: r.get(0)?, buffer: r.get(1)?, cap: r.get(2)? })
        })
        .optional()?
        .unwrap_or_default();
    let pools: HashMap<i64, i64> = conn
        .prepare(
            "SELECT l.id, sum(b.on_hand - b.committed - b.reserved - b.damaged)
             FROM listings l JOIN balances b ON b.sku = l.sku JOIN locations x ON x.code = b.location
             WHERE l.channel = ?1
               AND (l.location IS NULL OR x.code = l.location OR x.parent = l.location)
               AND (NOT EXISTS (SELECT 1 FROM rule_locations r WHERE r.channel = ?1)
                    OR EXISTS (SELECT 1 FROM rule_locations r
                               WHERE r.channel = ?1 AND (r.location = x.code OR r.location = x.parent)))
             GROUP BY l.id",
        )?
        .query_map([channel], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    // As `allocation_for`: the listing's own open changes and every open drop of its item on
    // any channel.
    let adjustments: HashMap<i64, i64> = conn
        .prepare(
            "SELECT l.id, sum(c.delta) FROM listings l JOIN listings o ON o.sku = l.sku
                 JOIN channel_changes c ON c.listing_id = o.id
             WHERE l.channel = ?1 AND c.resolved_at IS NULL AND (c.listing_id = l.id OR c.delta < 0)
             GROUP BY l.id",
        )?
        .query_map([channel], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut stmt = conn.prepare(
        "SELECT l.id, i.safety_stock FROM listings l JOIN items i ON i.sku = l.sku WHERE l.channel = ?1",
    )?;
    let rows = stmt.query_map([channel], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?;
    let mut expected = HashMap::new();
    for row in rows {
        let (id, safety) = row?;
        let pool = LocationAtp { location: String::new(), atp: pools.get(&id).copied().unwrap_or(0) };
        let adjustment = adjustments.get(&id).copied().unwrap_or(0);
        expected.insert(id, allocate(rule, vec![pool], safety, adjustment).qty);
    }
    Ok(expected)
}

fn store_report(store: &Store, report: &Report) -> Result<()> {
    store.connection().execute(
        "INSERT INTO reconcile_runs (channel, at, checked, gaps, report) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            report.channel,
            report.at,
            report.checked as i64,
            report.gaps.len() as i64,
            serde_json::to_string(report).expect("serialises")
        ],
    )?;
    Ok(())
}

/// Listings of the channel with channel changes not yet accounted for.
fn open_changes(store: &Store, channel: &str) -> Result<HashSet<i64>> {
    Ok(store
        .connection()
        .prepare(
            "SELECT DISTINCT listing_id FROM channel_changes WHERE channel = ?1 AND resolved_at IS NULL",
        )?
        .query_map([channel], |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}

/// The read before this one, per listing (a listing read as missing has `None`).
fn previous_reads(store: &Store, channel: &str) -> Result<HashMap<i64, Option<i64>>> {
    Ok(store
        .connection()
        .prepare(
            "SELECT r.listing_id, r.qty FROM reconcile_reads r JOIN listings l ON l.id = r.listing_id WHERE l.channel = ?1",
        )?
        .query_map([channel], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?)
}

/// Stores this run's reads in one transaction (the next run compares against them).
fn remember_reads(store: &Store, reads: impl Iterator<Item = (i64, Option<i64>)>) -> Result<()> {
    let tx = immediate(store.connection())?;
    let stamp = now();
    {
        let mut upsert = tx.prepare_cached(
            "INSERT INTO reconcile_reads (listing_id, qty, read_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (listing_id) DO UPDATE SET qty = excluded.qty, read_at = excluded.read_at",
        )?;
        for (id, qty) in reads {
            upsert.execute(params![id, qty, stamp])?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// Read attempts per chunk: a throttled read waits (as the channel says, within bounds) and
/// tries again, up to this many times, before the run fails.
const READ_ATTEMPTS: usize = 5;
/// Longest wait between two read attempts.
const MAX_READ_WAIT: Duration = Duration::from_secs(60);

/// Every listing's channel quantity, in the channel's read chunks. Channel calls never retry by
/// themselves, so a throttled chunk is retried here.
pub async fn read_all(client: &impl Channel, remote: &[RemoteListing]) -> Result<Vec<Option<i64>>> {
    let mut levels = Vec::with_capacity(remote.len());
    for chunk in remote.chunks(client.limits().max_read.max(1)) {
        let mut attempt = 0;
        loop {
            match client.read_levels(chunk).await {
                Ok(answer) => {
                    levels.extend(answer.value);
                    break;
                }
                Err(shelfsync_channels::ChannelError::Throttled { retry_after, .. })
                    if attempt + 1 < READ_ATTEMPTS =>
                {
                    attempt += 1;
                    let wait = retry_after.unwrap_or(Duration::from_secs(1)).min(MAX_READ_WAIT);
                    tokio::time::sleep(wait).await;
                }
                Err(error) => return Err(error.into()),
            }
        }
    }
    Ok(levels)
}

fn gap(listing: &ListingRow, expected: i64, channel_qty: Option<i64>, class: &str, action: &str) -> Gap {
    Gap {
        sku: listing.sku.clone(),
        location: listing.location.clone(),
        expected,
        channel_qty,
        class: class.into(),
        action: action.into(),
    }
}

/// The push state of every listing of the channel that has one: `push_rejected` (an open dead
/// letter), `push_stuck` (queued longer than the stuck threshold) or `push_pending`.
fn push_classes(store: &Store, channel: &str) -> Result<HashMap<i64, &'static str>> {
    let conn = store.connection();
    let stuck_before = (Utc::now() - chrono::Duration::minutes(STUCK_AFTER_MINUTES))
        .to_rfc3339_opts(SecondsFormat::Millis, true);
    let mut classes: HashMap<i64, &'static str> = conn
        .prepare("SELECT listing_id, dirty_since FROM outbox WHERE channel = ?1")?
        .query_map([channel], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?
        .map(|row| {
            row.map(|(id, since)| (id, if since < stuck_before { "push_stuck" } else { "push_pending" }))
        })
        .collect::<Result<_, _>>()?;
    let dead: Vec<i64> = conn
        .prepare(
            "SELECT DISTINCT d.listing_id FROM dead_letters d JOIN listings l ON l.id = d.listing_id
             WHERE l.channel = ?1 AND d.resolved_at IS NULL",
        )?
        .query_map([channel], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for id in dead {
        classes.insert(id, "push_rejected");
    }
    Ok(classes)
}

fn apply_rule(
    store: &Store,
    channel: &str,
    rule: &str,
    listing: &ListingRow,
    expected: i64,
    channel_qty: i64,
    previous_read: Option<i64>,
) -> Result<&'static str> {
    match rule {
        "central" => {
            // Our belief of the channel's quantity becomes what we just read, so the push's
            // compare-and-set base is right; then ours is queued like any change.
            let tx = immediate(store.connection())?;
            tx.execute("UPDATE listings SET acked_qty = ?2 WHERE id = ?1", params![listing.id, channel_qty])?;
            shelfsync_store::outbox::resolve_all_channel_changes(&tx, listing.id)?;
            requeue_listing(&tx, listing.id, &now())?;
            tx.commit()?;
            Ok("repush")
        }
        "channel" => {
            // Theirs wins: what the ledger alone gives is adjusted to the channel's figure.
            let expected = shelfsync_store::outbox::ledger_quantity(store.connection(), listing.id)?;
            let delta = channel_qty - expected;
            if delta > 0 && previous_read != Some(channel_qty) {
                return Ok("confirm_next_read");
            }
            let Some(location) = listing.location.clone() else {
                return flag(store, channel, listing, expected, Some(channel_qty));
            };
            let event = Event::new(
                Movement::Adjust {
                    sku: Sku::new(listing.sku.clone())?,
                    location: LocationCode::new(location)?,
                    delta,
                },
                format!("channel:{channel}"),
                "reconcile",
            )
            .with_reason(format!(
                "reconcile: {channel} reports {channel_qty}, expected {expected} (channel wins)"
            ));
            let tx = immediate(store.connection())?;
            tx.execute("UPDATE listings SET acked_qty = ?2 WHERE id = ?1", params![listing.id, channel_qty])?;
            tx.execute(
                "UPDATE channel_changes SET resolved_at = ?2 WHERE listing_id = ?1 AND resolved_at IS NULL",
                params![listing.id, now()],
            )?;
            match append_in(&tx, &event) {
                Ok(_) => {
                    tx.commit()?;
                    Ok("adjusted")
                }
                // The adjustment cannot be booked (stock would go negative): a person decides.
                Err(_) => {
                    drop(tx);
                    flag(store, channel, listing, expected, Some(channel_qty))
                }
            }
        }
        _ => flag(store, channel, listing, expected, Some(channel_qty)),
    }
}

fn flag(
    store: &Store,
    channel: &str,
    listing: &ListingRow,
    expected: i64,
    channel_qty: Option<i64>,
) -> Result<&'static str> {
    let subject = format!("{channel}:{}:{}", listing.sku, listing.location.as_deref().unwrap_or("-"));
    let message = format!(
        "{channel} shows {} of {} at {}, expected {expected}: a person decides",
        channel_qty.map_or("nothing (listing missing)".to_string(), |q| q.to_string()),
        listing.sku,
        listing.location.as_deref().unwrap_or("-"),
    );
    alerts::raise(
        store.connection(),
        alerts::DISCREPANCY,
        &subject,
        &message,
        channel_qty.map(|q| (q - expected) as f64),
        None,
    )?;
    Ok("flagged")
}

fn unmapped(store: &Store, channel: &str) -> Result<Vec<(String, Option<String>, i64)>> {
    Ok(store
        .connection()
        .prepare(
            "SELECT remote_item, remote_location, sum(quantity) FROM unmapped_lines u
             WHERE channel = ?1 AND NOT EXISTS (SELECT 1 FROM listings l WHERE l.channel = u.channel
                 AND l.remote_item = u.remote_item AND (u.remote_location IS NULL OR l.remote_location = u.remote_location))
             GROUP BY 1, 2 ORDER BY 1",
        )?
        .query_map([channel], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?)
}
