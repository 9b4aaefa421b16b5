//! Reads of `listings` (and the catalogue around them): for linking a channel and explaining
//! a listing (these take the [`Store`]), and for capture finding the listing an order line or
//! level update names, where a sale is booked, what a drift audit or an FBA read covers, and
//! reconciliation's per-listing inputs for a whole channel (these take a [`Db`], so they run
//! inside an order's transaction too). The writes are
//! elsewhere: mappings in [`super::registry`], our belief of the channel's quantity in
//! [`super::queue`] and [`super::changes`], the outbox in [`crate::outbox`].

use std::collections::HashMap;

use rusqlite::{OptionalExtension, params};

use crate::oversight::Db;
use crate::{Result, Store};

/// A listing's ids on its channel: the item (Shopify inventory item GID, Amazon seller SKU,
/// eBay SKU) and, where the channel has one, the location (Shopify location GID, eBay offer).
/// The sync crate turns it into the channels crate's `RemoteListing`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RemoteIds {
    pub item: String,
    pub location: Option<String>,
}

/// One listing of a channel, as `sync explain` and `channel link` read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListingRow {
    pub id: i64,
    pub sku: String,
    pub location: Option<String>,
    pub remote_item: String,
    pub remote_location: Option<String>,
    /// Our belief of the channel's quantity (what it last acknowledged), if known.
    pub acked_qty: Option<i64>,
}

/// Whether `sku` is in the catalogue (exactly as stored; no normalisation).
pub fn sku_exists(store: &Store, sku: &str) -> Result<bool> {
    Ok(store
        .conn
        .prepare_cached("SELECT 1 FROM items WHERE sku = ?1")?
        .query_row([sku], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Every SKU of the catalogue, sorted: what `channel link` matches.
pub fn skus(store: &Store) -> Result<Vec<String>> {
    Ok(store
        .conn
        .prepare("SELECT sku FROM items ORDER BY sku")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}

/// Every location code, sorted: the ones a Shopify link may feed from.
pub fn location_codes(store: &Store) -> Result<Vec<String>> {
    Ok(store
        .conn
        .prepare("SELECT code FROM locations ORDER BY code")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}

/// Every listing of `channel`, in id order.
pub fn of_channel(store: &Store, channel: &str) -> Result<Vec<ListingRow>> {
    Ok(store
        .conn
        .prepare(
            "SELECT id, sku, location, remote_item, remote_location, acked_qty FROM listings
             WHERE channel = ?1 ORDER BY id",
        )?
        .query_map([channel], listing_row)?
        .collect::<Result<_, _>>()?)
}

/// The listings of `sku` on `channel`, by location.
pub fn of_sku_on_channel(store: &Store, channel: &str, sku: &str) -> Result<Vec<ListingRow>> {
    Ok(store
        .conn
        .prepare(
            "SELECT id, sku, location, remote_item, remote_location, acked_qty FROM listings
             WHERE channel = ?1 AND sku = ?2 ORDER BY location",
        )?
        .query_map(params![channel, sku], listing_row)?
        .collect::<Result<_, _>>()?)
}

fn listing_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ListingRow> {
    Ok(ListingRow {
        id: r.get(0)?,
        sku: r.get(1)?,
        location: r.get(2)?,
        remote_item: r.get(3)?,
        remote_location: r.get(4)?,
        acked_qty: r.get(5)?,
    })
}

/// A listing as an order line maps to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListingRef {
    pub id: i64,
    pub sku: String,
    pub location: Option<String>,
}

/// What a line names: the channel's item, or our SKU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemKey<'a> {
    RemoteItem(&'a str),
    Sku(&'a str),
}

/// The channel's first listing of the item (at the remote location, when one is given).
pub fn listing_for(
    db: &impl Db,
    channel: &str,
    item: ItemKey<'_>,
    remote_location: Option<&str>,
) -> Result<Option<ListingRef>> {
    let (column, key) = match item {
        ItemKey::Sku(sku) => ("sku", sku),
        ItemKey::RemoteItem(item) => ("remote_item", item),
    };
    let sql = format!(
        "SELECT id, sku, location FROM listings
         WHERE channel = ?1 AND {column} = ?2 AND (?3 IS NULL OR remote_location = ?3)
         ORDER BY id LIMIT 1"
    );
    Ok(db
        .conn()
        .prepare_cached(&sql)?
        .query_row(params![channel, key, remote_location], |r| {
            Ok(ListingRef { id: r.get(0)?, sku: r.get(1)?, location: r.get(2)? })
        })
        .optional()?)
}

/// The location holding the SKU with the most ATP (`stock_atp`; ties by code) among those that
/// feed the channel (its rule locations and their children, or every location without any).
pub fn best_feeding_location(db: &impl Db, channel: &str, sku: &str) -> Result<Option<String>> {
    Ok(db
        .conn()
        .prepare_cached(
            "SELECT x.code FROM stock_atp b JOIN locations x ON x.code = b.location
             WHERE b.sku = ?1
               AND (NOT EXISTS (SELECT 1 FROM rule_locations r WHERE r.channel = ?2)
                    OR EXISTS (SELECT 1 FROM rule_locations r
                               WHERE r.channel = ?2 AND (r.location = x.code OR r.location = x.parent)))
             ORDER BY b.atp DESC, x.code LIMIT 1",
        )?
        .query_row(params![sku, channel], |r| r.get(0))
        .optional()?)
}

/// A listing of one SKU as a drift audit reads it back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkuListing {
    pub id: i64,
    pub location: Option<String>,
    pub remote_item: String,
    pub remote_location: Option<String>,
}

/// The channel's listings of one SKU, oldest first (by id: the order a drift audit reads them
/// back in; [`of_sku_on_channel`] orders by location).
pub fn of_sku_on_channel_by_id(db: &impl Db, channel: &str, sku: &str) -> Result<Vec<SkuListing>> {
    Ok(db
        .conn()
        .prepare_cached(
            "SELECT id, location, remote_item, remote_location FROM listings WHERE channel = ?1 AND sku = ?2 ORDER BY id",
        )?
        .query_map(params![channel, sku], |r| {
            Ok(SkuListing { id: r.get(0)?, location: r.get(1)?, remote_item: r.get(2)?, remote_location: r.get(3)? })
        })?
        .collect::<Result<_, _>>()?)
}

/// The channel's seller SKUs (an Amazon listing's remote item is its seller SKU), sorted and
/// distinct: the ones an FBA read asks about.
pub fn listed_skus(db: &impl Db, channel: &str) -> Result<Vec<String>> {
    Ok(db
        .conn()
        .prepare_cached("SELECT DISTINCT remote_item FROM listings WHERE channel = ?1 ORDER BY remote_item")?
        .query_map([channel], |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}

// Per-listing reads of a whole channel at once: the inputs reconciliation's bulk expected
// quantities take (the same inputs `crate::outbox::allocation_for` reads one listing at a time).

/// Listings of the channel whose SKU got ledger events after `last_seq`.
pub fn booked_since(db: &impl Db, channel: &str, last_seq: i64) -> Result<Vec<i64>> {
    Ok(db
        .conn()
        .prepare(
            "SELECT DISTINCT l.id FROM events e JOIN listings l ON l.sku = e.sku AND l.channel = ?1 WHERE e.seq > ?2",
        )?
        .query_map(params![channel, last_seq], |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}

/// Per listing of the channel: the summed ATP (`stock_atp`) of the locations that feed it
/// (its own location and its children, within the channel's rule locations if it has any).
pub fn feeding_atp(db: &impl Db, channel: &str) -> Result<HashMap<i64, i64>> {
    let mut pools: HashMap<i64, i64> = db
        .conn()
        .prepare(
            "SELECT l.id, sum(b.atp)
             FROM listings l JOIN stock_atp b ON b.sku = l.sku JOIN locations x ON x.code = b.location
             WHERE l.channel = ?1
               AND (l.location IS NULL OR x.code = l.location OR x.parent = l.location)
               AND (NOT EXISTS (SELECT 1 FROM rule_locations r WHERE r.channel = ?1)
                    OR EXISTS (SELECT 1 FROM rule_locations r
                               WHERE r.channel = ?1 AND (r.location = x.code OR r.location = x.parent)))
             GROUP BY l.id",
        )?
        .query_map([channel], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    // A kit's listing has no stock rows: its pool is the kit's ATP from its components' (issue 21).
    pools.extend(crate::kits::kit_pools(db.conn(), channel)?);
    Ok(pools)
}

/// Per listing of the channel: the sum of its own open channel changes and every open drop of
/// its item on any channel (as `allocation_for` counts them).
pub fn open_adjustments(db: &impl Db, channel: &str) -> Result<HashMap<i64, i64>> {
    Ok(db
        .conn()
        .prepare(
            "SELECT l.id, sum(c.delta) FROM listings l JOIN listings o ON o.sku = l.sku
                 JOIN channel_changes c ON c.listing_id = o.id
             WHERE l.channel = ?1 AND c.resolved_at IS NULL AND (c.listing_id = l.id OR c.delta < 0)
             GROUP BY l.id",
        )?
        .query_map([channel], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?)
}

/// Per listing of the channel: its item's safety stock, as (listing id, safety stock).
pub fn safety_stocks(db: &impl Db, channel: &str) -> Result<Vec<(i64, i64)>> {
    Ok(db
        .conn()
        .prepare(
            "SELECT l.id, i.safety_stock FROM listings l JOIN items i ON i.sku = l.sku WHERE l.channel = ?1",
        )?
        .query_map([channel], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?)
}
