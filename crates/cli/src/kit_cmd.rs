//! `shelfsync kit ...` (issue 21): define, show and remove kits, and `stock KIT`, the kit's
//! derived ATP per location. The rules are core's (`shelfsync_core::kit`), the table the
//! store's (`shelfsync_store::kits`); this module parses and prints.

use clap::Subcommand;
use serde_json::json;
use shelfsync_core::kit::parse_component;
use shelfsync_core::{DomainError, LocationCode, Movement, ReturnDestination, Sku};
use shelfsync_store::{AppendOutcome, StoreError};

use crate::args::{Command, Qty};
use crate::context::Context;
use crate::{CliError, output};

#[derive(Subcommand)]
pub enum KitCommand {
    /// Define KIT as its components (replacing any earlier definition); KIT holds no stock of
    /// its own and its components may not be kits (supervisor or admin)
    Set {
        kit: String,
        /// SKU:QTY, QTY from 1 to 1000; repeat for each component
        #[arg(long = "component", required = true)]
        components: Vec<String>,
    },
    /// A kit's components and their quantities
    Show { kit: String },
    /// KIT stops being a kit (supervisor or admin)
    Remove { kit: String },
}

pub fn run(ctx: &Context, command: KitCommand) -> Result<(), CliError> {
    match command {
        KitCommand::Set { kit, components } => {
            let components = components
                .iter()
                .map(|raw| parse_component(raw).map_err(StoreError::from))
                .collect::<Result<Vec<_>, _>>()?;
            let view = ctx.open_existing()?.kit_set(&kit, &components, &ctx.actor(), &ctx.workstation)?;
            print_kit(ctx, &view, "set");
        }
        KitCommand::Show { kit } => {
            let view = ctx.open_existing()?.kit_show(&kit)?;
            print_kit(ctx, &view, "");
        }
        KitCommand::Remove { kit } => {
            ctx.open_existing()?.kit_remove(&kit, &ctx.actor(), &ctx.workstation)?;
            if ctx.json {
                output::json(&json!({ "kit": kit, "removed": true }));
            } else {
                output::line(&format!("{kit} is no longer a kit"));
            }
        }
    }
    Ok(())
}

fn print_kit(ctx: &Context, view: &shelfsync_store::kits::KitView, verb: &str) {
    if ctx.json {
        output::json(view);
        return;
    }
    if !verb.is_empty() {
        output::line(&format!("kit {} {verb}: {} components", view.kit, view.components.len()));
    }
    let rows: Vec<Vec<String>> =
        view.components.iter().map(|c| vec![c.sku.to_string(), c.qty.to_string()]).collect();
    output::table(&["COMPONENT", "QTY"], &rows);
}

/// `sale|fulfil|cancel|reserve|release|return KIT QTY --location L`: booked on the kit's
/// components, one event per component in one transaction (`Store::append_kit`). Returns false
/// (nothing done) for any other command or a SKU that is not a kit; `main` then runs the
/// command as usual (and the ledger refuses any other movement of a kit).
pub fn movement(ctx: &Context, command: &Command) -> Result<bool, CliError> {
    type Make = fn(Sku, LocationCode, u32) -> Movement;
    let (q, make): (&Qty, Make) = match command {
        Command::Sale(q) => (q, |sku, location, qty| Movement::Sale { sku, location, qty }),
        Command::Fulfil(q) => (q, |sku, location, qty| Movement::Fulfil { sku, location, qty }),
        Command::Cancel(q) => (q, |sku, location, qty| Movement::Cancel { sku, location, qty }),
        Command::Reserve(q) => (q, |sku, location, qty| Movement::Reserve { sku, location, qty }),
        Command::Release(q) => (q, |sku, location, qty| Movement::Release { sku, location, qty }),
        Command::Return { qty: q, damaged: false } => {
            (q, |sku, location, qty| Movement::Return { sku, location, qty, to: ReturnDestination::Stock })
        }
        Command::Return { qty: q, damaged: true } => {
            (q, |sku, location, qty| Movement::Return { sku, location, qty, to: ReturnDestination::Damaged })
        }
        _ => return Ok(false),
    };
    if !is_kit(ctx, &q.sku)? {
        return Ok(false);
    }
    let qty = u32::try_from(q.qty)
        .ok()
        .filter(|n| (1..=shelfsync_core::MAX_QTY).contains(n))
        .ok_or(DomainError::QuantityOutOfRange { got: q.qty, max: i64::from(shelfsync_core::MAX_QTY) })?;
    let movement = make(Sku::new(q.sku.clone())?, LocationCode::new(q.location.clone())?, qty);
    let mut event = shelfsync_store::new_event(movement, ctx.actor(), ctx.workstation.clone());
    event.reason = q.reason.clone();
    event.reference = q.extra.reference.clone();
    if q.extra.override_negative {
        // `main` checked that the actor may override (access.rs).
        event.override_by = Some(ctx.actor());
    }
    let booked = ctx.open_existing()?.append_kit(&event)?;
    if ctx.json {
        let events: Vec<_> = booked
            .iter()
            .map(|(e, outcome)| {
                json!({
                    "id": e.id.to_string(),
                    "sku": e.movement.sku().as_str(),
                    "kind": e.movement.kind(),
                    "duplicate": matches!(outcome, AppendOutcome::Duplicate { .. }),
                })
            })
            .collect();
        output::json(&json!({ "kit": q.sku, "qty": qty, "events": events }));
    } else {
        let parts: Vec<String> = booked.iter().map(|(e, _)| format!("{}", e.movement.sku())).collect();
        output::line(&format!(
            "recorded {} of {qty} x {} as {} component events ({})",
            event.movement.kind(),
            q.sku,
            booked.len(),
            parts.join(", ")
        ));
    }
    Ok(true)
}

/// Whether `stock SKU` is about a kit (then [`stock`] prints it).
pub fn is_kit(ctx: &Context, sku: &str) -> Result<bool, CliError> {
    Ok(ctx.open_existing()?.is_kit(sku)?)
}

/// `stock KIT`: per location, the kit's ATP derived from its components and the one that
/// limits it. The JSON rows carry the stock rows' fields (the kit's own buckets are 0) plus
/// `"kit": true`, `limiting_component` and `components`.
pub fn stock(ctx: &Context, kit: &str, location: Option<&str>) -> Result<(), CliError> {
    let rows = ctx.open_existing()?.kit_stock(kit, location)?;
    if ctx.json {
        output::json(&rows);
        return Ok(());
    }
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.sku.clone(),
                r.location.clone(),
                r.atp.to_string(),
                r.limiting_component.clone().unwrap_or_default(),
            ]
        })
        .collect();
    output::table(&["KIT", "LOCATION", "ATP", "LIMITED BY"], &cells);
    Ok(())
}
