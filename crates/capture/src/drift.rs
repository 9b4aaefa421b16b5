//! Drift audits: the top SKUs by velocity (units sold in the last 30 days) compared against
//! every channel's own quantity, read back live; a variance above 2 units is flagged.

use std::path::Path;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use rusqlite::{Connection, params};
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
