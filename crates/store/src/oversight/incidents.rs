//! `incidents`: oversells with their context, root cause and due date.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde_json::Value;

use super::Db;
use crate::Result;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Incident {
    pub id: String,
    pub kind: String,
    pub channel: String,
    pub sku: String,
    pub location: Option<String>,
    pub order_id: Option<String>,
    pub oversold_units: i64,
    pub context: Value,
    pub opened_at: String,
    pub due_at: String,
    /// Open and past its due date as this row was read.
    pub overdue: bool,
    pub cause: Option<String>,
    pub resolved_at: Option<String>,
    pub resolved_by: Option<String>,
    /// The root-cause category (core's `root_cause`), `None` while open or when resolved
    /// before categories (migration 26).
    pub cause_category: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CauseCount {
    pub cause: String,
    pub incidents: i64,
    pub oversold_units: i64,
}

/// An oversell to record for one order line.
#[derive(Clone, Debug)]
pub struct NewOversell<'a> {
    pub channel: &'a str,
    pub sku: &'a str,
    pub location: &'a str,
    pub order_id: &'a str,
    pub oversold_units: i64,
    pub context: &'a Value,
    pub opened_at: &'a str,
    pub due_at: &'a str,
}

/// ATP of a SKU at one location (from `stock_atp`); `None` when it has no balance there.
pub fn atp_at(db: &impl Db, sku: &str, location: &str) -> Result<Option<i64>> {
    Ok(db
        .conn()
        .query_row(
            "SELECT atp FROM stock_atp WHERE sku = ?1 AND location = ?2",
            params![sku, location],
            |r| r.get(0),
        )
        .optional()?)
}

/// Orders of the channel created from `day` on that no webhook announced.
pub fn missed_webhooks_since(db: &impl Db, channel: &str, day: &str) -> Result<i64> {
    Ok(db.conn().query_row(
        "SELECT count(*) FROM captured_orders WHERE channel = ?1 AND created_day >= ?2 AND webhook_at IS NULL",
        params![channel, day],
        |r| r.get(0),
    )?)
}

/// Opens an oversell incident unless the order line has one; returns the new id.
pub fn open_oversell(db: &impl Db, new: &NewOversell<'_>) -> Result<Option<i64>> {
    let conn = db.conn();
    let inserted = conn.execute(
        "INSERT OR IGNORE INTO incidents (kind, channel, sku, location, order_id, oversold_units, context, opened_at, due_at)
         VALUES ('oversell', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            new.channel,
            new.sku,
            new.location,
            new.order_id,
            new.oversold_units,
            new.context.to_string(),
            new.opened_at,
            new.due_at
        ],
    )?;
    Ok((inserted == 1).then(|| conn.last_insert_rowid()))
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Incident> {
    let context: String = r.get(7)?;
    let due_at: String = r.get(9)?;
    let resolved_at: Option<String> = r.get(11)?;
    let overdue = resolved_at.is_none() && due_at < crate::outbox::now();
    Ok(Incident {
        id: r.get::<_, i64>(0)?.to_string(),
        kind: r.get(1)?,
        channel: r.get(2)?,
        sku: r.get(3)?,
        location: r.get(4)?,
        order_id: r.get(5)?,
        oversold_units: r.get(6)?,
        context: serde_json::from_str(&context).unwrap_or(Value::Null),
        opened_at: r.get(8)?,
        due_at,
        overdue,
        cause: r.get(10)?,
        resolved_at,
        resolved_by: r.get(12)?,
        cause_category: r.get(13)?,
    })
}

const COLUMNS: &str = "id, kind, channel, sku, location, order_id, oversold_units, context, opened_at, due_at, cause, resolved_at, resolved_by, cause_category";

/// Incidents, newest first, at most 1,000; `open_only` leaves resolved ones out.
pub fn list(db: &impl Db, open_only: bool) -> Result<Vec<Incident>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM incidents WHERE (?1 = 0 OR resolved_at IS NULL) ORDER BY id DESC LIMIT 1000"
    );
    Ok(db.conn().prepare(&sql)?.query_map([open_only as i64], row)?.collect::<Result<_, _>>()?)
}

pub fn get(db: &impl Db, id: i64) -> Result<Option<Incident>> {
    Ok(db
        .conn()
        .query_row(&format!("SELECT {COLUMNS} FROM incidents WHERE id = ?1"), [id], row)
        .optional()?)
}

/// Records the root cause and closes the incident, with its `incident.resolve` entry in the
/// same transaction.
pub fn resolve(db: &impl Db, by: crate::By<'_>, id: i64, cause: &str, stamp: &str) -> Result<()> {
    crate::audit::atomic(db.conn(), |conn| {
        let resolved = conn.execute(
            "UPDATE incidents SET cause = ?2, resolved_at = ?3, resolved_by = ?4 WHERE id = ?1",
            params![id, cause, stamp, by.actor],
        )?;
        if resolved == 0 {
            return Ok(()); // no such incident: nothing changed, nothing to record
        }
        crate::audit::record(
            conn,
            by,
            "incident.resolve",
            &id.to_string(),
            &serde_json::json!({ "cause": cause }),
        )
    })
}

/// Incidents opened in `month` (YYYY-MM) by cause ("(open)" for those without one yet), most
/// frequent first.
pub fn by_cause(db: &impl Db, month: &str) -> Result<Vec<CauseCount>> {
    Ok(db
        .conn()
        .prepare(
            "SELECT ifnull(cause, '(open)'), count(*), sum(oversold_units) FROM incidents
             WHERE substr(opened_at, 1, 7) = ?1 GROUP BY 1 ORDER BY 2 DESC, 1",
        )?
        .query_map([month], |r| {
            Ok(CauseCount { cause: r.get(0)?, incidents: r.get(1)?, oversold_units: r.get(2)? })
        })?
        .collect::<Result<_, _>>()?)
}

/// Records a categorised root cause and closes the incident, with its `incident.resolve` entry
/// in the same transaction; false (nothing changed, nothing recorded) when there is no such
/// open incident.
pub fn resolve_categorised(
    db: &impl Db,
    by: crate::By<'_>,
    id: i64,
    category: &str,
    cause: &str,
    stamp: &str,
) -> Result<bool> {
    crate::audit::atomic(db.conn(), |conn| {
        let changed = conn.execute(
            "UPDATE incidents SET cause_category = ?2, cause = ?3, resolved_at = ?4, resolved_by = ?5
             WHERE id = ?1 AND resolved_at IS NULL",
            params![id, category, cause, stamp, by.actor],
        )?;
        if changed == 0 {
            return Ok(false);
        }
        crate::audit::record(
            conn,
            by,
            "incident.resolve",
            &id.to_string(),
            &serde_json::json!({ "category": category, "cause": cause }),
        )?;
        Ok(true)
    })
}

/// Incidents opened in `month` by root-cause category, most frequent first.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CategoryCount {
    /// The category key; `None` with `open` for those not resolved yet, `None` without it for
    /// those resolved before categories.
    pub category: Option<String>,
    pub open: bool,
    pub incidents: i64,
    pub oversold_units: i64,
}

/// Incidents opened in `month` (YYYY-MM) grouped by category, most frequent first (at most one
/// row per category, plus open and uncategorised).
pub fn by_category(db: &impl Db, month: &str) -> Result<Vec<CategoryCount>> {
    Ok(db
        .conn()
        .prepare(
            "SELECT cause_category, resolved_at IS NULL, count(*), sum(oversold_units) FROM incidents
             WHERE substr(opened_at, 1, 7) = ?1 GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2",
        )?
        .query_map([month], |r| {
            Ok(CategoryCount {
                category: r.get(0)?,
                open: r.get(1)?,
                incidents: r.get(2)?,
                oversold_units: r.get(3)?,
            })
        })?
        .collect::<Result<_, _>>()?)
}
