//! What the benchmark scenarios measure a run by: totals over the whole catalogue, and when a
//! channel acknowledged a listing's version. Read-only.

use rusqlite::OptionalExtension;

use crate::{Result, Store};

/// A listing's id and its current version (bumped by every requeue).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListingVersion {
    pub id: i64,
    pub version: i64,
}

impl Store {
    /// Sum of ATP over every (SKU, location), as the ledger believes it (`stock_atp`).
    pub fn total_atp(&self) -> Result<i64> {
        Ok(self.conn.query_row("SELECT ifnull(sum(atp), 0) FROM stock_atp", [], |r| r.get(0))?)
    }

    /// Units booked as sold (committed) over every (SKU, location).
    pub fn total_committed(&self) -> Result<i64> {
        Ok(self.conn.query_row("SELECT ifnull(sum(committed), 0) FROM balances", [], |r| r.get(0))?)
    }

    /// How many of `channel`'s listings the channel has acknowledged at least once.
    pub fn acknowledged_listing_count(&self, channel: &str) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM listings WHERE channel = ?1 AND acked_version >= 1",
            [channel],
            |r| r.get(0),
        )?)
    }

    /// The listing of `sku` on `channel` and its version; None when it is not listed there.
    pub fn listing_version(&self, channel: &str, sku: &str) -> Result<Option<ListingVersion>> {
        Ok(self
            .conn
            .prepare_cached("SELECT id, version FROM listings WHERE channel = ?1 AND sku = ?2")?
            .query_row([channel, sku], |r| Ok(ListingVersion { id: r.get(0)?, version: r.get(1)? }))
            .optional()?)
    }

    /// When the channel first acknowledged `listing` at `version` or later (the push log's
    /// time); None while it has not.
    pub fn first_acknowledged_at(&self, listing: i64, version: i64) -> Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT min(acked_at) FROM pushes WHERE listing_id = ?1 AND version >= ?2")?
            .query_row([listing, version], |r| r.get(0))?)
    }
}
