//! `webhook_inbox` (deliveries stored before they are answered, processed later) and
//! `webhook_level_marks` (the newest level update applied per listing).

use rusqlite::{OptionalExtension, params};

use super::{Db, immediate};
use crate::Result;

/// A verified delivery to store.
#[derive(Clone, Debug)]
pub struct Delivery<'a> {
    pub channel: &'a str,
    pub event_id: &'a str,
    pub topic: &'a str,
    pub body: &'a str,
    pub body_sha256: &'a str,
}

/// A stored delivery waiting to be processed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiting {
    pub id: i64,
    pub channel: String,
    pub topic: String,
    pub body: String,
}

/// Stores a group of deliveries in one transaction; per delivery, whether it is new (a
/// duplicate of a stored one is ignored).
pub fn store_group(db: &impl Db, group: &[Delivery<'_>], received_at: &str) -> Result<Vec<bool>> {
    let tx = immediate(db.conn())?;
    let mut inserted = Vec::with_capacity(group.len());
    {
        let mut insert = tx.prepare_cached(
            "INSERT OR IGNORE INTO webhook_inbox (channel, event_id, topic, body, body_sha256, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for d in group {
            inserted.push(
                insert.execute(params![
                    d.channel,
                    d.event_id,
                    d.topic,
                    d.body,
                    d.body_sha256,
                    received_at
                ])? == 1,
            );
        }
    }
    tx.commit()?;
    Ok(inserted)
}

/// Fills in the body hash of rows stored before it was kept, `batch` rows per transaction;
/// returns how many rows it read.
pub fn backfill_body_hashes(db: &impl Db, batch: usize, hash: impl Fn(&[u8]) -> String) -> Result<usize> {
    let conn = db.conn();
    let mut done = 0;
    let mut after = 0_i64;
    loop {
        let tx = immediate(conn)?;
        let rows: Vec<(i64, String)> = tx
            .prepare("SELECT id, body FROM webhook_inbox WHERE body_sha256 IS NULL AND id > ?1 ORDER BY id LIMIT ?2")?
            .query_map(params![after, batch as i64], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (id, body) in &rows {
            tx.execute(
                "UPDATE OR IGNORE webhook_inbox SET body_sha256 = ?2 WHERE id = ?1",
                params![id, hash(body.as_bytes())],
            )?;
        }
        tx.commit()?;
        done += rows.len();
        match rows.last() {
            Some((id, _)) if rows.len() == batch => after = *id,
            _ => return Ok(done),
        }
    }
}

/// Deletes up to `batch` deliveries processed before `cutoff`, oldest first.
pub fn prune(db: &impl Db, cutoff: &str, batch: usize) -> Result<usize> {
    Ok(db.conn().execute(
        "DELETE FROM webhook_inbox WHERE id IN (
             SELECT id FROM webhook_inbox WHERE processed_at IS NOT NULL AND processed_at < ?1
             ORDER BY processed_at LIMIT ?2)",
        params![cutoff, batch as i64],
    )?)
}

/// The oldest unprocessed deliveries, at most `limit`.
pub fn waiting(db: &impl Db, limit: usize) -> Result<Vec<Waiting>> {
    Ok(db
        .conn()
        .prepare_cached(
            "SELECT id, channel, topic, body FROM webhook_inbox WHERE processed_at IS NULL ORDER BY id LIMIT ?1",
        )?
        .query_map([limit as i64], |r| Ok(Waiting { id: r.get(0)?, channel: r.get(1)?, topic: r.get(2)?, body: r.get(3)? }))?
        .collect::<Result<_, _>>()?)
}

/// Unprocessed deliveries.
pub fn waiting_count(db: &impl Db) -> Result<i64> {
    Ok(db
        .conn()
        .query_row("SELECT count(*) FROM webhook_inbox WHERE processed_at IS NULL", [], |r| r.get(0))?)
}

/// Marks deliveries processed at `stamp` with their outcomes: (id, outcome).
pub fn mark_processed(db: &impl Db, outcomes: &[(i64, String)], stamp: &str) -> Result<()> {
    let conn = db.conn();
    for (id, outcome) in outcomes {
        conn.prepare_cached("UPDATE webhook_inbox SET processed_at = ?2, outcome = ?3 WHERE id = ?1")?
            .execute(params![id, stamp, outcome])?;
    }
    Ok(())
}

/// The `updated_at` of the newest level update applied to the listing.
pub fn level_mark(db: &impl Db, listing_id: i64) -> Result<Option<String>> {
    Ok(db
        .conn()
        .prepare_cached("SELECT updated_at FROM webhook_level_marks WHERE listing_id = ?1")?
        .query_row([listing_id], |r| r.get(0))
        .optional()?)
}

pub fn set_level_mark(db: &impl Db, listing_id: i64, updated_at: &str) -> Result<()> {
    db.conn()
        .prepare_cached(
            "INSERT INTO webhook_level_marks (listing_id, updated_at) VALUES (?1, ?2)
             ON CONFLICT (listing_id) DO UPDATE SET updated_at = excluded.updated_at",
        )?
        .execute(params![listing_id, updated_at])?;
    Ok(())
}
