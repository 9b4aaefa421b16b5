//! The Reports screen's and `shelfsync report`'s reads (issue 20): count variance grouped by
//! session, location or category; shrink grouped by reason; the count pack a supervisor signs.
//! The SQL only narrows and groups rows; what is shrink, under which reason, and what a pack's
//! accuracy is are core's rules (`shelfsync_core::reports`).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, SecondsFormat, Utc};
use rusqlite::params;
use serde::Serialize;
use shelfsync_core::reports::{CountPack, PackLine, PackSession, shrink_reason, shrink_units};
use shelfsync_core::{Event, loss_value_cents};
use thiserror::Error;

use crate::{Result, Store, StoreError};

/// Groups a variance chart shows at most: two years of monthly counts, or every location and
/// category of a mid-sized warehouse. The rest are summed into nothing: the chart says how
/// many it left off.
pub const MAX_VARIANCE_GROUPS: usize = 48;
/// The longest shrink period: a year (and a day for a leap year). Longer walks every event.
pub const MAX_SHRINK_DAYS: u32 = 366;
/// Events one shrink report reads at most: a year of a busy warehouse's losses and counts.
pub const MAX_SHRINK_EVENTS: i64 = 200_000;
/// Sessions one pack holds at most: a month's full counts, one per location.
pub const MAX_PACK_SESSIONS: usize = 20;
/// Lines one pack holds at most: about 170 A4 pages at some 30 lines a page, more than anyone
/// signs page by page.
pub const MAX_PACK_LINES: usize = 5_000;

/// Why a report cannot be made; each prints as one line, and nothing is written.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ReportError {
    #[error("'{0}' is not a month: write it as YYYY-MM (for example 2026-11)")]
    BadMonth(String),
    #[error("no full count was started in {0}: there is no monthly count to pack")]
    NoMonthlyCount(String),
    #[error("the pack would hold {count} {what}, more than {max}: pack one count session at a time")]
    PackTooLarge { what: &'static str, count: usize, max: usize },
    #[error("shrink over {0} days: choose 1 to {max} days", max = MAX_SHRINK_DAYS)]
    ShrinkDays(u32),
    #[error("the period holds more than {max} loss and count events: choose fewer days", max = MAX_SHRINK_EVENTS)]
    ShrinkTooLong,
}

/// How count variance is grouped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VarianceGroup {
    Session,
    Location,
    Category,
}

/// One bar of a variance chart: the lines of a session, location or category.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VarianceGroupRow {
    /// The session id, location code or category.
    pub key: String,
    /// For a session: its scope and location; else the key again.
    pub label: String,
    /// For a session: when it started; else the newest session's start.
    pub at: String,
    pub lines: i64,
    pub net_units: i64,
    pub net_value_cents: i64,
    pub abs_value_cents: i64,
}

/// One bar of the shrink chart: what left for good under one reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ShrinkRow {
    pub reason: String,
    pub events: i64,
    pub units: i64,
    /// units x today's unit cost (the ledger keeps no historical cost).
    pub value_cents: i64,
}

/// Shrink over a period, reasons largest value first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ShrinkReport {
    pub since: String,
    pub until: String,
    pub rows: Vec<ShrinkRow>,
}

impl Store {
    /// Count variance grouped by session (newest first), location or category (largest
    /// absolute value first), at most `MAX_VARIANCE_GROUPS` groups. Recounted lines are left
    /// out, as in the accuracy report: their recount is the line that counts.
    pub fn variance_by(&self, group: VarianceGroup) -> Result<Vec<VarianceGroupRow>> {
        let (key, label, order) = match group {
            VarianceGroup::Session => {
                ("s.id", "s.scope_label || ' at ' || s.location", "max(s.created_at) DESC, s.id")
            }
            VarianceGroup::Location => ("s.location", "s.location", "abs_value DESC, key"),
            VarianceGroup::Category => ("i.category", "i.category", "abs_value DESC, key"),
        };
        let sql = format!(
            "SELECT {key} AS key, min({label}), max(s.created_at), count(*), sum(l.variance),
                    sum(l.variance * i.unit_cost_cents), sum(abs(l.variance) * i.unit_cost_cents) AS abs_value
             FROM count_lines l JOIN count_sessions s ON s.id = l.session JOIN items i ON i.sku = l.sku
             WHERE l.state != 'recount' GROUP BY key ORDER BY {order} LIMIT ?1"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([MAX_VARIANCE_GROUPS as i64], |r| {
            Ok(VarianceGroupRow {
                key: r.get(0)?,
                label: r.get(1)?,
                at: r.get(2)?,
                lines: r.get(3)?,
                net_units: r.get(4)?,
                net_value_cents: r.get(5)?,
                abs_value_cents: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Shrink over the `days` before `now`, grouped by reason (core's rule), largest value
    /// first. Reversed events are left out: their reversal undid the loss.
    pub fn shrink_report(&self, days: u32, now: DateTime<Utc>) -> Result<ShrinkReport> {
        if !(1..=MAX_SHRINK_DAYS).contains(&days) {
            return Err(ReportError::ShrinkDays(days).into());
        }
        let since = (now - Duration::days(i64::from(days))).to_rfc3339_opts(SecondsFormat::Millis, true);
        let until = now.to_rfc3339_opts(SecondsFormat::Millis, true);
        let mut stmt = self.conn.prepare_cached(
            "SELECT e.seq, e.body, i.unit_cost_cents FROM events e JOIN items i ON i.sku = e.sku
             WHERE e.occurred_at >= ?1 AND e.occurred_at <= ?2
               AND e.kind IN ('write_off', 'adjust', 'count_posting', 'transfer_receive')
               AND NOT EXISTS (SELECT 1 FROM events r WHERE r.closes = e.id)
             LIMIT ?3",
        )?;
        let mut rows = stmt.query(params![since, until, MAX_SHRINK_EVENTS + 1])?;
        let mut by_reason: BTreeMap<&'static str, ShrinkRow> = BTreeMap::new();
        let mut read = 0;
        while let Some(row) = rows.next()? {
            read += 1;
            if read > MAX_SHRINK_EVENTS {
                return Err(ReportError::ShrinkTooLong.into());
            }
            let (seq, body, unit_cost): (i64, String, i64) = (row.get(0)?, row.get(1)?, row.get(2)?);
            let event: Event = serde_json::from_str(&body)
                .map_err(|e| StoreError::CorruptEvent { seq, reason: e.to_string() })?;
            let Some(units) = shrink_units(&event.movement) else { continue };
            let reason = shrink_reason(&event.movement, event.reason.as_deref());
            let entry = by_reason.entry(reason).or_insert_with(|| ShrinkRow {
                reason: reason.into(),
                events: 0,
                units: 0,
                value_cents: 0,
            });
            entry.events += 1;
            entry.units = entry.units.saturating_add(units);
            entry.value_cents = entry.value_cents.saturating_add(loss_value_cents(units, unit_cost));
        }
        let mut rows: Vec<ShrinkRow> = by_reason.into_values().collect();
        rows.sort_by(|a, b| b.value_cents.cmp(&a.value_cents).then_with(|| a.reason.cmp(&b.reason)));
        Ok(ShrinkReport { since, until, rows })
    }

    /// One count session's pack: its lines (every round), who counted, who decided and why.
    pub fn count_pack_session(&self, session: &str, by: &str, now: DateTime<Utc>) -> Result<CountPack> {
        let found = self.pack_sessions("s.id = ?1", session)?;
        if found.is_empty() {
            return Err(StoreError::UnknownSession(session.into()));
        }
        finish_pack(format!("Count {session}"), found, by, now)
    }

    /// The monthly count's pack: every full count started in `month` (YYYY-MM, UTC).
    pub fn count_pack_month(&self, month: &str, by: &str, now: DateTime<Utc>) -> Result<CountPack> {
        let valid = month.len() == 7 && NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").is_ok();
        if !valid {
            return Err(ReportError::BadMonth(month.chars().take(40).collect()).into());
        }
        let found = self.pack_sessions("s.full_count = 1 AND substr(s.created_at, 1, 7) = ?1", month)?;
        if found.is_empty() {
            return Err(ReportError::NoMonthlyCount(month.into()).into());
        }
        finish_pack(format!("Monthly count {month}"), found, by, now)
    }

    /// The sessions `filter` picks (with `?1` bound to `value`), oldest first, with their lines;
    /// one more session than a pack may hold, so the caller can refuse.
    fn pack_sessions(&self, filter: &str, value: &str) -> Result<Vec<PackSession>> {
        let sql = format!(
            "SELECT s.id, s.location, s.scope_label, s.full_count, s.blind, s.status, s.created_by, s.created_at, s.plan
             FROM count_sessions s WHERE {filter} ORDER BY s.created_at, s.id LIMIT ?2"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let sessions = stmt
            .query_map(params![value, MAX_PACK_SESSIONS as i64 + 1], |r| {
                Ok(PackSession {
                    id: r.get(0)?,
                    location: r.get(1)?,
                    scope_label: r.get(2)?,
                    full_count: r.get(3)?,
                    blind: r.get(4)?,
                    status: r.get(5)?,
                    started_by: r.get(6)?,
                    started_at: r.get(7)?,
                    plan: r.get(8)?,
                    lines: Vec::new(),
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        if sessions.len() > MAX_PACK_SESSIONS {
            return Err(ReportError::PackTooLarge {
                what: "count sessions",
                count: sessions.len(),
                max: MAX_PACK_SESSIONS,
            }
            .into());
        }
        let mut lines = self.conn.prepare_cached(
            "SELECT l.sku, i.name, l.round, l.counted, l.expected, l.variance, l.variance * i.unit_cost_cents,
                    l.state, l.counters, l.decided_by, l.decided_at, l.reason
             FROM count_lines l JOIN items i ON i.sku = l.sku WHERE l.session = ?1 ORDER BY l.sku, l.round
             LIMIT ?2",
        )?;
        let mut out = Vec::with_capacity(sessions.len());
        let mut total = 0;
        for mut session in sessions {
            session.lines = lines
                .query_map(params![session.id, MAX_PACK_LINES as i64 + 1], |r| {
                    let counters: Vec<String> =
                        serde_json::from_str(&r.get::<_, String>(8)?).unwrap_or_default();
                    Ok(PackLine {
                        sku: r.get(0)?,
                        name: r.get(1)?,
                        round: r.get(2)?,
                        counted: r.get(3)?,
                        expected: r.get(4)?,
                        variance: r.get(5)?,
                        value_cents: r.get(6)?,
                        state: r.get(7)?,
                        counters: counters.join(" "),
                        decided_by: r.get(9)?,
                        decided_at: r.get(10)?,
                        reason: r.get(11)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            total += session.lines.len();
            if total > MAX_PACK_LINES {
                return Err(
                    ReportError::PackTooLarge { what: "lines", count: total, max: MAX_PACK_LINES }.into()
                );
            }
            out.push(session);
        }
        Ok(out)
    }
}

fn finish_pack(title: String, sessions: Vec<PackSession>, by: &str, now: DateTime<Utc>) -> Result<CountPack> {
    Ok(CountPack {
        title,
        generated_at: now.to_rfc3339_opts(SecondsFormat::Secs, true),
        generated_by: by.into(),
        sessions,
    })
}
