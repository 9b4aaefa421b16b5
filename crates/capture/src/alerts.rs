//! Alert rules from the guide, with configurable thresholds. Evaluation opens an alert once per
//! (rule, subject), keeps it open (deduplicated) while the condition holds, and resolves it when
//! the condition clears. `discrepancy` alerts come from reconciliation's `flag` rule and close
//! when a person acknowledges them.

use chrono::{DateTime, Datelike, Duration, SecondsFormat, Timelike, Utc, Weekday};
use serde::Serialize;
use shelfsync_store::By;
use shelfsync_store::channels::{metrics, queue, registry};
use shelfsync_store::oversight::{Db, alerts as stored, begin};

use crate::incidents::percentile;
use crate::{CaptureError, Result, drift, now, red_flags};

pub const QUEUE_DEPTH: &str = "queue_depth";
pub const NO_SUCCESS: &str = "no_success";
pub const FAILURES: &str = "failures";
pub const ATP_BELOW_SAFETY: &str = "atp_below_safety";
pub const LATENCY: &str = "latency";
pub const ERROR_RATE: &str = "api_error_rate";
pub const WEBHOOK_CAPTURE: &str = "webhook_capture";
pub const DEAD_LETTERS: &str = "dead_letters";
pub const INCIDENT_OVERDUE: &str = "incident_overdue";
pub const DISCREPANCY: &str = "discrepancy";

/// Thresholds and their defaults (the guide's numbers).
pub const DEFAULTS: [(&str, f64, &str); 16] = [
    (QUEUE_DEPTH, 100.0, "pending updates for one channel above this"),
    (NO_SUCCESS, 10.0, "minutes without a successful update while updates are pending, in business hours"),
    (FAILURES, 3.0, "update failures in 30 minutes above this"),
    (ATP_BELOW_SAFETY, 100.0, "the top N SKUs by velocity whose ATP below safety stock alerts"),
    (LATENCY, 300_000.0, "event-to-channel latency p95 over the last hour above this (ms)"),
    (ERROR_RATE, 3.0, "API error rate over the last hour above this (percent)"),
    (WEBHOOK_CAPTURE, 97.0, "webhook capture rate of a day below this (percent)"),
    (DEAD_LETTERS, 0.0, "open dead letters above this"),
    (INCIDENT_OVERDUE, 0.0, "incidents past their root-cause due date above this"),
    (
        "business_start_hour",
        8.0,
        "business hours start (UTC hour, every day; until `alerts hours` sets a zone)",
    ),
    ("business_end_hour", 18.0, "business hours end (UTC hour, exclusive; until `alerts hours` sets a zone)"),
    // The Quick Reference's red flags without a channel rule of their own (`red_flags`).
    (
        red_flags::OVERSELL_RATE,
        red_flags::OVERSELL_RED_FLAG,
        "oversell rate of the channels' sales over 7 days above this (percent)",
    ),
    (
        red_flags::RECONCILE_OVERDUE,
        red_flags::RECONCILE_RED_FLAG,
        "hours since the last reconciliation above this",
    ),
    (red_flags::DRIFT_AUDIT_OVERDUE, red_flags::DRIFT_RED_FLAG, "days since the last drift audit above this"),
    (
        red_flags::AMAZON_CANCELLATIONS,
        red_flags::AMAZON_RED_FLAG,
        "Amazon cancellation rate over 60 days above this (percent)",
    ),
    // Lots (issue 21): `crate::expiry`.
    (
        crate::expiry::EXPIRING,
        crate::expiry::EXPIRING_DAYS,
        "lots with sellable units expiring within this many days",
    ),
];

/// How a threshold tightens on a peak day. The guide: "every minute of sync delay during peak
/// volume creates oversell exposure" and "a sync failure at 10 AM on Black Friday is a revenue
/// emergency". So on a peak day the rules with a Quick Reference target alert at the target
/// instead of the red flag (latency 30 s not 5 min, API errors 1% not 3%, webhook capture 99%
/// not 97%), and the counts for which the guide gives one number (queue depth, minutes without
/// a success, failures in 30 minutes) alert at half of it. The others (dead letters and overdue
/// incidents alert at the first one already; the ATP watch is a number of SKUs) stay.
pub fn peak_tightened(rule: &str, value: f64) -> f64 {
    match rule {
        QUEUE_DEPTH | NO_SUCCESS | FAILURES => value / 2.0,
        LATENCY => value.min(30_000.0),
        ERROR_RATE => value.min(1.0),
        WEBHOOK_CAPTURE => value.max(99.0),
        red_flags::OVERSELL_RATE
        | red_flags::RECONCILE_OVERDUE
        | red_flags::DRIFT_AUDIT_OVERDUE
        | red_flags::AMAZON_CANCELLATIONS => red_flags::at_target(rule, value),
        _ => value,
    }
}

/// The threshold in force: the stored or default one, tightened on a peak day.
pub fn threshold_in_force(db: &impl Db, rule: &str, peak: bool) -> Result<f64> {
    let value = threshold(db, rule)?;
    Ok(if peak { peak_tightened(rule, value) } else { value })
}

pub use shelfsync_store::oversight::alerts::Alert;

/// One firing condition found by evaluation.
#[derive(Clone, Debug, PartialEq)]
pub struct Firing {
    pub rule: &'static str,
    pub subject: String,
    pub message: String,
    pub value: f64,
    pub threshold: f64,
}

pub fn threshold(db: &impl Db, rule: &str) -> Result<f64> {
    let stored = stored::stored_threshold(db, rule)?;
    let default = DEFAULTS.iter().find(|(r, _, _)| *r == rule).map(|(_, v, _)| *v);
    stored.or(default).ok_or_else(|| CaptureError::Invalid(format!("unknown alert rule '{rule}'")))
}

/// Sets a threshold in `by`'s name (its `alert.threshold` audit entry lands with it).
pub fn set_threshold(db: &impl Db, by: By<'_>, rule: &str, value: f64) -> Result<()> {
    if !DEFAULTS.iter().any(|(r, _, _)| *r == rule) {
        let known: Vec<&str> = DEFAULTS.iter().map(|(r, _, _)| *r).collect();
        return Err(CaptureError::Invalid(format!(
            "unknown alert rule '{rule}' (known: {})",
            known.join(", ")
        )));
    }
    if !value.is_finite() || value < 0.0 {
        return Err(CaptureError::Invalid(format!("threshold must be a number >= 0, not {value}")));
    }
    if [crate::hours::BUSINESS_START, crate::hours::BUSINESS_END].contains(&rule)
        && crate::hours::has_calendar(db)?
    {
        return Err(CaptureError::Invalid(format!(
            "{rule} is not used: business hours are set per weekday in a time zone (`shelfsync alerts hours`; --reset goes back to UTC hours)"
        )));
    }
    stored::set_threshold(db, by, rule, value)?;
    Ok(())
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Every rule's firing conditions at `at`.
pub fn conditions(db: &impl Db, at: DateTime<Utc>) -> Result<Vec<Firing>> {
    let mut firing = Vec::new();
    let hour_ago = ts(at - Duration::hours(1));
    let schedule = crate::hours::schedule(db)?;
    let peak = schedule.is_peak(at);
    // Outside business hours a quiet channel is normal; on a peak day orders come at any hour.
    let watched = peak || schedule.is_open(at);
    let threshold = |db: &_, rule| threshold_in_force(db, rule, peak);
    for channel in registry::channel_names(db)? {
        let depth = queue::queue_depth_in(db, &channel)?;
        let limit = threshold(db, QUEUE_DEPTH)?;
        if depth as f64 > limit {
            firing.push(Firing {
                rule: QUEUE_DEPTH,
                subject: channel.clone(),
                message: format!("{channel}: {depth} updates queued (limit {limit})"),
                value: depth as f64,
                threshold: limit,
            });
        }
        let minutes = threshold(db, NO_SUCCESS)?;
        if watched && depth > 0 {
            let last = metrics::last_success(db, &channel)?;
            let oldest = queue::oldest_dirty(db, &channel)?;
            let since = last.or(oldest).unwrap_or_else(|| ts(at));
            let cutoff = ts(at - Duration::seconds((minutes * 60.0) as i64));
            if since < cutoff {
                firing.push(Firing {
                    rule: NO_SUCCESS,
                    subject: channel.clone(),
                    message: format!("{channel}: no successful update since {since} with {depth} pending"),
                    value: minutes,
                    threshold: minutes,
                });
            }
        }
        let failures = metrics::failures_since(db, &channel, &ts(at - Duration::minutes(30)))?;
        let limit = threshold(db, FAILURES)?;
        if failures as f64 > limit {
            firing.push(Firing {
                rule: FAILURES,
                subject: channel.clone(),
                message: format!("{channel}: {failures} failed updates in 30 minutes"),
                value: failures as f64,
                threshold: limit,
            });
        }
        let latencies = metrics::latencies_since(db, &channel, &hour_ago)?;
        let limit = threshold(db, LATENCY)?;
        if let Some(p95) = percentile(&latencies, 95).filter(|p| *p as f64 > limit) {
            firing.push(Firing {
                rule: LATENCY,
                subject: channel.clone(),
                message: format!("{channel}: p95 event-to-channel latency {p95} ms"),
                value: p95 as f64,
                threshold: limit,
            });
        }
        let failed_hour = metrics::failures_since(db, &channel, &hour_ago)?;
        let ok_hour = metrics::acked_groups_since(db, &channel, &hour_ago)?;
        let limit = threshold(db, ERROR_RATE)?;
        if failed_hour > 0 {
            let rate = failed_hour as f64 * 100.0 / (failed_hour + ok_hour) as f64;
            if rate > limit {
                firing.push(Firing {
                    rule: ERROR_RATE,
                    subject: channel.clone(),
                    message: format!("{channel}: API error rate {rate:.1}% in the last hour"),
                    value: rate,
                    threshold: limit,
                });
            }
        }
        let limit = threshold(db, WEBHOOK_CAPTURE)?;
        let since_day = (at - Duration::days(1)).format("%Y-%m-%d").to_string();
        for stored::DayCapture { day, webhook_orders: webhook, channel_orders: total } in
            stored::capture_days_since(db, &channel, &since_day)?
        {
            let rate = webhook as f64 * 100.0 / total as f64;
            if rate < limit {
                firing.push(Firing {
                    rule: WEBHOOK_CAPTURE,
                    subject: format!("{channel}:{day}"),
                    message: format!(
                        "{channel}: webhook capture {rate:.1}% on {day} ({webhook} of {total} orders)"
                    ),
                    value: rate,
                    threshold: limit,
                });
            }
        }
        let dead = metrics::open_dead_letters(db, &channel)?;
        let limit = threshold(db, DEAD_LETTERS)?;
        if dead as f64 > limit {
            firing.push(Firing {
                rule: DEAD_LETTERS,
                subject: channel.clone(),
                message: format!("{channel}: {dead} updates in the dead-letter queue"),
                value: dead as f64,
                threshold: limit,
            });
        }
    }
    let top = threshold(db, ATP_BELOW_SAFETY)?.max(0.0) as usize;
    for sku in drift::top_skus(db, top, at)? {
        let (atp, safety) = stored::atp_and_safety(db, &sku.sku)?;
        if atp < safety {
            firing.push(Firing {
                rule: ATP_BELOW_SAFETY,
                subject: sku.sku.clone(),
                message: format!("{}: ATP {atp} below safety stock {safety}", sku.sku),
                value: atp as f64,
                threshold: safety as f64,
            });
        }
    }
    for (id, due) in stored::overdue_incidents(db, &ts(at))? {
        firing.push(Firing {
            rule: INCIDENT_OVERDUE,
            subject: format!("incident:{id}"),
            message: format!("incident {id}: root cause was due {due}"),
            value: 1.0,
            threshold: 0.0,
        });
    }
    firing.extend(red_flags::conditions(db, at, peak)?);
    firing.extend(crate::expiry::conditions(db, at, peak)?);
    Ok(firing)
}

/// Opens the alert for (rule, subject) unless one is open; refreshes the open one otherwise.
/// Returns the alert id and whether it is new.
pub fn raise(
    db: &impl Db,
    rule: &str,
    subject: &str,
    message: &str,
    value: Option<f64>,
    threshold: Option<f64>,
) -> Result<(i64, bool)> {
    Ok(stored::raise(db, rule, subject, message, value, threshold, &now())?)
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    pub opened: Vec<String>,
    pub still_open: usize,
    pub resolved: Vec<String>,
}

/// Evaluates every rule at `at` in one transaction: new conditions open alerts, held ones stay
/// (deduplicated), cleared ones resolve.
pub fn evaluate(db: &impl Db, at: DateTime<Utc>) -> Result<Evaluation> {
    let tx = begin(db)?;
    let firing = conditions(&tx, at)?;
    let mut result = Evaluation::default();
    for f in &firing {
        let (id, new) = raise(&tx, f.rule, &f.subject, &f.message, Some(f.value), Some(f.threshold))?;
        if new { result.opened.push(id.to_string()) } else { result.still_open += 1 }
    }
    for (id, rule, subject) in stored::open_except(&tx, DISCREPANCY)? {
        if !firing.iter().any(|f| f.rule == rule && f.subject == subject) {
            stored::resolve(&tx, id, &now())?;
            result.resolved.push(id.to_string());
        }
    }
    tx.commit()?;
    Ok(result)
}

/// Open alerts (or every alert, newest first, with `all`).
pub fn list(db: &impl Db, all: bool) -> Result<Vec<Alert>> {
    Ok(stored::list(db, all)?)
}

/// Acknowledges an alert: a person has seen it. A discrepancy closes on acknowledgement.
pub fn ack(db: &impl Db, by: By<'_>, id: &str) -> Result<Alert> {
    let n = id
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| CaptureError::NotFound { what: "alert", id: id.into() })?;
    let tx = begin(db)?;
    let current = stored::state(&tx, n)?;
    let Some(stored::AlertState { rule, acked_at: acked, .. }) = current else {
        return Err(CaptureError::NotFound { what: "alert", id: id.into() });
    };
    if acked.is_some() {
        return Err(CaptureError::Invalid(format!("alert {id} is already acknowledged")));
    }
    stored::ack(&tx, by, n, &now(), rule == DISCREPANCY)?;
    tx.commit()?;
    Ok(stored::get(db, n)?)
}

/// Longest target URL accepted.
const MAX_TARGET_LEN: usize = 500;

/// Alerts delivered per pass at most: a flood waits for the next pass instead of hammering a chat tool.
const MAX_DELIVERIES: usize = 50;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Target {
    pub id: String,
    /// `webhook` (a JSON POST) or `email` (through the SMTP relay).
    pub kind: String,
    pub target: String,
    pub from_hour: u32,
    pub to_hour: u32,
    /// `all`, `weekdays` (Monday to Friday) or `weekend`.
    pub days: String,
}

pub const TARGET_KINDS: [&str; 2] = ["webhook", "email"];
pub const DAY_SETS: [&str; 3] = ["all", "weekdays", "weekend"];

impl Target {
    /// True when this contact is on duty at `at` (its days, its UTC hours).
    pub fn on_duty(&self, at: DateTime<Utc>) -> bool {
        let weekend = matches!(at.weekday(), Weekday::Sat | Weekday::Sun);
        let day_ok = match self.days.as_str() {
            "weekdays" => !weekend,
            "weekend" => weekend,
            _ => true,
        };
        day_ok && self.from_hour <= at.hour() && at.hour() < self.to_hour
    }
}

/// Adds an outgoing-webhook escalation target for the UTC hours [from_hour, to_hour), every day.
pub fn add_target(db: &impl Db, by: By<'_>, url: &str, from_hour: u32, to_hour: u32) -> Result<Target> {
    add_contact(db, by, "webhook", url, from_hour, to_hour, "all")
}

/// Adds an escalation contact: who receives alerts (`webhook` URL or `email` address) on which
/// days and in which UTC hours.
pub fn add_contact(
    db: &impl Db,
    by: By<'_>,
    kind: &str,
    target: &str,
    from_hour: u32,
    to_hour: u32,
    days: &str,
) -> Result<Target> {
    let target = target.trim();
    match kind {
        "webhook" => {
            let valid_url = (target.starts_with("https://") || target.starts_with("http://"))
                && target.len() <= MAX_TARGET_LEN
                && !target.chars().any(char::is_whitespace);
            if !valid_url {
                return Err(CaptureError::Invalid(format!(
                    "invalid webhook URL '{target}': expected http(s)://..."
                )));
            }
        }
        "email" => {
            crate::email::mailbox(target)?;
        }
        other => {
            return Err(CaptureError::Invalid(format!(
                "invalid contact kind '{other}': expected {}",
                TARGET_KINDS.join(" or ")
            )));
        }
    }
    if from_hour >= to_hour || to_hour > 24 {
        return Err(CaptureError::Invalid(format!(
            "invalid hours {from_hour}-{to_hour}: expected FROM-TO with 0 <= FROM < TO <= 24"
        )));
    }
    if !DAY_SETS.contains(&days) {
        return Err(CaptureError::Invalid(format!(
            "invalid days '{days}': expected {}",
            DAY_SETS.join(", ")
        )));
    }
    let contact = stored::Contact {
        id: 0,
        kind: kind.into(),
        target: target.into(),
        from_hour,
        to_hour,
        days: days.into(),
    };
    let id = stored::add_contact(db, by, &contact, &now())?;
    Ok(Target::from(stored::Contact { id, ..contact }))
}

impl From<stored::Contact> for Target {
    fn from(c: stored::Contact) -> Target {
        Target {
            id: c.id.to_string(),
            kind: c.kind,
            target: c.target,
            from_hour: c.from_hour,
            to_hour: c.to_hour,
            days: c.days,
        }
    }
}

pub fn targets(db: &impl Db) -> Result<Vec<Target>> {
    Ok(stored::contacts(db)?.into_iter().map(Target::from).collect())
}

/// The contacts who receive an alert raised at `at`.
pub fn contacts_at(db: &impl Db, at: DateTime<Utc>) -> Result<Vec<Target>> {
    Ok(targets(db)?.into_iter().filter(|t| t.on_duty(at)).collect())
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Delivery {
    pub delivered: Vec<String>,
    pub failed: Vec<String>,
}

/// Sends every open, undelivered alert to the contacts on duty at `at`: a JSON POST to each
/// webhook (`{"id","rule","subject","message","opened_at","text"}`; `text` is what chat tools
/// show) and an e-mail through the SMTP relay to each address. An alert is marked delivered
/// once every such contact took it; otherwise the error is kept and the next pass tries again.
/// With no contact on duty nothing is sent.
pub async fn deliver(db: &impl Db, http: &reqwest::Client, at: DateTime<Utc>) -> Result<Delivery> {
    let window = contacts_at(db, at)?;
    let mut outcome = Delivery::default();
    if window.is_empty() {
        return Ok(outcome);
    }
    let smtp = crate::email::smtp(db)?;
    let pending: Vec<Alert> = list(db, false)?
        .into_iter()
        .filter(|a| a.acked_at.is_none())
        .filter(|a| stored::undelivered(db, &a.id))
        .take(MAX_DELIVERIES)
        .collect();
    for alert in pending {
        let mut error = None;
        for target in &window {
            if let Err(e) = deliver_one(http, smtp.as_ref(), target, &alert).await {
                error = Some(e);
            }
        }
        match error {
            None => {
                stored::mark_delivered(db, &alert.id, &now())?;
                outcome.delivered.push(alert.id);
            }
            Some(e) => {
                stored::mark_delivery_failed(db, &alert.id, &e)?;
                outcome.failed.push(alert.id);
            }
        }
    }
    Ok(outcome)
}

async fn deliver_one(
    http: &reqwest::Client,
    smtp: Option<&crate::email::SmtpSettings>,
    target: &Target,
    alert: &Alert,
) -> std::result::Result<(), String> {
    if target.kind == "email" {
        let Some(smtp) = smtp else {
            return Err(format!("{}: no SMTP relay set (shelfsync alerts smtp)", target.target));
        };
        return crate::email::send(smtp, &target.target, alert).await.map_err(|e| e.to_string());
    }
    let body = serde_json::json!({
        "id": alert.id, "rule": alert.rule, "subject": alert.subject, "message": alert.message,
        "opened_at": alert.opened_at, "text": format!("ShelfSync alert [{}]: {}", alert.rule, alert.message),
    });
    match http.post(&target.target).json(&body).send().await {
        Ok(response) if response.status().is_success() => Ok(()),
        Ok(response) => Err(format!("{} answered HTTP {}", target.target, response.status())),
        Err(e) => Err(format!("{}: {e}", target.target)),
    }
}
