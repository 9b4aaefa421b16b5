//! Wire types: what crosses IPC, in the shape the UI wants (camelCase, flat rows, numbers).
//!
//! Kept apart from the domain types on purpose: the domain may change shape without breaking
//! the webview, and the webview never sees a type it could mistake for a rule. Every type here
//! derives `TS` and is exported to `ui/src/bindings/`; the test in `bindings.rs` fails when the
//! committed files are stale. Integers are `i64` in Rust but small enough (< 2^53) to be plain
//! JavaScript numbers, hence `#[ts(type = "number")]` where ts-rs would say `bigint`.

use serde::{Deserialize, Serialize};
use shelfsync_core::{Balances, BarcodeKind, Delta, Item, Location};
use shelfsync_store::{RecordedEvent, StockRow};
use ts_rs::TS;

/// Derives the wire traits and exports to `ui/src/bindings/`. The path is absolute so it does
/// not depend on `TS_RS_EXPORT_DIR` or on the folder tests run in.
macro_rules! wire {
    ($($item:item)*) => {
        $(
            #[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
            #[serde(rename_all = "camelCase")]
            #[ts(export, export_to = concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/src/bindings/"))]
            $item
        )*
    };
}

wire! {
    /// How far start-up has got. The UI shows a loading screen until `ready`.
    pub enum Phase {
        Opening,
        LoadingDemo,
        Ready,
        Failed,
    }

    /// The status strip: which database, whether it is the demo, how much it holds.
    pub struct AppInfo {
        pub phase: Phase,
        pub db_path: String,
        pub demo: bool,
        #[ts(type = "number")]
        pub event_count: u64,
        #[ts(type = "number")]
        pub item_count: u64,
        pub version: String,
        /// Why start-up failed, when `phase` is `failed`.
        pub error: Option<String>,
    }

    /// Filter for the stock table. Unknown SKUs or locations are errors, not empty tables.
    #[derive(Default)]
    pub struct StockQuery {
        pub sku: Option<String>,
        pub location: Option<String>,
        /// Rows to return, at most `MAX_STOCK_ROWS`; the rest are counted in `total`.
        pub limit: Option<u32>,
    }

    /// The five buckets and ATP of one (sku, location), or of a sum of them.
    #[derive(Default, Copy)]
    pub struct Buckets {
        #[ts(type = "number")]
        pub on_hand: i64,
        #[ts(type = "number")]
        pub committed: i64,
        #[ts(type = "number")]
        pub reserved: i64,
        #[ts(type = "number")]
        pub damaged: i64,
        #[ts(type = "number")]
        pub in_transit: i64,
        /// Available to promise, as `shelfsync_core::Balances::atp` computes it.
        #[ts(type = "number")]
        pub atp: i64,
    }

    pub struct StockLevel {
        pub sku: String,
        pub location: String,
        #[serde(flatten)]
        #[ts(flatten)]
        pub buckets: Buckets,
    }

    pub struct StockPage {
        pub rows: Vec<StockLevel>,
        /// Rows matching the filter, including those not returned.
        pub total: u32,
    }

    pub struct BarcodeView {
        pub code: String,
        /// "gtin" (stored as GTIN-14) or "internal".
        pub kind: String,
    }

    /// An item with everything the detail screen shows at once.
    pub struct ItemView {
        pub sku: String,
        pub name: String,
        pub category: String,
        #[ts(type = "number")]
        pub unit_cost_cents: i64,
        pub safety_stock: u32,
        pub barcodes: Vec<BarcodeView>,
        pub stock: Vec<StockLevel>,
        /// Sum over every location.
        pub totals: Buckets,
    }

    /// One bucket change an event made.
    pub struct BucketChange {
        pub location: String,
        pub bucket: String,
        #[ts(type = "number")]
        pub amount: i64,
    }

    pub struct EventView {
        #[ts(type = "number")]
        pub seq: i64,
        pub id: String,
        pub kind: String,
        pub sku: String,
        pub occurred_at: String,
        pub recorded_at: String,
        pub actor: String,
        pub workstation: String,
        pub reason: Option<String>,
        pub reference: Option<String>,
        pub changes: Vec<BucketChange>,
    }

    pub struct LocationView {
        pub code: String,
        pub name: String,
        pub parent: Option<String>,
    }
}

impl From<Balances> for Buckets {
    fn from(b: Balances) -> Buckets {
        Buckets {
            on_hand: b.on_hand,
            committed: b.committed,
            reserved: b.reserved,
            damaged: b.damaged,
            in_transit: b.in_transit,
            atp: b.atp(),
        }
    }
}

impl From<StockRow> for StockLevel {
    fn from(row: StockRow) -> StockLevel {
        StockLevel {
            buckets: Buckets {
                on_hand: row.on_hand,
                committed: row.committed,
                reserved: row.reserved,
                damaged: row.damaged,
                in_transit: row.in_transit,
                atp: row.atp,
            },
            sku: row.sku,
            location: row.location,
        }
    }
}

impl From<&Delta> for BucketChange {
    fn from(delta: &Delta) -> BucketChange {
        BucketChange {
            location: delta.location.to_string(),
            bucket: delta.bucket.to_string(),
            amount: delta.amount,
        }
    }
}

impl From<RecordedEvent> for EventView {
    fn from(recorded: RecordedEvent) -> EventView {
        let event = recorded.event;
        EventView {
            seq: recorded.seq,
            id: event.id.to_string(),
            kind: event.movement.kind().to_string(),
            sku: event.movement.sku().to_string(),
            occurred_at: event.occurred_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            recorded_at: recorded.recorded_at,
            actor: event.actor,
            workstation: event.workstation,
            reason: event.reason,
            reference: event.reference,
            changes: event.movement.deltas().iter().map(BucketChange::from).collect(),
        }
    }
}

impl From<Location> for LocationView {
    fn from(location: Location) -> LocationView {
        LocationView {
            code: location.code.to_string(),
            name: location.name,
            parent: location.parent.map(|p| p.to_string()),
        }
    }
}

impl ItemView {
    pub fn new(item: Item, barcodes: Vec<shelfsync_core::Barcode>, rows: Vec<StockRow>) -> ItemView {
        // Totals through the domain's Balances, so ATP is computed by the one rule in core.
        let mut sum = Balances::default();
        for row in &rows {
            sum.on_hand += row.on_hand;
            sum.committed += row.committed;
            sum.reserved += row.reserved;
            sum.damaged += row.damaged;
            sum.in_transit += row.in_transit;
        }
        ItemView {
            sku: item.sku.to_string(),
            name: item.name,
            category: item.category,
            unit_cost_cents: item.unit_cost_cents,
            safety_stock: item.safety_stock,
            barcodes: barcodes
                .into_iter()
                .map(|b| BarcodeView {
                    code: b.code,
                    kind: match b.kind {
                        BarcodeKind::Gtin => "gtin".into(),
                        BarcodeKind::Internal => "internal".into(),
                    },
                })
                .collect(),
            stock: rows.into_iter().map(StockLevel::from).collect(),
            totals: sum.into(),
        }
    }
}
