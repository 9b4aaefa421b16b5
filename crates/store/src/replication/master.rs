//! Master data (the catalogue: locations, items, barcodes, packs) up and down: the queue of local
//! changes (`hub_master_outbox`, filled by triggers), the version each record is at
//! (`hub_master_versions`), and applying the hub's versions where they win.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use sha2::{Digest, Sha256};

use super::immediate;
use crate::outbox::{now, requeue_listing};
use crate::{Result, Store};

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

const KINDS: [Kind; 4] = [
    Kind {
        name: "location",
        read: "SELECT json_object('code', code, 'name', name, 'parent', parent) FROM locations WHERE code = ?1",
        // Parents first, so a bin never arrives before its warehouse.
        keys: "SELECT code FROM locations ORDER BY parent IS NOT NULL, code",
    },
    Kind {
        name: "item",
        read: "SELECT json_object('sku', sku, 'name', name, 'unit_cost_cents', unit_cost_cents,
                   'category', category, 'safety_stock', safety_stock, 'tracking', tracking)
               FROM items WHERE sku = ?1",
        keys: "SELECT sku FROM items ORDER BY sku",
    },
    Kind {
        name: "barcode",
        read: "SELECT json_object('code', code, 'sku', sku, 'kind', kind) FROM barcodes WHERE code = ?1",
        keys: "SELECT code FROM barcodes ORDER BY code",
    },
    // After the items (a pack names one) and the barcodes (a pack's code is never one).
    Kind {
        name: "pack",
        read: "SELECT json_object('barcode', barcode, 'sku', sku, 'qty', qty) FROM packs WHERE barcode = ?1",
        keys: "SELECT barcode FROM packs ORDER BY barcode",
    },
];

fn kind(name: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.name == name)
}

/// A snapshot's records carry this time, so any version already on the hub wins over them:
/// a workstation joining with its own catalogue fills gaps, it does not overwrite.
const SNAPSHOT_AT: &str = "1970-01-01T00:00:00.000Z";

/// Queues every master record as a snapshot version of `workstation` (the first join), inside
/// the join's transaction.
pub(super) fn queue_snapshot(tx: &Connection, workstation: &str) -> Result<()> {
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

impl Store {
    /// The oldest queued master changes; a record queued twice goes once, with its newest time.
    pub fn hub_pending_master(&self, limit: usize) -> Result<Vec<PendingMaster>> {
        let conn = &self.conn;
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

    /// Forgets the shipped queue entries, and takes the hub's time (kind, key, changed_at) for
    /// each shipped version: the hub stamps master data with its own clock, so from now on this
    /// workstation's version of the record is compared with the others' in that one clock. A
    /// record changed again meanwhile (queued after `up_to_id`) keeps its newer local version
    /// until that change ships.
    pub fn hub_pushed_master(&self, up_to_id: i64, stamped: &[(String, String, String)]) -> Result<()> {
        let tx = immediate(&self.conn)?;
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

    /// Applies versions in hub order where they beat the local version (last writer wins on
    /// (changed_at, workstation), the hub's times). The triggers stay quiet meanwhile
    /// (`hub_applying`), so nothing echoes back up. Every version from another workstation
    /// that changes this replica gets a `hub.master` audit entry in the same transaction
    /// (`audit verify` checks each has one); one refused (a kind that does not replicate, a
    /// time ahead of the clock, a row this replica cannot take) gets `hub.master.refused`.
    /// Returns how many changed this replica.
    pub fn hub_apply_master(&self, rows: &[PulledMaster]) -> Result<usize> {
        self.hub_apply_master_at(rows, chrono::Utc::now())
    }

    /// [`Store::hub_apply_master`] with the clock given.
    pub fn hub_apply_master_at(
        &self,
        rows: &[PulledMaster],
        clock: chrono::DateTime<chrono::Utc>,
    ) -> Result<usize> {
        let Some(last) = rows.last() else { return Ok(0) };
        let latest_believed = (clock + MAX_AHEAD).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let tx = immediate(&self.conn)?;
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
                // A record this replica cannot take (a constraint it breaks here) is reported,
                // not retried forever: the rest of the stream must keep flowing.
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
}

fn apply_record(tx: &Transaction<'_>, row: &PulledMaster) -> Result<()> {
    let Some(value) = &row.value else { return delete_record(tx, &row.kind, &row.key) };
    let sql = match row.kind.as_str() {
        "location" => {
            "INSERT INTO locations (code, name, parent) VALUES (?1 ->> 'code', ?1 ->> 'name', ?1 ->> 'parent')
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, parent = excluded.parent"
        }
        "item" => {
            // tracking (issue 21): a version from a workstation that predates it keeps ours.
            "INSERT INTO items (sku, name, unit_cost_cents, category, safety_stock, tracking)
             VALUES (?1 ->> 'sku', ?1 ->> 'name', ?1 ->> 'unit_cost_cents', ?1 ->> 'category', ?1 ->> 'safety_stock',
                     coalesce(?1 ->> 'tracking', 'none'))
             ON CONFLICT (sku) DO UPDATE SET name = excluded.name, unit_cost_cents = excluded.unit_cost_cents,
                 category = excluded.category, safety_stock = excluded.safety_stock,
                 tracking = coalesce(?1 ->> 'tracking', items.tracking)"
        }
        "barcode" => {
            "INSERT INTO barcodes (code, sku, kind) VALUES (?1 ->> 'code', ?1 ->> 'sku', ?1 ->> 'kind')
             ON CONFLICT (code) DO UPDATE SET sku = excluded.sku, kind = excluded.kind"
        }
        // The packs table's own CHECK and triggers refuse a pack that would clash here (its
        // code an item barcode or a SKU, a kit's pack): the version is then refused, audited.
        "pack" => {
            "INSERT INTO packs (barcode, sku, qty) VALUES (?1 ->> 'barcode', ?1 ->> 'sku', ?1 ->> 'qty')
             ON CONFLICT (barcode) DO UPDATE SET sku = excluded.sku, qty = excluded.qty"
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
        "pack" => "DELETE FROM packs WHERE barcode = ?1",
        _ => return Ok(()),
    };
    tx.execute(sql, [key])?;
    Ok(())
}
