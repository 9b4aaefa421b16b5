//! The workstation side of replication: what waits to go up, and applying what comes down.
//! Everything here is plain SQLite on the workstation's own file, so it works offline.

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use sha2::{Digest, Sha256};
use shelfsync_core::Event;
use shelfsync_store::outbox::{now, requeue_listing};
use shelfsync_store::{AppendMode, AppendOutcome, Store, StoreError, append_in_mode};

use crate::Result;

/// The workstation's store, held across the replication loop's awaits: each synchronous step
/// locks it briefly (a connection is Send but not Sync), so the loop's future can run on any
/// runtime thread.
pub struct LocalStore(std::sync::Mutex<shelfsync_store::Store>);

impl LocalStore {
    pub fn open(path: &std::path::Path) -> Result<LocalStore> {
        Ok(LocalStore(std::sync::Mutex::new(shelfsync_store::Store::open(path)?)))
    }

    pub fn lock(&self) -> std::sync::MutexGuard<'_, shelfsync_store::Store> {
        // A panic mid-step leaves nothing half-done in SQLite (transactions roll back), so a
        // poisoned lock is safe to keep using.
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// What `hub connect` recorded, and how far replication has got.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LocalConfig {
    pub workstation: String,
    pub hub_id: String,
    pub push_watermark: i64,
    pub pull_watermark: i64,
    pub master_watermark: i64,
    pub discrepancy_watermark: i64,
    pub last_push: Option<String>,
    pub last_pull: Option<String>,
    pub last_error: Option<String>,
    pub hub_head: i64,
}

pub fn config(conn: &Connection) -> Result<Option<LocalConfig>> {
    Ok(conn
        .query_row(
            "SELECT workstation, hub_id, push_watermark, pull_watermark, master_watermark,
                    discrepancy_watermark, last_push, last_pull, last_error, hub_head
             FROM hub_config WHERE id = 1",
            [],
            |r| {
                Ok(LocalConfig {
                    workstation: r.get(0)?,
                    hub_id: r.get(1)?,
                    push_watermark: r.get(2)?,
                    pull_watermark: r.get(3)?,
                    master_watermark: r.get(4)?,
                    discrepancy_watermark: r.get(5)?,
                    last_push: r.get(6)?,
                    last_pull: r.get(7)?,
                    last_error: r.get(8)?,
                    hub_head: r.get(9)?,
                })
            },
        )
        .optional()?)
}

fn immediate(conn: &Connection) -> Result<Transaction<'_>> {
    Ok(Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?)
}

/// Every master-data kind that replicates, in the order a snapshot ships them (references before
/// referrers), with the query that reads one record as JSON by key and the query that lists
/// every key.
///
/// Only the catalogue. Users (roles, PIN hashes), tolerances, channels (endpoints, shops) and
/// what hangs off a channel (allocation rules, rule locations, listings) stay on the workstation
/// where an admin set them: the hub is shared, and a row from it could otherwise make someone an
/// admin or point a channel at a server that then receives the channel's secrets (issue 17).
/// Keeping them local is the simple answer; signing them with an admin key is the other.
struct Kind {
    name: &'static str,
    read: &'static str,
    keys: &'static str,
}

const KINDS: [Kind; 3] = [
    Kind {
        name: "location",
        read: "SELECT json_object('code', code, 'name', name, 'parent', parent) FROM locations WHERE code = ?1",
        // Parents first, so a bin never arrives before its warehouse.
        keys: "SELECT code FROM locations ORDER BY parent IS NOT NULL, code",
    },
    Kind {
        name: "item",
        read: "SELECT json_object('sku', sku, 'name', name, 'unit_cost_cents', unit_cost_cents,
                   'category', category, 'safety_stock', safety_stock) FROM items WHERE sku = ?1",
        keys: "SELECT sku FROM items ORDER BY sku",
    },
    Kind {
        name: "barcode",
        read: "SELECT json_object('code', code, 'sku', sku, 'kind', kind) FROM barcodes WHERE code = ?1",
        keys: "SELECT code FROM barcodes ORDER BY code",
    },
];

fn kind(name: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.name == name)
}

/// A snapshot's records carry this time, so any version already on the hub wins over them:
/// a workstation joining with its own catalogue fills gaps, it does not overwrite.
const SNAPSHOT_AT: &str = "1970-01-01T00:00:00.000Z";

/// Records the link to the hub; on the first join, queues every master record as a snapshot.
/// The caller stores the URL secret inside `before_commit`, so a failure there leaves nothing.
pub fn join(
    conn: &Connection,
    workstation: &str,
    hub_id: &str,
    before_commit: impl FnOnce() -> Result<()>,
) -> Result<bool> {
    let tx = immediate(conn)?;
    let first = config(&tx)?.is_none();
    if first {
        tx.execute(
            "INSERT INTO hub_config (id, workstation, hub_id, connected_at) VALUES (1, ?1, ?2, ?3)",
            params![workstation, hub_id, now()],
        )?;
        for kind in &KINDS {
            let keys: Vec<String> =
                tx.prepare(kind.keys)?.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
            for key in keys {
                tx.execute(
                    "INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES (?1, ?2, ?3)",
                    params![kind.name, key, SNAPSHOT_AT],
                )?;
                tx.execute(
                    "INSERT OR REPLACE INTO hub_master_versions (kind, key, changed_at, workstation)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![kind.name, key, SNAPSHOT_AT, workstation],
                )?;
            }
        }
    } else {
        tx.execute("UPDATE hub_config SET connected_at = ?1, last_error = NULL WHERE id = 1", [now()])?;
    }
    before_commit()?;
    tx.commit()?;
    Ok(first)
}

/// A local event waiting to go up.
#[derive(Clone, Debug)]
pub struct PendingEvent {
    pub seq: i64,
    pub id: String,
    pub body: String,
    pub body_hash: String,
    pub sku: String,
}

/// Local events after `after`, oldest first, without those that came from the hub.
pub fn pending_events(conn: &Connection, after: i64, limit: usize) -> Result<Vec<PendingEvent>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, id, body, body_hash, sku FROM events
         WHERE seq > ?1 AND seq NOT IN (SELECT seq FROM hub_inbound WHERE seq > ?1)
         ORDER BY seq LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![after, limit as i64], |r| {
        Ok(PendingEvent {
            seq: r.get(0)?,
            id: r.get(1)?,
            body: r.get(2)?,
            body_hash: r.get(3)?,
            sku: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Events and master records not yet on the hub.
pub fn pending_up(conn: &Connection) -> Result<u64> {
    let Some(config) = config(conn)? else { return Ok(0) };
    let events: i64 = conn.query_row(
        "SELECT count(*) FROM events WHERE seq > ?1 AND seq NOT IN (SELECT seq FROM hub_inbound WHERE seq > ?1)",
        [config.push_watermark],
        |r| r.get(0),
    )?;
    let master: i64 = conn.query_row("SELECT count(*) FROM hub_master_outbox", [], |r| r.get(0))?;
    Ok((events + master) as u64)
}

/// The newest local change: when it moves, there is something to push.
pub fn change_marker(conn: &Connection) -> Result<(i64, i64)> {
    Ok(conn.query_row(
        "SELECT (SELECT ifnull(max(seq), 0) FROM events), (SELECT ifnull(max(id), 0) FROM hub_master_outbox)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

pub fn pushed_events(conn: &Connection, up_to: i64, refused: &[(String, String)]) -> Result<()> {
    let tx = immediate(conn)?;
    for (id, reason) in refused {
        refuse(&tx, id, "up", reason)?;
    }
    tx.execute(
        "UPDATE hub_config SET push_watermark = max(push_watermark, ?1), last_push = ?2, last_error = NULL",
        params![up_to, now()],
    )?;
    tx.commit()?;
    Ok(())
}

fn refuse(conn: &Connection, id: &str, direction: &str, reason: &str) -> Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO hub_refused (event_id, direction, reason, at) VALUES (?1, ?2, ?3, ?4)",
        params![id, direction, reason, now()],
    )?;
    Ok(())
}

/// A master record waiting to go up: its current value (None: deleted) and when it changed.
#[derive(Clone, Debug)]
pub struct PendingMaster {
    pub outbox_id: i64,
    pub kind: String,
    pub key: String,
    pub value: Option<String>,
    pub changed_at: String,
}

/// The oldest queued master changes; a record queued twice goes once, with its newest time.
pub fn pending_master(conn: &Connection, limit: usize) -> Result<Vec<PendingMaster>> {
    let queued: Vec<(i64, String, String, String)> = conn
        .prepare_cached("SELECT id, kind, key, changed_at FROM hub_master_outbox ORDER BY id LIMIT ?1")?
        .query_map([limit as i64], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<Result<_, _>>()?;
    let mut out: Vec<PendingMaster> = Vec::with_capacity(queued.len());
    for (outbox_id, kind_name, key, changed_at) in queued {
        let value = match kind(&kind_name) {
            Some(kind) => conn.prepare_cached(kind.read)?.query_row([&key], |r| r.get(0)).optional()?,
            None => continue,
        };
        if let Some(earlier) = out.iter_mut().find(|m| m.kind == kind_name && m.key == key) {
            earlier.outbox_id = outbox_id;
            earlier.changed_at = earlier.changed_at.clone().max(changed_at);
            earlier.value = value;
            continue;
        }
        out.push(PendingMaster { outbox_id, kind: kind_name, key, value, changed_at });
    }
    Ok(out)
}

/// Forgets the shipped queue entries, and takes the hub's time for each shipped version: the
/// hub stamps master data with its own clock, so from now on this workstation's version of the
/// record is compared with the others' in that one clock. A record changed again meanwhile
/// (queued after `up_to_id`) keeps its newer local version until that change ships.
pub fn pushed_master(conn: &Connection, up_to_id: i64, stamped: &[(String, String, String)]) -> Result<()> {
    let tx = immediate(conn)?;
    for (kind, key, changed_at) in stamped {
        tx.execute(
            "UPDATE hub_master_versions SET changed_at = ?3
             WHERE kind = ?1 AND key = ?2 AND workstation = (SELECT workstation FROM hub_config)
               AND NOT EXISTS (SELECT 1 FROM hub_master_outbox WHERE kind = ?1 AND key = ?2 AND id > ?4)",
            params![kind, key, changed_at, up_to_id],
        )?;
    }
    tx.execute("DELETE FROM hub_master_outbox WHERE id <= ?1", [up_to_id])?;
    tx.commit()?;
    Ok(())
}

/// How far ahead of this workstation's clock a hub time may be and still be believed. The hub
/// stamps master data with its own clock (issue 17), so a time beyond this is a forgery (a row
/// written around the stamping) or a broken server clock; either way it would win every
/// comparison for as long as it stays ahead. Ten minutes forgives ordinary clock drift.
pub const MAX_AHEAD: chrono::Duration = chrono::Duration::minutes(10);

/// A master-data version from the hub.
#[derive(Clone, Debug)]
pub struct PulledMaster {
    pub seq: i64,
    pub kind: String,
    pub key: String,
    pub value: Option<String>,
    pub changed_at: String,
    pub workstation: String,
}

/// Applies versions in hub order where they beat the local version (last writer wins on
/// (changed_at, workstation), the hub's times). The triggers stay quiet meanwhile
/// (`hub_applying`), so nothing echoes back up. Every version from another workstation that
/// changes this replica gets a `hub.master` audit entry in the same transaction (`audit verify`
/// checks each has one); one refused (a kind that does not replicate, a time ahead of the
/// clock, a row this replica cannot take) gets `hub.master.refused`. Returns how many changed
/// this replica.
pub fn apply_master(conn: &Connection, rows: &[PulledMaster]) -> Result<usize> {
    apply_master_at(conn, rows, chrono::Utc::now())
}

/// [`apply_master`] with the clock given.
pub fn apply_master_at(
    conn: &Connection,
    rows: &[PulledMaster],
    clock: chrono::DateTime<chrono::Utc>,
) -> Result<usize> {
    let Some(last) = rows.last() else { return Ok(0) };
    let latest_believed = (clock + MAX_AHEAD).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let tx = immediate(conn)?;
    let me: String = tx.query_row("SELECT workstation FROM hub_config WHERE id = 1", [], |r| r.get(0))?;
    tx.execute("INSERT INTO hub_applying (id) VALUES (1)", [])?;
    let mut applied = 0;
    for row in rows {
        // This workstation's own version coming back: already here (pushed_master took its time).
        if row.workstation == me {
            continue;
        }
        let subject = format!("{} {}", row.kind, row.key);
        let actor = format!("hub:{}", row.workstation);
        let refuse = |reason: &str| -> Result<()> {
            let detail = serde_json::json!({
                "seq": row.seq, "changed_at": row.changed_at, "workstation": row.workstation, "reason": reason,
            });
            Store::audit_in_transaction(
                &tx,
                &actor,
                &me,
                "hub.master.refused",
                &subject,
                &detail.to_string(),
            )?;
            tx.execute("UPDATE hub_config SET last_error = ?1", [format!("master {subject}: {reason}")])?;
            Ok(())
        };
        if kind(&row.kind).is_none() {
            refuse(&format!("{} does not replicate: it stays where an admin set it", row.kind))?;
            continue;
        }
        if row.changed_at > latest_believed {
            refuse(&format!("stamped {}, ahead of this workstation's clock", row.changed_at))?;
            continue;
        }
        let local: Option<(String, String)> = tx
            .prepare_cached(
                "SELECT changed_at, workstation FROM hub_master_versions WHERE kind = ?1 AND key = ?2",
            )?
            .query_row([&row.kind, &row.key], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let newer = local.is_none_or(|(at, ws)| {
            (row.changed_at.as_str(), row.workstation.as_str()) > (at.as_str(), ws.as_str())
        });
        if !newer {
            continue;
        }
        // A savepoint, so a record this replica cannot take leaves nothing half-written.
        tx.execute_batch("SAVEPOINT hub_record")?;
        match apply_record(&tx, row) {
            Ok(()) => tx.execute_batch("RELEASE hub_record")?,
            // A record this replica cannot take (a constraint it breaks here) is reported, not
            // retried forever: the rest of the stream must keep flowing.
            Err(error) => {
                tx.execute_batch("ROLLBACK TO hub_record; RELEASE hub_record")?;
                refuse(&error.to_string())?;
                continue;
            }
        }
        applied += 1;
        let value_sha256 = row.value.as_deref().map(|v| hex::encode(Sha256::digest(v.as_bytes())));
        let detail = serde_json::json!({
            "seq": row.seq, "changed_at": row.changed_at, "workstation": row.workstation,
            "value_sha256": value_sha256,
        });
        Store::audit_in_transaction(&tx, &actor, &me, "hub.master", &subject, &detail.to_string())?;
        tx.execute(
            "INSERT OR REPLACE INTO hub_master_versions (kind, key, changed_at, workstation) VALUES (?1, ?2, ?3, ?4)",
            params![row.kind, row.key, row.changed_at, row.workstation],
        )?;
    }
    tx.execute("DELETE FROM hub_applying", [])?;
    tx.execute("UPDATE hub_config SET master_watermark = ?1", [last.seq])?;
    tx.commit()?;
    Ok(applied)
}

fn apply_record(tx: &Transaction<'_>, row: &PulledMaster) -> Result<()> {
    let Some(value) = &row.value else { return delete_record(tx, &row.kind, &row.key) };
    let sql = match row.kind.as_str() {
        "location" => {
            "INSERT INTO locations (code, name, parent) VALUES (?1 ->> 'code', ?1 ->> 'name', ?1 ->> 'parent')
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, parent = excluded.parent"
        }
        "item" => {
            "INSERT INTO items (sku, name, unit_cost_cents, category, safety_stock)
             VALUES (?1 ->> 'sku', ?1 ->> 'name', ?1 ->> 'unit_cost_cents', ?1 ->> 'category', ?1 ->> 'safety_stock')
             ON CONFLICT (sku) DO UPDATE SET name = excluded.name, unit_cost_cents = excluded.unit_cost_cents,
                 category = excluded.category, safety_stock = excluded.safety_stock"
        }
        "barcode" => {
            "INSERT INTO barcodes (code, sku, kind) VALUES (?1 ->> 'code', ?1 ->> 'sku', ?1 ->> 'kind')
             ON CONFLICT (code) DO UPDATE SET sku = excluded.sku, kind = excluded.kind"
        }
        _ => return Ok(()),
    };
    tx.execute(sql, [value])?;
    if row.kind == "item" {
        // Safety stock feeds every listing's quantity.
        let ids: Vec<i64> = tx
            .prepare_cached("SELECT id FROM listings WHERE sku = ?1 ->> 'sku'")?
            .query_map([value], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for id in ids {
            requeue_listing(tx, id, &now())?;
        }
    }
    Ok(())
}

fn delete_record(tx: &Transaction<'_>, kind: &str, key: &str) -> Result<()> {
    let sql = match kind {
        "location" => "DELETE FROM locations WHERE code = ?1",
        "item" => "DELETE FROM items WHERE sku = ?1",
        "barcode" => "DELETE FROM barcodes WHERE code = ?1",
        _ => return Ok(()),
    };
    tx.execute(sql, [key])?;
    Ok(())
}

/// An event from the hub, in hub order.
#[derive(Clone, Debug)]
pub struct PulledEvent {
    pub seq: i64,
    pub id: String,
    pub body: String,
    /// The workstation whose login wrote it to the hub (row-level security makes it so), which
    /// the body's own `workstation` field only claims.
    pub origin: String,
}

/// What applying a pulled batch did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    pub recorded: usize,
    pub duplicates: usize,
    pub refused: usize,
    /// Hub seq applied up to (the new pull watermark).
    pub up_to: i64,
    /// Set when an event names master data this replica does not have yet: the batch stops
    /// there, and the next round (which pulls master data first) resumes from it.
    pub waiting_for: Option<String>,
}

/// Appends pulled events through the ledger's one idempotent append, in `Replicated` mode (their
/// deltas commute; the hub checked the global invariants). One transaction for the batch.
pub fn apply_events(conn: &Connection, rows: &[PulledEvent], hub_head: i64) -> Result<Applied> {
    let mut applied = Applied::default();
    let tx = immediate(conn)?;
    let (start, me): (i64, String) =
        tx.query_row("SELECT pull_watermark, workstation FROM hub_config", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    applied.up_to = start;
    for row in rows {
        match apply_one(&tx, row, &me)? {
            Step::Recorded => applied.recorded += 1,
            Step::Duplicate => applied.duplicates += 1,
            Step::Refused => applied.refused += 1,
            Step::Waiting(what) => {
                applied.waiting_for = Some(what);
                break;
            }
        }
        applied.up_to = row.seq;
    }
    tx.execute(
        "UPDATE hub_config SET pull_watermark = ?1, last_pull = ?2, hub_head = max(?3, ?1)",
        params![applied.up_to, now(), hub_head],
    )?;
    tx.commit()?;
    Ok(applied)
}

enum Step {
    Recorded,
    Duplicate,
    Refused,
    Waiting(String),
}

fn apply_one(tx: &Transaction<'_>, row: &PulledEvent, me: &str) -> Result<Step> {
    let event: Event = match serde_json::from_str(&row.body) {
        Ok(event) => event,
        Err(error) => {
            refuse(tx, &row.id, "down", &format!("unreadable body: {error}"))?;
            return Ok(Step::Refused);
        }
    };
    match append_in_mode(tx, &event, AppendMode::Replicated) {
        Ok(AppendOutcome::Recorded { seq }) => {
            tx.execute("INSERT INTO hub_inbound (seq) VALUES (?1)", [seq])?;
            // The event's own entry names who the body says made it; this one names who sent
            // it, as the hub vouches (issue 17): a body claiming another workstation shows.
            let detail = serde_json::json!({ "origin": row.origin, "hub_seq": row.seq });
            Store::audit_in_transaction(
                tx,
                &format!("hub:{}", row.origin),
                me,
                "hub.event",
                &row.id,
                &detail.to_string(),
            )?;
            Ok(Step::Recorded)
        }
        Ok(AppendOutcome::Duplicate { .. }) => Ok(Step::Duplicate),
        Err(StoreError::UnknownSku(sku)) => Ok(Step::Waiting(format!("SKU '{sku}'"))),
        Err(StoreError::UnknownLocation(location)) => Ok(Step::Waiting(format!("location '{location}'"))),
        Err(StoreError::ConflictingEvent(id)) => {
            refuse(
                tx,
                &row.id,
                "down",
                &format!("event {id} differs from this workstation's event with that id"),
            )?;
            Ok(Step::Refused)
        }
        // A rule only this replica's schema enforces (a second receipt of one shipment, made
        // on two workstations offline): the failed statement was the event's first write, so
        // nothing of it stays. Reported, and the stream goes on.
        Err(StoreError::Sqlite(rusqlite::Error::SqliteFailure(failure, message)))
            if failure.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            let reason = message.unwrap_or_else(|| failure.to_string());
            refuse(tx, &row.id, "down", &format!("breaks a rule of this replica: {reason}"))?;
            Ok(Step::Refused)
        }
        // The file, not the event, is the problem (a full disk, a lock held too long, I/O):
        // stop, and retry the batch later. Refusing would drop a good event.
        Err(
            error @ (StoreError::Sqlite(_) | StoreError::DiskFull | StoreError::Busy | StoreError::Io(_)),
        ) => Err(error.into()),
        Err(other) => {
            refuse(tx, &row.id, "down", &other.to_string())?;
            Ok(Step::Refused)
        }
    }
}

/// A discrepancy mirrored from the hub.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Discrepancy {
    pub id: i64,
    pub event_id: String,
    pub other_event_id: Option<String>,
    pub workstation: String,
    pub sku: String,
    pub location: String,
    pub detail: String,
    pub detected_at: String,
}

pub fn store_discrepancies(conn: &Connection, rows: &[Discrepancy]) -> Result<()> {
    let Some(last) = rows.last() else { return Ok(()) };
    let tx = immediate(conn)?;
    for d in rows {
        tx.execute(
            "INSERT OR IGNORE INTO hub_discrepancies
                 (id, event_id, other_event_id, workstation, sku, location, detail, detected_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                d.id,
                d.event_id,
                d.other_event_id,
                d.workstation,
                d.sku,
                d.location,
                d.detail,
                d.detected_at
            ],
        )?;
    }
    tx.execute("UPDATE hub_config SET discrepancy_watermark = ?1", [last.id])?;
    tx.commit()?;
    Ok(())
}

pub fn discrepancies(conn: &Connection) -> Result<Vec<Discrepancy>> {
    let mut stmt = conn.prepare(
        "SELECT id, event_id, other_event_id, workstation, sku, location, detail, detected_at
         FROM hub_discrepancies ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Discrepancy {
            id: r.get(0)?,
            event_id: r.get(1)?,
            other_event_id: r.get(2)?,
            workstation: r.get(3)?,
            sku: r.get(4)?,
            location: r.get(5)?,
            detail: r.get(6)?,
            detected_at: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Event ids refused in either direction, with why.
pub fn refused(conn: &Connection) -> Result<Vec<(String, String, String)>> {
    let mut stmt = conn.prepare("SELECT event_id, direction, reason FROM hub_refused ORDER BY at")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn record_error(conn: &Connection, message: &str) -> Result<()> {
    conn.execute("UPDATE hub_config SET last_error = ?1", [message])?;
    Ok(())
}

/// Before this workstation's engine starts pushing: what it believed about the channels may
/// be stale (another workstation pushed meanwhile), so every belief is dropped and every
/// listing requeued from the converged balances. An attempt group left from an earlier tenure
/// is dropped too: resending its old values under its old key could put an older quantity
/// after a newer one.
pub fn fence_engine_state(conn: &Connection) -> Result<usize> {
    let tx = immediate(conn)?;
    tx.execute(
        "UPDATE outbox SET group_key = NULL, group_qty = NULL, group_from = NULL, group_version = NULL,
             attempts = 0, next_attempt_at = ?1, last_error = NULL",
        [now()],
    )?;
    tx.execute("UPDATE listings SET acked_qty = NULL", [])?;
    let ids: Vec<i64> = tx
        .prepare("SELECT id FROM listings ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let stamp = now();
    let mut queued = 0;
    for id in ids {
        if requeue_listing(&tx, id, &stamp)?.is_some() {
            queued += 1;
        }
    }
    tx.commit()?;
    Ok(queued)
}
