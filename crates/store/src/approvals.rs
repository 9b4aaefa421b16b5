//! Losses above a value threshold wait for a supervisor before they post: damage, write-offs
//! and negative adjustments (a negative adjustment is a write-off by another name, so it
//! cannot be the way around the threshold).
//!
//! Separation of duties, without back doors: the threshold weighs the requester's losses of
//! the day (UTC) with this one, not the line alone, so splitting a loss into small lines or
//! small commits does not slip it past; and it holds for every role, so a supervisor's own
//! loss above it waits for another supervisor (nobody decides their own request).
//! The event is made (id and all) when it is requested, so approving it twice posts once.

use chrono::{SecondsFormat, Utc};
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use shelfsync_core::{Action, Event, Movement, parse_cents};

use crate::audit::audit_in;
use crate::ledger::append_in;
use crate::users::{User, forbidden, require};
use crate::{AppendOutcome, Result, Store, StoreError};

/// Damage or write-offs worth more than this (units x unit cost) need a supervisor.
pub const WRITE_OFF_APPROVAL_KEY: &str = "write_off_approval_value";
/// The default threshold: 500.00 in the catalogue's currency.
const DEFAULT_APPROVAL_CENTS: i64 = 50_000;

/// What happened to a damage or write-off request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum MovementRequest {
    Posted { seq: i64 },
    AwaitingApproval { approval: String, value: String },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PendingMovement {
    pub id: String,
    pub kind: String,
    pub sku: String,
    pub location: String,
    pub qty: i64,
    pub value: f64,
    pub requested_by: String,
    pub reason: Option<String>,
}

impl Store {
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    pub fn set_setting(&mut self, key: &str, value: &str, by: &User, workstation: &str) -> Result<()> {
        require(by, Action::SettingSet)?;
        match key {
            WRITE_OFF_APPROVAL_KEY => {
                parse_cents(value)?;
            }
            other => {
                return Err(StoreError::Auth(format!(
                    "unknown setting '{other}' (known: {WRITE_OFF_APPROVAL_KEY})"
                )));
            }
        }
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        audit_in(&tx, &by.name, workstation, "setting.set", key, value)?;
        tx.commit()?;
        Ok(())
    }

    fn approval_threshold_cents(&self) -> Result<i64> {
        match self.setting(WRITE_OFF_APPROVAL_KEY)? {
            Some(value) => Ok(parse_cents(&value)?),
            None => Ok(DEFAULT_APPROVAL_CENTS),
        }
    }

    /// Posts a loss (damage, write-off, negative adjustment), or parks it for another
    /// supervisor when it and the requester's losses posted today are worth more than the
    /// threshold together. Other movements post directly. `actor`, when given, must be the
    /// event's actor: a request is made in the requester's own name.
    pub fn request_movement(&mut self, event: &Event, actor: Option<&User>) -> Result<MovementRequest> {
        if let Some(user) = actor
            && user.name != event.actor
        {
            return Err(StoreError::Auth(format!(
                "a request by '{}' cannot be made in the name of '{}'",
                user.name, event.actor
            )));
        }
        let Some(qty) = loss_units(&event.movement) else {
            return self.post(event);
        };
        event.validate()?;
        let sku = event.movement.sku().as_str();
        let unit_cost = self.item(sku)?.ok_or_else(|| StoreError::UnknownSku(sku.into()))?.unit_cost_cents;
        let value = qty.saturating_mul(unit_cost);
        let earlier = self.losses_today_cents(&event.actor, Utc::now())?;
        if value.saturating_add(earlier) <= self.approval_threshold_cents()? {
            return self.post(event);
        }
        // Checked now, so a request that could never post is refused at once.
        let location = event.movement.locations()[0].to_string();
        if !self.location_exists(&location)? {
            return Err(StoreError::UnknownLocation(location));
        }
        let id = event.id.to_string();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO pending_movements (id, event, kind, sku, location, qty, value_cents, requested_by, requested_at, state)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending')",
            params![id, event.canonical_body(), event.movement.kind(), sku, location, qty, value, event.actor,
                    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)],
        )?;
        audit_in(&tx, &event.actor, &event.workstation, "movement.request", &id, event.movement.kind())?;
        tx.commit()?;
        Ok(MovementRequest::AwaitingApproval { approval: id, value: shelfsync_core::format_cents(value) })
    }

    /// The value (units x unit cost) of the losses `actor` has posted since `now`'s UTC
    /// midnight: damage, write-offs and negative adjustments. Reads back only today's events:
    /// the inner query walks the sequence down from the newest to the first one before today.
    fn losses_today_cents(&self, actor: &str, now: chrono::DateTime<Utc>) -> Result<i64> {
        let midnight = now.date_naive().and_hms_opt(0, 0, 0).expect("midnight exists").and_utc();
        let since = midnight.to_rfc3339_opts(SecondsFormat::Millis, true);
        let total: i64 = self.conn.prepare_cached(
            "SELECT coalesce(sum(
                 CASE WHEN e.kind = 'adjust' THEN -json_extract(e.body, '$.delta') ELSE json_extract(e.body, '$.qty') END
                 * i.unit_cost_cents), 0)
             FROM events e JOIN items i ON i.sku = e.sku
             WHERE e.seq > coalesce((SELECT seq FROM events WHERE recorded_at < ?1 ORDER BY seq DESC LIMIT 1), 0)
               AND json_extract(e.body, '$.actor') = ?2
               AND (e.kind IN ('damage', 'write_off') OR (e.kind = 'adjust' AND json_extract(e.body, '$.delta') < 0))",
        )?
        .query_row(params![since, actor], |r| r.get(0))?;
        Ok(total)
    }

    fn post(&mut self, event: &Event) -> Result<MovementRequest> {
        let seq = match self.append(event)? {
            AppendOutcome::Recorded { seq } | AppendOutcome::Duplicate { seq } => seq,
        };
        Ok(MovementRequest::Posted { seq })
    }

    pub fn pending_movements(&self) -> Result<Vec<PendingMovement>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, kind, sku, location, qty, value_cents, requested_by, json_extract(event, '$.reason')
             FROM pending_movements WHERE state = 'pending' ORDER BY rowid",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(PendingMovement {
                id: r.get(0)?,
                kind: r.get(1)?,
                sku: r.get(2)?,
                location: r.get(3)?,
                qty: r.get(4)?,
                value: r.get::<_, i64>(5)? as f64 / 100.0,
                requested_by: r.get(6)?,
                reason: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Approves (posts) or rejects a parked movement. Returns false when `id` is not one.
    pub(crate) fn decide_movement(
        &mut self,
        id: &str,
        approve: bool,
        reason: &str,
        by: &User,
        workstation: &str,
    ) -> Result<bool> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let row: Option<(String, String, String)> = tx
            .query_row("SELECT event, state, requested_by FROM pending_movements WHERE id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        let Some((body, state, requested_by)) = row else {
            return Ok(false);
        };
        if state != "pending" {
            return Err(StoreError::NotPending { id: id.into(), state });
        }
        if requested_by == by.name {
            return Err(forbidden(by, "approve their own request"));
        }
        let new_state = if approve {
            let event: Event = serde_json::from_str(&body)
                .map_err(|e| StoreError::CorruptEvent { seq: 0, reason: e.to_string() })?;
            append_in(&tx, &event)?;
            "posted"
        } else {
            "rejected"
        };
        tx.execute(
            "UPDATE pending_movements SET state = ?2, decided_by = ?3, decided_at = ?4, reason = ?5 WHERE id = ?1",
            params![id, new_state, by.name, Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true), reason],
        )?;
        audit_in(
            &tx,
            &by.name,
            workstation,
            if approve { "movement.approve" } else { "movement.reject" },
            id,
            reason,
        )?;
        tx.commit()?;
        Ok(true)
    }
}

/// Units a movement takes out of stock as a loss (what the approval threshold weighs), or
/// `None` when it is no loss: damage, write-offs, and adjustments downwards.
fn loss_units(movement: &Movement) -> Option<i64> {
    match movement {
        Movement::Damage { qty, .. } | Movement::WriteOff { qty, .. } => Some(i64::from(*qty)),
        Movement::Adjust { delta, .. } if *delta < 0 => Some(delta.saturating_neg()),
        _ => None,
    }
}
