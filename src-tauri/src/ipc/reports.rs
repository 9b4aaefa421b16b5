//! The Reports screen's charts and the count pack (issue 20).

wire! {
    /// How count variance is grouped: per count session, location or category.
    pub enum VarianceGroupView {
        Session,
        Location,
        Category,
    }

    /// One bar of a variance chart (shelfsync_store::VarianceGroupRow).
    pub struct VarianceBarView {
        /// The session id, location code or category.
        pub key: String,
        pub label: String,
        /// When the (newest) session started.
        pub at: String,
        #[ts(type = "number")]
        pub lines: i64,
        #[ts(type = "number")]
        pub net_units: i64,
        #[ts(type = "number")]
        pub net_value_cents: i64,
        #[ts(type = "number")]
        pub abs_value_cents: i64,
    }

    /// One month of inventory record accuracy (shelfsync_store::AccuracyRow).
    pub struct AccuracyPointView {
        /// YYYY-MM.
        pub month: String,
        #[ts(type = "number")]
        pub lines: i64,
        #[ts(type = "number")]
        pub within_tolerance: i64,
        /// 0 to 100, one decimal.
        pub accuracy_pct: f64,
        #[ts(type = "number")]
        pub net_value_cents: i64,
        #[ts(type = "number")]
        pub abs_value_cents: i64,
    }

    /// One reason's shrink: events, units and value (today's unit cost).
    pub struct ShrinkBarView {
        /// A loss reason code, `count_variance`, `transfer_short` or `unspecified`.
        pub reason: String,
        #[ts(type = "number")]
        pub events: i64,
        #[ts(type = "number")]
        pub units: i64,
        #[ts(type = "number")]
        pub value_cents: i64,
    }

    /// Shrink over a period, reasons largest value first.
    pub struct ShrinkView {
        pub days: u32,
        pub since: String,
        pub until: String,
        pub rows: Vec<ShrinkBarView>,
    }

    /// Which report a CSV export writes.
    pub enum ReportCsvKind {
        VarianceSession,
        VarianceLocation,
        VarianceCategory,
        Accuracy,
        Shrink,
        DriftHistory,
    }

    /// Which count pack to make: one session, or the month's (YYYY-MM) full counts; exactly one.
    pub struct CountPackRequest {
        pub session: Option<String>,
        pub month: Option<String>,
    }

    /// Where the count pack's PDF went, and what it holds.
    pub struct CountPackSaved {
        pub path: String,
        pub title: String,
        pub sessions: u32,
        pub lines: u32,
        /// Tenths of a percent: 987 is 98.7 %.
        #[ts(type = "number")]
        pub accuracy_permille: i64,
    }
}
