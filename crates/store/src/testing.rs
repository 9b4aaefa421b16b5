//! For other crates' tests only (feature `testing`): raw SQL to inject faults the typed
//! operations rightly refuse to make, such as a corrupted row or a back-dated lease.

pub use rusqlite;

use crate::Store;

/// The store's own connection, for fault injection in tests.
pub fn connection(store: &Store) -> &rusqlite::Connection {
    store.connection()
}
