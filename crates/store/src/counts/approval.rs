//! Tolerances and the decisions on count variances: which variances post by themselves, which
//! wait, and a supervisor's approve, reject or recount. Whoever took part in a count does not
//! decide it, and a line counted by someone who may decide approvals never posts on its own.

use std::collections::BTreeSet;

use chrono::Utc;
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;
use shelfsync_core::{Event, LocationCode, Movement, Sku, Tolerance};
use uuid::Uuid;

use super::{Decision, Tally, immediate, now, session_row};
use crate::audit::audit_in;
use crate::ledger::append_in;
use crate::users::{User, require};
use crate::{Result, Store, StoreError};

/// A variance waiting for a supervisor, with the evidence to decide it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Approval {
    pub id: String,
    pub session: String,
    pub sku: String,
    pub name: String,
    pub location: String,
    pub counted: i64,
    pub expected: i64,
    pub variance: i64,
    pub value: f64,
    pub counters: Vec<String>,
    /// Ledger events for this SKU and location since the session started.
    pub movements_during_count: i64,
    pub round: i64,
}

impl Store {
    /// Sets the tolerance for a category (or the default, with `None`). Supervisors and admins.
    pub fn set_tolerance(
        &mut self,
        category: Option<&str>,
        tolerance: &Tolerance,
        by: &User,
        workstation: &str,
    ) -> Result<()> {
        require(by, shelfsync_core::Action::ToleranceSet)?;
        for (name, value) in
            [("units", tolerance.units), ("percent", tolerance.percent_bp), ("value", tolerance.value_cents)]
        {
            if value.is_some_and(|v| v < 0) {
                return Err(StoreError::Auth(format!("tolerance {name} must not be negative")));
            }
        }
        // No limit at all is within everything: every variance would post unseen.
        if tolerance.auto_post
            && tolerance.units.is_none()
            && tolerance.percent_bp.is_none()
            && tolerance.value_cents.is_none()
        {
            return Err(StoreError::Auth(
                "a tolerance that posts variances needs a limit (units, percent or value); with none, \
                 every variance would post without a supervisor"
                    .into(),
            ));
        }
        let key = category.unwrap_or("");
        let tx = immediate(self)?;
        tx.execute(
            "INSERT INTO tolerances (category, units, percent_bp, value_cents, auto_post) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (category) DO UPDATE SET units = excluded.units, percent_bp = excluded.percent_bp,
                 value_cents = excluded.value_cents, auto_post = excluded.auto_post",
            params![key, tolerance.units, tolerance.percent_bp, tolerance.value_cents, tolerance.auto_post],
        )?;
        let detail = serde_json::to_string(tolerance).unwrap_or_default();
        audit_in(
            &tx,
            &by.name,
            workstation,
            "tolerance.set",
            if key.is_empty() { "default" } else { key },
            &detail,
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The tolerance that applies to a category: its own, else the default, else strict.
    pub fn tolerance_for(&self, category: &str) -> Result<Tolerance> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT units, percent_bp, value_cents, auto_post FROM tolerances WHERE category IN (?1, '')
             ORDER BY category DESC LIMIT 1",
        )?;
        let found = stmt
            .query_row([category], |r| {
                Ok(Tolerance {
                    units: r.get(0)?,
                    percent_bp: r.get(1)?,
                    value_cents: r.get(2)?,
                    auto_post: r.get(3)?,
                })
            })
            .optional()?;
        Ok(found.unwrap_or_else(Tolerance::strict))
    }

    /// A supervisor's decision on a pending variance. Approving posts it; rejecting posts
    /// nothing; a recount reopens the session for that SKU and keeps this line for the record.
    pub fn decide(
        &mut self,
        line_id: &str,
        decision: Decision,
        reason: &str,
        by: &User,
        workstation: &str,
    ) -> Result<()> {
        require(by, shelfsync_core::Action::ApprovalsDecide)?;
        if reason.trim().is_empty() {
            return Err(StoreError::Domain(shelfsync_core::DomainError::ReasonRequired("a decision")));
        }
        if decision != Decision::Recount
            && self.decide_movement(line_id, decision == Decision::Approve, reason, by, workstation)?
        {
            return Ok(());
        }
        let tx = immediate(self)?;
        let line: Option<(String, String, i64, i64, String, String)> = tx
            .prepare_cached(
                "SELECT session, sku, counted, expected, state, event_id FROM count_lines WHERE id = ?1",
            )?
            .query_row([line_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
            .optional()?;
        let Some((session, sku, counted, expected, state, event_id)) = line else {
            return Err(StoreError::UnknownApproval(line_id.into()));
        };
        if state != "pending" {
            return Err(StoreError::NotPending { id: line_id.into(), state });
        }
        let took_part = tx
            .prepare_cached("SELECT 1 FROM count_entries WHERE session = ?1 AND counter = ?2 LIMIT 1")?
            .query_row(params![session, by.name], |_| Ok(()))
            .optional()?
            .is_some();
        if took_part {
            return Err(StoreError::Forbidden {
                user: by.name.clone(),
                role: by.role,
                action: "decide a count they took part in".into(),
            });
        }
        let location = session_row(&tx, &session)?.location;
        let new_state = match decision {
            Decision::Approve => {
                post_variance(
                    &tx,
                    &session,
                    &location,
                    &sku,
                    counted,
                    expected,
                    &event_id,
                    &by.name,
                    workstation,
                    Some(reason),
                )?;
                "posted"
            }
            Decision::Reject => "rejected",
            Decision::Recount => {
                tx.execute("UPDATE count_sessions SET status = 'open' WHERE id = ?1", [&session])?;
                "recount"
            }
        };
        tx.execute(
            "UPDATE count_lines SET state = ?2, decided_by = ?3, decided_at = ?4, reason = ?5 WHERE id = ?1",
            params![line_id, new_state, by.name, now(), reason],
        )?;
        audit_in(&tx, &by.name, workstation, &format!("count.{}", decision.as_str()), line_id, reason)?;
        tx.commit()?;
        Ok(())
    }

    /// Every variance waiting for a supervisor, oldest first.
    pub fn pending_approvals(&self) -> Result<Vec<Approval>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT l.id, l.session, l.sku, i.name, s.location, l.counted, l.expected, l.variance, l.value_cents,
                    l.counters, l.round, s.snapshot_seq
             FROM count_lines l JOIN count_sessions s ON s.id = l.session JOIN items i ON i.sku = l.sku
             WHERE l.state = 'pending' ORDER BY l.rowid",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                Approval {
                    id: r.get(0)?,
                    session: r.get(1)?,
                    sku: r.get(2)?,
                    name: r.get(3)?,
                    location: r.get(4)?,
                    counted: r.get(5)?,
                    expected: r.get(6)?,
                    variance: r.get(7)?,
                    value: r.get::<_, i64>(8)? as f64 / 100.0,
                    counters: serde_json::from_str(&r.get::<_, String>(9)?).unwrap_or_default(),
                    movements_during_count: 0,
                    round: r.get(10)?,
                },
                r.get::<_, i64>(11)?,
            ))
        })?;
        let mut approvals = Vec::new();
        for row in rows {
            let (mut approval, snapshot) = row?;
            approval.movements_during_count = self.conn.query_row(
                "SELECT count(*) FROM events WHERE sku = ?1 AND seq > ?2 AND kind != 'count_posting'",
                params![approval.sku, snapshot],
                |r| r.get(0),
            )?;
            approvals.push(approval);
        }
        Ok(approvals)
    }
}

/// Whether any of `counters` holds a role that may decide approvals.
fn counted_by_an_approver(conn: &rusqlite::Connection, counters: &BTreeSet<String>) -> Result<bool> {
    let mut stmt = conn.prepare_cached("SELECT role FROM users WHERE name = ?1")?;
    for name in counters {
        let role: Option<String> = stmt.query_row([name], |r| r.get(0)).optional()?;
        let role = role.as_deref().and_then(shelfsync_core::Role::parse);
        if role.is_some_and(|r| shelfsync_core::may(r, shelfsync_core::Action::ApprovalsDecide)) {
            return Ok(true);
        }
    }
    Ok(false)
}

pub(super) fn write_line(
    tx: &Transaction<'_>,
    session: &str,
    location: &str,
    sku: &str,
    tally: &Tally,
    by: &User,
    workstation: &str,
) -> Result<()> {
    let item = tx.query_row("SELECT category, unit_cost_cents FROM items WHERE sku = ?1", [sku], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
    })?;
    let (category, unit_cost) = item;
    let tolerance = tolerance_in(tx, &category)?;
    let variance = tally.counted - tally.expected;
    let event_id = Uuid::now_v7().to_string();
    // A line someone who decides approvals counted never posts on its own: within tolerance or
    // not, it waits for another supervisor (who did not count it), so nobody both sets the
    // tolerance and counts their way past it.
    // A tracked item's lots may differ with its total right (lot A short, lot B over): those post.
    let state = if variance == 0 && !crate::lots::has_lot_counts(tx, session, sku)? {
        "posted"
    } else if tolerance.auto_post
        && !counted_by_an_approver(tx, &tally.counters)?
        && tolerance.allows(variance, tally.expected, unit_cost)
    {
        post_variance(
            tx,
            session,
            location,
            sku,
            tally.counted,
            tally.expected,
            &event_id,
            &by.name,
            workstation,
            None,
        )?;
        "posted"
    } else {
        "pending"
    };
    let counters = serde_json::to_string(&tally.counters).unwrap_or_default();
    tx.execute(
        "INSERT INTO count_lines (id, session, sku, round, counted, expected, variance, value_cents, state, event_id, counters)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![Uuid::now_v7().to_string(), session, sku, tally.round, tally.counted, tally.expected, variance,
                variance.abs() * unit_cost, state, event_id, counters],
    )?;
    Ok(())
}

fn tolerance_in(tx: &Transaction<'_>, category: &str) -> Result<Tolerance> {
    let found = tx
        .prepare_cached(
            "SELECT units, percent_bp, value_cents, auto_post FROM tolerances WHERE category IN (?1, '')
             ORDER BY category DESC LIMIT 1",
        )?
        .query_row([category], |r| {
            Ok(Tolerance {
                units: r.get(0)?,
                percent_bp: r.get(1)?,
                value_cents: r.get(2)?,
                auto_post: r.get(3)?,
            })
        })
        .optional()?;
    Ok(found.unwrap_or_else(Tolerance::strict))
}

/// Posts a variance as a ledger event whose id was fixed with the line, with the session as
/// its reference: posting the same line twice is a no-op in the ledger.
#[allow(clippy::too_many_arguments)]
fn post_variance(
    tx: &Transaction<'_>,
    session: &str,
    location: &str,
    sku: &str,
    counted: i64,
    expected: i64,
    event_id: &str,
    actor: &str,
    workstation: &str,
    reason: Option<&str>,
) -> Result<()> {
    let movement = Movement::CountPosting {
        sku: Sku::new(sku)?,
        location: LocationCode::new(location)?,
        session: session.into(),
        counted,
        expected,
    };
    let id = Uuid::parse_str(event_id).map_err(|e| StoreError::Auth(format!("bad event id: {e}")))?;
    // A tracked item counted by lot posts a variance per lot (issue 21, crates/store/src/lots.rs).
    let lot_reason = reason.unwrap_or("count variance within tolerance");
    if crate::lots::post_count_by_lot(tx, session, location, sku, id, actor, workstation, lot_reason)? {
        return Ok(());
    }
    let event = Event::with_identity(id, Utc::now(), movement, actor, workstation)
        .with_reason(reason.unwrap_or("count variance within tolerance"))
        .with_reference(format!("count:{session}"));
    // A count states what is on the shelf: its correction may take on_hand anywhere >= 0,
    // and the count itself is the supervisor-visible record, so no override is needed.
    append_in(tx, &event)?;
    Ok(())
}
