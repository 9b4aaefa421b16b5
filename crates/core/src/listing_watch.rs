//! Flash-sale mode's listing watch: which listings the engine reads between sales, how many
//! per round, and how often, within what share of each channel's read budget.
//!
//! Why: while an item sells fast, the fastest news of a sale is the listing itself. A channel
//! with no notification (eBay without a public endpoint, Amazon without its SQS queue, a
//! Shopify webhook lost or retried minutes later) sells a unit, and the others keep listing
//! it until a poll books the order. Reading the fast sellers' listings every few seconds finds
//! the drop as an unseen sale, which lowers every channel at once (the unseen-sale model).
//!
//! The price is reads, and reads share the channel's limits with everything else the engine
//! does: Amazon's `searchListingsItems` with the reads before urgent pushes, eBay's daily
//! quota with every push, Shopify's cost bucket with every mutation. So the watch spends a
//! fixed share of the budget, never more, and watches fewer listings rather than exceed it.
//!
//! Pure: the engine gives the budget (the channel's documented rates) and the candidates (the
//! store's count of recent sales), and keeps the clock; this module only decides.

use crate::flash::FlashSaleRule;

/// Fastest a listing is read: every 2 s. A sale found within 2 s reaches the other channels
/// about as fast as a webhook would; reading faster would spend the budget on listings that
/// rarely change between two reads.
pub const MIN_INTERVAL_MS: u64 = 2_000;
/// Slowest a watched listing is read: every minute. Slower than the order polls (every
/// minute) a watch adds nothing, so listings that do not fit a minute's share go unwatched
/// instead (the fastest sellers are kept).
pub const MAX_INTERVAL_MS: u64 = 60_000;
/// Most items watched at once per channel: a flash sale is a handful of items; hundreds
/// selling at that pace is a busy day, which the polls and reads before pushes cover.
pub const MAX_WATCHED_ITEMS: usize = 200;
/// Most listings read in one round per channel (an item may have a listing per location).
pub const MAX_WATCHED_LISTINGS: usize = 500;

/// Share of a read limit the watch may take when the limit is for reads alone (Amazon's
/// `searchListingsItems`, 5/s burst 5): the rest serves the reads before urgent pushes (one a
/// group) and the read-backs of accepted pushes.
pub const SHARE_OF_READ_LIMIT: f64 = 0.25;
/// Share of a quota the watch may take when pushes spend the same quota (eBay's 2,000,000
/// calls a day, `bulkGetInventoryItem` beside `bulkUpdatePriceQuantity`): 1%, so a catalogue
/// re-push keeps about 99% of it.
pub const SHARE_OF_DAILY_QUOTA: f64 = 0.01;
/// Share of a cost bucket's restore rate (Shopify's GraphQL points): a mutation of up to 250
/// quantities costs 10 points, so pushes rarely need the bucket's full rate; 10% keeps a
/// catalogue re-push at 90% or more of it.
pub const SHARE_OF_COST_BUCKET: f64 = 0.10;

/// What a channel allows for reads, in its own unit (calls, or cost points), and the part of
/// it the watch may spend.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReadBudget {
    /// Units the channel restores per second.
    pub units_per_sec: f64,
    /// Units one read call costs, whatever its size...
    pub call_cost: f64,
    /// ...plus this per listing read.
    pub listing_cost: f64,
    /// Most listings one read covers.
    pub max_per_call: usize,
    /// The part of `units_per_sec` the watch may spend (0..=1).
    pub share: f64,
}

impl ReadBudget {
    /// A rate limit for reads alone, one unit a call (Amazon `searchListingsItems`).
    pub fn read_limit(calls_per_sec: f64, max_per_call: usize) -> ReadBudget {
        ReadBudget {
            units_per_sec: calls_per_sec,
            call_cost: 1.0,
            listing_cost: 0.0,
            max_per_call,
            share: SHARE_OF_READ_LIMIT,
        }
    }

    /// A call quota pushes spend too, spread over the day (eBay).
    pub fn daily_quota(calls_per_sec: f64, max_per_call: usize) -> ReadBudget {
        ReadBudget {
            units_per_sec: calls_per_sec,
            call_cost: 1.0,
            listing_cost: 0.0,
            max_per_call,
            share: SHARE_OF_DAILY_QUOTA,
        }
    }

    /// A cost bucket of points (Shopify): a read costs `call_cost` plus `listing_cost` a level.
    pub fn cost_bucket(
        points_per_sec: f64,
        call_cost: f64,
        listing_cost: f64,
        max_per_call: usize,
    ) -> ReadBudget {
        ReadBudget {
            units_per_sec: points_per_sec,
            call_cost,
            listing_cost,
            max_per_call,
            share: SHARE_OF_COST_BUCKET,
        }
    }

    /// Units the watch may spend a second.
    pub fn watch_rate(&self) -> f64 {
        let rate = self.units_per_sec * self.share.clamp(0.0, 1.0);
        if rate.is_finite() { rate.max(0.0) } else { 0.0 }
    }

    /// What one read of `listings` costs.
    pub fn read_cost(&self, listings: usize) -> f64 {
        self.call_cost + self.listing_cost * listings as f64
    }

    /// What reading `listings` costs in calls of at most `max_per_call`.
    pub fn round_cost(&self, listings: usize) -> f64 {
        let per_call = self.max_per_call.max(1);
        let full = listings / per_call;
        let rest = listings % per_call;
        full as f64 * self.read_cost(per_call) + if rest > 0 { self.read_cost(rest) } else { 0.0 }
    }
}

/// An item that may be watched: its channel sales (order lines) within the rule's window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub sku: String,
    pub sales_in_window: u32,
}

/// The items to watch: those selling fast under the flash-sale rule in force (none while the
/// mode is off), fastest first (ties by SKU), at most `max` (and [`MAX_WATCHED_ITEMS`]).
pub fn watched_items(rule: Option<FlashSaleRule>, candidates: &[Candidate], max: usize) -> Vec<String> {
    let Some(rule) = rule else { return Vec::new() };
    let mut fast: Vec<&Candidate> =
        candidates.iter().filter(|c| rule.is_selling_fast(c.sales_in_window)).collect();
    fast.sort_by(|a, b| b.sales_in_window.cmp(&a.sales_in_window).then_with(|| a.sku.cmp(&b.sku)));
    fast.dedup_by(|a, b| a.sku == b.sku);
    fast.into_iter().take(max.min(MAX_WATCHED_ITEMS)).map(|c| c.sku.clone()).collect()
}

/// One round of the watch on one channel: every listing in it is read once per `interval_ms`,
/// in `calls` reads spaced `call_gap_ms` apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WatchPlan {
    /// Listings read this round (the first ones of those wanted; fewer when the share does not
    /// cover them all within [`MAX_INTERVAL_MS`]).
    pub listings: usize,
    pub per_call: usize,
    pub calls: usize,
    pub interval_ms: u64,
    pub call_gap_ms: u64,
}

impl WatchPlan {
    /// Nothing to read: look again for fast sellers after the shortest interval.
    pub const NONE: WatchPlan = WatchPlan {
        listings: 0,
        per_call: 0,
        calls: 0,
        interval_ms: MIN_INTERVAL_MS,
        call_gap_ms: MIN_INTERVAL_MS,
    };
}

/// How to read `wanted` listings within the budget's share: as many as a round of at most
/// [`MAX_INTERVAL_MS`] affords, each read every `interval_ms` (at least [`MIN_INTERVAL_MS`]),
/// so the watch spends at most `budget.watch_rate()` units a second.
pub fn plan(budget: &ReadBudget, wanted: usize) -> WatchPlan {
    let rate = budget.watch_rate();
    let per_call = budget.max_per_call;
    if wanted == 0 || per_call == 0 || rate <= 0.0 || !budget.read_cost(1).is_finite() {
        return WatchPlan::NONE;
    }
    let affordable = rate * MAX_INTERVAL_MS as f64 / 1_000.0;
    let mut listings = wanted.min(MAX_WATCHED_LISTINGS);
    while listings > 0 && budget.round_cost(listings) > affordable {
        listings -= 1;
    }
    if listings == 0 {
        return WatchPlan::NONE;
    }
    let calls = listings.div_ceil(per_call);
    let needed_ms = (budget.round_cost(listings) / rate * 1_000.0).ceil() as u64;
    let interval_ms = needed_ms.clamp(MIN_INTERVAL_MS, MAX_INTERVAL_MS);
    WatchPlan { listings, per_call, calls, interval_ms, call_gap_ms: interval_ms / calls as u64 }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The three channels' documented limits (Amazon searchListingsItems 5/s and 20 SKUs a
    /// call; eBay's 2,000,000 calls a day and 25 a call; Shopify Standard's 100 points/s and a
    /// read of 1 + 3 points a level, 100 a call).
    fn amazon() -> ReadBudget {
        ReadBudget::read_limit(5.0, 20)
    }
    fn ebay() -> ReadBudget {
        ReadBudget::daily_quota(2_000_000.0 / 86_400.0, 25)
    }
    fn shopify() -> ReadBudget {
        ReadBudget::cost_bucket(100.0, 1.0, 3.0, 100)
    }

    #[test]
    fn each_channel_is_read_as_often_as_its_share_allows() {
        let cases = [
            // (channel, budget, wanted, listings, calls, interval ms)
            ("amazon, one item: the floor", amazon(), 1, 1, 1, 2_000),
            ("amazon, 100 items: 5 calls at 1.25/s", amazon(), 100, 100, 5, 4_000),
            ("amazon, more than a minute affords", amazon(), 2_000, 500, 25, 20_000),
            ("ebay, one item: a call at 0.23/s", ebay(), 1, 1, 1, 4_320),
            ("ebay, 50 items: 2 calls", ebay(), 50, 50, 2, 8_640),
            ("ebay, capped to 13 calls a minute", ebay(), 400, 325, 13, 56_160),
            ("shopify, one level: 4 points at 10/s, the floor", shopify(), 1, 1, 1, 2_000),
            ("shopify, 20 levels: 61 points", shopify(), 20, 20, 1, 6_100),
            ("shopify, capped to 600 points a minute", shopify(), 500, 199, 2, 59_900),
            ("nothing wanted", amazon(), 0, 0, 0, MIN_INTERVAL_MS),
        ];
        for (name, budget, wanted, listings, calls, interval_ms) in cases {
            let got = plan(&budget, wanted);
            assert_eq!((got.listings, got.calls, got.interval_ms), (listings, calls, interval_ms), "{name}");
        }
    }

    #[test]
    fn a_budget_with_no_room_watches_nothing() {
        let cases = [
            ("no rate", ReadBudget::read_limit(0.0, 20)),
            ("negative rate", ReadBudget::read_limit(-3.0, 20)),
            ("not a number", ReadBudget::read_limit(f64::NAN, 20)),
            ("no listing per call", ReadBudget::read_limit(5.0, 0)),
            ("one read dearer than a minute's share", ReadBudget::cost_bucket(1.0, 10.0, 3.0, 100)),
        ];
        for (name, budget) in cases {
            assert_eq!(plan(&budget, 10), WatchPlan::NONE, "{name}");
        }
    }

    #[test]
    fn only_fast_sellers_are_watched_fastest_first() {
        let rule = Some(FlashSaleRule { window_secs: 600, trigger_sales: 3 });
        let c = |sku: &str, sales| Candidate { sku: sku.into(), sales_in_window: sales };
        let candidates = [c("B", 3), c("A", 9), c("C", 2), c("D", 3), c("A", 9)];
        let cases: [(Option<FlashSaleRule>, usize, &[&str]); 4] = [
            (rule, 10, &["A", "B", "D"]),
            (rule, 2, &["A", "B"]),
            (None, 10, &[]),
            (Some(FlashSaleRule { window_secs: 600, trigger_sales: 10 }), 10, &[]),
        ];
        for (rule, max, want) in cases {
            assert_eq!(watched_items(rule, &candidates, max), want.to_vec(), "{rule:?} max {max}");
        }
    }

    proptest! {
        /// The guarantee: a round's reads, once per interval, never cost more than the share of
        /// the budget; the interval stays within its bounds; and the round holds no more than
        /// was wanted or the cap.
        #[test]
        fn a_round_never_spends_more_than_the_share(
            rate in 0.01f64..5_000.0,
            call_cost in 0.5f64..20.0,
            listing_cost in 0.0f64..10.0,
            per_call in 1usize..300,
            share in 0.001f64..1.0,
            wanted in 0usize..3_000,
        ) {
            let budget = ReadBudget { units_per_sec: rate, call_cost, listing_cost, max_per_call: per_call, share };
            let p = plan(&budget, wanted);
            prop_assert!(p.listings <= wanted.min(MAX_WATCHED_LISTINGS));
            prop_assert!((MIN_INTERVAL_MS..=MAX_INTERVAL_MS).contains(&p.interval_ms));
            if p.listings > 0 {
                let spent_per_sec = budget.round_cost(p.listings) / (p.interval_ms as f64 / 1_000.0);
                prop_assert!(spent_per_sec <= budget.watch_rate() * 1.000_001, "{} > {}", spent_per_sec, budget.watch_rate());
                prop_assert_eq!(p.calls, p.listings.div_ceil(per_call));
                prop_assert!(p.call_gap_ms * p.calls as u64 <= p.interval_ms);
            }
        }
    }
}
