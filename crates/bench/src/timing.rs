//! The timing parameters of the simulated scenarios, each with where it comes from. Measured
//! figures are quoted from BENCHMARKS.md; the rest are stated assumptions, printed with every
//! report so nobody mistakes them for measurements.

use rand::Rng;
use rand::rngs::StdRng;

/// One minute, one hour and one day of virtual time, in milliseconds.
pub const MINUTE: i64 = 60_000;
pub const HOUR: i64 = 60 * MINUTE;
pub const DAY: i64 = 24 * HOUR;

/// From a sale in the ledger to the channels holding the new quantity: the sync engine's
/// measured event-to-channel latency over loopback, p99 (BENCHMARKS.md, "event-to-channel
/// latency ... p99 102 ms"; p50 is 54 ms). The p99 is used so the model errs against ShelfSync.
pub const ENGINE_LATENCY_MS: i64 = 102;

/// ShelfSync's order polling per channel, the capture crate's schedule as built: Shopify every
/// minute behind its webhooks (`POLL_EVERY`), Amazon every minute (`AMAZON_POLL_EVERY`,
/// getOrders' refill), eBay every 30 s (`EBAY_POLL_EVERY`, within 1% of the daily quota).
pub fn poll_every_ms(channel: ChannelId) -> i64 {
    let every = match channel {
        ChannelId::Shopify => shelfsync_capture::poll::POLL_EVERY,
        ChannelId::Amazon => shelfsync_capture::poll::AMAZON_POLL_EVERY,
        ChannelId::Ebay => shelfsync_capture::poll::EBAY_POLL_EVERY,
    };
    every.as_millis() as i64
}

/// Which channels' orders reach ShelfSync by notification, as built: Shopify webhooks and
/// Amazon ORDER_CHANGE through SQS. eBay's push needs a public HTTPS endpoint, which a
/// workstation does not have, so its orders come by the 30 s poll.
pub fn notified(channel: ChannelId) -> bool {
    matches!(channel, ChannelId::Shopify | ChannelId::Amazon)
}

/// ShelfSync's reconciliation (the capture crate's `RECONCILE_EVERY`: the guide's 4 hours).
pub fn reconcile_every_ms() -> i64 {
    shelfsync_capture::reconcile::RECONCILE_EVERY.as_millis() as i64
}

/// The batch intervals compared: the common 15-minute cycle, and two faster ones.
pub const BATCH_INTERVALS: [(&str, i64); 3] =
    [("batch-15m", 15 * MINUTE), ("batch-5m", 5 * MINUTE), ("batch-30s", MINUTE / 2)];

/// Which channel an order notification comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChannelId {
    Shopify = 0,
    Amazon = 1,
    Ebay = 2,
}

pub const CHANNEL_IDS: [ChannelId; 3] = [ChannelId::Shopify, ChannelId::Amazon, ChannelId::Ebay];

impl ChannelId {
    pub fn name(self) -> &'static str {
        match self {
            ChannelId::Shopify => "shopify",
            ChannelId::Amazon => "amazon",
            ChannelId::Ebay => "ebay",
        }
    }

    /// Calls per second the channel allows for quantity updates (documented defaults):
    /// Shopify Standard restores 100 points/s and a set costs 10; Amazon patchListingsItem
    /// 5/s; eBay's 2,000,000 calls a day spread evenly.
    pub fn calls_per_second_limit(self) -> f64 {
        match self {
            ChannelId::Shopify => 10.0,
            ChannelId::Amazon => shelfsync_channels::amazon::PATCH_RATE,
            ChannelId::Ebay => shelfsync_channels::ebay::DAILY_CALLS / 86_400.0,
        }
    }
}

/// Delay from a sale on a channel to its order notification reaching ShelfSync. ASSUMED, not
/// measured (no channel publishes a delivery-latency figure):
/// - Shopify webhooks: 97% within 1-10 s; 3% fail once and arrive on Shopify's retry, 1-5 min
///   later (Shopify retries failed deliveries with back-off);
/// - Amazon ORDER_CHANGE through SQS: 10-60 s (the queue is long-polled; Amazon releases an
///   order after its own checks);
/// - eBay platform notifications: 5-30 s (not used by ShelfSync as built, see [`notified`]).
pub fn notification_delay_ms(channel: ChannelId, rng: &mut StdRng) -> i64 {
    match channel {
        ChannelId::Shopify if rng.random_bool(0.03) => rng.random_range(MINUTE..=5 * MINUTE),
        ChannelId::Shopify => rng.random_range(1_000..=10_000),
        ChannelId::Amazon => rng.random_range(10_000..=60_000),
        ChannelId::Ebay => rng.random_range(5_000..=30_000),
    }
}

/// The notes every simulated report carries.
pub fn model_notes() -> Vec<String> {
    vec![
        "Discrete-event simulation on a virtual clock with a fixed seed; every sale, poll, \
         reconciliation and adjustment is booked through the real ledger (a SQLite file, \
         shelfsync-store's append, capture's event ids, so re-deliveries are deduplicated by the \
         ledger) and every pushed quantity is the store's real allocation."
            .into(),
        format!(
            "ShelfSync as built: Shopify orders by webhook and Amazon orders by ORDER_CHANGE through \
             SQS, then {ENGINE_LATENCY_MS} ms to every channel (the engine's measured p99 \
             event-to-channel latency, BENCHMARKS.md); eBay orders only by polling; polls every {} s \
             (Shopify), {} s (Amazon), {} s (eBay) and reconciliation every {} h (capture's \
             schedule). Shopify pushes compare-and-set; Amazon and eBay take absolute quantities, \
             read first when the push is urgent (a ledger event's; reconciliation's re-push is \
             bulk, unread). A sale found unbooked on any channel lowers every channel until its \
             order is booked. Flash-sale mode (rows named shelfsync-flash-sale; off by default) shares \
             an item's stock out between its listings while it sells fast, by the store's own rule.",
            poll_every_ms(ChannelId::Shopify) / 1000,
            poll_every_ms(ChannelId::Amazon) / 1000,
            poll_every_ms(ChannelId::Ebay) / 1000,
            reconcile_every_ms() / HOUR
        ),
        "Notification delays (assumed, no channel publishes one): Shopify webhooks 1-10 s, 3% \
         retried after 1-5 min; Amazon ORDER_CHANGE via SQS 10-60 s."
            .into(),
        "Batch sync: on each interval it pulls every order since the last run, books it, and \
         pushes a full snapshot of every changed quantity to every channel; nothing in between."
            .into(),
        "Each channel sells only while its own listed quantity lasts; oversold = units sold \
         beyond the real stock."
            .into(),
    ]
}
