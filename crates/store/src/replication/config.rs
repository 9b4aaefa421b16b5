//! The link to the hub (`hub_config`): who this workstation is on which hub, how far each
//! direction of replication has got, and the last thing that went wrong.

use rusqlite::{Connection, OptionalExtension, params};

use super::{immediate, master};
use crate::outbox::now;
use crate::{Result, Store, StoreError};

/// What `hub connect` recorded, and how far replication has got.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HubConfig {
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

/// An event id refused in one direction (`up`: the hub refused it; `down`: this replica did),
/// with why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub event_id: String,
    pub direction: String,
    pub reason: String,
}

/// How many discrepancies and refusals this workstation holds, for the status line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HubCounts {
    pub discrepancies: u64,
    pub refused: u64,
}

pub(super) fn read(conn: &Connection) -> Result<Option<HubConfig>> {
    Ok(conn
        .query_row(
            "SELECT workstation, hub_id, push_watermark, pull_watermark, master_watermark,
                    discrepancy_watermark, last_push, last_pull, last_error, hub_head
             FROM hub_config WHERE id = 1",
            [],
            |r| {
                Ok(HubConfig {
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

/// Records an event id refused in one direction (replacing an earlier refusal of it).
pub(super) fn refuse(conn: &Connection, id: &str, direction: &str, reason: &str) -> Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO hub_refused (event_id, direction, reason, at) VALUES (?1, ?2, ?3, ?4)",
        params![id, direction, reason, now()],
    )?;
    Ok(())
}

impl Store {
    /// The hub link, or None when this database has not joined a hub.
    pub fn hub_config(&self) -> Result<Option<HubConfig>> {
        read(&self.conn)
    }

    /// Records the link to the hub; on the first join, queues every master record as a
    /// snapshot. The caller stores the URL secret inside `before_commit`, so a failure there
    /// leaves nothing. True on the first join.
    pub fn hub_join<E: From<StoreError>>(
        &self,
        workstation: &str,
        hub_id: &str,
        before_commit: impl FnOnce() -> Result<(), E>,
    ) -> Result<bool, E> {
        let tx = immediate(&self.conn).map_err(crate::StoreError::from)?;
        let first = read(&tx)?.is_none();
        if first {
            tx.execute(
                "INSERT INTO hub_config (id, workstation, hub_id, connected_at) VALUES (1, ?1, ?2, ?3)",
                params![workstation, hub_id, now()],
            )
            .map_err(StoreError::from)?;
            master::queue_snapshot(&tx, workstation)?;
        } else {
            tx.execute("UPDATE hub_config SET connected_at = ?1, last_error = NULL WHERE id = 1", [now()])
                .map_err(StoreError::from)?;
        }
        before_commit()?;
        tx.commit().map_err(StoreError::from)?;
        Ok(first)
    }

    /// Events and master records not yet on the hub (0 when not joined).
    pub fn hub_pending_up(&self) -> Result<u64> {
        let Some(config) = read(&self.conn)? else { return Ok(0) };
        let events: i64 = self.conn.query_row(
            "SELECT count(*) FROM events WHERE seq > ?1 AND seq NOT IN (SELECT seq FROM hub_inbound WHERE seq > ?1)",
            [config.push_watermark],
            |r| r.get(0),
        )?;
        let master: i64 = self.conn.query_row("SELECT count(*) FROM hub_master_outbox", [], |r| r.get(0))?;
        Ok((events + master) as u64)
    }

    /// The newest local change (last event seq, last queued master id): when it moves, there
    /// is something to push.
    pub fn hub_change_marker(&self) -> Result<(i64, i64)> {
        Ok(self.conn.query_row(
            "SELECT (SELECT ifnull(max(seq), 0) FROM events), (SELECT ifnull(max(id), 0) FROM hub_master_outbox)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    }

    /// Keeps `message` as the link's last error (cleared by the next good push or join).
    pub fn hub_record_error(&self, message: &str) -> Result<()> {
        self.conn.execute("UPDATE hub_config SET last_error = ?1", [message])?;
        Ok(())
    }

    /// Event ids refused in either direction, oldest first.
    pub fn hub_refused(&self) -> Result<Vec<Refusal>> {
        let mut stmt =
            self.conn.prepare("SELECT event_id, direction, reason FROM hub_refused ORDER BY at")?;
        let rows = stmt.query_map([], |r| {
            Ok(Refusal { event_id: r.get(0)?, direction: r.get(1)?, reason: r.get(2)? })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many discrepancies and refusals are kept here.
    pub fn hub_counts(&self) -> Result<HubCounts> {
        let count =
            |sql: &str| -> Result<u64> { Ok(self.conn.query_row(sql, [], |r| r.get::<_, i64>(0))? as u64) };
        Ok(HubCounts {
            discrepancies: count("SELECT count(*) FROM hub_discrepancies")?,
            refused: count("SELECT count(*) FROM hub_refused")?,
        })
    }
}
