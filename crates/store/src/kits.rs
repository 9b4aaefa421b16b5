//! Kits (issue 21): the `kit_components` table (migration 21) and what reads it. A kit is an
//! item made of other items; it holds no stock of its own, so its ATP at a location is derived
//! from its components' there (the arithmetic is core's, `shelfsync_core::kit`), the ledger
//! refuses movements of its SKU, and a component's change re-queues the kit's listings
//! (`outbox::mark_dirty`).
//!
//! Every write runs in one `BEGIN IMMEDIATE` transaction that validates the whole definition
//! against the kits that exist, writes it, re-queues the kit's listings (its quantity changed)
//! and records an audit entry; a refused definition changes nothing.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use shelfsync_core::kit::{self, ComponentAtp, KitAtp, KitComponent};
use shelfsync_core::lot;
use shelfsync_core::{Event, LotKind, LotTag, Movement, Sku, Tracking};

use crate::{AppendOutcome, Result, Store, StoreError};

/// One kit as `kit show --json` prints it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KitView {
    pub kit: String,
    pub components: Vec<KitComponent>,
}

/// A kit's row in `stock KIT --json`: the stock row's fields (a kit's own buckets are always 0),
/// its derived ATP, `"kit": true`, the limiting component and every component's part in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KitStockRow {
    pub sku: String,
    pub location: String,
    pub on_hand: i64,
    pub committed: i64,
    pub reserved: i64,
    pub damaged: i64,
    pub in_transit: i64,
    pub atp: i64,
    pub kit: bool,
    pub limiting_component: Option<String>,
    pub components: Vec<ComponentAtp>,
}

impl Store {
    /// Defines (or redefines) `kit` as `components`. Refused, changing nothing, when the kit
    /// or a component is not an item, the definition breaks a rule of core's
    /// ([`kit::validate`]: self, duplicates, quantities, a kit as component or a kit inside
    /// another), or the kit's SKU holds stock.
    pub fn kit_set(
        &mut self,
        kit: &str,
        components: &[KitComponent],
        actor: &str,
        workstation: &str,
    ) -> Result<KitView> {
        let tx = crate::connection::immediate(&self.conn)?;
        let kit = Sku::new(kit)?;
        set_in(&tx, &kit, components)?;
        let detail = components.iter().map(|c| format!("{}:{}", c.sku, c.qty)).collect::<Vec<_>>().join(",");
        crate::audit::audit_in(&tx, actor, workstation, "kit.set", kit.as_str(), &detail)?;
        tx.commit()?;
        Ok(KitView { kit: kit.to_string(), components: components_of(&self.conn, kit.as_str())? })
    }

    /// The kit's definition; [`StoreError::NotAKit`] for an item that is not a kit.
    pub fn kit_show(&self, kit: &str) -> Result<KitView> {
        require_item(&self.conn, kit)?;
        let components = components_of(&self.conn, kit)?;
        if components.is_empty() {
            return Err(StoreError::NotAKit(kit.to_string()));
        }
        Ok(KitView { kit: kit.to_string(), components })
    }

    /// The item stops being a kit: its listings fall to what its own (empty) stock gives.
    pub fn kit_remove(&mut self, kit: &str, actor: &str, workstation: &str) -> Result<()> {
        let tx = crate::connection::immediate(&self.conn)?;
        require_item(&tx, kit)?;
        let removed = tx.prepare_cached("DELETE FROM kit_components WHERE kit = ?1")?.execute([kit])?;
        if removed == 0 {
            return Err(StoreError::NotAKit(kit.to_string()));
        }
        requeue_kit(&tx, kit)?;
        crate::audit::audit_in(&tx, actor, workstation, "kit.remove", kit, "")?;
        tx.commit()?;
        Ok(())
    }

    /// A commercial movement of a kit made here (a sale, fulfilment, cancellation, reservation,
    /// release or return from the CLI): one event per component (kits x component qty) in one
    /// transaction. Each event's id is derived from the kit event's id and the component, so a
    /// retry of the same kit event dedupes; each reference names the kit ("kit GIFT x2", after
    /// the caller's reference if any); actor, time, reason and override are the kit event's.
    /// Any other movement of a kit is refused as the ledger refuses it.
    pub fn append_kit(&mut self, kit_event: &Event) -> Result<Vec<(Event, AppendOutcome)>> {
        let kit_sku = kit_event.movement.sku().as_str();
        let tx = crate::connection::immediate(&self.conn)?;
        let components = components_of(&tx, kit_sku)?;
        if components.is_empty() {
            return Err(StoreError::NotAKit(kit_sku.to_string()));
        }
        let Some(kits) = kit::kits_moved(&kit_event.movement) else {
            return refuse_kit_movement(&tx, &kit_event.movement).map(|()| Vec::new());
        };
        let parts =
            kit::expand(kits, &components).ok_or(shelfsync_core::DomainError::QuantityOutOfRange {
                got: i64::from(kits) * i64::from(components.iter().map(|c| c.qty).max().unwrap_or(1)),
                max: i64::from(shelfsync_core::MAX_QTY),
            })?;
        let named = format!("kit {kit_sku} x{kits}");
        let reference = match &kit_event.reference {
            Some(theirs) => format!("{theirs} ({named})"),
            None => named,
        };
        let mut booked = Vec::with_capacity(parts.len());
        let component_event = |id: uuid::Uuid, movement: Movement, lot: Option<LotTag>| {
            let mut event = Event::with_identity(
                id,
                kit_event.occurred_at,
                movement,
                kit_event.actor.clone(),
                kit_event.workstation.clone(),
            )
            .with_lot(lot);
            event.reason = kit_event.reason.clone();
            event.reference = Some(reference.clone());
            event.override_by = kit_event.override_by.clone();
            event
        };
        for (sku, units) in parts {
            let movement = kit::component_movement(&kit_event.movement, &sku, units)
                .expect("kits_moved and component_movement cover the same kinds");
            // A tracked component picked for the kit (a fulfilment) leaves by lot: the lots are
            // chosen first expiry first, one event per lot.
            let tracking = crate::lots::tracking_of(&tx, sku.as_str())?;
            if tracking != Tracking::None && lot::lot_need(&movement) == lot::LotNeed::Required {
                booked.extend(append_picked(&tx, kit_event.id, &sku, tracking, movement, &component_event)?);
                continue;
            }
            let event = component_event(component_event_id(kit_event.id, &sku), movement, None);
            let outcome = crate::ledger::append_in(&tx, &event)?;
            booked.push((event, outcome));
        }
        tx.commit()?;
        Ok(booked)
    }

    pub fn is_kit(&self, sku: &str) -> Result<bool> {
        is_kit(&self.conn, sku)
    }

    /// The kits `component` is part of, by SKU.
    pub fn kits_using(&self, component: &str) -> Result<Vec<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT kit FROM kit_components WHERE component = ?1 ORDER BY kit")?
            .query_map([component], |row| row.get(0))?
            .collect::<Result<_, _>>()?)
    }

    /// `stock KIT`: per location where any component has stock, the kit's derived ATP and the
    /// component that limits it.
    pub fn kit_stock(&self, kit: &str, location: Option<&str>) -> Result<Vec<KitStockRow>> {
        let view = self.kit_show(kit)?;
        if let Some(location) = location
            && !self.location_exists(location)?
        {
            return Err(StoreError::UnknownLocation(location.to_string()));
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT x.code, k.component, k.qty, ifnull(b.atp, 0)
             FROM locations x JOIN kit_components k ON k.kit = ?1
             LEFT JOIN stock_atp b ON b.sku = k.component AND b.location = x.code
             WHERE (?2 IS NULL OR x.code = ?2)
               AND EXISTS (SELECT 1 FROM balances s JOIN kit_components c ON c.component = s.sku
                           WHERE c.kit = ?1 AND s.location = x.code)
             ORDER BY x.code, k.component",
        )?;
        let rows = stmt.query_map(params![kit, location], component_row)?;
        Ok(by_location(rows.collect::<Result<Vec<_>, _>>()?)
            .into_iter()
            .map(|(location, components)| {
                let KitAtp { atp, limiting_component } = kit::kit_atp(&components);
                KitStockRow {
                    sku: view.kit.clone(),
                    location,
                    on_hand: 0,
                    committed: 0,
                    reserved: 0,
                    damaged: 0,
                    in_transit: 0,
                    atp,
                    kit: true,
                    limiting_component,
                    components,
                }
            })
            .collect())
    }
}

/// A kit event's component event id: SHA-256 of the kit event's id and the component, shaped
/// as a version-8 UUID (as capture derives an order line's).
/// A tracked component's part of a kit movement, split by lot first expiry first (core's
/// [`lot::fefo`] over the lots at the location), one event per lot with ids derived from the kit
/// event, the component and the pick's place. A retry of the kit event finds its first pick
/// already recorded and returns the picks it made then, so the lots are chosen once. Refused
/// (nothing written: the caller's transaction rolls back) when the lots there cannot cover it.
fn append_picked(
    tx: &rusqlite::Transaction<'_>,
    kit_event: uuid::Uuid,
    sku: &Sku,
    tracking: Tracking,
    movement: Movement,
    component_event: &dyn Fn(uuid::Uuid, Movement, Option<LotTag>) -> Event,
) -> Result<Vec<(Event, AppendOutcome)>> {
    let pick_id = |n: usize| pick_event_id(kit_event, sku, n);
    let mut earlier = Vec::new();
    while let Some((seq, body)) = tx
        .prepare_cached("SELECT seq, body FROM events WHERE id = ?1")?
        .query_row([pick_id(earlier.len()).to_string()], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })
        .optional()?
    {
        earlier.push((crate::query::parse_body(seq, &body)?, AppendOutcome::Duplicate { seq }));
    }
    if !earlier.is_empty() {
        return Ok(earlier);
    }
    let location = movement.locations()[0].clone();
    let stock = crate::lots::lot_stock_in(tx, sku.as_str(), location.as_str())?;
    // The component movement's units (kits_moved reads the quantity of the same kinds).
    let units = kit::kits_moved(&movement).expect("a component movement moves units");
    let (picks, uncovered) = lot::fefo(&stock, i64::from(units));
    if uncovered > 0 {
        let have = i64::from(units) - uncovered;
        return Err(StoreError::KitLotsShort {
            sku: sku.to_string(),
            location: location.to_string(),
            units,
            have,
        });
    }
    let kind = if tracking == Tracking::Serial { LotKind::Serial } else { LotKind::Lot };
    let mut booked = Vec::with_capacity(picks.len());
    for (n, pick) in picks.into_iter().enumerate() {
        let qty = u32::try_from(pick.qty).expect("a pick is at most the units asked for");
        let part = kit::component_movement(&movement, sku, qty).expect("the same kind as the component's");
        let tag = LotTag { kind, code: pick.lot, expiry: pick.expiry };
        let event = component_event(pick_id(n), part, Some(tag));
        let outcome = crate::ledger::append_in(tx, &event)?;
        booked.push((event, outcome));
    }
    Ok(booked)
}

/// The id of the `n`th lot picked of `component` for a kit event (SKUs have no `\x1f`).
fn pick_event_id(kit_event: uuid::Uuid, component: &Sku, n: usize) -> uuid::Uuid {
    crate::ledger::derived_event_id(&format!("shelfsync-kit-pick\x1f{kit_event}\x1f{component}\x1f{n}"))
}

fn component_event_id(kit_event: uuid::Uuid, component: &Sku) -> uuid::Uuid {
    crate::ledger::derived_event_id(&format!("shelfsync-kit\x1f{kit_event}\x1f{component}"))
}

fn component_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<(String, ComponentAtp)> {
    Ok((row.get(0)?, ComponentAtp { sku: row.get(1)?, qty: row.get(2)?, atp: row.get(3)? }))
}

fn by_location(rows: Vec<(String, ComponentAtp)>) -> BTreeMap<String, Vec<ComponentAtp>> {
    let mut grouped: BTreeMap<String, Vec<ComponentAtp>> = BTreeMap::new();
    for (location, component) in rows {
        grouped.entry(location).or_default().push(component);
    }
    grouped
}

fn require_item(conn: &Connection, sku: &str) -> Result<()> {
    let known =
        conn.prepare_cached("SELECT 1 FROM items WHERE sku = ?1")?.query_row([sku], |_| Ok(())).optional()?;
    known.ok_or_else(|| StoreError::UnknownSku(sku.to_string()))
}

pub(crate) fn is_kit(conn: &Connection, sku: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM kit_components WHERE kit = ?1 LIMIT 1")?
        .query_row([sku], |_| Ok(()))
        .optional()?
        .is_some())
}

pub(crate) fn components_of(conn: &Connection, kit: &str) -> Result<Vec<KitComponent>> {
    let rows: Vec<(String, u32)> = conn
        .prepare_cached("SELECT component, qty FROM kit_components WHERE kit = ?1 ORDER BY component")?
        .query_map([kit], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<_, _>>()?;
    rows.into_iter().map(|(sku, qty)| Ok(KitComponent { sku: Sku::new(sku)?, qty })).collect()
}

/// The kit's components, for callers outside the store inside their own transaction (capture
/// books a kit sale on its components). Empty: not a kit.
pub fn components_in(db: &impl crate::oversight::Db, kit: &str) -> Result<Vec<KitComponent>> {
    components_of(db.conn(), kit)
}

/// Where a new sale of a kit listing fed by several locations is booked: the feeding location
/// where the most kits can be made (ties by code), as `channels::listings::best_feeding_location`
/// picks for an item. `None`: not a kit, or no feeding location holds any of its components.
pub fn best_feeding_location(
    db: &impl crate::oversight::Db,
    channel: &str,
    kit: &str,
) -> Result<Option<String>> {
    let Some(rows) = feeding_atp(db.conn(), kit, None, channel)? else { return Ok(None) };
    Ok(rows
        .into_iter()
        .max_by(|a, b| a.1.atp.cmp(&b.1.atp).then(b.0.cmp(&a.0)))
        .map(|(location, _)| location))
}

/// Every kit's SKU, in order: a refund that arrives without its order finds which kit its line
/// sold by trying each kit's components (capture, `orders/kits.rs`).
pub fn kits(db: &impl crate::oversight::Db) -> Result<Vec<String>> {
    Ok(db
        .conn()
        .prepare_cached("SELECT DISTINCT kit FROM kit_components ORDER BY kit")?
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?)
}

/// The listings of every kit `component` is part of: a component's change changes them.
pub(crate) fn listings_of_kits_using(conn: &Connection, component: &str) -> Result<Vec<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT l.id FROM kit_components k JOIN listings l ON l.sku = k.kit
             WHERE k.component = ?1 ORDER BY l.id",
        )?
        .query_map([component], |row| row.get(0))?
        .collect::<Result<_, _>>()?)
}

/// The ledger's refusal of a movement of a kit's SKU (a kit holds no stock of its own), or
/// `Ok` for any other SKU.
pub(crate) fn refuse_kit_movement(conn: &Connection, movement: &Movement) -> Result<()> {
    let sku = movement.sku().as_str();
    if is_kit(conn, sku)? {
        return Err(StoreError::KitHoldsNoStock { sku: sku.to_string(), verb: kit::refusal_verb(movement) });
    }
    Ok(())
}

/// The feeding ATP of a kit's listing: per feeding location (the same filter as
/// `outbox::feeding_atp`: the listing's location and its bins, or every location; only those
/// the channel's rule lists, if it lists any), the kit's ATP there from its components'.
/// `None` when the SKU is not a kit.
pub(crate) fn feeding_atp(
    conn: &Connection,
    kit: &str,
    location: Option<&str>,
    channel: &str,
) -> Result<Option<Vec<(String, KitAtp)>>> {
    if !is_kit(conn, kit)? {
        return Ok(None);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT x.code, k.component, k.qty, ifnull(b.atp, 0)
         FROM locations x JOIN kit_components k ON k.kit = ?1
         LEFT JOIN stock_atp b ON b.sku = k.component AND b.location = x.code
         WHERE (?2 IS NULL OR x.code = ?2 OR x.parent = ?2)
           AND (NOT EXISTS (SELECT 1 FROM rule_locations r WHERE r.channel = ?3)
                OR EXISTS (SELECT 1 FROM rule_locations r
                           WHERE r.channel = ?3 AND (r.location = x.code OR r.location = x.parent)))
           AND EXISTS (SELECT 1 FROM balances s JOIN kit_components c ON c.component = s.sku
                       WHERE c.kit = ?1 AND s.location = x.code)
         ORDER BY x.code, k.component",
    )?;
    let rows = stmt.query_map(params![kit, location, channel], component_row)?;
    let grouped = by_location(rows.collect::<Result<Vec<_>, _>>()?);
    Ok(Some(
        grouped.into_iter().map(|(location, components)| (location, kit::kit_atp(&components))).collect(),
    ))
}

/// Per kit listing of the channel, its pool (the kit's ATP summed over its feeding locations):
/// reconciliation's bulk expectations (`channels::listings::feeding_atp`), as the outbox derives
/// it one listing at a time.
pub(crate) fn kit_pools(conn: &Connection, channel: &str) -> Result<Vec<(i64, i64)>> {
    let listings: Vec<(i64, String, Option<String>)> = conn
        .prepare_cached(
            "SELECT l.id, l.sku, l.location FROM listings l
             WHERE l.channel = ?1 AND EXISTS (SELECT 1 FROM kit_components k WHERE k.kit = l.sku)
             ORDER BY l.id",
        )?
        .query_map([channel], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut pools = Vec::with_capacity(listings.len());
    for (id, kit, location) in listings {
        let rows = feeding_atp(conn, &kit, location.as_deref(), channel)?.unwrap_or_default();
        pools.push((id, rows.iter().map(|(_, k)| k.atp).sum()));
    }
    Ok(pools)
}

/// A kit listing's derivation for `sync explain`: per feeding location, the kit's ATP and its
/// limiting component ([`feeding_atp`]). `None` when the SKU is not a kit.
pub(crate) fn derivation(
    conn: &Connection,
    kit: &str,
    location: Option<&str>,
    channel: &str,
) -> Result<Option<Vec<kit::KitLocation>>> {
    Ok(feeding_atp(conn, kit, location, channel)?.map(|rows| {
        rows.into_iter()
            .map(|(location, k)| kit::KitLocation {
                location,
                atp: k.atp,
                limiting_component: k.limiting_component,
            })
            .collect()
    }))
}

/// Validates and writes one kit's whole definition inside `tx`, replacing any earlier one, and
/// re-queues the kit's listings.
pub(crate) fn set_in(tx: &Transaction<'_>, kit: &Sku, components: &[KitComponent]) -> Result<()> {
    require_item(tx, kit.as_str())?;
    for c in components {
        require_item(tx, c.sku.as_str()).map_err(|_| StoreError::UnknownComponent(c.sku.to_string()))?;
    }
    let parent: Option<String> = tx
        .prepare_cached("SELECT kit FROM kit_components WHERE component = ?1 ORDER BY kit LIMIT 1")?
        .query_row([kit.as_str()], |row| row.get(0))
        .optional()?;
    let mut kits = std::collections::HashSet::new();
    for c in components {
        if is_kit(tx, c.sku.as_str())? {
            kits.insert(c.sku.clone());
        }
    }
    kit::validate(kit, components, |sku| kits.contains(sku), parent.as_deref())?;
    if !crate::packs::packs_of(tx, kit.as_str())?.is_empty() {
        return Err(StoreError::KitHasPacks(kit.to_string()));
    }
    let holds_stock = tx
        .prepare_cached(
            "SELECT 1 FROM balances WHERE sku = ?1
               AND (on_hand != 0 OR committed != 0 OR reserved != 0 OR damaged != 0 OR in_transit != 0)",
        )?
        .query_row([kit.as_str()], |_| Ok(()))
        .optional()?;
    if holds_stock.is_some() {
        return Err(StoreError::KitHoldsStock(kit.to_string()));
    }
    tx.prepare_cached("DELETE FROM kit_components WHERE kit = ?1")?.execute([kit.as_str()])?;
    for c in components {
        tx.prepare_cached("INSERT INTO kit_components (kit, component, qty) VALUES (?1, ?2, ?3)")?
            .execute(params![kit.as_str(), c.sku.as_str(), c.qty])?;
    }
    requeue_kit(tx, kit.as_str())
}

/// The kit's definition changed: every listing of it is recomputed.
fn requeue_kit(conn: &Connection, kit: &str) -> Result<()> {
    let ids: Vec<i64> = conn
        .prepare_cached("SELECT id FROM listings WHERE sku = ?1 ORDER BY id")?
        .query_map([kit], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    let stamp = crate::outbox::now();
    for id in ids {
        crate::outbox::requeue_one(conn, id, &stamp)?;
    }
    Ok(())
}
