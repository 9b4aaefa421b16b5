//! Cycle counts: sessions, their lines, what is due, earlier counts of a SKU.

wire! {
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
