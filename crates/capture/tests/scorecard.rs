//! The scorecard on a real SQLite file at a fixed time: each Quick Reference measure computed
//! from the rows the engine, capture and the ledger write, with its verdict against the guide's
//! target and red flag; a job that never ran is a red flag, a measure with nothing behind it is
//! "no data", and a period out of bounds is refused.

use chrono::{DateTime, Duration, Utc};
use shelfsync_capture::scorecard::{MAX_DAYS, Scorecard, scorecard};
use shelfsync_core::scorecard::Verdict;
use shelfsync_core::{Event, Item, Location, LocationCode, Movement, Sku};
use shelfsync_store::testing::connection;
use shelfsync_store::{ItemRecord, Store};

fn at() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-04T12:00:00Z").unwrap().with_timezone(&Utc)
}

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("s.db")).unwrap();
    let code = LocationCode::new("WH1").unwrap();
    store.upsert_locations(&[Location { code, name: "Main".into(), parent: None }]).unwrap();
    let items: Vec<ItemRecord> = ["S1", "S2"]
        .iter()
        .map(|s| ItemRecord {
            item: Item {
                sku: Sku::new(*s).unwrap(),
                name: (*s).into(),
                unit_cost_cents: 100,
                category: "t".into(),
                safety_stock: 0,
            },
            barcodes: vec![],
        })
        .collect();
    store.upsert_items(&items).unwrap();
    let conn = connection(&store);
    for (name, kind) in [("shop", "shopify"), ("amz", "amazon")] {
        conn.execute(
            "INSERT INTO channels (name, kind, endpoint, created_at) VALUES (?1, ?2, 'http://127.0.0.1:9', '2026-01-01T00:00:00Z')",
            [name, kind],
        )
        .unwrap();
    }
    (dir, store)
}

fn book(store: &mut Store, movement: Movement, actor: &str, when: DateTime<Utc>) {
    store.append(&Event::with_identity(uuid::Uuid::now_v7(), when, movement, actor, "ws")).unwrap();
}

fn sale(sku: &str, qty: u32) -> Movement {
    Movement::Sale { sku: Sku::new(sku).unwrap(), location: LocationCode::new("WH1").unwrap(), qty }
}

fn line<'a>(card: &'a Scorecard, key: &str) -> &'a shelfsync_capture::scorecard::ScoreLine {
    card.lines.iter().find(|l| l.key == key).unwrap_or_else(|| panic!("no {key}"))
}

#[test]
fn each_measure_is_computed_and_judged_against_the_guide() {
    let (_dir, mut store) = store();
    let day = |n: i64| at() - Duration::days(n);
    // S1: 10 received; the channels sell 200 units over the week of which 3 oversold (the last
    // sales took WH1 to -3). S2: sold within stock. Older than the period: a sale outside it.
    book(
        &mut store,
        Movement::Receive {
            sku: Sku::new("S1").unwrap(),
            location: LocationCode::new("WH1").unwrap(),
            qty: 10,
        },
        "staff",
        day(30),
    );
    book(&mut store, sale("S1", 2), "channel:shop", day(20));
    book(
        &mut store,
        Movement::Receive {
            sku: Sku::new("S1").unwrap(),
            location: LocationCode::new("WH1").unwrap(),
            qty: 190,
        },
        "staff",
        day(6),
    );
    book(
        &mut store,
        Movement::Receive {
            sku: Sku::new("S2").unwrap(),
            location: LocationCode::new("WH1").unwrap(),
            qty: 500,
        },
        "staff",
        day(6),
    );
    book(&mut store, sale("S1", 199), "channel:shop", day(3));
    book(&mut store, sale("S1", 2), "channel:amz", day(2));
    book(&mut store, sale("S2", 299), "channel:shop", day(1));
    // Amazon, 60 days: 40 lines, 2 cancelled (5%: past Amazon's 2.5% line).
    for n in 0..39 {
        book(&mut store, sale("S2", 1), "channel:amz", day(10 + n % 40));
    }
    for _ in 0..2 {
        book(
            &mut store,
            Movement::Cancel {
                sku: Sku::new("S2").unwrap(),
                location: LocationCode::new("WH1").unwrap(),
                qty: 1,
            },
            "channel:amz",
            day(4),
        );
    }
    let conn = connection(&store);
    // Latency: 19 pushes at 2 s and one at 40 s: p95 2 s (met).
    conn.execute(
        "INSERT INTO listings (channel, sku, location, remote_item) VALUES ('shop', 'S1', 'WH1', 'x')",
        [],
    )
    .unwrap();
    for i in 0..20 {
        let latency = if i == 19 { 40_000 } else { 2_000 };
        conn.execute(
            "INSERT INTO pushes (listing_id, channel, version, qty, group_key, derivation, dirty_since, acked_at, latency_ms)
             VALUES (1, 'shop', ?1, 1, ?2, '{}', ?3, ?3, ?4)",
            shelfsync_store::testing::rusqlite::params![i, format!("g{i}"), stamp(day(1)), latency],
        )
        .unwrap();
    }
    // API errors: 1 failure to 20 acknowledged groups: 4.76% (red flag over 3%).
    conn.execute(
        "INSERT INTO sync_failures (channel, at, kind, message) VALUES ('shop', ?1, 'http', 'boom')",
        [stamp(day(1))],
    )
    .unwrap();
    // Capture: 98 of 100 orders by webhook (missed: under 99, not under 97).
    conn.execute(
        "INSERT INTO capture_rates (channel, day, webhook_orders, channel_orders, computed_at) VALUES ('shop', ?1, 98, 100, ?2)",
        [day(2).format("%Y-%m-%d").to_string(), stamp(day(1))],
    )
    .unwrap();
    // Reconciliation 5 hours ago (met); no drift audit ever (red flag).
    conn.execute(
        "INSERT INTO reconcile_runs (channel, at, checked, gaps, report) VALUES ('shop', ?1, 1, 0, '{}')",
        [stamp(at() - Duration::hours(5))],
    )
    .unwrap();

    let card = scorecard(&store, at(), 7).unwrap();
    let expect: &[(&str, Option<f64>, Verdict)] = &[
        ("sync_latency_p95_s", Some(2.0), Verdict::Met),
        ("webhook_capture_rate_pct", Some(98.0), Verdict::Missed),
        ("api_error_rate_pct", Some(4.76), Verdict::RedFlag),
        // 199 + 2 + 299 = 500 units in the week; S1 went to -1 at the 199 (1 oversold) and to
        // -3 at the 2 (2 more): 3 of 500 = 0.6% (missed: over 0.5, not over 1.5).
        ("oversell_rate_pct", Some(0.6), Verdict::Missed),
        ("hours_since_reconciliation", Some(5.0), Verdict::Met),
        ("days_since_drift_audit", None, Verdict::RedFlag),
        ("amazon_cancellation_rate_pct", Some(5.0), Verdict::RedFlag),
    ];
    assert_eq!(card.lines.len(), expect.len());
    for (key, value, verdict) in expect {
        let l = line(&card, key);
        assert_eq!((l.value, l.verdict), (*value, *verdict), "{key}: {l:?}");
        assert_eq!(l.met, *verdict == Verdict::Met, "{key}");
    }
    assert_eq!(line(&card, "days_since_drift_audit").detail, "never run");
    assert_eq!(line(&card, "oversell_rate_pct").detail, "3 of 500 units sold on the channels");
}

#[test]
fn an_empty_workstation_has_no_data_and_bad_periods_are_refused() {
    let (_dir, store) = store();
    let card = scorecard(&store, at(), 1).unwrap();
    for l in &card.lines {
        let want = if l.key.ends_with("since_reconciliation") || l.key.ends_with("drift_audit") {
            Verdict::RedFlag
        } else {
            Verdict::NoData
        };
        assert_eq!(l.verdict, want, "{l:?}");
    }
    for days in [0, MAX_DAYS + 1] {
        let error = scorecard(&store, at(), days).unwrap_err().to_string();
        assert!(error.contains("--days must be between 1 and 90"), "{error}");
    }
}
