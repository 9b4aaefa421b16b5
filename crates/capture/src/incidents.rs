//! Oversell incidents: a channel sold more than ATP. Each opens with the context at that
//! moment (sync latency, queue depth, dead letters, missed webhooks), carries a root-cause
//! field due 48 hours later, and feeds a monthly report by cause.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Value, json};
use shelfsync_store::channels::{metrics, queue};
use shelfsync_store::oversight::{Db, begin, incidents as stored};

use crate::{CaptureError, Result, now};

pub use shelfsync_store::oversight::incidents::{CategoryCount, CauseCount, Incident};

/// When the root cause is due after an incident opens (the guide: within 48 hours).
pub const ROOT_CAUSE_HOURS: i64 = 48;

/// Longest cause text kept.
const MAX_CAUSE_LEN: usize = 500;

/// The sync context of a channel right now: what an incident records.
pub fn context(db: &impl Db, channel: &str) -> Result<Value> {
    let queue_depth = queue::queue_depth_in(db, channel)?;
    let dead_letters = metrics::open_dead_letters(db, channel)?;
    let since = (Utc::now() - Duration::hours(1)).to_rfc3339_opts(SecondsFormat::Millis, true);
    let latencies = metrics::latencies_since(db, channel, &since)?;
    let day = (Utc::now() - Duration::hours(24)).format("%Y-%m-%d").to_string();
    let missed_webhooks = stored::missed_webhooks_since(db, channel, &day)?;
    let oldest_dirty = queue::oldest_dirty(db, channel)?;
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
    db: &impl Db,
    channel: &str,
    sku: &str,
    location: &str,
    order_id: &str,
    line_id: &str,
) -> Result<Option<i64>> {
    let atp = stored::atp_at(db, sku, location)?;
    let Some(atp) = atp.filter(|a| *a < 0) else { return Ok(None) };
    let opened = Utc::now();
    let due = opened + Duration::hours(ROOT_CAUSE_HOURS);
    let mut context = context(db, channel)?;
    context["atp_after_sale"] = json!(atp);
    context["line_id"] = json!(line_id);
    let opened_at = opened.to_rfc3339_opts(SecondsFormat::Millis, true);
    let due_at = due.to_rfc3339_opts(SecondsFormat::Millis, true);
    Ok(stored::open_oversell(
        db,
        &stored::NewOversell {
            channel,
            sku,
            location,
            order_id,
            oversold_units: -atp,
            context: &context,
            opened_at: &opened_at,
            due_at: &due_at,
        },
    )?)
}

/// Incidents, newest first; `open_only` leaves resolved ones out.
pub fn list(db: &impl Db, open_only: bool) -> Result<Vec<Incident>> {
    Ok(stored::list(db, open_only)?)
}

fn parse_id(id: &str) -> Result<i64> {
    id.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| CaptureError::NotFound { what: "incident", id: id.to_string() })
}

pub fn show(db: &impl Db, id: &str) -> Result<Incident> {
    let n = parse_id(id)?;
    stored::get(db, n)?.ok_or_else(|| CaptureError::NotFound { what: "incident", id: id.to_string() })
}

/// Records the root cause and closes the incident.
pub fn resolve(db: &impl Db, by: shelfsync_store::By<'_>, id: &str, cause: &str) -> Result<Incident> {
    let cause = cause.trim();
    if cause.is_empty() || cause.len() > MAX_CAUSE_LEN {
        return Err(CaptureError::Invalid(format!("--cause must be 1 to {MAX_CAUSE_LEN} characters")));
    }
    let tx = begin(db)?;
    let current = show(&tx, id)?;
    if current.resolved_at.is_some() {
        return Err(CaptureError::Invalid(format!("incident {id} is already resolved")));
    }
    stored::resolve(&tx, by, parse_id(id)?, cause, &now())?;
    tx.commit()?;
    show(db, id)
}

/// The monthly pattern report: incidents opened in `month` (YYYY-MM) grouped by cause
/// ("(open)" for those without one yet).
pub fn monthly_report(db: &impl Db, month: &str) -> Result<Vec<CauseCount>> {
    let valid = month.len() == 7 && DateTime::parse_from_rfc3339(&format!("{month}-01T00:00:00Z")).is_ok();
    if !valid {
        return Err(CaptureError::Invalid(format!("invalid month '{month}': expected YYYY-MM")));
    }
    Ok(stored::by_cause(db, month)?)
}

/// Records a root cause with its category (core's [`shelfsync_core::root_cause::ROOT_CAUSES`])
/// and free text beside it, and closes the incident. Everything is checked first: an unknown
/// category, an empty or too long text, an unknown or already resolved incident refuse with one
/// line and change nothing.
pub fn resolve_categorised(
    db: &impl Db,
    by: shelfsync_store::By<'_>,
    id: &str,
    category: &str,
    cause: &str,
) -> Result<Incident> {
    let category =
        shelfsync_core::root_cause::root_cause(category).map_err(|e| CaptureError::Invalid(e.to_string()))?;
    let cause = cause.trim();
    if cause.is_empty() || cause.chars().count() > MAX_CAUSE_LEN {
        return Err(CaptureError::Invalid(format!(
            "the root cause's text must be 1 to {MAX_CAUSE_LEN} characters"
        )));
    }
    let tx = begin(db)?;
    let current = show(&tx, id)?;
    if current.resolved_at.is_some() {
        return Err(CaptureError::Invalid(format!("incident {id} is already resolved")));
    }
    if !stored::resolve_categorised(&tx, by, parse_id(id)?, category.key, cause, &now())? {
        return Err(CaptureError::Invalid(format!("incident {id} is already resolved")));
    }
    tx.commit()?;
    show(db, id)
}

/// The monthly review by category: incidents opened in `month` (YYYY-MM), most frequent first.
pub fn monthly_by_category(db: &impl Db, month: &str) -> Result<Vec<CategoryCount>> {
    check_month(month)?;
    Ok(stored::by_category(db, month)?)
}

fn check_month(month: &str) -> Result<()> {
    let valid = month.len() == 7 && DateTime::parse_from_rfc3339(&format!("{month}-01T00:00:00Z")).is_ok();
    if !valid {
        return Err(CaptureError::Invalid(format!("invalid month '{month}': expected YYYY-MM")));
    }
    Ok(())
}
