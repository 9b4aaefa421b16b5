//! Oversell incidents: a channel sold more than ATP. Each opens with the context at that
//! moment (sync latency, queue depth, dead letters, missed webhooks), carries a root-cause
//! field due 48 hours later, and feeds a monthly report by cause.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::{Value, json};

use crate::orders::immediate;
use crate::{CaptureError, Result, now};

/// When the root cause is due after an incident opens (the guide: within 48 hours).
pub const ROOT_CAUSE_HOURS: i64 = 48;

/// Longest cause text kept.
const MAX_CAUSE_LEN: usize = 500;

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
    pub overdue: bool,
    pub cause: Option<String>,
    pub resolved_at: Option<String>,
    pub resolved_by: Option<String>,
}

/// The sync context of a channel right now: what an incident records.
pub fn context(conn: &Connection, channel: &str) -> Result<Value> {
    let queue_depth: i64 =
        conn.query_row("SELECT count(*) FROM outbox WHERE channel = ?1", [channel], |r| r.get(0))?;
    let dead_letters: i64 = conn.query_row(
        "SELECT count(*) FROM dead_letters WHERE channel = ?1 AND resolved_at IS NULL",
        [channel],
        |r| r.get(0),
    )?;
    let since = (Utc::now() - Duration::hours(1)).to_rfc3339_opts(SecondsFormat::Millis, true);
    let latencies: Vec<i64> = conn
        .prepare_cached(
            "SELECT latency_ms FROM pushes WHERE channel = ?1 AND acked_at >= ?2 ORDER BY latency_ms",
        )?
        .query_map(params![channel, since], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let day = (Utc::now() - Duration::hours(24)).format("%Y-%m-%d").to_string();
    let missed_webhooks: i64 = conn.query_row(
        "SELECT count(*) FROM captured_orders WHERE channel = ?1 AND created_day >= ?2 AND webhook_at IS NULL",
        params![channel, day],
        |r| r.get(0),
    )?;
    let oldest_dirty: Option<String> =
        conn.query_row("SELECT min(dirty_since) FROM outbox WHERE channel = ?1", [channel], |r| r.get(0))?;
    Ok(json!({
        "queue_depth": queue_depth,
        "dead_letters": dead_letters,
        "p95_latency_ms": percentile(&latencies, 95),
        "oldest_dirty": oldest_dirty,
        "missed_webhooks_24h": missed_webhooks,
    }))
}

pub(crate) fn percentile(sorted: &[i64], p: usize) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (sorted.len() * p).div_ceil(100).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

/// After a sale is booked: when ATP at its location is below zero, the channel sold units we
/// did not have, and an incident opens (once per order line).
pub(crate) fn check_oversell(
    conn: &Connection,
    channel: &str,
    sku: &str,
    location: &str,
    order_id: &str,
    line_id: &str,
) -> Result<Option<i64>> {
    let atp: Option<i64> = conn
        .query_row(
            "SELECT on_hand - committed - reserved - damaged FROM balances WHERE sku = ?1 AND location = ?2",
            params![sku, location],
            |r| r.get(0),
        )
        .optional()?;
    let Some(atp) = atp.filter(|a| *a < 0) else { return Ok(None) };
    let opened = Utc::now();
    let due = opened + Duration::hours(ROOT_CAUSE_HOURS);
    let mut context = context(conn, channel)?;
    context["atp_after_sale"] = json!(atp);
    context["line_id"] = json!(line_id);
    let inserted = conn.execute(
        "INSERT OR IGNORE INTO incidents (kind, channel, sku, location, order_id, oversold_units, context, opened_at, due_at)
         VALUES ('oversell', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            channel,
            sku,
            location,
            order_id,
            -atp,
            context.to_string(),
            opened.to_rfc3339_opts(SecondsFormat::Millis, true),
            due.to_rfc3339_opts(SecondsFormat::Millis, true)
        ],
    )?;
    Ok((inserted == 1).then(|| conn.last_insert_rowid()))
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Incident> {
    let context: String = r.get(7)?;
    let due_at: String = r.get(9)?;
    let resolved_at: Option<String> = r.get(11)?;
    let overdue = resolved_at.is_none() && due_at < now();
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
    })
}

const COLUMNS: &str = "id, kind, channel, sku, location, order_id, oversold_units, context, opened_at, due_at, cause, resolved_at, resolved_by";

/// Incidents, newest first; `open_only` leaves resolved ones out.
pub fn list(conn: &Connection, open_only: bool) -> Result<Vec<Incident>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM incidents WHERE (?1 = 0 OR resolved_at IS NULL) ORDER BY id DESC LIMIT 1000"
    );
    Ok(conn.prepare(&sql)?.query_map([open_only as i64], row)?.collect::<Result<_, _>>()?)
}

fn parse_id(id: &str) -> Result<i64> {
    id.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| CaptureError::NotFound { what: "incident", id: id.to_string() })
}

pub fn show(conn: &Connection, id: &str) -> Result<Incident> {
    let n = parse_id(id)?;
    conn.query_row(&format!("SELECT {COLUMNS} FROM incidents WHERE id = ?1"), [n], row)
        .optional()?
        .ok_or_else(|| CaptureError::NotFound { what: "incident", id: id.to_string() })
}

/// Records the root cause and closes the incident.
pub fn resolve(conn: &Connection, id: &str, cause: &str, by: &str) -> Result<Incident> {
    let cause = cause.trim();
    if cause.is_empty() || cause.len() > MAX_CAUSE_LEN {
        return Err(CaptureError::Invalid(format!("--cause must be 1 to {MAX_CAUSE_LEN} characters")));
    }
    let tx = immediate(conn)?;
    let current = show(&tx, id)?;
    if current.resolved_at.is_some() {
        return Err(CaptureError::Invalid(format!("incident {id} is already resolved")));
    }
    tx.execute(
        "UPDATE incidents SET cause = ?2, resolved_at = ?3, resolved_by = ?4 WHERE id = ?1",
        params![parse_id(id)?, cause, now(), by],
    )?;
    tx.commit()?;
    show(conn, id)
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CauseCount {
    pub cause: String,
    pub incidents: i64,
    pub oversold_units: i64,
}

/// The monthly pattern report: incidents opened in `month` (YYYY-MM) grouped by cause
/// ("(open)" for those without one yet).
pub fn monthly_report(conn: &Connection, month: &str) -> Result<Vec<CauseCount>> {
    let valid = month.len() == 7 && DateTime::parse_from_rfc3339(&format!("{month}-01T00:00:00Z")).is_ok();
    if !valid {
        return Err(CaptureError::Invalid(format!("invalid month '{month}': expected YYYY-MM")));
    }
    Ok(conn
        .prepare(
            "SELECT ifnull(cause, '(open)'), count(*), sum(oversold_units) FROM incidents
             WHERE substr(opened_at, 1, 7) = ?1 GROUP BY 1 ORDER BY 2 DESC, 1",
        )?
        .query_map([month], |r| {
            Ok(CauseCount { cause: r.get(0)?, incidents: r.get(1)?, oversold_units: r.get(2)? })
        })?
        .collect::<Result<_, _>>()?)
}
