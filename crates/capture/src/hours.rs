//! The warehouse's business hours and peak days, as the alert rules read them.
//!
//! Where they come from: the calendar set with `shelfsync alerts hours` (an IANA zone and each
//! weekday's local hours, migration 24), or, until one is set, the whole UTC hours of the
//! `business_start_hour` / `business_end_hour` thresholds, the same every day (what business
//! hours were before time zones). Peak days apply either way. The rule itself (is this instant
//! inside the hours, on a peak day) is core's [`shelfsync_core::business_hours`]; this module
//! loads it, and checks every change in full before it stores any of it.

use chrono::{DateTime, SecondsFormat, Utc, Weekday};
use serde::Serialize;
use shelfsync_core::business_hours::{
    HoursError, Schedule, parse_date, parse_day_hours, parse_zone, weekday_name,
};
use shelfsync_store::By;
use shelfsync_store::oversight::Db;
use shelfsync_store::oversight::business_hours::{self as stored, DayRow};

use crate::{CaptureError, Result, alerts, now};

pub const BUSINESS_START: &str = "business_start_hour";
pub const BUSINESS_END: &str = "business_end_hour";

/// Longest peak-day note ("Black Friday", "spring flash sale").
pub const MAX_NOTE_LEN: usize = 200;

/// `--day` values accepted in one change: one per weekday is enough, a few more allow
/// `all=...` then exceptions.
pub const MAX_DAY_SPECS: usize = 14;

const WEEK: [Weekday; 7] =
    [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];

impl From<HoursError> for CaptureError {
    fn from(e: HoursError) -> CaptureError {
        CaptureError::Invalid(e.to_string())
    }
}

/// The schedule in force: the stored calendar, else the thresholds' UTC hours; with the peak days.
pub fn schedule(db: &impl Db) -> Result<Schedule> {
    let mut schedule = match stored::calendar(db)? {
        Some(calendar) => {
            let zone = parse_zone(&calendar.zone).map_err(|_| {
                CaptureError::Invalid(format!(
                    "the stored time zone '{}' is unknown to this build: set it again with `shelfsync alerts hours --zone`",
                    calendar.zone
                ))
            })?;
            let mut schedule = Schedule::closed(zone);
            for row in calendar.days {
                let day = WEEK.get(usize::from(row.weekday)).copied();
                let hours =
                    shelfsync_core::business_hours::Hours::from_minutes(row.open_minute, row.close_minute)?;
                if let Some(day) = day {
                    schedule.set_hours(day, Some(hours));
                }
            }
            schedule
        }
        None => {
            Schedule::utc_hours(alerts::threshold(db, BUSINESS_START)?, alerts::threshold(db, BUSINESS_END)?)
        }
    };
    for peak in stored::peak_days(db)? {
        schedule.add_peak_day(parse_date(&peak.day)?)?;
    }
    Ok(schedule)
}

/// True when a calendar is set (so the UTC-hour thresholds no longer decide business hours).
pub fn has_calendar(db: &impl Db) -> Result<bool> {
    Ok(stored::calendar(db)?.is_some())
}

/// A change to the calendar: a new zone, some weekdays' hours (`DAYS=HOURS`), or back to the
/// thresholds' UTC hours (`reset`, alone).
#[derive(Clone, Debug, Default)]
pub struct HoursChange {
    pub zone: Option<String>,
    pub days: Vec<String>,
    pub reset: bool,
}

/// Applies `change` in `by`'s name. Every value is checked before anything is written: a bad
/// zone, time or day refuses the whole change. Weekdays not named keep the hours in force.
pub fn set(db: &impl Db, by: By<'_>, change: &HoursChange) -> Result<()> {
    if change.reset {
        if change.zone.is_some() || !change.days.is_empty() {
            return Err(CaptureError::Invalid(
                "--reset goes back to the UTC hours alone: no --zone or --day with it".into(),
            ));
        }
        stored::clear_calendar(db, by)?;
        return Ok(());
    }
    if change.zone.is_none() && change.days.is_empty() {
        return Err(CaptureError::Invalid("nothing to change: give --zone, --day or --reset".into()));
    }
    if change.days.len() > MAX_DAY_SPECS {
        return Err(CaptureError::Invalid(format!("at most {MAX_DAY_SPECS} --day values in one change")));
    }
    let mut schedule = schedule(db)?;
    if let Some(zone) = &change.zone {
        schedule.set_zone(parse_zone(zone)?);
    }
    for spec in &change.days {
        let (days, hours) = parse_day_hours(spec)?;
        for day in days {
            schedule.set_hours(day, hours);
        }
    }
    let rows: Vec<DayRow> = WEEK
        .iter()
        .filter_map(|d| {
            schedule.hours(*d).map(|h| DayRow {
                weekday: d.num_days_from_monday() as u8,
                open_minute: h.open().minutes(),
                close_minute: h.close().minutes(),
            })
        })
        .collect();
    stored::set_calendar(db, by, schedule.zone().name(), &rows, &now())?;
    Ok(())
}

/// Adds a peak day (a local date, `YYYY-MM-DD`) with a note; at most [`shelfsync_core::business_hours::MAX_PEAK_DAYS`].
pub fn add_peak(db: &impl Db, by: By<'_>, date: &str, note: &str) -> Result<()> {
    let day = parse_date(date)?;
    let note = note.trim();
    if note.chars().count() > MAX_NOTE_LEN || note.contains(['\n', '\r']) {
        return Err(CaptureError::Invalid(format!(
            "the note must be one line of at most {MAX_NOTE_LEN} characters"
        )));
    }
    let mut schedule = schedule(db)?;
    schedule.add_peak_day(day)?;
    stored::add_peak_day(db, by, &day.format("%Y-%m-%d").to_string(), note, &now())?;
    Ok(())
}

/// Removes a peak day; refused when the date is not one.
pub fn remove_peak(db: &impl Db, by: By<'_>, date: &str) -> Result<()> {
    let day = parse_date(date)?.format("%Y-%m-%d").to_string();
    if !stored::remove_peak_day(db, by, &day)? {
        return Err(CaptureError::NotFound { what: "peak day", id: day });
    }
    Ok(())
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DayView {
    pub day: &'static str,
    /// `HH:MM-HH:MM` in local time, or `None` when closed.
    pub hours: Option<String>,
    pub crosses_midnight: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PeakView {
    pub day: String,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AtView {
    pub at: String,
    pub local: String,
    pub weekday: &'static str,
    pub open: bool,
    pub peak: bool,
}

/// The hours in force and what they say at `at`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HoursView {
    /// `calendar` (set with `alerts hours`) or `utc_thresholds` (business_start_hour/business_end_hour).
    pub source: &'static str,
    pub zone: String,
    pub days: Vec<DayView>,
    pub peak_days: Vec<PeakView>,
    pub at: AtView,
}

pub fn view(db: &impl Db, at: DateTime<Utc>) -> Result<HoursView> {
    let schedule = schedule(db)?;
    let status = schedule.status(at);
    Ok(HoursView {
        source: if has_calendar(db)? { "calendar" } else { "utc_thresholds" },
        zone: schedule.zone().name().to_string(),
        days: WEEK
            .iter()
            .map(|d| {
                let hours = schedule.hours(*d);
                DayView {
                    day: weekday_name(*d),
                    hours: hours.map(|h| h.to_string()),
                    crosses_midnight: hours.is_some_and(|h| h.crosses_midnight()),
                }
            })
            .collect(),
        peak_days: stored::peak_days(db)?
            .into_iter()
            .map(|p| PeakView { day: p.day, note: p.note })
            .collect(),
        at: AtView {
            at: at.to_rfc3339_opts(SecondsFormat::Secs, true),
            local: status.local,
            weekday: status.weekday,
            open: status.open,
            peak: status.peak,
        },
    })
}
