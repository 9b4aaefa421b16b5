//! `shelfsync alerts hours|peak-add|peak-remove` through the real binary, at instants the test
//! chooses (`--at`, as `report scorecard --at`): a New York week with a night shift across
//! midnight, both DST changes and a peak day; bad input refused in one `error:` line with
//! nothing changed; the old `alerts threshold business_*_hour` form still works until a zone is set.

mod support;

use support::{json, ok, shelfsync};

#[test]
fn hours_in_the_warehouse_zone_with_a_controllable_clock() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    ok(&db, &["init"], &[]);
    // The old form: whole UTC hours, every day.
    ok(&db, &["alerts", "threshold", "business_end_hour", "20"], &[]);
    let utc = json(&db, &["alerts", "hours", "--at", "2026-12-04T19:30:00Z"]);
    assert_eq!((utc["source"].as_str(), utc["zone"].as_str()), (Some("utc_thresholds"), Some("UTC")));
    assert_eq!(utc["days"][0]["hours"], "08:00-20:00");
    assert_eq!(utc["at"]["open"], true);

    let set = json(
        &db,
        &[
            "alerts",
            "hours",
            "--zone",
            "America/New_York",
            "--day",
            "all=closed",
            "--day",
            "mon-fri=08:00-18:00",
            "--day",
            "sat=22:00-06:00",
        ],
    );
    assert_eq!(set["source"], "calendar");
    let days: Vec<(&str, &str, bool)> = set["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["day"].as_str().unwrap(),
                d["hours"].as_str().unwrap_or("closed"),
                d["crosses_midnight"] == true,
            )
        })
        .collect();
    assert_eq!(days[4], ("fri", "08:00-18:00", false));
    assert_eq!(days[5], ("sat", "22:00-06:00", true));
    assert_eq!(days[6], ("sun", "closed", false));
    ok(&db, &["alerts", "peak-add", "2026-11-27", "--note", "Black Friday"], &[]);

    // (--at, open, peak, local time)
    let cases = [
        ("2026-12-04T12:59:00Z", false, false, "2026-12-04T07:59:00-05:00"),
        ("2026-12-04T13:00:00Z", true, false, "2026-12-04T08:00:00-05:00"),
        ("2026-12-06T10:59:00Z", true, false, "2026-12-06T05:59:00-05:00"),
        ("2026-12-06T11:00:00Z", false, false, "2026-12-06T06:00:00-05:00"),
        ("2026-11-27T16:00:00Z", true, true, "2026-11-27T11:00:00-05:00"),
        ("2026-11-28T04:59:00Z", false, true, "2026-11-27T23:59:00-05:00"),
        ("2026-03-08T09:59:00Z", true, false, "2026-03-08T05:59:00-04:00"),
        ("2026-03-08T10:00:00Z", false, false, "2026-03-08T06:00:00-04:00"),
        ("2026-11-01T06:30:00Z", true, false, "2026-11-01T01:30:00-05:00"),
        ("2026-11-01T11:00:00Z", false, false, "2026-11-01T06:00:00-05:00"),
    ];
    for (at, open, peak, local) in cases {
        let view = json(&db, &["alerts", "hours", "--at", at]);
        assert_eq!(view["at"]["open"], open, "open at {at}");
        assert_eq!(view["at"]["peak"], peak, "peak at {at}");
        assert_eq!(view["at"]["local"], local, "local time of {at}");
    }
    let text = ok(&db, &["alerts", "hours", "--at", "2026-11-27T16:00:00Z"], &[]);
    assert!(text.contains("America/New_York") && text.contains("2026-11-27 (Black Friday)"), "{text}");
    assert!(text.contains("open, a peak day"), "{text}");

    // The thresholds say what a peak day makes of them; alert evaluation takes --at.
    let thresholds = json(&db, &["alerts", "thresholds"]);
    let latency = thresholds.as_array().unwrap().iter().find(|t| t["rule"] == "latency").unwrap();
    assert_eq!(
        (latency["value"].as_f64(), latency["peak_day_value"].as_f64()),
        (Some(300_000.0), Some(30_000.0))
    );
    assert_eq!(json(&db, &["alerts", "list", "--at", "2026-11-27T16:00:00Z"]), serde_json::json!([]));

    // Bad input: one line, nothing changed.
    let snapshot = || ok(&db, &["alerts", "hours", "--at", "2026-12-04T13:00:00Z", "--json"], &[]);
    let before = snapshot();
    let refusals: [(&[&str], &str); 11] = [
        (&["alerts", "hours", "--zone", "America/Nwe_York"], "unknown time zone 'America/Nwe_York'"),
        (&["alerts", "hours", "--day", "mon=08:00-25:00"], "invalid time '25:00'"),
        (&["alerts", "hours", "--zone", "Europe/Paris", "--day", "mon=9-17"], "invalid time '9'"),
        (&["alerts", "hours", "--day", "someday=08:00-18:00"], "invalid day 'someday'"),
        (&["alerts", "hours", "--day", "mon"], "DAYS=HOURS"),
        (&["alerts", "hours", "--reset", "--zone", "UTC"], "--reset"),
        (&["alerts", "hours", "--at", "tomorrow"], "invalid --at 'tomorrow'"),
        (&["alerts", "peak-add", "2026-11-31"], "invalid date '2026-11-31'"),
        (&["alerts", "peak-add", "next friday"], "invalid date 'next friday'"),
        (&["alerts", "peak-remove", "2026-12-25"], "2026-12-25"),
        (&["alerts", "threshold", "business_start_hour", "7"], "business_start_hour is not used"),
    ];
    for (args, want) in refusals {
        let out = shelfsync(&db, args, &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(stderr.contains(want), "{args:?}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: one line: {stderr}");
    }
    assert_eq!(snapshot(), before, "nothing changed");

    // Back to the UTC hours; the peak day stays, and can be removed.
    let reset = json(&db, &["alerts", "hours", "--reset", "--at", "2026-11-27T19:30:00Z"]);
    assert_eq!(
        (reset["source"].as_str(), reset["at"]["open"].as_bool()),
        (Some("utc_thresholds"), Some(true))
    );
    assert_eq!(reset["at"]["peak"], true);
    ok(&db, &["alerts", "peak-remove", "2026-11-27"], &[]);
    assert_eq!(json(&db, &["alerts", "hours"])["peak_days"], serde_json::json!([]));
}
