//! The Movements screen (issue 20): write-off, adjust with override, the two halves of a
//! transfer, customer returns and reversals, recorded as the CLI's `ledger_cmd` records them.
//!
//! Every command checks the role through `allowed` (core's policy) and takes the user from the
//! session, never from the request. The rules are core's (reason codes, quantities, short
//! receipts, what undoes an event) and the store's (balances, the approval threshold, one
//! receipt per shipment, one reversal per event); this module only checks the request's shape
//! and sizes, builds the movement and hands it to `Store::request_movement`, the same operation
//! the CLI and the scan station use, so a loss above the approval value waits for a supervisor
//! here exactly as it does there. A refused request changes nothing: every check runs before
//! the one append, and the append is one transaction.

use shelfsync_core::{
    Action, LOSS_REASON_CODES, LocationCode, LotTag, MAX_TEXT_LEN, Movement, ReturnDestination, Sku,
    WriteOffSource, loss_reason,
};
use shelfsync_store::{EventFilter, MovementRequest, Store, User, new_event};
use uuid::Uuid;

use crate::commands::{MAX_CODE_LEN, MAX_EVENTS, allowed};
use crate::error::{AppError, Result};
use crate::floor_refusal::FloorRefusal;
use crate::ipc::{
    AdjustRequest, EventView, MovementOutcome, ReceiveTransferRequest, ReturnRequest, ReverseRequest,
    ReversibleEventView, ShipRequest, TransferInTransitView, WriteOffFromView, WriteOffRequest,
};
use crate::state::AppState;

/// Shipments the receive list shows: a screen's worth; an older backlog is cleared at the CLI.
pub const MAX_TRANSFERS_LISTED: usize = 200;
/// Events the reversal picker shows when it does not say: the last few of a SKU are what a
/// supervisor undoes (a mistake is noticed soon); `MAX_EVENTS` bounds what it may ask for.
pub const DEFAULT_REVERSIBLE_EVENTS: u32 = 50;

/// Core's loss reason codes, in core's order: the write-off form offers these and no others.
pub fn loss_reason_codes(state: &AppState) -> Result<Vec<String>> {
    allowed(state, Action::WriteOff)?;
    Ok(LOSS_REASON_CODES.iter().map(|c| c.to_string()).collect())
}

/// A write-off from damaged or from on hand under a reason code. Above the approval value it
/// waits for a supervisor (the outcome says so and nothing moves yet).
pub fn write_off(state: &AppState, request: WriteOffRequest) -> Result<MovementOutcome> {
    let user = allowed(state, Action::WriteOff)?;
    let reason = coded_reason(&request.code, request.note.as_deref())?;
    let from = match request.from {
        WriteOffFromView::Damaged => WriteOffSource::Damaged,
        WriteOffFromView::OnHand => WriteOffSource::OnHand,
    };
    let movement = Movement::WriteOff {
        sku: sku(&request.sku)?,
        location: location(&request.location)?,
        qty: request.qty,
        from,
    };
    let tag = crate::station::line_tag(request.tag.as_ref())?;
    record(state, &user, movement, tag, Some(reason), None, false)
}

/// A correction of on hand, plus or minus, with a reason. A negative one is a loss and is
/// weighed against the approval value like a write-off. With `override_negative` (supervisors)
/// the balance may go below zero; the event names who allowed it.
pub fn adjust_stock(state: &AppState, request: AdjustRequest) -> Result<MovementOutcome> {
    let user = allowed(state, Action::Adjust)?;
    if request.override_negative {
        allowed(state, Action::OverrideNegative)?;
    }
    if request.delta == 0 {
        return Err(FloorRefusal::ZeroAdjustment.into());
    }
    let reason = required_text(&request.reason, FloorRefusal::NoAdjustmentReason)?;
    let movement = Movement::Adjust {
        sku: sku(&request.sku)?,
        location: location(&request.location)?,
        delta: request.delta,
    };
    let tag = crate::station::line_tag(request.tag.as_ref())?;
    record(state, &user, movement, tag, Some(reason), None, request.override_negative)
}

/// The first half of a two-phase transfer; the shipment then waits in `transfers_in_transit`.
pub fn ship_transfer(state: &AppState, request: ShipRequest) -> Result<MovementOutcome> {
    let user = allowed(state, Action::Transfer)?;
    let reason = optional_text(request.reason.as_deref())?;
    let movement = Movement::TransferShip {
        sku: sku(&request.sku)?,
        from: location(&request.from)?,
        to: location(&request.to)?,
        qty: request.qty,
    };
    let tag = crate::station::line_tag(request.tag.as_ref())?;
    record(state, &user, movement, tag, reason, None, false)
}

/// Shipments neither received nor reversed, newest first.
pub fn transfers_in_transit(state: &AppState) -> Result<Vec<TransferInTransitView>> {
    allowed(state, Action::Transfer)?;
    let open = state.store()?.transfers_in_transit(MAX_TRANSFERS_LISTED)?;
    Ok(open
        .into_iter()
        .filter_map(|t| match t.event.movement {
            Movement::TransferShip { sku, from, to, qty } => Some(TransferInTransitView {
                id: t.event.id.to_string(),
                sku: sku.to_string(),
                from: from.to_string(),
                to: to.to_string(),
                qty,
                shipped_at: t.recorded_at,
                shipped_by: t.event.actor,
                lot: t.event.lot.map(|l| l.code),
            }),
            _ => None,
        })
        .collect())
}

/// Receives a shipment in full or short (0 to all of it); a short receipt needs a reason, and
/// its shortfall is booked as a loss at the destination as core's deltas say.
pub fn receive_transfer(state: &AppState, request: ReceiveTransferRequest) -> Result<MovementOutcome> {
    let user = allowed(state, Action::Transfer)?;
    let raw = request.transfer_id.trim();
    let unknown = || AppError::from(FloorRefusal::NoTransferInTransit { id: clip(raw) });
    let shipment = Uuid::parse_str(raw).map_err(|_| unknown())?;
    let reason = optional_text(request.reason.as_deref())?;
    let ship = state.store()?.event(shipment)?.ok_or_else(unknown)?;
    let Movement::TransferShip { sku, from, to, qty: shipped } = ship.movement else {
        return Err(unknown());
    };
    let movement = Movement::TransferReceive { sku, from, to, shipment, shipped, received: request.received };
    // The units that arrive are the lot that left.
    record(state, &user, movement, ship.lot, reason, None, false)
}

/// A customer return, to stock or to damaged.
pub fn customer_return(state: &AppState, request: ReturnRequest) -> Result<MovementOutcome> {
    let user = allowed(state, Action::Return)?;
    let reason = optional_text(request.reason.as_deref())?;
    let to = if request.damaged { ReturnDestination::Damaged } else { ReturnDestination::Stock };
    let movement = Movement::Return {
        sku: sku(&request.sku)?,
        location: location(&request.location)?,
        qty: request.qty,
        to,
    };
    let tag = crate::station::line_tag(request.tag.as_ref())?;
    record(state, &user, movement, tag, reason, None, false)
}

/// The last events of a SKU (newest first), each with whether it may still be reversed. For
/// supervisors, who see what blind counts hide, so nothing is withheld here.
pub fn reversible_events(
    state: &AppState,
    sku: String,
    limit: Option<u32>,
) -> Result<Vec<ReversibleEventView>> {
    allowed(state, Action::Reverse)?;
    let limit = limit.unwrap_or(DEFAULT_REVERSIBLE_EVENTS);
    if limit == 0 || limit > MAX_EVENTS {
        return Err(AppError::BadRequest(format!("limit must be between 1 and {MAX_EVENTS}, got {limit}")));
    }
    let sku = self::sku(&sku)?;
    let store = state.store()?;
    let mut events = store.events(&EventFilter {
        sku: Some(sku.to_string()),
        since: None,
        limit: Some(limit as usize),
    })?;
    events.reverse();
    let ids: Vec<String> = events.iter().map(|e| e.event.id.to_string()).collect();
    let closed = store.closed_among(&ids)?;
    Ok(events
        .into_iter()
        .map(|recorded| {
            let why_not = match &recorded.event.movement {
                Movement::Reversal { .. } => Some("it is a reversal itself: correct it with a new movement"),
                Movement::TransferShip { .. } if closed.contains(&recorded.event.id.to_string()) => {
                    Some("the shipment was received or reversed already")
                }
                _ if closed.contains(&recorded.event.id.to_string()) => Some("it was reversed already"),
                _ => None,
            };
            ReversibleEventView {
                reversible: why_not.is_none(),
                why_not: why_not.map(str::to_string),
                event: EventView::from(recorded),
            }
        })
        .collect())
}

/// Undoes a posted event with its exact opposite. The new event is a `reversal` whose `of` is
/// the original's id and whose reference is `reverses:<id>`, as the CLI's `reverse` writes it.
pub fn reverse_event(state: &AppState, request: ReverseRequest) -> Result<MovementOutcome> {
    let user = allowed(state, Action::Reverse)?;
    let raw = request.event_id.trim();
    let unknown = || AppError::from(FloorRefusal::NoPostedEvent { id: clip(raw) });
    let id = Uuid::parse_str(raw).map_err(|_| unknown())?;
    let reason = required_text(&request.reason, FloorRefusal::NoReversalReason)?;
    let original = state.store()?.event(id)?.ok_or_else(unknown)?;
    // The reversal moves the lot the original moved.
    let reversal = original.reversal();
    record(state, &user, reversal, original.lot, Some(reason), Some(format!("reverses:{id}")), false)
}

/// One event in the user's name, through the same request path as the CLI: posted, or parked
/// for a supervisor when it is a loss above the approval value.
fn record(
    state: &AppState,
    user: &User,
    movement: Movement,
    lot: Option<LotTag>,
    reason: Option<String>,
    reference: Option<String>,
    override_negative: bool,
) -> Result<MovementOutcome> {
    let mut event = new_event(movement, user.name.clone(), state.workstation()).with_lot(lot);
    event.reason = reason;
    event.reference = reference;
    if override_negative {
        event.override_by = Some(user.name.clone());
    }
    let mut store = state.store()?;
    let outcome = request(&mut store, &event, user)?;
    Ok(outcome)
}

fn request(store: &mut Store, event: &shelfsync_core::Event, user: &User) -> Result<MovementOutcome> {
    let kind = event.movement.kind().to_string();
    let where_ = event.movement.locations().iter().map(ToString::to_string).collect::<Vec<_>>().join(" -> ");
    Ok(match store.request_movement(event, Some(user))? {
        MovementRequest::Posted { seq } => MovementOutcome {
            message: format!("Recorded {} of {} at {where_}.", kind.replace('_', " "), event.movement.sku()),
            event_id: event.id.to_string(),
            kind,
            posted: true,
            seq: Some(seq),
            approval: None,
            value: None,
            sku: event.movement.sku().to_string(),
            at: where_.clone(),
        },
        MovementRequest::AwaitingApproval { approval, value } => MovementOutcome {
            message: format!(
                "This {} is worth {value}, above the approval value: it waits for another supervisor's approval.",
                kind.replace('_', " ")
            ),
            event_id: event.id.to_string(),
            kind,
            posted: false,
            seq: None,
            approval: Some(approval),
            value: Some(value),
            sku: event.movement.sku().to_string(),
            at: where_,
        },
    })
}

/// `code` or `code: note`, where the code is one of core's and nothing else; `other` needs a
/// note. Core's `loss_reason` then puts it in the stored form.
fn coded_reason(code: &str, note: Option<&str>) -> Result<String> {
    let code = code.trim();
    if !LOSS_REASON_CODES.contains(&code) {
        return Err(FloorRefusal::UnknownReasonCode {
            codes: LOSS_REASON_CODES.join(", "),
            given: clip(code),
        }
        .into());
    }
    let note = optional_text(note)?;
    let raw = match (code, note) {
        ("other", None) => {
            return Err(FloorRefusal::OtherNeedsNote.into());
        }
        (code, Some(note)) => format!("{code}: {note}"),
        (code, None) => code.to_string(),
    };
    Ok(loss_reason(&raw)?)
}

fn required_text(raw: &str, missing: FloorRefusal) -> Result<String> {
    optional_text(Some(raw))?.ok_or_else(|| missing.into())
}

/// Trimmed, `None` when empty, refused past core's `MAX_TEXT_LEN`.
fn optional_text(raw: Option<&str>) -> Result<Option<String>> {
    let Some(text) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > MAX_TEXT_LEN {
        return Err(FloorRefusal::ReasonTooLong { max: MAX_TEXT_LEN }.into());
    }
    Ok(Some(text.to_string()))
}

fn sku(raw: &str) -> Result<Sku> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(FloorRefusal::NoSku.into());
    }
    if raw.len() > MAX_CODE_LEN {
        return Err(FloorRefusal::SkuTooLong { max: MAX_CODE_LEN }.into());
    }
    Ok(Sku::new(raw)?)
}

fn location(raw: &str) -> Result<LocationCode> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(FloorRefusal::NoLocationChosen.into());
    }
    if raw.len() > MAX_CODE_LEN {
        return Err(FloorRefusal::LocationTooLong { max: MAX_CODE_LEN }.into());
    }
    Ok(LocationCode::new(raw)?)
}

/// At most 40 characters of what was typed, to quote it back in one line.
fn clip(raw: &str) -> String {
    raw.chars().take(40).collect()
}
