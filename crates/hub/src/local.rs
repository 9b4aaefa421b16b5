//! The workstation side of replication: the workstation's own store, held across the
//! replication loop's awaits. What waits to go up and applying what comes down are the store's
//! typed operations (`shelfsync_store::replication`), plain SQLite on the workstation's own
//! file, so replication works offline; this crate holds no SQLite.

use crate::Result;

/// The workstation's store, held across the replication loop's awaits: each synchronous step
/// locks it briefly (a connection is Send but not Sync), so the loop's future can run on any
/// runtime thread.
pub struct LocalStore(std::sync::Mutex<shelfsync_store::Store>);

impl LocalStore {
    pub fn open(path: &std::path::Path) -> Result<LocalStore> {
        Ok(LocalStore(std::sync::Mutex::new(shelfsync_store::Store::open(path)?)))
    }

    pub fn lock(&self) -> std::sync::MutexGuard<'_, shelfsync_store::Store> {
        // A panic mid-step leaves nothing half-done in SQLite (transactions roll back), so a
        // poisoned lock is safe to keep using.
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
