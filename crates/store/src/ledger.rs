//! The one append path for stock changes.

use chrono::{SecondsFormat, Utc};
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};
use sha2::{Digest, Sha256};
use shelfsync_core::{Balances, Event, Movement, Position};
use std::collections::HashSet;

use crate::audit::{self, AuditEntry};
use crate::{Result, Store, StoreError};

/// Whose rules an append enforces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppendMode {
    /// A change made here: every rule is checked against this replica's balances.
    Local,
    /// A change made on another workstation and already checked there. Only its shape and
    /// references are checked: its deltas commute, so it must be accepted in any arrival
    /// order, even one where an intermediate balance dips below zero or a receipt arrives
    /// before its shipment.
    Replicated,
}

/// What an append did. A duplicate is success: the caller's retry found its own event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppendOutcome {
    Recorded { seq: i64 },
    Duplicate { seq: i64 },
}

/// An event id derived from `key`: SHA-256 of it, shaped as a version-8 UUID. For events whose
/// identity is their source (an order line, a kit's component), so a retry finds its own event.
/// The key's first field names the source, so two sources never derive the same id.
pub fn derived_event_id(key: &str) -> uuid::Uuid {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(key.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    uuid::Uuid::from_bytes(bytes)
}

/// A new event made here and now: a fresh UUIDv7 and the current time. Core takes an event's
/// identity as given (`Event::with_identity`) and reads no clock; the store, which already
/// reads the clock to stamp `recorded_at`, mints it for callers recording a change as it
/// happens.
pub fn new_event(movement: Movement, actor: impl Into<String>, workstation: impl Into<String>) -> Event {
    Event::with_identity(uuid::Uuid::now_v7(), Utc::now(), movement, actor, workstation)
}

/// Largest batch one transaction takes. Bounded so a huge import cannot hold the write lock
/// (and block scanning) for more than a fraction of a second per batch.
pub const MAX_BATCH: usize = 5_000;

impl Store {
    /// Appends one event durably: validation, the event row, the balance projection and the
    /// audit entry in one `BEGIN IMMEDIATE` transaction. Returns once the commit is on disk.
    pub fn append(&mut self, event: &Event) -> Result<AppendOutcome> {
        self.append_with(event, AppendMode::Local)
    }

    pub fn append_with(&mut self, event: &Event, mode: AppendMode) -> Result<AppendOutcome> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let outcome = append_in_mode(&tx, event, mode)?;
        tx.commit()?;
        Ok(outcome)
    }

    /// Appends many events in grouped transactions of at most [`MAX_BATCH`]. All-or-nothing
    /// per group: the first bad event rolls its group back and is returned with its index.
    pub fn append_batch(&mut self, events: &[Event]) -> Result<Vec<AppendOutcome>, (usize, StoreError)> {
        // The outer error is the cache PRAGMA's (nothing written yet); the inner, an event's.
        self.with_bulk_cache(|store| Ok::<_, StoreError>(store.append_groups(events))).map_err(|e| (0, e))?
    }

    fn append_groups(&mut self, events: &[Event]) -> Result<Vec<AppendOutcome>, (usize, StoreError)> {
        let mut outcomes = Vec::with_capacity(events.len());
        for (group_index, group) in events.chunks(MAX_BATCH).enumerate() {
            let offset = group_index * MAX_BATCH;
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(|e| (offset, e.into()))?;
            let mut cache = AppendCache::default();
            for (i, event) in group.iter().enumerate() {
                let outcome = append_cached(&tx, event, AppendMode::Local, &mut cache);
                outcomes.push(outcome.map_err(|e| (offset + i, e))?);
            }
            tx.commit().map_err(|e| (offset, e.into()))?;
        }
        Ok(outcomes)
    }
}

/// Appends inside a caller's transaction, so other crates can write their own rows (outbox,
/// count lines) in the same commit as the event.
pub fn append_in(tx: &Transaction<'_>, event: &Event) -> Result<AppendOutcome> {
    append_in_mode(tx, event, AppendMode::Local)
}

pub fn append_in_mode(tx: &Transaction<'_>, event: &Event, mode: AppendMode) -> Result<AppendOutcome> {
    append_cached(tx, event, mode, &mut AppendCache::default())
}

/// What a run of appends inside one transaction need not look up again: the audit chain's
/// head and the SKUs and locations already seen to exist. Valid only within the transaction
/// that filled it, and only while nothing else writes the audit chain there.
#[derive(Default)]
struct AppendCache {
    audit_head: Option<(i64, String)>,
    known_skus: HashSet<String>,
    known_locations: HashSet<String>,
}

fn append_cached(
    tx: &Transaction<'_>,
    event: &Event,
    mode: AppendMode,
    cache: &mut AppendCache,
) -> Result<AppendOutcome> {
    let body = event.canonical_body();
    let body_hash = hex::encode(Sha256::digest(body.as_bytes()));
    if let Some(seq) = existing(tx, event, &body_hash)? {
        return Ok(AppendOutcome::Duplicate { seq });
    }
    event.validate()?;
    check_references(tx, event, mode, cache)?;
    let position = current_position(tx, event)?;
    let deltas = event.deltas();
    if mode == AppendMode::Local
        && event.override_by.is_none()
        && let Some(violation) = position.check(&deltas)
    {
        return Err(StoreError::WouldGoNegative(violation));
    }
    // Lots (issue 21): every check before the event's first write, the rows after it.
    let lots = crate::lots::plan(tx, event, mode)?;
    let recorded_at = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
    let seq = insert_event(tx, event, &body, &body_hash, &recorded_at)?;
    if let Some(lots) = &lots {
        crate::lots::apply(tx, lots)?;
    }
    let mut after = position;
    after.apply(&deltas);
    for (key, balances) in after.iter_all() {
        write_balances(tx, key.0.as_str(), key.1.as_str(), balances)?;
    }
    // Same transaction: the event and the channel updates it causes commit together or not at all.
    crate::outbox::mark_dirty(tx, event, &recorded_at)?;
    audit::append_entry_after(
        tx,
        &AuditEntry {
            at: recorded_at,
            actor: event.actor.clone(),
            workstation: event.workstation.clone(),
            action: format!("event.{}", event.movement.kind()),
            subject: event.id.to_string(),
            detail: body_hash,
        },
        &mut cache.audit_head,
    )?;
    Ok(AppendOutcome::Recorded { seq })
}

fn existing(tx: &Transaction<'_>, event: &Event, body_hash: &str) -> Result<Option<i64>> {
    let found: Option<(i64, String)> = tx
        .prepare_cached("SELECT seq, body_hash FROM events WHERE id = ?1")?
        .query_row([event.id.to_string()], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    match found {
        Some((seq, hash)) if hash == body_hash => Ok(Some(seq)),
        Some(_) => Err(StoreError::ConflictingEvent(event.id)),
        None => Ok(None),
    }
}

fn check_references(
    tx: &Transaction<'_>,
    event: &Event,
    mode: AppendMode,
    cache: &mut AppendCache,
) -> Result<()> {
    let sku = event.movement.sku().as_str();
    if !cache.known_skus.contains(sku) {
        let known_sku = tx
            .prepare_cached("SELECT 1 FROM items WHERE sku = ?1")?
            .query_row([sku], |_| Ok(()))
            .optional()?;
        if known_sku.is_none() {
            return Err(StoreError::UnknownSku(sku.to_string()));
        }
        // A kit holds no stock of its own: its components are counted, received and sold.
        // Another workstation's event was checked there (and must be accepted here in any order).
        if mode == AppendMode::Local {
            crate::kits::refuse_kit_movement(tx, &event.movement)?;
        }
        cache.known_skus.insert(sku.to_string());
    }
    for location in event.movement.locations() {
        if cache.known_locations.contains(location.as_str()) {
            continue;
        }
        let known = tx
            .prepare_cached("SELECT 1 FROM locations WHERE code = ?1")?
            .query_row([location.as_str()], |_| Ok(()))
            .optional()?;
        if known.is_none() {
            return Err(StoreError::UnknownLocation(location.to_string()));
        }
        cache.known_locations.insert(location.to_string());
    }
    match (&event.movement, mode) {
        (Movement::TransferReceive { shipment, .. }, AppendMode::Local) => {
            check_shipment(tx, event, shipment)?
        }
        (Movement::Reversal { of, .. }, AppendMode::Local) => check_reversal(tx, event, of)?,
        _ => {}
    }
    Ok(())
}

/// A reversal must undo a real event of the same SKU exactly, once, and not be a reversal
/// itself: a mistaken reversal is corrected by a new ordinary event.
fn check_reversal(tx: &Transaction<'_>, event: &Event, of: &uuid::Uuid) -> Result<()> {
    let body: Option<String> = tx
        .prepare_cached("SELECT body FROM events WHERE id = ?1")?
        .query_row([of.to_string()], |row| row.get(0))
        .optional()?;
    let original: Event = match body {
        Some(body) => serde_json::from_str(&body)
            .map_err(|e| StoreError::CorruptEvent { seq: 0, reason: e.to_string() })?,
        None => return Err(StoreError::UnknownEvent(of.to_string())),
    };
    if matches!(original.movement, Movement::Reversal { .. }) {
        return Err(StoreError::NotReversible(format!("{of} is itself a reversal")));
    }
    if original.reversal() != event.movement {
        return Err(StoreError::NotReversible(format!("the legs do not undo {of} exactly")));
    }
    if original.lot != event.lot {
        return Err(StoreError::NotReversible(format!("the lot differs from {of}'s")));
    }
    let reversed = tx
        .prepare_cached("SELECT 1 FROM events WHERE closes = ?1")?
        .query_row([of.to_string()], |_| Ok(()))
        .optional()?;
    if reversed.is_some() {
        return Err(StoreError::NotReversible(format!("{of} was already reversed")));
    }
    Ok(())
}

/// A receipt must close a real shipment of the same SKU, route and quantity, once.
fn check_shipment(tx: &Transaction<'_>, event: &Event, shipment: &uuid::Uuid) -> Result<()> {
    let body: Option<String> = tx
        .prepare_cached("SELECT body FROM events WHERE id = ?1 AND kind = 'transfer_ship'")?
        .query_row([shipment.to_string()], |row| row.get(0))
        .optional()?;
    let Some(body) = body else {
        return Err(StoreError::UnknownTransfer(shipment.to_string()));
    };
    let ship: Event =
        serde_json::from_str(&body).map_err(|e| StoreError::UnknownTransfer(format!("{shipment} ({e})")))?;
    let (
        Movement::TransferShip { sku, from, to, qty },
        Movement::TransferReceive { sku: rsku, from: rfrom, to: rto, shipped, .. },
    ) = (&ship.movement, &event.movement)
    else {
        return Err(StoreError::UnknownTransfer(shipment.to_string()));
    };
    if sku != rsku || from != rfrom || to != rto || qty != shipped {
        return Err(StoreError::UnknownTransfer(format!("{shipment} (receipt does not match the shipment)")));
    }
    let received = tx
        .prepare_cached("SELECT 1 FROM events WHERE closes = ?1")?
        .query_row([shipment.to_string()], |_| Ok(()))
        .optional()?;
    if received.is_some() {
        return Err(StoreError::TransferAlreadyReceived(*shipment));
    }
    Ok(())
}

/// The balances of every (sku, location) the event touches, as they are now.
fn current_position(tx: &Transaction<'_>, event: &Event) -> Result<Position> {
    let mut position = Position::default();
    let sku = event.movement.sku();
    for location in event.movement.locations() {
        let balances = read_balances(tx, sku.as_str(), location.as_str())?;
        position.set(sku.clone(), location.clone(), balances);
    }
    Ok(position)
}

pub(crate) fn read_balances(conn: &rusqlite::Connection, sku: &str, location: &str) -> Result<Balances> {
    let balances = conn
        .prepare_cached(
            "SELECT on_hand, committed, reserved, damaged, in_transit FROM balances WHERE sku = ?1 AND location = ?2",
        )?
        .query_row([sku, location], |row| {
            Ok(Balances {
                on_hand: row.get(0)?,
                committed: row.get(1)?,
                reserved: row.get(2)?,
                damaged: row.get(3)?,
                in_transit: row.get(4)?,
            })
        })
        .optional()?;
    Ok(balances.unwrap_or_default())
}

fn write_balances(tx: &Transaction<'_>, sku: &str, location: &str, b: &Balances) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO balances (sku, location, on_hand, committed, reserved, damaged, in_transit)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (sku, location) DO UPDATE SET on_hand = excluded.on_hand, committed = excluded.committed,
             reserved = excluded.reserved, damaged = excluded.damaged, in_transit = excluded.in_transit",
    )?
    .execute(params![sku, location, b.on_hand, b.committed, b.reserved, b.damaged, b.in_transit])?;
    Ok(())
}

fn insert_event(
    tx: &Transaction<'_>,
    event: &Event,
    body: &str,
    body_hash: &str,
    recorded_at: &str,
) -> Result<i64> {
    let closes = match &event.movement {
        Movement::TransferReceive { shipment, .. } => Some(shipment.to_string()),
        Movement::Reversal { of, .. } => Some(of.to_string()),
        _ => None,
    };
    tx.prepare_cached(
        "INSERT INTO events (id, kind, sku, body, body_hash, occurred_at, recorded_at, closes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        event.id.to_string(),
        event.movement.kind(),
        event.movement.sku().as_str(),
        body,
        body_hash,
        event.occurred_at.to_rfc3339_opts(SecondsFormat::Millis, true),
        recorded_at,
        closes,
    ])?;
    Ok(tx.last_insert_rowid())
}
