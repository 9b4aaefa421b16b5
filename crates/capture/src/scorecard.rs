//! The scorecard: the guide's Quick Reference measured on this workstation's data, each
//! measure beside its target and red flag (`shelfsync_core::scorecard`) with its verdict.
//! `shelfsync report scorecard` prints it.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use shelfsync_core::scorecard::{Better, QUICK_REFERENCE, Verdict, judge};
use shelfsync_store::channels::queue::stamp as ts;
use shelfsync_store::channels::{metrics, registry};
use shelfsync_store::oversight::{Db, alerts as stored, scorecard as figures};

use crate::incidents::percentile;
use crate::{CaptureError, Result};

/// Longest period a scorecard covers: a quarter. Amazon's cancellation line is 60 days (always
/// measured over those), and the oversell count walks the period's events back.
pub const MAX_DAYS: u32 = 90;
/// Amazon measures cancellations over a rolling 60 days.
const AMAZON_WINDOW_DAYS: i64 = 60;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScoreLine {
    pub key: &'static str,
    pub label: &'static str,
    /// None: nothing to measure (or, for the last run of a job, never run: see `detail`).
    pub value: Option<f64>,
    pub target: f64,
    pub red_flag: f64,
    pub better: Better,
    /// At or better than the target (`verdict` is `met`).
    pub met: bool,
    pub verdict: Verdict,
    /// What the value was made of, in words ("3 failed of 412 calls").
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scorecard {
    pub at: String,
    pub days: u32,
    pub lines: Vec<ScoreLine>,
}

fn pct(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 10_000.0 / whole as f64).round() / 100.0)
}

/// Hours since an RFC 3339 time, or None when there is none.
fn hours_since(at: DateTime<Utc>, then: Option<String>) -> Option<f64> {
    let then = DateTime::parse_from_rfc3339(&then?).ok()?.with_timezone(&Utc);
    Some(((at - then).num_seconds().max(0) as f64 / 360.0).round() / 10.0)
}

/// Every Quick Reference measure over the `days` before `at`.
pub fn scorecard(db: &impl Db, at: DateTime<Utc>, days: u32) -> Result<Scorecard> {
    if days == 0 || days > MAX_DAYS {
        return Err(CaptureError::Invalid(format!("--days must be between 1 and {MAX_DAYS}, got {days}")));
    }
    let since = ts(at - Duration::days(i64::from(days)));
    let since_day = (at - Duration::days(i64::from(days))).format("%Y-%m-%d").to_string();
    let (mut latencies, mut failed, mut acked, mut webhook, mut orders) = (Vec::new(), 0, 0, 0, 0);
    for channel in registry::channel_names(db)? {
        latencies.extend(metrics::latencies_since(db, &channel, &since)?);
        failed += metrics::failures_since(db, &channel, &since)?;
        acked += metrics::acked_groups_since(db, &channel, &since)?;
        for day in stored::capture_days_since(db, &channel, &since_day)? {
            webhook += day.webhook_orders;
            orders += day.channel_orders;
        }
    }
    latencies.sort_unstable();
    let p95 = percentile(&latencies, 95);
    let (sold, oversold) = figures::channel_sales_oversold(db, &since)?;
    let last_reconcile = figures::last_reconciliation_at(db)?;
    let last_drift = figures::last_drift_audit_at(db)?;
    let (amazon_sales, amazon_cancels) =
        figures::amazon_sales_and_cancellations(db, &ts(at - Duration::days(AMAZON_WINDOW_DAYS)))?;
    let mut lines = Vec::new();
    for measure in &QUICK_REFERENCE {
        let (value, detail, never) = match measure.key {
            "sync_latency_p95_s" => {
                (p95.map(|ms| ms as f64 / 1000.0), format!("{} acknowledged updates", latencies.len()), false)
            }
            "webhook_capture_rate_pct" => {
                (pct(webhook, orders), format!("{webhook} of {orders} orders first seen by webhook"), false)
            }
            "api_error_rate_pct" => {
                (pct(failed, failed + acked), format!("{failed} failed of {} calls", failed + acked), false)
            }
            "oversell_rate_pct" => {
                (pct(oversold, sold), format!("{oversold} of {sold} units sold on the channels"), false)
            }
            "hours_since_reconciliation" => (
                hours_since(at, last_reconcile.clone()),
                last_reconcile.clone().map_or("never run".into(), |t| format!("last run {t}")),
                last_reconcile.is_none(),
            ),
            "days_since_drift_audit" => (
                hours_since(at, last_drift.clone()).map(|h| (h / 2.4).round() / 10.0),
                last_drift.clone().map_or("never run".into(), |t| format!("last run {t}")),
                last_drift.is_none(),
            ),
            "amazon_cancellation_rate_pct" => (
                pct(amazon_cancels, amazon_sales),
                format!(
                    "{amazon_cancels} cancelled of {amazon_sales} Amazon order lines in {AMAZON_WINDOW_DAYS} days \
                     (buyer and seller cancellations alike)"
                ),
                false,
            ),
            other => return Err(CaptureError::Invalid(format!("no measurement for '{other}'"))),
        };
        // A job that never ran is past any red flag, not a measure without data.
        let verdict = if never { Verdict::RedFlag } else { judge(measure, value) };
        lines.push(ScoreLine {
            key: measure.key,
            label: measure.label,
            value,
            target: measure.target,
            red_flag: measure.red_flag,
            better: measure.better,
            met: verdict == Verdict::Met,
            verdict,
            detail,
        });
    }
    Ok(Scorecard { at: ts(at), days, lines })
}
