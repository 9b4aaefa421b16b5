//! The alert rules read business hours in the warehouse's zone and tighten on peak days; every
//! check runs at an instant the test chooses (the controllable clock is the `at` passed in).

use shelfsync_capture::hours::{self, HoursChange};

use super::*;

fn by() -> shelfsync_store::By<'static> {
    shelfsync_store::By::new("tester", "ws-test")
}

fn at(text: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&chrono::Utc)
}

fn change(zone: Option<&str>, days: &[&str]) -> HoursChange {
    HoursChange {
        zone: zone.map(str::to_string),
        days: days.iter().map(|d| d.to_string()).collect(),
        reset: false,
    }
}

fn audit_len(f: &Fixture) -> i64 {
    connection(&f.store).query_row("SELECT count(*) FROM audit", [], |r| r.get(0)).unwrap()
}

fn firing(f: &Fixture, instant: &str) -> (bool, bool) {
    let rules: Vec<&str> =
        alerts::conditions(&f.store, at(instant)).unwrap().iter().map(|c| c.rule).collect();
    (rules.contains(&alerts::NO_SUCCESS), rules.contains(&alerts::QUEUE_DEPTH))
}

/// One update pending since long before any instant below and no success since, so the silence
/// rule fires whenever the channel is watched; the queue limit 1.5 lets one pending update alert
/// only on a peak day (halved to 0.75).
async fn silent_channel() -> Fixture {
    let f = fixture(10, 0).await;
    let mut store = Store::open(&f.db).unwrap();
    let receive = Movement::Receive {
        sku: Sku::new("S1").unwrap(),
        location: LocationCode::new("WH1").unwrap(),
        qty: 1,
    };
    store.append(&shelfsync_store::new_event(receive, "tester", "ws")).unwrap();
    let conn = connection(&f.store);
    conn.execute("UPDATE outbox SET dirty_since = '2026-01-01T00:00:00.000Z'", []).unwrap();
    conn.execute("UPDATE channel_metrics SET last_success_at = '2026-01-01T00:00:00.000Z'", []).unwrap();
    alerts::set_threshold(&f.store, by(), alerts::QUEUE_DEPTH, 1.5).unwrap();
    f
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_silence_rule_follows_local_hours_and_peak_days() {
    let f = silent_channel().await;
    // Before a calendar: the thresholds' whole UTC hours, 08-18 by default.
    for (instant, no_success) in [("2026-12-04T07:59:00Z", false), ("2026-12-04T08:00:00Z", true)] {
        assert_eq!(firing(&f, instant), (no_success, false), "UTC hours at {instant}");
    }
    hours::set(
        &f.store,
        by(),
        &change(Some("America/New_York"), &["all=closed", "mon-fri=08:00-18:00", "sat=22:00-06:00"]),
    )
    .unwrap();
    hours::add_peak(&f.store, by(), "2026-11-27", "Black Friday").unwrap();
    // (instant, silence alert, queue alert, why)
    let cases = [
        ("2026-12-04T12:59:00Z", false, false, "Fri 07:59 EST"),
        ("2026-12-04T13:00:00Z", true, false, "Fri 08:00 EST"),
        ("2026-12-04T08:00:00Z", false, false, "Fri 03:00 EST: the old UTC hours no longer apply"),
        ("2026-12-06T03:00:00Z", true, false, "Sat 22:00 EST, the night shift"),
        ("2026-12-06T10:59:00Z", true, false, "Sun 05:59 EST, the night shift crossed midnight"),
        ("2026-12-06T11:00:00Z", false, false, "Sun 06:00 EST"),
        (
            "2026-11-28T03:00:00Z",
            true,
            true,
            "Black Friday 22:00 EST: peak, watched all day, queue limit halved",
        ),
        ("2026-11-28T05:30:00Z", false, false, "Sat 00:30 EST: no longer the peak day"),
        ("2026-03-08T06:59:00Z", true, false, "Sun 01:59 EST, before the spring-forward"),
        ("2026-03-08T09:59:00Z", true, false, "Sun 05:59 EDT, after it"),
        ("2026-03-08T10:00:00Z", false, false, "Sun 06:00 EDT: the shift ended an hour early in UTC"),
        ("2026-11-01T10:59:00Z", true, false, "Sun 05:59 EST, after the fall-back"),
        ("2026-11-01T11:00:00Z", false, false, "Sun 06:00 EST"),
    ];
    for (instant, no_success, queue, why) in cases {
        assert_eq!(firing(&f, instant), (no_success, queue), "{instant}: {why}");
    }
    // The service's alerts job, run as at an instant, opens and resolves by the same clock.
    let mut config = shelfsync_capture::service::ServiceConfig::new("ws-test");
    config.secrets_backend = Some(shelfsync_sync::credentials::Backend::File);
    let open_silence = || {
        alerts::list(&f.store, false).unwrap().into_iter().filter(|a| a.rule == alerts::NO_SUCCESS).count()
    };
    let run_alerts = |instant: &str| {
        let (config, db) = (config.clone(), f.db.clone());
        let at = at(instant);
        async move {
            let secrets = config.secrets(&db);
            shelfsync_capture::service::run_job_at(
                &db,
                &secrets,
                &config,
                shelfsync_capture::service::Job::Alerts,
                at,
            )
            .await
            .unwrap()
        }
    };
    run_alerts("2026-12-04T12:59:00Z").await;
    assert_eq!(open_silence(), 0, "Fri 07:59 EST: not yet");
    run_alerts("2026-12-04T13:00:00Z").await;
    assert_eq!(open_silence(), 1, "Fri 08:00 EST: the silence alert opens");
    run_alerts("2026-12-04T23:00:00Z").await;
    assert_eq!(open_silence(), 0, "Fri 18:00 EST: it resolves");
}

#[test]
fn peak_days_tighten_to_the_guides_targets_or_by_half() {
    let cases = [
        (alerts::QUEUE_DEPTH, 100.0, 50.0),
        (alerts::NO_SUCCESS, 10.0, 5.0),
        (alerts::FAILURES, 3.0, 1.5),
        (alerts::LATENCY, 300_000.0, 30_000.0),
        (alerts::LATENCY, 10_000.0, 10_000.0),
        (alerts::ERROR_RATE, 3.0, 1.0),
        (alerts::WEBHOOK_CAPTURE, 97.0, 99.0),
        (alerts::DEAD_LETTERS, 0.0, 0.0),
        (alerts::ATP_BELOW_SAFETY, 100.0, 100.0),
    ];
    for (rule, value, peak) in cases {
        assert_eq!(alerts::peak_tightened(rule, value), peak, "{rule} {value}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_hours_are_refused_whole_and_change_nothing() {
    let f = fixture(0, 0).await;
    hours::set(&f.store, by(), &change(Some("Europe/London"), &["mon-fri=09:00-17:30"])).unwrap();
    hours::add_peak(&f.store, by(), "2026-12-24", "").unwrap();
    let before = hours::view(&f.store, at("2026-12-04T12:00:00Z")).unwrap();
    assert_eq!(before.source, "calendar");
    assert_eq!(before.days[0].hours.as_deref(), Some("09:00-17:30"));
    assert_eq!(before.days[5].hours, Some("08:00-18:00".into()), "Saturday kept the UTC hours in force");
    let audit_before = audit_len(&f);
    let refusals: Vec<(shelfsync_capture::Result<()>, &str)> = vec![
        (
            hours::set(&f.store, by(), &change(Some("Europe/Lundon"), &[])),
            "unknown time zone 'Europe/Lundon'",
        ),
        (hours::set(&f.store, by(), &change(None, &["mon=08:00-25:00"])), "invalid time '25:00'"),
        // A good zone with a bad day: neither is stored.
        (
            hours::set(&f.store, by(), &change(Some("Asia/Tokyo"), &["mon=09:00-17:00", "fun=09:00-17:00"])),
            "invalid day 'fun'",
        ),
        (hours::set(&f.store, by(), &change(None, &["tue 09:00-17:00"])), "DAYS=HOURS"),
        (hours::set(&f.store, by(), &change(None, &["wed=10:00-10:00"])), "same time"),
        (hours::set(&f.store, by(), &change(None, &[])), "nothing to change"),
        (hours::set(&f.store, by(), &HoursChange { reset: true, ..change(Some("UTC"), &[]) }), "--reset"),
        (alerts::set_threshold(&f.store, by(), hours::BUSINESS_END, 20.0), "not used"),
        (hours::add_peak(&f.store, by(), "2026-02-30", ""), "invalid date '2026-02-30'"),
        (hours::add_peak(&f.store, by(), "2026-12-31", "two\nlines"), "one line"),
        (hours::remove_peak(&f.store, by(), "2026-12-25"), "2026-12-25"),
    ];
    for (result, expected) in refusals {
        let message = result.expect_err(expected).to_string();
        assert!(message.contains(expected), "{expected}: {message}");
        assert!(!message.contains('\n'), "one line: {message}");
    }
    assert_eq!(hours::view(&f.store, at("2026-12-04T12:00:00Z")).unwrap(), before, "nothing changed");
    assert_eq!(audit_len(&f), audit_before, "nothing audited");
    // Reset goes back to the thresholds' UTC hours; peak days stay.
    hours::set(&f.store, by(), &HoursChange { reset: true, ..HoursChange::default() }).unwrap();
    let after = hours::view(&f.store, at("2026-12-24T12:00:00Z")).unwrap();
    assert_eq!((after.source, after.zone.as_str(), after.at.peak), ("utc_thresholds", "UTC", true));
}
