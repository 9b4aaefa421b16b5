//! Flash-sale mode's listing watch (issue 16), over real loopback HTTP to the simulator with
//! Shopify, Amazon and eBay at their documented limits (Amazon `searchListingsItems` and
//! `patchListingsItem` 5/s burst 5; eBay's daily quota spread over the day, about 23 calls a
//! second; Shopify Standard's 2,000-point bucket restoring 100 a second), and no order
//! capture running: no webhook, no notification, no poll. Only the watch can see a sale.
//! - a sale on any one channel is found by the watch within that channel's watch interval, and
//!   the three channels then list the remaining stock between them (the other channels lowered);
//!   once the order behind it is booked, the drop closes and the unit counts once;
//! - the watch, with reads before pushes and pushes going on beside it, never meets a 429 or a
//!   THROTTLED on any channel, and reads no faster than core's plan;
//! - an item whose sale is over, or with the mode turned off, is no longer read.

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::*;
use shelfsync_channels::ChannelKind;
use shelfsync_core::flash::FlashSaleRule;
use shelfsync_core::listing_watch::{ReadBudget, plan};
use shelfsync_core::{Item, Location, LocationCode, Movement, Role, Sku};
use shelfsync_sim::amazon::AmazonSimConfig;
use shelfsync_sim::ebay::EbaySimConfig;
use shelfsync_sim::{RunningSim, Sim, SimConfig};
use shelfsync_store::flash::FLASH_SALE_KEY;
use shelfsync_store::testing::connection;
use shelfsync_store::{ItemRecord, Store};
use shelfsync_sync::config::{
    self, EBAY_CLIENT_ID, EBAY_CLIENT_SECRET, EBAY_REFRESH_TOKEN, LWA_CLIENT_ID, LWA_CLIENT_SECRET,
    LWA_REFRESH_TOKEN, Mapping, NewChannel,
};
use shelfsync_sync::credentials::Secret;
use shelfsync_sync::{Engine, EngineConfig, Mode, RunReport};
use tempfile::TempDir;

const AMAZON: &str = "amz";
const EBAY: &str = "eb";
const SHOP: &str = "shop";
const MARKETPLACE: &str = "ATVPDKIKX0DER";
/// Each item's stock at WH1 before its sales.
const STOCK: u32 = 30;
/// eBay's calls a second: its 2,000,000 a day spread evenly, as the engine paces them; the
/// simulator allows a hair more, with the engine's burst.
const EBAY_RATE: f64 = 2_000_000.0 / 86_400.0;

struct Market {
    _dir: TempDir,
    db: PathBuf,
    store: Store,
    sim: Sim,
    _server: RunningSim,
    admin: shelfsync_store::User,
}

/// `items` items (S0..) with `STOCK` units each at WH1, listed on Amazon, eBay and Shopify (in
/// that order of listing ids), the simulator at the channels' documented limits.
async fn market(items: usize) -> Market {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.db");
    let mut store = Store::open(&db).unwrap();
    let location = Location { code: wh1(), name: "WH1".into(), parent: None };
    store.upsert_locations(&[location]).unwrap();
    let records: Vec<ItemRecord> = (0..items)
        .map(|i| ItemRecord {
            item: Item {
                sku: Sku::new(sku(i)).unwrap(),
                name: format!("item {i}"),
                unit_cost_cents: 100,
                category: "t".into(),
                safety_stock: 0,
            },
            barcodes: vec![],
        })
        .collect();
    store.upsert_items(&records).unwrap();
    let amazon = AmazonSimConfig { seed: 16, ..AmazonSimConfig::default() };
    assert_eq!((amazon.search_rate, amazon.patch_rate), (5.0, 5.0), "Amazon's documented rates");
    let ebay = EbaySimConfig { seed: 16, rate: EBAY_RATE * 1.01, burst: 5.0, ..EbaySimConfig::default() };
    let sim = Sim::with_marketplaces(
        SimConfig { seed: 16, access_token: Some(TOKEN.into()), ..SimConfig::default() },
        amazon.clone(),
        ebay.clone(),
    );
    for i in 0..items {
        sim.amazon.set_listing(&format!("AMZ-{}", sku(i)), 0);
        sim.ebay.set_item(&sku(i), &format!("9{i:05}"), 0);
        sim.set_level(&item_gid(i), &location_gid("WH1"), 0);
    }
    let server = sim.serve(0).await.unwrap();
    let url = server.url();
    let secrets = secrets(&db);
    let s = |v: &str| Secret::new(v).unwrap();
    let by = || shelfsync_store::By::new("tester", "ws-test");
    let channel = |name: &str, kind: ChannelKind, seller: Option<&str>| NewChannel {
        name: name.into(),
        kind,
        endpoint: url.clone(),
        shop: (kind == ChannelKind::Shopify).then(|| "t.myshopify.com".to_string()),
        seller_id: seller.map(str::to_string),
        marketplace_id: seller.map(|_| MARKETPLACE.to_string()),
    };
    let amazon_secrets = [
        (LWA_CLIENT_ID, s(&amazon.client_id)),
        (LWA_CLIENT_SECRET, s(&amazon.client_secret)),
        (LWA_REFRESH_TOKEN, s(&amazon.refresh_token)),
    ];
    let ebay_secrets = [
        (EBAY_CLIENT_ID, s(&ebay.client_id)),
        (EBAY_CLIENT_SECRET, s(&ebay.client_secret)),
        (EBAY_REFRESH_TOKEN, s(&ebay.refresh_token)),
    ];
    let amazon_channel = channel(AMAZON, ChannelKind::Amazon, Some(&amazon.seller_id));
    config::add_channel(&store, by(), &secrets, &amazon_channel, &amazon_secrets).unwrap();
    config::add_channel(&store, by(), &secrets, &channel(EBAY, ChannelKind::Ebay, None), &ebay_secrets)
        .unwrap();
    let shop_secrets = [(config::SHOPIFY_TOKEN, s(TOKEN))];
    config::add_channel(&store, by(), &secrets, &channel(SHOP, ChannelKind::Shopify, None), &shop_secrets)
        .unwrap();
    for i in 0..items {
        let map = |channel: &str,
                   location: Option<&str>,
                   remote_item: String,
                   remote_location: Option<String>| {
            let mapping =
                Mapping { sku: sku(i), location: location.map(str::to_string), remote_item, remote_location };
            config::map_one(&store, by(), channel, &mapping).unwrap();
        };
        map(AMAZON, None, format!("AMZ-{}", sku(i)), None);
        map(EBAY, None, sku(i), Some(format!("9{i:05}")));
        map(SHOP, Some("WH1"), item_gid(i), Some(location_gid("WH1")));
    }
    let admin = store.add_user("ada", Role::Admin, "4821", None, "ws").unwrap();
    let mut m = Market { _dir: dir, db, store, sim, _server: server, admin };
    for i in 0..items {
        append(&mut m, i, Movement::Receive { sku: sku_of(i), location: wh1(), qty: STOCK }, "tester");
    }
    m
}

fn sku_of(i: usize) -> Sku {
    Sku::new(sku(i)).unwrap()
}

fn wh1() -> LocationCode {
    LocationCode::new("WH1").unwrap()
}

fn append(m: &mut Market, _i: usize, movement: Movement, actor: &str) {
    m.store.append(&shelfsync_store::new_event(movement, actor, "ws")).unwrap();
}

/// Flash-sale mode on with `rule`, then two Amazon sales of one unit of each item (booked, as
/// capture books them): every item sells fast.
fn start_flash_sale(m: &mut Market, items: usize, rule: FlashSaleRule) {
    m.store.set_setting(FLASH_SALE_KEY, &FlashSaleRule::to_setting(Some(rule)), &m.admin, "ws").unwrap();
    for i in 0..items {
        for _ in 0..2 {
            let sale = Movement::Sale { sku: sku_of(i), location: wh1(), qty: 1 };
            append(m, i, sale, &format!("channel:{AMAZON}"));
        }
    }
}

fn engine_config() -> EngineConfig {
    // The engine's own pacing at the channels' documented rates (fast_config keeps them).
    let config = fast_config(16);
    assert_eq!(config.tuning.amazon_patch_rate, 5.0);
    assert!((config.tuning.ebay_calls_per_second - EBAY_RATE).abs() < 1e-9);
    config
}

fn spawn(
    m: &Market,
) -> (tokio::sync::watch::Sender<bool>, tokio::task::JoinHandle<shelfsync_sync::Result<RunReport>>) {
    let engine = Engine::new(&m.db, secrets(&m.db), engine_config());
    let (stop, stopped) = tokio::sync::watch::channel(false);
    (stop, tokio::spawn(async move { engine.run(Mode::Daemon, stopped).await }))
}

/// What Amazon, eBay and Shopify list for item `i` (listing-id order).
fn held(m: &Market, i: usize) -> [i64; 3] {
    [
        m.sim.amazon.inspect(|s| s.quantity(&format!("AMZ-{}", sku(i)))).unwrap_or(-1),
        m.sim.ebay.inspect(|s| s.listed(&sku(i))).unwrap_or(-1),
        m.sim.inspect(|s| s.level(&item_gid(i), &location_gid("WH1"))).unwrap_or(-1),
    ]
}

fn outbox_depth(m: &Market) -> i64 {
    connection(&m.store).query_row("SELECT count(*) FROM outbox", [], |r| r.get(0)).unwrap()
}

/// The simulator's refusals for rate: Amazon's 429s, eBay's 429s (per second and daily quota),
/// Shopify's THROTTLED answers and 429s.
fn rate_refusals(m: &Market) -> [u64; 3] {
    let amazon = m.sim.amazon.inspect(|s| s.stats.too_many_requests);
    let ebay = m.sim.ebay.inspect(|s| s.stats.too_many_requests + s.stats.quota_refusals);
    let shop = m.sim.inspect(|s| s.stats.throttled + s.stats.too_many_requests);
    [amazon, ebay, shop]
}

/// Read calls each channel has answered so far (Amazon searches, eBay bulk reads, Shopify
/// level reads).
fn reads(m: &Market) -> [u64; 3] {
    [
        m.sim.amazon.inspect(|s| s.stats.searches),
        m.sim.ebay.inspect(|s| s.stats.reads),
        m.sim.inspect(|s| s.stats.reads),
    ]
}

/// The budgets the engine gives the watch (the channels' documented read limits).
fn budgets() -> [ReadBudget; 3] {
    [
        ReadBudget::read_limit(5.0, 20),
        ReadBudget::daily_quota(EBAY_RATE, 25),
        ReadBudget::cost_bucket(100.0, 1.0, 3.0, 100),
    ]
}

#[derive(Clone, Copy, Debug)]
enum SoldOn {
    Amazon,
    Ebay,
    Shopify,
}

/// A sale on one channel that nothing tells us of, while the item sells fast: the watch finds
/// it within that channel's watch interval (one listing: Amazon 2 s, eBay 4.32 s, Shopify
/// 2 s, core's plan), records it as an unseen sale, and the channels list the remaining stock.
///
/// The numbers: 30 units, two booked Amazon sales, so 28 shared by weight (Amazon sold 2:
/// weight 3; eBay and Shopify 1 each): 16.8, 5.6, 5.6 -> [17, 6, 5]. The unseen unit leaves
/// 27: 16.2, 5.4, 5.4 -> [16, 6, 5] (the tie goes to the earlier listing). So a sale on eBay or
/// Shopify lowers Amazon by the unit and its own channel is listed its share again; a sale on
/// Amazon leaves the others as they are (Amazon's own count already fell by it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sale_nothing_reports_is_found_by_the_watch_within_its_interval() {
    let cases = [
        (SoldOn::Ebay, [17, 5, 5], 1usize),
        (SoldOn::Shopify, [17, 6, 4], 2),
        (SoldOn::Amazon, [16, 6, 5], 0),
    ];
    for (sold_on, right_after_sale, channel_index) in cases {
        let mut m = market(1).await;
        start_flash_sale(&mut m, 1, FlashSaleRule::new(600, 2).unwrap());
        let (stop, engine) = spawn(&m);
        let settled =
            eventually(Duration::from_secs(30), || held(&m, 0) == [17, 6, 5] && outbox_depth(&m) == 0).await;
        assert!(settled, "{sold_on:?}: the shares are listed: {:?}", held(&m, 0));
        // A moment for the watch to have read (and so believe) every listing.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let sold_at = Instant::now();
        match sold_on {
            SoldOn::Amazon => assert!(m.sim.amazon.place_order(&format!("AMZ-{}", sku(0)), 1).is_some()),
            SoldOn::Ebay => assert_eq!(m.sim.ebay.sell(&sku(0), 1), 1),
            SoldOn::Shopify => assert_eq!(m.sim.sell(&item_gid(0), &location_gid("WH1"), 1), 1),
        }
        assert_eq!(held(&m, 0), right_after_sale, "{sold_on:?}: the channel sold one unit");
        let interval = Duration::from_millis(plan(&budgets()[channel_index], 1).interval_ms);
        // The interval, plus the pushes that follow (an Amazon patch at 5/s, a read before it).
        let limit = interval + Duration::from_secs(3);
        let found = eventually(limit, || open_drops(&m.store, 0).iter().map(|d| d.2).sum::<i64>() == 1).await;
        let found_after = sold_at.elapsed();
        assert!(found, "{sold_on:?}: the watch found the unseen unit within {limit:?}");
        let listed = eventually(limit.saturating_sub(found_after) + Duration::from_secs(3), || {
            held(&m, 0) == [16, 6, 5] && outbox_depth(&m) == 0
        })
        .await;
        let listed_after = sold_at.elapsed();
        assert!(listed, "{sold_on:?}: the channels list the 27 left between them: {:?}", held(&m, 0));
        if let SoldOn::Amazon = sold_on {
            // The order behind Amazon's drop is booked (capture's poll): the drop closes and the
            // unit is counted once, in the ledger (its re-weighted shares still add up to 27).
            shelfsync_capture::poll::poll(&m.db, &secrets(&m.db), Some(AMAZON)).await.unwrap();
            let booked = eventually(Duration::from_secs(10), || {
                open_drops(&m.store, 0).is_empty()
                    && outbox_depth(&m) == 0
                    && held(&m, 0).iter().sum::<i64>() == 27
            })
            .await;
            assert!(
                booked,
                "{sold_on:?}: booked once: {:?}, drops {:?}",
                held(&m, 0),
                open_drops(&m.store, 0)
            );
            assert_eq!(atp(&m.store, 0, "WH1"), 27, "{sold_on:?}: the sale is in the ledger");
        }
        let report = stop_daemon(stop, engine).await;
        eprintln!(
            "{sold_on:?}: found after {:.2} s (watch interval {:.2} s), every channel right after {:.2} s",
            found_after.as_secs_f64(),
            interval.as_secs_f64(),
            listed_after.as_secs_f64()
        );
        assert!(found_after <= interval + Duration::from_secs(1), "{sold_on:?}: found after {found_after:?}");
        let watch_reads: u64 = report.channels.iter().map(|c| c.watch_reads).sum();
        let watch_units: i64 = report.channels.iter().map(|c| c.watch_unseen_units).sum();
        assert!(watch_reads >= 3, "{sold_on:?}: every channel was watched: {:?}", report.channels);
        assert_eq!(watch_units, 1, "{sold_on:?}: the watch found the unit, nothing else did");
        assert_eq!(rate_refusals(&m), [0, 0, 0], "{sold_on:?}: no rate limit met");
    }
}

/// Twenty-five items selling fast (Amazon: 2 watch calls a round, 20 SKUs each; eBay: 1 of 25;
/// Shopify: 1 read of 25 levels, 76 points), a booked sale a second meanwhile (each an urgent
/// push with its read first on Amazon and eBay, and Amazon's read-back): no channel refuses a
/// call for rate, and the watch reads no more often than core's plan for its share.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_watch_stays_within_every_channels_read_limits() {
    const ITEMS: usize = 25;
    let mut m = market(ITEMS).await;
    start_flash_sale(&mut m, ITEMS, FlashSaleRule::new(600, 2).unwrap());
    let started = Instant::now();
    let (stop, engine) = spawn(&m);
    let settled = eventually(Duration::from_secs(60), || outbox_depth(&m) == 0).await;
    assert!(settled, "the first shares are pushed");
    for n in 0..15 {
        let i = n % ITEMS;
        append(
            &mut m,
            i,
            Movement::Sale { sku: sku_of(i), location: wh1(), qty: 1 },
            &format!("channel:{EBAY}"),
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let drained = eventually(Duration::from_secs(30), || outbox_depth(&m) == 0).await;
    let report = stop_daemon(stop, engine).await;
    let ran = started.elapsed().as_secs_f64();
    assert!(drained, "every sale reached the channels");
    assert_eq!(rate_refusals(&m), [0, 0, 0], "no 429 or THROTTLED on Amazon, eBay, Shopify");
    for (channel, budget) in [AMAZON, EBAY, SHOP].into_iter().zip(budgets()) {
        let summary = report.channels.iter().find(|c| c.channel == channel).unwrap();
        let p = plan(&budget, ITEMS);
        // Whole rounds in the time run, plus the round under way.
        let most = ((ran * 1_000.0 / p.interval_ms as f64).floor() as u64 + 1) * p.calls as u64;
        eprintln!(
            "{channel}: {} watch reads in {ran:.1} s (plan: {} calls every {} ms, at most {most}); {} reads before pushes",
            summary.watch_reads, p.calls, p.interval_ms, summary.reads_before_push
        );
        assert!(summary.watch_reads >= p.calls as u64, "{channel}: watched at least one round: {summary:?}");
        assert!(
            summary.watch_reads <= most,
            "{channel}: {} reads, the plan allows {most}",
            summary.watch_reads
        );
        assert_eq!(summary.watch_failures, 0, "{channel}");
    }
}

/// How an item leaves flash-sale mode.
#[derive(Clone, Copy, Debug)]
enum Leaves {
    /// Its sales fall out of the rule's window.
    WindowPasses,
    /// An admin turns the mode off.
    ModeOff,
}

/// While the item sells fast every channel's listing is read; once it leaves the mode, none is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_item_that_leaves_flash_sale_mode_is_no_longer_read() {
    // The longest watch interval of one listing (eBay's): a round under way when the item
    // leaves may still make its read.
    let longest = Duration::from_millis(budgets().iter().map(|b| plan(b, 1).interval_ms).max().unwrap());
    for leaves in [Leaves::WindowPasses, Leaves::ModeOff] {
        let mut m = market(1).await;
        let window_secs = match leaves {
            Leaves::WindowPasses => 8,
            Leaves::ModeOff => 600,
        };
        let sold_at = Instant::now();
        start_flash_sale(&mut m, 1, FlashSaleRule::new(window_secs, 2).unwrap());
        let (stop, engine) = spawn(&m);
        assert!(
            eventually(Duration::from_secs(5), || outbox_depth(&m) == 0 && held(&m, 0) == [17, 6, 5]).await
        );
        let before = reads(&m);
        tokio::time::sleep(longest + Duration::from_millis(300)).await;
        let watched = reads(&m);
        assert!(
            (0..3).all(|c| watched[c] > before[c]),
            "{leaves:?}: every listing is read while the item sells fast: {before:?} -> {watched:?}"
        );
        match leaves {
            Leaves::WindowPasses => {
                let over = Duration::from_secs(window_secs);
                tokio::time::sleep(over.saturating_sub(sold_at.elapsed())).await;
            }
            Leaves::ModeOff => {
                m.store.set_setting(FLASH_SALE_KEY, "off", &m.admin, "ws").unwrap();
                assert!(eventually(Duration::from_secs(10), || outbox_depth(&m) == 0).await);
            }
        }
        // A read already due may still go; after that, nothing.
        tokio::time::sleep(longest + Duration::from_millis(500)).await;
        let after = reads(&m);
        tokio::time::sleep(longest * 2).await;
        let later = reads(&m);
        let report = stop_daemon(stop, engine).await;
        assert_eq!(later, after, "{leaves:?}: no read once the item left the mode");
        assert!(report.channels.iter().all(|c| c.watch_reads > 0), "{leaves:?}: {:?}", report.channels);
    }
}
