//! Reads before an urgent absolute push (Amazon, eBay): what the channel holds, compared with
//! our belief, recorded the way a stale compare-and-set is on Shopify.

use rusqlite::{OptionalExtension, params};

use crate::channels::immediate;
use crate::outbox;
use crate::{Result, Store};

/// What a read before an urgent absolute push found on one listing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadFinding {
    /// Nothing new: the channel holds what we believed (or more, or we had no belief).
    Unchanged,
    /// A drop the ledger already explains (this channel's own sales, booked first): settled
    /// at once, nothing held back.
    Booked(i64),
    /// A drop the ledger does not explain: an unseen sale, kept out of every channel's listing
    /// of the item until its order is booked or reconciliation calls it an edit. `booked` is
    /// the part of the drop that was already booked.
    Unseen { units: i64, booked: i64 },
    /// The channel does not know the listing (the push will say so).
    Missing,
}

/// Records what a read before an urgent absolute push (Amazon, eBay) found for one listing,
/// in one transaction, the same way a stale compare-and-set is recorded on Shopify:
/// - the base is our belief of the channel's quantity; while an accepted push awaits its
///   read-back the channel may still hold the value before it, so the base is the lower of the
///   two (only a drop below both is certainly sales);
/// - the part of a drop that is this channel's own booked sales is settled at once
///   ([`outbox::take_booked_drop`]); the rest is an unseen sale, recorded so it lowers every
///   channel's listing of the item;
/// - a raise is not a sale: what it is (a seller's edit, a restock) is reconciliation's call,
///   and the push sets ours, as it always did;
/// - a read asked at or before our last acknowledgement (`asked_at`, a [`super::stamp`]) shows the
///   channel before that push applied: it is no news, neither a drop nor a belief. This
///   happens when the worker that read waited for the write lock while another engine's worker
///   pushed and acknowledged (a crashed engine's task runs on until its next await);
/// - the belief becomes what the channel holds, so the next read does not count the same drop.
pub fn record_read(
    store: &Store,
    channel: &str,
    listing_id: i64,
    observed: Option<i64>,
    asked_at: &str,
) -> Result<ReadFinding> {
    let conn = &store.conn;
    let Some(observed) = observed else { return Ok(ReadFinding::Missing) };
    let tx = immediate(conn)?;
    let (believed, acked_at): (Option<i64>, Option<String>) = tx
        .prepare_cached("SELECT acked_qty, acked_at FROM listings WHERE id = ?1")?
        .query_row([listing_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((None, None));
    if acked_at.as_deref().is_some_and(|acked| acked >= asked_at) {
        return Ok(ReadFinding::Unchanged);
    }
    // An accepted push awaiting its read-back: the value it replaced is the compare value that
    // push went out with (`pushes.change_from` of its version); unknown, the drop is unknowable.
    let pending: Option<(i64, Option<i64>)> = tx
        .prepare_cached(
            "SELECT u.qty, (SELECT p.change_from FROM pushes p WHERE p.listing_id = u.listing_id AND p.version = u.version
                            ORDER BY p.id DESC LIMIT 1)
             FROM unconfirmed_pushes u WHERE u.listing_id = ?1 AND u.due_at IS NOT NULL",
        )?
        .query_row([listing_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let base = match (believed, pending) {
        (None, _) | (Some(_), Some((_, None))) => None,
        (Some(b), None) => Some(b),
        (Some(b), Some((accepted, Some(prior)))) => Some(b.min(accepted).min(prior)),
    };
    let finding = match base {
        Some(base) if observed < base => {
            let drop = base - observed;
            let booked = outbox::take_booked_drop(&tx, listing_id, drop)?;
            if booked < drop {
                outbox::record_channel_change(&tx, listing_id, channel, base - booked, observed)?;
                ReadFinding::Unseen { units: drop - booked, booked }
            } else {
                ReadFinding::Booked(booked)
            }
        }
        _ => ReadFinding::Unchanged,
    };
    tx.prepare_cached("UPDATE listings SET acked_qty = ?2 WHERE id = ?1")?
        .execute(params![listing_id, observed])?;
    tx.commit()?;
    Ok(finding)
}
