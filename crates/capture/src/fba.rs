//! Amazon FBA stock: `getInventorySummaries` for every seller SKU listed on an Amazon channel,
//! kept per (channel, SKU) in `fba_levels`. The service reads it every 3 hours (the guide's
//! "every 2-4 h"); the units are Amazon's to sell from its own warehouses, so they are reported
//! beside our ATP, never booked into our ledger.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;
use shelfsync_channels::ChannelKind;
use shelfsync_channels::amazon::{FBA_MAX_SKUS, FbaSummary};
use shelfsync_store::Store;
use shelfsync_store::channels::listings;
use shelfsync_store::oversight::{Db, fba as stored};
use shelfsync_sync::credentials::Secrets;
use shelfsync_sync::engine::AnyClient;

use crate::{Result, poll};

/// What one read did, per Amazon channel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FbaReport {
    pub channel: String,
    /// Seller SKUs asked about.
    pub asked: usize,
    /// Summaries Amazon returned (SKUs it holds no FBA stock of are left out by Amazon).
    pub summaries: usize,
}

/// Reads every Amazon channel's FBA summaries, 50 SKUs a call (the API's maximum) through the
/// client's own 2-requests/s bucket, and stores them, one transaction per channel.
pub async fn refresh(db_path: &Path, secrets: &Secrets, at: DateTime<Utc>) -> Result<Vec<FbaReport>> {
    let store = Store::open(db_path)?;
    let mut reports = Vec::new();
    for channel in poll::select_channels(&store, None)? {
        if ChannelKind::parse(&channel.kind) != Some(ChannelKind::Amazon) {
            continue;
        }
        let AnyClient::Amazon(client) = poll::client(db_path, secrets, &channel)? else { continue };
        let skus = listings::listed_skus(&store, &channel.name)?;
        let mut summaries = Vec::new();
        for chunk in skus.chunks(FBA_MAX_SKUS) {
            summaries.extend(client.fba_summaries(chunk).await?);
        }
        store_levels(&store, &channel.name, &summaries, at)?;
        reports.push(FbaReport {
            channel: channel.name.clone(),
            asked: skus.len(),
            summaries: summaries.len(),
        });
    }
    Ok(reports)
}

/// Replaces the channel's stored levels with this read, in one transaction: a SKU Amazon no
/// longer reports has no FBA stock now.
pub fn store_levels(db: &impl Db, channel: &str, summaries: &[FbaSummary], at: DateTime<Utc>) -> Result<()> {
    let read_at = shelfsync_sync::queue::stamp(at);
    let reads: Vec<stored::FbaRead<'_>> = summaries
        .iter()
        .filter(|s| !s.seller_sku.is_empty())
        .map(|s| (s.seller_sku.as_str(), s.total, s.fulfillable))
        .collect();
    stored::replace(db, channel, &reads, &read_at)?;
    Ok(())
}

pub use shelfsync_store::oversight::fba::FbaLevel;

/// The stored levels of one channel (or all), by channel and SKU; at most `limit` (capped at
/// 100,000, the largest catalogue the benchmarks cover).
pub fn levels(db: &impl Db, channel: Option<&str>, limit: usize) -> Result<Vec<FbaLevel>> {
    let limit = limit.clamp(1, 100_000) as i64;
    Ok(stored::levels(db, channel, limit)?)
}
