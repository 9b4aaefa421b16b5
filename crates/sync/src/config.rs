//! Channels, their listings (mappings) and allocation rules. Every change that can move a
//! listing's quantity (a new mapping, a rule) re-queues the listings it touches in the same
//! transaction, so the channel hears about it like any ledger change.
//!
//! This module checks what a person typed (names, URLs, ids per channel kind, rule bounds,
//! mapping formats, CSV); the store writes what passed
//! (`shelfsync_store::channels::registry`), in the same transactions as before.

use std::path::Path;

use shelfsync_channels::ChannelKind;
use shelfsync_store::channels::{listings, registry};
use shelfsync_store::{By, CsvLineError, Store};

pub use shelfsync_store::channels::registry::{ChannelRecord, Mapping, RepushMark, RuleChange, RuleRecord};

use crate::credentials::{Secret, Secrets};
use crate::{Result, SyncError};

/// Most mappings one import takes: above a large catalogue times a few locations, and a bound
/// on what one transaction holds.
pub const MAX_IMPORT_ROWS: usize = 200_000;

/// Longest remote id accepted (Shopify GIDs are ~40 characters).
const MAX_REMOTE_ID_LEN: usize = 200;

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
/// the channel back. `by` is who adds it (its `channel.add` audit entry).
pub fn add_channel(
    store: &Store,
    by: By<'_>,
    secrets: &Secrets,
    new: &NewChannel,
    keys: &[(&str, Secret)],
) -> Result<()> {
    add_channel_with_auth(store, by, secrets, new, None, keys)
}

/// [`add_channel`] with the OAuth token endpoint of an Amazon or eBay channel
/// (`--auth-endpoint`; `None`: the rule of [`shelfsync_channels::endpoint::token_url`]).
pub fn add_channel_with_auth(
    store: &Store,
    by: By<'_>,
    secrets: &Secrets,
    new: &NewChannel,
    auth_endpoint: Option<&str>,
    keys: &[(&str, Secret)],
) -> Result<()> {
    let checked = check_new_channel(new, auth_endpoint, keys)?;
    let (shop, seller_id, marketplace_id) = checked;
    let row = registry::NewChannelRow {
        name: &new.name,
        kind: new.kind.as_str(),
        endpoint: &new.endpoint,
        auth_endpoint,
        shop: shop.as_deref(),
        seller_id: seller_id.as_deref(),
        marketplace_id: marketplace_id.as_deref(),
    };
    let added = registry::add_channel(store, by, &row, || {
        for (name, secret) in keys {
            secrets.set(&new.name, name, secret)?;
        }
        Ok::<_, SyncError>(())
    })?;
    match added {
        registry::ChannelAdded::Added => Ok(()),
        registry::ChannelAdded::AlreadyExists => Err(SyncError::ChannelExists(new.name.clone())),
    }
}

/// Replaces the secrets of an existing channel (`hub credentials`): each one named must be one
/// the channel's kind uses. The `channel.credentials` entry (names only) and the secrets land
/// together: a secret that cannot be stored leaves no entry.
pub fn change_credentials(
    store: &Store,
    by: By<'_>,
    secrets: &Secrets,
    channel: &str,
    keys: &[(&str, Secret)],
) -> Result<()> {
    let kind = require_channel(store, channel)?;
    let needed = required_secrets(kind);
    if keys.is_empty() {
        return Err(SyncError::Credentials(format!("no secret given for channel '{channel}'")));
    }
    if let Some((name, _)) = keys.iter().find(|(name, _)| !needed.contains(name)) {
        return Err(SyncError::Credentials(format!("a {} channel has no secret '{name}'", kind.as_str())));
    }
    let names: Vec<&str> = keys.iter().map(|(name, _)| *name).collect();
    registry::change_credentials(store, by, channel, &names, || {
        for (name, secret) in keys {
            secrets.set(channel, name, secret)?;
        }
        Ok::<_, SyncError>(())
    })
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

pub fn channel_kind(store: &Store, name: &str) -> Result<Option<ChannelKind>> {
    Ok(registry::channel_kind(store, name)?.and_then(|k| ChannelKind::parse(&k)))
}

pub fn require_channel(store: &Store, name: &str) -> Result<ChannelKind> {
    channel_kind(store, name)?.ok_or_else(|| SyncError::UnknownChannel(name.to_string()))
}

pub fn list_channels(store: &Store) -> Result<Vec<ChannelRecord>> {
    Ok(registry::list_channels(store)?)
}

pub fn rule(store: &Store, channel: &str) -> Result<RuleRecord> {
    Ok(registry::rule(store, channel)?)
}

fn validate_rule(store: &Store, change: &RuleChange) -> Result<()> {
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
        if !store.location_exists(location)? {
            return Err(SyncError::Store(shelfsync_store::StoreError::UnknownLocation(location.clone())));
        }
    }
    Ok(())
}

/// Changes a channel's rule and re-queues every listing of the channel whose quantity moves;
/// audited (`channel.rule`, before and after) in the same transaction.
pub fn set_rule(store: &Store, by: By<'_>, channel: &str, change: &RuleChange) -> Result<RuleRecord> {
    require_channel(store, channel)?;
    validate_rule(store, change)?;
    Ok(registry::set_rule(store, by, channel, change)?)
}

/// Re-push of every listing of `channel` (bulk, so a sale meanwhile still goes first), in one
/// transaction; see [`registry::repush_channel`].
pub fn repush_channel(store: &Store, by: By<'_>, channel: &str) -> Result<RepushMark> {
    require_channel(store, channel)?;
    Ok(registry::repush_channel(store, by, channel)?)
}

fn check_gid(value: &str, kind: &str) -> std::result::Result<(), String> {
    let prefix = format!("gid://shopify/{kind}/");
    let ok = value
        .strip_prefix(&prefix)
        .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()));
    if ok { Ok(()) } else { Err(format!("'{value}' is not a {kind} GID ({prefix}N)")) }
}

fn check_mapping(store: &Store, kind: ChannelKind, mapping: &Mapping) -> std::result::Result<(), String> {
    if !listings::sku_exists(store, &mapping.sku).map_err(|e| e.to_string())? {
        return Err(format!("unknown SKU '{}'", mapping.sku));
    }
    if let Some(location) = &mapping.location
        && !store.location_exists(location).map_err(|e| e.to_string())?
    {
        return Err(format!("unknown location '{location}'"));
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

/// One channel's record, or [`SyncError::UnknownChannel`].
pub fn channel(store: &Store, name: &str) -> Result<ChannelRecord> {
    list_channels(store)?
        .into_iter()
        .find(|c| c.name == name)
        .ok_or_else(|| SyncError::UnknownChannel(name.to_string()))
}

/// Several mappings in one transaction, all or nothing (`channel link --apply`): every one is
/// checked first, as `map_one` checks it; each listing is queued for a bulk push.
pub fn map_many(store: &Store, by: By<'_>, channel: &str, mappings: &[Mapping]) -> Result<Vec<i64>> {
    let kind = require_channel(store, channel)?;
    if mappings.len() > MAX_IMPORT_ROWS {
        return Err(SyncError::Invalid(format!("more than {MAX_IMPORT_ROWS} mappings at once")));
    }
    for mapping in mappings {
        check_mapping(store, kind, mapping)
            .map_err(|why| SyncError::Invalid(format!("SKU {}: {why}", mapping.sku)))?;
    }
    registry::upsert_mappings(store, by, channel, mappings, |i, e| duplicate_remote(e.into(), &mappings[i]))
}

/// One mapping (`channel map`).
pub fn map_one(store: &Store, by: By<'_>, channel: &str, mapping: &Mapping) -> Result<i64> {
    let kind = require_channel(store, channel)?;
    check_mapping(store, kind, mapping).map_err(SyncError::Invalid)?;
    let ids = registry::upsert_mappings(store, by, channel, std::slice::from_ref(mapping), |_, e| {
        duplicate_remote(e.into(), mapping)
    })?;
    Ok(ids[0])
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
pub fn import_mappings(store: &Store, by: By<'_>, channel: &str, path: &Path) -> Result<usize> {
    let kind = require_channel(store, channel)?;
    let mappings = read_mappings_csv(path, kind)?;
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (line, mapping) in &mappings {
        let key = (mapping.remote_item.clone(), mapping.remote_location.clone());
        if let Err(message) = check_mapping(store, kind, mapping) {
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
    let lines: Vec<u64> = mappings.iter().map(|(line, _)| *line).collect();
    let mappings: Vec<Mapping> = mappings.into_iter().map(|(_, mapping)| mapping).collect();
    registry::upsert_mappings(store, by, channel, &mappings, |i, e| {
        match duplicate_remote(e.into(), &mappings[i]) {
            SyncError::Invalid(message) => SyncError::Csv(vec![CsvLineError { line: lines[i], message }]),
            other => other,
        }
    })?;
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
