//! ShelfSync's sync engine: every ledger change becomes a channel update that is never lost,
//! never stale, and never faster than the channel allows.
//!
//! Flow: the ledger's append marks listings dirty in the outbox (store crate, same
//! transaction) -> one [`worker::Worker`] per channel drains the outbox urgent rows first (a
//! ledger event's, before a re-push's), oldest-dirty first within each, in attempt groups (one idempotency key each) -> the channel client ([`shelfsync_channels`])
//! answers -> the group is acknowledged (push history, latency), retried with full-jitter
//! backoff, or dead-lettered.
//!
//! Architecture invariants:
//! - an attempt group's key is only ever sent with the same variables; a group whose outcome
//!   is unknown is resent unchanged until it resolves, so no change applies twice and no older
//!   version lands after a newer one;
//! - nothing is dropped: every row ends acknowledged or in the dead-letter queue, and
//!   offline time burns at most `offline_attempt_bound` attempts;
//! - one engine per database (the lease);
//! - no Tauri, no secrets in SQLite or logs.

pub mod backoff;
pub mod config;
pub mod credentials;
pub mod engine;
mod error;
pub mod history;
pub mod lease;
pub mod limiter;
pub mod link;
pub mod queue;
pub mod report;
pub mod worker;

pub use engine::{AnyClient, ChannelTuning, Engine, EngineConfig, RunReport, run_blocking};
pub use error::{Result, SyncError};
pub use worker::{Mode, WorkerConfig, WorkerSummary};
