//! The live service (`shelfsync serve`, and the app in-process) over real loopback HTTP: a real
//! SQLite file, the simulator on port 0, the real engine. A change recorded in the ledger
//! reaches the channel with nothing else running; scheduled jobs run only where the lease is;
//! a stop hands the lease over.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use shelfsync_capture::drift;
use shelfsync_capture::service::{self, Job, ServiceConfig};
use shelfsync_channels::ChannelKind;
use shelfsync_core::{Item, Location, LocationCode, Movement, Sku};
use shelfsync_sim::{RunningSim, Sim, SimConfig};
use shelfsync_store::{ItemRecord, Store};
use shelfsync_sync::config::{self, Mapping, NewChannel, SHOPIFY_TOKEN};
use shelfsync_sync::credentials::{Backend, Secret, Secrets};
use shelfsync_sync::lease;
use tempfile::TempDir;

const CHANNEL: &str = "shop";
const TOKEN: &str = "shpat_service_test";
const ITEM: &str = "gid://shopify/InventoryItem/2001";
const LOCATION: &str = "gid://shopify/Location/1";
/// How long a change may take to reach the channel here: the engine drains within a second on
/// loopback; the bound only keeps a broken service from hanging the test.
const REACH_WITHIN: Duration = Duration::from_secs(20);

struct Fixture {
    _dir: TempDir,
    db: PathBuf,
    sim: Sim,
    _server: RunningSim,
}

fn receive(db: &Path, qty: u32) {
    let mut store = Store::open(db).unwrap();
    let movement =
        Movement::Receive { sku: Sku::new("S1").unwrap(), location: LocationCode::new("WH1").unwrap(), qty };
    store.append(&shelfsync_store::new_event(movement, "tester", "ws")).unwrap();
}

/// A location WH1 and an item S1, nothing else.
fn catalogue(store: &mut Store) {
    store
        .upsert_locations(&[Location {
            code: LocationCode::new("WH1").unwrap(),
            name: "WH1".into(),
            parent: None,
        }])
        .unwrap();
    store
        .upsert_items(&[ItemRecord {
            item: Item {
                sku: Sku::new("S1").unwrap(),
                name: "item".into(),
                unit_cost_cents: 100,
                category: "t".into(),
                safety_stock: 0,
            },
            barcodes: vec![],
        }])
        .unwrap();
}

/// SKU S1 at WH1 listed on one simulated Shopify channel; nothing pushed yet, no engine run.
async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.db");
    let mut store = Store::open(&db).unwrap();
    catalogue(&mut store);
    let sim = Sim::new(SimConfig { access_token: Some(TOKEN.into()), ..SimConfig::default() });
    sim.set_level(ITEM, LOCATION, 0);
    let server = sim.serve(0).await.unwrap();
    let new = NewChannel {
        name: CHANNEL.into(),
        kind: ChannelKind::Shopify,
        endpoint: server.url(),
        shop: Some("service-test.myshopify.com".into()),
        seller_id: None,
        marketplace_id: None,
    };
    let secrets = Secrets::with_backend(&db, Backend::File);
    config::add_channel(
        &store,
        shelfsync_store::By::new("tester", "ws-test"),
        &secrets,
        &new,
        &[(SHOPIFY_TOKEN, Secret::new(TOKEN).unwrap())],
    )
    .unwrap();
    let mapping = Mapping {
        sku: "S1".into(),
        location: Some("WH1".into()),
        remote_item: ITEM.into(),
        remote_location: Some(LOCATION.into()),
    };
    config::map_one(&store, shelfsync_store::By::new("tester", "ws-test"), CHANNEL, &mapping).unwrap();
    Fixture { _dir: dir, db, sim, _server: server }
}

fn config(workstation: &str) -> ServiceConfig {
    let mut config = ServiceConfig::new(workstation);
    config.secrets_backend = Some(Backend::File);
    // Short enough that a takeover happens within the test; the production lifetime is 30 s.
    config.lease_ttl = Duration::from_millis(900);
    config.reload_every = Duration::from_millis(200);
    config.tick = Duration::from_millis(50);
    config
}

fn level(f: &Fixture) -> Option<i64> {
    f.sim.inspect(|s| s.level(ITEM, LOCATION))
}

/// Waits (bounded) until `done` holds; false when it never did.
fn eventually(within: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    done()
}

fn lease_holder(db: &Path) -> Option<String> {
    lease::holder(&Store::open(db).unwrap()).unwrap().map(|(holder, _)| holder)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_reaches_the_channel_with_only_the_service_running_and_a_stop_hands_the_lease_over() {
    let f = fixture().await;
    receive(&f.db, 7);
    let handle = service::spawn(&f.db, config("pack-1")).unwrap();
    assert!(
        eventually(REACH_WITHIN, || level(&f) == Some(7)),
        "the receipt never reached the channel: {:?}",
        level(&f)
    );
    let holder = handle.status().holder.clone();
    assert!(holder.starts_with("service:pack-1 (pid "), "{holder}");
    assert_eq!(lease_holder(&f.db).as_deref(), Some(holder.as_str()));

    // A later change, made while the service runs (the app's scan, a CLI adjustment), follows.
    receive(&f.db, 5);
    assert!(eventually(REACH_WITHIN, || level(&f) == Some(12)), "the second receipt: {:?}", level(&f));

    // The scheduled jobs ran here, as this holder, and each finished without an error.
    let finished = |db: &Path| {
        let store = Store::open(db).unwrap();
        service::jobs(&store).unwrap()
    };
    assert!(
        eventually(REACH_WITHIN, || {
            let jobs = finished(&f.db);
            Job::ALL
                .iter()
                .all(|job| jobs.iter().any(|j| j.job == job.as_str() && j.last_finished_at.is_some()))
        }),
        "not every job ran: {:#?}",
        finished(&f.db)
    );
    for job in finished(&f.db) {
        assert_eq!(job.last_ok, Some(true), "{job:?}");
        assert_eq!(job.holder, holder);
    }
    // The drift audits are stored with their scope and the service as their actor.
    let runs = drift::history(&Store::open(&f.db).unwrap(), 10).unwrap();
    let scopes: Vec<&str> = runs.iter().map(|r| r.scope.as_str()).collect();
    assert!(scopes.contains(&"top") && scopes.contains(&"full"), "{scopes:?}");
    assert!(runs.iter().all(|r| r.actor == "service:pack-1"), "{runs:?}");
    let top_run = runs.iter().find(|r| r.scope == drift::DriftScope::Top).unwrap();
    assert_eq!(top_run.rows_kept, "all");
    let (_, top) = drift::stored_run(&Store::open(&f.db).unwrap(), top_run.id).unwrap().unwrap();
    // Read back live from the channel (its level depends on when the audit ran against the pushes).
    assert!(
        top.rows.iter().any(|r| r.sku == "S1" && r.channel == CHANNEL && r.channel_qty.is_some()),
        "{top:?}"
    );

    handle.stop(Duration::from_secs(20)).unwrap();
    assert_eq!(lease_holder(&f.db), None, "a clean stop releases the lease at once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_services_on_one_database_one_leads_and_the_other_takes_over_when_it_stops() {
    let f = fixture().await;
    let first = service::spawn(&f.db, config("pack-1")).unwrap();
    assert!(eventually(REACH_WITHIN, || first.status().leading), "the first service never led");
    let second = service::spawn(&f.db, config("pack-2")).unwrap();
    // Give the second several lease turns: it must keep waiting, and run no job.
    std::thread::sleep(Duration::from_millis(1_500));
    assert!(first.status().leading);
    assert!(!second.status().leading, "two leaders at once");
    assert!(!second.status().engine_running);
    let runs_by = |who: &str| {
        let store = Store::open(&f.db).unwrap();
        service::jobs(&store).unwrap().into_iter().filter(|j| j.holder.starts_with(who)).count()
    };
    assert_eq!(runs_by("service:pack-2"), 0, "the waiting service ran scheduled jobs");

    first.stop(Duration::from_secs(20)).unwrap();
    assert!(eventually(REACH_WITHIN, || second.status().leading), "the second never took over");
    // Now the second one pushes.
    receive(&f.db, 3);
    assert!(eventually(REACH_WITHIN, || level(&f) == Some(3)), "after the takeover: {:?}", level(&f));
    assert!(lease_holder(&f.db).is_some_and(|h| h.starts_with("service:pack-2")));
    second.stop(Duration::from_secs(20)).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_added_while_the_service_runs_gets_pushes_without_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.db");
    catalogue(&mut Store::open(&db).unwrap());
    receive(&db, 4);
    // A database with no channel yet: the service runs and waits.
    let handle = service::spawn(&db, config("pack-1")).unwrap();
    assert!(eventually(REACH_WITHIN, || handle.status().leading));
    assert!(!handle.status().engine_running, "an engine with no channel to serve");

    let sim = Sim::new(SimConfig { access_token: Some(TOKEN.into()), ..SimConfig::default() });
    sim.set_level(ITEM, LOCATION, 0);
    let server = sim.serve(0).await.unwrap();
    {
        let store = Store::open(&db).unwrap();
        let new = NewChannel {
            name: CHANNEL.into(),
            kind: ChannelKind::Shopify,
            endpoint: server.url(),
            shop: Some("service-test.myshopify.com".into()),
            seller_id: None,
            marketplace_id: None,
        };
        let secrets = Secrets::with_backend(&db, Backend::File);
        config::add_channel(
            &store,
            shelfsync_store::By::new("tester", "ws-test"),
            &secrets,
            &new,
            &[(SHOPIFY_TOKEN, Secret::new(TOKEN).unwrap())],
        )
        .unwrap();
        let mapping = Mapping {
            sku: "S1".into(),
            location: Some("WH1".into()),
            remote_item: ITEM.into(),
            remote_location: Some(LOCATION.into()),
        };
        config::map_one(&store, shelfsync_store::By::new("tester", "ws-test"), CHANNEL, &mapping).unwrap();
    }
    assert!(
        eventually(REACH_WITHIN, || sim.inspect(|s| s.level(ITEM, LOCATION)) == Some(4)),
        "the new channel never got the stock: {:?}",
        sim.inspect(|s| s.level(ITEM, LOCATION))
    );
    assert!(handle.status().engine_running);
    handle.stop(Duration::from_secs(20)).unwrap();
    drop(server);
}

#[test]
fn a_webhook_port_in_use_is_refused_at_start_and_nothing_runs() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.db");
    drop(Store::open(&db).unwrap());
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut config = config("pack-1");
    config.webhook = Some(taken.local_addr().unwrap());
    let error = match service::spawn(&db, config) {
        Ok(_) => panic!("a service started on a port in use"),
        Err(error) => error.to_string(),
    };
    assert!(error.contains("cannot receive webhooks on"), "{error}");
    assert_eq!(lease_holder(&db), None, "the refused service took the lease");
}
