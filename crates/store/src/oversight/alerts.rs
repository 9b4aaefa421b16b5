//! `alerts`, `alert_thresholds` and `alert_targets`, and the figures alert rules read beyond
//! the engine's (capture rates, ATP against safety stock, overdue incidents). The engine's
//! figures (queue depth, pushes, failures, dead letters, last success) are
//! [`crate::channels::queue`]'s and [`crate::channels::metrics`]'.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::Db;
use crate::audit::{atomic, record};
use crate::{By, Result};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Alert {
    pub id: String,
    pub rule: String,
    pub subject: String,
    pub message: String,
    pub value: Option<f64>,
    pub threshold: Option<f64>,
    pub opened_at: String,
    pub last_seen_at: String,
    pub acked_at: Option<String>,
    pub acked_by: Option<String>,
    pub resolved_at: Option<String>,
}

/// A stored escalation contact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contact {
    pub id: i64,
    pub kind: String,
    pub target: String,
    pub from_hour: u32,
    pub to_hour: u32,
    pub days: String,
}

/// One day's webhook capture figures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DayCapture {
    pub day: String,
    pub webhook_orders: i64,
    pub channel_orders: i64,
}

/// The threshold a person set for `rule`, if any.
pub fn stored_threshold(db: &impl Db, rule: &str) -> Result<Option<f64>> {
    Ok(db
        .conn()
        .query_row("SELECT value FROM alert_thresholds WHERE rule = ?1", [rule], |r| r.get(0))
        .optional()?)
}

/// Sets a threshold, with its `alert.threshold` entry (the stored value before, or null for the
/// default, and after) in the same transaction: `db`'s if it is one, else its own.
pub fn set_threshold(db: &impl Db, by: By<'_>, rule: &str, value: f64) -> Result<()> {
    atomic(db.conn(), |conn| {
        let before: Option<f64> = conn
            .query_row("SELECT value FROM alert_thresholds WHERE rule = ?1", [rule], |r| r.get(0))
            .optional()?;
        conn.execute(
            "INSERT INTO alert_thresholds (rule, value) VALUES (?1, ?2) ON CONFLICT (rule) DO UPDATE SET value = excluded.value",
            params![rule, value],
        )?;
        record(conn, by, "alert.threshold", rule, &serde_json::json!({ "before": before, "after": value }))
    })
}

/// The channel's capture figures of days from `since_day` on that had orders.
pub fn capture_days_since(db: &impl Db, channel: &str, since_day: &str) -> Result<Vec<DayCapture>> {
    Ok(db
        .conn()
        .prepare_cached("SELECT day, webhook_orders, channel_orders FROM capture_rates WHERE channel = ?1 AND day >= ?2 AND channel_orders > 0")?
        .query_map(params![channel, since_day], |r| {
            Ok(DayCapture { day: r.get(0)?, webhook_orders: r.get(1)?, channel_orders: r.get(2)? })
        })?
        .collect::<Result<_, _>>()?)
}

/// A SKU's ATP over every location (from `stock_atp`) and its safety stock.
pub fn atp_and_safety(db: &impl Db, sku: &str) -> Result<(i64, i64)> {
    Ok(db.conn().query_row(
        "SELECT ifnull((SELECT sum(atp) FROM stock_atp WHERE sku = ?1), 0),
                safety_stock FROM items WHERE sku = ?1",
        [sku],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// Open incidents whose root cause was due before `at`: (id, due_at).
pub fn overdue_incidents(db: &impl Db, at: &str) -> Result<Vec<(i64, String)>> {
    Ok(db
        .conn()
        .prepare("SELECT id, due_at FROM incidents WHERE resolved_at IS NULL AND due_at < ?1")?
        .query_map([at], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?)
}

/// Opens the alert for (rule, subject) at `stamp` unless one is open; refreshes the open one
/// otherwise. Returns the alert id and whether it is new.
pub fn raise(
    db: &impl Db,
    rule: &str,
    subject: &str,
    message: &str,
    value: Option<f64>,
    threshold: Option<f64>,
    stamp: &str,
) -> Result<(i64, bool)> {
    let conn = db.conn();
    let open: Option<i64> = conn
        .query_row(
            "SELECT id FROM alerts WHERE rule = ?1 AND subject = ?2 AND resolved_at IS NULL",
            params![rule, subject],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = open {
        conn.execute(
            "UPDATE alerts SET last_seen_at = ?2, message = ?3, value = ?4 WHERE id = ?1",
            params![id, stamp, message, value],
        )?;
        return Ok((id, false));
    }
    conn.execute(
        "INSERT INTO alerts (rule, subject, message, value, threshold, opened_at, last_seen_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        params![rule, subject, message, value, threshold, stamp],
    )?;
    Ok((conn.last_insert_rowid(), true))
}

/// Open alerts of every rule but `except`: (id, rule, subject).
pub fn open_except(db: &impl Db, except: &str) -> Result<Vec<(i64, String, String)>> {
    Ok(db
        .conn()
        .prepare("SELECT id, rule, subject FROM alerts WHERE resolved_at IS NULL AND rule != ?1")?
        .query_map([except], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?)
}

pub fn resolve(db: &impl Db, id: i64, stamp: &str) -> Result<()> {
    db.conn().execute("UPDATE alerts SET resolved_at = ?2 WHERE id = ?1", params![id, stamp])?;
    Ok(())
}

const COLUMNS: &str =
    "id, rule, subject, message, value, threshold, opened_at, last_seen_at, acked_at, acked_by, resolved_at";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Alert> {
    Ok(Alert {
        id: r.get::<_, i64>(0)?.to_string(),
        rule: r.get(1)?,
        subject: r.get(2)?,
        message: r.get(3)?,
        value: r.get(4)?,
        threshold: r.get(5)?,
        opened_at: r.get(6)?,
        last_seen_at: r.get(7)?,
        acked_at: r.get(8)?,
        acked_by: r.get(9)?,
        resolved_at: r.get(10)?,
    })
}

/// Open alerts (or every alert with `all`), newest first, at most 1,000.
pub fn list(db: &impl Db, all: bool) -> Result<Vec<Alert>> {
    Ok(db
        .conn()
        .prepare(&format!(
            "SELECT {COLUMNS} FROM alerts WHERE (?1 = 1 OR resolved_at IS NULL) ORDER BY id DESC LIMIT 1000"
        ))?
        .query_map([all as i64], row)?
        .collect::<Result<_, _>>()?)
}

/// One alert; an unknown id is an error.
pub fn get(db: &impl Db, id: i64) -> Result<Alert> {
    Ok(db.conn().query_row(&format!("SELECT {COLUMNS} FROM alerts WHERE id = ?1"), [id], row)?)
}

/// What acknowledging an alert looks at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlertState {
    pub rule: String,
    pub acked_at: Option<String>,
    pub resolved_at: Option<String>,
}

/// An alert's rule and acknowledgement, if the alert exists.
pub fn state(db: &impl Db, id: i64) -> Result<Option<AlertState>> {
    Ok(db
        .conn()
        .query_row("SELECT rule, acked_at, resolved_at FROM alerts WHERE id = ?1", [id], |r| {
            Ok(AlertState { rule: r.get(0)?, acked_at: r.get(1)?, resolved_at: r.get(2)? })
        })
        .optional()?)
}

/// Marks an alert acknowledged by `by` at `stamp`; with `resolve`, also resolves it if open.
/// Audited as `alert.ack` in the same transaction.
pub fn ack(db: &impl Db, by: By<'_>, id: i64, stamp: &str, resolve: bool) -> Result<()> {
    atomic(db.conn(), |conn| {
        let acked = conn.execute(
            "UPDATE alerts SET acked_at = ?2, acked_by = ?3 WHERE id = ?1",
            params![id, stamp, by.actor],
        )?;
        if acked == 0 {
            return Ok(()); // no such alert: nothing changed, nothing to record
        }
        let resolved = resolve
            && conn.execute(
                "UPDATE alerts SET resolved_at = ?2 WHERE id = ?1 AND resolved_at IS NULL",
                params![id, stamp],
            )? > 0;
        record(conn, by, "alert.ack", &id.to_string(), &serde_json::json!({ "resolved": resolved }))
    })
}

/// True when the alert has not been delivered yet; false when it has, or cannot be read.
pub fn undelivered(db: &impl Db, id: &str) -> bool {
    db.conn()
        .query_row("SELECT delivered_at IS NULL FROM alerts WHERE id = ?1", [id], |r| r.get::<_, bool>(0))
        .unwrap_or(false)
}

pub fn mark_delivered(db: &impl Db, id: &str, stamp: &str) -> Result<()> {
    db.conn().execute(
        "UPDATE alerts SET delivered_at = ?2, delivery_error = NULL WHERE id = ?1",
        params![id, stamp],
    )?;
    Ok(())
}

pub fn mark_delivery_failed(db: &impl Db, id: &str, error: &str) -> Result<()> {
    db.conn().execute("UPDATE alerts SET delivery_error = ?2 WHERE id = ?1", params![id, error])?;
    Ok(())
}

/// Stores an escalation contact with its `alert.target` entry; returns its id.
pub fn add_contact(db: &impl Db, by: By<'_>, contact: &Contact, added_at: &str) -> Result<i64> {
    atomic(db.conn(), |conn| {
        conn.execute(
            "INSERT INTO alert_targets (kind, target, from_hour, to_hour, days, added_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![contact.kind, contact.target, contact.from_hour, contact.to_hour, contact.days, added_at],
        )?;
        let id = conn.last_insert_rowid();
        let detail = serde_json::json!({
            "kind": contact.kind,
            "target": contact.target,
            "hours": format!("{}-{}", contact.from_hour, contact.to_hour),
            "days": contact.days,
        });
        record(conn, by, "alert.target", &id.to_string(), &detail)?;
        Ok(id)
    })
}

/// Every escalation contact, oldest first.
pub fn contacts(db: &impl Db) -> Result<Vec<Contact>> {
    Ok(db
        .conn()
        .prepare("SELECT id, kind, target, from_hour, to_hour, days FROM alert_targets ORDER BY id")?
        .query_map([], |r| {
            Ok(Contact {
                id: r.get(0)?,
                kind: r.get(1)?,
                target: r.get(2)?,
                from_hour: r.get(3)?,
                to_hour: r.get(4)?,
                days: r.get(5)?,
            })
        })?
        .collect::<Result<_, _>>()?)
}
