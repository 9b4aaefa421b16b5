//! The listing watch's inputs from the ledger (flash-sale mode, issue 16; the rules are core's,
//! `shelfsync_core::listing_watch`): the items that may be selling fast, with their channel
//! sales in the rule's window at a time given by the caller, and a channel's listings of the
//! watched items that a read may look at now.
//!
//! A read may look at a listing only when its level on the channel is what we believe or a
//! sale below it: not while a push of it is in an attempt group (sent, or about to be, with
//! an outcome not known yet: a read could take our own new value for a sale) and not while an
//! accepted push awaits its read-back (that read-back is on its way anyway). Everything else
//! goes through `channels::queue::record_read`, as a read before an urgent push does.

use chrono::{DateTime, Utc};
use rusqlite::params;
use shelfsync_core::flash::FlashSaleRule;
use shelfsync_core::listing_watch::Candidate;

use crate::channels::listings::RemoteIds;
use crate::channels::queue::stamp;
use crate::{Result, Store};

/// Most items looked at per call: the first ones to start selling fast (`flash_items.since`).
/// Core keeps at most `MAX_WATCHED_ITEMS` (200) of them.
const MAX_CANDIDATES: i64 = 1_000;

/// Most of an item's latest events read to count its sales, as flash-sale mode counts them
/// (`flash::MAX_EVENTS_SCANNED`): an item selling fast has its sales among its latest events.
const MAX_EVENTS_SCANNED: i64 = 2_000;

/// Most SKUs one listing query takes (a bound on its JSON parameter).
const MAX_SKUS: usize = 1_000;

/// One listing a watch read may look at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WatchListing {
    pub listing_id: i64,
    pub sku: String,
    pub remote: RemoteIds,
}

/// The flash-sale rule in force (`None`: the mode is off, nothing is watched) and the items
/// that carry a flash share (`flash_items`), each with its channel sales (order lines) within
/// the rule's window ending at `at`. An item whose sale is over shows fewer sales than the
/// trigger even before the service's minute job lifts its share.
pub fn candidates(store: &Store, at: DateTime<Utc>) -> Result<(Option<FlashSaleRule>, Vec<Candidate>)> {
    let conn = &store.conn;
    let Some(rule) = crate::flash::rule(conn)? else { return Ok((None, Vec::new())) };
    let since = stamp(at - chrono::Duration::seconds(i64::from(rule.window_secs)));
    let skus: Vec<String> = conn
        .prepare_cached("SELECT sku FROM flash_items ORDER BY since, sku LIMIT ?1")?
        .query_map([MAX_CANDIDATES], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut count = conn.prepare_cached(
        "SELECT count(*) FROM (SELECT kind, body, occurred_at FROM events WHERE sku = ?1 ORDER BY seq DESC LIMIT ?3)
         WHERE kind = 'sale' AND occurred_at >= ?2 AND json_extract(body, '$.actor') LIKE 'channel:%'",
    )?;
    let mut out = Vec::with_capacity(skus.len());
    for sku in skus {
        let sales: i64 = count.query_row(params![sku, since, MAX_EVENTS_SCANNED], |r| r.get(0))?;
        out.push(Candidate { sku, sales_in_window: u32::try_from(sales).unwrap_or(u32::MAX) });
    }
    Ok((Some(rule), out))
}

/// The channel's listings of `skus` that a read may look at now (see the module's note), in
/// listing order, at most `limit` (and the first [`MAX_SKUS`] SKUs).
pub fn listings(store: &Store, channel: &str, skus: &[String], limit: usize) -> Result<Vec<WatchListing>> {
    if skus.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let wanted = serde_json::to_string(&skus[..skus.len().min(MAX_SKUS)]).expect("strings serialise");
    Ok(store
        .conn
        .prepare_cached(
            "SELECT l.id, l.sku, l.remote_item, l.remote_location FROM listings l
             WHERE l.channel = ?1 AND l.sku IN (SELECT value FROM json_each(?2))
               AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.listing_id = l.id AND o.group_key IS NOT NULL)
               AND NOT EXISTS (SELECT 1 FROM unconfirmed_pushes u WHERE u.listing_id = l.id)
             ORDER BY l.id LIMIT ?3",
        )?
        .query_map(params![channel, wanted, i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
            Ok(WatchListing {
                listing_id: r.get(0)?,
                sku: r.get(1)?,
                remote: RemoteIds { item: r.get(2)?, location: r.get(3)? },
            })
        })?
        .collect::<Result<_, _>>()?)
}

/// After a watch read found a drop on a listing: re-queues the listing itself, now that its
/// belief is the level read. Recording the drop re-queued every listing of the item while the
/// belief was still the level before it, so this listing's own value (its share of what is
/// left, in flash-sale mode) was compared with the old level and may have been left unqueued.
/// A read before an urgent push needs none of this (its group is formed again).
pub fn requeue_after_drop(store: &Store, listing_id: i64) -> Result<()> {
    let tx = crate::connection::immediate(&store.conn)?;
    crate::outbox::requeue_listing(&tx, listing_id, &crate::outbox::now())?;
    tx.commit()?;
    Ok(())
}
