//! Orders as capture sees them, and their booking into the ledger.
//!
//! Every line of an order becomes events whose ids are derived from (channel, order id, line
//! id, kind): a webhook, its duplicate, and the poll that finds the same order later all make
//! the same ids, and the ledger's idempotent append books each one once.
//!
//! Each event's time comes from the order too, never from the clock: a sale at the order's
//! `created_at`, a cancellation at its `cancelled_at`, a return at its refund's `created_at`.
//! The same cancellation seen twice (webhook and poll, or two polls) is then the same event,
//! a duplicate. Where a channel gives no such time (Amazon and eBay name no cancellation
//! time; a refund without `created_at`), the order's own update or creation time stands for
//! it, and once an event is booked a later sighting keeps the booked time: the time is not
//! what makes it the same cancellation, its derived id is.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use shelfsync_core::{Event, LocationCode, Movement, ReturnDestination, Sku};
use shelfsync_store::channels::changes;
use shelfsync_store::channels::listings::{self, ItemKey, ListingRef};
use shelfsync_store::outbox::{self, requeue_listing};
use shelfsync_store::oversight::orders_seen::{self, Sighting, UnmappedLine};
use shelfsync_store::oversight::{Db, Tx};
use shelfsync_store::{AppendOutcome, Store, append_in};
use uuid::Uuid;

use crate::{CaptureError, Result, incidents, now};

mod kits;

/// Most lines one order may carry: far above a real basket, a bound on one transaction.
const MAX_LINES: usize = 500;

/// Longest id accepted from a channel.
const MAX_ID_LEN: usize = 200;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Webhook,
    Poll,
    /// An Amazon ORDER_CHANGE notification from the seller's SQS queue (the order itself is
    /// fetched with getOrder/getOrderItems, so the lines are the poll's).
    Notification,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Order {
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: String,
    pub cancelled: bool,
    /// When the channel cancelled it (Shopify `cancelled_at`); `None` with `cancelled` set:
    /// the order's `created_at` stands for it.
    pub cancelled_at: Option<DateTime<Utc>>,
    pub location: Option<String>,
    pub lines: Vec<Line>,
    pub refunds: Vec<Refund>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub id: String,
    /// The listing as the channel names it: `inventory_item_id` when the payload carries it,
    /// otherwise `sku:<SKU>` from the line's `sku` (real Shopify line items name the variant and
    /// its SKU, not the inventory item).
    pub item: String,
    pub quantity: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refund {
    pub id: String,
    /// When the refund was made (Shopify's refund `created_at`); `None`: its sale's time stands
    /// for it.
    pub created_at: Option<DateTime<Utc>>,
    /// (line id, quantity)
    pub lines: Vec<(String, u32)>,
}

/// What booking one order did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct IngestReport {
    pub recorded: usize,
    pub duplicates: usize,
    pub unmapped: usize,
    pub incidents: Vec<i64>,
}

impl IngestReport {
    pub fn add(&mut self, other: IngestReport) {
        self.recorded += other.recorded;
        self.duplicates += other.duplicates;
        self.unmapped += other.unmapped;
        self.incidents.extend(other.incidents);
    }
}

/// The event id of one order line's event: derived from the line's key
/// ([`shelfsync_store::derived_event_id`]).
pub fn line_event_id(channel: &str, order: &str, line: &str, kind: &str) -> Uuid {
    shelfsync_store::derived_event_id(&format!(
        "shelfsync-capture\x1f{channel}\x1f{order}\x1f{line}\x1f{kind}"
    ))
}

/// An id as Shopify sends it: a number or a string, never empty, bounded.
pub fn id_of(value: &Value, what: &str) -> Result<String> {
    let id = match value {
        Value::Number(n) if n.is_u64() => n.to_string(),
        Value::String(s) if !s.trim().is_empty() => s.clone(),
        _ => return Err(CaptureError::Invalid(format!("{what} is missing or not an id"))),
    };
    if id.len() > MAX_ID_LEN {
        return Err(CaptureError::Invalid(format!("{what} is longer than {MAX_ID_LEN} characters")));
    }
    Ok(id)
}

/// A Shopify REST id (number) as the GID our listings store; a GID or other string as is.
pub fn gid(value: &Value, kind: &str, what: &str) -> Result<String> {
    let raw = id_of(value, what)?;
    Ok(if raw.bytes().all(|b| b.is_ascii_digit()) { format!("gid://shopify/{kind}/{raw}") } else { raw })
}

/// An optional channel timestamp: absent or null is `None`; anything else must be RFC 3339.
fn optional_time(value: &Value, what: &str) -> Result<Option<DateTime<Utc>>> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => DateTime::parse_from_rfc3339(s)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|_| CaptureError::Invalid(format!("{what} is not RFC 3339"))),
        _ => Err(CaptureError::Invalid(format!("{what} is not RFC 3339"))),
    }
}

fn quantity(value: &Value, what: &str) -> Result<u32> {
    value
        .as_u64()
        .filter(|q| (1..=u64::from(shelfsync_core::MAX_QTY)).contains(q))
        .map(|q| q as u32)
        .ok_or_else(|| {
            CaptureError::Invalid(format!("{what} must be a quantity from 1 to {}", shelfsync_core::MAX_QTY))
        })
}

/// Parses a Shopify order (REST shape: the `orders/create` and `orders/cancelled` payloads and
/// each element of `orders.json`).
pub fn parse_order(value: &Value) -> Result<Order> {
    if !value.is_object() {
        return Err(CaptureError::Invalid("an order must be a JSON object".into()));
    }
    let id = id_of(&value["id"], "order id")?;
    let created_at = value["created_at"]
        .as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| CaptureError::Invalid(format!("order {id}: created_at is missing or not RFC 3339")))?;
    let updated_at = value["updated_at"]
        .as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc).to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_else(|| created_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
    let location = match &value["location_id"] {
        Value::Null => None,
        other => Some(gid(other, "Location", "location_id")?),
    };
    let raw_lines = value["line_items"]
        .as_array()
        .ok_or_else(|| CaptureError::Invalid(format!("order {id}: line_items is missing")))?;
    if raw_lines.len() > MAX_LINES {
        return Err(CaptureError::Invalid(format!("order {id}: more than {MAX_LINES} lines")));
    }
    let lines = raw_lines
        .iter()
        .map(|l| {
            Ok(Line {
                id: id_of(&l["id"], "line item id")?,
                item: line_item_ref(l)?,
                quantity: quantity(&l["quantity"], "line item quantity")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let cancelled_at = optional_time(&value["cancelled_at"], &format!("order {id}: cancelled_at"))?;
    let refunds = match &value["refunds"] {
        Value::Null => Vec::new(),
        Value::Array(list) => list.iter().map(parse_refund).collect::<Result<_>>()?,
        _ => return Err(CaptureError::Invalid(format!("order {id}: refunds must be a list"))),
    };
    Ok(Order {
        id,
        created_at,
        updated_at,
        cancelled: cancelled_at.is_some(),
        cancelled_at,
        location,
        lines,
        refunds,
    })
}

fn line_item_ref(line: &Value) -> Result<String> {
    if !line["inventory_item_id"].is_null() {
        return gid(&line["inventory_item_id"], "InventoryItem", "line item inventory_item_id");
    }
    match line["sku"].as_str().map(str::trim) {
        Some(sku) if !sku.is_empty() && sku.len() <= MAX_ID_LEN => Ok(format!("sku:{sku}")),
        _ => Err(CaptureError::Invalid("a line item has neither inventory_item_id nor sku".into())),
    }
}

/// A refund (the `refunds/create` payload, or an element of an order's `refunds`).
pub fn parse_refund(value: &Value) -> Result<Refund> {
    let id = id_of(&value["id"], "refund id")?;
    let created_at = optional_time(&value["created_at"], &format!("refund {id}: created_at"))?;
    let lines = value["refund_line_items"]
        .as_array()
        .ok_or_else(|| CaptureError::Invalid(format!("refund {id}: refund_line_items is missing")))?
        .iter()
        .take(MAX_LINES)
        .map(|l| {
            Ok((
                id_of(&l["line_item_id"], "refund line_item_id")?,
                quantity(&l["quantity"], "refund quantity")?,
            ))
        })
        .collect::<Result<_>>()?;
    Ok(Refund { id, created_at, lines })
}

pub(crate) fn listing_for(
    db: &impl Db,
    channel: &str,
    item: &str,
    location: Option<&str>,
) -> Result<Option<ListingRef>> {
    // A line that names only our SKU (see [`Line::item`]) maps through the listing's SKU.
    let key = match item.strip_prefix("sku:") {
        Some(sku) => ItemKey::Sku(sku),
        None => ItemKey::RemoteItem(item),
    };
    Ok(listings::listing_for(db, channel, key, location)?)
}

fn event(channel: &str, id: Uuid, movement: Movement, at: DateTime<Utc>, reference: String) -> Event {
    Event {
        id,
        movement,
        actor: format!("channel:{channel}"),
        workstation: "capture".into(),
        occurred_at: at,
        reason: None,
        reference: Some(reference),
        override_by: None,
        // A channel's order names no lot: the lot is chosen at pick (issue 21).
        lot: None,
    }
}

/// Books one order in one transaction: its sales, its cancellation or refunds, its capture row.
/// Replaying it books nothing new.
pub fn ingest(store: &Store, channel: &str, order: &Order, source: Source) -> Result<IngestReport> {
    let tx = store.immediate_tx()?;
    let report = ingest_in(&tx, channel, order, source)?;
    tx.commit()?;
    Ok(report)
}

pub(crate) fn ingest_in(tx: &Tx<'_>, channel: &str, order: &Order, source: Source) -> Result<IngestReport> {
    let mut report = IngestReport::default();
    let mut touched: Vec<i64> = Vec::new();
    let at = order.created_at;
    for line in &order.lines {
        let Some(listing) = listing_for(tx, channel, &line.item, order.location.as_deref())? else {
            record_unmapped(tx, channel, order, line)?;
            report.unmapped += 1;
            continue;
        };
        // A kit's line is booked on its components (issue 21).
        let components = shelfsync_store::kits::components_in(tx, &listing.sku)?;
        if !components.is_empty() {
            if kits::book_kit_line(tx, channel, order, line, &listing, &components, &mut report)? {
                let unmatched = resolve_channel_changes(tx, listing.id, i64::from(line.quantity))?;
                outbox::note_booked_sale(tx, listing.id, unmatched)?;
                touched.push(listing.id);
            }
            continue;
        }
        let sale_id = line_event_id(channel, &order.id, &line.id, "sale");
        let location = match booked_location(tx, sale_id)? {
            Some(booked) => Some(booked),
            None => sale_location(tx, channel, &listing)?,
        };
        let Some(location) = location else {
            record_unmapped(tx, channel, order, line)?;
            report.unmapped += 1;
            continue;
        };
        let sku = Sku::new(listing.sku.clone())?;
        let location_code = LocationCode::new(location.clone())?;
        let reference = format!("{channel} order {} line {}", order.id, line.id);
        let sale = event(
            channel,
            sale_id,
            Movement::Sale { sku: sku.clone(), location: location_code.clone(), qty: line.quantity },
            at,
            reference.clone(),
        );
        match append_in(tx, &sale)? {
            AppendOutcome::Recorded { .. } => {
                report.recorded += 1;
                let unmatched = resolve_channel_changes(tx, listing.id, i64::from(line.quantity))?;
                outbox::note_booked_sale(tx, listing.id, unmatched)?;
                touched.push(listing.id);
                if let Some(incident) =
                    incidents::check_oversell(tx, channel, &listing.sku, &location, &order.id, &line.id)?
                {
                    report.incidents.push(incident);
                }
            }
            AppendOutcome::Duplicate { .. } => report.duplicates += 1,
        }
        let mut follow_ups = Vec::new();
        if order.cancelled {
            follow_ups.push(event(
                channel,
                line_event_id(channel, &order.id, &line.id, "cancel"),
                Movement::Cancel { sku: sku.clone(), location: location_code.clone(), qty: line.quantity },
                order.cancelled_at.unwrap_or(at),
                reference.clone(),
            ));
        } else {
            for refund in &order.refunds {
                for (line_id, qty) in refund.lines.iter().filter(|(l, _)| *l == line.id) {
                    follow_ups.push(event(
                        channel,
                        line_event_id(channel, &order.id, line_id, &format!("return:{}", refund.id)),
                        Movement::Return {
                            sku: sku.clone(),
                            location: location_code.clone(),
                            qty: (*qty).min(line.quantity),
                            to: ReturnDestination::Stock,
                        },
                        refund.created_at.unwrap_or(at),
                        refund_reference(channel, &order.id, line_id, &refund.id),
                    ));
                }
            }
        }
        for follow_up in follow_ups {
            match append_keeping_time(tx, follow_up)? {
                AppendOutcome::Recorded { .. } => report.recorded += 1,
                AppendOutcome::Duplicate { .. } => report.duplicates += 1,
            }
        }
    }
    let stamp = now();
    for id in touched {
        settle_channel_changes(tx, id)?;
        requeue_listing(tx, id, &stamp)?;
    }
    let (webhook_at, poll_at, notified_at) = match source {
        Source::Webhook => (Some(stamp.clone()), None, None),
        Source::Poll => (None, Some(stamp.clone()), None),
        Source::Notification => (None, None, Some(stamp.clone())),
    };
    let created_day = order.created_at.format("%Y-%m-%d").to_string();
    orders_seen::record_sighting(
        tx,
        &Sighting {
            channel,
            order_id: &order.id,
            created_day: &created_day,
            updated_at: &order.updated_at,
            webhook_at: webhook_at.as_deref(),
            poll_at: poll_at.as_deref(),
            notified_at: notified_at.as_deref(),
        },
    )?;
    Ok(report)
}

/// A refund delivered on its own (`refunds/create`): each line returns to the location its sale
/// was booked at. A line whose sale is not in the ledger yet is an error; the poll that brings
/// the order brings the refund with it.
pub fn ingest_refund(store: &Store, channel: &str, order_id: &str, refund: &Refund) -> Result<IngestReport> {
    let tx = store.immediate_tx()?;
    let report = ingest_refund_in(&tx, channel, order_id, refund)?;
    tx.commit()?;
    Ok(report)
}

/// [`ingest_refund`] inside the caller's transaction.
pub(crate) fn ingest_refund_in(
    tx: &Tx<'_>,
    channel: &str,
    order_id: &str,
    refund: &Refund,
) -> Result<IngestReport> {
    let mut report = IngestReport::default();
    for (line_id, qty) in &refund.lines {
        let sale_id = line_event_id(channel, order_id, line_id, "sale");
        let sale = orders_seen::booked_event(tx, &sale_id.to_string())?;
        if sale.is_none() && kits::book_kit_refund(tx, channel, order_id, line_id, refund, *qty, &mut report)?
        {
            continue;
        }
        let Some(orders_seen::BookedEvent { kind, sku, location, qty: sold, body }) = sale else {
            return Err(CaptureError::Invalid(format!(
                "refund {}: order {order_id} line {line_id} is not captured yet",
                refund.id
            )));
        };
        let (Some(location), Some(sold), "sale") = (location, sold, kind.as_str()) else {
            return Err(CaptureError::Invalid(format!("event {sale_id} is not a sale")));
        };
        // Without the refund's own time, the sale's (the order's creation) stands for it, as
        // when the poll brings the refund inside its order.
        let sold_at = serde_json::from_str::<Event>(&body)
            .map_err(|e| CaptureError::Invalid(format!("event {sale_id} cannot be read: {e}")))?
            .occurred_at;
        let ret = event(
            channel,
            line_event_id(channel, order_id, line_id, &format!("return:{}", refund.id)),
            Movement::Return {
                sku: Sku::new(sku)?,
                location: LocationCode::new(location)?,
                qty: (*qty).min(u32::try_from(sold).unwrap_or(0)),
                to: ReturnDestination::Stock,
            },
            refund.created_at.unwrap_or(sold_at),
            refund_reference(channel, order_id, line_id, &refund.id),
        );
        match append_keeping_time(tx, ret)? {
            AppendOutcome::Recorded { .. } => report.recorded += 1,
            AppendOutcome::Duplicate { .. } => report.duplicates += 1,
        }
    }
    Ok(report)
}

/// A return's reference, the same whether the refund came alone (`refunds/create`) or inside
/// its order (a poll, `orders/cancelled`): the event must be the same to be a duplicate.
fn refund_reference(channel: &str, order_id: &str, line_id: &str, refund_id: &str) -> String {
    format!("{channel} order {order_id} line {line_id} refund {refund_id}")
}

/// Appends a cancellation or return. When its id is already booked, the booked time is kept:
/// a second sighting of the same cancellation whose time the channel gives differently (or
/// not at all: Amazon and eBay carry no cancellation time, the order's update time stands for
/// it and moves) is a duplicate. Anything else that differs (quantity, location, SKU) is
/// still the ledger's conflict.
fn append_keeping_time(tx: &Tx<'_>, mut event: Event) -> Result<AppendOutcome> {
    let booked = orders_seen::booked_body(tx, &event.id.to_string())?;
    if let Some(body) = booked {
        let booked: Event = serde_json::from_str(&body)
            .map_err(|e| CaptureError::Invalid(format!("event {} cannot be read: {e}", event.id)))?;
        event.occurred_at = booked.occurred_at;
    }
    Ok(append_in(tx, &event)?)
}

/// Where an already booked sale was booked: its cancellation or return goes back there.
fn booked_location(db: &impl Db, sale_id: Uuid) -> Result<Option<String>> {
    Ok(orders_seen::booked_location(db, &sale_id.to_string())?)
}

/// Where a new sale is booked: the listing's own location; for a listing fed by several
/// locations (Amazon and eBay listings usually are), the feeding location with the most ATP
/// (ties by code), so a sale never lands where there is less stock to cover it.
fn sale_location(db: &impl Db, channel: &str, listing: &ListingRef) -> Result<Option<String>> {
    if listing.location.is_some() {
        return Ok(listing.location.clone());
    }
    Ok(listings::best_feeding_location(db, channel, &listing.sku)?)
}

fn record_unmapped(tx: &Tx<'_>, channel: &str, order: &Order, line: &Line) -> Result<()> {
    let seen_at = now();
    orders_seen::record_unmapped(
        tx,
        &UnmappedLine {
            channel,
            order_id: &order.id,
            line_id: &line.id,
            remote_item: &line.item,
            remote_location: order.location.as_deref(),
            quantity: line.quantity,
            seen_at: &seen_at,
        },
    )?;
    Ok(())
}

/// The sync engine keeps differences seen on the channel out of what it pushes until capture
/// accounts for them: a sale of `qty` units accounts for that many units of the oldest ones.
/// Returns the units of the sale that matched no drop seen so far (the engine meets them later).
fn resolve_channel_changes(tx: &Tx<'_>, listing_id: i64, qty: i64) -> Result<i64> {
    let open = changes::open_drops(tx, listing_id)?;
    let mut remaining = qty;
    let stamp = now();
    for (id, delta) in open {
        if -delta > remaining {
            break;
        }
        remaining += delta;
        changes::resolve_change(tx, id, &stamp)?;
    }
    Ok(remaining)
}

/// Open channel changes of a listing are accounted for once the ledger alone gives no more
/// than the channel showed at the newest of them (the sales behind them are booked, whichever
/// arrived first): they are resolved and the listing re-queued. Returns whether any resolved.
pub(crate) fn settle_channel_changes(db: &impl Db, listing_id: i64) -> Result<bool> {
    if !changes_explained(db, listing_id)? {
        return Ok(false);
    }
    changes::resolve_all(db, listing_id)?;
    Ok(true)
}

/// True when a listing has open channel changes and the ledger alone already accounts for them.
pub(crate) fn changes_explained(db: &impl Db, listing_id: i64) -> Result<bool> {
    let Some(observed) = changes::newest_open_observed(db, listing_id)? else { return Ok(false) };
    Ok(shelfsync_store::outbox::ledger_quantity_in(db, listing_id)? <= observed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn line_ids_are_stable_and_distinct() {
        let a = line_event_id("shop", "1", "11", "sale");
        assert_eq!(a, line_event_id("shop", "1", "11", "sale"));
        assert_ne!(a, line_event_id("shop", "1", "11", "cancel"));
        assert_ne!(a, line_event_id("shop2", "1", "11", "sale"));
        assert_eq!(a.get_version_num(), 8);
    }

    #[test]
    fn bad_orders_are_refused_with_a_reason() {
        let good = json!({"id": 1, "created_at": "2026-01-01T00:00:00Z", "line_items": [{"id": 2, "inventory_item_id": 3, "quantity": 1}]});
        assert!(parse_order(&good).is_ok());
        let cases = [
            (json!([]), "JSON object"),
            (json!({"created_at": "2026-01-01T00:00:00Z", "line_items": []}), "order id"),
            (json!({"id": 1, "line_items": []}), "created_at"),
            (json!({"id": 1, "created_at": "2026-01-01T00:00:00Z"}), "line_items"),
            (
                json!({"id": 1, "created_at": "2026-01-01T00:00:00Z", "line_items": [{"id": 2, "inventory_item_id": 3, "quantity": 0}]}),
                "quantity",
            ),
            (
                json!({"id": 1, "created_at": "2026-01-01T00:00:00Z", "line_items": [{"id": 2, "quantity": 1}]}),
                "neither inventory_item_id nor sku",
            ),
            (json!({"id": -4, "created_at": "2026-01-01T00:00:00Z", "line_items": []}), "order id"),
        ];
        for (value, want) in cases {
            let error = parse_order(&value).unwrap_err().to_string();
            assert!(error.contains(want), "{value}: {error}");
        }
    }
}
