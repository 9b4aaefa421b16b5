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

use std::path::Path;
use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use shelfsync_channels::shopify::{ShopifyClient, ShopifyConfig};
use shelfsync_channels::{Channel, RemoteListing, Timeouts};
use shelfsync_core::{Event, LocationCode, Movement, Sku};
use shelfsync_store::outbox::{allocation_for, requeue_listing};
use shelfsync_store::{Store, append_in};
use shelfsync_sync::config;
use shelfsync_sync::credentials::Secrets;

use crate::orders::{self, immediate};
use crate::poll::{self, ChannelAccess};
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
}

struct ListingRow {
    id: i64,
    sku: String,
    location: Option<String>,
    remote_item: String,
    remote_location: Option<String>,
}

/// Reconciles every Shopify channel (or the one named). Not a dry run: polls orders first, so a
/// gap an unbooked order explains is booked and classed `order_not_ingested`.
pub async fn reconcile(
    db_path: &Path,
    secrets: &Secrets,
    only: Option<&str>,
    dry_run: bool,
) -> Result<Vec<Report>> {
    let store = Store::open(db_path)?;
    let channels = poll::shopify_channels(&store, secrets, only)?;
    let mut reports = Vec::new();
    for channel in channels {
        let before = if dry_run { None } else { Some(expected_all(&store, &channel.name)?) };
        // Judged before polling and settling: a push those queue themselves is not "pending".
        let mut pushes = std::collections::HashMap::new();
        for listing in listings(&store, &channel.name)? {
            if let Some(class) = push_class(&store, listing.id)? {
                pushes.insert(listing.id, class);
            }
        }
        if !dry_run {
            poll::poll(db_path, secrets, Some(&channel.name)).await?;
        }
        reports.push(reconcile_channel(&store, &channel, dry_run, before, &pushes).await?);
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

fn expected_all(store: &Store, channel: &str) -> Result<Vec<(i64, i64)>> {
    listings(store, channel)?
        .iter()
        .map(|l| Ok((l.id, allocation_for(store.connection(), l.id)?.qty)))
        .collect()
}

async fn reconcile_channel(
    store: &Store,
    channel: &ChannelAccess,
    dry_run: bool,
    before: Option<Vec<(i64, i64)>>,
    pushes: &std::collections::HashMap<i64, &'static str>,
) -> Result<Report> {
    let rule = config::rule(store.connection(), &channel.name)?.conflict;
    let rows = listings(store, &channel.name)?;
    let client = ShopifyClient::new(ShopifyConfig {
        endpoint: channel.endpoint.clone(),
        access_token: channel.token.clone(),
        timeouts: Timeouts::default(),
    })?;
    let mut levels = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(client.limits().max_read.max(1)) {
        let remote: Vec<RemoteListing> = chunk
            .iter()
            .map(|l| RemoteListing { item: l.remote_item.clone(), location: l.remote_location.clone() })
            .collect();
        levels.extend(client.read_levels(&remote).await?.value);
    }
    let mut gaps = Vec::new();
    for (listing, channel_qty) in rows.iter().zip(levels) {
        let push_before = pushes.get(&listing.id).copied();
        // Channel changes whose orders are booked settle first (a dry run only assumes so).
        let expected = if dry_run && orders::changes_explained(store.connection(), listing.id)? {
            orders::ledger_quantity(store.connection(), listing.id)?
        } else {
            if !dry_run {
                orders::settle_channel_changes(store.connection(), listing.id)?;
            }
            allocation_for(store.connection(), listing.id)?.qty
        };
        let explained_by_order = before
            .as_ref()
            .and_then(|b| b.iter().find(|(id, _)| *id == listing.id))
            .is_some_and(|(_, was)| *was != expected && Some(expected) == channel_qty);
        let previous_read = remember_read(store, listing.id, channel_qty, dry_run)?;
        if explained_by_order {
            gaps.push(gap(listing, expected, channel_qty, "order_not_ingested", "ingested"));
            continue;
        }
        if channel_qty == Some(expected) {
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
    let report =
        Report { channel: channel.name.clone(), checked: rows.len(), gaps, dry_run, rule, at: now() };
    if !dry_run {
        store.connection().execute(
            "INSERT INTO reconcile_runs (channel, at, checked, gaps, report) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                report.channel,
                report.at,
                report.checked as i64,
                report.gaps.len() as i64,
                serde_json::to_string(&report).expect("serialises")
            ],
        )?;
    }
    Ok(report)
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

/// Stores this read; returns the one before it.
fn remember_read(store: &Store, listing_id: i64, qty: Option<i64>, dry_run: bool) -> Result<Option<i64>> {
    let previous: Option<Option<i64>> = store
        .connection()
        .query_row("SELECT qty FROM reconcile_reads WHERE listing_id = ?1", [listing_id], |r| r.get(0))
        .optional()?;
    if !dry_run {
        store.connection().execute(
            "INSERT INTO reconcile_reads (listing_id, qty, read_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (listing_id) DO UPDATE SET qty = excluded.qty, read_at = excluded.read_at",
            params![listing_id, qty, now()],
        )?;
    }
    Ok(previous.flatten())
}

fn push_class(store: &Store, listing_id: i64) -> Result<Option<&'static str>> {
    let conn = store.connection();
    let dead: i64 = conn.query_row(
        "SELECT count(*) FROM dead_letters WHERE listing_id = ?1 AND resolved_at IS NULL",
        [listing_id],
        |r| r.get(0),
    )?;
    if dead > 0 {
        return Ok(Some("push_rejected"));
    }
    let dirty: Option<String> = conn
        .query_row("SELECT dirty_since FROM outbox WHERE listing_id = ?1", [listing_id], |r| r.get(0))
        .optional()?;
    let stuck_before = (Utc::now() - chrono::Duration::minutes(STUCK_AFTER_MINUTES))
        .to_rfc3339_opts(SecondsFormat::Millis, true);
    Ok(dirty.map(|since| if since < stuck_before { "push_stuck" } else { "push_pending" }))
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
            orders::resolve_all_channel_changes(&tx, listing.id)?;
            requeue_listing(&tx, listing.id, &now())?;
            tx.commit()?;
            Ok("repush")
        }
        "channel" => {
            // Theirs wins: what the ledger alone gives is adjusted to the channel's figure.
            let expected = orders::ledger_quantity(store.connection(), listing.id)?;
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
