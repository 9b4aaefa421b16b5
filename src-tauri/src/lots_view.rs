//! A tracked item's lots at one location, for the Movements screen and the station (issue 21):
//! what each lot holds, first expiry first, and which lots to take a quantity from (core's
//! first-expiry-first-out, `shelfsync_core::lot::fefo`, through `Store::suggest_lots`, the
//! same suggestion as the CLI's `lots suggest`). An open blind count at the location hides the
//! quantities from whoever may not see them, as every other stock read does.

use shelfsync_core::MAX_QTY;

use crate::commands::{MAX_CODE_LEN, acting_user, blind_for, item_sku};
use crate::error::Result;
use crate::floor_refusal::FloorRefusal;
use crate::ipc::{ItemLotsView, LotPickView, LotView};
use crate::state::AppState;

pub fn item_lots(state: &AppState, code: String, location: String, qty: Option<u32>) -> Result<ItemLotsView> {
    acting_user(state)?;
    let (code, location) = (code.trim(), location.trim());
    if code.is_empty() || code.len() > MAX_CODE_LEN {
        return Err(FloorRefusal::LotItemCode { max: MAX_CODE_LEN }.into());
    }
    if qty.is_some_and(|q| q == 0 || q > MAX_QTY) {
        return Err(FloorRefusal::LotQty { max: MAX_QTY }.into());
    }
    let store = state.store()?;
    let sku = item_sku(&store, code)?;
    if !store.location_exists(location)? {
        return Err(shelfsync_store::StoreError::UnknownLocation(location.to_string()).into());
    }
    let tracking = crate::station::tag_kind(store.item_tracking(sku.as_str())?);
    let hidden = blind_for(state, &store)?.hides(sku.as_str(), location);
    if tracking.is_none() {
        return Ok(ItemLotsView {
            sku: sku.to_string(),
            tracking,
            hidden,
            lots: vec![],
            picks: vec![],
            uncovered: 0,
        });
    }
    let shown = |n: i64| (!hidden).then_some(n);
    let lots = store
        .lot_rows(sku.as_str(), Some(location))?
        .into_iter()
        .map(|row| LotView {
            code: row.stock.lot,
            expiry: row.stock.expiry.map(|d| d.to_string()),
            on_hand: shown(row.stock.on_hand),
            damaged: shown(row.stock.damaged),
        })
        .collect();
    let (picks, uncovered) = match qty {
        Some(qty) if !hidden => store.suggest_lots(sku.as_str(), location, i64::from(qty))?,
        _ => (vec![], 0),
    };
    let picks = picks
        .into_iter()
        .map(|p| LotPickView { code: p.lot, expiry: p.expiry.map(|d| d.to_string()), qty: p.qty })
        .collect();
    Ok(ItemLotsView { sku: sku.to_string(), tracking, hidden, lots, picks, uncovered })
}
