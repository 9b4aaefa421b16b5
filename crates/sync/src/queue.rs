//! The worker's side of the outbox: forming attempt groups (urgent rows before bulk ones),
//! acknowledging them, failing them with backoff, dead-lettering, and recording what a stale
//! compare-and-set or a read before a push found.
//!
//! The operations live in the store (`shelfsync_store::channels::queue`), which owns the
//! tables; each is one short `BEGIN IMMEDIATE` transaction, so the ledger's appends
//! interleave. This module is their name in the engine's vocabulary, and turns the store's
//! listing ids into the channels crate's [`RemoteListing`].

use shelfsync_channels::RemoteListing;
pub use shelfsync_store::channels::listings::RemoteIds;
pub use shelfsync_store::channels::queue::*;

/// The channel client's form of a listing's remote ids.
pub fn remote(ids: &RemoteIds) -> RemoteListing {
    RemoteListing { item: ids.item.clone(), location: ids.location.clone() }
}
