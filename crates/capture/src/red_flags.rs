//! Alerts at the guide's red flags that the channel rules in `alerts` do not cover: the Quick
//! Reference lines measured over days rather than minutes. Latency, webhook capture and API
//! errors already alert at their red flags per channel (`alerts::LATENCY`, `WEBHOOK_CAPTURE`,
//! `ERROR_RATE`); these four complete the scorecard (`shelfsync report scorecard`):
//!
//! - `oversell_rate`: units oversold of the units the channels sold over the last 7 days (the
//!   scorecard's default period), above 1.5%;
//! - `reconciliation_overdue`: hours since the last reconciliation, above 24 ("less than daily");
//! - `drift_audit_overdue`: days since the last drift audit, above 14 ("no regular audit": a
//!   weekly audit missed twice);
//! - `amazon_cancellation_rate`: Amazon's cancelled order lines of its sale lines over a rolling
//!   60 days, above Amazon's own 2.5% line.
//!
//! The defaults are core's red flags (`shelfsync_core::scorecard::QUICK_REFERENCE`), never
//! copied numbers; a peak day tightens each to its Quick Reference target, as the other rules
//! with a target do. A reconciliation or audit that never ran is counted from the first
//! channel's creation: a workstation without channels has nothing to reconcile, and one set up
//! an hour ago is not yet a day late.

use chrono::{DateTime, Duration, Utc};
use shelfsync_core::scorecard::{QUICK_REFERENCE, measure};
use shelfsync_store::StoreError;
use shelfsync_store::channels::queue::stamp as ts;
use shelfsync_store::oversight::{Db, scorecard as figures};

use crate::alerts::{Firing, threshold_in_force};
use crate::{CaptureError, Result};

pub const OVERSELL_RATE: &str = "oversell_rate";
pub const RECONCILE_OVERDUE: &str = "reconciliation_overdue";
pub const DRIFT_AUDIT_OVERDUE: &str = "drift_audit_overdue";
pub const AMAZON_CANCELLATIONS: &str = "amazon_cancellation_rate";

/// Each rule with its Quick Reference line, the same order as in `alerts::DEFAULTS`.
pub const RULES: [(&str, &str); 4] = [
    (OVERSELL_RATE, "oversell_rate_pct"),
    (RECONCILE_OVERDUE, "hours_since_reconciliation"),
    (DRIFT_AUDIT_OVERDUE, "days_since_drift_audit"),
    (AMAZON_CANCELLATIONS, "amazon_cancellation_rate_pct"),
];

/// The default thresholds: core's red flags (indices checked by a test against `RULES`).
pub const OVERSELL_RED_FLAG: f64 = QUICK_REFERENCE[3].red_flag;
pub const RECONCILE_RED_FLAG: f64 = QUICK_REFERENCE[4].red_flag;
pub const DRIFT_RED_FLAG: f64 = QUICK_REFERENCE[5].red_flag;
pub const AMAZON_RED_FLAG: f64 = QUICK_REFERENCE[6].red_flag;

/// The period the oversell rate is measured over: the scorecard's default week.
pub const OVERSELL_DAYS: i64 = 7;
/// When a week is more events than the store walks (`MAX_EVENTS_WALKED`), the last day.
const OVERSELL_FALLBACK_DAYS: i64 = 1;
/// Amazon measures cancellations over a rolling 60 days.
pub const AMAZON_DAYS: i64 = 60;

/// On a peak day a rule alerts at its Quick Reference target instead of its red flag.
pub fn at_target(rule: &str, value: f64) -> f64 {
    let target = RULES.iter().find(|(r, _)| *r == rule).and_then(|(_, key)| measure(key)).map(|m| m.target);
    target.map_or(value, |t| value.min(t))
}

fn parse(stamp: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(stamp).ok().map(|t| t.with_timezone(&Utc))
}

fn pct(part: i64, whole: i64) -> f64 {
    part as f64 * 100.0 / whole as f64
}

/// The four rules' firing conditions at `at` (`peak`: a peak day, thresholds at the target).
pub fn conditions(db: &impl Db, at: DateTime<Utc>, peak: bool) -> Result<Vec<Firing>> {
    let mut firing = Vec::new();
    let first_channel = figures::first_channel_at(db)?.as_deref().and_then(parse);
    let Some(first_channel) = first_channel else { return Ok(firing) };

    if let Some((sold, oversold, days)) = oversold_recently(db, at)?
        && sold > 0
    {
        let rate = pct(oversold, sold);
        let limit = threshold_in_force(db, OVERSELL_RATE, peak)?;
        if rate > limit {
            firing.push(Firing {
                rule: OVERSELL_RATE,
                subject: "channels".into(),
                message: format!(
                    "oversell rate {rate:.2}% over {days} days ({oversold} of {sold} units sold on the channels)"
                ),
                value: rate,
                threshold: limit,
            });
        }
    }

    let overdue =
        |last: Option<String>, what: &str, rule: &'static str, per_day: bool| -> Result<Option<Firing>> {
            let since = last.as_deref().and_then(parse).unwrap_or(first_channel);
            let hours = (at - since).num_seconds().max(0) as f64 / 3600.0;
            let value = if per_day { hours / 24.0 } else { hours };
            let limit = threshold_in_force(db, rule, peak)?;
            if value <= limit {
                return Ok(None);
            }
            let unit = if per_day { "days" } else { "hours" };
            let when = match last {
                Some(t) => format!("the last {what} was {value:.1} {unit} ago ({t})"),
                None => {
                    format!("no {what} has run in the {value:.1} {unit} since the first channel was added")
                }
            };
            Ok(Some(Firing {
                rule,
                subject: what.replace(' ', "_"),
                message: format!("{when}; limit {limit} {unit}"),
                value,
                threshold: limit,
            }))
        };
    firing.extend(overdue(figures::last_reconciliation_at(db)?, "reconciliation", RECONCILE_OVERDUE, false)?);
    firing.extend(overdue(figures::last_drift_audit_at(db)?, "drift audit", DRIFT_AUDIT_OVERDUE, true)?);

    let (sales, cancels) =
        figures::amazon_sales_and_cancellations(db, &ts(at - Duration::days(AMAZON_DAYS)))?;
    if sales > 0 {
        let rate = pct(cancels, sales);
        let limit = threshold_in_force(db, AMAZON_CANCELLATIONS, peak)?;
        if rate > limit {
            firing.push(Firing {
                rule: AMAZON_CANCELLATIONS,
                subject: "amazon".into(),
                message: format!(
                    "Amazon cancellation rate {rate:.2}% over {AMAZON_DAYS} days ({cancels} cancelled of {sales} order lines; Amazon warns above 2.5%)"
                ),
                value: rate,
                threshold: limit,
            });
        }
    }
    Ok(firing)
}

/// (sold, oversold, days) over the last week, or the last day when a week is more events than
/// the store walks; `None` when even a day is (the rule stays silent rather than failing every
/// other alert with it; the scorecard says why).
fn oversold_recently(db: &impl Db, at: DateTime<Utc>) -> Result<Option<(i64, i64, i64)>> {
    for days in [OVERSELL_DAYS, OVERSELL_FALLBACK_DAYS] {
        match figures::channel_sales_oversold(db, &ts(at - Duration::days(days))) {
            Ok((sold, oversold)) => return Ok(Some((sold, oversold, days))),
            Err(StoreError::PeriodTooLong { .. }) => continue,
            Err(e) => return Err(CaptureError::from(e)),
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_cores_red_flags_and_peak_days_alert_at_the_target() {
        let defaults = [OVERSELL_RED_FLAG, RECONCILE_RED_FLAG, DRIFT_RED_FLAG, AMAZON_RED_FLAG];
        for ((rule, key), default) in RULES.iter().zip(defaults) {
            let m = measure(key).unwrap_or_else(|| panic!("no measure {key}"));
            assert_eq!(m.red_flag, default, "{rule}");
            let listed = crate::alerts::DEFAULTS.iter().find(|(r, _, _)| r == rule).map(|(_, v, _)| *v);
            assert_eq!(listed, Some(default), "{rule} in alerts::DEFAULTS");
            assert_eq!(at_target(rule, default), m.target, "{rule} on a peak day");
            assert_eq!(crate::alerts::peak_tightened(rule, default), m.target, "{rule} through alerts");
        }
        assert_eq!(at_target("queue_depth", 100.0), 100.0);
    }
}
