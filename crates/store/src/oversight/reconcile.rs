//! `reconcile_runs` and `reconcile_reads`, and what reconciliation reads of other tables for its
//! figures (the ledger's last sequence number, orders naming unmapped listings). Queued and
//! dead-lettered pushes, which class a gap, are [`crate::channels::queue`]'s reads; the bulk
//! expected-quantity inputs per listing (feeding ATP, open adjustments, safety stocks, listings
//! booked since a sequence number) are [`crate::channels::listings`]'.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, params};

use super::{Db, immediate};
use crate::Result;

/// The newest ledger sequence number (0 on an empty ledger).
pub fn last_event_seq(db: &impl Db) -> Result<i64> {
    Ok(db.conn().query_row("SELECT ifnull(max(seq), 0) FROM events", [], |r| r.get(0))?)
}

/// Stores one run's report (`report` is its JSON).
pub fn store_run(db: &impl Db, channel: &str, at: &str, checked: i64, gaps: i64, report: &str) -> Result<()> {
    db.conn().execute(
        "INSERT INTO reconcile_runs (channel, at, checked, gaps, report) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![channel, at, checked, gaps, report],
    )?;
    Ok(())
}

/// The channel's newest run: (at, checked, gaps).
pub fn last_run(db: &impl Db, channel: &str) -> Result<Option<(String, i64, i64)>> {
    Ok(db
        .conn()
        .query_row(
            "SELECT at, checked, gaps FROM reconcile_runs WHERE channel = ?1 ORDER BY id DESC LIMIT 1",
            [channel],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?)
}

/// The read kept per listing of the channel (a listing read as missing has `None`).
pub fn previous_reads(db: &impl Db, channel: &str) -> Result<HashMap<i64, Option<i64>>> {
    Ok(db
        .conn()
        .prepare(
            "SELECT r.listing_id, r.qty FROM reconcile_reads r JOIN listings l ON l.id = r.listing_id WHERE l.channel = ?1",
        )?
        .query_map([channel], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?)
}

/// Keeps these reads (listing id, quantity) in one transaction.
pub fn remember_reads(
    db: &impl Db,
    reads: impl Iterator<Item = (i64, Option<i64>)>,
    stamp: &str,
) -> Result<()> {
    let tx = immediate(db.conn())?;
    {
        let mut upsert = tx.prepare_cached(
            "INSERT INTO reconcile_reads (listing_id, qty, read_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (listing_id) DO UPDATE SET qty = excluded.qty, read_at = excluded.read_at",
        )?;
        for (id, qty) in reads {
            upsert.execute(params![id, qty, stamp])?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// Items orders named on the channel that no listing maps, with the units they sold:
/// (remote item, remote location, quantity), by item.
pub fn unmapped(db: &impl Db, channel: &str) -> Result<Vec<(String, Option<String>, i64)>> {
    Ok(db
        .conn()
        .prepare(
            "SELECT remote_item, remote_location, sum(quantity) FROM unmapped_lines u
             WHERE channel = ?1 AND NOT EXISTS (SELECT 1 FROM listings l WHERE l.channel = u.channel
                 AND l.remote_item = u.remote_item AND (u.remote_location IS NULL OR l.remote_location = u.remote_location))
             GROUP BY 1, 2 ORDER BY 1",
        )?
        .query_map([channel], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?)
}
