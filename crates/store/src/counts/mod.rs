//! Cycle counts and their approval. A count never freezes the warehouse: each scan records
//! what the ledger expected at that moment (the snapshot plus every movement since), so a
//! sale during the count is not a variance. Variances within tolerance post by themselves;
//! the rest wait for a supervisor who did not take part in the count.
//!
//! This module holds the sessions (start, scan, pause, submit, read); `approval` holds the
//! tolerances and the decisions on variances that wait for a supervisor.

mod approval;
mod blind;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{SecondsFormat, Utc};
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};
use serde::Serialize;
use shelfsync_core::{MAX_QTY, VelocityClass, classify_velocity};
use uuid::Uuid;

use crate::audit::audit_in;
use crate::ledger::read_balances;
use crate::users::User;
use crate::{Result, Store, StoreError};

pub use approval::Approval;
use approval::write_line;
pub use blind::BlindCounts;

/// Days of sales that decide a SKU's velocity class.
const VELOCITY_DAYS: i64 = 90;

/// What a new session counts.
#[derive(Clone, Debug, Default)]
pub struct CountScope {
    pub location: String,
    /// An explicit SKU list; when given, nothing else may be scanned into the session.
    pub skus: Vec<String>,
    pub class: Option<VelocityClass>,
    pub top: Option<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
    Recount,
}

impl Decision {
    fn as_str(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Reject => "reject",
            Decision::Recount => "recount",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CountLineView {
    pub id: Option<String>,
    pub sku: String,
    pub location: String,
    pub round: i64,
    pub counted: i64,
    /// Hidden (null) while a blind session is open.
    pub expected: Option<i64>,
    pub variance: Option<i64>,
    pub value: Option<f64>,
    /// posted | pending | rejected | recount, or counting before submission.
    pub state: String,
    pub counters: Vec<String>,
    pub decided_by: Option<String>,
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CountSessionView {
    pub id: String,
    pub status: String,
    pub location: String,
    pub scope: String,
    pub blind: bool,
    pub full: bool,
    pub created_by: String,
    pub created_at: String,
    pub scope_skus: usize,
    pub lines: Vec<CountLineView>,
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn immediate(store: &mut Store) -> Result<Transaction<'_>> {
    Ok(store.conn.transaction_with_behavior(TransactionBehavior::Immediate)?)
}

/// Whether a station line (its id) is already in a count: a retried commit records it once.
pub(crate) fn line_recorded(tx: &Transaction<'_>, line_id: Option<&str>) -> Result<bool> {
    let Some(line_id) = line_id else { return Ok(false) };
    Ok(tx
        .prepare_cached("SELECT 1 FROM count_entries WHERE line_id = ?1")?
        .query_row([line_id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// One count entry of `units` of `sku` inside `tx`, after the session's checks (open, in
/// scope, the SKU's line not yet submitted). The caller commits.
#[allow(clippy::too_many_arguments)] // the entry's own columns
pub(crate) fn count_entry_in(
    tx: &Transaction<'_>,
    session: &str,
    sku: &str,
    units: i64,
    replace: bool,
    by: &User,
    workstation: &str,
    line_id: Option<&str>,
) -> Result<()> {
    let row = session_row(tx, session)?;
    if row.status != "open" {
        return Err(StoreError::SessionClosed { id: session.into(), status: row.status });
    }
    if row.strict_scope && !row.scope.iter().any(|s| s == sku) {
        return Err(StoreError::OutOfScope { sku: sku.to_string(), session: session.into() });
    }
    let round = current_round(tx, session, sku)?;
    let submitted = tx
        .prepare_cached("SELECT state FROM count_lines WHERE session = ?1 AND sku = ?2 AND round = ?3")?
        .query_row(params![session, sku, round], |r| r.get::<_, String>(0))
        .optional()?;
    if let Some(state) = submitted {
        return Err(StoreError::SessionClosed { id: format!("{session} for {sku}"), status: state });
    }
    let expected = read_balances(tx, sku, &row.location)?.on_hand;
    tx.execute(
        "INSERT INTO count_entries (session, sku, round, qty, replace, expected, counter, workstation, at, line_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![session, sku, round, units, replace, expected, by.name, workstation, now(), line_id],
    )?;
    Ok(())
}

struct SessionRow {
    location: String,
    scope: Vec<String>,
    strict_scope: bool,
    full: bool,
    status: String,
}

fn session_row(tx: &rusqlite::Connection, id: &str) -> Result<SessionRow> {
    let row: Option<(String, String, String, bool, String)> = tx
        .prepare_cached(
            "SELECT location, scope, scope_label, full_count, status FROM count_sessions WHERE id = ?1",
        )?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .optional()?;
    let (location, scope, label, full, status) =
        row.ok_or_else(|| StoreError::UnknownSession(id.to_string()))?;
    let scope: Vec<String> = serde_json::from_str(&scope).unwrap_or_default();
    Ok(SessionRow { location, scope, strict_scope: label.starts_with("skus"), full, status })
}

impl Store {
    /// Opens a count session over a scope. Any signed-in user may count.
    pub fn start_count(
        &mut self,
        scope: &CountScope,
        blind: bool,
        full: bool,
        by: &User,
        workstation: &str,
    ) -> Result<String> {
        if !self.location_exists(&scope.location)? {
            return Err(StoreError::UnknownLocation(scope.location.clone()));
        }
        let (skus, label) = self.resolve_scope(scope)?;
        if skus.is_empty() {
            return Err(StoreError::EmptyScope(label));
        }
        let id = Uuid::now_v7().to_string();
        let snapshot: i64 =
            self.conn.query_row("SELECT coalesce(max(seq), 0) FROM events", [], |r| r.get(0))?;
        let tx = immediate(self)?;
        tx.execute(
            "INSERT INTO count_sessions (id, location, scope, scope_label, blind, full_count, status, created_by,
                 workstation, created_at, snapshot_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'open', ?7, ?8, ?9, ?10)",
            params![id, scope.location, serde_json::to_string(&skus).unwrap_or_default(), label, blind, full,
                    by.name, workstation, now(), snapshot],
        )?;
        audit_in(&tx, &by.name, workstation, "count.start", &id, &label)?;
        tx.commit()?;
        Ok(id)
    }

    fn resolve_scope(&self, scope: &CountScope) -> Result<(Vec<String>, String)> {
        if !scope.skus.is_empty() {
            for sku in &scope.skus {
                if self.item(sku)?.is_none() {
                    return Err(StoreError::UnknownSku(sku.clone()));
                }
                // Refused at the start, not at submit: a kit holds no stock (issue 21).
                if crate::kits::is_kit(&self.conn, sku)? {
                    return Err(StoreError::KitHoldsNoStock { sku: sku.clone(), verb: "count" });
                }
            }
            let set: BTreeSet<String> = scope.skus.iter().cloned().collect();
            return Ok((set.into_iter().collect(), format!("skus at {}", scope.location)));
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT sku FROM balances WHERE location = ?1 AND (on_hand != 0 OR damaged != 0) ORDER BY sku",
        )?;
        let mut skus: Vec<String> =
            stmt.query_map([&scope.location], |r| r.get(0))?.collect::<Result<_, _>>()?;
        let mut label = format!("location {}", scope.location);
        if scope.class.is_some() || scope.top.is_some() {
            let ranked = self.velocity_ranking()?;
            let in_location: BTreeSet<String> = skus.into_iter().collect();
            let ranked: Vec<(String, VelocityClass)> =
                ranked.into_iter().filter(|(sku, _)| in_location.contains(sku)).collect();
            skus = match (scope.class, scope.top) {
                (Some(class), _) => {
                    label = format!("class {class:?} at {}", scope.location);
                    ranked.into_iter().filter(|(_, c)| *c == class).map(|(s, _)| s).collect()
                }
                (None, Some(n)) => {
                    label = format!("top {n} at {}", scope.location);
                    ranked.into_iter().take(n).map(|(s, _)| s).collect()
                }
                (None, None) => unreachable!("guarded above"),
            };
            skus.sort();
        }
        Ok((skus, label))
    }

    /// Every SKU with its velocity class, fastest first, by units sold over 90 days.
    pub fn velocity_ranking(&self) -> Result<Vec<(String, VelocityClass)>> {
        let since =
            (Utc::now() - chrono::Duration::days(VELOCITY_DAYS)).to_rfc3339_opts(SecondsFormat::Millis, true);
        let mut stmt = self.conn.prepare_cached(
            "SELECT i.sku, coalesce(sum(json_extract(e.body, '$.qty')), 0) AS units
             FROM items i LEFT JOIN events e ON e.sku = i.sku AND e.kind = 'sale' AND e.occurred_at >= ?1
             GROUP BY i.sku ORDER BY units DESC, i.sku",
        )?;
        let sold: Vec<(String, i64)> =
            stmt.query_map([since], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
        Ok(classify_velocity(&sold))
    }

    /// Records one scan into a session. `replace` sets the SKU's count instead of adding to it.
    pub fn count_scan(
        &mut self,
        session: &str,
        code: &str,
        qty: i64,
        replace: bool,
        by: &User,
        workstation: &str,
    ) -> Result<String> {
        self.count_scan_line(session, code, qty, replace, by, workstation, None)
    }

    /// [`Store::count_scan`] for a line of the scan station's draft: `line_id` is the line's
    /// id, and a line already recorded under it is not recorded again (a retried commit).
    #[allow(clippy::too_many_arguments)] // the scan's own fields; a struct would only rename them
    pub fn count_scan_line(
        &mut self,
        session: &str,
        code: &str,
        qty: i64,
        replace: bool,
        by: &User,
        workstation: &str,
        line_id: Option<&str>,
    ) -> Result<String> {
        if !(0..=i64::from(MAX_QTY)).contains(&qty) {
            return Err(StoreError::Domain(shelfsync_core::DomainError::QuantityOutOfRange {
                got: qty,
                max: i64::from(MAX_QTY),
            }));
        }
        // A pack's barcode counts its qty units per scan (issue 21); a kit is never counted.
        let resolved = self.resolve_units(code)?;
        let qty = i64::from(resolved.units_for(qty as u32)?);
        let sku = resolved.sku;
        if crate::kits::is_kit(&self.conn, sku.as_str())? {
            return Err(StoreError::KitHoldsNoStock { sku: sku.to_string(), verb: "count" });
        }
        let tx = immediate(self)?;
        if line_recorded(&tx, line_id)? {
            return Ok(sku.to_string());
        }
        count_entry_in(&tx, session, sku.as_str(), qty, replace, by, workstation, line_id)?;
        tx.commit()?;
        Ok(sku.to_string())
    }

    pub fn set_count_paused(
        &mut self,
        session: &str,
        paused: bool,
        by: &User,
        workstation: &str,
    ) -> Result<()> {
        let tx = immediate(self)?;
        let row = session_row(&tx, session)?;
        let (from, to) = if paused { ("open", "paused") } else { ("paused", "open") };
        if row.status != from {
            return Err(StoreError::SessionClosed { id: session.into(), status: row.status });
        }
        tx.execute("UPDATE count_sessions SET status = ?2 WHERE id = ?1", params![session, to])?;
        audit_in(&tx, &by.name, workstation, &format!("count.{to}"), session, "")?;
        tx.commit()?;
        Ok(())
    }

    /// Closes counting: each SKU's total becomes a line with its variance. Lines within
    /// tolerance post at once (when auto-post is on); the rest wait for a supervisor. In a
    /// full count, SKUs in scope that nobody counted are counted as zero, but only with
    /// `confirm_zero`, because that can write off real stock.
    pub fn submit_count(
        &mut self,
        session: &str,
        confirm_zero: bool,
        by: &User,
        workstation: &str,
    ) -> Result<()> {
        let tx = immediate(self)?;
        let row = session_row(&tx, session)?;
        if row.status != "open" {
            return Err(StoreError::SessionClosed { id: session.into(), status: row.status });
        }
        let mut totals = counted_totals(&tx, session)?;
        if row.full {
            let uncounted: Vec<String> = row
                .scope
                .iter()
                .filter(|sku| !totals.contains_key(*sku) && !has_any_line(&tx, session, sku).unwrap_or(true))
                .cloned()
                .collect();
            if !uncounted.is_empty() && !confirm_zero {
                return Err(StoreError::UncountedInFullCount(uncounted.len()));
            }
            for sku in uncounted {
                let expected = read_balances(&tx, &sku, &row.location)?.on_hand;
                totals.insert(sku, Tally { round: 1, counted: 0, expected, counters: BTreeSet::new() });
            }
        }
        if totals.is_empty() {
            return Err(StoreError::NothingCounted(session.into()));
        }
        for (sku, tally) in totals {
            write_line(&tx, session, &row.location, &sku, &tally, by, workstation)?;
        }
        tx.execute("UPDATE count_sessions SET status = 'submitted' WHERE id = ?1", [session])?;
        audit_in(&tx, &by.name, workstation, "count.submit", session, "")?;
        tx.commit()?;
        Ok(())
    }

    /// A session with its lines; `reveal` shows expected quantities even in a blind session.
    pub fn count_session(&self, id: &str, reveal: bool) -> Result<CountSessionView> {
        let (location, scope, label, blind, full, status, created_by, created_at): (String, String, String, bool, bool, String, String, String) = self
            .conn
            .query_row(
                "SELECT location, scope, scope_label, blind, full_count, status, created_by, created_at FROM count_sessions WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?)),
            )
            .optional()?
            .ok_or_else(|| StoreError::UnknownSession(id.to_string()))?;
        let hide = blind && status != "submitted" && !reveal;
        let mut lines = self.submitted_lines(id, &location, hide)?;
        for (sku, tally) in counted_totals(&self.conn, id)? {
            lines.push(CountLineView {
                id: None,
                sku,
                location: location.clone(),
                round: tally.round,
                counted: tally.counted,
                expected: (!hide).then_some(tally.expected),
                variance: (!hide).then_some(tally.counted - tally.expected),
                value: None,
                state: "counting".into(),
                counters: tally.counters.into_iter().collect(),
                decided_by: None,
                reason: None,
            });
        }
        let scope_skus = serde_json::from_str::<Vec<String>>(&scope).map(|s| s.len()).unwrap_or(0);
        Ok(CountSessionView {
            id: id.into(),
            status,
            location,
            scope: label,
            blind,
            full,
            created_by,
            created_at,
            scope_skus,
            lines,
        })
    }

    fn submitted_lines(&self, id: &str, location: &str, hide: bool) -> Result<Vec<CountLineView>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, sku, round, counted, expected, variance, value_cents, state, counters, decided_by, reason
             FROM count_lines WHERE session = ?1 ORDER BY sku, round",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok(CountLineView {
                id: Some(r.get(0)?),
                sku: r.get(1)?,
                location: location.to_string(),
                round: r.get(2)?,
                counted: r.get(3)?,
                expected: (!hide).then_some(r.get(4)?),
                variance: (!hide).then_some(r.get(5)?),
                value: (!hide).then_some(r.get::<_, i64>(6)? as f64 / 100.0),
                state: r.get(7)?,
                counters: serde_json::from_str(&r.get::<_, String>(8)?).unwrap_or_default(),
                decided_by: r.get(9)?,
                reason: r.get(10)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// The SKU's open round: one more than the recounts it has had.
pub(crate) fn current_round(conn: &rusqlite::Connection, session: &str, sku: &str) -> Result<i64> {
    let recounts: i64 = conn.query_row(
        "SELECT count(*) FROM count_lines WHERE session = ?1 AND sku = ?2 AND state = 'recount'",
        params![session, sku],
        |r| r.get(0),
    )?;
    Ok(recounts + 1)
}

fn has_any_line(conn: &rusqlite::Connection, session: &str, sku: &str) -> Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM count_lines WHERE session = ?1 AND sku = ?2 LIMIT 1",
            params![session, sku],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

struct Tally {
    round: i64,
    counted: i64,
    /// What the ledger expected at the SKU's last scan: the count is complete only then.
    expected: i64,
    counters: BTreeSet<String>,
}

/// Per SKU, the entries of its open round not yet turned into a line.
fn counted_totals(conn: &rusqlite::Connection, session: &str) -> Result<BTreeMap<String, Tally>> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.sku, e.round, e.qty, e.replace, e.expected, e.counter FROM count_entries e
         WHERE e.session = ?1
           AND NOT EXISTS (SELECT 1 FROM count_lines l WHERE l.session = e.session AND l.sku = e.sku AND l.round = e.round)
         ORDER BY e.seq",
    )?;
    let mut rows = stmt.query([session])?;
    let mut totals: BTreeMap<String, Tally> = BTreeMap::new();
    while let Some(r) = rows.next()? {
        let (sku, round, qty, replace, expected, counter): (String, i64, i64, bool, i64, String) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?);
        let tally =
            totals.entry(sku).or_insert(Tally { round, counted: 0, expected, counters: BTreeSet::new() });
        tally.counted = if replace { qty } else { tally.counted + qty };
        tally.expected = expected;
        tally.counters.insert(counter);
    }
    Ok(totals)
}
