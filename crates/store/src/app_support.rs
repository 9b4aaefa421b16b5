//! Read-only queries the desktop app's screens need and the CLI does not: the list of count
//! sessions with their progress, a SKU's count history at a location, and the stored
//! reconciliation runs. Reads only; every write still goes through the counting and ledger APIs
//! (and reconciliation runs are written by the capture crate's reconciliation).

use rusqlite::params;
use serde::Serialize;

use crate::{Result, Store};

/// Most sessions the counts screen lists: a warehouse has a handful open at a time.
pub const MAX_SESSIONS_LISTED: usize = 100;
/// Most history lines one look returns.
pub const MAX_HISTORY_LINES: usize = 50;
/// Most reconciliation runs one read returns: four a day per channel for a month fits.
pub const MAX_RECONCILE_RUNS: u32 = 500;

/// A count session as the counts screen lists it: what it covers and how far it has got.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CountSessionSummary {
    pub id: String,
    /// open | paused | submitted
    pub status: String,
    pub location: String,
    pub scope: String,
    pub blind: bool,
    pub full: bool,
    pub created_by: String,
    pub created_at: String,
    pub plan: Option<String>,
    /// SKUs in scope (the scope list is fixed when the session starts).
    pub scope_skus: u64,
    /// Distinct SKUs scanned so far, in any round.
    pub counted_skus: u64,
    /// Scans recorded so far.
    pub entries: u64,
    /// Submitted lines waiting for a supervisor.
    pub pending_lines: u64,
}

/// One earlier count line of a SKU at a location.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CountHistoryLine {
    pub session: String,
    pub counted_at: String,
    pub round: i64,
    pub counted: i64,
    pub expected: i64,
    pub variance: i64,
    pub state: String,
    pub decided_by: Option<String>,
}

impl Store {
    /// Sessions still being counted (open or paused) and submitted ones with lines waiting for
    /// a decision, newest first, at most `limit` (capped at [`MAX_SESSIONS_LISTED`]).
    pub fn count_sessions_overview(&self, limit: usize) -> Result<Vec<CountSessionSummary>> {
        let limit = limit.clamp(1, MAX_SESSIONS_LISTED) as i64;
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.id, s.status, s.location, s.scope_label, s.blind, s.full_count, s.created_by, s.created_at,
                    s.plan, json_array_length(s.scope),
                    (SELECT count(DISTINCT e.sku) FROM count_entries e WHERE e.session = s.id),
                    (SELECT count(*) FROM count_entries e WHERE e.session = s.id),
                    (SELECT count(*) FROM count_lines l WHERE l.session = s.id AND l.state = 'pending')
             FROM count_sessions s
             WHERE s.status IN ('open', 'paused')
                OR EXISTS (SELECT 1 FROM count_lines l WHERE l.session = s.id AND l.state = 'pending')
             ORDER BY s.created_at DESC, s.id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit], |r| {
            Ok(CountSessionSummary {
                id: r.get(0)?,
                status: r.get(1)?,
                location: r.get(2)?,
                scope: r.get(3)?,
                blind: r.get(4)?,
                full: r.get(5)?,
                created_by: r.get(6)?,
                created_at: r.get(7)?,
                plan: r.get(8)?,
                scope_skus: r.get::<_, i64>(9)? as u64,
                counted_skus: r.get::<_, i64>(10)? as u64,
                entries: r.get::<_, i64>(11)? as u64,
                pending_lines: r.get::<_, i64>(12)? as u64,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Earlier count lines of `sku` at `location`, newest first, at most `limit`.
    pub fn count_history(&self, sku: &str, location: &str, limit: usize) -> Result<Vec<CountHistoryLine>> {
        let limit = limit.clamp(1, MAX_HISTORY_LINES) as i64;
        let mut stmt = self.conn.prepare_cached(
            "SELECT l.session, s.created_at, l.round, l.counted, l.expected, l.variance, l.state, l.decided_by
             FROM count_lines l JOIN count_sessions s ON s.id = l.session
             WHERE l.sku = ?1 AND s.location = ?2
             ORDER BY s.created_at DESC, l.round DESC LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![sku, location, limit], |r| {
            Ok(CountHistoryLine {
                session: r.get(0)?,
                counted_at: r.get(1)?,
                round: r.get(2)?,
                counted: r.get(3)?,
                expected: r.get(4)?,
                variance: r.get(5)?,
                state: r.get(6)?,
                decided_by: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Stored reconciliation runs, newest first, at most `limit` (capped at
    /// [`MAX_RECONCILE_RUNS`]). The report stays the JSON the reconciliation wrote: its reader
    /// (the app's monitoring screen) decides which fields it shows.
    pub fn reconcile_runs_newest(&self, limit: u32) -> Result<Vec<ReconcileRunRow>> {
        let limit = limit.clamp(1, MAX_RECONCILE_RUNS);
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, channel, at, checked, report FROM reconcile_runs ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit], |r| {
            Ok(ReconcileRunRow {
                id: r.get(0)?,
                channel: r.get(1)?,
                at: r.get(2)?,
                checked: r.get(3)?,
                report: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// One stored reconciliation run of one channel, as `reconcile_runs` holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReconcileRunRow {
    pub id: i64,
    pub channel: String,
    /// RFC 3339, when the run finished.
    pub at: String,
    /// Listings compared.
    pub checked: i64,
    /// The run's report as JSON (rule, gaps).
    pub report: String,
}
