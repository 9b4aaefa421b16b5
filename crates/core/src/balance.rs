use std::fmt;

use serde::{Deserialize, Serialize};

/// The five quantities kept per (sku, location).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    /// Physically in the location, including damaged units in quarantine.
    OnHand,
    /// Sold on a channel, not yet shipped.
    Committed,
    /// Held back for a purpose other than a sale (a B2B order, a photo shoot).
    Reserved,
    /// Unsellable units still on the shelf; they leave on_hand only when written off.
    Damaged,
    /// Shipped from another location towards this one, not yet received.
    InTransit,
}

impl Bucket {
    pub const ALL: [Bucket; 5] =
        [Bucket::OnHand, Bucket::Committed, Bucket::Reserved, Bucket::Damaged, Bucket::InTransit];

    pub fn as_str(self) -> &'static str {
        match self {
            Bucket::OnHand => "on_hand",
            Bucket::Committed => "committed",
            Bucket::Reserved => "reserved",
            Bucket::Damaged => "damaged",
            Bucket::InTransit => "in_transit",
        }
    }

    pub fn parse(raw: &str) -> Option<Bucket> {
        Bucket::ALL.into_iter().find(|b| b.as_str() == raw)
    }
}

impl fmt::Display for Bucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The buckets of one (sku, location).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balances {
    pub on_hand: i64,
    pub committed: i64,
    pub reserved: i64,
    pub damaged: i64,
    pub in_transit: i64,
}

impl Balances {
    /// Available to promise: what channels may sell. Damaged units are still in on_hand, so
    /// subtracting them here counts them out exactly once. Negative means oversold.
    pub fn atp(&self) -> i64 {
        self.on_hand - self.committed - self.reserved - self.damaged
    }

    pub fn get(&self, bucket: Bucket) -> i64 {
        match bucket {
            Bucket::OnHand => self.on_hand,
            Bucket::Committed => self.committed,
            Bucket::Reserved => self.reserved,
            Bucket::Damaged => self.damaged,
            Bucket::InTransit => self.in_transit,
        }
    }

    pub fn add(&mut self, bucket: Bucket, amount: i64) {
        let slot = match bucket {
            Bucket::OnHand => &mut self.on_hand,
            Bucket::Committed => &mut self.committed,
            Bucket::Reserved => &mut self.reserved,
            Bucket::Damaged => &mut self.damaged,
            Bucket::InTransit => &mut self.in_transit,
        };
        *slot += amount;
    }

    pub fn is_zero(&self) -> bool {
        *self == Balances::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atp_counts_damaged_once() {
        let b = Balances { on_hand: 10, committed: 2, reserved: 1, damaged: 3, in_transit: 5 };
        assert_eq!(b.atp(), 4);
    }

    #[test]
    fn bucket_names_round_trip() {
        for bucket in Bucket::ALL {
            assert_eq!(Bucket::parse(bucket.as_str()), Some(bucket));
        }
        assert_eq!(Bucket::parse("nope"), None);
    }
}
