//! Wire types: what crosses IPC, in the shape the UI wants (camelCase, flat rows, numbers).
//!
//! Kept apart from the domain types on purpose: the domain may change shape without breaking
//! the webview, and the webview never sees a type it could mistake for a rule. Every type here
//! derives `TS` and is exported to `ui/src/bindings/`; the `bindings_are_committed` test fails
//! when the committed files are stale. Integers are `i64` in Rust but small enough (< 2^53) to
//! be plain JavaScript numbers, hence `#[ts(type = "number")]` where ts-rs would say `bigint`.
//!
//! One module per screen (or group of screens); every type is re-exported here, so
//! `crate::ipc::StockPage` names it wherever it lives.

/// Derives the wire traits and exports to `ui/src/bindings/`. The path is absolute so it does
/// not depend on `TS_RS_EXPORT_DIR` or on the folder tests run in.
macro_rules! wire {
    ($($item:item)*) => {
        $(
            #[derive(Clone, Debug, PartialEq, ::serde::Serialize, ::serde::Deserialize, ::ts_rs::TS)]
            #[serde(rename_all = "camelCase")]
            #[ts(export, export_to = concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/src/bindings/"))]
            $item
        )*
    };
}

pub mod approvals;
pub mod audit;
pub mod counts;
pub mod drift_history;
pub mod first_run;
pub mod labels;
pub mod monitoring;
pub mod movements;
pub mod playbook;
pub mod refusal;
pub mod reports;
pub mod session;
pub mod settings;
pub mod station;
pub mod stock;
pub mod sync;

pub use approvals::*;
pub use audit::*;
pub use counts::*;
pub use drift_history::*;
pub use first_run::*;
pub use labels::*;
pub use monitoring::*;
pub use movements::*;
pub use playbook::*;
pub use refusal::*;
pub use reports::*;
pub use session::*;
pub use settings::*;
pub use station::*;
pub use stock::*;
pub use sync::*;
