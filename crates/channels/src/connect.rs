//! "Test connection" and catalogue reads: what an admin needs to connect a channel without
//! typing its ids. Each client makes a real authenticated call and reports, in words, what
//! worked ([`Connected`]) or what failed ([`ConnectionFailure`]); the catalogue (items with
//! their SKUs, and Shopify's locations) is read page by page within the channel's limits.

use std::time::Duration;

use serde::Serialize;
use thiserror::Error;

use crate::ChannelError;

/// Most catalogue entries read from one channel: far above a warehouse's catalogue, and a
/// bound on what one read holds in memory.
pub const MAX_CATALOGUE: usize = 200_000;

/// How long a catalogue read waits out one throttle before trying again, at most.
pub(crate) const MAX_THROTTLE_WAIT: Duration = Duration::from_secs(30);

/// A successful test: a short description for a person, and what it found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Connected {
    /// "shop Demo (demo.myshopify.com), 2 locations", "seller A2SELLER0TEST, 14 listings", ...
    pub summary: String,
    /// The account the credentials reach (shop domain, seller id), when the channel says.
    pub account: Option<String>,
    pub locations: Vec<RemoteLocation>,
}

/// What a connection test found wrong. Each message says what to check.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum ConnectionFailure {
    /// The channel refused the credentials (wrong or revoked token, wrong client id/secret).
    #[error("unauthorized: the channel refused the credentials ({0})")]
    Unauthorized(String),
    /// The credentials work, but the shop or seller named is not there or not theirs.
    #[error("not found: {0}")]
    NotFound(String),
    /// No connection could be made (no network, DNS, connection refused).
    #[error("unreachable: no connection to the channel ({0})")]
    Unreachable(String),
    /// Connected, but no answer in time.
    #[error("timeout: the channel did not answer in time ({0})")]
    Timeout(String),
    /// The channel's rate limit refused the call; try again shortly.
    #[error("throttled: the channel's rate limit refused the call; try again in a minute")]
    Throttled,
    /// The channel answered with an error of its own.
    #[error("channel error{}: {message}", .status.map(|s| format!(" (HTTP {s})")).unwrap_or_default())]
    Channel { status: Option<u16>, message: String },
    /// A local mistake (bad URL, missing secret) no call can fix.
    #[error("configuration: {0}")]
    Config(String),
}

impl ConnectionFailure {
    /// A short machine-readable name for JSON output.
    pub fn code(&self) -> &'static str {
        match self {
            ConnectionFailure::Unauthorized(_) => "unauthorized",
            ConnectionFailure::NotFound(_) => "not_found",
            ConnectionFailure::Unreachable(_) => "unreachable",
            ConnectionFailure::Timeout(_) => "timeout",
            ConnectionFailure::Throttled => "throttled",
            ConnectionFailure::Channel { .. } => "channel_error",
            ConnectionFailure::Config(_) => "config",
        }
    }
}

/// The prefix [`crate::shopify::classify_send_error`] gives a timed-out call, so a test can
/// tell a timeout from another lost answer.
pub(crate) const TIMED_OUT: &str = "timed out";

impl From<ChannelError> for ConnectionFailure {
    fn from(error: ChannelError) -> Self {
        match error {
            ChannelError::Offline(m) => ConnectionFailure::Unreachable(m),
            ChannelError::Throttled { .. } => ConnectionFailure::Throttled,
            ChannelError::Uncertain(m) if m.starts_with(TIMED_OUT) => ConnectionFailure::Timeout(m),
            ChannelError::Uncertain(m) => ConnectionFailure::Channel { status: None, message: m },
            ChannelError::Auth(m) => ConnectionFailure::Unauthorized(m),
            ChannelError::Refused(m) => ConnectionFailure::Channel { status: None, message: m },
            ChannelError::Config(m) => ConnectionFailure::Config(m),
        }
    }
}

/// A location of the channel's (Shopify).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RemoteLocation {
    pub id: String,
    pub name: String,
}

/// One item of the channel's catalogue: its SKU there and the id a mapping names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CatalogueEntry {
    /// The SKU as the channel holds it ("" when the channel has none for the item).
    pub sku: String,
    /// Shopify: InventoryItem GID. Amazon: the seller SKU. eBay: the inventory item's SKU.
    pub item: String,
}

/// A channel's catalogue as read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Catalogue {
    pub entries: Vec<CatalogueEntry>,
    /// Shopify's locations; empty for Amazon and eBay (a listing there has no location).
    pub locations: Vec<RemoteLocation>,
    /// Pages read, for the report.
    pub pages: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_errors_become_failures_in_words() {
        let cases: Vec<(ChannelError, &str, &str)> = vec![
            (ChannelError::Offline("connection refused".into()), "unreachable", "no connection"),
            (ChannelError::Uncertain(format!("{TIMED_OUT}: op")), "timeout", "did not answer in time"),
            (ChannelError::Uncertain("HTTP 503".into()), "channel_error", "channel error: HTTP 503"),
            (ChannelError::Auth("HTTP 401".into()), "unauthorized", "refused the credentials"),
            (ChannelError::Throttled { retry_after: None, rate: None }, "throttled", "rate limit"),
            (ChannelError::Config("bad".into()), "config", "configuration: bad"),
        ];
        for (error, code, words) in cases {
            let failure = ConnectionFailure::from(error);
            assert_eq!(failure.code(), code);
            assert!(failure.to_string().contains(words), "{failure}");
        }
        let status = ConnectionFailure::Channel { status: Some(500), message: "boom".into() };
        assert_eq!(status.to_string(), "channel error (HTTP 500): boom");
    }
}
