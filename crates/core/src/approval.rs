//! The approval threshold: when a loss posts at once and when it waits for a supervisor.
//!
//! A loss is damage, a write-off or an adjustment downwards (a negative adjustment is a
//! write-off by another name, so it cannot be the way around the threshold). Its value is units
//! x unit cost. It waits when it and the requester's losses already posted that UTC day are
//! worth more than the threshold together, so splitting a loss into small lines or small
//! commits does not slip it past. The rule holds for every role; who may then decide is the
//! store's check against the record ("nobody decides their own request").
//!
//! Pure: the store reads the setting, the unit cost, today's losses and the clock, and asks
//! these functions what they mean.

use chrono::{DateTime, Utc};

use crate::{DomainError, Movement, parse_cents};

/// The threshold when none is set: 500.00 in the catalogue's currency.
pub const DEFAULT_APPROVAL_CENTS: i64 = 50_000;

/// Units a movement takes out of stock as a loss (what the approval threshold weighs), or
/// `None` when it is no loss: damage, write-offs, and adjustments downwards.
pub fn loss_units(movement: &Movement) -> Option<i64> {
    match movement {
        Movement::Damage { qty, .. } | Movement::WriteOff { qty, .. } => Some(i64::from(*qty)),
        Movement::Adjust { delta, .. } if *delta < 0 => Some(delta.saturating_neg()),
        _ => None,
    }
}

/// What a loss of `units` is worth at `unit_cost_cents` each. Saturates instead of wrapping,
/// so an absurd value can only ever look larger, never small enough to skip the threshold.
pub fn loss_value_cents(units: i64, unit_cost_cents: i64) -> i64 {
    units.saturating_mul(unit_cost_cents)
}

/// The threshold a setting names (a decimal amount such as `250.00`), or the default when the
/// setting is absent.
pub fn approval_threshold_cents(setting: Option<&str>) -> Result<i64, DomainError> {
    setting.map_or(Ok(DEFAULT_APPROVAL_CENTS), parse_cents)
}

/// Whether a loss worth `value_cents` waits for a supervisor, given the requester's losses
/// already posted today. A loss exactly at the threshold posts.
pub fn needs_approval(value_cents: i64, losses_today_cents: i64, threshold_cents: i64) -> bool {
    value_cents.saturating_add(losses_today_cents) > threshold_cents
}

/// The start of the day a requester's losses add up over: `now`'s UTC midnight.
pub fn loss_day_start(now: DateTime<Utc>) -> DateTime<Utc> {
    now.date_naive().and_hms_opt(0, 0, 0).expect("midnight exists").and_utc()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{LocationCode, Sku, WriteOffSource};

    fn sku() -> Sku {
        Sku::new("S1").unwrap()
    }
    fn wh1() -> LocationCode {
        LocationCode::new("WH1").unwrap()
    }

    #[test]
    fn losses_are_damage_write_offs_and_downward_adjustments() {
        let cases: Vec<(Movement, Option<i64>)> = vec![
            (Movement::Damage { sku: sku(), location: wh1(), qty: 3 }, Some(3)),
            (
                Movement::WriteOff { sku: sku(), location: wh1(), qty: 4, from: WriteOffSource::OnHand },
                Some(4),
            ),
            (
                Movement::WriteOff { sku: sku(), location: wh1(), qty: 5, from: WriteOffSource::Damaged },
                Some(5),
            ),
            (Movement::Adjust { sku: sku(), location: wh1(), delta: -7 }, Some(7)),
            (Movement::Adjust { sku: sku(), location: wh1(), delta: i64::MIN }, Some(i64::MAX)),
            (Movement::Adjust { sku: sku(), location: wh1(), delta: 7 }, None),
            (Movement::Receive { sku: sku(), location: wh1(), qty: 9 }, None),
            (Movement::Sale { sku: sku(), location: wh1(), qty: 9 }, None),
            (Movement::Fulfil { sku: sku(), location: wh1(), qty: 9 }, None),
            (
                Movement::Transfer { sku: sku(), from: wh1(), to: LocationCode::new("WH2").unwrap(), qty: 9 },
                None,
            ),
        ];
        for (movement, want) in cases {
            assert_eq!(loss_units(&movement), want, "{movement:?}");
        }
    }

    #[test]
    fn the_threshold_weighs_the_day_not_the_line() {
        // (value, earlier today, threshold, waits)
        let cases = [
            (50_000, 0, DEFAULT_APPROVAL_CENTS, false),
            (50_001, 0, DEFAULT_APPROVAL_CENTS, true),
            (30_000, 20_000, DEFAULT_APPROVAL_CENTS, false),
            (30_000, 20_001, DEFAULT_APPROVAL_CENTS, true),
            (1, 0, 0, true),
            (0, 0, 0, false),
            (i64::MAX, i64::MAX, DEFAULT_APPROVAL_CENTS, true),
            (i64::MAX, 0, i64::MAX, false),
        ];
        for (value, earlier, threshold, waits) in cases {
            assert_eq!(
                needs_approval(value, earlier, threshold),
                waits,
                "{value} + {earlier} vs {threshold}"
            );
        }
    }

    #[test]
    fn loss_values_saturate() {
        let cases = [(3, 250, 750), (0, 999, 0), (i64::MAX, 2, i64::MAX), (2, 1_000_000_000, 2_000_000_000)];
        for (units, cost, want) in cases {
            assert_eq!(loss_value_cents(units, cost), want, "{units} x {cost}");
        }
    }

    #[test]
    fn the_threshold_setting_is_an_amount_or_the_default() {
        let cases = [
            (None, Ok(50_000)),
            (Some("250.00"), Ok(25_000)),
            (Some("0"), Ok(0)),
            (Some("12.5"), Ok(1_250)),
            (Some("-1"), Err(DomainError::InvalidMoney("-1".into()))),
            (Some("lots"), Err(DomainError::InvalidMoney("lots".into()))),
        ];
        for (setting, want) in cases {
            assert_eq!(approval_threshold_cents(setting), want, "{setting:?}");
        }
    }

    #[test]
    fn the_loss_day_starts_at_utc_midnight() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let cases = [
            ("2026-03-01T09:30:00Z", "2026-03-01T00:00:00Z"),
            ("2026-03-01T00:00:00Z", "2026-03-01T00:00:00Z"),
            ("2026-03-01T23:59:59.999Z", "2026-03-01T00:00:00Z"),
            // A local time just after midnight east of UTC is still the previous UTC day.
            ("2026-03-02T00:30:00+02:00", "2026-03-01T00:00:00Z"),
        ];
        for (now, want) in cases {
            assert_eq!(loss_day_start(at(now)), at(want), "{now}");
        }
    }
}
