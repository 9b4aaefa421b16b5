//! The commands the webview may call. Each one checks its input's size, asks the store, and
//! converts to wire types: no stock rule lives here (those are in `shelfsync_core`), so the CLI
//! and the app cannot disagree. The functions take `&AppState` and are tested without Tauri;
//! the `#[tauri::command]` wrappers in `lib.rs` only unwrap Tauri's state.

use chrono::{Duration, Utc};
use shelfsync_store::{EventFilter, StockFilter, Store};

use crate::error::{AppError, Result};
use crate::ipc::{AppInfo, EventView, ItemView, LocationView, StockLevel, StockPage, StockQuery};
use crate::state::AppState;

/// Rows the stock table gets when it does not say. A screen shows ~20; 200 lets it scroll.
pub const DEFAULT_STOCK_ROWS: u32 = 200;
/// Most rows one call returns: bounds the IPC message and the DOM the webview must build.
pub const MAX_STOCK_ROWS: u32 = 2_000;
/// Most events one call returns.
pub const MAX_EVENTS: u32 = 500;
/// Longest code accepted for a look-up: GS1 element strings top out near 100 characters.
pub const MAX_CODE_LEN: usize = 128;

pub fn app_info(state: &AppState) -> Result<AppInfo> {
    state.info()
}

pub fn stock_levels(state: &AppState, query: StockQuery) -> Result<StockPage> {
    let limit = query.limit.unwrap_or(DEFAULT_STOCK_ROWS);
    if limit == 0 || limit > MAX_STOCK_ROWS {
        return Err(AppError::BadRequest(format!(
            "limit must be between 1 and {MAX_STOCK_ROWS}, got {limit}"
        )));
    }
    let filter = StockFilter { sku: non_empty(query.sku), location: non_empty(query.location) };
    let rows = state.store()?.stock(&filter)?;
    let total = u32::try_from(rows.len()).unwrap_or(u32::MAX);
    Ok(StockPage { rows: rows.into_iter().take(limit as usize).map(StockLevel::from).collect(), total })
}

/// Newest first, at most `limit` (default 50).
pub fn recent_events(state: &AppState, sku: Option<String>, limit: Option<u32>) -> Result<Vec<EventView>> {
    let limit = limit.unwrap_or(50);
    if limit == 0 || limit > MAX_EVENTS {
        return Err(AppError::BadRequest(format!("limit must be between 1 and {MAX_EVENTS}, got {limit}")));
    }
    let store = state.store()?;
    let mut events = newest_events(&store, non_empty(sku), limit as usize)?;
    events.reverse();
    Ok(events.into_iter().map(EventView::from).collect())
}

/// The last `limit` events (oldest first). `Store::events` applies its limit from the oldest
/// end, so this widens a `since` window until it holds enough events, instead of reading the
/// whole log. TODO(store): a tail query in the store would make this one call.
fn newest_events(
    store: &Store,
    sku: Option<String>,
    limit: usize,
) -> Result<Vec<shelfsync_store::RecordedEvent>> {
    let now = Utc::now();
    let windows = [Some(1), Some(7), Some(31), Some(366), None];
    let mut events = Vec::new();
    for days in windows {
        let since = days.map(|d| now - Duration::days(d));
        events = store.events(&EventFilter { sku: sku.clone(), since, limit: None })?;
        if events.len() >= limit {
            break;
        }
    }
    let skip = events.len().saturating_sub(limit);
    Ok(events.split_off(skip))
}

/// Resolves a SKU or any barcode of an item (GTIN-8/12/13/14 or internal code).
pub fn item_lookup(state: &AppState, code: String) -> Result<ItemView> {
    let code = code.trim();
    if code.is_empty() {
        return Err(AppError::BadRequest("scan a barcode or type a SKU".into()));
    }
    if code.len() > MAX_CODE_LEN {
        return Err(AppError::BadRequest(format!("a code is at most {MAX_CODE_LEN} characters")));
    }
    let store = state.store()?;
    let sku = match store.resolve_code(code) {
        Ok(sku) => sku,
        Err(shelfsync_store::StoreError::UnknownBarcode(_) | shelfsync_store::StoreError::UnknownSku(_)) => {
            return Err(AppError::NotFound(code.to_string()));
        }
        Err(other) => return Err(other.into()),
    };
    let item = store.item(sku.as_str())?.ok_or_else(|| AppError::NotFound(code.to_string()))?;
    let barcodes = store.barcodes_of(sku.as_str())?;
    let rows = store.stock(&StockFilter { sku: Some(sku.to_string()), location: None })?;
    Ok(ItemView::new(item, barcodes, rows))
}

pub fn locations(state: &AppState) -> Result<Vec<LocationView>> {
    Ok(state.store()?.locations()?.into_iter().map(LocationView::from).collect())
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}
