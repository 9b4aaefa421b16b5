//! The approvals inbox: variances and movements waiting for a supervisor, one decision or many.

use super::counts::HistoryLine;
use super::refusal::IpcError;

wire! {
    /// One item of the approvals inbox: a count variance or a parked damage/write-off.
    pub struct ApprovalView {
        pub id: String,
        /// "count", "damage" or "write_off".
        pub kind: String,
        pub session: Option<String>,
        pub sku: String,
        pub name: String,
        pub location: String,
        #[ts(type = "number | null")]
        pub counted: Option<i64>,
        #[ts(type = "number | null")]
        pub expected: Option<i64>,
        /// Counted minus expected; for damage and write-offs, minus the quantity.
        #[ts(type = "number")]
        pub variance: i64,
        /// Absolute value of the change at unit cost.
        pub value: f64,
        /// Who counted, or who asked.
        pub counters: Vec<String>,
        #[ts(type = "number")]
        pub movements_during_count: i64,
        #[ts(type = "number")]
        pub round: i64,
        pub reason: Option<String>,
        /// Earlier counts of this SKU at this location, newest first.
        pub history: Vec<HistoryLine>,
        /// The signed-in supervisor counted in this session or asked for this movement, so the
        /// store will refuse their decision on it.
        pub mine: bool,
    }

    pub enum DecisionView {
        Approve,
        Reject,
        Recount,
    }

    /// One decision over several inbox items, confirmed with one PIN (`decide_many`).
    pub struct BulkDecisionRequest {
        pub ids: Vec<String>,
        pub decision: DecisionView,
        pub reason: String,
        pub pin: String,
        /// Recounts only: the user who is to count again, named in each line's reason.
        pub counter: Option<String>,
    }

    pub enum BulkOutcome {
        Approved,
        Rejected,
        Recount,
        /// Nothing changed for this item; `error` says why.
        Refused,
    }

    pub struct BulkDecisionLine {
        pub id: String,
        pub sku: Option<String>,
        pub outcome: BulkOutcome,
        /// Why it was refused, in English.
        pub error: Option<String>,
        /// The same refusal with its code and values, for the screen to translate.
        #[ts(optional)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub refusal: Option<IpcError>,
    }

    pub struct BulkDecisionResult {
        pub lines: Vec<BulkDecisionLine>,
        pub decided: u32,
        pub refused: u32,
    }
}

impl ApprovalView {
    pub fn from_count(a: shelfsync_store::Approval, history: Vec<HistoryLine>) -> ApprovalView {
        ApprovalView {
            id: a.id,
            kind: "count".into(),
            session: Some(a.session),
            sku: a.sku,
            name: a.name,
            location: a.location,
            counted: Some(a.counted),
            expected: Some(a.expected),
            variance: a.variance,
            value: a.value,
            counters: a.counters,
            movements_during_count: a.movements_during_count,
            round: a.round,
            reason: None,
            history,
            mine: false,
        }
    }

    pub fn from_movement(m: shelfsync_store::PendingMovement, name: String) -> ApprovalView {
        ApprovalView {
            id: m.id,
            kind: m.kind,
            session: None,
            sku: m.sku,
            name,
            location: m.location,
            counted: None,
            expected: None,
            variance: -m.qty,
            value: m.value,
            counters: vec![m.requested_by],
            movements_during_count: 0,
            round: 1,
            reason: m.reason,
            history: Vec::new(),
            mine: false,
        }
    }
}
