//! Lots, serials and expiry (issue 21): an item's tracking, the per-lot projection the ledger's
//! append keeps beside `balances`, and the reads and jobs over it (stock by lot, first expiry
//! first out, what expires soon, the expiry job).
//!
//! The rules are core's (`shelfsync_core::lot`); this module reads what they weigh and writes
//! the tables of migration 25 (`items.tracking`, `lots`, `lot_balances`, `count_lot_lines`).
//!
//! Where the lot lives: on the event (`Event::lot`), so the lot is in the event's body, its hash
//! and the audit chain, and replicates through the hub with the event (the hub keeps bodies as
//! text). The projection follows the event, not the item's tracking: a replica applies the same
//! event to the same lot rows whatever it knows of the item, so replicas agree.
//!
//! Order inside an append: [`plan`] runs every check and computes the new lot rows before the
//! event's first write, so a refusal (here or in a replicated batch) leaves nothing behind;
//! [`apply`] writes them after the event row.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use shelfsync_core::lot::{self, PickLine};
use shelfsync_core::{Event, LotError, LotKind, LotStock, LotTag, Movement, Tracking};

use crate::ledger::AppendMode;
use crate::oversight::Db;
use crate::{By, Result, Store, StoreError};

mod count;
mod rebuild;
pub(crate) use count::{has_lot_counts, post_count_by_lot};

/// Most lot rows one read returns (stock of one item, a suggestion, the expiring list): far past
/// the lots of one item a warehouse keeps on hand; a longer list is cut and says so.
pub const MAX_LOTS_LISTED: usize = 1_000;

/// Most lots the expiry job moves to damaged in one run: each is its own event and transaction,
/// so a backlog (a database opened after months) is worked off over a few runs, not one long one.
pub const MAX_EXPIRED_PER_RUN: usize = 500;

/// The reason the expiry job books its damage under (a loss reason code, core's).
pub const EXPIRED_REASON: &str = "expired";

impl From<LotError> for StoreError {
    fn from(error: LotError) -> StoreError {
        StoreError::Lot(Box::new(error))
    }
}

/// The tracking of `sku`; an unknown SKU is refused by name.
pub(crate) fn tracking_of(conn: &Connection, sku: &str) -> Result<Tracking> {
    let raw: Option<String> = conn
        .prepare_cached("SELECT tracking FROM items WHERE sku = ?1")?
        .query_row([sku], |r| r.get(0))
        .optional()?;
    let raw = raw.ok_or_else(|| StoreError::UnknownSku(sku.to_string()))?;
    Ok(Tracking::parse(&raw)?)
}

/// What an append will write to the lot tables.
pub(crate) struct LotPlan {
    sku: String,
    tag: LotTag,
    rows: Vec<(String, [i64; 3])>,
}

/// Checks `event` against lots and computes the lot rows it leaves: the item's tracking (a
/// change made here), the lot's expiry, a serial on hand at most once, and no lot bucket below
/// zero (unless a supervisor overrode). A replicated event is only projected.
pub(crate) fn plan(tx: &Transaction<'_>, event: &Event, mode: AppendMode) -> Result<Option<LotPlan>> {
    let sku = event.movement.sku().as_str();
    let local = mode == AppendMode::Local;
    if local {
        lot::check_tag(tracking_of(tx, sku)?, &event.movement, event.lot.as_ref())?;
    }
    let Some(tag) = &event.lot else { return Ok(None) };
    if local
        && let (Some(given), Some(known)) = (tag.expiry, known_expiry(tx, sku, &tag.code)?)
        && given != known
    {
        return Err(LotError::ExpiryMismatch { sku: sku.into(), lot: tag.code.clone(), known, given }.into());
    }
    let mut rows: Vec<(String, [i64; 3])> = Vec::new();
    for delta in lot::lot_deltas(&event.deltas()) {
        let location = delta.location.as_str();
        let index = match rows.iter().position(|(l, _)| l == location) {
            Some(index) => index,
            None => {
                rows.push((location.to_string(), read_row(tx, sku, location, &tag.code)?));
                rows.len() - 1
            }
        };
        let slot = match delta.bucket {
            shelfsync_core::Bucket::OnHand => 0,
            shelfsync_core::Bucket::Damaged => 1,
            _ => 2,
        };
        rows[index].1[slot] += delta.amount;
    }
    if local && event.override_by.is_none() {
        for (location, [on_hand, damaged, in_transit]) in &rows {
            if let Some((bucket, after)) = lot::lot_violation(*on_hand, *damaged, *in_transit) {
                let before = read_row(tx, sku, location, &tag.code)?;
                let have = match bucket {
                    "damaged" => before[1],
                    "in_transit" => before[2],
                    _ => before[0] - before[1],
                };
                return Err(LotError::Short {
                    sku: sku.into(),
                    kind: tag.kind.as_str(),
                    code: tag.code.clone(),
                    location: location.clone(),
                    bucket: if bucket == "on_hand" { "on hand" } else { bucket },
                    have,
                    after,
                }
                .into());
            }
        }
        if tag.kind == LotKind::Serial {
            check_serial_once(tx, sku, &tag.code, &rows)?;
        }
    }
    Ok(Some(LotPlan { sku: sku.to_string(), tag: tag.clone(), rows }))
}

/// A serial is on hand (or on its way) at most once, over every location.
fn check_serial_once(
    tx: &Transaction<'_>,
    sku: &str,
    serial: &str,
    rows: &[(String, [i64; 3])],
) -> Result<()> {
    let mut elsewhere: Vec<(String, i64)> = tx
        .prepare_cached(
            "SELECT location, on_hand + in_transit FROM lot_balances
             WHERE sku = ?1 AND code = ?2 AND on_hand + in_transit > 0 ORDER BY location",
        )?
        .query_map([sku, serial], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    elsewhere.retain(|(location, _)| !rows.iter().any(|(l, _)| l == location));
    let total: i64 = elsewhere.iter().map(|(_, n)| n).sum::<i64>()
        + rows.iter().map(|(_, [on_hand, _, in_transit])| on_hand + in_transit).sum::<i64>();
    if total > 1 {
        let location = elsewhere
            .first()
            .map(|(l, _)| l.clone())
            .or_else(|| rows.iter().find(|(_, r)| r[0] + r[2] > 1).map(|(l, _)| l.clone()))
            .unwrap_or_default();
        return Err(LotError::SerialOnHand { sku: sku.into(), serial: serial.into(), location }.into());
    }
    Ok(())
}

/// Writes what [`plan`] computed, after the event row.
pub(crate) fn apply(tx: &Transaction<'_>, plan: &LotPlan) -> Result<()> {
    let expiry = plan.tag.expiry.map(|d| d.to_string());
    tx.prepare_cached(
        "INSERT INTO lots (sku, code, kind, expiry) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (sku, code) DO UPDATE SET expiry = coalesce(lots.expiry, excluded.expiry)",
    )?
    .execute(params![plan.sku, plan.tag.code, plan.tag.kind.as_str(), expiry])?;
    for (location, [on_hand, damaged, in_transit]) in &plan.rows {
        tx.prepare_cached(
            "INSERT INTO lot_balances (sku, location, code, on_hand, damaged, in_transit)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (sku, location, code) DO UPDATE SET on_hand = excluded.on_hand,
                 damaged = excluded.damaged, in_transit = excluded.in_transit",
        )?
        .execute(params![plan.sku, location, plan.tag.code, on_hand, damaged, in_transit])?;
    }
    Ok(())
}

fn read_row(conn: &Connection, sku: &str, location: &str, code: &str) -> Result<[i64; 3]> {
    Ok(conn
        .prepare_cached(
            "SELECT on_hand, damaged, in_transit FROM lot_balances WHERE sku = ?1 AND location = ?2 AND code = ?3",
        )?
        .query_row([sku, location, code], |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?]))
        .optional()?
        .unwrap_or_default())
}

fn known_expiry(conn: &Connection, sku: &str, code: &str) -> Result<Option<NaiveDate>> {
    let raw: Option<Option<String>> = conn
        .prepare_cached("SELECT expiry FROM lots WHERE sku = ?1 AND code = ?2")?
        .query_row([sku, code], |r| r.get(0))
        .optional()?;
    Ok(raw.flatten().and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()))
}

/// The lots of `sku` at `location` with anything on hand or damaged, as core's FEFO takes them.
pub(crate) fn lot_stock_in(conn: &Connection, sku: &str, location: &str) -> Result<Vec<LotStock>> {
    Ok(conn
        .prepare_cached(
            "SELECT b.code, l.expiry, b.on_hand, b.damaged
             FROM lot_balances b JOIN lots l ON l.sku = b.sku AND l.code = b.code
             WHERE b.sku = ?1 AND b.location = ?2 AND (b.on_hand != 0 OR b.damaged != 0)
             ORDER BY l.expiry IS NULL, l.expiry, b.code LIMIT ?3",
        )?
        .query_map(params![sku, location, MAX_LOTS_LISTED as i64], |r| {
            Ok(LotStock { lot: r.get(0)?, expiry: date(r.get(1)?), on_hand: r.get(2)?, damaged: r.get(3)? })
        })?
        .collect::<Result<_, _>>()?)
}

pub(crate) fn date(raw: Option<String>) -> Option<NaiveDate> {
    raw.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
}

/// Sets `sku`'s tracking inside a caller's transaction (the items import, `item set`): refused
/// for a kit (it holds no stock) and while the item has units on hand or in transit anywhere,
/// whose lots would be unknown (to lots) or left behind (to none). Returns the tracking before.
pub(crate) fn set_tracking_in(tx: &Connection, sku: &str, tracking: Tracking) -> Result<Tracking> {
    let before = tracking_of(tx, sku)?;
    if before == tracking {
        return Ok(before);
    }
    if crate::kits::is_kit(tx, sku)? {
        return Err(StoreError::KitHoldsNoStock { sku: sku.into(), verb: "track" });
    }
    let units: i64 = tx.query_row(
        "SELECT ifnull(sum(abs(on_hand) + abs(in_transit)), 0) FROM balances WHERE sku = ?1",
        [sku],
        |r| r.get(0),
    )?;
    if units != 0 {
        return Err(LotError::TrackingWithStock { sku: sku.into(), units }.into());
    }
    tx.execute("UPDATE items SET tracking = ?2 WHERE sku = ?1", params![sku, tracking.as_str()])?;
    Ok(before)
}

/// One lot's stock at one location, for `stock SKU --json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LotRow {
    pub location: String,
    #[serde(flatten)]
    pub stock: LotStock,
    pub in_transit: i64,
}

/// A lot that expires within a window, with its undamaged units at one location.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExpiringLot {
    pub sku: String,
    pub location: String,
    pub kind: LotKind,
    pub lot: String,
    pub expiry: NaiveDate,
    pub on_hand: i64,
    pub damaged: i64,
    /// Units still sellable: on hand and not damaged.
    pub available: i64,
}

/// One lot the expiry job moved to damaged.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExpiredLot {
    pub sku: String,
    pub location: String,
    pub lot: String,
    pub expiry: NaiveDate,
    pub qty: i64,
    pub event: String,
}

/// What one run of the expiry job did: the lots it booked, and the ones it could not (each
/// with its one-line reason; they are tried again on the next run).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ExpiryRun {
    pub date: String,
    pub expired: Vec<ExpiredLot>,
    pub failed: Vec<String>,
}

/// Lots expiring on or before `until` with undamaged units on hand, earliest first. Also for
/// the alert rule, which reads through its own transaction.
pub fn expiring_in(db: &impl Db, until: NaiveDate) -> Result<Vec<ExpiringLot>> {
    let rows = db
        .conn()
        .prepare_cached(
            "SELECT b.sku, b.location, l.kind, b.code, l.expiry, b.on_hand, b.damaged
             FROM lot_balances b JOIN lots l ON l.sku = b.sku AND l.code = b.code
             WHERE l.expiry IS NOT NULL AND l.expiry <= ?1 AND b.on_hand > b.damaged
             ORDER BY l.expiry, b.sku, b.location, b.code LIMIT ?2",
        )?
        .query_map(params![until.to_string(), MAX_LOTS_LISTED as i64], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
        })?
        .collect::<Result<Vec<(String, String, String, String, String, i64, i64)>, _>>()?;
    Ok(rows
        .into_iter()
        .filter_map(|(sku, location, kind, lot, expiry, on_hand, damaged)| {
            let kind = if kind == "serial" { LotKind::Serial } else { LotKind::Lot };
            let expiry = date(Some(expiry))?;
            Some(ExpiringLot {
                sku,
                location,
                kind,
                lot,
                expiry,
                on_hand,
                damaged,
                available: on_hand - damaged,
            })
        })
        .collect())
}

impl Store {
    /// An item's tracking (`none` for an item that never had one set).
    pub fn item_tracking(&self, sku: &str) -> Result<Tracking> {
        tracking_of(&self.conn, sku)
    }

    /// Sets an item's tracking, with its `item.tracking` audit entry (before and after) in the
    /// same transaction. Refused while the item holds stock (see [`set_tracking_in`]).
    pub fn set_tracking(&mut self, by: By<'_>, sku: &str, tracking: Tracking) -> Result<Tracking> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let before = set_tracking_in(&tx, sku, tracking)?;
        let detail = serde_json::json!({ "before": before.as_str(), "after": tracking.as_str() });
        crate::audit::record(&tx, by, "item.tracking", sku, &detail)?;
        tx.commit()?;
        Ok(before)
    }

    /// Checks an event's lot against its item's tracking without appending it: for a loss that
    /// may wait for approval, so a request that could never post is refused now.
    pub fn check_lot(&self, event: &Event) -> Result<()> {
        let tracking = tracking_of(&self.conn, event.movement.sku().as_str())?;
        Ok(lot::check_tag(tracking, &event.movement, event.lot.as_ref())?)
    }

    /// The expiry a label for lot (or serial) `code` of `sku` prints: the one this workstation
    /// booked the lot with, so a reprinted label carries the real date; `given` for a lot it
    /// has no date for. A `given` date that differs from the booked one is refused: one lot
    /// has one expiry.
    pub fn label_expiry(&self, sku: &str, code: &str, given: Option<NaiveDate>) -> Result<Option<NaiveDate>> {
        let booked = self
            .conn
            .prepare_cached("SELECT expiry FROM lots WHERE sku = ?1 AND code = ?2")?
            .query_row([sku, code], |r| r.get::<_, Option<String>>(0))
            .optional()?
            .and_then(|raw| date(raw));
        match (booked, given) {
            (Some(known), Some(given)) if known != given => {
                Err(LotError::ExpiryMismatch { sku: sku.into(), lot: code.into(), known, given }.into())
            }
            (Some(known), _) => Ok(Some(known)),
            (None, given) => Ok(given),
        }
    }

    /// Every lot (or serial) of `sku` with anything on hand, damaged or in transit, per
    /// location (one location with `location`), by location then first expiry.
    pub fn lot_rows(&self, sku: &str, location: Option<&str>) -> Result<Vec<LotRow>> {
        let rows = self
            .conn
            .prepare_cached(
                "SELECT b.location, b.code, l.expiry, b.on_hand, b.damaged, b.in_transit
                 FROM lot_balances b JOIN lots l ON l.sku = b.sku AND l.code = b.code
                 WHERE b.sku = ?1 AND (?2 IS NULL OR b.location = ?2)
                   AND (b.on_hand != 0 OR b.damaged != 0 OR b.in_transit != 0)
                 ORDER BY b.location, l.expiry IS NULL, l.expiry, b.code LIMIT ?3",
            )?
            .query_map(params![sku, location, MAX_LOTS_LISTED as i64], |r| {
                Ok(LotRow {
                    location: r.get(0)?,
                    stock: LotStock {
                        lot: r.get(1)?,
                        expiry: date(r.get(2)?),
                        on_hand: r.get(3)?,
                        damaged: r.get(4)?,
                    },
                    in_transit: r.get(5)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Which lots to pick `qty` units of `sku` from at `location`, first expiry first out
    /// (core's [`lot::fefo`]), and the units no lot covers. Refused for an untracked item.
    pub fn suggest_lots(&self, sku: &str, location: &str, qty: i64) -> Result<(Vec<PickLine>, i64)> {
        if tracking_of(&self.conn, sku)? == Tracking::None {
            return Err(LotError::NotTracked { sku: sku.into() }.into());
        }
        let known =
            self.conn.prepare_cached("SELECT 1 FROM locations WHERE code = ?1")?.exists([location])?;
        if !known {
            return Err(StoreError::UnknownLocation(location.to_string()));
        }
        let lots: Vec<LotStock> = self.lot_rows(sku, Some(location))?.into_iter().map(|r| r.stock).collect();
        Ok(lot::fefo(&lots, qty))
    }

    /// Lots expiring on or before `until` with units still sellable.
    pub fn expiring(&self, until: NaiveDate) -> Result<Vec<ExpiringLot>> {
        expiring_in(self, until)
    }

    /// The expiry job for `today`: every lot whose expiry has passed moves its undamaged units to
    /// damaged, reason `expired`, one damage event per lot and location (each its own
    /// transaction). Deterministic in `today`; run twice, the second run finds nothing left.
    pub fn expire_lots(&mut self, today: NaiveDate, actor: &str, workstation: &str) -> Result<ExpiryRun> {
        let yesterday = today.pred_opt().unwrap_or(today);
        let due: Vec<ExpiringLot> = expiring_in(self, yesterday)?
            .into_iter()
            .filter(|l| {
                lot::units_to_expire(
                    &LotStock {
                        lot: l.lot.clone(),
                        expiry: Some(l.expiry),
                        on_hand: l.on_hand,
                        damaged: l.damaged,
                    },
                    today,
                ) > 0
            })
            .take(MAX_EXPIRED_PER_RUN)
            .collect();
        let mut run = ExpiryRun { date: today.to_string(), ..ExpiryRun::default() };
        for lot in due {
            let movement = Movement::Damage {
                sku: shelfsync_core::Sku::new(lot.sku.clone())?,
                location: shelfsync_core::LocationCode::new(lot.location.clone())?,
                qty: u32::try_from(lot.available)
                    .unwrap_or(shelfsync_core::MAX_QTY)
                    .min(shelfsync_core::MAX_QTY),
            };
            let tag = LotTag { kind: lot.kind, code: lot.lot.clone(), expiry: None };
            let event = crate::new_event(movement, actor, workstation)
                .with_reason(EXPIRED_REASON)
                .with_reference(format!("expiry:{}", lot.expiry))
                .with_lot(Some(tag));
            match self.append(&event) {
                Ok(_) => run.expired.push(ExpiredLot {
                    sku: lot.sku,
                    location: lot.location,
                    lot: lot.lot,
                    expiry: lot.expiry,
                    qty: lot.available,
                    event: event.id.to_string(),
                }),
                Err(error @ (StoreError::DiskFull | StoreError::Busy | StoreError::Io(_))) => {
                    return Err(error);
                }
                Err(error) => {
                    run.failed.push(format!("{} lot {} at {}: {error}", lot.sku, lot.lot, lot.location))
                }
            }
        }
        Ok(run)
    }
}
