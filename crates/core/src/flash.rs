//! Flash-sale mode: while an item sells fast, its last units are shared out between its
//! listings instead of every channel listing all of them.
//!
//! Why: with every channel listing the whole stock, a sale on one channel is safe only once
//! the others hear of it. Notifications take seconds to minutes (Shopify retries a failed
//! webhook after minutes; eBay is polled), and an item selling a unit a minute sells its last
//! units twice in that gap. Partitioned, the listings add up to no more than the stock, so
//! no channel can sell a unit that another already sold, however late the news: the oversell
//! window is closed by policy, not by hoping the notification is quick. The price is that a
//! channel may run out of its share while another still holds units (a refused sale instead
//! of an oversold one); every booked sale re-shares, weighted by where the item sells.
//!
//! Pure: the store counts the recent sales (from the ledger, at a time it is given) and
//! applies [`flash_share`] after the channel's own rule.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Longest window: a day. A "flash" measured over longer is a steady seller, and the store
/// reads the item's recent events to count it (see `MAX_EVENTS_SCANNED` there).
pub const MAX_WINDOW_SECS: u32 = 86_400;
/// Largest trigger: more sales than this in a window is no flash sale a warehouse protects.
pub const MAX_TRIGGER_SALES: u32 = 10_000;

/// When an item counts as selling fast: at least `trigger_sales` channel sales (order lines)
/// within the last `window_secs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlashSaleRule {
    pub window_secs: u32,
    pub trigger_sales: u32,
}

impl Default for FlashSaleRule {
    /// The guide's flash sale is 50 units in 10 minutes; five sales in ten minutes is a tenth
    /// of that pace and already enough for two channels to sell one last unit twice.
    fn default() -> Self {
        FlashSaleRule { window_secs: 600, trigger_sales: 5 }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum FlashSaleError {
    #[error("flash-sale window must be between 1 second and {MAX_WINDOW_SECS} seconds (a day), got {0}")]
    Window(u64),
    #[error("flash-sale trigger must be between 1 and {MAX_TRIGGER_SALES} sales, got {0}")]
    Trigger(u64),
    #[error("flash-sale setting '{0}' is not understood: expected 'off' or a window and a trigger")]
    Unreadable(String),
}

impl FlashSaleRule {
    /// A rule with both numbers checked against their limits.
    pub fn new(window_secs: u64, trigger_sales: u64) -> Result<Self, FlashSaleError> {
        if window_secs == 0 || window_secs > u64::from(MAX_WINDOW_SECS) {
            return Err(FlashSaleError::Window(window_secs));
        }
        if trigger_sales == 0 || trigger_sales > u64::from(MAX_TRIGGER_SALES) {
            return Err(FlashSaleError::Trigger(trigger_sales));
        }
        Ok(FlashSaleRule { window_secs: window_secs as u32, trigger_sales: trigger_sales as u32 })
    }

    /// The stored form of the setting: `off`, or the rule as JSON.
    pub fn parse_setting(raw: &str) -> Result<Option<Self>, FlashSaleError> {
        if raw.trim() == "off" {
            return Ok(None);
        }
        let rule: FlashSaleRule =
            serde_json::from_str(raw).map_err(|_| FlashSaleError::Unreadable(crate::printable(raw)))?;
        Self::new(u64::from(rule.window_secs), u64::from(rule.trigger_sales)).map(Some)
    }

    pub fn to_setting(rule: Option<Self>) -> String {
        match rule {
            None => "off".into(),
            Some(rule) => serde_json::to_string(&rule).expect("a rule always serialises"),
        }
    }

    pub fn is_selling_fast(&self, sales_in_window: u32) -> bool {
        sales_in_window >= self.trigger_sales
    }
}

/// One listing of the item, with the units its channel sold in the window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListingDemand {
    pub listing: i64,
    pub units_sold: u64,
}

/// A listing's part of the item's stock while the item sells fast, and why: stored with the
/// allocation, so `sync explain` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlashShare {
    pub window_secs: u32,
    /// Channel sales (order lines) of the item within the window.
    pub sales_in_window: u32,
    /// Units shared out: the item's ATP over every location, less safety stock and the
    /// unseen sales found on the channels.
    pub shared_units: i64,
    /// How many listings share them.
    pub listings: u32,
    /// This listing's weight: its channel's units sold in the window, plus one (so a channel
    /// that has not sold yet keeps a share).
    pub weight: u64,
    /// This listing's part: the most it lists while the item sells fast.
    pub share: i64,
}

/// This listing's flash share, or `None` when the item is not selling fast (or the listing is
/// not among `demands`). `shared_units` below zero shares nothing.
pub fn flash_share(
    rule: FlashSaleRule,
    sales_in_window: u32,
    shared_units: i64,
    demands: &[ListingDemand],
    listing: i64,
) -> Option<FlashShare> {
    if !rule.is_selling_fast(sales_in_window) {
        return None;
    }
    let position = demands.iter().position(|d| d.listing == listing)?;
    let weights: Vec<u64> = demands.iter().map(|d| d.units_sold.saturating_add(1)).collect();
    let shares = partition(shared_units.max(0), &weights);
    Some(FlashShare {
        window_secs: rule.window_secs,
        sales_in_window,
        shared_units,
        listings: demands.len() as u32,
        weight: weights[position],
        share: shares[position],
    })
}

/// Shares `units` in proportion to `weights` so that the parts add up to `units` exactly:
/// each gets the floor of its exact part, and the units left over go one each to the largest
/// remainders (ties to the earlier entry). Every weight must be at least 1.
pub fn partition(units: i64, weights: &[u64]) -> Vec<i64> {
    let total: u128 = weights.iter().map(|&w| u128::from(w)).sum();
    if weights.is_empty() || units <= 0 || total == 0 {
        return vec![0; weights.len()];
    }
    let units_wide = units as u128;
    let mut parts: Vec<i64> = weights.iter().map(|&w| (units_wide * u128::from(w) / total) as i64).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    // Remainders compared as fractions of the same total: larger first, earlier on a tie.
    order.sort_by_key(|&i| (std::cmp::Reverse(units_wide * u128::from(weights[i]) % total), i));
    let left = units - parts.iter().sum::<i64>();
    for &i in order.iter().take(left as usize) {
        parts[i] += 1;
    }
    parts
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn partition_follows_the_weights_and_hands_out_every_unit() {
        let cases: &[(i64, &[u64], &[i64])] = &[
            (10, &[1, 1], &[5, 5]),
            (3, &[1, 1, 1], &[1, 1, 1]),
            (2, &[1, 1, 1], &[1, 1, 0]),
            (1, &[1, 5, 1], &[0, 1, 0]),
            (7, &[4, 2, 1], &[4, 2, 1]),
            (10, &[3, 1], &[8, 2]),
            (0, &[3, 1], &[0, 0]),
            (-4, &[3, 1], &[0, 0]),
            (5, &[], &[]),
        ];
        for (units, weights, want) in cases {
            assert_eq!(partition(*units, weights), want.to_vec(), "{units} over {weights:?}");
        }
    }

    #[test]
    fn a_share_exists_only_while_the_item_sells_fast() {
        let rule = FlashSaleRule { window_secs: 600, trigger_sales: 5 };
        let demands = [
            ListingDemand { listing: 1, units_sold: 3 },
            ListingDemand { listing: 2, units_sold: 0 },
            ListingDemand { listing: 3, units_sold: 1 },
        ];
        let cases = [
            // (sales in window, shared units, listing, expected share)
            (4, 12, 1, None),
            (5, 12, 1, Some(7)),
            (5, 12, 2, Some(2)),
            (5, 12, 3, Some(3)),
            (5, 12, 9, None),
            (9, 0, 1, Some(0)),
            (9, -3, 2, Some(0)),
        ];
        for (sales, units, listing, want) in cases {
            let got = flash_share(rule, sales, units, &demands, listing).map(|s| s.share);
            assert_eq!(got, want, "sales {sales}, units {units}, listing {listing}");
        }
    }

    #[test]
    fn settings_round_trip_and_bad_ones_are_refused() {
        let cases: &[(&str, Result<Option<FlashSaleRule>, FlashSaleError>)] = &[
            ("off", Ok(None)),
            (r#"{"window_secs":600,"trigger_sales":5}"#, Ok(Some(FlashSaleRule::default()))),
            (r#"{"window_secs":0,"trigger_sales":5}"#, Err(FlashSaleError::Window(0))),
            (r#"{"window_secs":86401,"trigger_sales":5}"#, Err(FlashSaleError::Window(86_401))),
            (r#"{"window_secs":60,"trigger_sales":0}"#, Err(FlashSaleError::Trigger(0))),
            ("on", Err(FlashSaleError::Unreadable("on".into()))),
        ];
        for (raw, want) in cases {
            assert_eq!(&FlashSaleRule::parse_setting(raw), want, "{raw}");
        }
        for rule in [None, Some(FlashSaleRule::default())] {
            assert_eq!(FlashSaleRule::parse_setting(&FlashSaleRule::to_setting(rule)), Ok(rule));
        }
    }

    proptest! {
        /// The guarantee the mode rests on: the parts never add up to more than the units
        /// (they add up to exactly that), none is negative, and each is within one unit of
        /// its exact proportional part.
        #[test]
        fn parts_add_up_and_stay_proportional(units in -5i64..5_000, weights in prop::collection::vec(1u64..1_000, 1..12)) {
            let parts = partition(units, &weights);
            prop_assert_eq!(parts.len(), weights.len());
            prop_assert!(parts.iter().all(|&p| p >= 0));
            prop_assert_eq!(parts.iter().sum::<i64>(), units.max(0));
            let total: u64 = weights.iter().sum();
            for (part, weight) in parts.iter().zip(&weights) {
                let exact = units.max(0) as f64 * *weight as f64 / total as f64;
                prop_assert!((*part as f64 - exact).abs() < 1.0, "part {} exact {}", part, exact);
            }
        }
    }
}
