//! The Movements screen (issue 20): write-off, adjust (with override), the two halves of a
//! transfer, customer returns and reversals, as the CLI records them.

use super::station::LineTag;
use super::stock::EventView;

wire! {
    /// Where a write-off takes its units from: the damaged bucket (stock already quarantined)
    /// or straight from on hand.
    pub enum WriteOffFromView {
        Damaged,
        OnHand,
    }

    /// A write-off under one of core's loss reason codes (`shelfsync_core::LOSS_REASON_CODES`);
    /// `note` adds words after the code ("theft: aisle 4"). `other` needs a note.
    pub struct WriteOffRequest {
        pub sku: String,
        pub location: String,
        pub qty: u32,
        pub from: WriteOffFromView,
        pub code: String,
        pub note: Option<String>,
        /// A lot- or serial-tracked item's lot or serial (required for one; none for others).
        #[ts(optional)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub tag: Option<LineTag>,
    }

    /// A manual correction of on hand, plus or minus, with its reason. `overrideNegative` lets
    /// the balance go below zero: supervisors only (`Action::OverrideNegative`).
    pub struct AdjustRequest {
        pub sku: String,
        pub location: String,
        #[ts(type = "number")]
        pub delta: i64,
        pub reason: String,
        pub override_negative: bool,
        /// A lot- or serial-tracked item's lot or serial (required for one; none for others).
        #[ts(optional)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub tag: Option<LineTag>,
    }

    /// The first half of a two-phase transfer: the units leave `from` and are in transit.
    pub struct ShipRequest {
        pub sku: String,
        pub from: String,
        pub to: String,
        pub qty: u32,
        pub reason: Option<String>,
        /// A lot- or serial-tracked item's lot or serial (required for one; none for others).
        #[ts(optional)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub tag: Option<LineTag>,
    }

    /// The second half: `received` of the shipped units arrived (0 to all of them). Fewer than
    /// shipped is a short receipt, which needs a reason.
    pub struct ReceiveTransferRequest {
        pub transfer_id: String,
        pub received: u32,
        pub reason: Option<String>,
    }

    /// A customer return, back to stock or straight to damaged.
    pub struct ReturnRequest {
        pub sku: String,
        pub location: String,
        pub qty: u32,
        pub damaged: bool,
        pub reason: Option<String>,
        /// A lot- or serial-tracked item's lot or serial (required for one; none for others).
        #[ts(optional)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub tag: Option<LineTag>,
    }

    /// Undo a posted event with its exact opposite; the new event names the one it undoes.
    pub struct ReverseRequest {
        pub event_id: String,
        pub reason: String,
    }

    /// A shipment still in transit, as the receive list shows it.
    pub struct TransferInTransitView {
        pub id: String,
        pub sku: String,
        pub from: String,
        pub to: String,
        pub qty: u32,
        pub shipped_at: String,
        pub shipped_by: String,
        /// The shipment's lot or serial, for a tracked item (the receipt books the same one).
        #[ts(optional)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub lot: Option<String>,
    }

    /// A recent event offered for reversal, and whether the store would accept one.
    pub struct ReversibleEventView {
        pub event: EventView,
        pub reversible: bool,
        /// Why not, when not ("already reversed", "a reversal itself", ...).
        pub why_not: Option<String>,
    }

    /// What became of a movement: posted (with its ledger sequence) or waiting for a
    /// supervisor's approval (a loss above the approval value), and the sentence to show.
    pub struct MovementOutcome {
        pub event_id: String,
        pub kind: String,
        pub posted: bool,
        #[ts(type = "number | null")]
        pub seq: Option<i64>,
        pub approval: Option<String>,
        pub value: Option<String>,
        pub message: String,
        /// The item and where ("WH1", "WH1 -> WH2"): what `message` names, for the UI to say the
        /// same in another language.
        pub sku: String,
        pub at: String,
    }
}
