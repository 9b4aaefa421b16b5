//! The playbook on screen (issue 20), through the commands on a real SQLite file holding the
//! demo: business hours in the warehouse's zone and peak days (anyone signed in reads them,
//! supervisors and admins change them, every bad value refused in one line with nothing
//! changed), incidents resolved with a root-cause category beside free text, and the monthly
//! review grouped by category.

use crate::commands;
use crate::error::AppError;
use crate::ipc::*;
use crate::playbook;

use super::fresh_demo;

fn sign_in(state: &crate::state::AppState, who: &str) {
    let pin = match who {
        "staff" => "1111",
        "super" => "2222",
        _ => "3333",
    };
    commands::sign_in(state, who.into(), pin.into()).unwrap();
}

fn day(day: &str, hours: Option<&str>) -> DayHoursInput {
    DayHoursInput { day: day.into(), hours: hours.map(str::to_string) }
}

fn change(zone: &str, days: Vec<DayHoursInput>) -> BusinessHoursChange {
    BusinessHoursChange { zone: zone.into(), days }
}

fn audit_len(state: &crate::state::AppState) -> i64 {
    let store = state.store().unwrap();
    shelfsync_store::testing::connection(&*store)
        .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn business_hours_in_a_zone_and_peak_days_with_roles_and_refusals() {
    let (_dir, state) = fresh_demo();
    assert!(matches!(playbook::business_hours(&state), Err(AppError::SignedOut)));
    sign_in(&state, "staff");
    let before = playbook::business_hours(&state).unwrap();
    assert_eq!((before.source.as_str(), before.zone.as_str()), ("utc_thresholds", "UTC"));
    assert_eq!(before.days.len(), 7);
    // Staff read, never change.
    let refused = playbook::set_business_hours(&state, change("America/New_York", vec![])).unwrap_err();
    assert!(refused.to_string().contains("may not change business hours and peak days"), "{refused}");
    let refused = playbook::add_peak_day(&state, "2026-11-27".into(), String::new()).unwrap_err();
    assert!(refused.to_string().contains("may not change business hours"), "{refused}");

    // A supervisor sets New York, a night shift on Friday crossing midnight, Sunday closed.
    sign_in(&state, "super");
    let week = || {
        vec![
            day("mon", Some("08:00-18:00")),
            day("tue", Some("08:00-18:00")),
            day("wed", Some("08:00-18:00")),
            day("thu", Some("08:00-18:00")),
            day("fri", Some("22:00-06:00")),
            day("sat", Some("09:00-13:00")),
            day("sun", None),
        ]
    };
    let set = playbook::set_business_hours(&state, change(" America/New_York ", week())).unwrap();
    assert_eq!((set.source.as_str(), set.zone.as_str()), ("calendar", "America/New_York"));
    let shown: Vec<(&str, Option<&str>, bool)> =
        set.days.iter().map(|d| (d.day.as_str(), d.hours.as_deref(), d.crosses_midnight)).collect();
    assert_eq!(shown[4], ("fri", Some("22:00-06:00"), true));
    assert_eq!(shown[6], ("sun", None, false));
    assert!(set.local_now.ends_with("-05:00") || set.local_now.ends_with("-04:00"), "{}", set.local_now);

    // Bad input: one line each, the hours and the audit unchanged.
    let audited = audit_len(&state);
    let mut long_week = week();
    long_week.push(day("mon", Some("08:00-09:00")));
    let cases: Vec<(BusinessHoursChange, &str)> = vec![
        (change("Mars/Olympus", week()), "unknown time zone 'Mars/Olympus'"),
        (change("", week()), "Enter the warehouse's time zone"),
        (change(&"x".repeat(65), week()), "Enter the warehouse's time zone"),
        (change("Europe/Madrid", vec![day("mon", Some("25:00-26:00"))]), "invalid time '25:00'"),
        (change("Europe/Madrid", vec![day("mon", Some("8-18"))]), "invalid time '8'"),
        (change("Europe/Madrid", vec![day("mon", Some("08:00-08:00"))]), "open and close are the same time"),
        (change("Europe/Madrid", vec![day("mon", Some("08:00"))]), "invalid hours '08:00'"),
        (change("Europe/Madrid", vec![day("mon", Some("closed"))]), "mon: invalid hours 'closed'"),
        (change("Europe/Madrid", vec![day("mon", Some("08:00-18:00=x"))]), "mon: invalid hours"),
        (change("Europe/Madrid", vec![day("funday", Some("08:00-18:00"))]), "'funday' is not a weekday"),
        (change("Europe/Madrid", vec![day("mon-fri", Some("08:00-18:00"))]), "'mon-fri' is not a weekday"),
        (
            change("Europe/Madrid", vec![day("mon", Some("08:00-18:00")), day("MON", None)]),
            "mon is given twice",
        ),
        (change("Europe/Madrid", long_week), "At most 7 weekdays in one change, not 8"),
    ];
    for (bad, want) in cases {
        let error = playbook::set_business_hours(&state, bad).unwrap_err().to_string();
        assert!(error.contains(want), "want {want:?}, got {error}");
        assert!(!error.contains('\n'), "{error}");
    }
    assert_eq!(playbook::business_hours(&state).unwrap().days, set.days);
    assert_eq!(playbook::business_hours(&state).unwrap().zone, "America/New_York");
    assert_eq!(audit_len(&state), audited);
    // The old whole-UTC-hour thresholds are refused now that a zone is set (admin's settings).
    sign_in(&state, "admin");
    let error = crate::admin::set_threshold(&state, "business_end_hour".into(), 20.0).unwrap_err();
    assert!(error.to_string().contains("not used"), "{error}");

    // Peak days: added with a note, bad dates and notes refused, removed.
    sign_in(&state, "super");
    let with_peak = playbook::add_peak_day(&state, "2026-11-27".into(), "Black Friday".into()).unwrap();
    assert_eq!(with_peak.peak_days, [PeakDayView { day: "2026-11-27".into(), note: "Black Friday".into() }]);
    // A past date is accepted, as the CLI's alerts peak-add accepts it.
    playbook::add_peak_day(&state, "2020-01-02".into(), String::new()).unwrap();
    let audited = audit_len(&state);
    let bad_peaks: &[(&str, &str, &str)] = &[
        ("2026-13-01", "", "invalid date '2026-13-01'"),
        ("27/11/2026", "", "invalid date '27/11/2026'"),
        ("", "", "invalid date ''"),
        ("2026-11-28", "two\nlines", "the note must be one line of at most 200 characters"),
    ];
    let long_note = "n".repeat(201);
    for (date, note, want) in
        bad_peaks.iter().copied().chain([("2026-11-28", long_note.as_str(), "at most 200")])
    {
        let error = playbook::add_peak_day(&state, date.into(), note.into()).unwrap_err().to_string();
        assert!(error.contains(want), "{date}: {error}");
    }
    let error = playbook::remove_peak_day(&state, "2026-11-28".into()).unwrap_err().to_string();
    assert!(error.contains("2026-11-28"), "{error}");
    assert_eq!(audit_len(&state), audited);
    assert_eq!(playbook::business_hours(&state).unwrap().peak_days.len(), 2);
    let removed = playbook::remove_peak_day(&state, "2020-01-02".into()).unwrap();
    assert_eq!(removed.peak_days.len(), 1);
    assert_eq!(audit_len(&state), audited + 1);
}

#[test]
fn incidents_resolve_with_a_category_and_the_month_is_reviewed_by_it() {
    let (_dir, state) = fresh_demo();
    {
        let store = state.store().unwrap();
        let conn = shelfsync_store::testing::connection(&*store);
        for opened in ["2026-11-03T10:00:00.000Z", "2026-11-04T10:00:00.000Z", "2026-11-05T10:00:00.000Z"] {
            conn.execute(
                "INSERT INTO incidents (kind, channel, sku, oversold_units, context, opened_at, due_at)
                 VALUES ('oversell', 'shop', 'SS-00001', 3, '{}', ?1, ?1)",
                [opened],
            )
            .unwrap();
        }
    }
    sign_in(&state, "staff");
    let causes = playbook::root_causes(&state).unwrap();
    let keys: Vec<&str> = causes.iter().map(|c| c.key.as_str()).collect();
    let core: Vec<&str> = shelfsync_core::root_cause::ROOT_CAUSES.iter().map(|c| c.key).collect();
    assert_eq!(keys, core, "the screen lists core's categories, in order");
    let error = playbook::resolve_incident_categorised(&state, "1".into(), "rate_limit".into(), "x".into())
        .unwrap_err()
        .to_string();
    assert!(error.contains("may not resolve incidents"), "{error}");

    sign_in(&state, "super");
    let audited = audit_len(&state);
    let bad: &[(&str, &str, &str, &str)] = &[
        ("1", "late sync", "throttled", "unknown root-cause category 'late sync'"),
        ("1", "", "throttled", "unknown root-cause category ''"),
        ("1", "rate_limit", " ", "the root cause's text must be 1 to 500 characters"),
        ("abc", "rate_limit", "throttled", "'abc' is not an incident number."),
        ("", "rate_limit", "throttled", "'' is not an incident number."),
        ("99", "rate_limit", "throttled", "99"),
    ];
    for (id, category, cause, want) in bad {
        let error =
            playbook::resolve_incident_categorised(&state, (*id).into(), (*category).into(), (*cause).into())
                .unwrap_err()
                .to_string();
        assert!(error.contains(want), "{id} {category}: {error}");
    }
    assert_eq!(audit_len(&state), audited);
    assert!(crate::ops::incident(&state, "1".into()).unwrap().resolved_at.is_none());

    let resolved = playbook::resolve_incident_categorised(
        &state,
        "1".into(),
        "rate_limit".into(),
        "Throttled 40 min".into(),
    )
    .unwrap();
    assert_eq!(resolved.cause_category.as_deref(), Some("rate_limit"));
    assert_eq!(resolved.cause.as_deref(), Some("Throttled 40 min"));
    assert_eq!(resolved.resolved_by.as_deref(), Some("super"));
    playbook::resolve_incident_categorised(&state, "2".into(), "rate_limit".into(), "again".into()).unwrap();
    let again =
        playbook::resolve_incident_categorised(&state, "2".into(), "other".into(), "x".into()).unwrap_err();
    assert!(again.to_string().contains("already resolved"), "{again}");

    sign_in(&state, "staff");
    let review = playbook::incident_review(&state, "2026-11".into()).unwrap();
    let rows: Vec<(Option<&str>, bool, i64, i64)> = review
        .groups
        .iter()
        .map(|g| (g.category.as_deref(), g.open, g.incidents, g.oversold_units))
        .collect();
    assert_eq!(rows, [(Some("rate_limit"), false, 2, 6), (None, true, 1, 3)]);
    assert!(playbook::incident_review(&state, "2026-10".into()).unwrap().groups.is_empty());
    for month in ["2026-13", "nov", "2026-11-01", ""] {
        let error = playbook::incident_review(&state, month.into()).unwrap_err().to_string();
        assert!(error.contains("expected YYYY-MM"), "{month}: {error}");
    }
    // The list shows the category beside the text.
    let listed = crate::ops::incidents(&state, false).unwrap();
    assert!(listed.iter().any(|i| i.cause_category.as_deref() == Some("rate_limit")));
}

/// Every category and every alert rule has its words in the UI's catalogues (English and
/// Spanish): a category or rule added in Rust fails here until the screens can name it.
#[test]
fn the_oversight_catalogues_name_every_category_and_rule() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/i18n/areas");
    for file in ["oversight.en.ts", "oversight.es.ts"] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        for c in &shelfsync_core::root_cause::ROOT_CAUSES {
            assert!(text.contains(&format!("\"oversight.cause.{}\":", c.key)), "{file} lacks {}", c.key);
        }
        let rules = shelfsync_capture::alerts::DEFAULTS
            .iter()
            .map(|(r, _, _)| *r)
            .filter(|r| !r.starts_with("business_"));
        for rule in rules {
            assert!(text.contains(&format!("\"oversight.rule.{rule}\":")), "{file} lacks rule {rule}");
        }
    }
}
