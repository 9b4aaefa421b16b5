//! `shelfsync report scorecard` through the real binary at a fixed time (`--at`): every Quick
//! Reference line with its verdict, and bad periods refused in one `error:` line.

mod support;

use support::{ok, shelfsync, write};

#[test]
fn the_scorecard_lists_every_measure_and_refuses_bad_periods() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    ok(&db, &["init"], &[]);
    ok(&db, &["import", "locations", &write(dir.path(), "l.csv", "code,name\nWH1,Main\n")], &[]);
    let card: serde_json::Value = serde_json::from_str(&ok(
        &db,
        &["report", "scorecard", "--days", "30", "--at", "2026-12-04T12:00:00Z", "--json"],
        &[],
    ))
    .unwrap();
    assert_eq!(card["days"], 30);
    assert_eq!(card["at"], "2026-12-04T12:00:00.000Z");
    let lines = card["lines"].as_array().unwrap();
    let keys: Vec<&str> = lines.iter().map(|l| l["key"].as_str().unwrap()).collect();
    assert_eq!(
        keys,
        [
            "sync_latency_p95_s",
            "webhook_capture_rate_pct",
            "api_error_rate_pct",
            "oversell_rate_pct",
            "hours_since_reconciliation",
            "days_since_drift_audit",
            "amazon_cancellation_rate_pct"
        ]
    );
    // A new workstation: nothing measured yet, and the jobs that never ran are red flags.
    let verdicts: Vec<&str> = lines.iter().map(|l| l["verdict"].as_str().unwrap()).collect();
    assert_eq!(verdicts, ["no_data", "no_data", "no_data", "no_data", "red_flag", "red_flag", "no_data"]);
    let text = ok(&db, &["report", "scorecard", "--at", "2026-12-04T12:00:00Z"], &[]);
    assert!(text.contains("RED FLAG") && text.contains("never run"), "{text}");

    let cases: &[(&[&str], &str)] = &[
        (&["report", "scorecard", "--days", "0"], "--days must be between 1 and 90, got 0"),
        (&["report", "scorecard", "--days", "91"], "--days must be between 1 and 90, got 91"),
        (&["report", "scorecard", "--at", "yesterday"], "--at 'yesterday' is not a time"),
        (&["report", "scorecard", "--days", "-3"], "error:"),
    ];
    for (args, words) in cases {
        let out = shelfsync(&db, args, &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr.contains(words), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().filter(|l| l.starts_with("error:")).count(), 1, "{args:?}: {stderr}");
    }
}
