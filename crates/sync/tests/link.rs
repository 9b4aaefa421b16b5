//! Connecting channels without typed ids, against the simulator over real loopback HTTP: the
//! connection test (saved and unsaved credentials) says in words what failed; the auth endpoint
//! is the one used; `link` matches the catalogue by SKU, changes nothing without `apply`, and
//! with it writes mappings the engine then pushes.

mod common;

use shelfsync_store::testing::connection;
use std::collections::BTreeSet;

use common::*;
use shelfsync_channels::{ChannelKind, ConnectionFailure, Timeouts};
use shelfsync_core::{Item, Location, LocationCode, Sku};
use shelfsync_sim::amazon::AmazonSimConfig;
use shelfsync_sim::ebay::EbaySimConfig;
use shelfsync_sim::{RunningSim, Sim, SimConfig};
use shelfsync_store::{ItemRecord, Store};
use shelfsync_sync::config::{
    self, ChannelRecord, EBAY_CLIENT_ID, EBAY_CLIENT_SECRET, EBAY_REFRESH_TOKEN, LWA_CLIENT_ID,
    LWA_CLIENT_SECRET, LWA_REFRESH_TOKEN, NewChannel, SHOPIFY_TOKEN,
};
use shelfsync_sync::credentials::Secret;
use shelfsync_sync::link::{self, LinkError, LinkOptions};
use tempfile::TempDir;

const SHOP_DOMAIN: &str = "link-test.myshopify.com";
const MARKETPLACE: &str = "ATVPDKIKX0DER";

struct Setup {
    _dir: TempDir,
    db: std::path::PathBuf,
    store: Store,
    sim: Sim,
    _server: RunningSim,
    url: String,
    amazon: AmazonSimConfig,
    ebay: EbaySimConfig,
}

fn s(v: &str) -> Secret {
    Secret::new(v).unwrap()
}

/// Our items S0..S4 at WH1; the simulator's Shopify shop, Amazon seller and eBay account each
/// list S0, S1, "s2 " (case and a space) and a SKU of their own, X-9.
async fn setup() -> Setup {
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
    let items: Vec<ItemRecord> = (0..5)
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
    store.upsert_items(&items).unwrap();
    let amazon = AmazonSimConfig::default();
    let ebay = EbaySimConfig::default();
    let sim = Sim::with_marketplaces(
        SimConfig {
            access_token: Some(TOKEN.into()),
            shop_domain: SHOP_DOMAIN.into(),
            ..SimConfig::default()
        },
        amazon.clone(),
        ebay.clone(),
    );
    let theirs = [sku(0), sku(1), "s2 ".to_string(), "X-9".to_string()];
    for (i, remote) in theirs.iter().enumerate() {
        sim.add_inventory_item(&item_gid(i), Some(remote));
        sim.set_level(&item_gid(i), &location_gid("WH1"), 0);
        sim.amazon.set_listing(remote.trim(), 0);
        sim.ebay.set_item(remote.trim(), &format!("{}", 700 + i), 0);
    }
    sim.add_location(&location_gid("WH1"), "Main warehouse");
    let server = sim.serve(0).await.unwrap();
    let url = server.url();
    Setup { _dir: dir, db, store, sim, _server: server, url, amazon, ebay }
}

impl Setup {
    fn add(&self, name: &str, kind: ChannelKind, endpoint: &str, auth: Option<&str>) {
        let new = self.new_channel(name, kind, endpoint);
        config::add_channel_with_auth(
            &self.store,
            shelfsync_store::By::new("tester", "ws-test"),
            &secrets(&self.db),
            &new,
            auth,
            &self.keys(kind),
        )
        .unwrap();
    }

    fn new_channel(&self, name: &str, kind: ChannelKind, endpoint: &str) -> NewChannel {
        NewChannel {
            name: name.into(),
            kind,
            endpoint: endpoint.into(),
            shop: (kind == ChannelKind::Shopify).then(|| SHOP_DOMAIN.to_string()),
            seller_id: (kind == ChannelKind::Amazon).then(|| self.amazon.seller_id.clone()),
            marketplace_id: (kind == ChannelKind::Amazon).then(|| MARKETPLACE.to_string()),
        }
    }

    fn keys(&self, kind: ChannelKind) -> Vec<(&'static str, Secret)> {
        match kind {
            ChannelKind::Shopify => vec![(SHOPIFY_TOKEN, s(TOKEN))],
            ChannelKind::Amazon => vec![
                (LWA_CLIENT_ID, s(&self.amazon.client_id)),
                (LWA_CLIENT_SECRET, s(&self.amazon.client_secret)),
                (LWA_REFRESH_TOKEN, s(&self.amazon.refresh_token)),
            ],
            ChannelKind::Ebay => vec![
                (EBAY_CLIENT_ID, s(&self.ebay.client_id)),
                (EBAY_CLIENT_SECRET, s(&self.ebay.client_secret)),
                (EBAY_REFRESH_TOKEN, s(&self.ebay.refresh_token)),
            ],
        }
    }

    fn record(&self, name: &str) -> ChannelRecord {
        config::channel(&self.store, name).unwrap()
    }

    async fn test(&self, name: &str) -> Result<shelfsync_channels::Connected, LinkError> {
        link::test_channel(&self.record(name), &secrets(&self.db), timeouts()).await
    }

    /// Listings and outbox rows: what a dry run must leave as it was.
    fn written(&self) -> (i64, i64) {
        let conn = connection(&self.store);
        let listings = conn.query_row("SELECT count(*) FROM listings", [], |r| r.get(0)).unwrap();
        let outbox = conn.query_row("SELECT count(*) FROM outbox", [], |r| r.get(0)).unwrap();
        (listings, outbox)
    }
}

fn timeouts() -> Timeouts {
    Timeouts { connect: std::time::Duration::from_secs(2), request: std::time::Duration::from_secs(5) }
}

/// A loopback port nothing listens on.
fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

fn failure(result: Result<shelfsync_channels::Connected, LinkError>) -> ConnectionFailure {
    match result {
        Err(LinkError::Channel(failure)) => failure,
        other => panic!("expected a channel failure, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_tests_succeed_with_good_credentials() {
    let t = setup().await;
    t.add("web", ChannelKind::Shopify, &t.url, None);
    t.add("az", ChannelKind::Amazon, &t.url, None);
    t.add("eb", ChannelKind::Ebay, &t.url, None);
    let web = t.test("web").await.unwrap();
    assert_eq!(web.summary, format!("shop ShelfSync demo ({SHOP_DOMAIN}), 1 location"));
    assert_eq!(web.locations[0].name, "Main warehouse");
    let az = t.test("az").await.unwrap();
    assert!(
        az.summary.contains("seller A2SELLER0TEST") && az.summary.contains("4 listings"),
        "{}",
        az.summary
    );
    let eb = t.test("eb").await.unwrap();
    assert!(eb.summary.contains("4 inventory items"), "{}", eb.summary);
    assert_eq!(t.sim.amazon.inspect(|s| s.stats.token_requests), 1);
    assert_eq!(t.sim.ebay.inspect(|s| s.stats.token_requests), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_credentials_wrong_shop_and_no_network_are_named() {
    let t = setup().await;
    let secrets = secrets(&t.db);
    // Wrong Shopify token: 401.
    t.add("web", ChannelKind::Shopify, &t.url, None);
    secrets.set("web", SHOPIFY_TOKEN, &s("shpat_wrong")).unwrap();
    let wrong = failure(t.test("web").await);
    assert!(matches!(wrong, ConnectionFailure::Unauthorized(_)), "{wrong}");
    assert!(wrong.to_string().starts_with("unauthorized: the channel refused the credentials"), "{wrong}");
    // Another shop's domain: the token reaches demo's shop, not this one.
    let mut other = t.new_channel("other", ChannelKind::Shopify, &t.url);
    other.shop = Some("elsewhere.myshopify.com".into());
    config::add_channel(
        &t.store,
        shelfsync_store::By::new("tester", "ws-test"),
        &secrets,
        &other,
        &t.keys(ChannelKind::Shopify),
    )
    .unwrap();
    let shop = failure(t.test("other").await);
    assert!(matches!(shop, ConnectionFailure::NotFound(_)), "{shop}");
    assert!(
        shop.to_string().contains("elsewhere.myshopify.com") && shop.to_string().contains(SHOP_DOMAIN),
        "{shop}"
    );
    // Nothing listening: unreachable, for each kind.
    let closed = closed_port_url();
    for (name, kind) in
        [("web2", ChannelKind::Shopify), ("az2", ChannelKind::Amazon), ("eb2", ChannelKind::Ebay)]
    {
        t.add(name, kind, &closed, None);
        let offline = failure(t.test(name).await);
        assert!(matches!(offline, ConnectionFailure::Unreachable(_)), "{name}: {offline}");
    }
    // Wrong LWA secret and wrong eBay client secret: refused at the token step.
    t.add("az", ChannelKind::Amazon, &t.url, None);
    secrets.set("az", LWA_CLIENT_SECRET, &s("not-the-secret")).unwrap();
    let lwa = failure(t.test("az").await);
    assert!(matches!(lwa, ConnectionFailure::Unauthorized(_)), "{lwa}");
    assert!(lwa.to_string().contains("invalid_grant"), "{lwa}");
    t.add("eb", ChannelKind::Ebay, &t.url, None);
    secrets.set("eb", EBAY_CLIENT_SECRET, &s("not-the-secret")).unwrap();
    let ebay = failure(t.test("eb").await);
    assert!(matches!(ebay, ConnectionFailure::Unauthorized(_)), "{ebay}");
    // Good LWA credentials, another seller's id: not found.
    let mut seller = t.new_channel("az3", ChannelKind::Amazon, &t.url);
    seller.seller_id = Some("A9OTHERSELLER".into());
    config::add_channel(
        &t.store,
        shelfsync_store::By::new("tester", "ws-test"),
        &secrets,
        &seller,
        &t.keys(ChannelKind::Amazon),
    )
    .unwrap();
    let unknown = failure(t.test("az3").await);
    assert!(matches!(unknown, ConnectionFailure::NotFound(_)), "{unknown}");
    assert!(unknown.to_string().contains("A9OTHERSELLER"), "{unknown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsaved_credentials_are_tested_without_writing() {
    let t = setup().await;
    let new = t.new_channel("draft", ChannelKind::Amazon, &t.url);
    let ok = link::test_unsaved(&new, None, &t.keys(ChannelKind::Amazon), timeouts()).await.unwrap();
    assert!(ok.summary.contains("A2SELLER0TEST"), "{}", ok.summary);
    let mut bad_keys = t.keys(ChannelKind::Amazon);
    bad_keys[2] = (LWA_REFRESH_TOKEN, s("Atzr|revoked"));
    let refused = failure(link::test_unsaved(&new, None, &bad_keys, timeouts()).await);
    assert!(matches!(refused, ConnectionFailure::Unauthorized(_)), "{refused}");
    // Local mistakes are local errors, before any call.
    let missing = link::test_unsaved(&new, None, &bad_keys[..2], timeouts()).await.unwrap_err();
    assert!(
        matches!(missing, LinkError::Local(_)) && missing.to_string().contains("lwa_refresh_token"),
        "{missing}"
    );
    let bad_url = link::test_unsaved(&new, Some("ftp://x"), &t.keys(ChannelKind::Amazon), timeouts()).await;
    assert!(bad_url.unwrap_err().to_string().contains("invalid --auth-endpoint 'ftp://x'"));
    assert_eq!(config::list_channels(&t.store).unwrap().len(), 0, "nothing saved");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_auth_endpoint_is_where_tokens_come_from() {
    let t = setup().await;
    let closed = closed_port_url();
    // API on the simulator, tokens from a port nothing listens on: the token step fails.
    t.add("az", ChannelKind::Amazon, &t.url, Some(&closed));
    t.add("eb", ChannelKind::Ebay, &t.url, Some(&closed));
    assert_eq!(t.record("az").auth_endpoint.as_deref(), Some(closed.as_str()));
    for name in ["az", "eb"] {
        let offline = failure(t.test(name).await);
        assert!(matches!(offline, ConnectionFailure::Unreachable(_)), "{name}: {offline}");
    }
    // A second server over the same simulator serves the tokens: the test passes, and the
    // token came from there (full token URL given).
    let auth_server = t.sim.serve(0).await.unwrap();
    t.add("az2", ChannelKind::Amazon, &t.url, Some(&format!("{}/auth/o2/token", auth_server.url())));
    t.add("eb2", ChannelKind::Ebay, &closed, None);
    t.test("az2").await.unwrap();
    assert_eq!(t.sim.amazon.inspect(|s| s.stats.token_requests), 1);
    // Without one, a loopback endpoint's own token path is used (and here nothing listens).
    assert!(matches!(failure(t.test("eb2").await), ConnectionFailure::Unreachable(_)));
    // Shopify takes none, and a bad URL is refused before anything is written.
    let web = t.new_channel("web", ChannelKind::Shopify, &t.url);
    let refused = config::add_channel_with_auth(
        &t.store,
        shelfsync_store::By::new("tester", "ws-test"),
        &secrets(&t.db),
        &web,
        Some("https://x.test"),
        &t.keys(ChannelKind::Shopify),
    );
    assert!(refused.unwrap_err().to_string().contains("--auth-endpoint is for amazon and ebay"));
    let az = t.new_channel("az9", ChannelKind::Amazon, &t.url);
    let refused = config::add_channel_with_auth(
        &t.store,
        shelfsync_store::By::new("tester", "ws-test"),
        &secrets(&t.db),
        &az,
        Some("https://user:pw@api.amazon.com"),
        &t.keys(ChannelKind::Amazon),
    );
    assert!(refused.unwrap_err().to_string().contains("invalid --auth-endpoint"));
    let names: BTreeSet<String> =
        config::list_channels(&t.store).unwrap().into_iter().map(|c| c.name).collect();
    assert_eq!(names, ["az", "az2", "eb", "eb2"].into_iter().map(String::from).collect());
    assert!(
        secrets(&t.db).get("az9", LWA_CLIENT_ID).unwrap().is_none(),
        "no secret stored for a refused channel"
    );
}

/// Dry run, then apply, then the engine pushes: for each kind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_dry_run_changes_nothing_and_apply_maps_what_the_engine_pushes() {
    let mut t = setup().await;
    t.add("web", ChannelKind::Shopify, &t.url, None);
    t.add("az", ChannelKind::Amazon, &t.url, None);
    t.add("eb", ChannelKind::Ebay, &t.url, None);
    let db = t.db.clone();
    for name in ["web", "az", "eb"] {
        let dry = tokio::task::block_in_place(|| {
            let store = Store::open(&db).unwrap();
            link::link_blocking(
                &store,
                shelfsync_store::By::new("tester", "ws-test"),
                name,
                &secrets(&db),
                &LinkOptions::default(),
                timeouts(),
            )
        })
        .unwrap();
        assert!(!dry.applied, "{name}");
        let matched: Vec<(String, bool)> =
            dry.plan.matched.iter().map(|m| (m.sku.clone(), m.exact)).collect();
        assert_eq!(
            matched,
            vec![(sku(0), true), (sku(1), true), (sku(2), false)],
            "{name}: S0 and S1 exact, S2 as 's2 ' loosely"
        );
        assert_eq!(dry.plan.unmatched_ours, vec![sku(3), sku(4)], "{name}");
        assert_eq!(dry.plan.unmatched_theirs.len(), 1, "{name}: X-9");
        assert_eq!(t.written(), (0, 0), "{name}: a dry run writes nothing");
    }
    // Amazon and eBay SKUs are the channel's own: S2's is "s2" (the simulator's key, trimmed).
    for name in ["web", "az", "eb"] {
        let applied = tokio::task::block_in_place(|| {
            let store = Store::open(&db).unwrap();
            let options = LinkOptions { apply: true, ..LinkOptions::default() };
            link::link_blocking(
                &store,
                shelfsync_store::By::new("tester", "ws-test"),
                name,
                &secrets(&db),
                &options,
                timeouts(),
            )
        })
        .unwrap();
        assert!(applied.applied && applied.listings.len() == 3, "{name}: {applied:?}");
    }
    let listings: Vec<(String, String, Option<String>, Option<String>)> = connection(&t.store)
        .prepare("SELECT channel || ':' || sku, remote_item, location, remote_location FROM listings ORDER BY channel, sku")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let wh1 = Some("WH1".to_string());
    let loc = Some(location_gid("WH1"));
    assert_eq!(
        listings,
        vec![
            ("az:S0".into(), "S0".into(), None, None),
            ("az:S1".into(), "S1".into(), None, None),
            ("az:S2".into(), "s2".into(), None, None),
            ("eb:S0".into(), "S0".into(), None, Some("700".into())),
            ("eb:S1".into(), "S1".into(), None, Some("701".into())),
            ("eb:S2".into(), "s2".into(), None, Some("702".into())),
            ("web:S0".into(), item_gid(0), wh1.clone(), loc.clone()),
            ("web:S1".into(), item_gid(1), wh1.clone(), loc.clone()),
            ("web:S2".into(), item_gid(2), wh1, loc),
        ]
    );
    // A second link finds them already mapped and writes nothing new.
    let again = tokio::task::block_in_place(|| {
        let store = Store::open(&db).unwrap();
        link::link_blocking(
            &store,
            shelfsync_store::By::new("tester", "ws-test"),
            "web",
            &secrets(&db),
            &LinkOptions::default(),
            timeouts(),
        )
    })
    .unwrap();
    assert_eq!((again.plan.matched.len(), again.plan.already_mapped.len()), (0, 3));
    // Stock arrives; the engine pushes it to every linked listing.
    for i in 0..3 {
        receive(&mut t.store, i, "WH1", 5 + i as u32);
    }
    let engine = shelfsync_sync::Engine::new(&t.db, secrets(&t.db), fast_config(7));
    drain(&engine).await;
    for i in 0..3usize {
        let want = 5 + i as i64;
        assert_eq!(
            t.sim.inspect(|s| s.level(&item_gid(i), &location_gid("WH1"))),
            Some(want),
            "shopify S{i}"
        );
        let remote = if i == 2 { "s2".to_string() } else { sku(i) };
        assert_eq!(t.sim.amazon.inspect(|s| s.quantity(&remote)), Some(want), "amazon S{i}");
        assert_eq!(t.sim.ebay.inspect(|s| s.listed(&remote)), Some(want), "ebay S{i}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shopify_link_needs_a_location_when_there_are_several() {
    let t = setup().await;
    t.sim.add_location("gid://shopify/Location/2", "Annex");
    t.add("web", ChannelKind::Shopify, &t.url, None);
    let db = t.db.clone();
    let run = |options: LinkOptions| {
        tokio::task::block_in_place(|| {
            let store = Store::open(&db).unwrap();
            link::link_blocking(
                &store,
                shelfsync_store::By::new("tester", "ws-test"),
                "web",
                &secrets(&db),
                &options,
                timeouts(),
            )
        })
    };
    let error = run(LinkOptions { apply: true, ..LinkOptions::default() }).unwrap_err().to_string();
    assert!(
        error.contains("--remote-location") && error.contains("gid://shopify/Location/2 (Annex)"),
        "{error}"
    );
    assert_eq!(t.written(), (0, 0));
    let error =
        run(LinkOptions { location: Some("WH9".into()), ..LinkOptions::default() }).unwrap_err().to_string();
    assert!(error.contains("unknown location 'WH9'"), "{error}");
    let report = run(LinkOptions {
        remote_location: Some("gid://shopify/Location/2".into()),
        apply: true,
        ..LinkOptions::default()
    })
    .unwrap();
    assert_eq!(report.plan.matched[0].remote_location.as_deref(), Some("gid://shopify/Location/2"));
    assert_eq!(t.written().0, 3);
    let unknown = tokio::task::block_in_place(|| {
        let store = Store::open(&db).unwrap();
        link::link_blocking(
            &store,
            shelfsync_store::By::new("tester", "ws-test"),
            "nope",
            &secrets(&db),
            &LinkOptions::default(),
            timeouts(),
        )
    });
    assert!(unknown.unwrap_err().to_string().contains("unknown channel 'nope'"));
}
