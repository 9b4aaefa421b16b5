//! Allocation: how much of the shared stock one channel listing may sell. Pure arithmetic over
//! the ATP of the feeding locations, the item's safety stock, the channel's rule and the
//! unresolved differences seen on the channels. The store gathers the inputs (inside the
//! ledger's transaction, see `shelfsync_store::outbox`) and stores the result with every outbox
//! row and push, so `sync explain` can show each step.

use serde::{Deserialize, Serialize};

use crate::flash::FlashShare;

/// ATP of one feeding location, as it entered a derivation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocationAtp {
    pub location: String,
    pub atp: i64,
}

/// A channel's allocation rule (the numeric part; feeding locations are resolved by SQL).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocationRule {
    pub percent: u8,
    pub buffer: i64,
    pub cap: Option<i64>,
}

impl Default for AllocationRule {
    fn default() -> Self {
        AllocationRule { percent: 100, buffer: 0, cap: None }
    }
}

/// Why a pushed quantity is what it is: every input and every step, stored with the outbox row
/// and with the push, so `sync explain` can show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    pub locations: Vec<LocationAtp>,
    /// Sum of ATP over the feeding locations (an oversold location counts negative).
    pub pool: i64,
    pub safety_stock: i64,
    pub percent: u8,
    /// floor((pool - safety_stock) * percent / 100), never below 0.
    pub after_percent: i64,
    pub buffer: i64,
    pub cap: Option<i64>,
    /// Unresolved differences found on the channels: every unseen drop of the item on any
    /// channel (a sale not yet in the ledger lowers what every channel lists), plus this
    /// listing's own other differences awaiting capture or reconciliation.
    pub channel_adjustment: i64,
    /// What is pushed: never negative.
    pub qty: i64,
    /// The item sells fast and flash-sale mode is on: this listing's share of the last units,
    /// which `qty` does not exceed. Absent otherwise (and in allocations stored before it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flash: Option<FlashShare>,
    /// A kit's listing (issue 21): per feeding location, the kit's ATP (as in `locations`) and
    /// the component that limits it. Absent for an item (and in allocations stored before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kit: Option<Vec<crate::kit::KitLocation>>,
}

impl Allocation {
    /// The allocation limited to its flash share (flash-sale mode, see [`crate::flash`]).
    pub fn within_flash_share(mut self, share: Option<FlashShare>) -> Allocation {
        if let Some(share) = &share {
            self.qty = self.qty.min(share.share.max(0));
        }
        self.flash = share;
        self
    }
}

/// Largest quantity ever pushed. Shopify refuses more than 1,000,000,000; a ledger bucket
/// cannot get near it, so reaching it means a bug, and clamping keeps the push valid.
pub const MAX_PUSH_QTY: i64 = 1_000_000_000;

/// The allocation arithmetic, pure: safety stock first (it is kept back from every channel),
/// then the channel's share, then its buffer and cap, then unseen channel sales.
pub fn allocate(
    rule: AllocationRule,
    locations: Vec<LocationAtp>,
    safety_stock: i64,
    channel_adjustment: i64,
) -> Allocation {
    let pool: i64 = locations.iter().map(|l| l.atp).sum();
    let available = (pool - safety_stock).max(0);
    let after_percent = available * i64::from(rule.percent.min(100)) / 100;
    let after_buffer = after_percent - rule.buffer;
    let capped = rule.cap.map_or(after_buffer, |cap| after_buffer.min(cap));
    let qty = (capped + channel_adjustment).clamp(0, MAX_PUSH_QTY);
    Allocation {
        locations,
        pool,
        safety_stock,
        percent: rule.percent,
        after_percent,
        buffer: rule.buffer,
        cap: rule.cap,
        channel_adjustment,
        qty,
        flash: None,
        kit: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(location: &str, atp: i64) -> LocationAtp {
        LocationAtp { location: location.into(), atp }
    }

    #[test]
    fn allocation_steps_apply_in_order_and_never_go_negative() {
        let rule = |percent, buffer, cap| AllocationRule { percent, buffer, cap };
        let cases = [
            (rule(100, 0, None), vec![at("WH1", 10)], 0, 0, 10),
            (rule(100, 0, None), vec![at("WH1", 10), at("WH2", 5)], 2, 0, 13),
            (rule(50, 0, None), vec![at("WH1", 11)], 0, 0, 5),
            (rule(50, 1, None), vec![at("WH1", 11), at("WH2", -3)], 2, 0, 2),
            (rule(100, 0, Some(4)), vec![at("WH1", 10)], 0, 0, 4),
            (rule(100, 3, None), vec![at("WH1", 2)], 0, 0, 0),
            (rule(100, 0, None), vec![at("WH1", -5)], 0, 0, 0),
            (rule(100, 0, None), vec![at("WH1", 10)], 0, -3, 7),
            (rule(100, 0, None), vec![], 0, 0, 0),
        ];
        for (rule, locations, safety, adjustment, want) in cases {
            let got = allocate(rule, locations.clone(), safety, adjustment);
            assert_eq!(got.qty, want, "{rule:?} {locations:?} safety {safety} adj {adjustment}");
            assert!(got.qty >= 0);
        }
    }
}
