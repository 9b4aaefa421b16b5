//! The sync dashboard, "why this number" for a SKU, re-pushes and the hub panel.

use super::stock::ItemView;

wire! {
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
        /// Flash-sale mode: the item sells fast and this listing lists at most its share.
        pub flash: Option<FlashShareView>,
    }

    /// A listing's flash-sale share (shelfsync_core::flash::FlashShare).
    pub struct FlashShareView {
        pub window_secs: u32,
        /// Channel sales of the item within the window.
        pub sales_in_window: u32,
        /// Units the item's listings share.
        #[ts(type = "number")]
        pub shared_units: i64,
        pub listings: u32,
        /// This listing's part.
        #[ts(type = "number")]
        pub share: i64,
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
            flash: a.flash.map(|f| FlashShareView {
                window_secs: f.window_secs,
                sales_in_window: f.sales_in_window,
                shared_units: f.shared_units,
                listings: f.listings,
                share: f.share,
            }),
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
