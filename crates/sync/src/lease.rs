//! One sync engine per database: a lease row with an expiry. The holder renews it well before
//! it expires; another engine waits, and takes over once the holder has stopped renewing (it
//! died, or lost its disk). Two engines pushing at once would each be right and together wrong:
//! their versions and idempotency keys would interleave. The row is the store's
//! (`shelfsync_store::channels::lease`); the engine decides when to take, renew and give it up.

pub use shelfsync_store::channels::lease::{Lease, acquire, holder, release};
