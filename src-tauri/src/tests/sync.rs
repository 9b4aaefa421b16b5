//! The Sync screen: the dashboard, the SKU drill-down against a simulated channel, the
//! re-push, and the app's own service pushing a scan on a real database.

use shelfsync_store::testing;

use crate::commands;
use crate::error::AppError;
use crate::ipc::*;
use crate::state::{AppState, DemoPolicy};

use super::{demo_gtin13, fresh_demo, line, request, shopify_request};

#[test]
fn sync_dashboard_lists_configured_channels_and_retry_is_for_supervisors() {
    let (dir, state) = fresh_demo();
    assert!(matches!(commands::sync_status(&state), Err(AppError::SignedOut)));
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    assert!(commands::sync_status(&state).unwrap().channels.is_empty(), "the demo configures none");
    {
        let store = state.store().unwrap();
        let secrets = shelfsync_sync::credentials::Secrets::with_backend(
            &dir.path().join("demo.db"),
            shelfsync_sync::credentials::Backend::File,
        );
        let new = shelfsync_sync::config::NewChannel {
            name: "shop".into(),
            kind: shelfsync_channels::ChannelKind::Shopify,
            endpoint: "http://127.0.0.1:9".into(),
            shop: Some("demo.myshopify.com".into()),
            seller_id: None,
            marketplace_id: None,
        };
        shelfsync_sync::config::add_channel(
            &store,
            shelfsync_store::By::new("tester", "ws-test"),
            &secrets,
            &new,
            &[("access_token", shelfsync_sync::credentials::Secret::new("shpat_test").unwrap())],
        )
        .unwrap();
    }
    let dashboard = commands::sync_status(&state).unwrap();
    assert_eq!(dashboard.channels.len(), 1);
    let card = &dashboard.channels[0];
    assert_eq!((card.channel.as_str(), card.kind.as_str(), card.dead_letters), ("shop", "shopify", 0));
    assert!(dashboard.dead_letters.is_empty());
    let error = commands::retry_dead_letters(&state, None).unwrap_err();
    assert!(error.to_string().contains("may not retry dead letters"), "{error}");
    commands::sign_in(&state, "super".into(), "2222".into()).unwrap();
    assert_eq!(commands::retry_dead_letters(&state, None).unwrap(), 0);
}

// ---- sync drill-down and sparkline -------------------------------------------------------------

const SIM_ITEM: &str = "gid://shopify/InventoryItem/1";
const SIM_LOCATION: &str = "gid://shopify/Location/1";

/// A Shopify channel "shop" on the in-process simulator (real HTTP over 127.0.0.1), listing
/// SS-00001 at WH1 with a 50 % share and a buffer of 2; one engine pass pushes it.
struct SimChannel {
    runtime: tokio::runtime::Runtime,
    sim: shelfsync_sim::Sim,
    _server: shelfsync_sim::RunningSim,
    db: std::path::PathBuf,
}

impl SimChannel {
    fn start(state: &AppState) -> SimChannel {
        use shelfsync_sync::config;
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let sim = shelfsync_sim::Sim::new(shelfsync_sim::SimConfig {
            access_token: Some("shpat_test".into()),
            ..shelfsync_sim::SimConfig::default()
        });
        sim.set_level(SIM_ITEM, SIM_LOCATION, 0);
        let server = runtime.block_on(sim.serve(0)).unwrap();
        let db = state.db_path().to_path_buf();
        let store = state.store().unwrap();
        let new = config::NewChannel {
            name: "shop".into(),
            kind: shelfsync_channels::ChannelKind::Shopify,
            endpoint: server.url(),
            shop: Some("demo.myshopify.com".into()),
            seller_id: None,
            marketplace_id: None,
        };
        let secrets = shelfsync_sync::credentials::Secrets::with_backend(
            &db,
            shelfsync_sync::credentials::Backend::File,
        );
        let token = shelfsync_sync::credentials::Secret::new("shpat_test").unwrap();
        config::add_channel(
            &store,
            shelfsync_store::By::new("tester", "ws-test"),
            &secrets,
            &new,
            &[(config::SHOPIFY_TOKEN, token)],
        )
        .unwrap();
        let change = config::RuleChange { percent: Some(50), buffer: Some(2), ..Default::default() };
        config::set_rule(&store, shelfsync_store::By::new("tester", "ws-test"), "shop", &change).unwrap();
        let mapping = config::Mapping {
            sku: "SS-00001".into(),
            location: Some("WH1".into()),
            remote_item: SIM_ITEM.into(),
            remote_location: Some(SIM_LOCATION.into()),
        };
        config::map_one(&store, shelfsync_store::By::new("tester", "ws-test"), "shop", &mapping).unwrap();
        SimChannel { runtime, sim, _server: server, db }
    }

    /// One `sync run --once` pass, bounded so a hang fails the test.
    fn drain(&self) {
        let secrets = shelfsync_sync::credentials::Secrets::with_backend(
            &self.db,
            shelfsync_sync::credentials::Backend::File,
        );
        let engine = shelfsync_sync::Engine::new(&self.db, secrets, shelfsync_sync::EngineConfig::default());
        let (_stop, stopped) = tokio::sync::watch::channel(false);
        let run = engine.run(shelfsync_sync::Mode::Once, stopped);
        let report = self
            .runtime
            .block_on(async { tokio::time::timeout(std::time::Duration::from_secs(60), run).await })
            .expect("one pass within 60 s")
            .unwrap();
        assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    }

    fn level(&self) -> Option<i64> {
        self.sim.inspect(|s| s.level(SIM_ITEM, SIM_LOCATION))
    }
}

#[test]
fn sku_drill_down_explains_the_pushed_number_and_lists_its_pushes() {
    let (_dir, state) = fresh_demo();
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    let channel = SimChannel::start(&state);
    channel.drain();

    // The card's sparkline has the push; the drill-down (by barcode) explains it.
    let card = commands::sync_status(&state).unwrap().channels.remove(0);
    assert_eq!(card.latencies.len(), 1, "{:?}", card.latencies);
    assert!(card.latencies[0].latency_ms >= 0);
    let why = crate::why::sku_sync(&state, demo_gtin13(1)).unwrap();
    assert_eq!(why.item.sku, "SS-00001");
    assert_eq!(why.listings.len(), 1);
    let listing = &why.listings[0];
    let a = &listing.allocation;
    let wh1 = why.item.stock.iter().find(|r| r.location == "WH1").unwrap().buckets;
    let [atp, on_hand, committed, reserved, damaged] =
        [wh1.atp, wh1.on_hand, wh1.committed, wh1.reserved, wh1.damaged].map(Option::unwrap);
    assert_eq!(a.locations, vec![LocationAtpView { location: "WH1".into(), atp }]);
    assert_eq!(atp, on_hand - committed - reserved - damaged);
    assert_eq!((a.pool, a.percent, a.buffer, a.cap), (atp, 50, 2, None));
    assert_eq!(a.safety_stock, i64::from(why.item.safety_stock));
    assert!(a.qty > 0 && a.qty < a.pool, "half the pool, less the buffer: {a:?}");
    assert_eq!(channel.level(), Some(a.qty), "the channel holds the explained number");
    assert_eq!((listing.channel_qty, listing.queued_qty), (Some(a.qty), None));
    assert_eq!(why.pushes.len(), 1);
    let push = &why.pushes[0];
    assert_eq!((push.channel.as_str(), push.location.as_deref(), push.qty), ("shop", Some("WH1"), a.qty));
    assert_eq!(push.acked_at, card.latencies[0].acked_at);

    // A receipt: the drill-down shows the new number waiting, the channel still on the old one.
    let before = a.qty;
    commands::commit_scans(&state, request(StationMode::Receive, "WH1", vec![line("SS-00001", 40)])).unwrap();
    let queued = crate::why::sku_sync(&state, "SS-00001".into()).unwrap();
    let listing = &queued.listings[0];
    assert_eq!(listing.allocation.pool, atp + 40);
    assert_eq!(listing.queued_qty, Some(listing.allocation.qty));
    assert!(listing.queued_since.is_some());
    assert_eq!(listing.channel_qty, Some(before));
    channel.drain();
    let after = crate::why::sku_sync(&state, "SS-00001".into()).unwrap();
    assert_eq!(after.pushes.len(), 2, "newest first");
    assert_eq!(after.pushes[0].qty, listing.allocation.qty);
    assert!(after.pushes[0].version > after.pushes[1].version);
    assert_eq!(commands::sync_status(&state).unwrap().channels[0].latencies.len(), 2);

    // A SKU no channel lists: its buckets, no listings, no pushes; not an error.
    let unlisted = crate::why::sku_sync(&state, "SS-00002".into()).unwrap();
    assert!(unlisted.listings.is_empty() && unlisted.pushes.is_empty());
}

#[test]
fn sku_drill_down_refuses_bad_input_with_a_clear_message_and_changes_nothing() {
    let (_dir, state) = fresh_demo();
    assert!(matches!(crate::why::sku_sync(&state, "SS-00001".into()), Err(AppError::SignedOut)));
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    let before = testing::connection(&state.store().unwrap()).total_changes();
    let cases: [(String, &str); 4] = [
        ("".into(), "scan a barcode or type a SKU"),
        ("   ".into(), "scan a barcode or type a SKU"),
        ("9".repeat(129), "a code is at most 128 characters"),
        ("NOPE-1".into(), "No item has the SKU or barcode 'NOPE-1'. Check the label and scan again."),
    ];
    for (code, message) in cases {
        let error = crate::why::sku_sync(&state, code.clone()).unwrap_err();
        assert_eq!(error.to_string(), message, "{code:?}");
    }
    assert_eq!(testing::connection(&state.store().unwrap()).total_changes(), before);
}

/// Re-push all listings: supervisors only; every listing of the channel is marked (bulk, and
/// pushed without compare); the progress is the outbox rows of those listings still waiting,
/// falling as the engine's groups are acknowledged. Bad input is refused and writes nothing.
#[test]
fn repush_marks_every_listing_and_reports_the_rows_still_waiting() {
    unsafe { std::env::set_var("SHELFSYNC_SECRETS", "file") };
    let (_dir, state) = fresh_demo();
    commands::sign_in(&state, "admin".into(), "3333".into()).unwrap();
    crate::admin::add_channel(&state, shopify_request("shop", "t")).unwrap();
    crate::admin::add_channel(&state, shopify_request("empty", "t")).unwrap();
    {
        let store = state.store().unwrap();
        for n in 1..=5 {
            let mapping = shelfsync_sync::config::Mapping {
                sku: format!("SS-{n:05}"),
                location: Some("WH1".into()),
                remote_item: format!("gid://shopify/InventoryItem/{n}"),
                remote_location: Some("gid://shopify/Location/1".into()),
            };
            shelfsync_sync::config::map_one(
                &store,
                shelfsync_store::By::new("tester", "ws-test"),
                "shop",
                &mapping,
            )
            .unwrap();
        }
        // The engine pushed them all: the outbox is empty and the channel acknowledged each.
        let group = shelfsync_sync::queue::form_group(&store, "shop", 100).unwrap().unwrap();
        shelfsync_sync::queue::ack(&store, "shop", &group).unwrap();
        assert_eq!(shelfsync_sync::queue::queue_depth(&store, "shop").unwrap(), 0);
    }
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    let error = crate::repush::repush_channel(&state, "shop".into()).unwrap_err();
    assert!(error.to_string().contains("may not re-push a channel"), "{error}");
    assert!(crate::repush::repush_progress(&state).unwrap().is_empty());

    commands::sign_in(&state, "super".into(), "2222".into()).unwrap();
    let before = testing::connection(&state.store().unwrap()).total_changes();
    let long = "x".repeat(65);
    let bad: [(&str, &str); 4] = [
        ("", "Choose a channel"),
        ("   ", "Choose a channel"),
        (&long, "at most 64 characters"),
        ("nosuch", "nosuch"),
    ];
    for (input, message) in bad {
        let error = crate::repush::repush_channel(&state, input.into()).unwrap_err();
        assert!(error.to_string().contains(message), "{input:?}: {error}");
    }
    let error = crate::repush::repush_channel(&state, "empty".into()).unwrap_err();
    assert!(error.to_string().contains("has no listings"), "{error}");
    assert_eq!(
        testing::connection(&state.store().unwrap()).total_changes(),
        before,
        "bad input wrote nothing"
    );
    assert!(crate::repush::repush_progress(&state).unwrap().is_empty());

    let started = crate::repush::repush_channel(&state, " shop ".into()).unwrap();
    assert_eq!((started.channel.as_str(), started.total, started.remaining), ("shop", 5, 5));
    assert_eq!(started.started_by, "super");
    {
        let store = state.store().unwrap();
        let conn = testing::connection(&store);
        let bulk: i64 =
            conn.query_row("SELECT count(*) FROM outbox WHERE bulk = 1", [], |r| r.get(0)).unwrap();
        assert_eq!(bulk, 5, "a re-push is bulk: a sale still goes first");
        let group = shelfsync_sync::queue::form_group(&store, "shop", 2).unwrap().unwrap();
        shelfsync_sync::queue::ack(&store, "shop", &group).unwrap();
    }
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    let progress = crate::repush::repush_progress(&state).unwrap();
    assert_eq!(progress.len(), 1);
    assert_eq!((progress[0].total, progress[0].remaining), (5, 3));
    {
        let store = state.store().unwrap();
        let group = shelfsync_sync::queue::form_group(&store, "shop", 100).unwrap().unwrap();
        shelfsync_sync::queue::ack(&store, "shop", &group).unwrap();
    }
    assert_eq!(crate::repush::repush_progress(&state).unwrap()[0].remaining, 0);
}

/// Going live (issue 15): on a real, non-demo database configured as a user would (a location,
/// an item, a Shopify channel with its listing and rule), the app's in-process service pushes a
/// scanned receipt to the channel with no other program running, and closing the app hands
/// the sync lease over at once.
#[test]
fn on_a_real_database_the_apps_service_pushes_a_scan_with_nothing_else_running() {
    use shelfsync_core::{Item, Location, LocationCode, Role, Sku};
    // SAFETY: nextest runs each test in its own process; set before any thread reads it.
    unsafe { std::env::set_var("SHELFSYNC_SECRETS", "file") };
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::new(dir.path().join("warehouse.db"));
    state.boot(DemoPolicy::Never);
    {
        let mut store = state.store().unwrap();
        store
            .upsert_locations(&[Location {
                code: LocationCode::new("WH1").unwrap(),
                name: "Main".into(),
                parent: None,
            }])
            .unwrap();
        store
            .upsert_items(&[shelfsync_store::ItemRecord {
                item: Item {
                    sku: Sku::new("SS-00001").unwrap(),
                    name: "Mug".into(),
                    unit_cost_cents: 350,
                    category: "home".into(),
                    safety_stock: 0,
                },
                barcodes: vec![],
            }])
            .unwrap();
        store.add_user("ada", Role::Admin, "2468", None, "test").unwrap();
    }
    assert!(!state.is_demo());
    let channel = SimChannel::start(&state);
    state.start_service();
    commands::sign_in(&state, "ada".into(), "2468".into()).unwrap();
    commands::commit_scans(&state, request(StationMode::Receive, "WH1", vec![line("SS-00001", 20)])).unwrap();
    // 50 % of 20, minus the buffer of 2 (the channel's rule).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while channel.level() != Some(8) {
        assert!(std::time::Instant::now() < deadline, "not pushed within 30 s: {:?}", channel.level());
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let holder = state.service_status().expect("the service runs").holder;
    assert!(holder.starts_with("service:"), "{holder}");
    let dashboard = commands::sync_status(&state).unwrap();
    let engine = dashboard.channels[0].engine.clone().unwrap_or_default();
    assert!(engine.starts_with(&holder), "the Sync screen names it: {engine}");
    state.shutdown();
    assert!(state.service_status().is_none());
    let store = state.store().unwrap();
    assert_eq!(shelfsync_sync::lease::holder(&store).unwrap(), None, "the lease was handed over");
}
