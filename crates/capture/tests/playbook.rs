//! The guide's playbook on a real SQLite file with a controllable clock (each instant passed
//! in, as the service's alerts job passes its start): the alerts at the Quick Reference's red
//! flags that had none (oversell rate, reconciliation and drift-audit cadence, Amazon's 2.5%
//! cancellation line) fire past their line and not at it, tighten to the target on a peak day,
//! and resolve when the condition clears; incidents resolve with a root-cause category and free
//! text, a refused resolution changes nothing, and the monthly review groups by category.

use chrono::{DateTime, Duration, Utc};
use shelfsync_capture::{alerts, hours, incidents, red_flags};
use shelfsync_core::{Event, Item, Location, LocationCode, Movement, Sku};
use shelfsync_store::testing::connection;
use shelfsync_store::{By, ItemRecord, Store};

fn t(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

fn by() -> By<'static> {
    By::new("super", "ws-test")
}

/// Items S1 and S2 at WH1, and the channels `shop` (Shopify) and `amz` (Amazon) added at `added`.
fn store(added: &str) -> (tempfile::TempDir, Store) {
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
    for (name, kind) in [("shop", "shopify"), ("amz", "amazon")] {
        connection(&store)
            .execute(
                "INSERT INTO channels (name, kind, endpoint, created_at) VALUES (?1, ?2, 'http://127.0.0.1:9', ?3)",
                [name, kind, added],
            )
            .unwrap();
    }
    (dir, store)
}

fn book(store: &mut Store, movement: Movement, actor: &str, when: DateTime<Utc>) {
    store.append(&Event::with_identity(uuid::Uuid::now_v7(), when, movement, actor, "ws")).unwrap();
}

fn wh1() -> LocationCode {
    LocationCode::new("WH1").unwrap()
}

fn receive(sku: &str, qty: u32) -> Movement {
    Movement::Receive { sku: Sku::new(sku).unwrap(), location: wh1(), qty }
}

fn sale(sku: &str, qty: u32) -> Movement {
    Movement::Sale { sku: Sku::new(sku).unwrap(), location: wh1(), qty }
}

fn reconciled(store: &Store, at: &str) {
    connection(store)
        .execute(
            "INSERT INTO reconcile_runs (channel, at, checked, gaps, report) VALUES ('shop', ?1, 1, 0, '{}')",
            [at],
        )
        .unwrap();
}

fn audited(store: &Store, finished: &str) {
    connection(store)
        .execute(
            "INSERT INTO drift_runs (scope, top, started_at, finished_at, checked, flagged, rows_kept, actor)
             VALUES ('top', 50, ?1, ?1, 1, 0, 'all', 'service:ws')",
            [finished],
        )
        .unwrap();
}

/// The red-flag rules firing at `at`, sorted.
fn red(store: &Store, at: &str) -> Vec<&'static str> {
    let mine: Vec<&str> = red_flags::RULES.iter().map(|(r, _)| *r).collect();
    let mut fired: Vec<&'static str> = alerts::conditions(store, t(at))
        .unwrap()
        .into_iter()
        .map(|f| f.rule)
        .filter(|r| mine.contains(r))
        .collect();
    fired.sort_unstable();
    fired
}

const RECON: &str = red_flags::RECONCILE_OVERDUE;
const DRIFT: &str = red_flags::DRIFT_AUDIT_OVERDUE;
const OVERSELL: &str = red_flags::OVERSELL_RATE;
const AMAZON: &str = red_flags::AMAZON_CANCELLATIONS;

#[test]
fn reconciliation_and_drift_audit_cadence_alert_past_their_red_flags() {
    let (_dir, store) = store("2026-12-01T00:00:00Z");
    // Never run: counted from the first channel. A day is the reconciliation's line, two weeks
    // the drift audit's; at the line itself nothing fires ("less than daily", "over").
    let never: &[(&str, &[&str])] = &[
        ("2026-12-01T12:00:00Z", &[]),
        ("2026-12-02T00:00:00Z", &[]),
        ("2026-12-02T00:00:01Z", &[RECON]),
        ("2026-12-15T00:00:00Z", &[RECON]),
        ("2026-12-15T00:00:01Z", &[DRIFT, RECON]),
    ];
    for (at, want) in never {
        assert_eq!(red(&store, at), *want, "never run, at {at}");
    }
    reconciled(&store, "2026-12-15T00:00:00.000Z");
    audited(&store, "2026-12-14T00:00:00.000Z");
    let after: &[(&str, &[&str])] = &[
        ("2026-12-15T00:00:01Z", &[]),
        ("2026-12-16T00:00:00Z", &[]),
        ("2026-12-16T00:00:01Z", &[RECON]),
        ("2026-12-28T00:00:00Z", &[RECON]),
        ("2026-12-28T00:00:01Z", &[DRIFT, RECON]),
    ];
    for (at, want) in after {
        assert_eq!(red(&store, at), *want, "after runs, at {at}");
    }
    // Through evaluate: the overdue reconciliation opens once, then a new run resolves it.
    let opened = alerts::evaluate(&store, t("2026-12-16T00:00:01Z")).unwrap();
    let open: Vec<_> = alerts::list(&store, false).unwrap().into_iter().filter(|a| a.rule == RECON).collect();
    assert_eq!(open.len(), 1);
    assert!(opened.opened.contains(&open[0].id));
    assert_eq!(open[0].subject, "reconciliation");
    assert!(open[0].message.contains("the last reconciliation was 24.0 hours ago"), "{}", open[0].message);
    reconciled(&store, "2026-12-16T01:00:00.000Z");
    let later = alerts::evaluate(&store, t("2026-12-16T01:00:01Z")).unwrap();
    assert_eq!(later.resolved, vec![open[0].id.clone()]);
    // A workstation without channels has nothing to reconcile: silent whatever the clock.
    let dir = tempfile::tempdir().unwrap();
    let empty = Store::open(dir.path().join("e.db")).unwrap();
    assert_eq!(red(&empty, "2030-01-01T00:00:00Z"), Vec::<&str>::new());
}

#[test]
fn the_oversell_rate_alerts_over_one_and_a_half_percent_and_at_half_on_a_peak_day() {
    let at = "2026-12-04T12:00:00Z";
    let (_dir, mut store) = store("2026-12-04T11:00:00Z");
    reconciled(&store, "2026-12-04T11:00:00.000Z");
    audited(&store, "2026-12-04T11:00:00.000Z");
    let day = |n: i64| t(at) - Duration::days(n);
    // 98 received, the shop sells 99: 1 of 99 units oversold (1.01%): missed, not a red flag.
    book(&mut store, receive("S1", 98), "staff", day(6));
    book(&mut store, sale("S1", 99), "channel:shop", day(3));
    // A sale by a person is no channel's oversell, and one older than the week is not counted.
    book(&mut store, receive("S2", 10), "staff", day(20));
    book(&mut store, sale("S2", 5), "channel:shop", day(9));
    assert_eq!(red(&store, at), Vec::<&str>::new());
    // On a peak day the rule alerts at the target, 0.5%.
    hours::add_peak(&store, by(), "2026-12-04", "flash sale").unwrap();
    assert_eq!(red(&store, at), [OVERSELL]);
    assert_eq!(red(&store, "2026-12-05T00:00:00Z"), Vec::<&str>::new(), "the next day is no peak day");
    hours::remove_peak(&store, by(), "2026-12-04").unwrap();
    // One more oversold unit: 2 of 100, 2%: past the red flag.
    book(&mut store, sale("S1", 1), "channel:shop", day(1));
    let firing = alerts::conditions(&store, t(at)).unwrap();
    let oversell = firing.iter().find(|f| f.rule == OVERSELL).expect("the oversell rate fires");
    assert_eq!((oversell.value, oversell.threshold), (2.0, 1.5));
    assert_eq!(oversell.message, "oversell rate 2.00% over 7 days (2 of 100 units sold on the channels)");
    // The threshold is configurable like every other; raised above the rate, it is quiet.
    alerts::set_threshold(&store, by(), OVERSELL, 2.5).unwrap();
    assert_eq!(red(&store, at), Vec::<&str>::new());
    // A week later those sales are out of the period.
    alerts::set_threshold(&store, by(), OVERSELL, 1.5).unwrap();
    reconciled(&store, "2026-12-11T11:00:00.000Z");
    assert_eq!(red(&store, "2026-12-11T12:00:00Z"), Vec::<&str>::new());
}

#[test]
fn amazons_cancellations_alert_over_its_two_and_a_half_percent_line() {
    let at = "2026-12-04T12:00:00Z";
    let (_dir, mut store) = store("2026-12-04T11:00:00Z");
    reconciled(&store, "2026-12-04T11:00:00.000Z");
    audited(&store, "2026-12-04T11:00:00.000Z");
    let day = |n: i64| t(at) - Duration::days(n);
    book(&mut store, receive("S2", 500), "staff", day(70));
    for n in 0..40 {
        book(&mut store, sale("S2", 1), "channel:amz", day(1 + n));
    }
    // Outside the 60 days: not counted.
    book(&mut store, sale("S2", 1), "channel:amz", day(65));
    let cancel = || Movement::Cancel { sku: Sku::new("S2").unwrap(), location: wh1(), qty: 1 };
    book(&mut store, cancel(), "channel:amz", day(2));
    // 1 of 40 lines: 2.5%, Amazon's line itself: no alert.
    assert_eq!(red(&store, at), Vec::<&str>::new());
    book(&mut store, cancel(), "channel:amz", day(1));
    let firing = alerts::conditions(&store, t(at)).unwrap();
    let amazon = firing.iter().find(|f| f.rule == AMAZON).expect("the cancellation rate fires");
    assert_eq!((amazon.subject.as_str(), amazon.value, amazon.threshold), ("amazon", 5.0, 2.5));
    // Thresholds out of range are refused and change nothing.
    assert!(alerts::set_threshold(&store, by(), AMAZON, -1.0).is_err());
    assert_eq!(alerts::threshold(&store, AMAZON).unwrap(), 2.5);
}

fn incident(store: &Store, opened: &str) -> String {
    let conn = connection(store);
    conn.execute(
        "INSERT INTO incidents (kind, channel, sku, oversold_units, context, opened_at, due_at)
         VALUES ('oversell', 'shop', 'S1', 2, '{}', ?1, ?1)",
        [opened],
    )
    .unwrap();
    conn.last_insert_rowid().to_string()
}

fn audit_len(store: &Store) -> i64 {
    connection(store).query_row("SELECT count(*) FROM audit", [], |r| r.get(0)).unwrap()
}

#[test]
fn incidents_resolve_with_a_category_and_the_month_groups_by_it() {
    let (_dir, store) = store("2026-11-01T00:00:00Z");
    let a = incident(&store, "2026-11-03T10:00:00.000Z");
    let b = incident(&store, "2026-11-04T10:00:00.000Z");
    let c = incident(&store, "2026-11-05T10:00:00.000Z");
    let d = incident(&store, "2026-11-06T10:00:00.000Z");
    let _open = incident(&store, "2026-11-07T10:00:00.000Z");
    let _december = incident(&store, "2026-12-01T10:00:00.000Z");

    // Refusals: one line each, nothing changed, nothing audited.
    let before = audit_len(&store);
    let long = "x".repeat(501);
    let refused: &[(&str, &str, &str, &str)] = &[
        (&a, "late sync", "text", "unknown root-cause category 'late sync': expected one of rate_limit,"),
        (&a, "", "text", "unknown root-cause category ''"),
        (&a, "rate_limit", "  ", "the root cause's text must be 1 to 500 characters"),
        (&a, "rate_limit", &long, "the root cause's text must be 1 to 500 characters"),
        ("999", "rate_limit", "text", "999"),
        ("x", "rate_limit", "text", "x"),
    ];
    for (id, category, cause, want) in refused {
        let error =
            incidents::resolve_categorised(&store, by(), id, category, cause).unwrap_err().to_string();
        assert!(error.contains(want), "{id} {category}: {error}");
        assert!(!error.contains('\n'), "{error}");
    }
    assert_eq!(audit_len(&store), before);
    assert!(incidents::show(&store, &a).unwrap().resolved_at.is_none());

    let resolved =
        incidents::resolve_categorised(&store, by(), &a, "rate_limit", "Black Friday throttling, 40 min")
            .unwrap();
    assert_eq!(resolved.cause_category.as_deref(), Some("rate_limit"));
    assert_eq!(resolved.cause.as_deref(), Some("Black Friday throttling, 40 min"));
    assert_eq!(resolved.resolved_by.as_deref(), Some("super"));
    assert_eq!(audit_len(&store), before + 1);
    let again = incidents::resolve_categorised(&store, by(), &a, "other", "again").unwrap_err().to_string();
    assert!(again.contains("already resolved"), "{again}");
    incidents::resolve_categorised(&store, by(), &b, "rate_limit", "throttled again").unwrap();
    incidents::resolve_categorised(&store, by(), &c, "webhook_missed", "order 1001 never announced").unwrap();
    // Resolved the old way (the CLI's --cause alone): no category.
    incidents::resolve(&store, by(), &d, "unknown").unwrap();

    let review = incidents::monthly_by_category(&store, "2026-11").unwrap();
    let rows: Vec<(Option<&str>, bool, i64, i64)> =
        review.iter().map(|r| (r.category.as_deref(), r.open, r.incidents, r.oversold_units)).collect();
    assert_eq!(
        rows,
        [
            (Some("rate_limit"), false, 2, 4),
            (None, false, 1, 2),
            (None, true, 1, 2),
            (Some("webhook_missed"), false, 1, 2),
        ]
    );
    for bad in ["2026-13", "2026-1", "november", ""] {
        let error = incidents::monthly_by_category(&store, bad).unwrap_err().to_string();
        assert!(error.contains("expected YYYY-MM"), "{bad}: {error}");
    }
    assert_eq!(incidents::monthly_by_category(&store, "2026-12").unwrap().len(), 1);
}
