//! The stock screens and the status strip: start-up, stock rows and search, items with their
//! barcodes, the ledger's events, locations.

use shelfsync_core::{Balances, BarcodeKind, Delta, Item, Location};
use shelfsync_store::{BlindCounts, RecordedEvent, StockRow};

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
        /// Where the demo's simulated channels run (`http://127.0.0.1:PORT`), when they do.
        pub demo_channels: Option<String>,
        /// The database has no users yet, so nobody can sign in: the first-run screen shows.
        pub needs_setup: bool,
        /// The first-run screen may offer "Try the demo": the database is empty and
        /// `SHELFSYNC_DEMO` is not `off`.
        pub demo_offered: bool,
        /// The operating system's preferred languages (BCP 47 tags, most preferred first): the
        /// UI's language until one is chosen on this workstation (WebKitGTK reports en-US
        /// whatever the system's is).
        pub system_languages: Vec<String>,
    }

    /// Filter for the stock table. Unknown SKUs or locations are errors, not empty tables.
    #[derive(Default)]
    pub struct StockQuery {
        pub sku: Option<String>,
        pub location: Option<String>,
        /// Rows to return, at most `MAX_STOCK_ROWS`; the rest are counted in `total`.
        pub limit: Option<u32>,
    }

    /// A search for people: a SKU prefix or any part of a name, a page at a time.
    pub struct StockSearchQuery {
        pub text: String,
        pub location: Option<String>,
        /// "sku" (default) or "name".
        pub sort: Option<String>,
        pub offset: Option<u32>,
        /// Rows per page, at most 2,000 (default 200).
        pub limit: Option<u32>,
    }

    pub struct StockSearchRow {
        pub sku: String,
        pub name: String,
        pub location: String,
        #[serde(flatten)]
        #[ts(flatten)]
        pub buckets: Buckets,
    }

    pub struct StockSearchView {
        pub rows: Vec<StockSearchRow>,
        /// Rows matching in all (this page and the others).
        pub total: u32,
        pub offset: u32,
    }

    /// The five buckets and ATP of one (sku, location), or of a sum of them. While a blind
    /// count is open over them, a user who may not see its expected quantities gets every
    /// figure `null` and `blind: true`: the screen cannot show what it never receives.
    #[derive(Default, Copy)]
    pub struct Buckets {
        #[ts(type = "number | null")]
        pub on_hand: Option<i64>,
        #[ts(type = "number | null")]
        pub committed: Option<i64>,
        #[ts(type = "number | null")]
        pub reserved: Option<i64>,
        #[ts(type = "number | null")]
        pub damaged: Option<i64>,
        #[ts(type = "number | null")]
        pub in_transit: Option<i64>,
        /// Available to promise, as `shelfsync_core::Balances::atp` computes it.
        #[ts(type = "number | null")]
        pub atp: Option<i64>,
        /// Hidden by an open blind count (every figure above is `null`).
        pub blind: bool,
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
            on_hand: Some(b.on_hand),
            committed: Some(b.committed),
            reserved: Some(b.reserved),
            damaged: Some(b.damaged),
            in_transit: Some(b.in_transit),
            atp: Some(b.atp()),
            blind: false,
        }
    }
}

impl Buckets {
    /// What an open blind count leaves of them: nothing but the fact.
    pub fn hidden() -> Buckets {
        Buckets { blind: true, ..Buckets::default() }
    }
}

impl StockLevel {
    /// The row as the signed-in user may see it: hidden where `blind` covers it.
    pub fn shown(row: StockRow, blind: &BlindCounts) -> StockLevel {
        let buckets = if blind.hides(&row.sku, &row.location) {
            Buckets::hidden()
        } else {
            Buckets {
                on_hand: Some(row.on_hand),
                committed: Some(row.committed),
                reserved: Some(row.reserved),
                damaged: Some(row.damaged),
                in_transit: Some(row.in_transit),
                atp: Some(row.atp),
                blind: false,
            }
        };
        StockLevel { buckets, sku: row.sku, location: row.location }
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
    /// The item with its stock as the signed-in user may see it: rows an open blind count
    /// covers are hidden, and so are the totals then (the sum would show them by difference).
    pub fn new(
        item: Item,
        barcodes: Vec<shelfsync_core::Barcode>,
        rows: Vec<StockRow>,
        blind: &BlindCounts,
    ) -> ItemView {
        let any_hidden = rows.iter().any(|r| blind.hides(&r.sku, &r.location));
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
            stock: rows.into_iter().map(|r| StockLevel::shown(r, blind)).collect(),
            totals: if any_hidden { Buckets::hidden() } else { sum.into() },
        }
    }
}
