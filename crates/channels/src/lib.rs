//! ShelfSync's channel clients behind one trait.
//!
//! Architecture invariant: the sync engine sees only [`Channel`]. Each channel module turns
//! the trait's calls into its own wire format and maps every answer onto the same small set of
//! outcomes, so retry, throttle and dead-letter policy live in one place (the engine) and a new
//! channel (Amazon, eBay) is one module implementing this trait. Wire types (the JSON a channel
//! speaks) stay private to their module; domain types never cross the wire.

pub mod amazon;
pub mod amazon_notifications;
mod auth;
mod bucket;
pub mod connect;
pub mod ebay;
pub mod endpoint;
mod error;
pub mod shopify;

use std::future::Future;
use std::time::Duration;

pub use connect::{Catalogue, CatalogueEntry, Connected, ConnectionFailure, RemoteLocation};
pub use error::ChannelError;

/// Which marketplace or store software a channel is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChannelKind {
    Shopify,
    Amazon,
    Ebay,
}

impl ChannelKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Shopify => "shopify",
            ChannelKind::Amazon => "amazon",
            ChannelKind::Ebay => "ebay",
        }
    }

    pub fn parse(raw: &str) -> Option<ChannelKind> {
        [ChannelKind::Shopify, ChannelKind::Amazon, ChannelKind::Ebay].into_iter().find(|k| k.as_str() == raw)
    }
}

/// A listing as the channel names it. Shopify: inventory item GID and location GID. Amazon:
/// seller SKU. eBay: SKU and offer id.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RemoteListing {
    pub item: String,
    pub location: Option<String>,
}

/// One absolute quantity to set, with the value we believe the channel has now
/// (compare-and-set). `None` means unknown: the set applies unconditionally.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuantityUpdate {
    pub listing: RemoteListing,
    pub quantity: i64,
    pub change_from: Option<i64>,
}

/// One call's worth of updates. The idempotency key names this exact set of variables: the
/// engine reuses it only to resend the very same updates.
#[derive(Clone, Debug)]
pub struct PushRequest<'a> {
    pub idempotency_key: &'a str,
    /// Where the change comes from, for the channel's own history.
    pub reference: &'a str,
    pub updates: &'a [QuantityUpdate],
}

/// What the channel did with a push that it answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PushOutcome {
    /// Every update applied.
    Applied,
    /// The channel refused the call; nothing applied (Shopify applies a set atomically).
    /// Entries not named in the list were fine and can be resent.
    Rejected(Vec<Rejection>),
    /// Some entries failed on their own (eBay's HTTP 207): the ones named were not applied,
    /// every entry not named was applied and must not be sent again.
    Partial(Vec<Rejection>),
    /// Queued by the channel, not yet applied (Amazon's `ACCEPTED`): acknowledge, then confirm
    /// by reading the listing back later.
    Accepted,
}

/// What a bulk submission came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BulkOutcome {
    /// Processed: per update, `None` when accepted (confirm by reading back), or the refusal.
    Done(Vec<Option<Rejection>>),
    /// Failed as a whole (FATAL, CANCELLED): resend, nothing assumed applied.
    Failed(String),
    /// Still queued or processing past its threshold: the updates at `stock_outs` (quantity
    /// 0) go on the fast path now; the others may still apply.
    Stuck { status: String, stock_outs: Vec<usize> },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// The update this is about, when the channel says which.
    pub index: Option<usize>,
    pub code: String,
    pub message: String,
    pub kind: RejectionKind,
}

/// How the engine must react to a refusal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RejectionKind {
    /// Compare-and-set failed: the channel's quantity moved. Read it, then retry.
    Stale,
    /// Will fail the same way every time (unknown item, not stocked there): dead-letter.
    Permanent,
    /// May succeed later: retry with backoff.
    Temporary,
    /// The same key is still being processed: retry the same key after a pause.
    InFlight,
    /// The key cannot be reused (its earlier attempt failed): retry under a new key.
    NewKeyNeeded,
    /// Not sent, and not a failure: a channel limit on this listing (eBay's 250 revisions a
    /// day) holds it back. Try again later without burning an attempt.
    Deferred,
}

/// The channel's rate-limit state as reported with a response (Shopify's
/// `extensions.cost.throttleStatus`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateStatus {
    pub requested_cost: Option<f64>,
    pub actual_cost: Option<f64>,
    pub maximum: f64,
    pub available: f64,
    pub restore_rate: f64,
}

/// A value with the rate-limit state that came with it.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer<T> {
    pub value: T,
    pub rate: Option<RateStatus>,
}

/// What bounds a channel's calls.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    /// Most updates per push call.
    pub max_batch: usize,
    /// Most listings per read call.
    pub max_read: usize,
}

/// One store or account on one marketplace.
///
/// Futures are `Send` so a worker can run on any runtime thread. Calls never retry by
/// themselves: the engine owns retries, so attempts are counted once.
pub trait Channel: Send + Sync + 'static {
    fn kind(&self) -> ChannelKind;

    fn limits(&self) -> Limits;

    /// What a push of `entries` updates is expected to cost in the channel's rate-limit unit.
    fn push_cost(&self, entries: usize) -> f64;

    /// What a read of `entries` listings is expected to cost.
    fn read_cost(&self, entries: usize) -> f64;

    fn push(
        &self,
        request: PushRequest<'_>,
    ) -> impl Future<Output = Result<Answer<PushOutcome>, ChannelError>> + Send;

    /// Whether an urgent push is preceded by a read of the channel's levels. Channels that
    /// take absolute quantities with no compare-and-set (Amazon, eBay) answer true: without
    /// the read, a set erases a sale the channel made that we have not booked yet. Shopify's
    /// compare-and-set gives the same signal with the push itself, so it reads nothing first.
    fn reads_before_urgent_push(&self) -> bool {
        false
    }

    /// Backlogs at least this deep go by the channel's bulk path ([`Channel::bulk_push`]);
    /// `None`: the channel has none.
    fn bulk_threshold(&self) -> Option<usize> {
        None
    }

    /// Most updates one bulk submission carries.
    fn bulk_max(&self) -> usize {
        0
    }

    /// The bulk path (Amazon `JSON_LISTINGS_FEED`): one result per update, in order.
    fn bulk_push(
        &self,
        _updates: &[QuantityUpdate],
    ) -> impl Future<Output = Result<BulkOutcome, ChannelError>> + Send {
        async { Err(ChannelError::Config("this channel has no bulk path".into())) }
    }

    /// The channel's current quantity of each listing, in order; `None` for a listing the
    /// channel does not know.
    fn read_levels(
        &self,
        listings: &[RemoteListing],
    ) -> impl Future<Output = Result<Answer<Vec<Option<i64>>>, ChannelError>> + Send;
}

/// Timeouts for one client. Bounded everywhere: a hung channel must not hang the engine.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    pub connect: Duration,
    pub request: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        // Shopify answers in well under a second; 30 s covers a slow large batch without
        // letting one stuck call stall the channel for minutes.
        Timeouts { connect: Duration::from_secs(5), request: Duration::from_secs(30) }
    }
}
