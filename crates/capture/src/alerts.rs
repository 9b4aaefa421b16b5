//! Alert rules from the guide, with configurable thresholds. Evaluation opens an alert once per
//! (rule, subject), keeps it open (deduplicated) while the condition holds, and resolves it when
//! the condition clears. `discrepancy` alerts come from reconciliation's `flag` rule and close
//! when a person acknowledges them.

use chrono::{DateTime, Datelike, Duration, SecondsFormat, Timelike, Utc, Weekday};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::incidents::percentile;
use crate::orders::immediate;
use crate::{CaptureError, Result, drift, now};

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
pub const DEFAULTS: [(&str, f64, &str); 11] = [
    (QUEUE_DEPTH, 100.0, "pending updates for one channel above this"),
    (NO_SUCCESS, 10.0, "minutes without a successful update while updates are pending, in business hours"),
    (FAILURES, 3.0, "update failures in 30 minutes above this"),
    (ATP_BELOW_SAFETY, 100.0, "the top N SKUs by velocity whose ATP below safety stock alerts"),
    (LATENCY, 300_000.0, "event-to-channel latency p95 over the last hour above this (ms)"),
    (ERROR_RATE, 3.0, "API error rate over the last hour above this (percent)"),
    (WEBHOOK_CAPTURE, 97.0, "webhook capture rate of a day below this (percent)"),
    (DEAD_LETTERS, 0.0, "open dead letters above this"),
    (INCIDENT_OVERDUE, 0.0, "incidents past their root-cause due date above this"),
    ("business_start_hour", 8.0, "business hours start (UTC hour)"),
    ("business_end_hour", 18.0, "business hours end (UTC hour, exclusive)"),
];

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

/// One firing condition found by evaluation.
#[derive(Clone, Debug, PartialEq)]
pub struct Firing {
    pub rule: &'static str,
    pub subject: String,
    pub message: String,
    pub value: f64,
    pub threshold: f64,
}

pub fn threshold(conn: &Connection, rule: &str) -> Result<f64> {
    let stored: Option<f64> = conn
        .query_row("SELECT value FROM alert_thresholds WHERE rule = ?1", [rule], |r| r.get(0))
        .optional()?;
    let default = DEFAULTS.iter().find(|(r, _, _)| *r == rule).map(|(_, v, _)| *v);
    stored.or(default).ok_or_else(|| CaptureError::Invalid(format!("unknown alert rule '{rule}'")))
}

pub fn set_threshold(conn: &Connection, rule: &str, value: f64) -> Result<()> {
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
    conn.execute(
        "INSERT INTO alert_thresholds (rule, value) VALUES (?1, ?2) ON CONFLICT (rule) DO UPDATE SET value = excluded.value",
        params![rule, value],
    )?;
    Ok(())
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn channels(conn: &Connection) -> Result<Vec<String>> {
    Ok(conn
        .prepare("SELECT name FROM channels ORDER BY name")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}

/// Every rule's firing conditions at `at`.
pub fn conditions(conn: &Connection, at: DateTime<Utc>) -> Result<Vec<Firing>> {
    let mut firing = Vec::new();
    let hour_ago = ts(at - Duration::hours(1));
    let start = threshold(conn, "business_start_hour")?;
    let end = threshold(conn, "business_end_hour")?;
    let hour = f64::from(at.hour());
    let business = hour >= start && hour < end;
    for channel in channels(conn)? {
        let depth: i64 =
            conn.query_row("SELECT count(*) FROM outbox WHERE channel = ?1", [&channel], |r| r.get(0))?;
        let limit = threshold(conn, QUEUE_DEPTH)?;
        if depth as f64 > limit {
            firing.push(Firing {
                rule: QUEUE_DEPTH,
                subject: channel.clone(),
                message: format!("{channel}: {depth} updates queued (limit {limit})"),
                value: depth as f64,
                threshold: limit,
            });
        }
        let minutes = threshold(conn, NO_SUCCESS)?;
        if business && depth > 0 {
            let last: Option<String> = conn
                .query_row(
                    "SELECT last_success_at FROM channel_metrics WHERE channel = ?1",
                    [&channel],
                    |r| r.get(0),
                )
                .optional()?
                .flatten();
            let oldest: Option<String> =
                conn.query_row("SELECT min(dirty_since) FROM outbox WHERE channel = ?1", [&channel], |r| {
                    r.get(0)
                })?;
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
        let failures: i64 = conn.query_row(
            "SELECT count(*) FROM sync_failures WHERE channel = ?1 AND at >= ?2",
            params![channel, ts(at - Duration::minutes(30))],
            |r| r.get(0),
        )?;
        let limit = threshold(conn, FAILURES)?;
        if failures as f64 > limit {
            firing.push(Firing {
                rule: FAILURES,
                subject: channel.clone(),
                message: format!("{channel}: {failures} failed updates in 30 minutes"),
                value: failures as f64,
                threshold: limit,
            });
        }
        let latencies: Vec<i64> = conn
            .prepare_cached(
                "SELECT latency_ms FROM pushes WHERE channel = ?1 AND acked_at >= ?2 ORDER BY latency_ms",
            )?
            .query_map(params![channel, hour_ago], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let limit = threshold(conn, LATENCY)?;
        if let Some(p95) = percentile(&latencies, 95).filter(|p| *p as f64 > limit) {
            firing.push(Firing {
                rule: LATENCY,
                subject: channel.clone(),
                message: format!("{channel}: p95 event-to-channel latency {p95} ms"),
                value: p95 as f64,
                threshold: limit,
            });
        }
        let failed_hour: i64 = conn.query_row(
            "SELECT count(*) FROM sync_failures WHERE channel = ?1 AND at >= ?2",
            params![channel, hour_ago],
            |r| r.get(0),
        )?;
        let ok_hour: i64 = conn.query_row(
            "SELECT count(DISTINCT group_key) FROM pushes WHERE channel = ?1 AND acked_at >= ?2",
            params![channel, hour_ago],
            |r| r.get(0),
        )?;
        let limit = threshold(conn, ERROR_RATE)?;
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
        let limit = threshold(conn, WEBHOOK_CAPTURE)?;
        let since_day = (at - Duration::days(1)).format("%Y-%m-%d").to_string();
        let rates: Vec<(String, i64, i64)> = conn
            .prepare_cached("SELECT day, webhook_orders, channel_orders FROM capture_rates WHERE channel = ?1 AND day >= ?2 AND channel_orders > 0")?
            .query_map(params![channel, since_day], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        for (day, webhook, total) in rates {
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
        let dead: i64 = conn.query_row(
            "SELECT count(*) FROM dead_letters WHERE channel = ?1 AND resolved_at IS NULL",
            [&channel],
            |r| r.get(0),
        )?;
        let limit = threshold(conn, DEAD_LETTERS)?;
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
    let top = threshold(conn, ATP_BELOW_SAFETY)?.max(0.0) as usize;
    for sku in drift::top_skus(conn, top, at)? {
        let (atp, safety): (i64, i64) = conn.query_row(
            "SELECT ifnull((SELECT sum(on_hand - committed - reserved - damaged) FROM balances WHERE sku = ?1), 0),
                    safety_stock FROM items WHERE sku = ?1",
            [&sku.sku],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
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
    let overdue: Vec<(i64, String)> = conn
        .prepare("SELECT id, due_at FROM incidents WHERE resolved_at IS NULL AND due_at < ?1")?
        .query_map([ts(at)], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (id, due) in overdue {
        firing.push(Firing {
            rule: INCIDENT_OVERDUE,
            subject: format!("incident:{id}"),
            message: format!("incident {id}: root cause was due {due}"),
            value: 1.0,
            threshold: 0.0,
        });
    }
    Ok(firing)
}

/// Opens the alert for (rule, subject) unless one is open; refreshes the open one otherwise.
/// Returns the alert id and whether it is new.
pub fn raise(
    conn: &Connection,
    rule: &str,
    subject: &str,
    message: &str,
    value: Option<f64>,
    threshold: Option<f64>,
) -> Result<(i64, bool)> {
    let stamp = now();
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

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    pub opened: Vec<String>,
    pub still_open: usize,
    pub resolved: Vec<String>,
}

/// Evaluates every rule at `at` in one transaction: new conditions open alerts, held ones stay
/// (deduplicated), cleared ones resolve.
pub fn evaluate(conn: &Connection, at: DateTime<Utc>) -> Result<Evaluation> {
    let tx = immediate(conn)?;
    let firing = conditions(&tx, at)?;
    let mut result = Evaluation::default();
    for f in &firing {
        let (id, new) = raise(&tx, f.rule, &f.subject, &f.message, Some(f.value), Some(f.threshold))?;
        if new { result.opened.push(id.to_string()) } else { result.still_open += 1 }
    }
    let open: Vec<(i64, String, String)> = tx
        .prepare("SELECT id, rule, subject FROM alerts WHERE resolved_at IS NULL AND rule != ?1")?
        .query_map([DISCREPANCY], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    for (id, rule, subject) in open {
        if !firing.iter().any(|f| f.rule == rule && f.subject == subject) {
            tx.execute("UPDATE alerts SET resolved_at = ?2 WHERE id = ?1", params![id, now()])?;
            result.resolved.push(id.to_string());
        }
    }
    tx.commit()?;
    Ok(result)
}

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

/// Open alerts (or every alert, newest first, with `all`).
pub fn list(conn: &Connection, all: bool) -> Result<Vec<Alert>> {
    Ok(conn
        .prepare(
            "SELECT id, rule, subject, message, value, threshold, opened_at, last_seen_at, acked_at, acked_by, resolved_at
             FROM alerts WHERE (?1 = 1 OR resolved_at IS NULL) ORDER BY id DESC LIMIT 1000",
        )?
        .query_map([all as i64], row)?
        .collect::<Result<_, _>>()?)
}

/// Acknowledges an alert: a person has seen it. A discrepancy closes on acknowledgement.
pub fn ack(conn: &Connection, id: &str, by: &str) -> Result<Alert> {
    let n = id
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| CaptureError::NotFound { what: "alert", id: id.into() })?;
    let tx = immediate(conn)?;
    let current: Option<(String, Option<String>, Option<String>)> = tx
        .query_row("SELECT rule, acked_at, resolved_at FROM alerts WHERE id = ?1", [n], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    let Some((rule, acked, _)) = current else {
        return Err(CaptureError::NotFound { what: "alert", id: id.into() });
    };
    if acked.is_some() {
        return Err(CaptureError::Invalid(format!("alert {id} is already acknowledged")));
    }
    let stamp = now();
    tx.execute("UPDATE alerts SET acked_at = ?2, acked_by = ?3 WHERE id = ?1", params![n, stamp, by])?;
    if rule == DISCREPANCY {
        tx.execute(
            "UPDATE alerts SET resolved_at = ?2 WHERE id = ?1 AND resolved_at IS NULL",
            params![n, stamp],
        )?;
    }
    tx.commit()?;
    Ok(conn.query_row(
        "SELECT id, rule, subject, message, value, threshold, opened_at, last_seen_at, acked_at, acked_by, resolved_at FROM alerts WHERE id = ?1",
        [n],
        row,
    )?)
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
pub fn add_target(conn: &Connection, url: &str, from_hour: u32, to_hour: u32) -> Result<Target> {
    add_contact(conn, "webhook", url, from_hour, to_hour, "all")
}

/// Adds an escalation contact: who receives alerts (`webhook` URL or `email` address) on which
/// days and in which UTC hours.
pub fn add_contact(
    conn: &Connection,
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
    conn.execute(
        "INSERT INTO alert_targets (kind, target, from_hour, to_hour, days, added_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![kind, target, from_hour, to_hour, days, now()],
    )?;
    Ok(Target {
        id: conn.last_insert_rowid().to_string(),
        kind: kind.into(),
        target: target.into(),
        from_hour,
        to_hour,
        days: days.into(),
    })
}

pub fn targets(conn: &Connection) -> Result<Vec<Target>> {
    Ok(conn
        .prepare("SELECT id, kind, target, from_hour, to_hour, days FROM alert_targets ORDER BY id")?
        .query_map([], |r| {
            Ok(Target {
                id: r.get::<_, i64>(0)?.to_string(),
                kind: r.get(1)?,
                target: r.get(2)?,
                from_hour: r.get(3)?,
                to_hour: r.get(4)?,
                days: r.get(5)?,
            })
        })?
        .collect::<Result<_, _>>()?)
}

/// The contacts who receive an alert raised at `at`.
pub fn contacts_at(conn: &Connection, at: DateTime<Utc>) -> Result<Vec<Target>> {
    Ok(targets(conn)?.into_iter().filter(|t| t.on_duty(at)).collect())
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
pub async fn deliver(conn: &Connection, http: &reqwest::Client, at: DateTime<Utc>) -> Result<Delivery> {
    let window = contacts_at(conn, at)?;
    let mut outcome = Delivery::default();
    if window.is_empty() {
        return Ok(outcome);
    }
    let smtp = crate::email::smtp(conn)?;
    let pending: Vec<Alert> = list(conn, false)?
        .into_iter()
        .filter(|a| a.acked_at.is_none())
        .filter(|a| {
            conn.query_row("SELECT delivered_at IS NULL FROM alerts WHERE id = ?1", [&a.id], |r| {
                r.get::<_, bool>(0)
            })
            .unwrap_or(false)
        })
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
                conn.execute(
                    "UPDATE alerts SET delivered_at = ?2, delivery_error = NULL WHERE id = ?1",
                    params![alert.id, now()],
                )?;
                outcome.delivered.push(alert.id);
            }
            Some(e) => {
                conn.execute("UPDATE alerts SET delivery_error = ?2 WHERE id = ?1", params![alert.id, e])?;
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
