//! `shelfsync incidents resolve ID --cause TEXT --category KEY` and `incidents report
//! --by-category` through the real binary (issue 20): the category comes from core's one list
//! (the app's select reads the same), a bad one is refused in one `error:` line with the incident
//! unchanged, `--cause` alone still works (no category), and the month groups by category.

mod support;

use support::{json, ok, shelfsync};

#[test]
fn incidents_resolve_with_a_category_and_the_month_groups_by_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("i.db");
    ok(&db, &["init"], &[]);
    {
        let store = shelfsync_store::Store::open(&db).unwrap();
        let conn = shelfsync_store::testing::connection(&store);
        for (opened, units) in [("2026-11-03", 2), ("2026-11-04", 3), ("2026-11-05", 1), ("2026-11-06", 4)] {
            conn.execute(
                "INSERT INTO incidents (kind, channel, sku, oversold_units, context, opened_at, due_at)
                 VALUES ('oversell', 'shop', 'S1', ?1, '{}', ?2, ?2)",
                (units, format!("{opened}T10:00:00.000Z")),
            )
            .unwrap();
        }
    }
    let refused: &[(&[&str], &str)] = &[
        (
            &["incidents", "resolve", "1", "--cause", "slow", "--category", "late"],
            "unknown root-cause category 'late'",
        ),
        (&["incidents", "resolve", "1", "--cause", " ", "--category", "rate_limit"], "1 to 500 characters"),
        (&["incidents", "resolve", "9", "--cause", "x", "--category", "rate_limit"], "unknown incident '9'"),
    ];
    for (args, want) in refused {
        let out = shelfsync(&db, args, &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && stderr.contains(want), "{args:?}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    }
    assert!(json(&db, &["incidents", "show", "1"])["resolved_at"].is_null(), "nothing changed");

    let resolved =
        json(&db, &["incidents", "resolve", "1", "--cause", "Throttled 40 min", "--category", "rate_limit"]);
    assert_eq!(
        (resolved["cause_category"].as_str(), resolved["cause"].as_str()),
        (Some("rate_limit"), Some("Throttled 40 min"))
    );
    ok(&db, &["incidents", "resolve", "2", "--cause", "again", "--category", "rate_limit"], &[]);
    ok(&db, &["incidents", "resolve", "3", "--cause", "no category"], &[]);

    let review = json(&db, &["incidents", "report", "--month", "2026-11", "--by-category"]);
    let rows: Vec<(Option<&str>, bool, i64, i64)> = review["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["category"].as_str(),
                g["open"].as_bool().unwrap(),
                g["incidents"].as_i64().unwrap(),
                g["oversold_units"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(rows, [(Some("rate_limit"), false, 2, 5), (None, false, 1, 1), (None, true, 1, 4)]);
    let text = ok(&db, &["incidents", "report", "--month", "2026-11", "--by-category"], &[]);
    for word in ["rate_limit", "(uncategorised)", "(open)"] {
        assert!(text.contains(word), "{word} in {text}");
    }
    // The text report is as it was: by the cause's words.
    let by_text = json(&db, &["incidents", "report", "--month", "2026-11"]);
    assert_eq!(by_text["causes"].as_array().unwrap().len(), 4);
}
