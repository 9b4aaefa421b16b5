//! The service's drift audits on a controllable clock: hourly ticks over 100 days ask which jobs
//! are due (`service::due_jobs`) and run them as the loop does (`service::run_job_at`) against
//! the simulator over loopback. The daily top-50 and weekly whole-catalogue runs are each stored
//! with their rows (flagged rows marked), a quarter of them is kept, and the history is bounded
//! in number too.

use chrono::{DateTime, Duration, Utc};
use shelfsync_capture::drift::{self, DriftReport, DriftScope};
use shelfsync_capture::service::{self, Job, ServiceConfig};
use shelfsync_channels::ChannelKind;
use shelfsync_core::{Item, Location, LocationCode, Movement, Sku};
use shelfsync_sim::{Sim, SimConfig};
use shelfsync_store::{ItemRecord, Store};
use shelfsync_sync::config::{self, Mapping, NewChannel, SHOPIFY_TOKEN};
use shelfsync_sync::credentials::{Backend, Secret, Secrets};

const TOKEN: &str = "shpat_drift_history";
const LOCATION: &str = "gid://shopify/Location/1";

fn by() -> shelfsync_store::By<'static> {
    shelfsync_store::By::new("tester", "ws-test")
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

fn item(sku: &str) -> ItemRecord {
    ItemRecord {
        item: Item {
            sku: Sku::new(sku).unwrap(),
            name: sku.into(),
            unit_cost_cents: 100,
            category: "t".into(),
            safety_stock: 0,
        },
        barcodes: vec![],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_services_schedules_store_each_audit_with_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.db");
    let mut store = Store::open(&db).unwrap();
    store
        .upsert_locations(&[Location {
            code: LocationCode::new("WH1").unwrap(),
            name: "WH1".into(),
            parent: None,
        }])
        .unwrap();
    store.upsert_items(&[item("S1"), item("S2")]).unwrap();
    // S1: 10 on hand, the channel shows 3 (drift of 7, flagged); S2: 4 and 4 (agrees).
    let sim = Sim::new(SimConfig { access_token: Some(TOKEN.into()), ..SimConfig::default() });
    sim.set_level("gid://shopify/InventoryItem/1", LOCATION, 3);
    sim.set_level("gid://shopify/InventoryItem/2", LOCATION, 4);
    let server = sim.serve(0).await.unwrap();
    let new = NewChannel {
        name: "shop".into(),
        kind: ChannelKind::Shopify,
        endpoint: server.url(),
        shop: Some("drift-history.myshopify.com".into()),
        seller_id: None,
        marketplace_id: None,
    };
    let secrets = Secrets::with_backend(&db, Backend::File);
    config::add_channel(&store, by(), &secrets, &new, &[(SHOPIFY_TOKEN, Secret::new(TOKEN).unwrap())])
        .unwrap();
    for (n, (sku, qty)) in [("S1", 10), ("S2", 4)].into_iter().enumerate() {
        let mapping = Mapping {
            sku: sku.into(),
            location: Some("WH1".into()),
            remote_item: format!("gid://shopify/InventoryItem/{}", n + 1),
            remote_location: Some(LOCATION.into()),
        };
        config::map_one(&store, by(), "shop", &mapping).unwrap();
        let receive = Movement::Receive {
            sku: Sku::new(sku).unwrap(),
            location: LocationCode::new("WH1").unwrap(),
            qty,
        };
        store.append(&shelfsync_store::new_event(receive, "tester", "ws")).unwrap();
    }
    let mut config = ServiceConfig::new("pack-1");
    config.secrets_backend = Some(Backend::File);

    // The clock: every hour for 100 days from 2026-08-01.
    let start = at("2026-08-01T00:00:00Z");
    let mut ran = Vec::new();
    for hour in 0..100 * 24 {
        let now = start + Duration::hours(hour);
        for job in service::due_jobs(&store, &config.schedule, now).unwrap() {
            if matches!(job, Job::DriftTop | Job::DriftFull) {
                service::run_job_at(&db, &config.secrets(&db), &config, job, now).await.unwrap();
                ran.push((job, now));
            }
        }
    }
    let tops: Vec<_> = ran.iter().filter(|(j, _)| *j == Job::DriftTop).map(|(_, t)| *t).collect();
    let fulls: Vec<_> = ran.iter().filter(|(j, _)| *j == Job::DriftFull).map(|(_, t)| *t).collect();
    assert_eq!((tops.len(), fulls.len()), (100, 15), "daily top-50 and weekly whole catalogue");
    assert!(tops.windows(2).all(|w| w[1] - w[0] == Duration::days(1)));
    assert!(fulls.windows(2).all(|w| w[1] - w[0] == Duration::days(7)));

    // What is kept: the runs of the last 92 days, newest first.
    let history = drift::history(&store, 1_000).unwrap();
    let newest = at(&history[0].started_at);
    assert_eq!(newest, start + Duration::days(99));
    assert!(history.windows(2).all(|w| w[0].started_at >= w[1].started_at), "newest first");
    for run in &history {
        assert!(
            newest - at(&run.started_at) <= Duration::days(drift::HISTORY_DAYS),
            "{run:?} is past the quarter"
        );
        assert_eq!(run.actor, "service:pack-1");
    }
    let count = |scope| history.iter().filter(|r| r.scope == scope).count();
    assert_eq!((count(DriftScope::Top), count(DriftScope::Full)), (92, 13), "days 8..=99; weeks 2..=14");

    // Each run with its rows: the daily run keeps every row, the weekly one its flagged rows.
    let top = history.iter().find(|r| r.scope == DriftScope::Top).unwrap();
    let (run, report) = drift::stored_run(&store, top.id).unwrap().unwrap();
    assert_eq!((run.checked, run.flagged, run.rows_kept.as_str()), (2, 1, "all"));
    let rows: Vec<(&str, Option<i64>, Option<i64>, bool)> =
        report.rows.iter().map(|r| (r.sku.as_str(), r.channel_qty, r.variance, r.flagged)).collect();
    assert_eq!(rows, [("S1", Some(3), Some(-7), true), ("S2", Some(4), Some(0), false)]);
    let full = history.iter().find(|r| r.scope == DriftScope::Full).unwrap();
    let (run, report) = drift::stored_run(&store, full.id).unwrap().unwrap();
    assert_eq!((run.checked, run.flagged, run.rows_kept.as_str(), report.rows.len()), (2, 1, "flagged", 1));
    assert_eq!(drift::latest(&store).unwrap().unwrap().0.id, history[0].id);
    // The service's own record of the job, in the same clock.
    let jobs = service::jobs(&store).unwrap();
    let top_job = jobs.iter().find(|j| j.job == "drift_top").unwrap();
    assert!(top_job.last_started_at.starts_with("2026-11-08T00:00:00"), "{top_job:?}");
}

#[test]
fn the_history_is_bounded_in_number_as_well_as_age() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("d.db")).unwrap();
    let empty = DriftReport { top: 50, checked: 0, flagged: 0, rows: vec![] };
    let start = at("2026-12-01T00:00:00Z");
    let extra = 5;
    for n in 0..drift::MAX_RUNS + extra {
        let t = start + Duration::minutes(n);
        drift::record(&store, DriftScope::Manual, &empty, t, t, "tester").unwrap();
    }
    let history = drift::history(&store, 1_000).unwrap();
    assert_eq!(history.len() as i64, drift::MAX_RUNS);
    assert_eq!(
        at(&history.last().unwrap().started_at),
        start + Duration::minutes(extra),
        "the oldest went first"
    );
}
