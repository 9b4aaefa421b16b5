//! Differences seen on a channel (`channel_changes`) that a booked sale accounts for, and our
//! belief of a listing's channel quantity (`listings.acked_qty`) as capture sets it from a
//! level update or a reconciliation read. The sync worker's own writes of these (a stale
//! compare-and-set, an acknowledgement) are in [`super::queue`]; the settlement that joins the
//! ledger's transaction (`take_booked_drop`, `resolve_all_channel_changes`) in
//! [`crate::outbox`].
//!
//! Every operation takes a [`Db`], so it runs standalone on the store or inside a caller's
//! [`crate::oversight::Tx`] (one order, one level update, one reconciliation fix = one
//! transaction).

use rusqlite::{OptionalExtension, params};

use crate::Result;
use crate::oversight::Db;

/// Sets our belief of the listing's quantity on its channel.
pub fn set_acked_qty(db: &impl Db, listing_id: i64, qty: i64) -> Result<()> {
    db.conn().execute("UPDATE listings SET acked_qty = ?2 WHERE id = ?1", params![listing_id, qty])?;
    Ok(())
}

/// Our belief of the listing's quantity on its channel; an unknown listing is an error.
pub fn acked_qty(db: &impl Db, listing_id: i64) -> Result<Option<i64>> {
    Ok(db.conn().query_row("SELECT acked_qty FROM listings WHERE id = ?1", [listing_id], |r| r.get(0))?)
}

/// Records a difference seen on the channel.
pub fn record_change(
    db: &impl Db,
    listing_id: i64,
    channel: &str,
    expected: i64,
    observed: i64,
    detected_at: &str,
) -> Result<()> {
    db.conn().execute(
        "INSERT INTO channel_changes (listing_id, channel, expected, observed, delta, detected_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![listing_id, channel, expected, observed, observed - expected, detected_at],
    )?;
    Ok(())
}

/// Resolves every open change of the listing at `stamp`.
pub fn resolve_open(db: &impl Db, listing_id: i64, stamp: &str) -> Result<()> {
    db.conn().execute(
        "UPDATE channel_changes SET resolved_at = ?2 WHERE listing_id = ?1 AND resolved_at IS NULL",
        params![listing_id, stamp],
    )?;
    Ok(())
}

/// The listing's open drops, oldest first: (change id, delta < 0).
pub fn open_drops(db: &impl Db, listing_id: i64) -> Result<Vec<(i64, i64)>> {
    Ok(db
        .conn()
        .prepare_cached(
            "SELECT id, delta FROM channel_changes WHERE listing_id = ?1 AND resolved_at IS NULL AND delta < 0 ORDER BY id",
        )?
        .query_map([listing_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?)
}

/// Resolves one change at `stamp`.
pub fn resolve_change(db: &impl Db, change_id: i64, stamp: &str) -> Result<()> {
    db.conn()
        .execute("UPDATE channel_changes SET resolved_at = ?2 WHERE id = ?1", params![change_id, stamp])?;
    Ok(())
}

/// What the channel showed at the listing's newest open change, if it has one.
pub fn newest_open_observed(db: &impl Db, listing_id: i64) -> Result<Option<i64>> {
    Ok(db
        .conn()
        .query_row(
            "SELECT observed FROM channel_changes WHERE listing_id = ?1 AND resolved_at IS NULL ORDER BY id DESC LIMIT 1",
            [listing_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// Listings of the channel with open changes.
pub fn listings_with_open_changes(db: &impl Db, channel: &str) -> Result<Vec<i64>> {
    Ok(db
        .conn()
        .prepare(
            "SELECT DISTINCT listing_id FROM channel_changes WHERE channel = ?1 AND resolved_at IS NULL",
        )?
        .query_map([channel], |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}

/// [`crate::outbox::resolve_all_channel_changes`] wherever `db` runs.
pub fn resolve_all(db: &impl Db, listing_id: i64) -> Result<()> {
    crate::outbox::resolve_all_channel_changes(db.conn(), listing_id)
}
