use std::time::Duration;

use thiserror::Error;

use crate::RateStatus;

/// A call that did not get a usable answer. Each variant says whether the change may have
/// been applied, because that decides whether the engine may change the request.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ChannelError {
    /// No connection could be made: nothing was sent, nothing applied.
    #[error("offline: {0}")]
    Offline(String),
    /// The channel refused for rate: nothing applied. Shopify says so with HTTP 200 and
    /// `THROTTLED`; others with 429 and `Retry-After`.
    #[error("throttled")]
    Throttled { retry_after: Option<Duration>, rate: Option<RateStatus> },
    /// Sent, but no answer came back whole (timeout, dropped connection, 5xx): the change may
    /// or may not have applied. Resend the same request under the same key.
    #[error("no usable answer: {0}")]
    Uncertain(String),
    /// The channel refused our credentials; retrying will not help until they change.
    #[error("credentials refused: {0}")]
    Auth(String),
    /// The channel answered, refusing the request as a whole (a malformed query, say):
    /// nothing applied.
    #[error("request refused: {0}")]
    Refused(String),
    /// A local mistake that no call can fix (a bad endpoint URL, an unsafe key).
    #[error("{0}")]
    Config(String),
}

impl ChannelError {
    /// True when the change may have applied, so only the identical request may follow.
    pub fn outcome_unknown(&self) -> bool {
        matches!(self, ChannelError::Uncertain(_))
    }
}
