use std::collections::BTreeMap;

use crate::{Balances, Bucket, Delta, LocationCode, Sku};

/// A bucket that an event would push below zero, or damaged units outnumbering on_hand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BucketViolation {
    pub sku: Sku,
    pub location: LocationCode,
    pub bucket: Bucket,
    /// For a negative bucket: its value before. For damaged over on_hand: on_hand after.
    pub current: i64,
    /// For a negative bucket: the change. For damaged over on_hand: damaged after.
    pub change: i64,
    pub damaged_exceeds_on_hand: bool,
}

impl std::fmt::Display for BucketViolation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.damaged_exceeds_on_hand {
            return write!(
                f,
                "damaged at {} would exceed on_hand ({} damaged, {} on hand)",
                self.location, self.change, self.current
            );
        }
        let sign = if self.change < 0 { '-' } else { '+' };
        write!(
            f,
            "{} at {} would go negative ({} {sign} {})",
            self.bucket,
            self.location,
            self.current,
            self.change.unsigned_abs()
        )
    }
}

/// Balances for many (sku, location) pairs: the in-memory form of the projection.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Position {
    balances: BTreeMap<(Sku, LocationCode), Balances>,
}

impl Position {
    pub fn get(&self, sku: &Sku, location: &LocationCode) -> Balances {
        self.balances.get(&(sku.clone(), location.clone())).copied().unwrap_or_default()
    }

    pub fn set(&mut self, sku: Sku, location: LocationCode, balances: Balances) {
        self.balances.insert((sku, location), balances);
    }

    /// Adds deltas unconditionally: addition commutes, so the order events arrive in does not
    /// change the result.
    pub fn apply(&mut self, deltas: &[Delta]) {
        for delta in deltas {
            self.balances
                .entry((delta.sku.clone(), delta.location.clone()))
                .or_default()
                .add(delta.bucket, delta.amount);
        }
    }

    /// The first rule the deltas would break, if any: every bucket stays at or above zero, and
    /// damaged units never outnumber the units on the shelf.
    pub fn check(&self, deltas: &[Delta]) -> Option<BucketViolation> {
        let mut after = self.clone();
        after.apply(deltas);
        for delta in deltas {
            let key = (delta.sku.clone(), delta.location.clone());
            let before = self.balances.get(&key).copied().unwrap_or_default();
            let now = after.balances[&key];
            let violation =
                |bucket: Bucket, current: i64, change: i64, damaged_exceeds_on_hand| BucketViolation {
                    sku: delta.sku.clone(),
                    location: delta.location.clone(),
                    bucket,
                    current,
                    change,
                    damaged_exceeds_on_hand,
                };
            for bucket in Bucket::ALL {
                if now.get(bucket) < 0 {
                    return Some(violation(
                        bucket,
                        before.get(bucket),
                        now.get(bucket) - before.get(bucket),
                        false,
                    ));
                }
            }
            if now.damaged > now.on_hand {
                return Some(violation(Bucket::Damaged, now.on_hand, now.damaged, true));
            }
        }
        None
    }

    /// Non-zero balances in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&(Sku, LocationCode), &Balances)> {
        self.balances.iter().filter(|(_, b)| !b.is_zero())
    }

    /// Every balance, zero ones included: what a writer must persist after applying deltas.
    pub fn iter_all(&self) -> impl Iterator<Item = (&(Sku, LocationCode), &Balances)> {
        self.balances.iter()
    }

    /// Positions compare by their non-zero balances: a pair that went to zero equals a pair
    /// never touched.
    pub fn same_as(&self, other: &Position) -> bool {
        self.iter().eq(other.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delta(location: &str, bucket: Bucket, amount: i64) -> Delta {
        Delta { sku: Sku::new("S1").unwrap(), location: LocationCode::new(location).unwrap(), bucket, amount }
    }

    #[test]
    fn check_names_the_broken_bucket() {
        let mut position = Position::default();
        position.apply(&[delta("WH1", Bucket::OnHand, 3)]);
        let cases = [
            (vec![delta("WH1", Bucket::OnHand, -5)], Some("on_hand at WH1 would go negative (3 - 5)")),
            (vec![delta("WH1", Bucket::OnHand, -3)], None),
            (
                vec![delta("WH1", Bucket::Damaged, 4)],
                Some("damaged at WH1 would exceed on_hand (4 damaged, 3 on hand)"),
            ),
            (vec![delta("WH2", Bucket::Committed, -1)], Some("committed at WH2 would go negative (0 - 1)")),
        ];
        for (deltas, want) in cases {
            assert_eq!(position.check(&deltas).map(|v| v.to_string()).as_deref(), want);
        }
    }

    #[test]
    fn zero_balances_compare_equal_to_absent() {
        let mut a = Position::default();
        a.apply(&[delta("WH1", Bucket::OnHand, 3), delta("WH1", Bucket::OnHand, -3)]);
        assert!(a.same_as(&Position::default()));
    }
}
