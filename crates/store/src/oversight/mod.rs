//! Oversight tables: alerts, incidents, reconciliation runs, drift history, notifications, and
//! what capture has taken in (webhook inbox, marketplace orders seen, poll cursors).
//!
//! Capture keeps its rules (which condition fires, how an order books, what a gap is); these
//! modules own the SQL. Where capture joins one of its writes to others in one transaction (an
//! order's sales, its capture row and its incidents), it opens a [`Tx`] with
//! [`Store::immediate_tx`] and passes it to the operations, which take any [`Db`]: the store
//! itself or an open transaction.
//!
//! The channel tables (listings, channel changes, the outbox, dead letters, allocation rules)
//! are [`crate::channels`]' and [`crate::outbox`]'s; capture calls those directly, passing the
//! same [`Db`] (they take one where capture runs them inside its transactions). A few reads
//! here still join or count the engine's tables for a figure that only oversight needs (alert
//! conditions, reconciliation's expectations).

use std::ops::Deref;

use rusqlite::{Connection, Transaction};

use crate::connection::immediate;

use crate::{Result, Store};

pub mod alerts;
pub mod business_hours;
pub mod drift;
pub mod fba;
pub mod incidents;
pub mod notifications;
pub mod orders_seen;
pub mod poll_cursors;
pub mod reconcile;
pub mod scorecard;
pub mod service_jobs;
pub mod smtp;
pub mod webhook_inbox;

/// Where an operation runs: the store's connection, or a transaction the caller holds open so
/// several operations commit (or roll back) together. Sealed: only the store gives out the
/// connection underneath.
pub trait Db: sealed::Sealed {}

pub(crate) mod sealed {
    /// The connection an operation runs on. Not nameable outside the store, so other crates
    /// can pass a [`super::Db`] but not reach the SQL connection through it.
    pub trait Sealed {
        fn conn(&self) -> &rusqlite::Connection;
    }
}

use sealed::Sealed;

impl Sealed for Store {
    fn conn(&self) -> &Connection {
        self.connection()
    }
}
impl Db for Store {}

impl Sealed for Tx<'_> {
    fn conn(&self) -> &Connection {
        &self.0
    }
}
impl Db for Tx<'_> {}

/// A `BEGIN IMMEDIATE` transaction: it takes the write lock when it starts, so a writer never
/// fails halfway on a lock upgrade. Dropped without [`Tx::commit`], it rolls back.
pub struct Tx<'a>(Transaction<'a>);

impl Store {
    /// Opens an immediate write transaction on the store's connection.
    pub fn immediate_tx(&self) -> Result<Tx<'_>> {
        Ok(Tx(immediate(self.connection())?))
    }
}

/// Opens an immediate write transaction where `db` runs (not inside another transaction:
/// SQLite does not nest them).
pub fn begin(db: &impl Db) -> Result<Tx<'_>> {
    Ok(Tx(immediate(db.conn())?))
}

impl Tx<'_> {
    pub fn commit(self) -> Result<()> {
        Ok(self.0.commit()?)
    }
}

/// The ledger's own joinable operations (`append_in`, the outbox's) take the transaction itself.
impl<'a> Deref for Tx<'a> {
    type Target = Transaction<'a>;
    fn deref(&self) -> &Transaction<'a> {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("t.db")).unwrap();
        (dir, store)
    }

    #[test]
    fn a_transaction_commits_all_or_rolls_back_all() {
        let (_dir, store) = store();
        let tx = store.immediate_tx().unwrap();
        alerts::set_threshold(&tx, crate::By::new("ada", "ws"), "failures", 7.0).unwrap();
        alerts::set_threshold(&tx, crate::By::new("ada", "ws"), "latency", 9.0).unwrap();
        drop(tx);
        assert_eq!(alerts::stored_threshold(&store, "failures").unwrap(), None, "dropped: rolled back");
        assert_eq!(alerts::stored_threshold(&store, "latency").unwrap(), None, "dropped: rolled back");

        let tx = begin(&store).unwrap();
        alerts::set_threshold(&tx, crate::By::new("ada", "ws"), "failures", 7.0).unwrap();
        alerts::set_threshold(&tx, crate::By::new("ada", "ws"), "latency", 9.0).unwrap();
        tx.commit().unwrap();
        assert_eq!(alerts::stored_threshold(&store, "failures").unwrap(), Some(7.0));
        assert_eq!(alerts::stored_threshold(&store, "latency").unwrap(), Some(9.0));
    }

    #[test]
    fn a_transaction_does_not_nest() {
        let (_dir, store) = store();
        let tx = store.immediate_tx().unwrap();
        assert!(
            begin(&tx).is_err(),
            "SQLite has no nested BEGIN; an op that opens its own must not run inside one"
        );
    }
}
