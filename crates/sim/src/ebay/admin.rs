//! The simulator's own admin endpoints for eBay: state, faults, items, sales and the day's reset
//! (orders are placed and cancelled in `orders.rs`).

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{EbayFaults, EbaySim};
use crate::faults::Faults;

pub(super) async fn admin_state(State(sim): State<EbaySim>) -> Json<Value> {
    Json(sim.with(|s| s.state_json()))
}

#[derive(Deserialize)]
pub(super) struct FaultsInput {
    #[serde(default)]
    faults: Faults,
    #[serde(default)]
    ebay: EbayFaults,
}

pub(super) async fn admin_faults(State(sim): State<EbaySim>, Json(input): Json<FaultsInput>) -> Json<Value> {
    sim.set_faults(input.faults, input.ebay);
    Json(json!({ "faults": input.faults, "ebay_faults": input.ebay }))
}

#[derive(Deserialize)]
pub(super) struct ItemInput {
    sku: String,
    offer_id: String,
    quantity: i64,
}

pub(super) async fn admin_items(
    State(sim): State<EbaySim>,
    Json(items): Json<Vec<ItemInput>>,
) -> Json<Value> {
    let count = items.len();
    for i in items {
        sim.set_item(&i.sku, &i.offer_id, i.quantity);
    }
    Json(json!({ "set": count }))
}

#[derive(Deserialize)]
pub(super) struct SaleInput {
    sku: String,
    qty: i64,
}

pub(super) async fn admin_sell(State(sim): State<EbaySim>, Json(sale): Json<SaleInput>) -> Json<Value> {
    Json(json!({ "sold": sim.sell(&sale.sku, sale.qty) }))
}

pub(super) async fn admin_reset_day(State(sim): State<EbaySim>) -> Json<Value> {
    sim.reset_day();
    Json(json!({ "reset": true }))
}
