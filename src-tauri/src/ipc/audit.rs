//! The Audit screen: a page of the audit chain and the chain's verdict.

wire! {
    /// What the Audit screen filters by; an empty or absent field is no filter. The store
    /// checks it (`Store::audit_entries`) and refuses a bad one in one line.
    pub struct AuditFilterInput {
        /// Who made the entries, as the chain names them (a user, `service:WS1`, `hub:WS2`).
        pub actor: Option<String>,
        pub sku: Option<String>,
        /// A family (`event`) or one kind (`event.receive`).
        pub kind: Option<String>,
        /// RFC 3339, or a date (its first instant, UTC). Inclusive.
        pub since: Option<String>,
        /// RFC 3339, or a date (up to the end of that day, UTC). Exclusive.
        pub until: Option<String>,
        /// The page before's `nextBefore`: only entries older than it.
        #[ts(type = "number | null")]
        pub before: Option<i64>,
        /// 1 to 500; 50 when absent.
        pub limit: Option<u32>,
    }

    pub struct AuditEntryView {
        #[ts(type = "number")]
        pub seq: i64,
        pub at: String,
        pub actor: String,
        pub workstation: String,
        pub kind: String,
        pub subject: String,
        /// The item the entry concerns, when it concerns one.
        pub sku: Option<String>,
        /// As stored, cut at 2,000 characters (`detailTruncated` says so).
        pub detail: String,
        pub detail_truncated: bool,
    }

    pub struct AuditPageView {
        /// Newest first.
        pub entries: Vec<AuditEntryView>,
        /// Pass as `before` for the next (older) page; null on the last page.
        #[ts(type = "number | null")]
        pub next_before: Option<i64>,
        pub limit: u32,
        /// The kinds the filter knows, and their families, for the screen's suggestions.
        pub kinds: Vec<String>,
    }

    /// Where the chain first breaks: the entry's number and why.
    pub struct AuditBreakView {
        #[ts(type = "number")]
        pub seq: i64,
        pub reason: String,
    }

    pub struct AuditVerifyView {
        #[ts(type = "number")]
        pub entries: u64,
        pub intact: bool,
        pub first_break: Option<AuditBreakView>,
    }
}
