//! Business hours in a warehouse's zone: parsing refuses bad input with one line naming it;
//! open/peak are checked instant by instant, across midnight and across both DST changes.

use chrono::{DateTime, Utc, Weekday};
use shelfsync_core::business_hours::{
    ClockTime, Hours, HoursError, MAX_PEAK_DAYS, Schedule, parse_date, parse_day_hours, parse_days,
    parse_zone,
};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

fn schedule(zone: &str, days: &[&str], peaks: &[&str]) -> Schedule {
    let mut s = Schedule::closed(parse_zone(zone).unwrap());
    for spec in days {
        let (days, hours) = parse_day_hours(spec).unwrap();
        for d in days {
            s.set_hours(d, hours);
        }
    }
    for p in peaks {
        s.add_peak_day(parse_date(p).unwrap()).unwrap();
    }
    s
}

#[test]
fn bad_input_is_refused_with_a_line_naming_it() {
    let cases: [(&str, Result<String, HoursError>, &str); 16] = [
        ("time", ClockTime::parse("25:00").map(|t| t.to_string()), "invalid time '25:00'"),
        ("time", ClockTime::parse("24:30").map(|t| t.to_string()), "invalid time '24:30'"),
        ("time", ClockTime::parse("08:60").map(|t| t.to_string()), "invalid time '08:60'"),
        ("time", ClockTime::parse("8").map(|t| t.to_string()), "invalid time '8'"),
        ("time", ClockTime::parse("08:5").map(|t| t.to_string()), "invalid time '08:5'"),
        ("time", ClockTime::parse("+8:00").map(|t| t.to_string()), "invalid time '+8:00'"),
        ("hours", Hours::parse("08:00").map(|h| h.to_string()), "invalid hours '08:00'"),
        ("hours", Hours::parse("09:00-09:00").map(|h| h.to_string()), "same time"),
        ("hours", Hours::parse("24:00-06:00").map(|h| h.to_string()), "invalid hours '24:00-06:00'"),
        ("hours", Hours::parse("08:00-25:00").map(|h| h.to_string()), "invalid time '25:00'"),
        (
            "zone",
            parse_zone("Mars/Olympus_Mons").map(|z| z.name().to_string()),
            "unknown time zone 'Mars/Olympus_Mons'",
        ),
        ("zone", parse_zone("").map(|z| z.name().to_string()), "unknown time zone ''"),
        ("date", parse_date("2026-02-30").map(|d| d.to_string()), "invalid date '2026-02-30'"),
        ("date", parse_date("2026-13-01").map(|d| d.to_string()), "invalid date '2026-13-01'"),
        ("date", parse_date("27/11/2026").map(|d| d.to_string()), "invalid date '27/11/2026'"),
        ("days", parse_days("funday").map(|d| format!("{d:?}")), "invalid day 'funday'"),
    ];
    for (what, got, expected) in cases {
        let err = got.expect_err(what).to_string();
        assert!(err.contains(expected), "{what}: {err}");
        assert!(!err.contains('\n'), "{what}: one line: {err}");
    }
    assert!(parse_day_hours("mon 08:00-18:00").unwrap_err().to_string().contains("DAYS=HOURS"));
}

#[test]
fn good_input_parses_to_what_it_says() {
    assert_eq!(ClockTime::parse("8:05").unwrap().minutes(), 8 * 60 + 5);
    assert_eq!(ClockTime::parse("24:00").unwrap().to_string(), "24:00");
    assert!(Hours::parse("22:00-06:00").unwrap().crosses_midnight());
    assert!(!Hours::parse("00:00-24:00").unwrap().crosses_midnight());
    assert_eq!(parse_days("mon-fri").unwrap().len(), 5);
    assert_eq!(parse_days("fri-mon").unwrap(), vec![Weekday::Fri, Weekday::Sat, Weekday::Sun, Weekday::Mon]);
    assert_eq!(parse_days("Weekend").unwrap(), vec![Weekday::Sat, Weekday::Sun]);
    assert_eq!(parse_days("all").unwrap().len(), 7);
    assert_eq!(parse_day_hours("sun=closed").unwrap(), (vec![Weekday::Sun], None));
    assert_eq!(parse_zone("America/New_York").unwrap().name(), "America/New_York");
}

/// (zone, day hours, instant, open expected, why)
const OPEN_CASES: &[(&str, &[&str], &str, bool, &str)] = &[
    // New York, EST (-05:00) in winter: 08:00-18:00 local is 13:00-23:00 UTC.
    ("America/New_York", &["mon-fri=08:00-18:00"], "2026-12-04T12:59:59Z", false, "07:59 local"),
    ("America/New_York", &["mon-fri=08:00-18:00"], "2026-12-04T13:00:00Z", true, "08:00 local"),
    ("America/New_York", &["mon-fri=08:00-18:00"], "2026-12-04T22:59:59Z", true, "17:59 local"),
    ("America/New_York", &["mon-fri=08:00-18:00"], "2026-12-04T23:00:00Z", false, "18:00 local"),
    ("America/New_York", &["mon-fri=08:00-18:00"], "2026-12-05T14:00:00Z", false, "Saturday"),
    // EDT (-04:00) in summer: the same local hours are an hour earlier in UTC.
    ("America/New_York", &["mon-fri=08:00-18:00"], "2026-07-01T12:00:00Z", true, "08:00 EDT"),
    // Crossing midnight: Friday's 22:00-06:00 runs into Saturday morning, not Friday's.
    ("America/New_York", &["fri=22:00-06:00"], "2026-12-05T03:00:00Z", true, "Fri 22:00"),
    ("America/New_York", &["fri=22:00-06:00"], "2026-12-05T10:59:00Z", true, "Sat 05:59"),
    ("America/New_York", &["fri=22:00-06:00"], "2026-12-05T11:00:00Z", false, "Sat 06:00"),
    (
        "America/New_York",
        &["fri=22:00-06:00"],
        "2026-12-04T10:00:00Z",
        false,
        "Fri 05:00: Thursday was closed",
    ),
    ("America/New_York", &["fri=22:00-24:00"], "2026-12-05T04:59:00Z", true, "Fri 23:59"),
    ("America/New_York", &["fri=22:00-24:00"], "2026-12-05T05:00:00Z", false, "Sat 00:00"),
    // Spring forward, New York, Sunday 2026-03-08: 02:00 EST jumps to 03:00 EDT (07:00Z).
    // Hours opening in the skipped hour open at the jump.
    ("America/New_York", &["sun=02:30-10:00"], "2026-03-08T06:59:00Z", false, "01:59 EST"),
    ("America/New_York", &["sun=02:30-10:00"], "2026-03-08T07:00:00Z", true, "03:00 EDT"),
    ("America/New_York", &["sun=02:30-10:00"], "2026-03-08T13:59:00Z", true, "09:59 EDT"),
    ("America/New_York", &["sun=02:30-10:00"], "2026-03-08T14:00:00Z", false, "10:00 EDT"),
    // A night shift across the jump is an hour shorter: Sat 22:00 EST (03:00Z) to 06:00 EDT (10:00Z).
    ("America/New_York", &["sat=22:00-06:00"], "2026-03-08T03:00:00Z", true, "Sat 22:00 EST"),
    ("America/New_York", &["sat=22:00-06:00"], "2026-03-08T09:59:00Z", true, "Sun 05:59 EDT"),
    ("America/New_York", &["sat=22:00-06:00"], "2026-03-08T10:00:00Z", false, "Sun 06:00 EDT"),
    // Hours wholly inside the skipped hour did not happen.
    ("America/New_York", &["sun=02:10-02:50"], "2026-03-08T07:00:00Z", false, "skipped"),
    // Fall back, New York, Sunday 2026-11-01: 02:00 EDT goes back to 01:00 EST; 01:00-02:00
    // happens twice (05:00-06:00Z EDT, 06:00-07:00Z EST). A close at 01:30 is the second one.
    ("America/New_York", &["sat=22:00-01:30"], "2026-11-01T02:00:00Z", true, "Sat 22:00 EDT"),
    ("America/New_York", &["sat=22:00-01:30"], "2026-11-01T05:45:00Z", true, "first 01:45 EDT"),
    ("America/New_York", &["sat=22:00-01:30"], "2026-11-01T06:29:00Z", true, "second 01:29 EST"),
    ("America/New_York", &["sat=22:00-01:30"], "2026-11-01T06:30:00Z", false, "second 01:30 EST"),
    // An open at 01:30 is the first one.
    ("America/New_York", &["sun=01:30-09:00"], "2026-11-01T05:29:00Z", false, "first 01:29 EDT"),
    ("America/New_York", &["sun=01:30-09:00"], "2026-11-01T05:30:00Z", true, "first 01:30 EDT"),
    ("America/New_York", &["sun=01:30-09:00"], "2026-11-01T13:59:00Z", true, "08:59 EST"),
    ("America/New_York", &["sun=01:30-09:00"], "2026-11-01T14:00:00Z", false, "09:00 EST"),
    // The whole day on a fall-back day is 25 hours long.
    ("America/New_York", &["sun=00:00-24:00"], "2026-11-01T04:00:00Z", true, "Sun 00:00 EDT"),
    ("America/New_York", &["sun=00:00-24:00"], "2026-11-02T04:59:00Z", true, "Sun 23:59 EST"),
    ("America/New_York", &["sun=00:00-24:00"], "2026-11-02T05:00:00Z", false, "Mon 00:00 EST"),
    // London springs forward at 01:00 GMT on 2026-03-29 (to 02:00 BST).
    ("Europe/London", &["sun=01:15-12:00"], "2026-03-29T00:59:00Z", false, "00:59 GMT"),
    ("Europe/London", &["sun=01:15-12:00"], "2026-03-29T01:00:00Z", true, "02:00 BST"),
    // A zone east of UTC: Sydney's Monday 09:00 (AEDT, +11:00) is Sunday 22:00 UTC.
    ("Australia/Sydney", &["mon=09:00-17:00"], "2026-12-06T22:00:00Z", true, "Mon 09:00 AEDT"),
    ("Australia/Sydney", &["mon=09:00-17:00"], "2026-12-07T06:00:00Z", false, "Mon 17:00 AEDT"),
];

#[test]
fn open_instant_by_instant_across_midnight_and_dst() {
    for (zone, days, instant, expected, why) in OPEN_CASES {
        let s = schedule(zone, days, &[]);
        assert_eq!(s.is_open(at(instant)), *expected, "{zone} {days:?} at {instant} ({why})");
    }
}

#[test]
fn peak_days_are_local_dates() {
    // Black Friday in Los Angeles (PST, -08:00) runs 08:00Z on the 27th to 08:00Z on the 28th.
    let s = schedule("America/Los_Angeles", &["all=08:00-18:00"], &["2026-11-27"]);
    for (instant, peak) in [
        ("2026-11-27T07:59:59Z", false),
        ("2026-11-27T08:00:00Z", true),
        ("2026-11-28T07:59:59Z", true),
        ("2026-11-28T08:00:00Z", false),
    ] {
        assert_eq!(s.is_peak(at(instant)), peak, "{instant}");
    }
    let status = s.status(at("2026-11-27T20:00:00Z"));
    assert_eq!(status.local, "2026-11-27T12:00:00-08:00");
    assert_eq!((status.weekday, status.open, status.peak), ("fri", true, true));
}

#[test]
fn peak_days_are_bounded() {
    let mut s = Schedule::closed(parse_zone("UTC").unwrap());
    let first = parse_date("2026-01-01").unwrap();
    for n in 0..MAX_PEAK_DAYS as u64 {
        s.add_peak_day(first + chrono::Days::new(n)).unwrap();
    }
    s.add_peak_day(first).expect("one already there changes nothing");
    assert_eq!(s.add_peak_day(parse_date("2030-01-01").unwrap()), Err(HoursError::TooManyPeakDays));
    assert_eq!(s.peak_days().len(), MAX_PEAK_DAYS);
    assert!(s.remove_peak_day(first));
    assert!(!s.remove_peak_day(first));
}

#[test]
fn utc_hours_keep_the_old_whole_hour_rule() {
    // (start, end, instant, open): the old rule was `start <= UTC hour < end`, every day.
    let cases = [
        (8.0, 18.0, "2026-12-06T07:59:00Z", false),
        (8.0, 18.0, "2026-12-06T08:00:00Z", true),
        (8.0, 18.0, "2026-12-06T17:59:00Z", true),
        (8.0, 18.0, "2026-12-06T18:00:00Z", false),
        (0.0, 24.0, "2026-12-06T23:59:00Z", true),
        (0.0, 24.0, "2026-12-07T00:00:00Z", true),
        (7.5, 17.5, "2026-12-06T07:59:00Z", false),
        (7.5, 17.5, "2026-12-06T17:59:00Z", true),
        (18.0, 6.0, "2026-12-06T20:00:00Z", false),
        (18.0, 6.0, "2026-12-06T03:00:00Z", false),
        (8.0, 8.0, "2026-12-06T08:30:00Z", false),
    ];
    for (start, end, instant, open) in cases {
        assert_eq!(Schedule::utc_hours(start, end).is_open(at(instant)), open, "{start}-{end} at {instant}");
    }
}
