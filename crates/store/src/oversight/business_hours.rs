//! `business_calendar`, `business_hours` and `peak_days`: the warehouse's zone, each weekday's
//! hours in local time and its peak days (migration 24). What the values mean (an IANA zone,
//! hours that cross midnight, a local date) is core's `business_hours`; capture checks them
//! before they are stored, and the tables' CHECKs hold the shapes.

use rusqlite::{OptionalExtension, params};

use super::Db;
use crate::audit::{atomic, record};
use crate::{By, Result};

/// The stored calendar: the zone and the open weekdays' hours (weekday 0 = Monday, minutes
/// after local midnight; a weekday not listed is closed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Calendar {
    pub zone: String,
    pub days: Vec<DayRow>,
    pub updated_at: String,
    pub updated_by: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DayRow {
    pub weekday: u8,
    pub open_minute: u16,
    pub close_minute: u16,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeakDay {
    pub day: String,
    pub note: String,
    pub added_at: String,
    pub added_by: String,
}

/// The calendar, or `None` while business hours are still the UTC hours of the thresholds.
pub fn calendar(db: &impl Db) -> Result<Option<Calendar>> {
    let conn = db.conn();
    let head: Option<(String, String, String)> = conn
        .query_row("SELECT zone, updated_at, updated_by FROM business_calendar WHERE id = 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    let Some((zone, updated_at, updated_by)) = head else {
        return Ok(None);
    };
    let days = conn
        .prepare_cached("SELECT weekday, open_minute, close_minute FROM business_hours ORDER BY weekday")?
        .query_map([], |r| {
            Ok(DayRow { weekday: r.get(0)?, open_minute: r.get(1)?, close_minute: r.get(2)? })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(Calendar { zone, days, updated_at, updated_by }))
}

fn calendar_json(calendar: Option<&Calendar>) -> serde_json::Value {
    calendar.map_or(serde_json::Value::Null, |c| {
        serde_json::json!({
            "zone": c.zone,
            "days": c.days.iter().map(|d| [d.weekday as u16, d.open_minute, d.close_minute]).collect::<Vec<_>>(),
        })
    })
}

/// Replaces the calendar (zone and every weekday) with its `alert.hours` audit entry (before and
/// after), in one transaction: `db`'s if it is one, else its own.
pub fn set_calendar(db: &impl Db, by: By<'_>, zone: &str, days: &[DayRow], at: &str) -> Result<()> {
    atomic(db.conn(), |conn| {
        let before = calendar(db)?;
        conn.execute(
            "INSERT INTO business_calendar (id, zone, updated_at, updated_by) VALUES (1, ?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET zone = excluded.zone, updated_at = excluded.updated_at,
                                            updated_by = excluded.updated_by",
            params![zone, at, by.actor],
        )?;
        conn.execute("DELETE FROM business_hours", [])?;
        let mut insert = conn.prepare_cached(
            "INSERT INTO business_hours (weekday, open_minute, close_minute) VALUES (?1, ?2, ?3)",
        )?;
        for d in days {
            insert.execute(params![d.weekday, d.open_minute, d.close_minute])?;
        }
        let after = Calendar {
            zone: zone.into(),
            days: days.to_vec(),
            updated_at: at.into(),
            updated_by: by.actor.into(),
        };
        let detail = serde_json::json!({ "before": calendar_json(before.as_ref()), "after": calendar_json(Some(&after)) });
        record(conn, by, "alert.hours", zone, &detail)
    })
}

/// Removes the calendar: business hours go back to the thresholds' UTC hours. True when there
/// was one (and so an `alert.hours` entry was written).
pub fn clear_calendar(db: &impl Db, by: By<'_>) -> Result<bool> {
    atomic(db.conn(), |conn| {
        let Some(before) = calendar(db)? else {
            return Ok(false);
        };
        conn.execute("DELETE FROM business_hours", [])?;
        conn.execute("DELETE FROM business_calendar", [])?;
        let detail = serde_json::json!({ "before": calendar_json(Some(&before)), "after": null });
        record(conn, by, "alert.hours", "utc", &detail)?;
        Ok(true)
    })
}

/// Every peak day, by date.
pub fn peak_days(db: &impl Db) -> Result<Vec<PeakDay>> {
    Ok(db
        .conn()
        .prepare_cached("SELECT day, note, added_at, added_by FROM peak_days ORDER BY day")?
        .query_map([], |r| {
            Ok(PeakDay { day: r.get(0)?, note: r.get(1)?, added_at: r.get(2)?, added_by: r.get(3)? })
        })?
        .collect::<Result<Vec<_>, _>>()?)
}

/// Adds (or re-notes) a peak day, with its `alert.peak_day` audit entry.
pub fn add_peak_day(db: &impl Db, by: By<'_>, day: &str, note: &str, at: &str) -> Result<()> {
    atomic(db.conn(), |conn| {
        conn.execute(
            "INSERT INTO peak_days (day, note, added_at, added_by) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (day) DO UPDATE SET note = excluded.note",
            params![day, note, at, by.actor],
        )?;
        record(conn, by, "alert.peak_day", day, &serde_json::json!({ "added": true, "note": note }))
    })
}

/// Removes a peak day; true when it was there (and so an `alert.peak_day` entry was written).
pub fn remove_peak_day(db: &impl Db, by: By<'_>, day: &str) -> Result<bool> {
    atomic(db.conn(), |conn| {
        if conn.execute("DELETE FROM peak_days WHERE day = ?1", [day])? == 0 {
            return Ok(false);
        }
        record(conn, by, "alert.peak_day", day, &serde_json::json!({ "added": false }))?;
        Ok(true)
    })
}
