//! Count reports and plans: the variance report per session, accuracy over time, and the
//! rolling cycle-count plans that generate sessions when they fall due.

use chrono::{DateTime, Datelike, Duration, SecondsFormat, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use shelfsync_core::VelocityClass;

use crate::counts::CountScope;
use crate::users::User;
use crate::{Result, Store};

/// One line of a session's variance report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VarianceRow {
    pub session: String,
    pub sku: String,
    pub round: i64,
    pub counted: i64,
    pub expected: i64,
    pub variance: i64,
    /// variance x unit cost, signed.
    pub value: f64,
    pub state: String,
    pub counted_by: String,
    pub approved_by: Option<String>,
}

/// Counting accuracy for one month.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AccuracyRow {
    pub month: String,
    pub lines: i64,
    pub within_tolerance: i64,
    pub accuracy_pct: f64,
    pub net_variance_value: f64,
    pub abs_variance_value: f64,
}

/// A count a plan says is due now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DueCount {
    /// The plan and its period, e.g. `cycle-A:2026-11`; a session carries it, so a plan never
    /// generates the same period twice.
    pub plan: String,
    pub location: String,
    pub skus: Vec<String>,
    pub full: bool,
    pub session: Option<String>,
}

/// How often each velocity class is counted: A monthly, B quarterly, C twice a year.
pub const CYCLE_DAYS: [(VelocityClass, i64); 3] =
    [(VelocityClass::A, 30), (VelocityClass::B, 91), (VelocityClass::C, 182)];

impl Store {
    pub fn variance_report(&self, session: &str) -> Result<Vec<VarianceRow>> {
        self.count_session(session, true)?; // an unknown session is an error, not an empty report
        let mut stmt = self.conn.prepare_cached(
            "SELECT l.session, l.sku, l.round, l.counted, l.expected, l.variance, l.variance * i.unit_cost_cents,
                    l.state, l.counters, l.decided_by
             FROM count_lines l JOIN items i ON i.sku = l.sku WHERE l.session = ?1 ORDER BY l.sku, l.round",
        )?;
        let rows = stmt.query_map([session], |r| {
            let counters: Vec<String> = serde_json::from_str(&r.get::<_, String>(8)?).unwrap_or_default();
            let state: String = r.get(7)?;
            let decided_by: Option<String> = r.get(9)?;
            Ok(VarianceRow {
                session: r.get(0)?,
                sku: r.get(1)?,
                round: r.get(2)?,
                counted: r.get(3)?,
                expected: r.get(4)?,
                variance: r.get(5)?,
                value: r.get::<_, i64>(6)? as f64 / 100.0,
                approved_by: decided_by.filter(|_| state == "posted"),
                state,
                counted_by: counters.join(" "),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Per month: the share of counted lines within tolerance (posted with no decision needed),
    /// and the net and absolute variance value. Recounted lines are left out: their recount is
    /// the line that counts.
    pub fn accuracy_report(&self) -> Result<Vec<AccuracyRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT substr(s.created_at, 1, 7) AS month, count(*),
                    sum(CASE WHEN l.state = 'posted' AND l.decided_by IS NULL THEN 1 ELSE 0 END),
                    sum(l.variance * i.unit_cost_cents), sum(abs(l.variance) * i.unit_cost_cents)
             FROM count_lines l JOIN count_sessions s ON s.id = l.session JOIN items i ON i.sku = l.sku
             WHERE l.state != 'recount' GROUP BY month ORDER BY month",
        )?;
        let rows = stmt.query_map([], |r| {
            let lines: i64 = r.get(1)?;
            let within: i64 = r.get(2)?;
            Ok(AccuracyRow {
                month: r.get(0)?,
                lines,
                within_tolerance: within,
                accuracy_pct: if lines == 0 {
                    0.0
                } else {
                    (within as f64 * 1000.0 / lines as f64).round() / 10.0
                },
                net_variance_value: r.get::<_, i64>(3)? as f64 / 100.0,
                abs_variance_value: r.get::<_, i64>(4)? as f64 / 100.0,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The counts due at a location at `now`: the monthly full count, and per velocity class
    /// the SKUs not counted within their cycle. With `generate`, opens a session for each, once
    /// per plan and period.
    pub fn due_counts(
        &mut self,
        location: &str,
        now: DateTime<Utc>,
        generate: Option<&User>,
        workstation: &str,
    ) -> Result<Vec<DueCount>> {
        if !self.location_exists(location)? {
            return Err(crate::StoreError::UnknownLocation(location.into()));
        }
        let month = format!("{:04}-{:02}", now.year(), now.month());
        let mut due = Vec::new();
        let full_plan = format!("full:{location}:{month}");
        if !self.plan_exists(&full_plan)? {
            due.push(DueCount {
                plan: full_plan,
                location: location.into(),
                skus: vec![],
                full: true,
                session: None,
            });
        }
        let ranking = self.velocity_ranking()?;
        for (class, days) in CYCLE_DAYS {
            let plan = format!("cycle-{class:?}:{location}:{}", period_key(now, days));
            if self.plan_exists(&plan)? {
                continue;
            }
            let cutoff = (now - Duration::days(days)).to_rfc3339_opts(SecondsFormat::Millis, true);
            let mut skus = Vec::new();
            for (sku, _) in ranking.iter().filter(|(_, c)| *c == class) {
                if self.stocked_at(sku, location)? && !self.counted_since(sku, location, &cutoff)? {
                    skus.push(sku.clone());
                }
            }
            if !skus.is_empty() {
                skus.sort();
                due.push(DueCount { plan, location: location.into(), skus, full: false, session: None });
            }
        }
        if let Some(user) = generate {
            for count in &mut due {
                let scope = CountScope {
                    location: location.into(),
                    skus: count.skus.clone(),
                    ..CountScope::default()
                };
                let id = self.start_count(&scope, false, count.full, user, workstation)?;
                self.conn
                    .execute("UPDATE count_sessions SET plan = ?2 WHERE id = ?1", params![id, count.plan])?;
                count.session = Some(id);
            }
        }
        Ok(due)
    }

    /// Starts the one due count named `plan` at `location` (the Counts screen's Start on a
    /// "Due by plan" row): the session `due_counts` with `generate` would start for it, and
    /// no other. `None` when that plan is not due there now (unknown, or already started).
    pub fn start_due_count(
        &mut self,
        location: &str,
        plan: &str,
        now: DateTime<Utc>,
        by: &User,
        workstation: &str,
    ) -> Result<Option<String>> {
        crate::users::require(by, shelfsync_core::Action::CountGenerate)?;
        let Some(count) =
            self.due_counts(location, now, None, workstation)?.into_iter().find(|d| d.plan == plan)
        else {
            return Ok(None);
        };
        let scope = CountScope { location: location.into(), skus: count.skus, ..CountScope::default() };
        let id = self.start_count(&scope, false, count.full, by, workstation)?;
        self.conn.execute("UPDATE count_sessions SET plan = ?2 WHERE id = ?1", params![id, count.plan])?;
        Ok(Some(id))
    }

    fn plan_exists(&self, plan: &str) -> Result<bool> {
        Ok(self
            .conn
            .query_row("SELECT 1 FROM count_sessions WHERE plan = ?1", [plan], |_| Ok(()))
            .optional()?
            .is_some())
    }

    fn stocked_at(&self, sku: &str, location: &str) -> Result<bool> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM balances WHERE sku = ?1 AND location = ?2 AND on_hand != 0",
                params![sku, location],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    fn counted_since(&self, sku: &str, location: &str, cutoff: &str) -> Result<bool> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM count_lines l JOIN count_sessions s ON s.id = l.session
                 WHERE l.sku = ?1 AND s.location = ?2 AND s.created_at >= ?3 LIMIT 1",
                params![sku, location, cutoff],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }
}

/// The period a date falls in for a cycle of `days`: months for a monthly cycle, quarters
/// for a quarterly one, halves for a half-yearly one.
fn period_key(now: DateTime<Utc>, days: i64) -> String {
    let months_per_period = match days {
        ..=31 => 1,
        32..=92 => 3,
        _ => 6,
    };
    let period = (now.month0() / months_per_period) + 1;
    format!("{:04}-P{months_per_period}-{period}", now.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_follow_the_cycle_length() {
        let at = |m: u32| {
            chrono::NaiveDate::from_ymd_opt(2026, m, 15).unwrap().and_hms_opt(0, 0, 0).unwrap().and_utc()
        };
        let cases = [
            (1, 30, "2026-P1-1"),
            (11, 30, "2026-P1-11"),
            (2, 91, "2026-P3-1"),
            (4, 91, "2026-P3-2"),
            (7, 182, "2026-P6-2"),
        ];
        for (month, days, want) in cases {
            assert_eq!(period_key(at(month), days), want);
        }
    }
}
