//! The tamper-evident audit log: each entry's hash covers the previous hash and the entry, so
//! editing, deleting or reordering any row breaks the chain from that row on.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::connection::immediate;
use crate::{Result, Store};

/// The hash the first entry chains from.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

pub(crate) struct AuditEntry {
    pub at: String,
    pub actor: String,
    pub workstation: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
}

/// Where the chain first breaks, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditBreak {
    pub seq: i64,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    pub entries: u64,
    pub first_break: Option<AuditBreak>,
}

fn entry_hash(prev_hash: &str, seq: i64, entry: &AuditEntry) -> String {
    // A JSON array is an unambiguous encoding: no field can bleed into the next.
    let canonical = serde_json::json!([
        seq,
        entry.at,
        entry.actor,
        entry.workstation,
        entry.action,
        entry.subject,
        entry.detail
    ]);
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(canonical.to_string().as_bytes());
    hex::encode(hasher.finalize())
}

/// Who makes a change, as the chain records it: the verified user's name (or
/// `service:<workstation>`, or `cli:<os user>` while a database has no users yet) and the
/// workstation. Every store operation an admin or a supervisor runs (channels, rules,
/// thresholds, alert targets, locations, imports, dead-letter retries, re-pushes) takes one and
/// writes its entry in the transaction that makes the change, so neither lands without the other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct By<'a> {
    pub actor: &'a str,
    pub workstation: &'a str,
}

impl<'a> By<'a> {
    pub fn new(actor: &'a str, workstation: &'a str) -> By<'a> {
        By { actor, workstation }
    }
}

/// Records `by`'s change in the transaction `conn` has open. `detail` is JSON (before and
/// after where the operation reads them anyway).
pub(crate) fn record(
    conn: &Connection,
    by: By<'_>,
    action: &str,
    subject: &str,
    detail: &serde_json::Value,
) -> Result<()> {
    debug_assert!(!conn.is_autocommit(), "an audit entry is written inside its change's transaction");
    audit_in(conn, by.actor, by.workstation, action, subject, &detail.to_string())
}

/// Runs `change` in one immediate transaction: the caller's if `conn` is already inside one (a
/// capture or oversight `Tx`), else its own, committed when `change` succeeds.
pub(crate) fn atomic<T>(conn: &Connection, change: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
    if !conn.is_autocommit() {
        return change(conn);
    }
    let tx = immediate(conn)?;
    let value = change(&tx)?;
    tx.commit()?;
    Ok(value)
}

pub(crate) fn append_entry(tx: &Connection, entry: &AuditEntry) -> Result<()> {
    append_entry_after(tx, entry, &mut None)
}

/// Appends after `head`, the chain's last (seq, hash) when the caller already knows it (a
/// batch inside one transaction), and leaves the new head there.
pub(crate) fn append_entry_after(
    tx: &Connection,
    entry: &AuditEntry,
    head: &mut Option<(i64, String)>,
) -> Result<()> {
    let last = match head.take() {
        Some(known) => Some(known),
        None => tx
            .prepare_cached("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")?
            .query_row([], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?,
    };
    let (seq, prev_hash) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS.to_string()),
    };
    let hash = entry_hash(&prev_hash, seq, entry);
    tx.prepare_cached(
        "INSERT INTO audit (seq, at, actor, workstation, action, subject, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        seq,
        entry.at,
        entry.actor,
        entry.workstation,
        entry.action,
        entry.subject,
        entry.detail,
        prev_hash,
        hash
    ])?;
    *head = Some((seq, hash));
    Ok(())
}

impl Store {
    /// Records a non-stock action (a sign-in, an approval, a settings change) in the chain.
    pub fn audit(
        &mut self,
        actor: &str,
        workstation: &str,
        action: &str,
        subject: &str,
        detail: &str,
    ) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        audit_in(&tx, actor, workstation, action, subject, detail)?;
        tx.commit()?;
        Ok(())
    }

    /// Records an entry inside the caller's own transaction: the hub crate audits what it
    /// applies from the hub in the transaction that applies it, so neither lands without the other.
    pub fn audit_in_transaction(
        tx: &Transaction<'_>,
        actor: &str,
        workstation: &str,
        action: &str,
        subject: &str,
        detail: &str,
    ) -> Result<()> {
        audit_in(tx, actor, workstation, action, subject, detail)
    }

    /// Walks the chain in order and names the first entry that does not hold: a wrong
    /// `prev_hash` (a row deleted or moved), a wrong `hash` (a row edited), a gap in `seq`, or
    /// an event whose body no longer matches the hash its entry recorded.
    pub fn verify_audit(&self) -> Result<AuditReport> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, at, actor, workstation, action, subject, detail, prev_hash, hash FROM audit ORDER BY seq",
        )?;
        let mut rows = stmt.query([])?;
        let mut expected_prev = GENESIS.to_string();
        let mut expected_seq = 1;
        let mut entries = 0;
        while let Some(row) = rows.next()? {
            entries += 1;
            let seq: i64 = row.get(0)?;
            let entry = AuditEntry {
                at: row.get(1)?,
                actor: row.get(2)?,
                workstation: row.get(3)?,
                action: row.get(4)?,
                subject: row.get(5)?,
                detail: row.get(6)?,
            };
            let prev_hash: String = row.get(7)?;
            let hash: String = row.get(8)?;
            let broken = |reason: &str| {
                Ok(AuditReport { entries, first_break: Some(AuditBreak { seq, reason: reason.into() }) })
            };
            if seq != expected_seq {
                return broken(&format!("entry {expected_seq} is missing"));
            }
            if prev_hash != expected_prev {
                return broken(
                    "its previous hash does not match the entry before it (a row was deleted or moved)",
                );
            }
            if hash != entry_hash(&prev_hash, seq, &entry) {
                return broken("its hash does not match its content (the row was edited)");
            }
            if entry.action.starts_with("event.") && !self.event_matches(&entry.subject, &entry.detail)? {
                return broken(&format!(
                    "event {} does not match the body this entry recorded",
                    entry.subject
                ));
            }
            expected_prev = hash;
            expected_seq += 1;
        }
        if let Some(version) = self.hub_master_without_audit()? {
            return Ok(AuditReport {
                entries,
                first_break: Some(AuditBreak {
                    seq: expected_seq,
                    reason: format!("master data {version} came from the hub without an audit entry"),
                }),
            });
        }
        if let Some(orphan) = self.event_without_audit()? {
            let seq = expected_seq;
            return Ok(AuditReport {
                entries,
                first_break: Some(AuditBreak {
                    seq,
                    reason: format!("event {orphan} has no audit entry (the chain was cut short)"),
                }),
            });
        }
        Ok(AuditReport { entries, first_break: None })
    }

    fn event_matches(&self, id: &str, recorded_hash: &str) -> Result<bool> {
        let body: Option<(String, String)> = self
            .conn
            .prepare_cached("SELECT body, body_hash FROM events WHERE id = ?1")?
            .query_row([id], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?;
        Ok(match body {
            Some((body, body_hash)) => {
                body_hash == recorded_hash && hex::encode(Sha256::digest(body.as_bytes())) == recorded_hash
            }
            None => false,
        })
    }

    /// A master-data version another workstation wrote and this one applied from the hub (the
    /// hub crate keeps them in `hub_master_versions`) must have its `hub.master` entry, naming
    /// the same time and workstation.
    fn hub_master_without_audit(&self) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT v.kind || ' ' || v.key FROM hub_master_versions v, hub_config c
                 WHERE v.workstation <> c.workstation
                   AND (v.kind || ' ' || v.key, v.changed_at, v.workstation) NOT IN (
                       SELECT subject, detail ->> '$.changed_at', detail ->> '$.workstation'
                       FROM audit WHERE action = 'hub.master')
                 LIMIT 1",
                [],
                |row| row.get(0),
            )
            .optional()?)
    }

    fn event_without_audit(&self) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM events WHERE id NOT IN (SELECT subject FROM audit WHERE action LIKE 'event.%') ORDER BY seq LIMIT 1",
                [],
                |row| row.get(0),
            )
            .optional()?)
    }
}

pub(crate) fn audit_in(
    tx: &Connection,
    actor: &str,
    workstation: &str,
    action: &str,
    subject: &str,
    detail: &str,
) -> Result<()> {
    let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    append_entry(
        tx,
        &AuditEntry {
            at,
            actor: actor.into(),
            workstation: workstation.into(),
            action: action.into(),
            subject: subject.into(),
            detail: detail.into(),
        },
    )
}
