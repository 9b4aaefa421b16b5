//! Drift audits: the top SKUs by velocity (units sold in the last 30 days) compared against
//! every channel's own quantity, read back live; a variance above 2 units is flagged.

use std::path::Path;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::Serialize;
use shelfsync_channels::{Channel, RemoteListing};
use shelfsync_store::Store;
use shelfsync_store::channels::listings;
use shelfsync_store::oversight::Db;
use shelfsync_store::oversight::drift::{self as stored, RunRow};
use shelfsync_sync::credentials::Secrets;

use crate::{CaptureError, Result, poll};

/// The guide's figures: the top 50 SKUs; a variance above 2 units is flagged.
pub const DEFAULT_TOP: usize = 50;
pub const FLAG_ABOVE_UNITS: i64 = 2;
/// Largest --top accepted (a full-catalogue diff is a different, weekly job).
pub const MAX_TOP: usize = 10_000;
const VELOCITY_DAYS: i64 = 30;

pub use shelfsync_store::oversight::drift::{DriftRow, SkuVelocity};

/// The `n` SKUs that sold most in the last 30 days (ties and unsold SKUs by SKU).
pub fn top_skus(db: &impl Db, n: usize, at: DateTime<Utc>) -> Result<Vec<SkuVelocity>> {
    let since = (at - Duration::days(VELOCITY_DAYS)).to_rfc3339_opts(SecondsFormat::Millis, true);
    Ok(stored::top_skus(db, n, &since)?)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DriftReport {
    pub top: usize,
    pub checked: usize,
    pub flagged: usize,
    pub rows: Vec<DriftRow>,
}

pub async fn report(db_path: &Path, secrets: &Secrets, top: usize) -> Result<DriftReport> {
    report_at(db_path, secrets, top, Utc::now()).await
}

/// [`report`] as at `at`: the velocity that picks the SKUs is the 30 days before `at` (the
/// service passes the time its job started; tests pass their own clock).
pub async fn report_at(
    db_path: &Path,
    secrets: &Secrets,
    top: usize,
    at: DateTime<Utc>,
) -> Result<DriftReport> {
    if top == 0 || top > MAX_TOP {
        return Err(CaptureError::Invalid(format!("--top must be 1 to {MAX_TOP}")));
    }
    let store = Store::open(db_path)?;
    let skus = top_skus(&store, top, at)?;
    report_on(db_path, secrets, &store, skus, top).await
}

/// The weekly whole-catalogue audit: every item, by velocity. Not bounded by [`MAX_TOP`]: it runs
/// in the service's background, paced by each channel's read limit, not at a terminal.
pub async fn report_full(db_path: &Path, secrets: &Secrets) -> Result<DriftReport> {
    report_full_at(db_path, secrets, Utc::now()).await
}

/// [`report_full`] as at `at`.
pub async fn report_full_at(db_path: &Path, secrets: &Secrets, at: DateTime<Utc>) -> Result<DriftReport> {
    let store = Store::open(db_path)?;
    let items = stored::item_count(&store)?;
    let top = usize::try_from(items).unwrap_or(0).max(1);
    let skus = top_skus(&store, top, at)?;
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
    for channel in poll::select_channels(store, None)? {
        let client = poll::client(db_path, secrets, &channel)?;
        let mut listings = Vec::new();
        for sku in &skus {
            let found = listings::of_sku_on_channel_by_id(store, &channel.name, &sku.sku)?;
            listings.extend(found.into_iter().map(|l| (sku.clone(), l)));
        }
        for chunk in listings.chunks(client.limits().max_read.max(1)) {
            let remote: Vec<RemoteListing> = chunk
                .iter()
                .map(|(_, l)| RemoteListing {
                    item: l.remote_item.clone(),
                    location: l.remote_location.clone(),
                })
                .collect();
            let levels = crate::reconcile::read_all(&client, &remote).await?;
            for ((sku, listings::SkuListing { id, location, .. }), level) in chunk.iter().zip(levels) {
                let expected = store.allocation_for(*id)?.qty;
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

/// Most runs kept, whatever their age: the service's quarter is 92 daily and 14 weekly runs, so
/// 500 leaves room for about four manual runs a day; a top-50 run on three channels keeps 150
/// rows, so the history stays under 75,000 rows (a few MB) even if someone scripts audits.
pub const MAX_RUNS: i64 = 500;

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

/// Stores a finished audit in one transaction and prunes runs older than [`HISTORY_DAYS`] and
/// beyond the newest [`MAX_RUNS`].
pub fn record(
    db: &impl Db,
    scope: DriftScope,
    report: &DriftReport,
    started_at: DateTime<Utc>,
    finished_at: DateTime<Utc>,
    actor: &str,
) -> Result<i64> {
    use shelfsync_sync::queue::stamp;
    let rows_kept = if scope.keeps_every_row() { "all" } else { "flagged" };
    let run = RunRow {
        id: 0,
        scope: scope.as_str().to_string(),
        top: report.top as i64,
        started_at: stamp(started_at),
        finished_at: stamp(finished_at),
        checked: report.checked as i64,
        flagged: report.flagged as i64,
        rows_kept: rows_kept.to_string(),
        actor: actor.to_string(),
    };
    let kept: Vec<&DriftRow> = report.rows.iter().filter(|r| scope.keeps_every_row() || r.flagged).collect();
    let cutoff = stamp(finished_at - Duration::days(HISTORY_DAYS));
    Ok(stored::record(db, &run, &kept, &cutoff, MAX_RUNS)?)
}

impl From<RunRow> for DriftRun {
    fn from(r: RunRow) -> DriftRun {
        DriftRun {
            id: r.id,
            scope: DriftScope::parse(&r.scope).unwrap_or(DriftScope::Manual),
            top: r.top as usize,
            started_at: r.started_at,
            finished_at: r.finished_at,
            checked: r.checked as usize,
            flagged: r.flagged as usize,
            rows_kept: r.rows_kept,
            actor: r.actor,
        }
    }
}

/// The stored runs, newest first (at most `limit`, which is capped at 1,000).
pub fn history(db: &impl Db, limit: usize) -> Result<Vec<DriftRun>> {
    let limit = limit.clamp(1, 1_000) as i64;
    Ok(stored::history(db, limit)?.into_iter().map(DriftRun::from).collect())
}

/// One stored run with the rows it kept; `None` when there is no such run.
pub fn stored_run(db: &impl Db, run_id: i64) -> Result<Option<(DriftRun, DriftReport)>> {
    let Some((run, rows)) = stored::run(db, run_id)? else {
        return Ok(None);
    };
    let run = DriftRun::from(run);
    let report = DriftReport { top: run.top, checked: run.checked, flagged: run.flagged, rows };
    Ok(Some((run, report)))
}

/// The newest stored run with its rows, if any audit has run.
pub fn latest(db: &impl Db) -> Result<Option<(DriftRun, DriftReport)>> {
    match history(db, 1)?.first() {
        Some(run) => stored_run(db, run.id),
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
