//! Connecting a channel without typing its ids: the connection test (saved channels and
//! unsaved credentials, so a form can test before saving) and linking listings by SKU.
//!
//! Linking reads the channel's catalogue through its client (Shopify inventory items and
//! locations, Amazon's listings of the seller, eBay inventory items and their offers), matches
//! it against our items with the pure [`match_skus`], and, when asked to apply, writes the
//! matched mappings through [`config::map_many`] in one transaction, which queues each listing
//! for the usual bulk push. Without `apply` nothing is written.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use shelfsync_channels::amazon::{AmazonClient, AmazonConfig};
use shelfsync_channels::ebay::{EbayClient, EbayConfig};
use shelfsync_channels::shopify::{ShopifyClient, ShopifyConfig};
use shelfsync_channels::{ChannelKind, Timeouts};
use shelfsync_store::Store;
use shelfsync_store::channels::listings;
use thiserror::Error;

pub use shelfsync_channels::{Catalogue, CatalogueEntry, Connected, ConnectionFailure, RemoteLocation};

use crate::config::{
    self, ChannelRecord, EBAY_CLIENT_ID, EBAY_CLIENT_SECRET, EBAY_REFRESH_TOKEN, LWA_CLIENT_ID,
    LWA_CLIENT_SECRET, LWA_REFRESH_TOKEN, Mapping, NewChannel, SHOPIFY_TOKEN,
};
use crate::credentials::{Secret, Secrets};
use crate::engine::AnyClient;
use crate::{Result, SyncError};

/// Why a test or a link failed: something local (an unknown channel, a missing secret, a bad
/// flag, the database), or what the channel answered, in words.
#[derive(Debug, Error)]
pub enum LinkError {
    #[error(transparent)]
    Local(#[from] SyncError),
    #[error(transparent)]
    Channel(#[from] ConnectionFailure),
}

impl From<shelfsync_store::StoreError> for LinkError {
    fn from(error: shelfsync_store::StoreError) -> Self {
        LinkError::Local(error.into())
    }
}

/// A client for `record` with secrets from `secret` (the store, or an unsaved form). Pacing
/// is each channel's documented default: a test or a link makes few calls.
fn client_with(
    record: &ChannelRecord,
    secret: &dyn Fn(&str) -> Result<String>,
    timeouts: Timeouts,
) -> Result<AnyClient> {
    Ok(match ChannelKind::parse(&record.kind) {
        Some(ChannelKind::Shopify) => AnyClient::Shopify(ShopifyClient::new(ShopifyConfig {
            endpoint: record.endpoint.clone(),
            access_token: secret(SHOPIFY_TOKEN)?,
            timeouts,
            shop: record.shop.clone(),
        })?),
        Some(ChannelKind::Amazon) => {
            let mut config = AmazonConfig::new(
                &record.endpoint,
                record.seller_id.as_deref().unwrap_or_default(),
                record.marketplace_id.as_deref().unwrap_or_default(),
                &secret(LWA_CLIENT_ID)?,
                &secret(LWA_CLIENT_SECRET)?,
                &secret(LWA_REFRESH_TOKEN)?,
            );
            config.auth_endpoint = record.auth_endpoint.clone();
            config.timeouts = timeouts;
            AnyClient::Amazon(AmazonClient::new(config)?)
        }
        Some(ChannelKind::Ebay) => {
            let mut config = EbayConfig::new(
                &record.endpoint,
                &secret(EBAY_CLIENT_ID)?,
                &secret(EBAY_CLIENT_SECRET)?,
                &secret(EBAY_REFRESH_TOKEN)?,
            );
            config.auth_endpoint = record.auth_endpoint.clone();
            config.timeouts = timeouts;
            AnyClient::Ebay(EbayClient::new(config)?)
        }
        None => return Err(SyncError::UnsupportedKind(record.kind.clone())),
    })
}

/// The client of a saved channel, from its stored secrets.
pub fn saved_client(record: &ChannelRecord, secrets: &Secrets, timeouts: Timeouts) -> Result<AnyClient> {
    let lookup = |name: &str| -> Result<String> {
        Ok(secrets
            .get(&record.name, name)?
            .ok_or_else(|| SyncError::Credentials(format!("no {name} stored for channel '{}'", record.name)))?
            .expose()
            .to_string())
    };
    client_with(record, &lookup, timeouts)
}

/// One authenticated call (two for Amazon and eBay: the token, then a cheap read).
pub async fn test_client(client: &AnyClient) -> std::result::Result<Connected, ConnectionFailure> {
    match client {
        AnyClient::Shopify(c) => c.test_connection().await,
        AnyClient::Amazon(c) => c.test_connection().await,
        AnyClient::Ebay(c) => c.test_connection().await,
    }
}

/// Tests a saved channel with its stored secrets.
pub async fn test_channel(
    record: &ChannelRecord,
    secrets: &Secrets,
    timeouts: Timeouts,
) -> std::result::Result<Connected, LinkError> {
    let client = saved_client(record, secrets, timeouts)?;
    Ok(test_client(&client).await?)
}

/// Tests credentials before they are saved (the app's "Test connection" on the add form):
/// the same checks as `channel add`, then the same call as [`test_channel`]. Nothing is
/// written anywhere.
pub async fn test_unsaved(
    new: &NewChannel,
    auth_endpoint: Option<&str>,
    keys: &[(&str, Secret)],
    timeouts: Timeouts,
) -> std::result::Result<Connected, LinkError> {
    let (shop, seller_id, marketplace_id) = config::check_new_channel(new, auth_endpoint, keys)?;
    let record = ChannelRecord {
        name: new.name.clone(),
        kind: new.kind.as_str().to_string(),
        endpoint: new.endpoint.clone(),
        auth_endpoint: auth_endpoint.map(str::to_string),
        shop,
        seller_id,
        marketplace_id,
        created_at: String::new(),
        rule: config::RuleRecord {
            locations: vec![],
            percent: 100,
            buffer: 0,
            cap: None,
            conflict: "central".into(),
        },
        listings: 0,
    };
    let lookup = |name: &str| -> Result<String> {
        keys.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, s)| s.expose().to_string())
            .ok_or_else(|| SyncError::Credentials(format!("missing secret '{name}'")))
    };
    let client = client_with(&record, &lookup, timeouts)?;
    Ok(test_client(&client).await?)
}

/// [`test_channel`] on a runtime of its own, for the CLI.
pub fn test_channel_blocking(
    record: &ChannelRecord,
    secrets: &Secrets,
    timeouts: Timeouts,
) -> std::result::Result<Connected, LinkError> {
    runtime()?.block_on(test_channel(record, secrets, timeouts))
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread().enable_all().build()?)
}

/// Reads the channel's whole catalogue.
pub async fn read_catalogue(client: &AnyClient) -> std::result::Result<Catalogue, ConnectionFailure> {
    match client {
        AnyClient::Shopify(c) => c.catalogue().await,
        AnyClient::Amazon(c) => c.catalogue().await,
        AnyClient::Ebay(c) => c.catalogue().await,
    }
}

/// One of our SKUs matched to the channel's item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LinkMatch {
    pub sku: String,
    /// The SKU as the channel holds it.
    pub remote_sku: String,
    /// Shopify: InventoryItem GID. Amazon: seller SKU. eBay: SKU.
    pub remote_item: String,
    /// Shopify: the Location GID. eBay: the offer id (None: looked up at push time).
    pub remote_location: Option<String>,
    /// False when the SKUs matched only case-insensitively or after trimming.
    pub exact: bool,
}

/// SKUs that could be one of several items (or items that could be one of several SKUs).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Ambiguous {
    /// The SKU, trimmed and lower-cased.
    pub key: String,
    pub ours: Vec<String>,
    pub theirs: Vec<CatalogueEntry>,
}

/// One of our SKUs that already has a listing on this channel (left as it is).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AlreadyMapped {
    pub sku: String,
    pub remote_item: String,
    pub remote_location: Option<String>,
}

/// What matching found. Every one of our SKUs and every item of theirs is in exactly one list
/// (an item already used by a listing appears in none).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LinkPlan {
    pub matched: Vec<LinkMatch>,
    pub ambiguous: Vec<Ambiguous>,
    pub unmatched_ours: Vec<String>,
    pub unmatched_theirs: Vec<CatalogueEntry>,
    pub already_mapped: Vec<AlreadyMapped>,
}

fn key(sku: &str) -> String {
    sku.trim().to_lowercase()
}

/// Matches our SKUs to the channel's catalogue: exact SKUs first; then, among what is left,
/// SKUs equal once trimmed and lower-cased (a match when one of ours meets one of theirs,
/// ambiguous when either side has more than one). Our SKUs in `mapped` (sku -> their listing)
/// are reported as already mapped; their items in `taken` (already some listing's) are skipped.
pub fn match_skus(
    ours: &[String],
    theirs: &[CatalogueEntry],
    mapped: &BTreeMap<String, (String, Option<String>)>,
    taken: &HashSet<String>,
) -> LinkPlan {
    let mut plan = LinkPlan::default();
    let mut ours: Vec<&String> = ours.iter().collect();
    ours.sort();
    ours.dedup();
    let mut open_ours: Vec<&String> = Vec::new();
    for sku in ours {
        match mapped.get(sku.as_str()) {
            Some((item, location)) => plan.already_mapped.push(AlreadyMapped {
                sku: sku.clone(),
                remote_item: item.clone(),
                remote_location: location.clone(),
            }),
            None => open_ours.push(sku),
        }
    }
    let mut open_theirs: Vec<&CatalogueEntry> = Vec::new();
    for entry in theirs.iter().filter(|e| !taken.contains(&e.item)) {
        if entry.sku.trim().is_empty() {
            plan.unmatched_theirs.push(entry.clone());
        } else {
            open_theirs.push(entry);
        }
    }
    // Exact SKUs.
    let mut exact: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, entry) in open_theirs.iter().enumerate() {
        exact.entry(entry.sku.as_str()).or_default().push(i);
    }
    let mut used = vec![false; open_theirs.len()];
    let mut left_ours = Vec::new();
    for sku in open_ours {
        match exact.get(sku.as_str()).map(Vec::as_slice) {
            Some([one]) => {
                used[*one] = true;
                plan.matched.push(LinkMatch {
                    sku: sku.clone(),
                    remote_sku: open_theirs[*one].sku.clone(),
                    remote_item: open_theirs[*one].item.clone(),
                    remote_location: None,
                    exact: true,
                });
            }
            Some(several) if !several.is_empty() => {
                several.iter().for_each(|&i| used[i] = true);
                plan.ambiguous.push(Ambiguous {
                    key: key(sku),
                    ours: vec![sku.clone()],
                    theirs: several.iter().map(|&i| open_theirs[i].clone()).collect(),
                });
            }
            _ => left_ours.push(sku),
        }
    }
    // Trimmed, case-insensitive, among what is left.
    let mut groups: BTreeMap<String, (Vec<&String>, Vec<&CatalogueEntry>)> = BTreeMap::new();
    for sku in left_ours {
        groups.entry(key(sku)).or_default().0.push(sku);
    }
    for (_, entry) in open_theirs.iter().enumerate().filter(|(i, _)| !used[*i]) {
        groups.entry(key(&entry.sku)).or_default().1.push(entry);
    }
    for (key, (ours, theirs)) in groups {
        match (ours.as_slice(), theirs.as_slice()) {
            ([], _) => plan.unmatched_theirs.extend(theirs.into_iter().cloned()),
            (_, []) => plan.unmatched_ours.extend(ours.into_iter().cloned()),
            ([sku], [entry]) => plan.matched.push(LinkMatch {
                sku: (*sku).clone(),
                remote_sku: entry.sku.clone(),
                remote_item: entry.item.clone(),
                remote_location: None,
                exact: false,
            }),
            _ => plan.ambiguous.push(Ambiguous {
                key,
                ours: ours.into_iter().cloned().collect(),
                theirs: theirs.into_iter().cloned().collect(),
            }),
        }
    }
    plan.matched.sort_by(|a, b| a.sku.cmp(&b.sku));
    plan.ambiguous.sort_by(|a, b| a.key.cmp(&b.key));
    plan.unmatched_ours.sort();
    plan.unmatched_theirs.sort_by(|a, b| (&a.sku, &a.item).cmp(&(&b.sku, &b.item)));
    plan
}

/// Where a Shopify link puts its listings: our location and the shop's.
#[derive(Clone, Debug, Default)]
pub struct LinkOptions {
    /// Our location feeding the listings (Shopify; default: our only location).
    pub location: Option<String>,
    /// The shop's location GID (Shopify; default: the shop's only location).
    pub remote_location: Option<String>,
    /// Write the matched mappings (otherwise report only).
    pub apply: bool,
}

/// What `channel link` found and did.
#[derive(Clone, Debug, Serialize)]
pub struct LinkReport {
    pub channel: String,
    pub kind: String,
    /// True when the matched mappings were written (and queued for a push).
    pub applied: bool,
    pub location: Option<String>,
    pub remote_location: Option<RemoteLocation>,
    /// Catalogue entries read, and in how many pages.
    pub remote_items: usize,
    pub pages: usize,
    #[serde(flatten)]
    pub plan: LinkPlan,
    /// Listing ids written by `--apply`.
    pub listings: Vec<i64>,
}

/// Our location for a Shopify link: the one named, or our only one.
fn choose_location(store: &Store, wanted: Option<&str>) -> Result<String> {
    let ours = listings::location_codes(store)?;
    match wanted {
        Some(code) if ours.iter().any(|c| c == code) => Ok(code.to_string()),
        Some(code) => Err(SyncError::Invalid(format!(
            "unknown location '{code}': ours are {}",
            if ours.is_empty() { "none".into() } else { ours.join(", ") }
        ))),
        None => match ours.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(SyncError::Invalid("no locations yet: import locations first".into())),
            several => Err(SyncError::Invalid(format!(
                "we have {} locations: choose the one feeding this shop with --location ({})",
                several.len(),
                several.join(", ")
            ))),
        },
    }
}

/// The shop's location for a Shopify link: the one named, or the shop's only one.
fn choose_remote_location(locations: &[RemoteLocation], wanted: Option<&str>) -> Result<RemoteLocation> {
    let listed = || locations.iter().map(|l| format!("{} ({})", l.id, l.name)).collect::<Vec<_>>().join(", ");
    match wanted {
        Some(id) => locations.iter().find(|l| l.id == id).cloned().ok_or_else(|| {
            SyncError::Invalid(format!("the shop has no location '{id}'; its locations: {}", listed()))
        }),
        None => match locations {
            [one] => Ok(one.clone()),
            [] => Err(SyncError::Invalid("the shop reports no locations".into())),
            several => Err(SyncError::Invalid(format!(
                "the shop has {} locations: choose one with --remote-location ({})",
                several.len(),
                listed()
            ))),
        },
    }
}

/// Our SKUs, and this channel's listings (at `location`, for Shopify) as (sku -> remote ids)
/// and the remote items they use (at `remote_location`, for Shopify).
#[allow(clippy::type_complexity)]
fn ours_and_mapped(
    store: &Store,
    channel: &str,
    location: Option<&str>,
    remote_location: Option<&str>,
) -> Result<(Vec<String>, BTreeMap<String, (String, Option<String>)>, HashSet<String>)> {
    let ours = listings::skus(store)?;
    let mut mapped = BTreeMap::new();
    let mut taken = HashSet::new();
    for row in listings::of_channel(store, channel)? {
        let (sku, at, item, remote_at) = (row.sku, row.location, row.remote_item, row.remote_location);
        if location.is_none() || at.as_deref() == location {
            mapped.insert(sku, (item.clone(), remote_at.clone()));
        }
        if remote_location.is_none() || remote_at.as_deref() == remote_location {
            taken.insert(item);
        }
    }
    Ok((ours, mapped, taken))
}

/// Plans a link from a catalogue already read: chooses the locations (Shopify) and matches.
/// Reads the database only.
pub fn plan_link(
    store: &Store,
    record: &ChannelRecord,
    catalogue: &Catalogue,
    options: &LinkOptions,
) -> Result<LinkReport> {
    let kind =
        ChannelKind::parse(&record.kind).ok_or_else(|| SyncError::UnsupportedKind(record.kind.clone()))?;
    let (location, remote_location) = if kind == ChannelKind::Shopify {
        let location = choose_location(store, options.location.as_deref())?;
        let remote = choose_remote_location(&catalogue.locations, options.remote_location.as_deref())?;
        (Some(location), Some(remote))
    } else {
        if options.location.is_some() || options.remote_location.is_some() {
            return Err(SyncError::Invalid(format!(
                "--location and --remote-location are for shopify channels; {} listings have no location",
                kind.as_str()
            )));
        }
        (None, None)
    };
    let remote_id = remote_location.as_ref().map(|l| l.id.clone());
    let (ours, mapped, taken) =
        ours_and_mapped(store, &record.name, location.as_deref(), remote_id.as_deref())?;
    let mut plan = match_skus(&ours, &catalogue.entries, &mapped, &taken);
    if kind == ChannelKind::Shopify {
        for m in &mut plan.matched {
            m.remote_location = remote_id.clone();
        }
    }
    Ok(LinkReport {
        channel: record.name.clone(),
        kind: record.kind.clone(),
        applied: false,
        location,
        remote_location,
        remote_items: catalogue.entries.len(),
        pages: catalogue.pages,
        plan,
        listings: vec![],
    })
}

/// eBay: each matched SKU's published offer id (`getOffers`), so the push need not look it
/// up. An id that is not digits (not eBay's form) is left for the push to look up.
pub async fn resolve_offers(
    client: &AnyClient,
    report: &mut LinkReport,
) -> std::result::Result<(), ConnectionFailure> {
    let AnyClient::Ebay(ebay) = client else { return Ok(()) };
    for m in &mut report.plan.matched {
        m.remote_location = ebay
            .offer_id(&m.remote_item)
            .await?
            .filter(|id| !id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit()));
    }
    Ok(())
}

/// Writes a plan's matched mappings in one transaction (each queued for a bulk push).
pub fn apply_link(store: &Store, by: shelfsync_store::By<'_>, report: &mut LinkReport) -> Result<()> {
    let mappings: Vec<Mapping> = report
        .plan
        .matched
        .iter()
        .map(|m| Mapping {
            sku: m.sku.clone(),
            location: report.location.clone(),
            remote_item: m.remote_item.clone(),
            remote_location: m.remote_location.clone(),
        })
        .collect();
    report.listings = config::map_many(store, by, &report.channel, &mappings)?;
    report.applied = true;
    Ok(())
}

/// `channel link`: read the catalogue, match, and with `options.apply` write the matches.
/// Nothing is written unless everything before succeeded; what is written is audited as `by`'s
/// `channel.map`.
pub fn link_blocking(
    store: &Store,
    by: shelfsync_store::By<'_>,
    channel: &str,
    secrets: &Secrets,
    options: &LinkOptions,
    timeouts: Timeouts,
) -> std::result::Result<LinkReport, LinkError> {
    let record = config::channel(store, channel)?;
    let client = saved_client(&record, secrets, timeouts)?;
    let runtime = runtime()?;
    let catalogue = runtime.block_on(read_catalogue(&client))?;
    let mut report = plan_link(store, &record, &catalogue, options)?;
    runtime.block_on(resolve_offers(&client, &mut report))?;
    if options.apply {
        apply_link(store, by, &mut report)?;
    }
    Ok(report)
}

#[cfg(test)]
mod tests;
