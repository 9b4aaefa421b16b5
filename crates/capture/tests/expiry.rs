//! Lots that expire (issue 21) as the service sees them, on a real SQLite file, at instants the
//! test chooses: the `expiring` alert rule opens for a lot with sellable units within its days
//! and resolves once they are gone; the service's expiry job, run twice as at the same day,
//! books the expired units to damaged once (reason `expired`), out of ATP.

use chrono::{DateTime, NaiveDate, Utc};
use shelfsync_capture::alerts;
use shelfsync_capture::expiry::EXPIRING;
use shelfsync_capture::service::{Job, ServiceConfig, run_job_at};
use shelfsync_core::{Item, Location, LocationCode, LotKind, LotTag, Movement, Sku, Tracking};
use shelfsync_store::{By, EventFilter, ItemRecord, StockFilter, Store};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// Milk tracked by lot at WH1: lot A (10 units, expires 2027-01-31) and lot B (4, 2027-03-31).
fn setup(db: &std::path::Path) -> Store {
    let mut store = Store::open(db).unwrap();
    let wh1 = LocationCode::new("WH1").unwrap();
    store.upsert_locations(&[Location { code: wh1.clone(), name: "Main".into(), parent: None }]).unwrap();
    let item = Item {
        sku: Sku::new("MILK").unwrap(),
        name: "Milk".into(),
        unit_cost_cents: 100,
        category: "food".into(),
        safety_stock: 0,
    };
    store.upsert_items(&[ItemRecord { item, barcodes: vec![] }]).unwrap();
    store.set_tracking(By::new("tester", "ws-test"), "MILK", Tracking::Lot).unwrap();
    for (lot, qty, expiry) in [("A", 10, "2027-01-31"), ("B", 4, "2027-03-31")] {
        let receive = Movement::Receive { sku: Sku::new("MILK").unwrap(), location: wh1.clone(), qty };
        let tag = LotTag::new(LotKind::Lot, lot, Some(date(expiry))).unwrap();
        store.append(&shelfsync_store::new_event(receive, "tester", "ws-test").with_lot(Some(tag))).unwrap();
    }
    store
}

fn expiring_subjects(store: &Store, instant: &str) -> Vec<String> {
    alerts::conditions(store, at(instant))
        .unwrap()
        .into_iter()
        .filter(|f| f.rule == EXPIRING)
        .map(|f| f.subject)
        .collect()
}

fn damage_events(store: &Store) -> Vec<shelfsync_store::RecordedEvent> {
    let all = store.events(&EventFilter::default()).unwrap();
    all.into_iter().filter(|e| e.event.movement.kind() == "damage").collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rule_warns_ahead_and_the_job_expires_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.db");
    let store = setup(&db);
    // The default window is 7 days; a threshold changes it.
    let cases: &[(&str, &[&str])] = &[
        ("2027-01-23T12:00:00Z", &[]),
        ("2027-01-24T00:00:00Z", &["MILK:WH1:A"]),
        ("2027-01-31T23:59:00Z", &["MILK:WH1:A"]),
    ];
    for (instant, want) in cases {
        assert_eq!(expiring_subjects(&store, instant), *want, "{instant}");
    }
    alerts::set_threshold(&store, By::new("tester", "ws-test"), EXPIRING, 60.0).unwrap();
    assert_eq!(expiring_subjects(&store, "2027-01-31T12:00:00Z"), vec!["MILK:WH1:A", "MILK:WH1:B"]);
    alerts::set_threshold(&store, By::new("tester", "ws-test"), EXPIRING, 7.0).unwrap();
    let opened = alerts::evaluate(&store, at("2027-01-30T09:00:00Z")).unwrap();
    assert_eq!(opened.opened.len(), 1);

    let mut config = ServiceConfig::new("ws-test");
    config.secrets_backend = Some(shelfsync_sync::credentials::Backend::File);
    let secrets = config.secrets(&db);
    // On its expiry date the lot is still good; the day after, the job books it, once.
    run_job_at(&db, &secrets, &config, Job::ExpireLots, at("2027-01-31T23:00:00Z")).await.unwrap();
    assert!(damage_events(&store).is_empty());
    for hour in ["2027-02-01T00:30:00Z", "2027-02-01T01:30:00Z"] {
        run_job_at(&db, &secrets, &config, Job::ExpireLots, at(hour)).await.unwrap();
    }
    let damage = damage_events(&store);
    assert_eq!(damage.len(), 1, "run twice, booked once");
    let event = &damage[0].event;
    assert_eq!(event.reason.as_deref(), Some("expired"));
    assert_eq!(event.actor, "service:ws-test");
    assert_eq!(event.lot.as_ref().map(|l| l.code.as_str()), Some("A"));
    assert!(matches!(event.movement, Movement::Damage { qty: 10, .. }));
    let row = store.stock(&StockFilter { sku: Some("MILK".into()), location: None }).unwrap().remove(0);
    assert_eq!((row.on_hand, row.damaged, row.atp), (14, 10, 4), "expired units leave ATP");
    // Nothing sellable is left of lot A: its alert resolves.
    let evaluation = alerts::evaluate(&store, at("2027-02-01T02:00:00Z")).unwrap();
    assert_eq!(evaluation.resolved.len(), 1, "{evaluation:?}");
}
