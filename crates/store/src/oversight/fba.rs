//! `fba_levels`: Amazon's own warehouse stock per (channel, seller SKU), reported beside ATP.

use rusqlite::params;
use serde::Serialize;

use super::{Db, immediate};
use crate::Result;

/// A stored FBA level.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FbaLevel {
    pub channel: String,
    pub seller_sku: String,
    pub total: i64,
    pub fulfillable: Option<i64>,
    pub read_at: String,
}

/// One summary of a read: (seller SKU, total, fulfillable).
pub type FbaRead<'a> = (&'a str, i64, Option<i64>);

/// Replaces the channel's stored levels with this read, in one transaction.
pub fn replace(db: &impl Db, channel: &str, reads: &[FbaRead<'_>], read_at: &str) -> Result<()> {
    let tx = immediate(db.conn())?;
    tx.execute("DELETE FROM fba_levels WHERE channel = ?1", [channel])?;
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO fba_levels (channel, seller_sku, total, fulfillable, read_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (channel, seller_sku) DO UPDATE SET total = excluded.total,
                 fulfillable = excluded.fulfillable, read_at = excluded.read_at",
        )?;
        for (seller_sku, total, fulfillable) in reads {
            insert.execute(params![channel, seller_sku, total, fulfillable, read_at])?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// The stored levels of one channel (or all), by channel and SKU; at most `limit`.
pub fn levels(db: &impl Db, channel: Option<&str>, limit: i64) -> Result<Vec<FbaLevel>> {
    Ok(db
        .conn()
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
