//! Channel tables: the channel registry and credentials, SKU links, listings, the changes and
//! reads seen on channels, and the sync engine's lease and run records. The outbox itself is
//! [`crate::outbox`].
//!
//! - [`registry`]: `channels`, `allocation_rules`, `rule_locations`, `channel_metrics`' first
//!   row, and the `listings` mappings (with the bulk re-push they queue);
//! - [`listings`]: reads of `listings` for linking, explaining, and capture's order lines,
//!   sale locations, drift audits and FBA reads;
//! - [`changes`]: `channel_changes` (differences seen on a channel) and our belief of a
//!   listing's channel quantity as capture sets it;
//! - [`queue`]: the worker's side of the outbox (attempt groups, acknowledgements, failures,
//!   dead letters, read-backs, metrics);
//! - [`report`]: per-channel status, `explain`, the dead-letter queue and its replay;
//! - [`history`]: the push log the dashboard draws;
//! - [`lease`]: `sync_lease`, one engine per database;
//! - [`metrics`]: read-only figures of the engine's tables for alerts and incidents.

pub(crate) use crate::connection::immediate;

pub mod changes;
pub mod history;
pub mod lease;
pub mod listings;
pub mod metrics;
pub mod queue;
pub mod registry;
pub mod report;
