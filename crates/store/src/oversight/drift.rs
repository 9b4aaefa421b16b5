//! `drift_runs` and `drift_rows`: stored drift audits (what each channel showed against what
//! the engine expects), and the sales velocity that picks the SKUs to audit.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Db, immediate};
use crate::Result;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SkuVelocity {
    pub sku: String,
    pub units: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DriftRow {
    pub sku: String,
    pub channel: String,
    pub location: Option<String>,
    pub velocity_30d: i64,
    pub expected: i64,
    pub channel_qty: Option<i64>,
    pub variance: Option<i64>,
    pub flagged: bool,
}

/// A stored run's summary; `scope` is `top`, `full` or `manual`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunRow {
    pub id: i64,
    pub scope: String,
    pub top: i64,
    pub started_at: String,
    pub finished_at: String,
    pub checked: i64,
    pub flagged: i64,
    /// `all`, or `flagged` when only the flagged rows were kept.
    pub rows_kept: String,
    pub actor: String,
}

/// The `n` SKUs with the most sold units recorded since `since` (ties and unsold SKUs by SKU).
pub fn top_skus(db: &impl Db, n: usize, since: &str) -> Result<Vec<SkuVelocity>> {
    Ok(db
        .conn()
        .prepare_cached(
            "SELECT i.sku, ifnull((SELECT sum(json_extract(e.body, '$.qty')) FROM events e
                                   WHERE e.sku = i.sku AND e.kind = 'sale' AND e.recorded_at >= ?1), 0) AS units
             FROM items i ORDER BY units DESC, i.sku LIMIT ?2",
        )?
        .query_map(params![since, n as i64], |r| Ok(SkuVelocity { sku: r.get(0)?, units: r.get(1)? }))?
        .collect::<Result<_, _>>()?)
}

/// Items in the catalogue.
pub fn item_count(db: &impl Db) -> Result<i64> {
    Ok(db.conn().query_row("SELECT count(*) FROM items", [], |r| r.get(0))?)
}

/// Stores a finished run with the rows it keeps and deletes runs started before `prune_before`
/// and all but the newest `keep_runs`, in one transaction; returns the run's id. `run.id` is
/// ignored.
pub fn record(
    db: &impl Db,
    run: &RunRow,
    rows: &[&DriftRow],
    prune_before: &str,
    keep_runs: i64,
) -> Result<i64> {
    let tx = immediate(db.conn())?;
    tx.execute(
        "INSERT INTO drift_runs (scope, top, started_at, finished_at, checked, flagged, rows_kept, actor)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            run.scope,
            run.top,
            run.started_at,
            run.finished_at,
            run.checked,
            run.flagged,
            run.rows_kept,
            run.actor
        ],
    )?;
    let run_id = tx.last_insert_rowid();
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO drift_rows (run_id, sku, channel, location, velocity_30d, expected, channel_qty, variance, flagged)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        for row in rows {
            insert.execute(params![
                run_id,
                row.sku,
                row.channel,
                row.location,
                row.velocity_30d,
                row.expected,
                row.channel_qty,
                row.variance,
                row.flagged
            ])?;
        }
    }
    tx.execute(
        "DELETE FROM drift_rows WHERE run_id IN (SELECT id FROM drift_runs WHERE started_at < ?1)",
        [prune_before],
    )?;
    tx.execute("DELETE FROM drift_runs WHERE started_at < ?1", [prune_before])?;
    let beyond = "SELECT id FROM drift_runs ORDER BY started_at DESC, id DESC LIMIT -1 OFFSET ?1";
    tx.execute(&format!("DELETE FROM drift_rows WHERE run_id IN ({beyond})"), [keep_runs.max(1)])?;
    tx.execute(&format!("DELETE FROM drift_runs WHERE id IN ({beyond})"), [keep_runs.max(1)])?;
    tx.commit()?;
    Ok(run_id)
}

const RUN_COLUMNS: &str = "id, scope, top, started_at, finished_at, checked, flagged, rows_kept, actor";

fn run_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RunRow> {
    Ok(RunRow {
        id: r.get(0)?,
        scope: r.get(1)?,
        top: r.get(2)?,
        started_at: r.get(3)?,
        finished_at: r.get(4)?,
        checked: r.get(5)?,
        flagged: r.get(6)?,
        rows_kept: r.get(7)?,
        actor: r.get(8)?,
    })
}

/// Stored runs, newest first, at most `limit`.
pub fn history(db: &impl Db, limit: i64) -> Result<Vec<RunRow>> {
    let sql = format!("SELECT {RUN_COLUMNS} FROM drift_runs ORDER BY started_at DESC, id DESC LIMIT ?1");
    Ok(db.conn().prepare_cached(&sql)?.query_map([limit], run_row)?.collect::<Result<Vec<_>, _>>()?)
}

/// One stored run with its kept rows (flagged first, then by velocity), if there is such a run.
pub fn run(db: &impl Db, run_id: i64) -> Result<Option<(RunRow, Vec<DriftRow>)>> {
    let conn = db.conn();
    let sql = format!("SELECT {RUN_COLUMNS} FROM drift_runs WHERE id = ?1");
    let Some(run) = conn.prepare_cached(&sql)?.query_row([run_id], run_row).optional()? else {
        return Ok(None);
    };
    let rows = conn
        .prepare_cached(
            "SELECT sku, channel, location, velocity_30d, expected, channel_qty, variance, flagged
             FROM drift_rows WHERE run_id = ?1 ORDER BY flagged DESC, velocity_30d DESC, sku, channel",
        )?
        .query_map([run_id], |r| {
            Ok(DriftRow {
                sku: r.get(0)?,
                channel: r.get(1)?,
                location: r.get(2)?,
                velocity_30d: r.get(3)?,
                expected: r.get(4)?,
                channel_qty: r.get(5)?,
                variance: r.get(6)?,
                flagged: r.get(7)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some((run, rows)))
}
