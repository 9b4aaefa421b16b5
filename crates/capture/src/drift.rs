//! Drift audits: the top SKUs by velocity (units sold in the last 30 days) compared against
//! every channel's own quantity, read back live; a variance above 2 units is flagged.

use std::path::Path;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use shelfsync_channels::{Channel, RemoteListing};
use shelfsync_store::Store;
use shelfsync_store::outbox::allocation_for;
use shelfsync_sync::credentials::Secrets;

use crate::{CaptureError, Result, poll};

/// The guide's figures: the top 50 SKUs; a variance above 2 units is flagged.
pub const DEFAULT_TOP: usize = 50;
pub const FLAG_ABOVE_UNITS: i64 = 2;
/// Largest --top accepted (a full-catalogue diff is a different, weekly job).
pub const MAX_TOP: usize = 10_000;
const VELOCITY_DAYS: i64 = 30;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SkuVelocity {
    pub sku: String,
    pub units: i64,
}

/// The `n` SKUs that sold most in the last 30 days (ties and unsold SKUs by SKU).
pub fn top_skus(conn: &Connection, n: usize, at: DateTime<Utc>) -> Result<Vec<SkuVelocity>> {
    let since = (at - Duration::days(VELOCITY_DAYS)).to_rfc3339_opts(SecondsFormat::Millis, true);
    Ok(conn
        .prepare_cached(
            "SELECT i.sku, ifnull((SELECT sum(json_extract(e.body, '$.qty')) FROM events e
                                   WHERE e.sku = i.sku AND e.kind = 'sale' AND e.recorded_at >= ?1), 0) AS units
             FROM items i ORDER BY units DESC, i.sku LIMIT ?2",
        )?
        .query_map(params![since, n as i64], |r| Ok(SkuVelocity { sku: r.get(0)?, units: r.get(1)? }))?
        .collect::<Result<_, _>>()?)
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

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DriftReport {
    pub top: usize,
    pub checked: usize,
    pub flagged: usize,
    pub rows: Vec<DriftRow>,
}

pub async fn report(db_path: &Path, secrets: &Secrets, top: usize) -> Result<DriftReport> {
    if top == 0 || top > MAX_TOP {
        return Err(CaptureError::Invalid(format!("--top must be 1 to {MAX_TOP}")));
    }
    let store = Store::open(db_path)?;
    let skus = top_skus(store.connection(), top, Utc::now())?;
    report_on(db_path, secrets, &store, skus, top).await
}

/// The weekly whole-catalogue audit: every item, by velocity. Not bounded by [`MAX_TOP`]: it runs
/// in the service's background, paced by each channel's read limit, not at a terminal.
pub async fn report_full(db_path: &Path, secrets: &Secrets) -> Result<DriftReport> {
    let store = Store::open(db_path)?;
    let items: i64 = store.connection().query_row("SELECT count(*) FROM items", [], |r| r.get(0))?;
    let top = usize::try_from(items).unwrap_or(0).max(1);
    let skus = top_skus(store.connection(), top, Utc::now())?;
    report_on(db_path, secrets, &store, skus, top).await
}

async fn report_on(
    db_path: &Path,
    secrets: &Secrets,
    store: &Store,
    skus: Vec<SkuVelocity>,
    top: usize,
) -> Result<DriftReport> {
    let mut rows = Vec::new();
    for channel in poll::select_channels(&store, None)? {
        let client = poll::client(db_path, secrets, &channel)?;
        let mut listings = Vec::new();
        for sku in &skus {
            let found: Vec<(i64, Option<String>, String, Option<String>)> = store
                .connection()
                .prepare_cached("SELECT id, location, remote_item, remote_location FROM listings WHERE channel = ?1 AND sku = ?2 ORDER BY id")?
                .query_map(params![channel.name, sku.sku], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect::<Result<_, _>>()?;
            listings.extend(found.into_iter().map(|l| (sku.clone(), l)));
        }
        for chunk in listings.chunks(client.limits().max_read.max(1)) {
            let remote: Vec<RemoteListing> = chunk
                .iter()
                .map(|(_, l)| RemoteListing { item: l.2.clone(), location: l.3.clone() })
                .collect();
            let levels = crate::reconcile::read_all(&client, &remote).await?;
            for ((sku, (id, location, _, _)), level) in chunk.iter().zip(levels) {
                let expected = allocation_for(store.connection(), *id)?.qty;
                let variance = level.map(|q| q - expected);
                rows.push(DriftRow {
                    sku: sku.sku.clone(),
                    channel: channel.name.clone(),
                    location: location.clone(),
                    velocity_30d: sku.units,
                    expected,
                    channel_qty: level,
                    variance,
                    flagged: variance.is_none_or(|v| v.abs() > FLAG_ABOVE_UNITS),
                });
            }
        }
    }
    Ok(DriftReport { top, checked: rows.len(), flagged: rows.iter().filter(|r| r.flagged).count(), rows })
}

/// Which audit a stored run was: the service's daily top-N, its weekly whole catalogue, or one a
/// person ran (the app's "Run drift audit", `shelfsync drift report`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DriftScope {
    Top,
    Full,
    Manual,
}

impl DriftScope {
    pub fn as_str(self) -> &'static str {
        match self {
            DriftScope::Top => "top",
            DriftScope::Full => "full",
            DriftScope::Manual => "manual",
        }
    }

    fn parse(text: &str) -> Option<DriftScope> {
        [DriftScope::Top, DriftScope::Full, DriftScope::Manual].into_iter().find(|s| s.as_str() == text)
    }

    /// Whole-catalogue runs keep only their flagged rows (see migration 12).
    fn keeps_every_row(self) -> bool {
        self != DriftScope::Full
    }
}

/// How long stored audits are kept: a quarter covers the monthly pattern reviews with room.
pub const HISTORY_DAYS: i64 = 92;

/// One stored audit run (its rows come with [`stored_run`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DriftRun {
    pub id: i64,
    pub scope: DriftScope,
    pub top: usize,
    pub started_at: String,
    pub finished_at: String,
    pub checked: usize,
    pub flagged: usize,
    /// `all`, or `flagged` when only the flagged rows were kept.
    pub rows_kept: String,
    pub actor: String,
}

/// Stores a finished audit in one transaction and prunes runs older than [`HISTORY_DAYS`].
pub fn record(
    conn: &Connection,
    scope: DriftScope,
    report: &DriftReport,
    started_at: DateTime<Utc>,
    finished_at: DateTime<Utc>,
    actor: &str,
) -> Result<i64> {
    use shelfsync_sync::queue::stamp;
    let tx = crate::orders::immediate(conn)?;
    let rows_kept = if scope.keeps_every_row() { "all" } else { "flagged" };
    tx.execute(
        "INSERT INTO drift_runs (scope, top, started_at, finished_at, checked, flagged, rows_kept, actor)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            scope.as_str(),
            report.top as i64,
            stamp(started_at),
            stamp(finished_at),
            report.checked as i64,
            report.flagged as i64,
            rows_kept,
            actor
        ],
    )?;
    let run_id = tx.last_insert_rowid();
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO drift_rows (run_id, sku, channel, location, velocity_30d, expected, channel_qty, variance, flagged)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        for row in report.rows.iter().filter(|r| scope.keeps_every_row() || r.flagged) {
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
    let cutoff = stamp(finished_at - Duration::days(HISTORY_DAYS));
    tx.execute(
        "DELETE FROM drift_rows WHERE run_id IN (SELECT id FROM drift_runs WHERE started_at < ?1)",
        [&cutoff],
    )?;
    tx.execute("DELETE FROM drift_runs WHERE started_at < ?1", [&cutoff])?;
    tx.commit()?;
    Ok(run_id)
}

const RUN_COLUMNS: &str = "id, scope, top, started_at, finished_at, checked, flagged, rows_kept, actor";

fn run_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DriftRun> {
    let scope: String = r.get(1)?;
    Ok(DriftRun {
        id: r.get(0)?,
        scope: DriftScope::parse(&scope).unwrap_or(DriftScope::Manual),
        top: r.get::<_, i64>(2)? as usize,
        started_at: r.get(3)?,
        finished_at: r.get(4)?,
        checked: r.get::<_, i64>(5)? as usize,
        flagged: r.get::<_, i64>(6)? as usize,
        rows_kept: r.get(7)?,
        actor: r.get(8)?,
    })
}

/// The stored runs, newest first (at most `limit`, which is capped at 1,000).
pub fn history(conn: &Connection, limit: usize) -> Result<Vec<DriftRun>> {
    let limit = limit.clamp(1, 1_000) as i64;
    let sql = format!("SELECT {RUN_COLUMNS} FROM drift_runs ORDER BY started_at DESC, id DESC LIMIT ?1");
    let runs = conn.prepare_cached(&sql)?.query_map([limit], run_from_row)?.collect::<Result<Vec<_>, _>>()?;
    Ok(runs)
}

/// One stored run with the rows it kept; `None` when there is no such run.
pub fn stored_run(conn: &Connection, run_id: i64) -> Result<Option<(DriftRun, DriftReport)>> {
    let sql = format!("SELECT {RUN_COLUMNS} FROM drift_runs WHERE id = ?1");
    let Some(run) = conn.prepare_cached(&sql)?.query_row([run_id], run_from_row).optional()? else {
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
    let report = DriftReport { top: run.top, checked: run.checked, flagged: run.flagged, rows };
    Ok(Some((run, report)))
}

/// The newest stored run with its rows, if any audit has run.
pub fn latest(conn: &Connection) -> Result<Option<(DriftRun, DriftReport)>> {
    match history(conn, 1)?.first() {
        Some(run) => stored_run(conn, run.id),
        None => Ok(None),
    }
}

/// The report as CSV (header: sku,channel,location,velocity_30d,expected,channel_qty,variance,flagged).
pub fn to_csv(report: &DriftReport) -> String {
    let mut out = String::from("sku,channel,location,velocity_30d,expected,channel_qty,variance,flagged\n");
    let opt = |v: Option<i64>| v.map_or(String::new(), |v| v.to_string());
    for r in &report.rows {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{}\n",
            csv_field(&r.sku),
            csv_field(&r.channel),
            csv_field(r.location.as_deref().unwrap_or("")),
            r.velocity_30d,
            r.expected,
            opt(r.channel_qty),
            opt(r.variance),
            r.flagged
        ));
    }
    out
}

fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}
