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
use serde::Serialize;
use shelfsync_channels::{Channel, RemoteListing};
use shelfsync_core::{LocationCode, Movement, Sku};
use shelfsync_store::channels::listings::{self, ListingRow};
use shelfsync_store::channels::{changes, queue, registry};
use shelfsync_store::outbox::{LocationAtp, allocate, requeue_listing};
use shelfsync_store::oversight::Db;
use shelfsync_store::oversight::reconcile as stored;
use shelfsync_store::{Store, append_in};
use shelfsync_sync::config::{self, ChannelRecord};
use shelfsync_sync::credentials::Secrets;

use crate::orders;
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
        let last_seq = stored::last_event_seq(&store)?;
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
            let tx = store.immediate_tx()?;
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

/// Listings of the channel whose SKU got ledger events after `last_seq` (the poll's bookings).
fn booked_since(store: &Store, channel: &str, last_seq: i64) -> Result<HashSet<i64>> {
    Ok(listings::booked_since(store, channel, last_seq)?.into_iter().collect())
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
    let rule = config::rule(store, &channel.name)?.conflict;
    let rows = listings::of_channel(store, &channel.name)?;
    let remote: Vec<RemoteListing> = rows
        .iter()
        .map(|l| RemoteListing { item: l.remote_item.clone(), location: l.remote_location.clone() })
        .collect();
    let read_started = Instant::now();
    let levels = read_all(client, &remote).await?;
    let read = read_started.elapsed();
    let previous_reads = previous_reads(store, &channel.name)?;
    let open_changes = open_changes(store, &channel.name)?;
    let bulk = expected_quantities(store, &channel.name)?;
    let mut gaps = Vec::new();
    for (listing, channel_qty) in rows.iter().zip(levels.iter().copied()) {
        let push_before = pushes.get(&listing.id).copied();
        // Channel changes whose orders are booked settle first (a dry run only assumes so).
        let has_changes = open_changes.contains(&listing.id);
        let expected = if dry_run && has_changes && orders::changes_explained(store, listing.id)? {
            store.ledger_quantity(listing.id)?
        } else {
            if !dry_run && has_changes {
                orders::settle_channel_changes(store, listing.id)?;
            }
            match bulk.get(&listing.id) {
                Some(qty) if !has_changes => *qty,
                _ => store.allocation_for(listing.id)?.qty,
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
    for (item, location, qty) in stored::unmapped(store, &channel.name)? {
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
pub fn expected_quantities(db: &impl Db, channel: &str) -> Result<HashMap<i64, i64>> {
    let rule = registry::allocation_rule(db, channel)?;
    let pools = listings::feeding_atp(db, channel)?;
    // As `allocation_for`: the listing's own open changes and every open drop of its item on
    // any channel.
    let adjustments = listings::open_adjustments(db, channel)?;
    let mut expected = HashMap::new();
    for (id, safety) in listings::safety_stocks(db, channel)? {
        let pool = LocationAtp { location: String::new(), atp: pools.get(&id).copied().unwrap_or(0) };
        let adjustment = adjustments.get(&id).copied().unwrap_or(0);
        expected.insert(id, allocate(rule, vec![pool], safety, adjustment).qty);
    }
    // As the outbox: an item selling fast lists no more than its flash share.
    for (id, share) in shelfsync_store::flash::channel_shares(db, channel, chrono::Utc::now())? {
        if let Some(qty) = expected.get_mut(&id) {
            *qty = (*qty).min(share.max(0));
        }
    }
    Ok(expected)
}

fn store_report(store: &Store, report: &Report) -> Result<()> {
    stored::store_run(
        store,
        &report.channel,
        &report.at,
        report.checked as i64,
        report.gaps.len() as i64,
        &serde_json::to_string(report).expect("serialises"),
    )?;
    Ok(())
}

/// Listings of the channel with channel changes not yet accounted for.
fn open_changes(store: &Store, channel: &str) -> Result<HashSet<i64>> {
    Ok(changes::listings_with_open_changes(store, channel)?.into_iter().collect())
}

/// The read before this one, per listing (a listing read as missing has `None`).
fn previous_reads(store: &Store, channel: &str) -> Result<HashMap<i64, Option<i64>>> {
    Ok(stored::previous_reads(store, channel)?)
}

/// Stores this run's reads in one transaction (the next run compares against them).
fn remember_reads(store: &Store, reads: impl Iterator<Item = (i64, Option<i64>)>) -> Result<()> {
    stored::remember_reads(store, reads, &now())?;
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
    let stuck_before = (Utc::now() - chrono::Duration::minutes(STUCK_AFTER_MINUTES))
        .to_rfc3339_opts(SecondsFormat::Millis, true);
    let mut classes: HashMap<i64, &'static str> = queue::queued_since(store, channel)?
        .into_iter()
        .map(|(id, since)| (id, if since < stuck_before { "push_stuck" } else { "push_pending" }))
        .collect();
    for id in queue::dead_lettered(store, channel)? {
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
            let tx = store.immediate_tx()?;
            changes::set_acked_qty(&tx, listing.id, channel_qty)?;
            shelfsync_store::outbox::resolve_all_channel_changes(&tx, listing.id)?;
            requeue_listing(&tx, listing.id, &now())?;
            tx.commit()?;
            Ok("repush")
        }
        "channel" => {
            // Theirs wins: what the ledger alone gives is adjusted to the channel's figure.
            let expected = store.ledger_quantity(listing.id)?;
            let delta = channel_qty - expected;
            if delta > 0 && previous_read != Some(channel_qty) {
                return Ok("confirm_next_read");
            }
            let Some(location) = listing.location.clone() else {
                return flag(store, channel, listing, expected, Some(channel_qty));
            };
            let event = shelfsync_store::new_event(
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
            let tx = store.immediate_tx()?;
            changes::set_acked_qty(&tx, listing.id, channel_qty)?;
            changes::resolve_open(&tx, listing.id, &now())?;
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
        store,
        alerts::DISCREPANCY,
        &subject,
        &message,
        channel_qty.map(|q| (q - expected) as f64),
        None,
    )?;
    Ok("flagged")
}
