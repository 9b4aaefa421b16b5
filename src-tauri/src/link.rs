//! "Test connection" and the link review of a saved channel (admins): thin wrappers over
//! `shelfsync_sync::link`, which makes the channel calls, matches SKUs and writes the links.
//!
//! Both read the channel over the network for seconds, so they run on a blocking thread and
//! on a connection of their own (as the live service does), never holding the app's store lock:
//! the window stays responsive meanwhile. A failed test is an answer (`ok: false` and what to
//! check, in words), not an error; an unknown channel or a missing secret is an error.

use shelfsync_channels::Timeouts;
use shelfsync_store::Store;
use shelfsync_sync::config;
use shelfsync_sync::credentials::Secrets;
use shelfsync_sync::link::{self, ConnectionFailure, LinkError, LinkOptions, LinkReport};

use crate::error::{AppError, Result};
use crate::ipc::{ChannelTestView, LinkReviewView, LinkRowView, LinkStatusView, ShopLocationView};
use crate::state::AppState;

/// Rows of each kind the review sends: enough to read through, bounded for a 100,000-SKU
/// catalogue (the counts are always whole).
pub const MAX_LINK_ROWS: usize = 500;

fn bad(message: impl Into<String>) -> AppError {
    AppError::BadRequest(message.into())
}

/// What a failed connection means for the person at the screen, and what to check.
pub fn failure_in_words(failure: &ConnectionFailure) -> String {
    match failure {
        ConnectionFailure::Unauthorized(detail) => format!(
            "The channel refused the credentials. Check the access token (or the client id, secret and refresh token) and save the channel again. ({detail})"
        ),
        ConnectionFailure::NotFound(detail) => {
            format!("The shop or seller was not found: {detail}. Check the shop domain or seller id.")
        }
        ConnectionFailure::Unreachable(detail) => format!(
            "No connection to the channel. Check the endpoint address and this computer's network. ({detail})"
        ),
        ConnectionFailure::Timeout(_) => {
            "The channel did not answer in time. Try again in a minute; if it keeps happening, check the network.".into()
        }
        ConnectionFailure::Throttled => "The channel is busy (its rate limit). Try again in a minute.".into(),
        ConnectionFailure::Channel { .. } => format!("The channel answered with an error: {failure}."),
        ConnectionFailure::Config(detail) => format!("The channel's settings cannot work: {detail}."),
    }
}

fn local_error(error: shelfsync_sync::SyncError) -> AppError {
    match error {
        shelfsync_sync::SyncError::Store(e) => AppError::Store(e),
        shelfsync_sync::SyncError::UnknownChannel(name) => {
            bad(format!("There is no channel called '{name}'. Add it first."))
        }
        shelfsync_sync::SyncError::Credentials(detail) => bad(format!(
            "The channel's credentials are not stored ({detail}). Add the channel again with them."
        )),
        other => bad(other.to_string()),
    }
}

/// Tests a saved channel with its stored credentials: one real authenticated call.
pub fn test_channel(state: &AppState, channel: String) -> Result<ChannelTestView> {
    crate::commands::allowed(state, shelfsync_core::Action::ChannelTest)?;
    let channel = channel.trim().to_string();
    let record = {
        let store = state.store()?;
        config::channel(&store, &channel).map_err(local_error)?
    };
    let secrets = Secrets::for_database(state.db_path());
    match link::test_channel_blocking(&record, &secrets, Timeouts::default()) {
        Ok(connected) => Ok(ChannelTestView {
            channel,
            ok: true,
            message: format!("Connected: {}.", connected.summary),
            account: connected.account,
            shop_locations: connected
                .locations
                .into_iter()
                .map(|l| ShopLocationView { id: l.id, name: l.name })
                .collect(),
        }),
        Err(LinkError::Channel(failure)) => {
            tracing::warn!(%channel, code = failure.code(), "connection test failed");
            Ok(ChannelTestView {
                channel,
                ok: false,
                message: failure_in_words(&failure),
                account: None,
                shop_locations: vec![],
            })
        }
        Err(LinkError::Local(error)) => Err(local_error(error)),
    }
}

/// Reads the channel's catalogue and matches it to our SKUs; with `apply`, links the matched
/// listings (one transaction, each queued for a push). `location` is our location feeding a
/// Shopify channel's listings and `shop_location` the shop's (each may be left out when there
/// is only one).
pub fn link_channel(
    state: &AppState,
    channel: String,
    apply: bool,
    location: Option<String>,
    shop_location: Option<String>,
) -> Result<LinkReviewView> {
    let user = crate::commands::allowed(state, shelfsync_core::Action::ChannelLink)?;
    let channel = channel.trim().to_string();
    let clean = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let options = LinkOptions { location: clean(location), remote_location: clean(shop_location), apply };
    // Its own connection: the catalogue read takes seconds and must not hold the app's store.
    let store = Store::open(state.db_path())?;
    let secrets = Secrets::for_database(state.db_path());
    let by = shelfsync_store::By::new(&user.name, state.workstation());
    match link::link_blocking(&store, by, &channel, &secrets, &options, Timeouts::default()) {
        Ok(report) => {
            if report.applied {
                tracing::info!(%channel, linked = report.listings.len(), "listings linked");
            }
            Ok(review_view(report))
        }
        Err(LinkError::Channel(failure)) => Err(bad(failure_in_words(&failure))),
        Err(LinkError::Local(shelfsync_sync::SyncError::Invalid(message))) => {
            Err(bad(invalid_in_words(&message)))
        }
        Err(LinkError::Local(error)) => Err(local_error(error)),
    }
}

/// The link's refusals name CLI flags; on the screen the choice is a list instead.
fn invalid_in_words(message: &str) -> String {
    if message.contains("--remote-location") {
        "The shop has several locations: choose the shop location the listings belong to, then review again."
            .into()
    } else if message.contains("--location") {
        "You have several locations: choose the one whose stock this channel sells, then review again.".into()
    } else if message.starts_with("no locations yet") {
        "Add a location first: a channel sells the stock of one of your locations.".into()
    } else {
        let mut chars = message.chars();
        match chars.next() {
            Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str().trim_end_matches('.')),
            None => "The link could not be planned.".into(),
        }
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn review_view(report: LinkReport) -> LinkReviewView {
    let plan = &report.plan;
    let mut rows = Vec::new();
    rows.extend(plan.matched.iter().take(MAX_LINK_ROWS).map(|m| LinkRowView {
        status: LinkStatusView::Matched,
        sku: m.sku.clone(),
        theirs: vec![m.remote_item.clone()],
    }));
    rows.extend(plan.ambiguous.iter().take(MAX_LINK_ROWS).map(|a| LinkRowView {
        status: LinkStatusView::Ambiguous,
        sku: a.ours.join(", "),
        theirs: a.theirs.iter().map(|e| format!("{} ({})", e.item, e.sku)).collect(),
    }));
    rows.extend(plan.unmatched_ours.iter().take(MAX_LINK_ROWS).map(|sku| LinkRowView {
        status: LinkStatusView::UnmatchedOurs,
        sku: sku.clone(),
        theirs: vec![],
    }));
    rows.extend(plan.unmatched_theirs.iter().take(MAX_LINK_ROWS).map(|e| LinkRowView {
        status: LinkStatusView::UnmatchedTheirs,
        sku: e.sku.clone(),
        theirs: vec![e.item.clone()],
    }));
    LinkReviewView {
        channel: report.channel.clone(),
        matched: count(plan.matched.len()),
        unmatched_ours: count(plan.unmatched_ours.len()),
        unmatched_theirs: count(plan.unmatched_theirs.len()),
        ambiguous: count(plan.ambiguous.len()),
        rows,
        linked: report.applied.then(|| count(report.listings.len())),
        location: report.location.clone(),
        shop_location: report.remote_location.as_ref().map(|l| format!("{} ({})", l.name, l.id)),
        already_linked: count(plan.already_mapped.len()),
    }
}
