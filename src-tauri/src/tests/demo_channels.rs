//! The demo's simulated channels: the engine pushes to them across restarts, and they are for
//! demo databases only.

use crate::commands;
use crate::ipc::*;
use crate::state::{AppState, DemoPolicy};

use super::{fresh_demo, line, request};

// ---- the demo's simulated channels -------------------------------------------------------------

/// Polls the dashboard until every channel has an empty queue and has pushed `pushed` rows.
fn wait_until_drained(state: &AppState, channels: usize, pushed: i64) -> SyncDashboard {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    loop {
        let dashboard = commands::sync_status(state).unwrap();
        let done = dashboard.channels.len() == channels
            && dashboard.channels.iter().all(|c| c.queue_depth == 0 && c.pushed >= pushed);
        if done {
            return dashboard;
        }
        assert!(std::time::Instant::now() < deadline, "not drained in 90 s: {:?}", dashboard.channels);
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

/// What each simulated channel holds for demo SKU n: Shopify at WH1, Amazon, eBay.
fn demo_sim_levels(demo: &crate::demo_channels::DemoChannels, n: u32) -> [Option<i64>; 3] {
    let sku = format!("SS-{n:05}");
    let shopify = demo
        .sim
        .inspect(|s| s.level(&format!("gid://shopify/InventoryItem/{n}"), "gid://shopify/Location/1"));
    let amazon = demo.sim.amazon.inspect(|s| s.quantity(&sku));
    let ebay = demo.sim.ebay.inspect(|s| s.items().into_iter().find(|i| i.sku == sku).map(|i| i.listed));
    [shopify, amazon, ebay]
}

/// The explained quantity of each demo listing of SKU n, in the order of `demo_sim_levels`.
fn demo_explained(state: &AppState, n: u32) -> ([Option<i64>; 3], SkuSyncView) {
    use crate::demo_channels::{AMAZON, EBAY, SHOP};
    let why = crate::why::sku_sync(state, format!("SS-{n:05}")).unwrap();
    let qty = |name: &str| why.listings.iter().find(|l| l.channel == name).map(|l| l.allocation.qty);
    ([qty(SHOP), qty(AMAZON), qty(EBAY)], why)
}

#[test]
fn demo_channels_simulate_three_channels_and_the_engine_pushes_to_them_across_restarts() {
    // SAFETY: nextest runs each test in its own process; set before any thread reads it.
    unsafe { std::env::set_var("SHELFSYNC_SECRETS", "file") };
    let (_dir, state) = fresh_demo();
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    let listed = i64::from(crate::demo_channels::DEMO_LISTED_SKUS);
    let demo = crate::demo_channels::DemoChannels::start(state.db_path()).unwrap();
    assert!(demo.url.starts_with("http://127.0.0.1:"), "{}", demo.url);
    // The pushing is the app's live service, as on any database.
    state.start_service();
    let dashboard = wait_until_drained(&state, 3, listed);
    let kinds: Vec<&str> = dashboard.channels.iter().map(|c| c.kind.as_str()).collect();
    assert_eq!(kinds, ["amazon", "ebay", "shopify"]);
    assert!(dashboard.dead_letters.is_empty(), "{:?}", dashboard.dead_letters);
    for n in [1, 25, 50] {
        let (explained, why) = demo_explained(&state, n);
        assert_eq!(
            demo_sim_levels(&demo, n),
            explained,
            "SS-{n:05}: the channels hold the explained numbers"
        );
        assert!(why.listings.iter().all(|l| l.channel_qty == Some(l.allocation.qty)));
    }
    let unlisted = crate::why::sku_sync(&state, "SS-00051".into()).unwrap();
    assert!(unlisted.listings.is_empty(), "only the first {listed} SKUs are listed");

    // Stopped (the app closed), stock received meanwhile, started again: the same endpoint,
    // the simulator seeded with what was acknowledged, so the new number lands and nothing is
    // mistaken for a sale on a channel.
    let url = demo.url.clone();
    state.shutdown();
    demo.stop();
    commands::commit_scans(&state, request(StationMode::Receive, "WH1", vec![line("SS-00001", 7)])).unwrap();
    let (before, _) = demo_explained(&state, 1);
    let demo = crate::demo_channels::DemoChannels::start(state.db_path()).unwrap();
    assert_eq!(demo.url, url);
    state.start_service();
    wait_until_drained(&state, 3, listed + 1);
    let (after, why) = demo_explained(&state, 1);
    assert_eq!(after, before, "the receipt's allocation, not one lowered by phantom channel sales");
    assert_eq!(demo_sim_levels(&demo, 1), after);
    assert!(why.listings.iter().all(|l| l.open_channel_changes == 0), "{:?}", why.listings);
    assert_eq!(demo_sim_levels(&demo, 2), demo_explained(&state, 2).0, "untouched SKUs kept their numbers");
    state.shutdown();
    demo.stop();
}

#[test]
fn demo_channels_are_for_demo_databases_and_can_be_switched_off() {
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::new(dir.path().join("own.db"));
    state.boot(DemoPolicy::Never);
    state.start_demo_channels();
    assert_eq!(commands::app_info(&state).unwrap().demo_channels, None, "not a demo database");
    // SAFETY: as above.
    unsafe { std::env::set_var(crate::demo_channels::DEMO_CHANNELS_ENV, "off") };
    assert!(!crate::demo_channels::enabled_from_env());
    let (_dir, demo) = fresh_demo();
    demo.start_demo_channels();
    assert_eq!(commands::app_info(&demo).unwrap().demo_channels, None, "switched off");
    let store = demo.store().unwrap();
    assert!(shelfsync_sync::config::list_channels(&store).unwrap().is_empty());
}
