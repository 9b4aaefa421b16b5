//! What operators read: per-channel status, why a number is what it is, and the dead-letter
//! queue with its replay. The store reads and writes the rows
//! (`shelfsync_store::channels::report`); this module checks what was asked and says what was
//! wrong with it.

use serde::Serialize;
use serde_json::Value;
use shelfsync_store::Store;
use shelfsync_store::channels::listings;
use shelfsync_store::channels::report::{self as rows, Replay};

pub use shelfsync_store::channels::report::{ChannelStatus, DeadLetter, dead_letters, status};

use crate::config::require_channel;
use crate::{Result, SyncError};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Explanation {
    pub sku: String,
    pub channel: String,
    pub location: Option<String>,
    pub remote_item: String,
    pub remote_location: Option<String>,
    /// The allocation from the ledger as it is now.
    pub now: Value,
    /// What the channel last acknowledged (our belief of its quantity).
    pub channel_qty: Option<i64>,
    pub queued: Option<Value>,
    pub last_push: Option<Value>,
    pub open_channel_changes: i64,
}

pub fn explain(store: &Store, sku: &str, channel: &str) -> Result<Vec<Explanation>> {
    require_channel(store, channel)?;
    if !listings::sku_exists(store, sku)? {
        return Err(SyncError::Store(shelfsync_store::StoreError::UnknownSku(sku.to_string())));
    }
    let found = listings::of_sku_on_channel(store, channel, sku)?;
    if found.is_empty() {
        return Err(SyncError::NoListing { sku: sku.to_string(), channel: channel.to_string() });
    }
    found
        .into_iter()
        .map(|listing| {
            Ok(Explanation {
                sku: sku.to_string(),
                channel: channel.to_string(),
                location: listing.location,
                remote_item: listing.remote_item,
                remote_location: listing.remote_location,
                now: serde_json::to_value(store.allocation_for(listing.id)?).expect("serialises"),
                channel_qty: listing.acked_qty,
                queued: rows::queued(store, listing.id)?,
                last_push: rows::last_push(store, listing.id)?,
                open_channel_changes: rows::open_channel_changes(store, listing.id)?,
            })
        })
        .collect()
}

/// Replays one dead letter (or all open ones): the listing goes back in the outbox with the
/// quantity the ledger gives now (the dead value may be stale) and a fresh attempt count.
/// Returns how many were replayed.
/// Audited (`deadletter.retry`, by `by`) in the replay's transaction.
pub fn retry_dead_letters(store: &Store, by: shelfsync_store::By<'_>, id: Option<&str>) -> Result<usize> {
    let parsed = id
        .map(|raw| raw.parse::<i64>().map_err(|_| SyncError::UnknownDeadLetter(raw.to_string())))
        .transpose()?;
    match rows::retry_dead_letters(store, by, parsed)? {
        Replay::Replayed(count) => Ok(count),
        Replay::Unknown => Err(SyncError::UnknownDeadLetter(id.unwrap_or_default().to_string())),
        Replay::AlreadyResolved(resolution) => {
            Err(SyncError::DeadLetterResolved(parsed.unwrap_or_default(), resolution))
        }
    }
}
