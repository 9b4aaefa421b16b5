//! Losses above a value threshold wait for a supervisor before they post: damage, write-offs
//! and negative adjustments. The rule (what a loss is, what it is worth, when it waits) is
//! core's (`shelfsync_core::needs_approval` and its neighbours); this module reads what the
//! rule weighs (the setting, the unit cost, the requester's losses of the UTC day), parks or
//! posts, and keeps the pending requests.
//!
//! Separation of duties, without back doors: the threshold holds for every role, so a
//! supervisor's own loss above it waits for another supervisor (nobody decides their own
//! request). The event is made (id and all) when it is requested, so approving it twice posts
//! once.

use crate::flash::FLASH_SALE_KEY;
use chrono::{SecondsFormat, Utc};
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use shelfsync_core::flash::FlashSaleRule;
use shelfsync_core::{
    Action, Event, approval_threshold_cents, loss_day_start, loss_units, loss_value_cents, needs_approval,
    parse_cents,
};

use crate::audit::audit_in;
use crate::ledger::append_in;
use crate::users::{User, forbidden, require};
use crate::{AppendOutcome, Result, Store, StoreError};

/// Damage or write-offs worth more than this (units x unit cost) need a supervisor. Unset, the
/// threshold is core's `DEFAULT_APPROVAL_CENTS`.
pub const WRITE_OFF_APPROVAL_KEY: &str = "write_off_approval_value";

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
        // A flash-sale rule change re-shares what recently sold, over the longer of the two
        // windows (turning the mode off lifts the shares the old window made).
        let mut requeue_window = None;
        match key {
            WRITE_OFF_APPROVAL_KEY => {
                parse_cents(value)?;
            }
            FLASH_SALE_KEY => {
                // Flash-sale mode changes what every channel lists: a channel rule, an admin's.
                require(by, Action::ChannelRule)?;
                let new = FlashSaleRule::parse_setting(value)?;
                let old = crate::flash::rule(&self.conn)?;
                requeue_window = [new, old].into_iter().flatten().map(|r| r.window_secs).max();
            }
            other => {
                return Err(StoreError::Auth(format!(
                    "unknown setting '{other}' (known: {WRITE_OFF_APPROVAL_KEY}, {FLASH_SALE_KEY})"
                )));
            }
        }
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        audit_in(&tx, &by.name, workstation, "setting.set", key, value)?;
        if let Some(window) = requeue_window {
            crate::flash::requeue_after_rule_change(&tx, chrono::Utc::now(), window)?;
        }
        tx.commit()?;
        Ok(())
    }

    fn approval_threshold_cents(&self) -> Result<i64> {
        Ok(approval_threshold_cents(self.setting(WRITE_OFF_APPROVAL_KEY)?.as_deref())?)
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
        let value = loss_value_cents(qty, unit_cost);
        let earlier = self.losses_today_cents(&event.actor, Utc::now())?;
        if !needs_approval(value, earlier, self.approval_threshold_cents()?) {
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
    /// midnight. Reads back only today's events: the inner query walks the sequence down from
    /// the newest to the first one before today. The SQL only narrows to the kinds that can be
    /// losses; what counts and what it is worth is core's `loss_units` and `loss_value_cents`,
    /// the same rule the request itself is weighed by.
    fn losses_today_cents(&self, actor: &str, now: chrono::DateTime<Utc>) -> Result<i64> {
        let since = loss_day_start(now).to_rfc3339_opts(SecondsFormat::Millis, true);
        let mut stmt = self.conn.prepare_cached(
            "SELECT e.seq, e.body, i.unit_cost_cents
             FROM events e JOIN items i ON i.sku = e.sku
             WHERE e.seq > coalesce((SELECT seq FROM events WHERE recorded_at < ?1 ORDER BY seq DESC LIMIT 1), 0)
               AND json_extract(e.body, '$.actor') = ?2
               AND e.kind IN ('damage', 'write_off', 'adjust')",
        )?;
        let mut rows = stmt.query(params![since, actor])?;
        let mut total: i64 = 0;
        while let Some(row) = rows.next()? {
            let (seq, body, unit_cost): (i64, String, i64) = (row.get(0)?, row.get(1)?, row.get(2)?);
            let event: Event = serde_json::from_str(&body)
                .map_err(|e| StoreError::CorruptEvent { seq, reason: e.to_string() })?;
            if let Some(units) = loss_units(&event.movement) {
                total = total.saturating_add(loss_value_cents(units, unit_cost));
            }
        }
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
