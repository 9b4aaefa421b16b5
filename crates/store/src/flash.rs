//! Flash-sale mode's inputs from the ledger (the rule is core's, `shelfsync_core::flash`): the
//! setting, an item's channel sales within the window, and the units its listings share.
//!
//! Time comes in as a parameter: the outbox passes the time of the computation (the clock in
//! production, a virtual clock in the scenarios), so the window is "the last N seconds" of
//! whoever asks.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use shelfsync_core::flash::{FlashSaleRule, FlashShare, ListingDemand, flash_share};

use crate::channels::queue::stamp;
use crate::oversight::Db;
use crate::{Result, Store};

/// The `settings` key of the rule: `off` (the default when absent) or the rule as JSON.
pub const FLASH_SALE_KEY: &str = "flash_sale";

/// Most of an item's latest events read to count its sales in the window. An item selling
/// fast has its sales among its latest events; the bound keeps every allocation of an item
/// with a long history to one short indexed read (`events_by_sku`), whatever the window.
const MAX_EVENTS_SCANNED: i64 = 2_000;

/// Most items [`release_ended`] re-queues in one call (a bound on one transaction's work).
const MAX_RELEASED: i64 = 1_000;

/// Where a window of `window_secs` ending at `at` starts, as the ledger stores times.
fn window_start(at: DateTime<Utc>, window_secs: u32) -> String {
    stamp(at - chrono::Duration::seconds(i64::from(window_secs)))
}

/// The SKUs with a sale at or after `?1` among the ledger's latest `?2` events: the items a
/// rule change or a dry run looks at.
const RECENT_SALE_SKUS: &str = "SELECT sku FROM events WHERE kind = 'sale' AND occurred_at >= ?1
                                  AND seq > (SELECT ifnull(max(seq), 0) FROM events) - ?2";

/// The rule in force, if flash-sale mode is on.
pub fn rule(conn: &Connection) -> Result<Option<FlashSaleRule>> {
    let raw: Option<String> = conn
        .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([FLASH_SALE_KEY], |r| r.get(0))
        .optional()?;
    match raw {
        None => Ok(None),
        Some(raw) => Ok(FlashSaleRule::parse_setting(&raw)?),
    }
}

/// The item's recent channel sales: (channel, order lines, units) within the window ending at
/// `at`, over its latest [`MAX_EVENTS_SCANNED`] events.
fn channel_sales(conn: &Connection, sku: &str, since: &str) -> Result<Vec<(String, u32, u64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT substr(json_extract(body, '$.actor'), 9), count(*), sum(json_extract(body, '$.qty'))
         FROM (SELECT kind, body, occurred_at FROM events WHERE sku = ?1 ORDER BY seq DESC LIMIT ?3)
         WHERE kind = 'sale' AND occurred_at >= ?2 AND json_extract(body, '$.actor') LIKE 'channel:%'
         GROUP BY 1 ORDER BY 1",
    )?;
    let rows = stmt.query_map(params![sku, since, MAX_EVENTS_SCANNED], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u32, r.get::<_, i64>(2)?.max(0) as u64))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// What every listing of the item shares while it sells fast: its ATP over every location,
/// less safety stock, less the unseen sales open on any of its listings.
fn shared_units(conn: &Connection, sku: &str) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT (SELECT ifnull(sum(atp), 0) FROM stock_atp WHERE sku = ?1)
                  - (SELECT safety_stock FROM items WHERE sku = ?1)
                  + (SELECT ifnull(sum(c.delta), 0) FROM listings l JOIN channel_changes c ON c.listing_id = l.id
                     WHERE l.sku = ?1 AND c.resolved_at IS NULL AND c.delta < 0)",
        )?
        .query_row([sku], |r| r.get(0))?)
}

/// The listing's flash share at `at` under `rule`, or `None` when the item is not selling fast.
pub fn share(
    conn: &Connection,
    rule: FlashSaleRule,
    listing: i64,
    sku: &str,
    at: DateTime<Utc>,
) -> Result<Option<FlashShare>> {
    let since = window_start(at, rule.window_secs);
    let sales = channel_sales(conn, sku, &since)?;
    let sales_in_window: u32 = sales.iter().map(|(_, lines, _)| *lines).sum();
    if !rule.is_selling_fast(sales_in_window) {
        return Ok(None);
    }
    let demands: Vec<ListingDemand> = conn
        .prepare_cached("SELECT id, channel FROM listings WHERE sku = ?1 ORDER BY id")?
        .query_map([sku], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?
        .map(|row| {
            row.map(|(id, channel)| ListingDemand {
                listing: id,
                units_sold: sales.iter().find(|(c, _, _)| *c == channel).map_or(0, |(_, _, units)| *units),
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(flash_share(rule, sales_in_window, shared_units(conn, sku)?, &demands, listing))
}

/// Flash shares at `at` of the channel's listings whose item carries one (none when the mode
/// is off): reconciliation's bulk expectation applies them as the outbox does.
pub fn channel_shares(db: &impl Db, channel: &str, at: DateTime<Utc>) -> Result<Vec<(i64, i64)>> {
    let conn = db.conn();
    let Some(rule) = rule(conn)? else { return Ok(Vec::new()) };
    let listings: Vec<(i64, String)> = conn
        .prepare_cached(
            "SELECT l.id, l.sku FROM listings l JOIN flash_items f ON f.sku = l.sku
             WHERE l.channel = ?1 ORDER BY l.id",
        )?
        .query_map([channel], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut shares = Vec::new();
    for (id, sku) in listings {
        if let Some(share) = share(conn, rule, id, &sku, at)? {
            shares.push((id, share.share));
        }
    }
    Ok(shares)
}

/// Called by the outbox's re-queue with what it just computed: an item is in `flash_items`
/// while its listings carry a share.
pub fn note_share(conn: &Connection, sku: &str, has_share: bool, at: &str) -> Result<()> {
    if has_share {
        conn.prepare_cached("INSERT OR IGNORE INTO flash_items (sku, since) VALUES (?1, ?2)")?
            .execute(params![sku, at])?;
    } else {
        conn.prepare_cached("DELETE FROM flash_items WHERE sku = ?1")?.execute([sku])?;
    }
    Ok(())
}

/// Recomputes every listing of the items that carry a share (at most [`MAX_RELEASED`] items a
/// call; the next minute takes the rest): an item whose sale is over, or whose rule was
/// turned off, gets its channel's rule again. Returns how many listings changed.
pub fn release_ended(conn: &Connection, at: DateTime<Utc>) -> Result<usize> {
    let listings: Vec<i64> = conn
        .prepare_cached(
            "SELECT l.id FROM listings l
             WHERE l.sku IN (SELECT sku FROM flash_items ORDER BY since LIMIT ?1) ORDER BY l.id",
        )?
        .query_map([MAX_RELEASED], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    requeue_at(conn, listings, at)
}

fn requeue_at(conn: &Connection, listings: Vec<i64>, at: DateTime<Utc>) -> Result<usize> {
    let dirty_since = stamp(at);
    let mut changed = 0;
    for id in listings {
        if crate::outbox::requeue_one_at(conn, id, &dirty_since, at)?.is_some() {
            changed += 1;
        }
    }
    Ok(changed)
}

/// After the rule changes: the items that carry a share, and those with a channel sale within
/// `window_secs` before `at` (among the latest [`MAX_EVENTS_SCANNED`] events), are recomputed
/// under the new rule.
pub fn requeue_after_rule_change(conn: &Connection, at: DateTime<Utc>, window_secs: u32) -> Result<usize> {
    let listings: Vec<i64> = conn
        .prepare(&format!(
            "SELECT id FROM listings WHERE sku IN (SELECT sku FROM flash_items) OR sku IN ({RECENT_SALE_SKUS})
             ORDER BY id"
        ))?
        .query_map(params![window_start(at, window_secs), MAX_EVENTS_SCANNED], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    requeue_at(conn, listings, at)
}

/// One listing in a dry run: what it lists now, and what it would list under the rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DryRunRow {
    pub sku: String,
    pub channel: String,
    pub listing: i64,
    pub listed_now: i64,
    pub under_rule: i64,
    pub share: Option<FlashShare>,
}

impl Store {
    /// The flash-sale rule in force (`None`: the mode is off).
    pub fn flash_sale_rule(&self) -> Result<Option<FlashSaleRule>> {
        rule(&self.conn)
    }

    /// Re-queues the listings of items whose flash sale ended by `at` (the service calls it
    /// every minute).
    pub fn release_ended_flash_sales(&self, at: DateTime<Utc>) -> Result<usize> {
        let tx = crate::connection::immediate(&self.conn)?;
        let changed = release_ended(&tx, at)?;
        tx.commit()?;
        Ok(changed)
    }

    /// What `rule` would list at `at` for every listing of the items sold within its window,
    /// beside what the listings get now. Changes nothing.
    pub fn flash_sale_dry_run(&self, rule: FlashSaleRule, at: DateTime<Utc>) -> Result<Vec<DryRunRow>> {
        let listings: Vec<(i64, String, String)> = self
            .conn
            .prepare(&format!(
                "SELECT id, sku, channel FROM listings WHERE sku IN ({RECENT_SALE_SKUS}) ORDER BY sku, id"
            ))?
            .query_map(params![window_start(at, rule.window_secs), MAX_EVENTS_SCANNED], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<Result<_, _>>()?;
        // What the listings get now is the channel's rule within the share of the rule in force
        // (the outbox's `compute`); the rule alone is computed once for both columns.
        let in_force = self.flash_sale_rule()?;
        let mut rows = Vec::new();
        for (id, sku, channel) in listings {
            let base = crate::outbox::allocation_without_flash(&self.conn, id)?;
            let now = match in_force {
                Some(current) => share(&self.conn, current, id, &sku, at)?,
                None => None,
            };
            let share = share(&self.conn, rule, id, &sku, at)?;
            let listed_now = base.clone().within_flash_share(now).qty;
            let under_rule = base.within_flash_share(share.clone());
            rows.push(DryRunRow { sku, channel, listing: id, listed_now, under_rule: under_rule.qty, share });
        }
        Ok(rows)
    }
}
