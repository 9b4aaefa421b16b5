//! The figures the scorecard (capture's `scorecard`, the guide's Quick Reference) reads that no
//! other module already gives: the last reconciliation and drift audit, Amazon's sales and
//! cancellations, and the channel sales of a period with the units they oversold.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, params};
use shelfsync_core::{Event, Movement};

use super::Db;
use crate::{Result, StoreError};

/// Most events walked back to count a period's oversells: a scorecard answers in seconds, and
/// this is months of a busy warehouse's events. A longer period is refused, not cut short.
pub const MAX_EVENTS_WALKED: i64 = 500_000;

/// When the last reconciliation run (any channel) was stored.
pub fn last_reconciliation_at(db: &impl Db) -> Result<Option<String>> {
    Ok(db.conn().query_row("SELECT max(at) FROM reconcile_runs", [], |r| r.get(0)).optional()?.flatten())
}

/// When the last drift audit finished.
pub fn last_drift_audit_at(db: &impl Db) -> Result<Option<String>> {
    Ok(db.conn().query_row("SELECT max(finished_at) FROM drift_runs", [], |r| r.get(0)).optional()?.flatten())
}

/// Order lines booked from Amazon channels since `since`: (sale lines, cancellation lines).
pub fn amazon_sales_and_cancellations(db: &impl Db, since: &str) -> Result<(i64, i64)> {
    Ok(db.conn().query_row(
        "SELECT ifnull(sum(e.kind = 'sale'), 0), ifnull(sum(e.kind = 'cancel'), 0)
         FROM events e JOIN channels c ON json_extract(e.body, '$.actor') = 'channel:' || c.name
         WHERE c.kind = 'amazon' AND e.kind IN ('sale', 'cancel') AND e.occurred_at >= ?1",
        [since],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// Units sold by the channels since `since`, and how many of them were oversold: for every SKU
/// with a channel sale in the period, its events are walked back from today's balances
/// (`shelfsync_core::scorecard::oversold_units`), so the period's events are read, not the
/// whole history. Refused when that is more than [`MAX_EVENTS_WALKED`] events.
pub fn channel_sales_oversold(db: &impl Db, since: &str) -> Result<(i64, i64)> {
    let conn = db.conn();
    let first: Option<i64> = conn
        .query_row(
            "SELECT min(seq) FROM events WHERE kind = 'sale' AND occurred_at >= ?1
               AND json_extract(body, '$.actor') LIKE 'channel:%'",
            [since],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    let Some(first) = first else { return Ok((0, 0)) };
    let walked: i64 = conn.query_row("SELECT count(*) FROM events WHERE seq >= ?1", [first], |r| r.get(0))?;
    if walked > MAX_EVENTS_WALKED {
        return Err(StoreError::PeriodTooLong { events: walked, max: MAX_EVENTS_WALKED });
    }
    let skus: Vec<String> = conn
        .prepare(
            "SELECT DISTINCT sku FROM events WHERE seq >= ?1 AND kind = 'sale' AND occurred_at >= ?2
               AND json_extract(body, '$.actor') LIKE 'channel:%' ORDER BY sku",
        )?
        .query_map(params![first, since], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let (mut sold, mut oversold) = (0, 0);
    for sku in skus {
        let atp_now: HashMap<String, i64> = conn
            .prepare_cached("SELECT location, atp FROM stock_atp WHERE sku = ?1")?
            .query_map([&sku], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let mut newest_first: Vec<(Movement, bool)> = Vec::new();
        let mut stmt = conn.prepare_cached(
            "SELECT seq, body, occurred_at >= ?3 FROM events WHERE sku = ?1 AND seq >= ?2 ORDER BY seq DESC",
        )?;
        let rows = stmt.query_map(params![sku, first, since], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, bool>(2)?))
        })?;
        for row in rows {
            let (seq, body, in_period) = row?;
            let event: Event = serde_json::from_str(&body)
                .map_err(|e| StoreError::CorruptEvent { seq, reason: e.to_string() })?;
            let counted = in_period
                && event.actor.starts_with("channel:")
                && matches!(event.movement, Movement::Sale { .. });
            newest_first.push((event.movement, counted));
        }
        let (s, o) = shelfsync_core::scorecard::oversold_units(&atp_now, &newest_first);
        sold += s;
        oversold += o;
    }
    Ok((sold, oversold))
}

/// When the first channel was added (`None` without channels): a reconciliation or drift audit
/// that never ran is overdue counted from then (capture's `red_flags`).
pub fn first_channel_at(db: &impl Db) -> Result<Option<String>> {
    Ok(db.conn().query_row("SELECT min(created_at) FROM channels", [], |r| r.get(0)).optional()?.flatten())
}
