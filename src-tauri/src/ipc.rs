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
        /// Where the demo's simulated channels run (`http://127.0.0.1:PORT`), when they do.
        pub demo_channels: Option<String>,
        /// The database has no users yet, so nobody can sign in: the first-run screen shows.
        pub needs_setup: bool,
        /// The first-run screen may offer "Try the demo": the database is empty and
        /// `SHELFSYNC_DEMO` is not `off`.
        pub demo_offered: bool,
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

    pub enum RoleView {
        Staff,
        Supervisor,
        Admin,
    }

    pub struct UserView {
        pub name: String,
        pub role: RoleView,
    }

    /// A demo account, shown on the sign-in screen of a demo database only.
    pub struct DemoUser {
        pub name: String,
        pub role: RoleView,
        pub pin: String,
    }

    /// Who is signed in. The role is what Rust holds; the UI uses it only to hide what the
    /// commands would refuse anyway.
    pub struct SessionView {
        pub user: Option<UserView>,
        /// Signed in, but idle too long: the PIN must be entered again.
        pub locked: bool,
        pub idle_lock_secs: u32,
        pub can_approve: bool,
        pub demo_users: Vec<DemoUser>,
    }

    pub enum StationMode {
        Count,
        Damage,
        Receive,
        Transfer,
        Lookup,
    }

    pub enum ScanKind {
        Item,
        Location,
        Quantity,
        Mode,
        Done,
        Undo,
        Error,
    }

    /// One scan, classified and resolved in Rust: an item, a command label, or an error. The
    /// same shape comes from a `classify_scan` call (keyboard wedge) and from a `scan` event
    /// (serial and HID scanners, read by a listener thread).
    pub struct ScanOutcome {
        /// "wedge", or the device (`serial:/dev/ttyACM0`, `hid:...`).
        pub source: String,
        /// What was scanned, printable (GS shown as `<GS>`).
        pub data: String,
        pub kind: ScanKind,
        pub sku: Option<String>,
        pub name: Option<String>,
        pub location: Option<String>,
        pub quantity: Option<u32>,
        pub mode: Option<StationMode>,
        /// For `error`: what went wrong, for a person.
        pub message: Option<String>,
    }

    pub struct CommitLine {
        /// The event id this line is recorded under (the draft line's id, a UUID): a line
        /// already recorded under it is counted as committed and not recorded again. Without
        /// one, a fresh id is made.
        #[ts(optional)]
        #[serde(default)]
        pub id: Option<String>,
        pub sku: String,
        pub qty: u32,
    }

    /// One scanned, uncommitted line of the station's draft.
    pub struct DraftLine {
        /// A UUID the station gives the line when it is scanned; the line is committed under it.
        pub id: String,
        pub sku: String,
        pub name: String,
        pub qty: u32,
        /// Which scanner (or "screen") the line came from.
        pub source: String,
    }

    /// The station's uncommitted work, saved on every scan before its feedback shows, per
    /// user and workstation, so a crash, a reload or a sign-out loses nothing.
    pub struct StationDraft {
        pub mode: StationMode,
        pub location: Option<String>,
        pub to_location: Option<String>,
        pub session: Option<String>,
        pub reason: Option<String>,
        pub lines: Vec<DraftLine>,
    }

    /// The scan log of the station, committed in one go.
    pub struct CommitRequest {
        pub mode: StationMode,
        pub location: String,
        /// Transfer only: where the units go.
        pub to_location: Option<String>,
        /// Count only: the session the lines are counted into.
        pub session: Option<String>,
        /// Damage only (required there).
        pub reason: Option<String>,
        pub lines: Vec<CommitLine>,
    }

    /// Lines are committed in order; the first failure stops the rest.
    pub struct CommitResult {
        /// Lines recorded (posted, counted, or parked for approval).
        pub committed: u32,
        /// Of those, damage lines that wait for a supervisor (worth more than the threshold).
        pub awaiting_approval: u32,
        /// Index of the line that failed, and why. Lines after it were not tried.
        pub failed_index: Option<u32>,
        pub error: Option<String>,
    }

    pub struct CountSessionRow {
        pub id: String,
        pub status: String,
        pub location: String,
        pub scope: String,
        pub blind: bool,
        pub full: bool,
        pub created_by: String,
        pub created_at: String,
        pub plan: Option<String>,
        #[ts(type = "number")]
        pub scope_skus: u64,
        #[ts(type = "number")]
        pub counted_skus: u64,
        #[ts(type = "number")]
        pub entries: u64,
        #[ts(type = "number")]
        pub pending_lines: u64,
    }

    pub struct CountLineRow {
        pub id: Option<String>,
        pub sku: String,
        #[ts(type = "number")]
        pub round: i64,
        #[ts(type = "number")]
        pub counted: i64,
        /// Hidden (null) from staff while a blind count is open.
        #[ts(type = "number | null")]
        pub expected: Option<i64>,
        #[ts(type = "number | null")]
        pub variance: Option<i64>,
        /// counting | posted | pending | rejected | recount
        pub state: String,
        pub counters: Vec<String>,
        /// The supervisor's reason, once decided (a recount's names who counts again).
        pub reason: Option<String>,
    }

    pub struct CountSessionDetail {
        pub id: String,
        pub status: String,
        pub location: String,
        pub scope: String,
        pub blind: bool,
        pub full: bool,
        pub created_by: String,
        pub created_at: String,
        pub scope_skus: u32,
        pub lines: Vec<CountLineRow>,
    }

    /// A count a plan says is due.
    pub struct DueCountView {
        pub plan: String,
        pub location: String,
        pub full: bool,
        /// SKUs the plan covers (0 for a full count: everything at the location).
        pub skus: u32,
    }

    pub struct HistoryLine {
        pub counted_at: String,
        #[ts(type = "number")]
        pub counted: i64,
        #[ts(type = "number")]
        pub expected: i64,
        #[ts(type = "number")]
        pub variance: i64,
        pub state: String,
        pub decided_by: Option<String>,
    }

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
        pub error: Option<String>,
    }

    pub struct BulkDecisionResult {
        pub lines: Vec<BulkDecisionLine>,
        pub decided: u32,
        pub refused: u32,
    }

    /// What a new count covers (the Counts screen's form). At most one of `skus`, `class` and
    /// `top`; none of them means everything stocked at the location.
    pub struct CountStartRequest {
        pub location: String,
        pub skus: Vec<String>,
        /// Velocity class "A", "B" or "C" (by units sold over 90 days).
        pub class: Option<String>,
        /// The N fastest-moving SKUs stocked at the location.
        pub top: Option<u32>,
        pub blind: bool,
        /// Uncounted SKUs in scope are counted as zero when the count is submitted.
        pub full: bool,
    }

    /// One channel's card on the sync dashboard (shelfsync_sync::report::status).
    pub struct ChannelCard {
        pub channel: String,
        pub kind: String,
        /// "ok", "pending", "offline since T" or "dead letters".
        pub state: String,
        pub offline_since: Option<String>,
        #[ts(type = "number")]
        pub queue_depth: i64,
        pub oldest_dirty: Option<String>,
        pub last_success: Option<String>,
        #[ts(type = "number")]
        pub errors_last_hour: i64,
        #[ts(type = "number | null")]
        pub p95_latency_ms: Option<i64>,
        #[ts(type = "number")]
        pub dead_letters: i64,
        #[ts(type = "number")]
        pub pushed: i64,
        pub last_error: Option<String>,
        /// Which process holds the engine lease, if any.
        pub engine: Option<String>,
        /// The channel's last pushes, oldest first: the latency sparkline.
        pub latencies: Vec<LatencyPointView>,
    }

    /// One acknowledged push: when the channel took it, and how long after the ledger change.
    pub struct LatencyPointView {
        pub acked_at: String,
        #[ts(type = "number")]
        pub latency_ms: i64,
    }

    pub struct DeadLetterView {
        pub id: String,
        pub channel: String,
        pub sku: String,
        pub location: Option<String>,
        #[ts(type = "number")]
        pub desired_qty: i64,
        #[ts(type = "number")]
        pub attempts: i64,
        pub last_error: String,
        pub dead_at: String,
    }

    pub struct SyncDashboard {
        pub channels: Vec<ChannelCard>,
        pub dead_letters: Vec<DeadLetterView>,
    }

    /// A full re-push of one channel and how far it has got: of the `total` listings marked
    /// when it started, `remaining` still wait in the outbox (the engine's own figure).
    pub struct RepushProgress {
        pub channel: String,
        pub total: u32,
        pub remaining: u32,
        pub started_at: String,
        pub started_by: String,
    }

    /// ATP at one location that feeds a channel listing.
    pub struct LocationAtpView {
        pub location: String,
        #[ts(type = "number")]
        pub atp: i64,
    }

    /// shelfsync_store::outbox::Allocation as the engine computed it: every input and step.
    pub struct AllocationView {
        pub locations: Vec<LocationAtpView>,
        /// Sum of ATP over the feeding locations.
        #[ts(type = "number")]
        pub pool: i64,
        #[ts(type = "number")]
        pub safety_stock: i64,
        pub percent: u8,
        /// floor((pool - safety stock) x percent / 100), never below 0.
        #[ts(type = "number")]
        pub after_percent: i64,
        #[ts(type = "number")]
        pub buffer: i64,
        #[ts(type = "number | null")]
        pub cap: Option<i64>,
        /// Sales seen on the channel but not yet in the ledger (negative).
        #[ts(type = "number")]
        pub channel_adjustment: i64,
        /// What is pushed.
        #[ts(type = "number")]
        pub qty: i64,
    }

    /// One channel listing of a SKU: why the engine pushes what it pushes (sync explain).
    pub struct ListingWhyView {
        pub channel: String,
        /// None: the listing is fed by every location the channel's rule allows.
        pub location: Option<String>,
        pub remote_item: String,
        /// The allocation from the ledger as it is now.
        pub allocation: AllocationView,
        /// What the channel last acknowledged.
        #[ts(type = "number | null")]
        pub channel_qty: Option<i64>,
        /// Waiting in the outbox: the quantity, since when, and the last error.
        #[ts(type = "number | null")]
        pub queued_qty: Option<i64>,
        pub queued_since: Option<String>,
        pub queued_error: Option<String>,
        #[ts(type = "number")]
        pub open_channel_changes: i64,
    }

    /// One acknowledged push of a SKU's listing.
    pub struct PushView {
        pub channel: String,
        pub location: Option<String>,
        #[ts(type = "number")]
        pub qty: i64,
        #[ts(type = "number")]
        pub version: i64,
        #[ts(type = "number | null")]
        pub change_from: Option<i64>,
        pub acked_at: String,
        #[ts(type = "number")]
        pub latency_ms: i64,
    }

    /// The Sync drill-down of one SKU: its buckets, each listing's derivation, its pushes.
    pub struct SkuSyncView {
        pub item: ItemView,
        pub listings: Vec<ListingWhyView>,
        /// Newest first.
        pub pushes: Vec<PushView>,
    }

    /// This workstation's place in a shared PostgreSQL hub (shelfsync_hub::status).
    /// `workstation: null` means standalone: the database never joined a hub.
    pub struct HubView {
        pub workstation: Option<String>,
        /// The hub answered just now (within the hub crate's 2 s status timeout).
        pub connected: bool,
        /// Local events and master records not yet on the hub.
        #[ts(type = "number")]
        pub pending_up: u64,
        pub last_push: Option<String>,
        pub last_pull: Option<String>,
        /// Hub events not yet applied here (as of the last contact when the hub is unreachable).
        #[ts(type = "number")]
        pub lag_events: u64,
        /// The workstation holding the sync-engine lease; known only while the hub answers.
        pub engine: Option<String>,
        /// `user@host:port/database`: never the password.
        pub hub: Option<String>,
        #[ts(type = "number")]
        pub discrepancies: u64,
        #[ts(type = "number")]
        pub refused: u64,
        pub last_error: Option<String>,
    }

    pub struct ScannerView {
        /// `serial:/dev/ttyUSB0` or `hid:auto`.
        pub device: String,
        pub kind: String,
        pub status: String,
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

impl From<shelfsync_core::Role> for RoleView {
    fn from(role: shelfsync_core::Role) -> RoleView {
        match role {
            shelfsync_core::Role::Staff => RoleView::Staff,
            shelfsync_core::Role::Supervisor => RoleView::Supervisor,
            shelfsync_core::Role::Admin => RoleView::Admin,
        }
    }
}

impl From<&shelfsync_store::User> for UserView {
    fn from(user: &shelfsync_store::User) -> UserView {
        UserView { name: user.name.clone(), role: user.role.into() }
    }
}

impl From<shelfsync_scan::Mode> for StationMode {
    fn from(mode: shelfsync_scan::Mode) -> StationMode {
        match mode {
            shelfsync_scan::Mode::Count => StationMode::Count,
            shelfsync_scan::Mode::Damage => StationMode::Damage,
            shelfsync_scan::Mode::Receive => StationMode::Receive,
            shelfsync_scan::Mode::Transfer => StationMode::Transfer,
            shelfsync_scan::Mode::Lookup => StationMode::Lookup,
        }
    }
}

impl ScanOutcome {
    /// An outcome of `kind` with nothing resolved yet.
    pub fn new(source: &str, data: &str, kind: ScanKind) -> ScanOutcome {
        ScanOutcome {
            source: source.to_string(),
            data: data.replace('\x1d', "<GS>"),
            kind,
            sku: None,
            name: None,
            location: None,
            quantity: None,
            mode: None,
            message: None,
        }
    }

    pub fn error(source: &str, data: &str, message: impl Into<String>) -> ScanOutcome {
        ScanOutcome { message: Some(message.into()), ..ScanOutcome::new(source, data, ScanKind::Error) }
    }
}

impl From<shelfsync_store::CountSessionSummary> for CountSessionRow {
    fn from(s: shelfsync_store::CountSessionSummary) -> CountSessionRow {
        CountSessionRow {
            id: s.id,
            status: s.status,
            location: s.location,
            scope: s.scope,
            blind: s.blind,
            full: s.full,
            created_by: s.created_by,
            created_at: s.created_at,
            plan: s.plan,
            scope_skus: s.scope_skus,
            counted_skus: s.counted_skus,
            entries: s.entries,
            pending_lines: s.pending_lines,
        }
    }
}

impl From<shelfsync_store::CountSessionView> for CountSessionDetail {
    fn from(v: shelfsync_store::CountSessionView) -> CountSessionDetail {
        CountSessionDetail {
            id: v.id,
            status: v.status,
            location: v.location,
            scope: v.scope,
            blind: v.blind,
            full: v.full,
            created_by: v.created_by,
            created_at: v.created_at,
            scope_skus: u32::try_from(v.scope_skus).unwrap_or(u32::MAX),
            lines: v
                .lines
                .into_iter()
                .map(|l| CountLineRow {
                    id: l.id,
                    sku: l.sku,
                    round: l.round,
                    counted: l.counted,
                    expected: l.expected,
                    variance: l.variance,
                    state: l.state,
                    counters: l.counters,
                    reason: l.reason,
                })
                .collect(),
        }
    }
}

impl From<shelfsync_store::DueCount> for DueCountView {
    fn from(d: shelfsync_store::DueCount) -> DueCountView {
        DueCountView {
            plan: d.plan,
            location: d.location,
            full: d.full,
            skus: u32::try_from(d.skus.len()).unwrap_or(u32::MAX),
        }
    }
}

impl From<shelfsync_store::CountHistoryLine> for HistoryLine {
    fn from(h: shelfsync_store::CountHistoryLine) -> HistoryLine {
        HistoryLine {
            counted_at: h.counted_at,
            counted: h.counted,
            expected: h.expected,
            variance: h.variance,
            state: h.state,
            decided_by: h.decided_by,
        }
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

impl ChannelCard {
    pub fn new(c: shelfsync_sync::report::ChannelStatus, latencies: Vec<LatencyPointView>) -> ChannelCard {
        ChannelCard {
            channel: c.channel,
            kind: c.kind,
            state: c.state,
            offline_since: c.offline_since,
            queue_depth: c.queue_depth,
            oldest_dirty: c.oldest_dirty,
            last_success: c.last_success,
            errors_last_hour: c.errors_last_hour,
            p95_latency_ms: c.p95_latency_ms,
            dead_letters: c.dead_letters,
            pushed: c.pushed,
            last_error: c.last_error,
            engine: c.engine,
            latencies,
        }
    }
}

impl From<shelfsync_sync::history::LatencyPoint> for LatencyPointView {
    fn from(p: shelfsync_sync::history::LatencyPoint) -> LatencyPointView {
        LatencyPointView { acked_at: p.acked_at, latency_ms: p.latency_ms }
    }
}

impl From<shelfsync_store::outbox::Allocation> for AllocationView {
    fn from(a: shelfsync_store::outbox::Allocation) -> AllocationView {
        AllocationView {
            locations: a
                .locations
                .into_iter()
                .map(|l| LocationAtpView { location: l.location, atp: l.atp })
                .collect(),
            pool: a.pool,
            safety_stock: a.safety_stock,
            percent: a.percent,
            after_percent: a.after_percent,
            buffer: a.buffer,
            cap: a.cap,
            channel_adjustment: a.channel_adjustment,
            qty: a.qty,
        }
    }
}

impl From<shelfsync_sync::history::PushRecord> for PushView {
    fn from(p: shelfsync_sync::history::PushRecord) -> PushView {
        PushView {
            channel: p.channel,
            location: p.location,
            qty: p.qty,
            version: p.version,
            change_from: p.change_from,
            acked_at: p.acked_at,
            latency_ms: p.latency_ms,
        }
    }
}

impl From<shelfsync_hub::HubStatus> for HubView {
    fn from(h: shelfsync_hub::HubStatus) -> HubView {
        HubView {
            workstation: h.workstation,
            connected: h.connected,
            pending_up: h.pending_up,
            last_push: h.last_push,
            last_pull: h.last_pull,
            lag_events: h.lag_events,
            engine: h.engine,
            hub: h.hub,
            discrepancies: h.discrepancies,
            refused: h.refused,
            last_error: h.last_error,
        }
    }
}

impl From<shelfsync_sync::report::DeadLetter> for DeadLetterView {
    fn from(d: shelfsync_sync::report::DeadLetter) -> DeadLetterView {
        DeadLetterView {
            id: d.id,
            channel: d.channel,
            sku: d.sku,
            location: d.location,
            desired_qty: d.desired_qty,
            attempts: d.attempts,
            last_error: d.last_error,
            dead_at: d.dead_at,
        }
    }
}

// ---- monitoring: alerts, incidents, reconciliation, drift, exports ------------------------------

wire! {
    /// One alert (shelfsync_capture::alerts): open while its condition holds, acknowledged by a
    /// person, resolved when the condition clears (a discrepancy resolves on acknowledgement).
    pub struct AlertView {
        pub id: String,
        pub rule: String,
        pub subject: String,
        pub message: String,
        pub value: Option<f64>,
        pub threshold: Option<f64>,
        pub opened_at: String,
        pub last_seen_at: String,
        pub acked_at: Option<String>,
        pub acked_by: Option<String>,
        pub resolved_at: Option<String>,
    }

    /// The alerts screen: the list, and what the evaluation just before it changed.
    pub struct AlertList {
        pub alerts: Vec<AlertView>,
        /// Alerts the rules opened in this check.
        pub opened: u32,
        /// Alerts whose condition cleared in this check.
        pub resolved: u32,
    }

    /// An oversell incident with the sync context recorded when it opened.
    pub struct IncidentView {
        pub id: String,
        pub kind: String,
        pub channel: String,
        pub sku: String,
        pub location: Option<String>,
        pub order_id: Option<String>,
        #[ts(type = "number")]
        pub oversold_units: i64,
        /// The context as pretty-printed JSON (queue depth, latency, dead letters, webhooks).
        pub context: String,
        pub opened_at: String,
        /// When the root cause is due (48 hours after opening).
        pub due_at: String,
        pub overdue: bool,
        pub cause: Option<String>,
        pub resolved_at: Option<String>,
        pub resolved_by: Option<String>,
    }

    /// One gap a reconciliation found, with its class and what the channel's rule did.
    pub struct GapView {
        pub sku: String,
        pub location: Option<String>,
        #[ts(type = "number")]
        pub expected: i64,
        #[ts(type = "number | null")]
        pub channel_qty: Option<i64>,
        pub class: String,
        pub action: String,
    }

    /// A stored reconciliation run.
    pub struct ReconcileRunView {
        pub id: String,
        pub channel: String,
        pub at: String,
        pub checked: u32,
        pub rule: String,
        pub gaps: Vec<GapView>,
    }

    pub struct DriftRowView {
        pub sku: String,
        pub channel: String,
        pub location: Option<String>,
        #[ts(type = "number")]
        pub velocity_30d: i64,
        #[ts(type = "number")]
        pub expected: i64,
        #[ts(type = "number | null")]
        pub channel_qty: Option<i64>,
        #[ts(type = "number | null")]
        pub variance: Option<i64>,
        pub flagged: bool,
    }

    /// A drift audit: the top SKUs by velocity against every channel's own quantity.
    pub struct DriftReportView {
        pub top: u32,
        pub checked: u32,
        pub flagged: u32,
        pub at: String,
        pub rows: Vec<DriftRowView>,
    }

    /// Which list a CSV export writes.
    pub enum ExportKind {
        Alerts,
        Incidents,
        DeadLetters,
        Reconciliation,
        Drift,
    }

    /// Where an export went: a file in the exports folder next to the database.
    pub struct ExportResult {
        pub path: String,
        pub rows: u32,
    }

    /// Which CSV file an import loads: the CLI's `import items|locations|stock`.
    pub enum ImportKind {
        Items,
        Locations,
        Stock,
    }

    /// One line of an import file the store refused, by its line number in the file.
    pub struct ImportLineError {
        #[ts(type = "number")]
        pub line: u64,
        pub message: String,
    }

    /// The import running in this window, or the last one: `done` of `total` rows written
    /// (`total` is 0 until the whole file has parsed). Once `finished`, either `imported` rows
    /// were committed or `error` says why nothing was, with the first bad lines.
    pub struct ImportStatus {
        pub kind: ImportKind,
        pub done: u32,
        pub total: u32,
        pub finished: bool,
        pub imported: Option<u32>,
        pub error: Option<String>,
        pub bad_lines: Vec<ImportLineError>,
        pub started_by: String,
    }
}

// ---- settings ----------------------------------------------------------------------------------

wire! {
    /// One alert threshold (business hours are two of them: start and end, UTC hours).
    pub struct ThresholdView {
        pub rule: String,
        pub value: f64,
        pub meaning: String,
    }

    pub struct ManagedUser {
        pub name: String,
        pub role: RoleView,
        pub active: bool,
    }

    pub struct NewLocationRequest {
        pub code: String,
        pub name: String,
        pub parent: Option<String>,
    }

    /// Count tolerance for a category (`null`: the default for every category).
    pub struct ToleranceView {
        pub category: Option<String>,
        #[ts(type = "number | null")]
        pub units: Option<i64>,
        /// Percent of expected, in basis points (1% = 100).
        #[ts(type = "number | null")]
        pub percent_bp: Option<i64>,
        #[ts(type = "number | null")]
        pub value_cents: Option<i64>,
        pub auto_post: bool,
    }

    pub struct RuleView {
        /// Feeding locations; empty means every location.
        pub locations: Vec<String>,
        pub percent: u8,
        #[ts(type = "number")]
        pub buffer: i64,
        #[ts(type = "number | null")]
        pub cap: Option<i64>,
        /// central | channel | flag
        pub conflict: String,
    }

    /// A channel as settings show it. Secrets are never sent back: only which ones are stored.
    pub struct ChannelView {
        pub name: String,
        pub kind: String,
        pub endpoint: String,
        pub shop: Option<String>,
        pub seller_id: Option<String>,
        pub marketplace_id: Option<String>,
        #[ts(type = "number")]
        pub listings: i64,
        pub rule: RuleView,
        /// Names of the secrets this kind needs, each with whether it is stored.
        pub secrets: Vec<SecretStatus>,
        /// "keychain" or "file".
        pub secret_store: String,
    }

    pub struct SecretStatus {
        pub name: String,
        pub stored: bool,
    }

    /// A scanner-like device visible now (HID POS or serial).
    pub struct DeviceView {
        pub kind: String,
        pub path: String,
        pub product: Option<String>,
        pub vid_pid: Option<String>,
    }
}

/// A channel to add. Its secrets go to the keychain (or the 0600 file) and never come back.
#[derive(Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/src/bindings/"))]
pub struct NewChannelRequest {
    pub name: String,
    /// shopify | amazon | ebay
    pub kind: String,
    pub endpoint: String,
    pub shop: Option<String>,
    pub seller_id: Option<String>,
    pub marketplace_id: Option<String>,
    /// Amazon and eBay: the OAuth token endpoint, for sandboxes and simulators. Empty or absent:
    /// the channel's real auth host for a real API host, else the endpoint itself.
    #[serde(default)]
    #[ts(optional)]
    pub auth_endpoint: Option<String>,
    pub secrets: Vec<SecretField>,
}

/// One secret as typed into the form. `Debug` hides the value so no log can show it.
#[derive(Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/src/bindings/"))]
pub struct SecretField {
    pub name: String,
    pub value: String,
}

impl std::fmt::Debug for SecretField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretField {{ name: {:?}, value: *** }}", self.name)
    }
}

impl std::fmt::Debug for NewChannelRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewChannelRequest")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("endpoint", &self.endpoint)
            .field("secrets", &self.secrets)
            .finish_non_exhaustive()
    }
}

impl From<shelfsync_capture::alerts::Alert> for AlertView {
    fn from(a: shelfsync_capture::alerts::Alert) -> AlertView {
        AlertView {
            id: a.id,
            rule: a.rule,
            subject: a.subject,
            message: a.message,
            value: a.value,
            threshold: a.threshold,
            opened_at: a.opened_at,
            last_seen_at: a.last_seen_at,
            acked_at: a.acked_at,
            acked_by: a.acked_by,
            resolved_at: a.resolved_at,
        }
    }
}

impl From<shelfsync_capture::incidents::Incident> for IncidentView {
    fn from(i: shelfsync_capture::incidents::Incident) -> IncidentView {
        IncidentView {
            id: i.id,
            kind: i.kind,
            channel: i.channel,
            sku: i.sku,
            location: i.location,
            order_id: i.order_id,
            oversold_units: i.oversold_units,
            context: serde_json::to_string_pretty(&i.context).unwrap_or_default(),
            opened_at: i.opened_at,
            due_at: i.due_at,
            overdue: i.overdue,
            cause: i.cause,
            resolved_at: i.resolved_at,
            resolved_by: i.resolved_by,
        }
    }
}

impl From<shelfsync_capture::reconcile::Gap> for GapView {
    fn from(g: shelfsync_capture::reconcile::Gap) -> GapView {
        GapView {
            sku: g.sku,
            location: g.location,
            expected: g.expected,
            channel_qty: g.channel_qty,
            class: g.class,
            action: g.action,
        }
    }
}

impl DriftReportView {
    pub fn new(report: &shelfsync_capture::drift::DriftReport, at: String) -> DriftReportView {
        let small = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        DriftReportView {
            top: small(report.top),
            checked: small(report.checked),
            flagged: small(report.flagged),
            at,
            rows: report
                .rows
                .iter()
                .map(|r| DriftRowView {
                    sku: r.sku.clone(),
                    channel: r.channel.clone(),
                    location: r.location.clone(),
                    velocity_30d: r.velocity_30d,
                    expected: r.expected,
                    channel_qty: r.channel_qty,
                    variance: r.variance,
                    flagged: r.flagged,
                })
                .collect(),
        }
    }
}

impl From<shelfsync_sync::config::RuleRecord> for RuleView {
    fn from(r: shelfsync_sync::config::RuleRecord) -> RuleView {
        RuleView {
            locations: r.locations,
            percent: r.percent,
            buffer: r.buffer,
            cap: r.cap,
            conflict: r.conflict,
        }
    }
}

impl From<shelfsync_store::User> for ManagedUser {
    fn from(user: shelfsync_store::User) -> ManagedUser {
        ManagedUser { name: user.name, role: user.role.into(), active: user.active }
    }
}

impl RoleView {
    pub fn to_role(&self) -> shelfsync_core::Role {
        match self {
            RoleView::Staff => shelfsync_core::Role::Staff,
            RoleView::Supervisor => shelfsync_core::Role::Supervisor,
            RoleView::Admin => shelfsync_core::Role::Admin,
        }
    }
}

// ---- first run: the channel step's connection test and link review ----------------------------

wire! {
    /// "Test connection": a real authenticated call to the channel, and what it said in words.
    pub struct ChannelTestView {
        pub channel: String,
        pub ok: bool,
        /// What worked ("shop Demo (demo.myshopify.com), 2 locations") or what failed and what
        /// to check ("The channel refused the access token: ...").
        pub message: String,
        /// The account the credentials reach (shop domain, seller id), when the channel says.
        pub account: Option<String>,
        /// The shop's locations (Shopify), to choose the one the link puts listings at.
        pub shop_locations: Vec<ShopLocationView>,
    }

    /// A location of the channel's (Shopify): its id and name as the shop shows them.
    pub struct ShopLocationView {
        pub id: String,
        pub name: String,
    }

    /// Where one SKU stands in the link review.
    pub enum LinkStatusView {
        /// Our SKU and one listing of theirs with the same SKU: linked by "Link".
        Matched,
        /// Our item with no listing of that SKU on the channel.
        UnmatchedOurs,
        /// A listing on the channel whose SKU is not in our catalogue.
        UnmatchedTheirs,
        /// Several listings of theirs share the SKU: nothing is linked until one is removed.
        Ambiguous,
    }

    /// One row of the link review.
    pub struct LinkRowView {
        pub status: LinkStatusView,
        pub sku: String,
        /// The channel's ids for this SKU (one when matched, several when ambiguous, none when
        /// the item is ours only).
        pub theirs: Vec<String>,
    }

    /// The link review of one channel: counts of each kind, and the first rows of each.
    pub struct LinkReviewView {
        pub channel: String,
        pub matched: u32,
        pub unmatched_ours: u32,
        pub unmatched_theirs: u32,
        pub ambiguous: u32,
        /// At most `MAX_LINK_ROWS` per kind, matched first.
        pub rows: Vec<LinkRowView>,
        /// Listings linked by this call (`apply`), `None` for a review only.
        pub linked: Option<u32>,
        /// Our location whose stock the listings carry (Shopify), and the shop's location.
        pub location: Option<String>,
        pub shop_location: Option<String>,
        /// Listings of ours already linked on this channel (left as they are).
        pub already_linked: u32,
    }
}

wire! {
    /// Where a workstation setting's value comes from (environment > saved > default).
    pub enum SettingSource {
        /// An environment variable set on this machine overrides it: the screen cannot change it.
        Env,
        /// Saved in the database for this workstation.
        Saved,
        /// Neither: the built-in default.
        Default,
    }

    /// One setting of this workstation, as the Settings screen shows it.
    pub struct WorkstationSettingView {
        pub key: String,
        pub value: String,
        pub source: SettingSource,
        /// The variable that overrides this setting, if any (`SHELFSYNC_...`).
        pub env_var: Option<String>,
        /// The variable is set but its value was refused, and why (it is then ignored).
        pub env_refused: Option<String>,
        /// When a change takes effect, in words.
        pub applies: String,
    }

    /// What "Save diagnostics" wrote.
    pub struct DiagnosticsView {
        /// The folder, next to the database.
        pub folder: String,
        /// The files in it, by name.
        pub files: Vec<String>,
    }
}
