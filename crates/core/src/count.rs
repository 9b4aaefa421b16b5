//! Counting rules: tolerances, who may approve, and velocity classes. Pure.

use serde::{Deserialize, Serialize};

/// Limits within which a count variance posts without a supervisor. A variance is within
/// tolerance when it is within every limit that is set; a limit left unset does not apply.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tolerance {
    /// Absolute variance in units.
    pub units: Option<i64>,
    /// Absolute variance as a percentage of the expected quantity, in basis points (1% = 100)
    /// so it stays an integer.
    pub percent_bp: Option<i64>,
    /// Absolute variance value (units x unit cost), in cents.
    pub value_cents: Option<i64>,
    /// Post variances within tolerance on submit, without waiting for anyone.
    pub auto_post: bool,
}

impl Tolerance {
    /// The default when nothing is configured: nothing is within tolerance but an exact count,
    /// so every variance waits for a supervisor until someone decides otherwise.
    pub fn strict() -> Tolerance {
        Tolerance { units: Some(0), percent_bp: None, value_cents: None, auto_post: true }
    }

    pub fn allows(&self, variance: i64, expected: i64, unit_cost_cents: i64) -> bool {
        let abs = variance.abs();
        let units_ok = self.units.is_none_or(|max| abs <= max);
        // Percent of expected; with nothing expected any variance is infinitely large.
        let percent_ok = self.percent_bp.is_none_or(|max_bp| match expected.abs() {
            0 => abs == 0,
            base => abs * 10_000 <= max_bp * base,
        });
        let value_ok = self.value_cents.is_none_or(|max| abs.saturating_mul(unit_cost_cents) <= max);
        units_ok && percent_ok && value_ok
    }
}

/// A velocity class by units sold: A items are the few that make most of the sales.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum VelocityClass {
    A,
    B,
    C,
}

impl VelocityClass {
    pub fn parse(raw: &str) -> Option<VelocityClass> {
        match raw.to_ascii_uppercase().as_str() {
            "A" => Some(VelocityClass::A),
            "B" => Some(VelocityClass::B),
            "C" => Some(VelocityClass::C),
            _ => None,
        }
    }
}

/// Classic ABC: sorted by units sold, the SKUs that make the first 80% of units are A, the
/// next 15% B, the rest (and anything that did not sell) C. Ties keep input order, so the
/// result is deterministic.
pub fn classify_velocity<K: Clone>(units_sold: &[(K, i64)]) -> Vec<(K, VelocityClass)> {
    let mut sorted: Vec<&(K, i64)> = units_sold.iter().collect();
    sorted.sort_by_key(|entry| std::cmp::Reverse(entry.1));
    let total: i64 = sorted.iter().map(|(_, u)| (*u).max(0)).sum();
    let mut running = 0;
    sorted
        .into_iter()
        .map(|(key, units)| {
            let before = running;
            running += (*units).max(0);
            let class = if *units <= 0 || total == 0 {
                VelocityClass::C
            } else if before * 100 < total * 80 {
                VelocityClass::A
            } else if before * 100 < total * 95 {
                VelocityClass::B
            } else {
                VelocityClass::C
            };
            (key.clone(), class)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerance_checks_every_limit_given() {
        let t =
            Tolerance { units: Some(2), percent_bp: Some(1_000), value_cents: Some(5_000), auto_post: true };
        let cases = [
            // (variance, expected, unit cost, within)
            (0, 0, 100, true),
            (1, 10, 100, true),
            (-2, 20, 100, true),
            (3, 100, 100, false),   // over 2 units
            (2, 10, 100, false),    // 20% > 10%
            (2, 100, 3_000, false), // 60.00 > 50.00
            (1, 0, 100, false),     // anything against zero expected is over a percent limit
        ];
        for (variance, expected, cost, within) in cases {
            assert_eq!(t.allows(variance, expected, cost), within, "{variance} of {expected} at {cost}");
        }
        let units_only = Tolerance { units: Some(5), ..Tolerance::default() };
        assert!(units_only.allows(5, 0, 1_000_000));
        assert!(Tolerance::strict().allows(0, 7, 100));
        assert!(!Tolerance::strict().allows(1, 7, 100));
    }

    #[test]
    fn abc_classes_follow_cumulative_units() {
        let sold = [("a", 500), ("b", 300), ("c", 100), ("d", 60), ("e", 40), ("f", 0)];
        let classes: Vec<(&str, VelocityClass)> = classify_velocity(&sold);
        use VelocityClass::*;
        assert_eq!(classes, [("a", A), ("b", A), ("c", B), ("d", B), ("e", C), ("f", C)]);
    }
}
