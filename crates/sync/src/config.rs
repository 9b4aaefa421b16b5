//! Channels, their listings (mappings) and allocation rules. Every change that can move a
//! listing's quantity (a new mapping, a rule) re-queues the listings it touches in the same
//! transaction, so the channel hears about it like any ledger change.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use serde::Serialize;
use shelfsync_channels::ChannelKind;
use shelfsync_store::outbox::now;
use shelfsync_store::{AllocationRule, CsvLineError};

use crate::credentials::{Secret, Secrets};
use crate::{Result, SyncError};

/// Most mappings one import takes: above a large catalogue times a few locations, and a bound
/// on what one transaction holds.
pub const MAX_IMPORT_ROWS: usize = 200_000;

/// Longest remote id accepted (Shopify GIDs are ~40 characters).
const MAX_REMOTE_ID_LEN: usize = 200;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChannelRecord {
    pub name: String,
    pub kind: String,
    pub endpoint: String,
    /// Amazon and eBay: the OAuth token endpoint the user named (`--auth-endpoint`); `None`
    /// means the rule of [`shelfsync_channels::endpoint::token_url`].
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

/// What `channel add` needs. Secrets travel separately and never touch SQLite.
#[derive(Clone, Debug)]
pub struct NewChannel {
    pub name: String,
    pub kind: ChannelKind,
    pub endpoint: String,
    pub shop: Option<String>,
    pub seller_id: Option<String>,
    pub marketplace_id: Option<String>,
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

pub(crate) fn immediate(conn: &Connection) -> Result<Transaction<'_>> {
    Ok(Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?)
}

fn check_channel_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok { Ok(()) } else { Err(SyncError::InvalidChannelName(name.to_string())) }
}

fn check_endpoint(endpoint: &str) -> Result<()> {
    shelfsync_channels::endpoint::check_url(endpoint)
        .map(drop)
        .map_err(|why| SyncError::Invalid(format!("invalid endpoint '{endpoint}': {why}")))
}

/// `--auth-endpoint`: Amazon and eBay only, a clean http(s) URL.
pub fn check_auth_endpoint(kind: ChannelKind, auth_endpoint: Option<&str>) -> Result<()> {
    let Some(url) = auth_endpoint else { return Ok(()) };
    if kind == ChannelKind::Shopify {
        return Err(SyncError::Invalid(
            "--auth-endpoint is for amazon and ebay channels (Shopify's token is the access token itself)"
                .into(),
        ));
    }
    shelfsync_channels::endpoint::check_url(url)
        .map(drop)
        .map_err(|why| SyncError::Invalid(format!("invalid --auth-endpoint '{url}': {why}")))
}

fn check_shop(shop: Option<&str>) -> Result<String> {
    let shop = shop.ok_or_else(|| SyncError::Invalid("a shopify channel needs --shop DOMAIN".into()))?;
    let ok = shop.contains('.')
        && shop.len() <= 255
        && shop.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.'));
    if ok { Ok(shop.to_string()) } else { Err(SyncError::Invalid(format!("invalid shop domain '{shop}'"))) }
}

/// Amazon seller and marketplace ids: upper-case letters and digits (A2EUQ1WTGCTBG2,
/// ATVPDKIKX0DER).
fn check_amazon_id(value: Option<&str>, flag: &str) -> Result<String> {
    let value = value.ok_or_else(|| SyncError::Invalid(format!("an amazon channel needs {flag}")))?;
    let ok = !value.is_empty()
        && value.len() <= 32
        && value.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if ok {
        Ok(value.to_string())
    } else {
        Err(SyncError::Invalid(format!(
            "invalid {} '{value}': use upper-case letters and digits",
            flag.split(' ').next().unwrap_or(flag)
        )))
    }
}

/// The secrets a channel of this kind cannot work without.
pub fn required_secrets(kind: ChannelKind) -> &'static [&'static str] {
    match kind {
        ChannelKind::Shopify => &[SHOPIFY_TOKEN],
        ChannelKind::Amazon => &[LWA_CLIENT_ID, LWA_CLIENT_SECRET, LWA_REFRESH_TOKEN],
        ChannelKind::Ebay => &[EBAY_CLIENT_ID, EBAY_CLIENT_SECRET, EBAY_REFRESH_TOKEN],
    }
}

/// Adds a channel and stores its secrets. All or nothing: a secret that cannot be stored rolls
/// the channel back.
pub fn add_channel(
    conn: &Connection,
    secrets: &Secrets,
    new: &NewChannel,
    keys: &[(&str, Secret)],
) -> Result<()> {
    add_channel_with_auth(conn, secrets, new, None, keys)
}

/// [`add_channel`] with the OAuth token endpoint of an Amazon or eBay channel
/// (`--auth-endpoint`; `None`: the rule of [`shelfsync_channels::endpoint::token_url`]).
pub fn add_channel_with_auth(
    conn: &Connection,
    secrets: &Secrets,
    new: &NewChannel,
    auth_endpoint: Option<&str>,
    keys: &[(&str, Secret)],
) -> Result<()> {
    let checked = check_new_channel(new, auth_endpoint, keys)?;
    let (shop, seller_id, marketplace_id) = checked;
    let tx = immediate(conn)?;
    if channel_kind(&tx, &new.name)?.is_some() {
        return Err(SyncError::ChannelExists(new.name.clone()));
    }
    tx.execute(
        "INSERT INTO channels (name, kind, endpoint, auth_endpoint, shop, seller_id, marketplace_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![new.name, new.kind.as_str(), new.endpoint, auth_endpoint, shop, seller_id, marketplace_id, now()],
    )?;
    tx.execute("INSERT INTO allocation_rules (channel) VALUES (?1)", [&new.name])?;
    tx.execute("INSERT INTO channel_metrics (channel) VALUES (?1)", [&new.name])?;
    for (name, secret) in keys {
        secrets.set(&new.name, name, secret)?;
    }
    tx.commit()?;
    Ok(())
}

/// Everything `channel add` checks before it writes: name, URLs, ids per kind, secrets.
/// Returns the shop, seller id and marketplace id to store.
#[allow(clippy::type_complexity)]
pub fn check_new_channel(
    new: &NewChannel,
    auth_endpoint: Option<&str>,
    keys: &[(&str, Secret)],
) -> Result<(Option<String>, Option<String>, Option<String>)> {
    check_channel_name(&new.name)?;
    check_endpoint(&new.endpoint)?;
    check_auth_endpoint(new.kind, auth_endpoint)?;
    let (shop, seller_id, marketplace_id) = match new.kind {
        ChannelKind::Shopify => (Some(check_shop(new.shop.as_deref())?), None, None),
        ChannelKind::Amazon => {
            let seller = check_amazon_id(new.seller_id.as_deref(), "--seller-id ID")?;
            let marketplace = check_amazon_id(new.marketplace_id.as_deref(), "--marketplace ID")?;
            (None, Some(seller), Some(marketplace))
        }
        ChannelKind::Ebay => (None, None, None),
    };
    if new.kind != ChannelKind::Shopify && new.shop.is_some() {
        return Err(SyncError::Invalid(format!("--shop is for shopify channels, not {}", new.kind.as_str())));
    }
    if new.kind != ChannelKind::Amazon && (new.seller_id.is_some() || new.marketplace_id.is_some()) {
        return Err(SyncError::Invalid(format!(
            "--seller-id and --marketplace are for amazon channels, not {}",
            new.kind.as_str()
        )));
    }
    for name in required_secrets(new.kind) {
        if !keys.iter().any(|(k, _)| k == name) {
            return Err(SyncError::Credentials(format!(
                "missing secret '{name}' for a {} channel",
                new.kind.as_str()
            )));
        }
    }
    Ok((shop, seller_id, marketplace_id))
}

pub fn channel_kind(conn: &Connection, name: &str) -> Result<Option<ChannelKind>> {
    let kind: Option<String> =
        conn.query_row("SELECT kind FROM channels WHERE name = ?1", [name], |r| r.get(0)).optional()?;
    Ok(kind.and_then(|k| ChannelKind::parse(&k)))
}

pub fn require_channel(conn: &Connection, name: &str) -> Result<ChannelKind> {
    channel_kind(conn, name)?.ok_or_else(|| SyncError::UnknownChannel(name.to_string()))
}

pub fn list_channels(conn: &Connection) -> Result<Vec<ChannelRecord>> {
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
        let rule = rule(conn, &name)?;
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

pub fn rule(conn: &Connection, channel: &str) -> Result<RuleRecord> {
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

fn validate_rule(conn: &Connection, change: &RuleChange) -> Result<()> {
    if let Some(percent) = change.percent
        && !(0..=100).contains(&percent)
    {
        return Err(SyncError::Invalid(format!("--percent must be 0 to 100, got {percent}")));
    }
    // A million units is the ledger's largest single movement; more buffer than that is a typo.
    for (flag, value) in [("--buffer", change.buffer), ("--cap", change.cap.flatten())] {
        if let Some(value) = value
            && !(0..=1_000_000).contains(&value)
        {
            return Err(SyncError::Invalid(format!("{flag} must be 0 to 1000000, got {value}")));
        }
    }
    if let Some(conflict) = &change.conflict
        && !["central", "channel", "flag"].contains(&conflict.as_str())
    {
        return Err(SyncError::Invalid(format!(
            "--conflict must be central, channel or flag, got '{conflict}'"
        )));
    }
    for location in change.locations.iter().flatten() {
        let known: Option<i64> =
            conn.query_row("SELECT 1 FROM locations WHERE code = ?1", [location], |r| r.get(0)).optional()?;
        if known.is_none() {
            return Err(SyncError::Store(shelfsync_store::StoreError::UnknownLocation(location.clone())));
        }
    }
    Ok(())
}

/// Changes a channel's rule and re-queues every listing of the channel whose quantity moves.
pub fn set_rule(conn: &Connection, channel: &str, change: &RuleChange) -> Result<RuleRecord> {
    require_channel(conn, channel)?;
    validate_rule(conn, change)?;
    let tx = immediate(conn)?;
    let current = rule(&tx, channel)?;
    let rule = AllocationRule {
        percent: change.percent.map_or(current.percent, |p| p as u8),
        buffer: change.buffer.unwrap_or(current.buffer),
        cap: change.cap.unwrap_or(current.cap),
    };
    let conflict = change.conflict.clone().unwrap_or(current.conflict);
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
    let updated = self::rule(&tx, channel)?;
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
        crate::queue::requeue_bulk(conn, *id, &since)?;
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
pub fn repush_channel(conn: &Connection, channel: &str) -> Result<RepushMark> {
    let tx = immediate(conn)?;
    tx.execute(
        "UPDATE listings SET acked_qty = NULL
         WHERE channel = ?1 AND NOT EXISTS (SELECT 1 FROM outbox WHERE outbox.listing_id = listings.id)",
        [channel],
    )?;
    let ids = requeue_channel(&tx, channel)?;
    tx.commit()?;
    Ok(RepushMark { listings: ids.len(), last_listing: ids.last().copied() })
}

fn check_gid(value: &str, kind: &str) -> std::result::Result<(), String> {
    let prefix = format!("gid://shopify/{kind}/");
    let ok = value
        .strip_prefix(&prefix)
        .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()));
    if ok { Ok(()) } else { Err(format!("'{value}' is not a {kind} GID ({prefix}N)")) }
}

fn check_mapping(conn: &Connection, kind: ChannelKind, mapping: &Mapping) -> std::result::Result<(), String> {
    let sku_known: Option<i64> = conn
        .query_row("SELECT 1 FROM items WHERE sku = ?1", [&mapping.sku], |r| r.get(0))
        .optional()
        .map_err(|e| e.to_string())?;
    if sku_known.is_none() {
        return Err(format!("unknown SKU '{}'", mapping.sku));
    }
    if let Some(location) = &mapping.location {
        let known: Option<i64> = conn
            .query_row("SELECT 1 FROM locations WHERE code = ?1", [location], |r| r.get(0))
            .optional()
            .map_err(|e| e.to_string())?;
        if known.is_none() {
            return Err(format!("unknown location '{location}'"));
        }
    }
    if mapping.remote_item.len() > MAX_REMOTE_ID_LEN
        || mapping.remote_location.as_ref().is_some_and(|l| l.len() > MAX_REMOTE_ID_LEN)
    {
        return Err(format!("ids longer than {MAX_REMOTE_ID_LEN} characters"));
    }
    match kind {
        ChannelKind::Shopify => {
            if mapping.location.is_none() {
                return Err("a shopify mapping needs a location".into());
            }
            check_gid(&mapping.remote_item, "InventoryItem")?;
            check_gid(mapping.remote_location.as_deref().unwrap_or_default(), "Location")
        }
        ChannelKind::Amazon => {
            if mapping.location.is_some() || mapping.remote_location.is_some() {
                return Err("an amazon mapping has no location".into());
            }
            check_remote_sku(&mapping.remote_item, "seller_sku", AMAZON_MAX_SKU)
        }
        ChannelKind::Ebay => {
            if mapping.location.is_some() {
                return Err("an ebay mapping has no location".into());
            }
            check_remote_sku(&mapping.remote_item, "sku", EBAY_MAX_SKU)?;
            match mapping.remote_location.as_deref() {
                Some(offer)
                    if offer.is_empty() || offer.len() > 20 || !offer.bytes().all(|b| b.is_ascii_digit()) =>
                {
                    Err(format!("offer_id '{offer}' must be digits (or empty, to look it up by SKU)"))
                }
                _ => Ok(()),
            }
        }
    }
}

/// Amazon seller SKUs are at most 40 characters; eBay SKUs at most 50.
const AMAZON_MAX_SKU: usize = 40;
const EBAY_MAX_SKU: usize = 50;

fn check_remote_sku(value: &str, what: &str, max: usize) -> std::result::Result<(), String> {
    if value.is_empty()
        || value.chars().count() > max
        || value.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        return Err(format!("{what} '{value}' must be 1 to {max} characters without spaces"));
    }
    Ok(())
}

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
    crate::queue::requeue_bulk(conn, id, &now())?;
    Ok(id)
}

/// One channel's record, or [`SyncError::UnknownChannel`].
pub fn channel(conn: &Connection, name: &str) -> Result<ChannelRecord> {
    list_channels(conn)?
        .into_iter()
        .find(|c| c.name == name)
        .ok_or_else(|| SyncError::UnknownChannel(name.to_string()))
}

/// Several mappings in one transaction, all or nothing (`channel link --apply`): every one is
/// checked first, as `map_one` checks it; each listing is queued for a bulk push.
pub fn map_many(conn: &Connection, channel: &str, mappings: &[Mapping]) -> Result<Vec<i64>> {
    let kind = require_channel(conn, channel)?;
    if mappings.len() > MAX_IMPORT_ROWS {
        return Err(SyncError::Invalid(format!("more than {MAX_IMPORT_ROWS} mappings at once")));
    }
    for mapping in mappings {
        check_mapping(conn, kind, mapping)
            .map_err(|why| SyncError::Invalid(format!("SKU {}: {why}", mapping.sku)))?;
    }
    let tx = immediate(conn)?;
    let mut ids = Vec::with_capacity(mappings.len());
    for mapping in mappings {
        ids.push(upsert_mapping(&tx, channel, mapping).map_err(|e| duplicate_remote(e, mapping))?);
    }
    tx.commit()?;
    Ok(ids)
}

/// One mapping (`channel map`).
pub fn map_one(conn: &Connection, channel: &str, mapping: &Mapping) -> Result<i64> {
    let kind = require_channel(conn, channel)?;
    check_mapping(conn, kind, mapping).map_err(SyncError::Invalid)?;
    let tx = immediate(conn)?;
    let id = upsert_mapping(&tx, channel, mapping).map_err(|e| duplicate_remote(e, mapping))?;
    tx.commit()?;
    Ok(id)
}

fn duplicate_remote(error: SyncError, mapping: &Mapping) -> SyncError {
    let text = error.to_string();
    if text.contains("UNIQUE") {
        return SyncError::Invalid(format!(
            "{} {} is already mapped to another SKU or location",
            mapping.remote_item,
            mapping.remote_location.as_deref().unwrap_or("")
        ));
    }
    error
}

/// Imports mappings from CSV, all or nothing: every bad line is reported, and then nothing is
/// imported. Shopify header: `sku,location,inventory_item_id,location_id`.
pub fn import_mappings(conn: &Connection, channel: &str, path: &Path) -> Result<usize> {
    let kind = require_channel(conn, channel)?;
    let mappings = read_mappings_csv(path, kind)?;
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (line, mapping) in &mappings {
        let key = (mapping.remote_item.clone(), mapping.remote_location.clone());
        if let Err(message) = check_mapping(conn, kind, mapping) {
            errors.push(CsvLineError { line: *line, message });
        } else if !seen.insert(key) {
            errors.push(CsvLineError {
                line: *line,
                message: format!("{} appears twice", mapping.remote_item),
            });
        }
    }
    if !errors.is_empty() {
        return Err(SyncError::Csv(errors));
    }
    let tx = immediate(conn)?;
    for (line, mapping) in &mappings {
        upsert_mapping(&tx, channel, mapping).map_err(|e| match duplicate_remote(e, mapping) {
            SyncError::Invalid(message) => SyncError::Csv(vec![CsvLineError { line: *line, message }]),
            other => other,
        })?;
    }
    tx.commit()?;
    Ok(mappings.len())
}

fn read_mappings_csv(path: &Path, kind: ChannelKind) -> Result<Vec<(u64, Mapping)>> {
    let expected: &[&str] = match kind {
        ChannelKind::Shopify => &["sku", "location", "inventory_item_id", "location_id"],
        ChannelKind::Amazon => &["sku", "seller_sku"],
        ChannelKind::Ebay => &["sku", "offer_id"],
    };
    let file =
        std::fs::File::open(path).map_err(|e| SyncError::CsvFormat(format!("{}: {e}", path.display())))?;
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(file);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| SyncError::CsvFormat(e.to_string()))?
        .iter()
        .map(str::to_string)
        .collect();
    if header != expected {
        return Err(SyncError::CsvFormat(format!(
            "header must be {}, got {}",
            expected.join(","),
            header.join(",")
        )));
    }
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| SyncError::CsvFormat(e.to_string()))?;
        let line = record.position().map_or(0, |p| p.line());
        if out.len() >= MAX_IMPORT_ROWS {
            return Err(SyncError::CsvFormat(format!("more than {MAX_IMPORT_ROWS} rows; split the file")));
        }
        let field = |i: usize| record.get(i).unwrap_or_default().to_string();
        let mapping = match kind {
            ChannelKind::Shopify => Mapping {
                sku: field(0),
                location: Some(field(1)).filter(|s| !s.is_empty()),
                remote_item: field(2),
                remote_location: Some(field(3)).filter(|s| !s.is_empty()),
            },
            ChannelKind::Amazon => {
                Mapping { sku: field(0), location: None, remote_item: field(1), remote_location: None }
            }
            // eBay's SKU is ours; the offer id may be empty (looked up by SKU at push time).
            ChannelKind::Ebay => Mapping {
                sku: field(0),
                location: None,
                remote_item: field(0),
                remote_location: Some(field(1)).filter(|s| !s.is_empty()),
            },
        };
        out.push((line, mapping));
    }
    if out.is_empty() {
        return Err(SyncError::CsvFormat("no mappings in the file".into()));
    }
    Ok(out)
}

/// The channel's secret names, as `channel add` stores them.
pub const SHOPIFY_TOKEN: &str = "access_token";
pub const SHOPIFY_WEBHOOK_SECRET: &str = "webhook_secret";
pub const LWA_CLIENT_ID: &str = "lwa_client_id";
pub const LWA_CLIENT_SECRET: &str = "lwa_client_secret";
pub const LWA_REFRESH_TOKEN: &str = "lwa_refresh_token";
pub const EBAY_CLIENT_ID: &str = "ebay_client_id";
pub const EBAY_CLIENT_SECRET: &str = "ebay_client_secret";
pub const EBAY_REFRESH_TOKEN: &str = "ebay_refresh_token";
