//! Monitoring: alerts, incidents, reconciliation, drift audits, CSV exports and imports.

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
        /// The root-cause category (core's root_cause list); `null` while open or when resolved
        /// before categories.
        pub cause_category: Option<String>,
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

    /// One Quick Reference measure (shelfsync_capture::scorecard::ScoreLine).
    pub struct ScoreLineView {
        pub key: String,
        pub label: String,
        /// None: nothing measured yet (or a job that never ran: see `detail`).
        pub value: Option<f64>,
        pub target: f64,
        pub red_flag: f64,
        /// "lower" or "higher": which way is better.
        pub better: String,
        /// "met", "missed", "red_flag" or "no_data".
        pub verdict: String,
        pub detail: String,
    }

    /// The scorecard over the `days` before `at`.
    pub struct ScorecardView {
        pub at: String,
        pub days: u32,
        pub lines: Vec<ScoreLineView>,
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

    /// Which CSV file an import loads: the CLI's `import items|locations|stock|packs`.
    pub enum ImportKind {
        Items,
        Locations,
        Stock,
        /// `barcode,sku,qty`: a barcode that books `qty` units of an item per scan.
        Packs,
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
            cause_category: i.cause_category,
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
