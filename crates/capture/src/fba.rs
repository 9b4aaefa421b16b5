//! Amazon FBA stock: `getInventorySummaries` for every seller SKU listed on an Amazon channel,
//! kept per (channel, SKU) in `fba_levels`. The service reads it every 3 hours (the guide's
//! "every 2-4 h"); the units are Amazon's to sell from its own warehouses, so they are reported
//! beside our ATP, never booked into our ledger.

use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};
use serde::Serialize;
use shelfsync_channels::ChannelKind;
use shelfsync_channels::amazon::{FBA_MAX_SKUS, FbaSummary};
use shelfsync_store::Store;
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
        let skus = listed_skus(store.connection(), &channel.name)?;
        let mut summaries = Vec::new();
        for chunk in skus.chunks(FBA_MAX_SKUS) {
            summaries.extend(client.fba_summaries(chunk).await?);
        }
        store_levels(store.connection(), &channel.name, &summaries, at)?;
        reports.push(FbaReport {
            channel: channel.name.clone(),
            asked: skus.len(),
            summaries: summaries.len(),
        });
    }
    Ok(reports)
}

/// The channel's seller SKUs (an Amazon listing's remote item is its seller SKU).
fn listed_skus(conn: &Connection, channel: &str) -> Result<Vec<String>> {
    Ok(conn
        .prepare_cached("SELECT DISTINCT remote_item FROM listings WHERE channel = ?1 ORDER BY remote_item")?
        .query_map([channel], |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}

/// Replaces the channel's stored levels with this read, in one transaction: a SKU Amazon no
/// longer reports has no FBA stock now.
pub fn store_levels(
    conn: &Connection,
    channel: &str,
    summaries: &[FbaSummary],
    at: DateTime<Utc>,
) -> Result<()> {
    let read_at = shelfsync_sync::queue::stamp(at);
    let tx = crate::orders::immediate(conn)?;
    tx.execute("DELETE FROM fba_levels WHERE channel = ?1", [channel])?;
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO fba_levels (channel, seller_sku, total, fulfillable, read_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (channel, seller_sku) DO UPDATE SET total = excluded.total,
                 fulfillable = excluded.fulfillable, read_at = excluded.read_at",
        )?;
        for s in summaries.iter().filter(|s| !s.seller_sku.is_empty()) {
            insert.execute(params![channel, s.seller_sku, s.total, s.fulfillable, read_at])?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// A stored FBA level.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FbaLevel {
    pub channel: String,
    pub seller_sku: String,
    pub total: i64,
    pub fulfillable: Option<i64>,
    pub read_at: String,
}

/// The stored levels of one channel (or all), by channel and SKU; at most `limit` (capped at
/// 100,000, the largest catalogue the benchmarks cover).
pub fn levels(conn: &Connection, channel: Option<&str>, limit: usize) -> Result<Vec<FbaLevel>> {
    let limit = limit.clamp(1, 100_000) as i64;
    Ok(conn
        .prepare_cached(
            "SELECT channel, seller_sku, total, fulfillable, read_at FROM fba_levels
             WHERE ?1 IS NULL OR channel = ?1 ORDER BY channel, seller_sku LIMIT ?2",
        )?
        .query_map(params![channel, limit], |r| {
            Ok(FbaLevel {
                channel: r.get(0)?,
                seller_sku: r.get(1)?,
                total: r.get(2)?,
                fulfillable: r.get(3)?,
                read_at: r.get(4)?,
            })
        })?
        .collect::<Result<_, _>>()?)
}
