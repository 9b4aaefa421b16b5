//! ShelfSync's store: the event ledger on SQLite.
//!
//! Architecture invariant: every stock change enters through [`Store::append`] (or its batch
//! form), which validates the event, writes it, its projection update and its audit entry in
//! ONE `BEGIN IMMEDIATE` transaction. "Acknowledged" means that transaction committed with
//! `synchronous=FULL`. Nothing updates or deletes an event.

pub mod app_support;
mod approvals;
mod audit;
mod audit_query;
mod catalog;
mod connection;
mod count_reports;
mod counts;
pub mod demo;
mod drafts;
mod error;
pub mod flash;
mod import;
pub mod kits;
mod ledger;
pub mod listing_watch;
pub mod lots;
pub mod outbox;
pub mod packs;
mod query;
pub mod report_queries;
mod search;
mod settings_ws;
mod transfers;
mod user_language;
mod users;

// Typed operations grouped by the tables they own. Callers (sync, capture, hub, cli, the app)
// use these and hold no SQL of their own.
pub mod channels;
pub mod oversight;
pub mod replication;
// Moved SQL whose owning module did not exist yet; the lead regroups it (issue 18).
pub mod maintenance;
#[cfg(feature = "testing")]
pub mod testing;

pub use app_support::{CountHistoryLine, CountSessionSummary, MAX_HISTORY_LINES, MAX_SESSIONS_LISTED};
pub use approvals::{MovementRequest, PendingMovement, WRITE_OFF_APPROVAL_KEY};
pub use audit::{AuditBreak, AuditReport, By};
pub use audit_query::{
    AUDIT_DETAIL_MAX_CHARS, AUDIT_KINDS, AUDIT_PAGE_DEFAULT, AUDIT_PAGE_MAX, AuditFilter, AuditFilterError,
    AuditPage, AuditRecord,
};
pub use catalog::{ItemRecord, LocationRecord};
pub use connection::{MIGRATIONS, Store, commit_signal};
pub use count_reports::{AccuracyRow, CYCLE_DAYS, DueCount, VarianceRow};
pub use counts::{Approval, BlindCounts, CountLineView, CountScope, CountSessionView, Decision};
pub use drafts::{LineRecord, MAX_DRAFT_BYTES, MAX_DRAFT_LINES, StationDraftRow};
pub use error::{CsvLineError, StoreError};
pub use import::{ImportKind, ImportProgress, ImportSummary, PROGRESS_EVERY};
pub use ledger::{
    AppendMode, AppendOutcome, MAX_BATCH, append_in, append_in_mode, derived_event_id, new_event,
};
pub use packs::{MAX_PACK_QTY, MAX_PACKS_LISTED, Pack, Resolved};
pub use query::{EventFilter, RecordedEvent, StockFilter, StockRow};
pub use report_queries::{ReportError, ShrinkReport, ShrinkRow, VarianceGroup, VarianceGroupRow};
pub use search::{
    MAX_SEARCH_CHARS, MAX_SEARCH_OFFSET, MAX_SEARCH_PAGE, StockSearch, StockSearchPage, StockSort,
};
pub use settings_ws::WorkstationSetting;
pub use shelfsync_core::allocation::{Allocation, AllocationRule, LocationAtp, allocate};
pub use transfers::{InTransit, MAX_CLOSED_IDS, MAX_IN_TRANSIT_LISTED};
pub use user_language::{USER_LANGUAGE_AUDIT, check_language_shape};
pub use users::{User, forbidden, refusal, require};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
