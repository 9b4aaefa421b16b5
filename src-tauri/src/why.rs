//! The Sync drill-down of one SKU: "why this number". The derivation is the sync engine's own
//! (`shelfsync_sync::report::explain`, which recomputes with the store's `allocation_for`, the
//! function the outbox uses) and the push log is the engine's (`shelfsync_sync::history`); this
//! module only gathers and converts, so the screen and `shelfsync sync explain` cannot differ.

use shelfsync_store::outbox::Allocation;
use shelfsync_sync::history;
use shelfsync_sync::report::{self, Explanation};

use crate::commands::{item_lookup, looking_user};
use crate::error::{AppError, Result};
use crate::ipc::{ListingWhyView, PushView, SkuSyncView};
use crate::state::AppState;

/// Pushes listed under a SKU, newest first: a few weeks of a busy item across three channels.
pub const MAX_PUSHES_SHOWN: u32 = 100;

/// A SKU or any of its barcodes: its buckets per location, every channel listing with the
/// allocation the engine computes from them now, what waits in the outbox, and its pushes.
/// A SKU no channel lists has no listings (not an error).
pub fn sku_sync(state: &AppState, code: String) -> Result<SkuSyncView> {
    looking_user(state)?;
    let item = item_lookup(state, code)?;
    let store = state.store()?;
    // Allocations work from each location's ATP: an open blind count's number by another road.
    if crate::commands::blind_for(state, &store)?.hides_any(&item.sku) {
        return Err(crate::error::AppError::BadRequest(format!(
            "{} is in an open blind count: its sync figures are hidden until the count is submitted.",
            item.sku
        )));
    }
    let mut listings = Vec::new();
    for channel in history::channels_listing(&store, &item.sku)? {
        for explained in report::explain(&store, &item.sku, &channel)? {
            listings.push(listing_view(explained)?);
        }
    }
    let pushes = history::push_history(&store, &item.sku, MAX_PUSHES_SHOWN)?;
    Ok(SkuSyncView { item, listings, pushes: pushes.into_iter().map(PushView::from).collect() })
}

fn listing_view(e: Explanation) -> Result<ListingWhyView> {
    let allocation: Allocation = serde_json::from_value(e.now)
        .map_err(|err| AppError::Unavailable(format!("the engine's derivation did not read back: {err}")))?;
    let queued = e.queued.as_ref();
    let text = |key: &str| queued.and_then(|q| q[key].as_str()).map(str::to_string);
    Ok(ListingWhyView {
        allocation: allocation.into(),
        queued_qty: queued.and_then(|q| q["qty"].as_i64()),
        queued_since: text("dirty_since"),
        queued_error: text("last_error"),
        channel: e.channel,
        location: e.location,
        remote_item: e.remote_item,
        channel_qty: e.channel_qty,
        open_channel_changes: e.open_channel_changes,
    })
}
