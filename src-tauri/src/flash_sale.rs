//! Flash-sale mode from the Settings screen: the rule in force with the items selling fast and
//! each listing's share, and turning it on (window, trigger) or off. The rule is core's
//! (`shelfsync_core::flash`); the setting is the store's audited `flash_sale`, the same one
//! `shelfsync sync flash-sale` sets.

use chrono::Utc;
use shelfsync_core::Action;
use shelfsync_core::flash::FlashSaleRule;
use shelfsync_store::flash::FLASH_SALE_KEY;

use crate::commands::{allowed, looking_user};
use crate::error::Result;
use crate::ipc::{FlashListingView, FlashSaleView};
use crate::state::AppState;

/// Anyone signed in may read the rule and which items sell fast; it changes what the channels
/// list, so staff and supervisors should see why a listing shows fewer units.
pub fn flash_sale(state: &AppState) -> Result<FlashSaleView> {
    looking_user(state)?;
    let store = state.store()?;
    let rule = store.flash_sale_rule()?;
    let selling_fast = match rule {
        None => Vec::new(),
        Some(rule) => store
            .flash_sale_dry_run(rule, Utc::now())?
            .into_iter()
            .filter_map(|row| {
                let share = row.share?;
                Some(FlashListingView {
                    sku: row.sku,
                    channel: row.channel,
                    listed_now: row.listed_now,
                    share: share.share,
                    sales_in_window: share.sales_in_window,
                })
            })
            .collect(),
    };
    let shown = rule.unwrap_or_default();
    Ok(FlashSaleView {
        on: rule.is_some(),
        window_secs: shown.window_secs,
        trigger_sales: shown.trigger_sales,
        selling_fast,
    })
}

/// Admins: on with a window (seconds) and a trigger (channel sales within it), or off. A
/// refused rule changes nothing and says which number is out of range.
pub fn set_flash_sale(
    state: &AppState,
    on: bool,
    window_secs: u32,
    trigger_sales: u32,
) -> Result<FlashSaleView> {
    let admin = allowed(state, Action::ChannelRule)?;
    let rule =
        if on { Some(FlashSaleRule::new(u64::from(window_secs), u64::from(trigger_sales))?) } else { None };
    state.store()?.set_setting(
        FLASH_SALE_KEY,
        &FlashSaleRule::to_setting(rule),
        &admin,
        state.workstation(),
    )?;
    flash_sale(state)
}
