//! The simulator's own admin endpoints for Amazon: state, faults, listings and sales (orders
//! are placed and cancelled in `orders.rs`).

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{AmazonFaults, AmazonSim};
use crate::faults::Faults;

pub(super) async fn admin_state(State(sim): State<AmazonSim>) -> Json<Value> {
    Json(sim.with(|s| s.state_json()))
}

#[derive(Deserialize)]
pub(super) struct FaultsInput {
    #[serde(default)]
    faults: Faults,
    #[serde(default)]
    amazon: AmazonFaults,
}

pub(super) async fn admin_faults(
    State(sim): State<AmazonSim>,
    Json(input): Json<FaultsInput>,
) -> Json<Value> {
    sim.set_faults(input.faults, input.amazon);
    Json(json!({ "faults": input.faults, "amazon_faults": input.amazon }))
}

#[derive(Deserialize)]
pub(super) struct ListingInput {
    sku: String,
    quantity: i64,
}

pub(super) async fn admin_listings(
    State(sim): State<AmazonSim>,
    Json(listings): Json<Vec<ListingInput>>,
) -> Json<Value> {
    let count = listings.len();
    for l in listings {
        sim.set_listing(&l.sku, l.quantity);
    }
    Json(json!({ "set": count }))
}

#[derive(Deserialize)]
pub(super) struct SaleInput {
    sku: String,
    qty: i64,
}

pub(super) async fn admin_sell(State(sim): State<AmazonSim>, Json(sale): Json<SaleInput>) -> Json<Value> {
    Json(json!({ "sold": sim.sell(&sale.sku, sale.qty) }))
}
