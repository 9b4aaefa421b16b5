//! A channel order line of a kit (issue 21): a kit holds no stock of its own, so its sale,
//! cancellation and returns are booked on its components, one event per component (line
//! quantity x component quantity), in the order's one transaction.
//!
//! Ids stay derived, so a redelivered order dedupes: a component's sale is
//! `line_event_id(channel, order, line, "sale:<component>")`, its cancellation `cancel:<component>`,
//! its return `return:<refund>:<component>`. Every event's reference names the order line and
//! the kit. A cancellation or return follows what was booked (the booked sale's quantity per
//! component), not the kit's definition now, so a kit redefined after the sale still cancels
//! exactly what was sold.

use shelfsync_core::kit::{KitComponent, expand};
use shelfsync_core::{LocationCode, Movement, ReturnDestination, Sku};
use shelfsync_store::channels::listings::ListingRef;
use shelfsync_store::oversight::{Tx, orders_seen};
use shelfsync_store::{AppendOutcome, append_in, kits};

use super::{IngestReport, Line, Order, Refund, event, line_event_id, record_unmapped, refund_reference};
use crate::{CaptureError, Result, incidents};

/// Books one line of a kit listing: its component sales (once), then its cancellation or its
/// refunds. Returns whether the sale was booked now (the caller then settles the listing's
/// channel changes as for any sale).
pub(super) fn book_kit_line(
    tx: &Tx<'_>,
    channel: &str,
    order: &Order,
    line: &Line,
    listing: &ListingRef,
    components: &[KitComponent],
    report: &mut IngestReport,
) -> Result<bool> {
    let parts = expand(line.quantity, components).ok_or_else(|| {
        CaptureError::Invalid(format!(
            "order {} line {}: {} kits of '{}' move more than one event may",
            order.id, line.id, line.quantity, listing.sku
        ))
    })?;
    let sale_id = |sku: &Sku| line_event_id(channel, &order.id, &line.id, &format!("sale:{sku}"));
    // Already booked (a redelivery): where its first booked component went, and nothing new.
    let mut booked_at = None;
    for (sku, _) in &parts {
        if let Some(location) = orders_seen::booked_location(tx, &sale_id(sku).to_string())? {
            booked_at = Some(location);
            break;
        }
    }
    let already = booked_at.is_some();
    let location = match booked_at {
        Some(location) => Some(location),
        None if listing.location.is_some() => listing.location.clone(),
        None => kits::best_feeding_location(tx, channel, &listing.sku)?,
    };
    let Some(location) = location else {
        record_unmapped(tx, channel, order, line)?;
        report.unmapped += 1;
        return Ok(false);
    };
    let location_code = LocationCode::new(location.clone())?;
    let reference = format!("{channel} order {} line {} kit {}", order.id, line.id, listing.sku);
    if already {
        report.duplicates += 1;
    } else {
        for (sku, units) in &parts {
            let sale = event(
                channel,
                sale_id(sku),
                Movement::Sale { sku: sku.clone(), location: location_code.clone(), qty: *units },
                order.created_at,
                reference.clone(),
            );
            match append_in(tx, &sale)? {
                AppendOutcome::Recorded { .. } => report.recorded += 1,
                AppendOutcome::Duplicate { .. } => report.duplicates += 1,
            }
            if let Some(incident) =
                incidents::check_oversell(tx, channel, sku.as_str(), &location, &order.id, &line.id)?
            {
                report.incidents.push(incident);
            }
        }
    }
    // What each component's booked sale moved: cancellations and returns follow it.
    let mut booked = Vec::new();
    for (sku, _) in &parts {
        if let Some(sale) = orders_seen::booked_event(tx, &sale_id(sku).to_string())?
            && let Some(units) = sale.qty.and_then(|q| u32::try_from(q).ok())
        {
            booked.push((sku.clone(), units));
        }
    }
    let mut follow_ups = Vec::new();
    if order.cancelled {
        for (sku, units) in &booked {
            follow_ups.push(event(
                channel,
                line_event_id(channel, &order.id, &line.id, &format!("cancel:{sku}")),
                Movement::Cancel { sku: sku.clone(), location: location_code.clone(), qty: *units },
                order.cancelled_at.unwrap_or(order.created_at),
                reference.clone(),
            ));
        }
    } else {
        for refund in &order.refunds {
            for (_, kits_back) in refund.lines.iter().filter(|(l, _)| *l == line.id) {
                for (sku, units) in &booked {
                    let per_kit = units / line.quantity.max(1);
                    follow_ups.push(event(
                        channel,
                        line_event_id(channel, &order.id, &line.id, &format!("return:{}:{sku}", refund.id)),
                        Movement::Return {
                            sku: sku.clone(),
                            location: location_code.clone(),
                            qty: (*kits_back).min(line.quantity) * per_kit,
                            to: ReturnDestination::Stock,
                        },
                        refund.created_at.unwrap_or(order.created_at),
                        format!(
                            "{} kit {}",
                            refund_reference(channel, &order.id, &line.id, &refund.id),
                            listing.sku
                        ),
                    ));
                }
            }
        }
    }
    for follow_up in follow_ups {
        match super::append_keeping_time(tx, follow_up)? {
            AppendOutcome::Recorded { .. } => report.recorded += 1,
            AppendOutcome::Duplicate { .. } => report.duplicates += 1,
        }
    }
    Ok(!already)
}

/// A refund delivered on its own (`refunds/create`) for a line whose plain sale is not booked:
/// if the line sold a kit, its components go back, as the poll that brings the refund inside its
/// order would book them (same ids, quantities, time and reference, so the two dedupe). The kit
/// is found by trying each kit's components' derived sale ids (only on this path, and only the
/// kits that exist). Returns false when the line sold no kit (the caller then reports it as not
/// captured yet).
pub(super) fn book_kit_refund(
    tx: &Tx<'_>,
    channel: &str,
    order_id: &str,
    line_id: &str,
    refund: &Refund,
    kits_back: u32,
    report: &mut IngestReport,
) -> Result<bool> {
    for kit in kits::kits(tx)? {
        let components = kits::components_in(tx, &kit)?;
        let mut booked = Vec::new();
        for c in &components {
            let sale_id = line_event_id(channel, order_id, line_id, &format!("sale:{}", c.sku));
            if let Some(sale) = orders_seen::booked_event(tx, &sale_id.to_string())?
                && let (Some(location), Some(units)) =
                    (sale.location, sale.qty.and_then(|q| u32::try_from(q).ok()))
            {
                let sold_at = serde_json::from_str::<shelfsync_core::Event>(&sale.body)
                    .map_err(|e| CaptureError::Invalid(format!("event {sale_id} cannot be read: {e}")))?
                    .occurred_at;
                booked.push((c, location, units, sold_at));
            }
        }
        if booked.is_empty() {
            continue;
        }
        for (c, location, units, sold_at) in booked {
            let ret = event(
                channel,
                line_event_id(channel, order_id, line_id, &format!("return:{}:{}", refund.id, c.sku)),
                Movement::Return {
                    sku: c.sku.clone(),
                    location: LocationCode::new(location)?,
                    qty: kits_back.saturating_mul(c.qty).min(units),
                    to: ReturnDestination::Stock,
                },
                refund.created_at.unwrap_or(sold_at),
                format!("{} kit {kit}", refund_reference(channel, order_id, line_id, &refund.id)),
            );
            match super::append_keeping_time(tx, ret)? {
                AppendOutcome::Recorded { .. } => report.recorded += 1,
                AppendOutcome::Duplicate { .. } => report.duplicates += 1,
            }
        }
        return Ok(true);
    }
    Ok(false)
}
