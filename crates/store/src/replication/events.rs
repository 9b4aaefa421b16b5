//! Events up and down: the local events waiting for the hub, and applying the hub's events
//! through the ledger's one idempotent append.

use rusqlite::{Transaction, params};
use shelfsync_core::Event;

use super::config::refuse;
use super::immediate;
use crate::outbox::now;
use crate::{AppendMode, AppendOutcome, Result, Store, StoreError, append_in_mode};

/// A local event waiting to go up.
#[derive(Clone, Debug)]
pub struct PendingEvent {
    pub seq: i64,
    pub id: String,
    pub body: String,
    pub body_hash: String,
    pub sku: String,
}

/// An event from the hub, in hub order.
#[derive(Clone, Debug)]
pub struct PulledEvent {
    pub seq: i64,
    pub id: String,
    pub body: String,
    /// The workstation whose login wrote it to the hub (row-level security makes it so), which
    /// the body's own `workstation` field only claims.
    pub origin: String,
}

/// What applying a pulled batch did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    pub recorded: usize,
    pub duplicates: usize,
    pub refused: usize,
    /// Hub seq applied up to (the new pull watermark).
    pub up_to: i64,
    /// Set when an event names master data this replica does not have yet: the batch stops
    /// there, and the next round (which pulls master data first) resumes from it.
    pub waiting_for: Option<String>,
}

impl Store {
    /// Local events after `after`, oldest first, without those that came from the hub.
    pub fn hub_pending_events(&self, after: i64, limit: usize) -> Result<Vec<PendingEvent>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, id, body, body_hash, sku FROM events
             WHERE seq > ?1 AND seq NOT IN (SELECT seq FROM hub_inbound WHERE seq > ?1)
             ORDER BY seq LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![after, limit as i64], |r| {
            Ok(PendingEvent {
                seq: r.get(0)?,
                id: r.get(1)?,
                body: r.get(2)?,
                body_hash: r.get(3)?,
                sku: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The hub took the local events up to `up_to`, refusing `refused` (id, reason): one
    /// transaction records the refusals and moves the push watermark.
    pub fn hub_pushed_events(&self, up_to: i64, refused: &[(String, String)]) -> Result<()> {
        let tx = immediate(&self.conn)?;
        for (id, reason) in refused {
            refuse(&tx, id, "up", reason)?;
        }
        tx.execute(
            "UPDATE hub_config SET push_watermark = max(push_watermark, ?1), last_push = ?2, last_error = NULL",
            params![up_to, now()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Appends pulled events through the ledger's one idempotent append, in `Replicated` mode
    /// (their deltas commute; the hub checked the global invariants). One transaction for the
    /// batch: the events, their `hub.event` audit entries, the refusals and the pull
    /// watermark commit together or not at all.
    pub fn hub_apply_events(&self, rows: &[PulledEvent], hub_head: i64) -> Result<Applied> {
        let mut applied = Applied::default();
        let tx = immediate(&self.conn)?;
        let (start, me): (i64, String) =
            tx.query_row("SELECT pull_watermark, workstation FROM hub_config", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        applied.up_to = start;
        for row in rows {
            match apply_one(&tx, row, &me)? {
                Step::Recorded => applied.recorded += 1,
                Step::Duplicate => applied.duplicates += 1,
                Step::Refused => applied.refused += 1,
                Step::Waiting(what) => {
                    applied.waiting_for = Some(what);
                    break;
                }
            }
            applied.up_to = row.seq;
        }
        tx.execute(
            "UPDATE hub_config SET pull_watermark = ?1, last_pull = ?2, hub_head = max(?3, ?1)",
            params![applied.up_to, now(), hub_head],
        )?;
        tx.commit()?;
        Ok(applied)
    }
}

enum Step {
    Recorded,
    Duplicate,
    Refused,
    Waiting(String),
}

fn apply_one(tx: &Transaction<'_>, row: &PulledEvent, me: &str) -> Result<Step> {
    let event: Event = match serde_json::from_str(&row.body) {
        Ok(event) => event,
        Err(error) => {
            refuse(tx, &row.id, "down", &format!("unreadable body: {error}"))?;
            return Ok(Step::Refused);
        }
    };
    match append_in_mode(tx, &event, AppendMode::Replicated) {
        Ok(AppendOutcome::Recorded { seq }) => {
            tx.execute("INSERT INTO hub_inbound (seq) VALUES (?1)", [seq])?;
            // The event's own entry names who the body says made it; this one names who sent
            // it, as the hub vouches (issue 17): a body claiming another workstation shows.
            let detail = serde_json::json!({ "origin": row.origin, "hub_seq": row.seq });
            Store::audit_in_transaction(
                tx,
                &format!("hub:{}", row.origin),
                me,
                "hub.event",
                &row.id,
                &detail.to_string(),
            )?;
            Ok(Step::Recorded)
        }
        Ok(AppendOutcome::Duplicate { .. }) => Ok(Step::Duplicate),
        Err(StoreError::UnknownSku(sku)) => Ok(Step::Waiting(format!("SKU '{sku}'"))),
        Err(StoreError::UnknownLocation(location)) => Ok(Step::Waiting(format!("location '{location}'"))),
        Err(StoreError::ConflictingEvent(id)) => {
            refuse(
                tx,
                &row.id,
                "down",
                &format!("event {id} differs from this workstation's event with that id"),
            )?;
            Ok(Step::Refused)
        }
        // A rule only this replica's schema enforces (a second receipt of one shipment, made
        // on two workstations offline): the failed statement was the event's first write, so
        // nothing of it stays. Reported, and the stream goes on.
        Err(StoreError::Sqlite(rusqlite::Error::SqliteFailure(failure, message)))
            if failure.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            let reason = message.unwrap_or_else(|| failure.to_string());
            refuse(tx, &row.id, "down", &format!("breaks a rule of this replica: {reason}"))?;
            Ok(Step::Refused)
        }
        // The file, not the event, is the problem (a full disk, a lock held too long, I/O):
        // stop, and retry the batch later. Refusing would drop a good event.
        Err(
            error @ (StoreError::Sqlite(_) | StoreError::DiskFull | StoreError::Busy | StoreError::Io(_)),
        ) => Err(error),
        Err(other) => {
            refuse(tx, &row.id, "down", &other.to_string())?;
            Ok(Step::Refused)
        }
    }
}
