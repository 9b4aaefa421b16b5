//! Flash-sale mode's listing watch (issue 16): while an item sells fast, the worker reads its
//! listings on this channel between sales, paced within a share of the channel's read budget,
//! and records what a read finds as a read before an urgent push does
//! ([`queue::record_read`]): a drop not booked is an unseen sale, which lowers every channel's
//! listing of the item until its order is booked or reconciliation calls it an edit.
//!
//! The rules (which items, how many listings, how often, what share of which budget) are
//! core's (`shelfsync_core::listing_watch`); the store says which items sell fast and which of
//! their listings a read may look at (`shelfsync_store::listing_watch`). This file keeps the
//! clock: a round reads every watched listing once, in calls spaced evenly over the round's
//! interval, so the reads go at a steady pace rather than in bursts.
//!
//! It runs inside the worker's loop, between its pushes: the worker is the only one sending to
//! this channel, so no push of ours is in flight during a watch read, and the reads go through
//! the same client (Amazon's `searchListingsItems` bucket, eBay's per-second bucket on the
//! daily quota) and the same cost-bucket mirror (Shopify) as everything else.

use std::time::{Duration, Instant};

use shelfsync_channels::amazon::{MAX_SEARCH_SKUS, SEARCH_RATE};
use shelfsync_channels::{ChannelKind, RemoteListing};
use shelfsync_core::listing_watch::{self as rules, ReadBudget, WatchPlan};
use shelfsync_store::listing_watch as store_watch;

use super::*;
use crate::engine::ChannelTuning;

/// Shopify's GraphQL points restored a second on its Standard plan, the smallest: the watch
/// assumes it, so on a larger plan (Advanced 200, Plus 1,000) it spends a smaller share.
pub const SHOPIFY_ASSUMED_RESTORE: f64 = 100.0;

/// Longest pause after a failed watch read (a throttle, an outage): the push path meets the
/// same fault and handles it; the watch only steps aside.
const MAX_FAILURE_PAUSE: Duration = Duration::from_secs(60);

/// Longest wait for a spent quota's reset: eBay's day. A longer Retry-After is a bad answer.
const MAX_QUOTA_PAUSE: Duration = Duration::from_secs(86_400);

/// The read budget of a channel kind: its documented read rate (Amazon `searchListingsItems`
/// 5/s, 20 SKUs a call; eBay's daily quota as the client spreads it, 25 SKUs a call; Shopify's
/// cost bucket with the client's read cost, 100 levels a call), and the share core gives it.
pub fn read_budget<C: Channel>(client: &C, tuning: &ChannelTuning) -> ReadBudget {
    let max_read = client.limits().max_read;
    match client.kind() {
        ChannelKind::Amazon => ReadBudget::read_limit(SEARCH_RATE, max_read.min(MAX_SEARCH_SKUS)),
        ChannelKind::Ebay => ReadBudget::daily_quota(tuning.ebay_calls_per_second, max_read),
        ChannelKind::Shopify => {
            let call = client.read_cost(0);
            ReadBudget::cost_bucket(SHOPIFY_ASSUMED_RESTORE, call, client.read_cost(1) - call, max_read)
        }
    }
}

/// The watch's state in one worker. Memory only: a restarted engine starts a new round.
pub(super) struct ListingWatch {
    budget: ReadBudget,
    /// The items this round reads, and how.
    skus: Vec<String>,
    plan: WatchPlan,
    /// The round reads listings in id order: the last id read, and the round's last.
    cursor: i64,
    last: i64,
    next_at: Instant,
    /// Failed reads in a row: each doubles the pause, up to [`MAX_FAILURE_PAUSE`].
    failures: u32,
}

impl ListingWatch {
    pub(super) fn new(budget: ReadBudget) -> ListingWatch {
        ListingWatch {
            budget,
            skus: Vec::new(),
            plan: WatchPlan::NONE,
            cursor: 0,
            last: 0,
            next_at: Instant::now(),
            failures: 0,
        }
    }
}

impl<C: Channel> Worker<C> {
    /// The watch's budget from the engine's tuning (eBay's rate is tuned in tests and
    /// benchmarks; Amazon's read rate and Shopify's plan are not).
    pub fn with_watch_tuning(mut self, tuning: &ChannelTuning) -> Worker<C> {
        self.listing_watch = ListingWatch::new(read_budget(self.client.as_ref(), tuning));
        self
    }

    /// One read of the listing watch when one is due; true when it made a call. Steps aside
    /// while the channel is offline or its quota is spent (the push path probes and waits).
    pub(super) async fn watch_due(&mut self) -> Result<bool> {
        let now = Instant::now();
        if now < self.listing_watch.next_at || self.offline_probes > 0 {
            return Ok(false);
        }
        let batch = self.next_watch_batch()?;
        if batch.is_empty() {
            let watch = &mut self.listing_watch;
            watch.next_at = now + Duration::from_millis(watch.plan.interval_ms.max(rules::MIN_INTERVAL_MS));
            watch.skus.clear();
            return Ok(false);
        }
        let listings: Vec<RemoteListing> = batch.iter().map(|w| queue::remote(&w.remote)).collect();
        self.bucket.acquire(self.client.read_cost(listings.len())).await;
        self.summary.calls += 1;
        self.summary.watch_reads += 1;
        let asked_at = queue::stamp(chrono::Utc::now());
        let gap = Duration::from_millis(self.listing_watch.plan.call_gap_ms);
        let levels = match self.client.read_levels(&listings).await {
            Ok(answer) => {
                self.observe(answer.rate.as_ref());
                answer.value
            }
            Err(error) => {
                self.watch_failed(&error, gap);
                return Ok(true);
            }
        };
        self.listing_watch.failures = 0;
        self.listing_watch.next_at = Instant::now() + gap;
        for (listing, level) in batch.iter().zip(levels) {
            self.listing_watch.cursor = listing.listing_id;
            match queue::record_read(&self.store, &self.channel, listing.listing_id, level, &asked_at)? {
                queue::ReadFinding::Unseen { units, .. } => {
                    self.summary.unseen_units += units;
                    self.summary.watch_unseen_units += units;
                    store_watch::requeue_after_drop(&self.store, listing.listing_id)?;
                }
                queue::ReadFinding::Booked(_) => {
                    store_watch::requeue_after_drop(&self.store, listing.listing_id)?
                }
                queue::ReadFinding::Unchanged | queue::ReadFinding::Missing => {}
            }
        }
        Ok(true)
    }

    /// The listings of the next call: the rest of this round, or the first of a new round
    /// (which items sell fast now, and how many listings the share affords).
    fn next_watch_batch(&mut self) -> Result<Vec<store_watch::WatchListing>> {
        let watch = &mut self.listing_watch;
        if !watch.skus.is_empty() {
            let rest =
                store_watch::listings(&self.store, &self.channel, &watch.skus, rules::MAX_WATCHED_LISTINGS)?;
            let rest: Vec<_> = rest
                .into_iter()
                .filter(|l| l.listing_id > watch.cursor && l.listing_id <= watch.last)
                .take(watch.plan.per_call)
                .collect();
            if !rest.is_empty() {
                return Ok(rest);
            }
        }
        // A new round.
        let (rule, candidates) = store_watch::candidates(&self.store, chrono::Utc::now())?;
        watch.skus = rules::watched_items(rule, &candidates, rules::MAX_WATCHED_ITEMS);
        watch.cursor = 0;
        let all =
            store_watch::listings(&self.store, &self.channel, &watch.skus, rules::MAX_WATCHED_LISTINGS)?;
        watch.plan = rules::plan(&watch.budget, all.len());
        if watch.plan.listings == 0 {
            return Ok(Vec::new());
        }
        // The round covers the first `plan.listings` (the share affords no more); the others
        // of a very large flash sale wait for a round with room.
        watch.last = all[watch.plan.listings - 1].listing_id;
        watch.skus = all[..watch.plan.listings].iter().map(|l| l.sku.clone()).collect();
        watch.skus.sort();
        watch.skus.dedup();
        Ok(all.into_iter().take(watch.plan.per_call.min(watch.plan.listings)).collect())
    }

    /// A watch read failed: nothing changed on the channel. A throttle pauses the cost-bucket
    /// mirror as for a push; every failure pauses the watch, doubling up to a minute.
    fn watch_failed(&mut self, error: &ChannelError, gap: Duration) {
        self.summary.watch_failures += 1;
        if let ChannelError::Throttled { retry_after, rate } = error {
            self.summary.throttled += 1;
            self.bucket.throttled(rate.as_ref(), *retry_after, Instant::now());
        }
        let watch = &mut self.listing_watch;
        watch.failures = watch.failures.saturating_add(1);
        let doubled = gap.max(Duration::from_millis(rules::MIN_INTERVAL_MS))
            * 2u32.saturating_pow(watch.failures.min(6));
        // A spent daily quota (eBay 429 errorId 2001) says when it resets: no read before then.
        let reset = match error {
            ChannelError::Throttled { retry_after: Some(wait), .. } if *wait > LONG_THROTTLE => {
                (*wait).min(MAX_QUOTA_PAUSE)
            }
            _ => Duration::ZERO,
        };
        watch.next_at = Instant::now() + doubled.min(MAX_FAILURE_PAUSE).max(reset);
    }
}
