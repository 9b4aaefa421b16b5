//! `captured_orders`, `unmapped_lines` and `capture_rates`: which orders capture has seen and
//! by which path, the lines it could not map, and the daily webhook capture rate. Also the
//! reads of booked ledger events an order's follow-ups need.

use rusqlite::{OptionalExtension, params};

use super::Db;
use crate::Result;

/// One sighting of an order: exactly one of the three times is set, by the path it came.
#[derive(Clone, Debug)]
pub struct Sighting<'a> {
    pub channel: &'a str,
    pub order_id: &'a str,
    /// YYYY-MM-DD of the order's creation.
    pub created_day: &'a str,
    pub updated_at: &'a str,
    pub webhook_at: Option<&'a str>,
    pub poll_at: Option<&'a str>,
    pub notified_at: Option<&'a str>,
}

/// An order line no listing maps.
#[derive(Clone, Debug)]
pub struct UnmappedLine<'a> {
    pub channel: &'a str,
    pub order_id: &'a str,
    pub line_id: &'a str,
    pub remote_item: &'a str,
    pub remote_location: Option<&'a str>,
    pub quantity: u32,
    pub seen_at: &'a str,
}

/// A booked event as a refund reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookedEvent {
    pub kind: String,
    pub sku: String,
    pub location: Option<String>,
    pub qty: Option<i64>,
    /// The event's stored JSON body.
    pub body: String,
}

/// A stored day of capture figures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaptureDay {
    pub channel: String,
    pub day: String,
    pub webhook_orders: i64,
    pub channel_orders: i64,
}

/// Records a sighting; a later one keeps the first time of each path and the newest update.
pub fn record_sighting(db: &impl Db, seen: &Sighting<'_>) -> Result<()> {
    db.conn().execute(
        "INSERT INTO captured_orders (channel, order_id, created_day, updated_at, webhook_at, poll_at, notified_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (channel, order_id) DO UPDATE SET
             updated_at = max(updated_at, excluded.updated_at),
             webhook_at = coalesce(webhook_at, excluded.webhook_at),
             poll_at = coalesce(poll_at, excluded.poll_at),
             notified_at = coalesce(notified_at, excluded.notified_at)",
        params![
            seen.channel,
            seen.order_id,
            seen.created_day,
            seen.updated_at,
            seen.webhook_at,
            seen.poll_at,
            seen.notified_at
        ],
    )?;
    Ok(())
}

/// Records an unmapped line once.
pub fn record_unmapped(db: &impl Db, line: &UnmappedLine<'_>) -> Result<()> {
    db.conn().execute(
        "INSERT OR IGNORE INTO unmapped_lines (channel, order_id, line_id, remote_item, remote_location, quantity, seen_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            line.channel,
            line.order_id,
            line.line_id,
            line.remote_item,
            line.remote_location,
            line.quantity,
            line.seen_at
        ],
    )?;
    Ok(())
}

/// A booked event by id, if it is booked.
pub fn booked_event(db: &impl Db, id: &str) -> Result<Option<BookedEvent>> {
    Ok(db
        .conn()
        .prepare_cached(
            "SELECT kind, sku, json_extract(body, '$.location'), json_extract(body, '$.qty'), body FROM events WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok(BookedEvent { kind: r.get(0)?, sku: r.get(1)?, location: r.get(2)?, qty: r.get(3)?, body: r.get(4)? })
        })
        .optional()?)
}

/// A booked event's JSON body, if it is booked.
pub fn booked_body(db: &impl Db, id: &str) -> Result<Option<String>> {
    Ok(db
        .conn()
        .prepare_cached("SELECT body FROM events WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

/// The location a booked event names, if it is booked and names one.
pub fn booked_location(db: &impl Db, id: &str) -> Result<Option<String>> {
    Ok(db
        .conn()
        .prepare_cached("SELECT json_extract(body, '$.location') FROM events WHERE id = ?1")?
        .query_row([id], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten())
}

/// Recomputes one day's capture figures of the channel from its seen orders.
pub fn store_capture_day(db: &impl Db, channel: &str, day: &str, stamp: &str) -> Result<()> {
    db.conn().execute(
        "INSERT INTO capture_rates (channel, day, webhook_orders, channel_orders, computed_at)
         SELECT ?1, ?2, count(webhook_at), count(*), ?3 FROM captured_orders WHERE channel = ?1 AND created_day = ?2
         ON CONFLICT (channel, day) DO UPDATE SET webhook_orders = excluded.webhook_orders,
             channel_orders = excluded.channel_orders, computed_at = excluded.computed_at",
        params![channel, day, stamp],
    )?;
    Ok(())
}

/// Stored capture figures of one channel (or all), newest day first, at most `limit`.
pub fn capture_days(db: &impl Db, channel: Option<&str>, limit: i64) -> Result<Vec<CaptureDay>> {
    Ok(db
        .conn()
        .prepare(
            "SELECT channel, day, webhook_orders, channel_orders FROM capture_rates
             WHERE ?1 IS NULL OR channel = ?1 ORDER BY day DESC, channel LIMIT ?2",
        )?
        .query_map(params![channel, limit], |r| {
            Ok(CaptureDay {
                channel: r.get(0)?,
                day: r.get(1)?,
                webhook_orders: r.get(2)?,
                channel_orders: r.get(3)?,
            })
        })?
        .collect::<Result<_, _>>()?)
}
