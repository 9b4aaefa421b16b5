//! Business hours in the warehouse's own time zone, and its peak days.
//!
//! A warehouse keeps wall-clock hours ("08:00 to 18:00, Monday to Friday", "the night shift,
//! 22:00 to 06:00") in its own zone, so the rules here take an IANA zone, per-weekday open and
//! close times in local time (a close earlier than the open crosses midnight into the next
//! day) and a set of peak dates (a flash sale, Black Friday). Whether an instant is inside the
//! hours or on a peak day is a pure function of the schedule and the instant: no clock is read
//! here, the caller passes the time in.
//!
//! Daylight saving: a day's hours are turned into one window of instants, `[open, close)`.
//! A local time skipped by a spring-forward (02:30 in New York on the second Sunday of March)
//! means the first instant after the jump (03:00 local), because that is when a wall clock
//! first shows a time past it. A local time that happens twice in a fall-back (01:30) opens at
//! its first occurrence and closes at its second: the window is never shortened by a clock
//! change, since these hours decide when a silent channel pages someone, and an extra hour of
//! watching costs less than an hour of oversells nobody was told about.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;
use thiserror::Error;

use crate::printable;

/// Peak days kept at most: a year of dates. Peak days are planned events; more than a year of
/// them is a calendar in the wrong place, and every alert evaluation reads the whole set.
pub const MAX_PEAK_DAYS: usize = 366;

/// Longest zone name accepted; the longest IANA name is 32 characters.
pub const MAX_ZONE_LEN: usize = 64;

/// Minutes in a day; a close time of 24:00 is this many minutes.
const DAY_MINUTES: u16 = 24 * 60;

/// Why a business-hours value was refused: one line that names it.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum HoursError {
    #[error("unknown time zone '{}': use an IANA name such as America/New_York or Europe/London", printable(.0))]
    UnknownZone(String),
    #[error("invalid time '{}': expected HH:MM from 00:00 to 24:00", printable(.0))]
    BadTime(String),
    #[error(
        "invalid hours '{}': expected OPEN-CLOSE such as 08:00-18:00 (22:00-06:00 crosses midnight) or closed",
        printable(.0)
    )]
    BadHours(String),
    #[error("invalid hours '{}': open and close are the same time (00:00-24:00 is the whole day)", printable(.0))]
    EmptyHours(String),
    #[error(
        "invalid day '{}': expected mon..sun, a range such as mon-fri, weekdays, weekend or all",
        printable(.0)
    )]
    BadDay(String),
    #[error("invalid day hours '{}': expected DAYS=HOURS such as mon-fri=08:00-18:00 or sun=closed", printable(.0))]
    BadDaySpec(String),
    #[error("invalid date '{}': expected a calendar date YYYY-MM-DD", printable(.0))]
    BadDate(String),
    #[error("too many peak days: at most {MAX_PEAK_DAYS} are kept")]
    TooManyPeakDays,
}

/// A wall-clock time of day in minutes after midnight, 00:00 to 24:00 (24:00 only closes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClockTime(u16);

impl ClockTime {
    /// `HH:MM` (or `H:MM`), 00:00 to 24:00.
    pub fn parse(text: &str) -> Result<ClockTime, HoursError> {
        let bad = || HoursError::BadTime(text.to_string());
        let (h, m) = text.trim().split_once(':').ok_or_else(bad)?;
        let digits = |s: &str, max_len: usize| {
            (!s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<u16>().ok())
        };
        let hour = digits(h, 2).flatten().ok_or_else(bad)?;
        let minute = (m.len() == 2).then(|| digits(m, 2).flatten()).flatten().ok_or_else(bad)?;
        if minute > 59 || hour > 24 || (hour == 24 && minute != 0) {
            return Err(bad());
        }
        Ok(ClockTime(hour * 60 + minute))
    }

    /// From minutes after midnight, 0 to 1,440.
    pub fn from_minutes(minutes: u16) -> Option<ClockTime> {
        (minutes <= DAY_MINUTES).then_some(ClockTime(minutes))
    }

    pub fn minutes(self) -> u16 {
        self.0
    }

    fn naive(self) -> NaiveTime {
        let m = u32::from(self.0 % DAY_MINUTES);
        NaiveTime::from_hms_opt(m / 60, m % 60, 0).unwrap_or(NaiveTime::MIN)
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

/// One day's hours: open at `open`, close at `close`, both local. A close at or before the open
/// is on the next day (the hours cross midnight).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hours {
    open: ClockTime,
    close: ClockTime,
}

impl Hours {
    pub fn new(open: ClockTime, close: ClockTime) -> Result<Hours, HoursError> {
        let shown = format!("{open}-{close}");
        if open.0 >= DAY_MINUTES {
            return Err(HoursError::BadHours(shown));
        }
        if open == close || (open.0 == 0 && close.0 == 0) {
            return Err(HoursError::EmptyHours(shown));
        }
        Ok(Hours { open, close })
    }

    /// `OPEN-CLOSE`, e.g. `08:00-18:00` or `22:00-06:00`.
    pub fn parse(text: &str) -> Result<Hours, HoursError> {
        let (open, close) = text.trim().split_once('-').ok_or_else(|| HoursError::BadHours(text.into()))?;
        Hours::new(ClockTime::parse(open)?, ClockTime::parse(close)?)
    }

    /// From stored minutes after midnight.
    pub fn from_minutes(open: u16, close: u16) -> Result<Hours, HoursError> {
        let time = |m| ClockTime::from_minutes(m).ok_or_else(|| HoursError::BadTime(format!("{m} minutes")));
        Hours::new(time(open)?, time(close)?)
    }

    pub fn open(self) -> ClockTime {
        self.open
    }

    pub fn close(self) -> ClockTime {
        self.close
    }

    /// True when the hours end on the next day (a close of 24:00 is midnight, not crossing).
    pub fn crosses_midnight(self) -> bool {
        self.close < self.open
    }
}

impl fmt::Display for Hours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.open, self.close)
    }
}

/// An IANA zone name, e.g. `America/New_York`; names are matched exactly, as the database spells
/// them (UTC is `UTC`).
pub fn parse_zone(name: &str) -> Result<Tz, HoursError> {
    let trimmed = name.trim();
    if trimmed.is_empty() || trimmed.len() > MAX_ZONE_LEN {
        return Err(HoursError::UnknownZone(name.into()));
    }
    trimmed.parse::<Tz>().map_err(|_| HoursError::UnknownZone(name.into()))
}

/// A calendar date `YYYY-MM-DD` (four-digit year, two-digit month and day).
pub fn parse_date(text: &str) -> Result<NaiveDate, HoursError> {
    let t = text.trim();
    let shaped = t.len() == 10
        && t.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    shaped
        .then(|| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| HoursError::BadDate(text.into()))
}

const WEEK: [Weekday; 7] =
    [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];

fn weekday(text: &str) -> Option<Weekday> {
    let t = text.to_ascii_lowercase();
    WEEK.into_iter().find(|d| {
        let full = match d {
            Weekday::Mon => "monday",
            Weekday::Tue => "tuesday",
            Weekday::Wed => "wednesday",
            Weekday::Thu => "thursday",
            Weekday::Fri => "friday",
            Weekday::Sat => "saturday",
            Weekday::Sun => "sunday",
        };
        t == full || t == full[..3]
    })
}

/// Short lower-case weekday name (`mon` .. `sun`).
pub fn weekday_name(day: Weekday) -> &'static str {
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][day.num_days_from_monday() as usize]
}

/// Days: `mon`..`sun` (or full names), a range `mon-fri` (a range may wrap: `fri-mon`),
/// `weekdays`, `weekend` or `all`.
pub fn parse_days(text: &str) -> Result<Vec<Weekday>, HoursError> {
    let t = text.trim().to_ascii_lowercase();
    let bad = || HoursError::BadDay(text.into());
    match t.as_str() {
        "all" | "daily" => return Ok(WEEK.to_vec()),
        "weekdays" => return Ok(WEEK[..5].to_vec()),
        "weekend" => return Ok(WEEK[5..].to_vec()),
        _ => {}
    }
    if let Some((from, to)) = t.split_once('-') {
        let (from, to) = (weekday(from).ok_or_else(bad)?, weekday(to).ok_or_else(bad)?);
        let mut days = vec![from];
        let mut d = from;
        while d != to {
            d = d.succ();
            days.push(d);
        }
        return Ok(days);
    }
    weekday(&t).map(|d| vec![d]).ok_or_else(bad)
}

/// `DAYS=HOURS`, e.g. `mon-fri=08:00-18:00`, `sat=22:00-06:00`, `sun=closed`: the days and their
/// hours (`None` for closed).
pub fn parse_day_hours(text: &str) -> Result<(Vec<Weekday>, Option<Hours>), HoursError> {
    let (days, hours) = text.split_once('=').ok_or_else(|| HoursError::BadDaySpec(text.into()))?;
    let days = parse_days(days)?;
    let hours = match hours.trim().to_ascii_lowercase().as_str() {
        "closed" => None,
        _ => Some(Hours::parse(hours)?),
    };
    Ok((days, hours))
}

/// A warehouse's week of business hours in its zone, and its peak days.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    zone: Tz,
    /// Indexed by days from Monday; `None` is closed.
    week: [Option<Hours>; 7],
    peak_days: BTreeSet<NaiveDate>,
}

/// What a schedule says about one instant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    /// The instant in local time, RFC 3339 with the zone's offset.
    pub local: String,
    pub weekday: &'static str,
    pub open: bool,
    pub peak: bool,
}

impl Schedule {
    /// Closed every day, no peak days.
    pub fn closed(zone: Tz) -> Schedule {
        Schedule { zone, week: [None; 7], peak_days: BTreeSet::new() }
    }

    /// The hours as they were before time zones: every day from `start_hour` to `end_hour` UTC
    /// (the `business_start_hour` / `business_end_hour` thresholds), with the old rule that an
    /// instant is in hours when `start <= its UTC hour < end`. A start at or after the end is
    /// closed, as the old rule never matched.
    pub fn utc_hours(start_hour: f64, end_hour: f64) -> Schedule {
        // `hour >= 7.5` holds from 08:00 and `hour < 17.5` until 18:00: whole hours, rounded up.
        let whole = |h: f64| (h.ceil().clamp(0.0, 24.0) as u16) * 60;
        let mut schedule = Schedule::closed(Tz::UTC);
        if let Ok(hours) = Hours::from_minutes(whole(start_hour), whole(end_hour))
            && !hours.crosses_midnight()
        {
            schedule.week = [Some(hours); 7];
        }
        schedule
    }

    pub fn zone(&self) -> Tz {
        self.zone
    }

    pub fn set_zone(&mut self, zone: Tz) {
        self.zone = zone;
    }

    pub fn hours(&self, day: Weekday) -> Option<Hours> {
        self.week[day.num_days_from_monday() as usize]
    }

    pub fn set_hours(&mut self, day: Weekday, hours: Option<Hours>) {
        self.week[day.num_days_from_monday() as usize] = hours;
    }

    pub fn peak_days(&self) -> &BTreeSet<NaiveDate> {
        &self.peak_days
    }

    /// Adds a peak day; refused past [`MAX_PEAK_DAYS`]. Adding one already there changes nothing.
    pub fn add_peak_day(&mut self, day: NaiveDate) -> Result<(), HoursError> {
        if !self.peak_days.contains(&day) && self.peak_days.len() >= MAX_PEAK_DAYS {
            return Err(HoursError::TooManyPeakDays);
        }
        self.peak_days.insert(day);
        Ok(())
    }

    /// Removes a peak day; true when it was there.
    pub fn remove_peak_day(&mut self, day: NaiveDate) -> bool {
        self.peak_days.remove(&day)
    }

    /// The instants of `day`'s hours, `[open, close)`, or `None` when closed that day (or when
    /// its hours fell wholly inside a skipped hour).
    pub fn window(&self, day: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let hours = self.hours(day.weekday())?;
        let close_day =
            if hours.close <= hours.open || hours.close.0 == DAY_MINUTES { day.succ_opt()? } else { day };
        let open = self.instant(day.and_time(hours.open.naive()), Pick::Earliest)?;
        let close = self.instant(close_day.and_time(hours.close.naive()), Pick::Latest)?;
        (open < close).then_some((open, close))
    }

    /// True when `at` is inside business hours.
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        let today = at.with_timezone(&self.zone).date_naive();
        // A window starts on its own day and lasts at most 25 hours (a whole day that gains
        // a fall-back hour), so the windows of today and the two days before cover `at`.
        (0..=2)
            .filter_map(|back| today.checked_sub_signed(Duration::days(back)))
            .any(|day| self.window(day).is_some_and(|(open, close)| open <= at && at < close))
    }

    /// True when `at` falls on a peak day, by the local date.
    pub fn is_peak(&self, at: DateTime<Utc>) -> bool {
        self.peak_days.contains(&at.with_timezone(&self.zone).date_naive())
    }

    pub fn status(&self, at: DateTime<Utc>) -> Status {
        let local = at.with_timezone(&self.zone);
        Status {
            local: local.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
            weekday: weekday_name(local.weekday()),
            open: self.is_open(at),
            peak: self.is_peak(at),
        }
    }

    fn instant(&self, local: NaiveDateTime, pick: Pick) -> Option<DateTime<Utc>> {
        match self.zone.from_local_datetime(&local) {
            LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
            LocalResult::Ambiguous(first, second) => {
                Some(if pick == Pick::Earliest { first } else { second }.with_timezone(&Utc))
            }
            // Skipped by a spring-forward: the first local minute after the gap, which is the
            // instant of the jump (gaps are whole minutes; a day of minutes is the bound).
            LocalResult::None => (1..=i64::from(DAY_MINUTES)).find_map(|m| {
                match self.zone.from_local_datetime(&(local + Duration::minutes(m))) {
                    LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Some(t.with_timezone(&Utc)),
                    LocalResult::None => None,
                }
            }),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Pick {
    Earliest,
    Latest,
}
