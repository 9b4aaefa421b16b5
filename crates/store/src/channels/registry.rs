//! The channel registry: `channels`, their allocation rules (`allocation_rules`,
//! `rule_locations`), the first `channel_metrics` row, and the mappings of our SKUs to the
//! channel's listings (`listings`). Every change that can move a listing's quantity (a new
//! mapping, a rule, a re-push) re-queues the listings it touches in the same transaction, so
//! the channel hears about it like any ledger change. The checks on what a person typed stay
//! in the sync crate (`shelfsync_sync::config`); these operations write what it checked.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::immediate;
use super::queue::requeue_bulk_in;
use crate::audit::record;
use crate::outbox::now;
use crate::oversight::Db;
use crate::{AllocationRule, By, Result, Store, StoreError};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChannelRecord {
    pub name: String,
    pub kind: String,
    pub endpoint: String,
    /// Amazon and eBay: the OAuth token endpoint the user named (`--auth-endpoint`); `None`
    /// means the channels crate's rule (`shelfsync_channels::endpoint::token_url`).
    pub auth_endpoint: Option<String>,
    pub shop: Option<String>,
    pub seller_id: Option<String>,
    pub marketplace_id: Option<String>,
    pub created_at: String,
    pub rule: RuleRecord,
    pub listings: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleRecord {
    /// Feeding locations; empty means every location.
    pub locations: Vec<String>,
    pub percent: u8,
    pub buffer: i64,
    pub cap: Option<i64>,
    pub conflict: String,
}

/// A change to a channel's rule; `None` leaves that part as it is.
#[derive(Clone, Debug, Default)]
pub struct RuleChange {
    pub locations: Option<Vec<String>>,
    pub percent: Option<i64>,
    pub buffer: Option<i64>,
    pub cap: Option<Option<i64>>,
    pub conflict: Option<String>,
}

/// One mapping: our SKU (at a location, for Shopify) to the channel's ids.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mapping {
    pub sku: String,
    pub location: Option<String>,
    pub remote_item: String,
    pub remote_location: Option<String>,
}

/// A channel row as `channel add` writes it, already checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewChannelRow<'a> {
    pub name: &'a str,
    pub kind: &'a str,
    pub endpoint: &'a str,
    pub auth_endpoint: Option<&'a str>,
    pub shop: Option<&'a str>,
    pub seller_id: Option<&'a str>,
    pub marketplace_id: Option<&'a str>,
}

/// What [`add_channel`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChannelAdded {
    Added,
    /// A channel of that name exists; nothing was written.
    AlreadyExists,
}

/// Adds a channel with its default rule and metrics row, then runs `then` (the caller stores
/// the channel's secrets there) before committing: all or nothing, so a secret that cannot be
/// stored rolls the channel back. Audited as `channel.add` (kind and endpoints, never a secret).
pub fn add_channel<E: From<StoreError>>(
    store: &Store,
    by: By<'_>,
    row: &NewChannelRow<'_>,
    then: impl FnOnce() -> std::result::Result<(), E>,
) -> std::result::Result<ChannelAdded, E> {
    let tx = immediate(&store.conn).map_err(crate::StoreError::from)?;
    if kind_in(&tx, row.name)?.is_some() {
        return Ok(ChannelAdded::AlreadyExists);
    }
    tx.execute(
        "INSERT INTO channels (name, kind, endpoint, auth_endpoint, shop, seller_id, marketplace_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            row.name,
            row.kind,
            row.endpoint,
            row.auth_endpoint,
            row.shop,
            row.seller_id,
            row.marketplace_id,
            now()
        ],
    )
    .map_err(StoreError::from)?;
    tx.execute("INSERT INTO allocation_rules (channel) VALUES (?1)", [row.name]).map_err(StoreError::from)?;
    tx.execute("INSERT INTO channel_metrics (channel) VALUES (?1)", [row.name]).map_err(StoreError::from)?;
    let detail = serde_json::json!({
        "kind": row.kind,
        "endpoint": row.endpoint,
        "auth_endpoint": row.auth_endpoint,
        "shop": row.shop,
        "seller_id": row.seller_id,
        "marketplace_id": row.marketplace_id,
    });
    record(&tx, by, "channel.add", row.name, &detail)?;
    then()?;
    tx.commit().map_err(StoreError::from)?;
    Ok(ChannelAdded::Added)
}

/// Replaces a channel's secrets: `then` stores them (in the keychain, never here) inside the
/// transaction that writes the `channel.credentials` entry (the secrets' names only), so a
/// secret that cannot be stored leaves no entry, and no secret changes unaudited. The caller
/// has checked that the channel exists (`shelfsync_sync::config::change_credentials`).
pub fn change_credentials<E: From<StoreError>>(
    store: &Store,
    by: By<'_>,
    channel: &str,
    names: &[&str],
    then: impl FnOnce() -> std::result::Result<(), E>,
) -> std::result::Result<(), E> {
    let tx = immediate(&store.conn).map_err(StoreError::from)?;
    record(&tx, by, "channel.credentials", channel, &serde_json::json!({ "secrets": names }))?;
    then()?;
    tx.commit().map_err(StoreError::from)?;
    Ok(())
}

fn kind_in(conn: &Connection, name: &str) -> Result<Option<String>> {
    Ok(conn.query_row("SELECT kind FROM channels WHERE name = ?1", [name], |r| r.get(0)).optional()?)
}

/// The kind of channel `name` as stored (`shopify`, `amazon`, `ebay`), if it exists.
pub fn channel_kind(store: &Store, name: &str) -> Result<Option<String>> {
    kind_in(&store.conn, name)
}

/// Every channel with its rule and listing count, by name.
pub fn list_channels(store: &Store) -> Result<Vec<ChannelRecord>> {
    let conn = &store.conn;
    let mut stmt = conn.prepare(
        "SELECT c.name, c.kind, c.endpoint, c.shop, c.seller_id, c.marketplace_id, c.created_at,
                (SELECT count(*) FROM listings l WHERE l.channel = c.name), c.auth_endpoint
         FROM channels c ORDER BY c.name",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            (r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(8)?),
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
            r.get(7)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let ((name, kind, endpoint, auth_endpoint), shop, seller_id, marketplace_id, created_at, listings) =
            row?;
        let rule = rule_in(conn, &name)?;
        out.push(ChannelRecord {
            name,
            kind,
            endpoint,
            auth_endpoint,
            shop,
            seller_id,
            marketplace_id,
            created_at,
            rule,
            listings,
        });
    }
    Ok(out)
}

/// A channel's rule (the defaults when it has no row).
pub fn rule(store: &Store, channel: &str) -> Result<RuleRecord> {
    rule_in(&store.conn, channel)
}

fn rule_in(conn: &Connection, channel: &str) -> Result<RuleRecord> {
    let (percent, buffer, cap, conflict) = conn
        .query_row(
            "SELECT percent, buffer, cap, conflict FROM allocation_rules WHERE channel = ?1",
            [channel],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?
        .unwrap_or((100, 0, None, "central".to_string()));
    let locations = conn
        .prepare("SELECT location FROM rule_locations WHERE channel = ?1 ORDER BY location")?
        .query_map([channel], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(RuleRecord { locations, percent, buffer, cap, conflict })
}

/// Applies a checked change to a channel's rule and re-queues every listing of the channel
/// (as bulk), in one transaction with its `channel.rule` entry (the rule before and after).
/// Returns the rule as it now is.
pub fn set_rule(store: &Store, by: By<'_>, channel: &str, change: &RuleChange) -> Result<RuleRecord> {
    let tx = immediate(&store.conn)?;
    let current = rule_in(&tx, channel)?;
    let rule = AllocationRule {
        percent: change.percent.map_or(current.percent, |p| p as u8),
        buffer: change.buffer.unwrap_or(current.buffer),
        cap: change.cap.unwrap_or(current.cap),
    };
    let conflict = change.conflict.clone().unwrap_or_else(|| current.conflict.clone());
    tx.execute(
        "INSERT INTO allocation_rules (channel, percent, buffer, cap, conflict) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (channel) DO UPDATE SET percent = excluded.percent, buffer = excluded.buffer,
             cap = excluded.cap, conflict = excluded.conflict",
        params![channel, rule.percent, rule.buffer, rule.cap, conflict],
    )?;
    if let Some(locations) = &change.locations {
        tx.execute("DELETE FROM rule_locations WHERE channel = ?1", [channel])?;
        for location in locations {
            tx.execute(
                "INSERT OR IGNORE INTO rule_locations (channel, location) VALUES (?1, ?2)",
                params![channel, location],
            )?;
        }
    }
    requeue_channel(&tx, channel)?;
    let updated = rule_in(&tx, channel)?;
    record(&tx, by, "channel.rule", channel, &serde_json::json!({ "before": current, "after": updated }))?;
    tx.commit()?;
    Ok(updated)
}

/// Queues every listing of `channel` as bulk and returns their ids, in id order.
fn requeue_channel(conn: &Connection, channel: &str) -> Result<Vec<i64>> {
    let ids: Vec<i64> = conn
        .prepare("SELECT id FROM listings WHERE channel = ?1 ORDER BY id")?
        .query_map([channel], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let since = now();
    // A rule change moves the whole channel: a re-push, behind any pending sale.
    for id in &ids {
        requeue_bulk_in(conn, *id, &since)?;
    }
    Ok(ids)
}

/// What a full re-push marked: how many listings, and the largest listing id then (ids only
/// grow, so "marked by this re-push" is "id up to it").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RepushMark {
    pub listings: usize,
    pub last_listing: Option<i64>,
}

/// Re-push of every listing of `channel` (bulk, so a sale meanwhile still goes first), in one
/// transaction. What the channel last acknowledged is forgotten for listings not already
/// queued: a full re-push overwrites whatever the channel holds, so it pushes without compare.
/// Audited as `channel.repush` with the number of listings marked.
pub fn repush_channel(store: &Store, by: By<'_>, channel: &str) -> Result<RepushMark> {
    let tx = immediate(&store.conn)?;
    tx.execute(
        "UPDATE listings SET acked_qty = NULL
         WHERE channel = ?1 AND NOT EXISTS (SELECT 1 FROM outbox WHERE outbox.listing_id = listings.id)",
        [channel],
    )?;
    let ids = requeue_channel(&tx, channel)?;
    // A channel with no listings has nothing to re-push: no change, no entry.
    if !ids.is_empty() {
        record(&tx, by, "channel.repush", channel, &serde_json::json!({ "listings": ids.len() }))?;
    }
    tx.commit()?;
    Ok(RepushMark { listings: ids.len(), last_listing: ids.last().copied() })
}

/// Adds or replaces checked mappings in one transaction, all or nothing, each listing queued
/// for a bulk push. `on_error` turns the failure of the mapping at an index into the caller's
/// error (a remote id already mapped elsewhere fails with SQLite's UNIQUE constraint). One
/// `channel.map` entry names how many mappings and the first few SKUs.
pub fn upsert_mappings<E: From<StoreError>>(
    store: &Store,
    by: By<'_>,
    channel: &str,
    mappings: &[Mapping],
    on_error: impl Fn(usize, StoreError) -> E,
) -> std::result::Result<Vec<i64>, E> {
    let tx = immediate(&store.conn).map_err(crate::StoreError::from)?;
    let mut ids = Vec::with_capacity(mappings.len());
    for (index, mapping) in mappings.iter().enumerate() {
        ids.push(upsert_mapping(&tx, channel, mapping).map_err(|e| on_error(index, e))?);
    }
    let skus: Vec<&str> = mappings.iter().take(MAPPINGS_NAMED).map(|m| m.sku.as_str()).collect();
    record(
        &tx,
        by,
        "channel.map",
        channel,
        &serde_json::json!({ "mappings": mappings.len(), "skus": skus }),
    )?;
    tx.commit().map_err(StoreError::from)?;
    Ok(ids)
}

/// SKUs a `channel.map` entry names: enough to recognise a one-off mapping, while an import of
/// 200,000 rows stays a short entry.
const MAPPINGS_NAMED: usize = 10;

/// Adds or replaces one mapping and queues the listing's first push.
fn upsert_mapping(conn: &Connection, channel: &str, mapping: &Mapping) -> Result<i64> {
    let existing: Option<(i64, String, Option<String>)> = conn
        .query_row(
            "SELECT id, remote_item, remote_location FROM listings
             WHERE channel = ?1 AND sku = ?2 AND ifnull(location, '') = ifnull(?3, '')",
            params![channel, mapping.sku, mapping.location],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let id = match existing {
        Some((id, item, location)) if item == mapping.remote_item && location == mapping.remote_location => {
            id
        }
        Some((id, _, _)) => {
            // A different remote listing: what we knew of the old one says nothing of this one.
            conn.execute(
                "UPDATE listings SET remote_item = ?2, remote_location = ?3, acked_qty = NULL WHERE id = ?1",
                params![id, mapping.remote_item, mapping.remote_location],
            )?;
            id
        }
        None => {
            conn.execute(
                "INSERT INTO listings (channel, sku, location, remote_item, remote_location) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![channel, mapping.sku, mapping.location, mapping.remote_item, mapping.remote_location],
            )?;
            conn.last_insert_rowid()
        }
    };
    // Mappings come by the catalogue (an import is the first sync or a full re-push): bulk.
    requeue_bulk_in(conn, id, &now())?;
    Ok(id)
}

/// Every channel's name, in name order: what alert evaluation walks, inside its transaction
/// (hence a [`Db`]; [`list_channels`] reads whole records on the store).
pub fn channel_names(db: &impl Db) -> Result<Vec<String>> {
    Ok(db
        .conn()
        .prepare("SELECT name FROM channels ORDER BY name")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}

/// The channel's allocation rule as the allocation reads it (the default when none is set):
/// what reconciliation's bulk expectations use. [`rule`] is the rule as the settings show it
/// (with the conflict policy and the rule locations).
pub fn allocation_rule(db: &impl Db, channel: &str) -> Result<AllocationRule> {
    Ok(db
        .conn()
        .query_row("SELECT percent, buffer, cap FROM allocation_rules WHERE channel = ?1", [channel], |r| {
            Ok(AllocationRule { percent: r.get(0)?, buffer: r.get(1)?, cap: r.get(2)? })
        })
        .optional()?
        .unwrap_or_default())
}
