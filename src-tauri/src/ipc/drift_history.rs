//! The drift audits' history on the Reports screen.

wire! {
    /// One stored drift audit (shelfsync_capture::drift::DriftRun): the service's daily top 50
    /// (`top`), its weekly whole catalogue (`full`, which keeps only its flagged rows) or one a
    /// person ran (`manual`).
    pub struct DriftRunView {
        #[ts(type = "number")]
        pub id: i64,
        pub scope: String,
        pub top: u32,
        pub started_at: String,
        pub finished_at: String,
        pub checked: u32,
        pub flagged: u32,
        /// `all`, or `flagged` when only the flagged rows were kept.
        pub rows_kept: String,
        pub actor: String,
    }
}

impl From<shelfsync_capture::drift::DriftRun> for DriftRunView {
    fn from(r: shelfsync_capture::drift::DriftRun) -> DriftRunView {
        let small = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        DriftRunView {
            id: r.id,
            scope: r.scope.as_str().to_string(),
            top: small(r.top),
            started_at: r.started_at,
            finished_at: r.finished_at,
            checked: small(r.checked),
            flagged: small(r.flagged),
            rows_kept: r.rows_kept,
            actor: r.actor,
        }
    }
}
