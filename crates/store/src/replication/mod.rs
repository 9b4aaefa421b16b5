//! Hub replication state kept on the workstation: cursors, applied master rows, the queue of
//! events waiting to reach the hub.
//!
//! The hub crate speaks PostgreSQL to the hub and calls these for everything on the
//! workstation's own SQLite file, so replication works offline and the hub crate holds no
//! SQLite. Tables owned here: `hub_config` (the link and its watermarks), `hub_inbound` (local
//! seqs that came from the hub), `hub_refused`, `hub_master_outbox`, `hub_master_versions`,
//! `hub_applying` (the trigger guard) and `hub_discrepancies`.
//!
//! Each operation that writes is one `BEGIN IMMEDIATE` transaction; applying a pulled batch
//! writes the ledger, the replication cursors and the audit entries in that one transaction.

pub mod config;
pub mod discrepancies;
pub mod events;
pub mod fence;
pub mod master;

// The hub's replication loop holds the store behind a mutex and never nests these.
use crate::connection::immediate;
