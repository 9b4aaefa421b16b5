//! ShelfSync's store: the event ledger on SQLite.
//!
//! Architecture invariant: every stock change enters through [`Store::append`] (or its batch
//! form), which validates the event, writes it, its projection update and its audit entry in
//! ONE `BEGIN IMMEDIATE` transaction. "Acknowledged" means that transaction committed with
//! `synchronous=FULL`. Nothing updates or deletes an event.

mod app_support;
mod approvals;
mod audit;
mod catalog;
mod connection;
mod count_reports;
mod counts;
pub mod demo;
mod drafts;
mod error;
mod import;
mod ledger;
pub mod outbox;
mod query;
mod search;
mod settings_ws;
mod users;

pub use app_support::{CountHistoryLine, CountSessionSummary, MAX_HISTORY_LINES, MAX_SESSIONS_LISTED};
pub use approvals::{MovementRequest, PendingMovement, WRITE_OFF_APPROVAL_KEY};
pub use audit::{AuditBreak, AuditReport};
pub use catalog::{ItemRecord, LocationRecord};
pub use connection::{MIGRATIONS, Store, commit_signal};
pub use count_reports::{AccuracyRow, CYCLE_DAYS, DueCount, VarianceRow};
pub use counts::{Approval, CountLineView, CountScope, CountSessionView, Decision};
pub use drafts::{LineRecord, MAX_DRAFT_BYTES, MAX_DRAFT_LINES, StationDraftRow};
pub use error::{CsvLineError, StoreError};
pub use import::{ImportKind, ImportProgress, ImportSummary, PROGRESS_EVERY};
pub use ledger::{AppendMode, AppendOutcome, MAX_BATCH, append_in, append_in_mode};
pub use outbox::{Allocation, AllocationRule, LocationAtp, allocate};
pub use query::{EventFilter, RecordedEvent, StockFilter, StockRow};
pub use search::{
    MAX_SEARCH_CHARS, MAX_SEARCH_OFFSET, MAX_SEARCH_PAGE, StockSearch, StockSearchPage, StockSort,
};
pub use settings_ws::WorkstationSetting;
pub use users::{User, forbidden, refusal, require};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
