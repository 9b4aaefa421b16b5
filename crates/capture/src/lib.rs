//! ShelfSync's watch over the channels: sales capture (Shopify webhooks and the polling
//! fallback), reconciliation, drift audits, alerts and incidents.
//!
//! Flow: a webhook is HMAC-checked over its raw body and stored in the durable inbox before it
//! is answered; [`webhook::process_inbox`] turns orders into ledger events later. Polling reads
//! the same orders, and both paths derive each event's id from (channel, order, line, kind), so
//! the ledger's idempotent append books every line once however often it arrives.
//!
//! Architecture invariants:
//! - stock changes only through `shelfsync_store::append_in` (one transaction per order, with
//!   its capture rows);
//! - a forged or malformed delivery records nothing;
//! - one open alert per (rule, subject); one incident per oversold order line.
//! - no SQL here: the tables capture reads and writes belong to the store
//!   (`shelfsync_store::oversight`); an operation that must commit with others joins the
//!   caller's `oversight::Tx`.

pub mod alerts;
pub mod drift;
pub mod email;
mod error;
pub mod expiry;
pub mod fba;
pub mod health;
pub mod hours;
pub mod incidents;
pub mod notifications;
pub mod orders;
pub mod poll;
pub mod reconcile;
pub mod red_flags;
pub mod scorecard;
pub mod service;
pub mod webhook;

pub use error::{CaptureError, Result};

/// Timestamps as the store writes them: RFC 3339, UTC, milliseconds.
pub fn now() -> String {
    shelfsync_store::outbox::now()
}
