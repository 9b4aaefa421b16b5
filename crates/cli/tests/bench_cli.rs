//! `shelfsync bench scenario NAME [--quick] [--json]` through the real binary: the table for
//! people, the JSON rows for scripts, and a clear error (changing nothing) for a wrong name.

mod support;

use support::shelfsync;

#[test]
fn a_scenario_prints_its_table_with_a_row_per_mode() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("untouched.db");
    let out = shelfsync(&db, &["bench", "scenario", "flash-sale", "--quick"], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let header = text.lines().find(|l| l.starts_with("| mode |")).expect("a Markdown table");
    assert!(header.contains("oversold_units"), "{header}");
    for mode in ["shelfsync", "shelfsync-flash-sale", "batch-15m", "batch-5m", "batch-30s"] {
        assert!(text.lines().any(|l| l.starts_with(&format!("| {mode} |"))), "no row for {mode}:\n{text}");
    }
    assert!(text.contains("Guide:"), "the guide's claim is printed beside the table");
    assert!(!db.exists(), "a scenario makes its own ledgers and never opens --db");
}

#[test]
fn json_is_an_array_of_rows_with_mode_and_oversold_units() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("untouched.db");
    let out = shelfsync(&db, &["--json", "bench", "scenario", "offline-override", "--quick"], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let rows = rows.as_array().expect("an array of rows");
    let modes: Vec<&str> = rows.iter().map(|r| r["mode"].as_str().expect("mode")).collect();
    assert_eq!(modes, ["shelfsync", "batch-15m", "batch-5m", "batch-30s"]);
    for row in rows {
        assert!(row["oversold_units"].is_i64(), "{row}");
        assert!(row["reconnect_to_all_right_s"].is_f64(), "{row}");
    }
}

#[test]
fn an_extra_batch_interval_adds_its_row() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("untouched.db");
    let args = ["--json", "bench", "scenario", "flash-sale", "--quick", "--batch-every", "60"];
    let out = shelfsync(&db, &args, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let modes: Vec<&str> = rows.as_array().unwrap().iter().map(|r| r["mode"].as_str().unwrap()).collect();
    assert_eq!(
        modes,
        ["shelfsync", "shelfsync-flash-sale", "batch-15m", "batch-5m", "batch-30s", "batch-60s"]
    );
}

#[test]
fn bad_scenario_invocations_fail_with_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("untouched.db");
    let cases: [(&[&str], &str); 8] = [
        (&["bench", "scenario", "black-friday"], "unknown scenario 'black-friday'"),
        (&["bench", "scenario", "FLASH-SALE", "--quick"], "unknown scenario 'FLASH-SALE'"),
        (&["bench", "scenario", ""], "unknown scenario ''"),
        (&["bench", "scenario", "flash-sale", "--batch-every", "0"], "1 to 86400 seconds, got 0"),
        (&["bench", "scenario", "sync-halt", "--batch-every", "90000"], "1 to 86400 seconds, got 90000"),
        (&["bench", "scenario", "flash-sale", "--batch-every", "soon"], "invalid value 'soon'"),
        (
            &["bench", "scenario", "rate-limit", "--seed", "3"],
            "--seed applies to the simulated scenarios only",
        ),
        (&["bench", "scenario", "flash-sale", "--seed", "soon"], "invalid value 'soon'"),
    ];
    for (args, want) in cases {
        let out = shelfsync(&db, args, &[]);
        assert!(!out.status.success(), "{args:?} succeeded");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.starts_with("error: ") && stderr.contains(want), "{args:?}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?} printed a table");
        assert!(!db.exists(), "{args:?} created a database");
    }
}
