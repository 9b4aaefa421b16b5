//! Amazon and eBay capture over real loopback HTTP to the simulator: orders polled (getOrders
//! and getOrderItems; Fulfillment getOrders), booked once, cancellations released; read-backs
//! reconciled under each conflict rule; drift across every channel; refusals of bad input.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Value, json};
use shelfsync_capture::{CaptureError, alerts, drift, poll, reconcile};
use shelfsync_channels::ChannelKind;
use shelfsync_core::{Item, Location, LocationCode, Movement, Sku};
use shelfsync_sim::amazon::AmazonSimConfig;
use shelfsync_sim::ebay::EbaySimConfig;
use shelfsync_sim::{RunningSim, Sim, SimConfig};
use shelfsync_store::testing::connection;
use shelfsync_store::{ItemRecord, Store};
use shelfsync_sync::config::{
    self, EBAY_CLIENT_ID, EBAY_CLIENT_SECRET, EBAY_REFRESH_TOKEN, LWA_CLIENT_ID, LWA_CLIENT_SECRET,
    LWA_REFRESH_TOKEN, Mapping, NewChannel, RuleChange,
};
use shelfsync_sync::credentials::{Backend, Secret, Secrets};
use shelfsync_sync::{Engine, EngineConfig, Mode, WorkerConfig};
use tempfile::TempDir;

const AMAZON: &str = "amz";
const EBAY: &str = "eb";
const MARKETPLACE: &str = "ATVPDKIKX0DER";
const STOCK: u32 = 10;

struct Market {
    _dir: TempDir,
    db: PathBuf,
    store: Store,
    sim: Sim,
    server: RunningSim,
    http: reqwest::Client,
}

fn secrets(db: &std::path::Path) -> Secrets {
    Secrets::with_backend(db, Backend::File)
}

fn sku(i: usize) -> String {
    format!("S{i}")
}

/// Two SKUs with `STOCK` units each at WH1, listed on Amazon (`AMZ-Si`) and eBay (`Si`, offer
/// `90000i`), with no location of their own (every location feeds them), pushed once.
async fn market() -> Market {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.db");
    let mut store = Store::open(&db).unwrap();
    let wh1 = LocationCode::new("WH1").unwrap();
    store.upsert_locations(&[Location { code: wh1.clone(), name: "WH1".into(), parent: None }]).unwrap();
    let items: Vec<ItemRecord> = (0..2)
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
    // The Orders API's real buckets (getOrders 0.0167/s) would make a test wait a minute.
    let amazon = AmazonSimConfig {
        patch_rate: 200.0,
        search_rate: 200.0,
        search_burst: 20.0,
        orders_rate: 100.0,
        orders_burst: 100.0,
        order_items_rate: 100.0,
        order_items_burst: 100.0,
        ..AmazonSimConfig::default()
    };
    let ebay = EbaySimConfig::default();
    let sim = Sim::with_marketplaces(SimConfig::default(), amazon.clone(), ebay.clone());
    for i in 0..2 {
        sim.amazon.set_listing(&format!("AMZ-{}", sku(i)), 0);
        sim.ebay.set_item(&sku(i), &format!("90000{i}"), 0);
    }
    let server = sim.serve(0).await.unwrap();
    let s = |v: &str| Secret::new(v).unwrap();
    let add = |name: &str, kind: ChannelKind, seller: Option<&str>, keys: &[(&str, Secret)]| {
        let new = NewChannel {
            name: name.into(),
            kind,
            endpoint: server.url(),
            shop: None,
            seller_id: seller.map(str::to_string),
            marketplace_id: seller.map(|_| MARKETPLACE.to_string()),
        };
        config::add_channel(&store, shelfsync_store::By::new("tester", "ws-test"), &secrets(&db), &new, keys)
            .unwrap();
    };
    add(
        AMAZON,
        ChannelKind::Amazon,
        Some(&amazon.seller_id),
        &[
            (LWA_CLIENT_ID, s(&amazon.client_id)),
            (LWA_CLIENT_SECRET, s(&amazon.client_secret)),
            (LWA_REFRESH_TOKEN, s(&amazon.refresh_token)),
        ],
    );
    add(
        EBAY,
        ChannelKind::Ebay,
        None,
        &[
            (EBAY_CLIENT_ID, s(&ebay.client_id)),
            (EBAY_CLIENT_SECRET, s(&ebay.client_secret)),
            (EBAY_REFRESH_TOKEN, s(&ebay.refresh_token)),
        ],
    );
    for i in 0..2 {
        let amz = Mapping {
            sku: sku(i),
            location: None,
            remote_item: format!("AMZ-{}", sku(i)),
            remote_location: None,
        };
        config::map_one(&store, shelfsync_store::By::new("tester", "ws-test"), AMAZON, &amz).unwrap();
        let eb = Mapping {
            sku: sku(i),
            location: None,
            remote_item: sku(i),
            remote_location: Some(format!("90000{i}")),
        };
        config::map_one(&store, shelfsync_store::By::new("tester", "ws-test"), EBAY, &eb).unwrap();
        let receive = Movement::Receive { sku: Sku::new(sku(i)).unwrap(), location: wh1.clone(), qty: STOCK };
        store.append(&shelfsync_store::new_event(receive, "tester", "ws")).unwrap();
    }
    let m = Market { _dir: dir, db, store, sim, server, http: poll::http_client().unwrap() };
    drain(&m).await;
    m
}

async fn drain(m: &Market) {
    let mut config = EngineConfig { holder: "capture-market-test".into(), ..EngineConfig::default() };
    config.worker = WorkerConfig {
        idle_poll: Duration::from_millis(10),
        once_wait_limit: Duration::from_secs(2),
        confirm_after: Duration::from_millis(30),
        ..WorkerConfig::default()
    };
    config.tuning.amazon_patch_rate = 200.0;
    config.tuning.ebay_calls_per_second = 500.0;
    let engine = Engine::new(&m.db, secrets(&m.db), config);
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    tokio::time::timeout(Duration::from_secs(60), engine.run(Mode::Once, stopped))
        .await
        .expect("drains in time")
        .expect("engine runs");
}

fn committed(m: &Market, i: usize) -> i64 {
    m.store.balances(&Sku::new(sku(i)).unwrap(), &LocationCode::new("WH1").unwrap()).unwrap().committed
}

fn count(m: &Market, sql: &str) -> i64 {
    connection(&m.store).query_row(sql, [], |r| r.get(0)).unwrap()
}

async fn admin(m: &Market, path: &str, body: Value) -> (u16, Value) {
    let response = m.http.post(format!("{}{path}", m.server.url())).json(&body).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

async fn get(m: &Market, path: &str, bearer: Option<&str>) -> (u16, Value) {
    let mut request = m.http.get(format!("{}{path}", m.server.url()));
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amazon_and_ebay_orders_are_polled_booked_once_and_cancellations_release() {
    let m = market().await;
    assert_eq!(m.sim.amazon.inspect(|s| s.quantity("AMZ-S0")), Some(STOCK as i64), "pushed first");
    let (status, amazon_order) =
        admin(&m, "/amazon/admin/orders", json!({ "sku": "AMZ-S0", "qty": 2 })).await;
    assert_eq!(status, 201, "{amazon_order}");
    let (status, ebay_order) = admin(&m, "/ebay/admin/orders", json!({ "sku": "S1", "qty": 3 })).await;
    assert_eq!(status, 201, "{ebay_order}");
    assert_eq!(
        m.sim.amazon.inspect(|s| s.quantity("AMZ-S0")),
        Some(STOCK as i64 - 2),
        "sold from its own stock"
    );

    let reports = poll::poll(&m.db, &secrets(&m.db), None).await.unwrap();
    let by = |name: &str| reports.iter().find(|r| r.channel == name).unwrap().clone();
    assert_eq!((by(AMAZON).fetched, by(AMAZON).recorded), (1, 1), "{:?}", by(AMAZON));
    assert_eq!((by(EBAY).fetched, by(EBAY).recorded), (1, 1), "{:?}", by(EBAY));
    assert!(by(AMAZON).errors.is_empty() && by(EBAY).errors.is_empty(), "{reports:?}");
    assert_eq!((committed(&m, 0), committed(&m, 1)), (2, 3));

    // Polled again: nothing new is booked.
    let again = poll::poll(&m.db, &secrets(&m.db), None).await.unwrap();
    assert!(again.iter().all(|r| r.recorded == 0), "{again:?}");
    assert_eq!(count(&m, "SELECT count(*) FROM events WHERE kind = 'sale'"), 2);

    // Cancelled on each channel: the poll books the cancellation, the commitment is released.
    let amazon_id = amazon_order["order"]["AmazonOrderId"].as_str().unwrap().to_string();
    let ebay_id = ebay_order["order"]["orderId"].as_str().unwrap().to_string();
    assert_eq!(admin(&m, &format!("/amazon/admin/orders/{amazon_id}/cancel"), json!({})).await.0, 200);
    assert_eq!(admin(&m, &format!("/ebay/admin/orders/{ebay_id}/cancel"), json!({})).await.0, 200);
    let cancelled = poll::poll(&m.db, &secrets(&m.db), None).await.unwrap();
    assert!(cancelled.iter().all(|r| r.recorded == 1), "{cancelled:?}");
    assert_eq!((committed(&m, 0), committed(&m, 1)), (0, 0));
    assert_eq!(count(&m, "SELECT count(*) FROM events WHERE kind = 'cancel'"), 2);
    // No webhooks on these channels: no capture rate to alert on.
    assert_eq!(count(&m, "SELECT count(*) FROM capture_rates"), 0);
    assert_eq!(count(&m, "SELECT count(*) FROM captured_orders WHERE poll_at IS NOT NULL"), 2);
}

/// Issue 17: Amazon and eBay give no cancellation time; the order's own update time stands for
/// it, never the clock. The same cancellation read again (here: every order re-read from the
/// start) is a duplicate, not a conflict that fails the order's capture.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_marketplace_cancellation_read_twice_is_a_duplicate() {
    let m = market().await;
    let (_, amazon_order) = admin(&m, "/amazon/admin/orders", json!({ "sku": "AMZ-S0", "qty": 2 })).await;
    let (_, ebay_order) = admin(&m, "/ebay/admin/orders", json!({ "sku": "S1", "qty": 3 })).await;
    let amazon_id = amazon_order["order"]["AmazonOrderId"].as_str().unwrap().to_string();
    let ebay_id = ebay_order["order"]["orderId"].as_str().unwrap().to_string();
    let (_, amazon_cancelled) =
        admin(&m, &format!("/amazon/admin/orders/{amazon_id}/cancel"), json!({})).await;
    let (_, ebay_cancelled) = admin(&m, &format!("/ebay/admin/orders/{ebay_id}/cancel"), json!({})).await;
    let first = poll::poll(&m.db, &secrets(&m.db), None).await.unwrap();
    assert!(first.iter().all(|r| r.errors.is_empty() && r.recorded == 2), "a sale and its cancel: {first:?}");
    let events = count(&m, "SELECT count(*) FROM events");
    // Each cancel is booked at its order's update time as the channel reports it.
    let cases = [
        (AMAZON, amazon_id.as_str(), &amazon_cancelled["order"]["LastUpdateDate"]),
        (EBAY, ebay_id.as_str(), &ebay_cancelled["order"]["lastModifiedDate"]),
    ];
    let time = |raw: &str| chrono::DateTime::parse_from_rfc3339(raw).unwrap();
    for (channel, id, updated) in cases {
        let at: String = connection(&m.store)
            .query_row(
                "SELECT json_extract(body, '$.occurred_at') FROM events
                 WHERE kind = 'cancel' AND json_extract(body, '$.reference') LIKE ?1",
                [format!("{channel} order {id} line %")],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(time(&at), time(updated.as_str().unwrap()), "{channel}");
    }
    for round in 0..2 {
        connection(&m.store).execute("DELETE FROM poll_cursors", []).unwrap();
        let again = poll::poll(&m.db, &secrets(&m.db), None).await.unwrap();
        for report in &again {
            assert!(report.errors.is_empty(), "round {round}: {report:?}");
            assert_eq!((report.recorded, report.duplicates), (0, 2), "round {round}: {report:?}");
        }
    }
    assert_eq!(count(&m, "SELECT count(*) FROM events"), events);
    assert_eq!((committed(&m, 0), committed(&m, 1)), (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn marketplace_edits_are_read_back_classified_and_handled_per_rule() {
    let m = market().await;
    config::set_rule(
        &m.store,
        shelfsync_store::By::new("tester", "ws-test"),
        AMAZON,
        &RuleChange { conflict: Some("central".into()), ..RuleChange::default() },
    )
    .unwrap();
    config::set_rule(
        &m.store,
        shelfsync_store::By::new("tester", "ws-test"),
        EBAY,
        &RuleChange { conflict: Some("flag".into()), ..RuleChange::default() },
    )
    .unwrap();
    // Someone edits each channel by hand.
    m.sim.amazon.set_listing("AMZ-S0", 4);
    m.sim.ebay.set_item("S1", "900001", 25);

    let dry = reconcile::reconcile(&m.db, &secrets(&m.db), None, true).await.unwrap();
    assert_eq!(dry.len(), 2);
    assert!(dry.iter().all(|r| r.gaps.len() == 1 && r.gaps[0].action == "none"), "{dry:?}");
    assert_eq!(count(&m, "SELECT count(*) FROM reconcile_runs"), 0, "a dry run stores nothing");

    let run = reconcile::reconcile(&m.db, &secrets(&m.db), None, false).await.unwrap();
    let amazon = run.iter().find(|r| r.channel == AMAZON).unwrap();
    let gap = &amazon.gaps[0];
    assert_eq!(
        (gap.sku.as_str(), gap.expected, gap.channel_qty, gap.class.as_str(), gap.action.as_str()),
        ("S0", STOCK as i64, Some(4), "channel_edit", "repush"),
        "{amazon:?}"
    );
    let ebay = run.iter().find(|r| r.channel == EBAY).unwrap();
    let gap = &ebay.gaps[0];
    assert_eq!(
        (gap.sku.as_str(), gap.channel_qty, gap.class.as_str(), gap.action.as_str()),
        ("S1", Some(25), "channel_edit", "flagged"),
        "{ebay:?}"
    );
    assert!(
        alerts::list(&m.store, false)
            .unwrap()
            .iter()
            .any(|a| a.rule == alerts::DISCREPANCY && a.subject.starts_with(EBAY))
    );
    assert_eq!(count(&m, "SELECT count(*) FROM reconcile_runs"), 2, "each run is stored");

    drain(&m).await;
    assert_eq!(m.sim.amazon.inspect(|s| s.quantity("AMZ-S0")), Some(STOCK as i64), "ours pushed back");
    let after = reconcile::reconcile(&m.db, &secrets(&m.db), Some(AMAZON), false).await.unwrap();
    assert!(after[0].gaps.is_empty(), "{:?}", after[0].gaps);

    // Drift reads every channel the same way.
    let report = drift::report(&m.db, &secrets(&m.db), 10).await.unwrap();
    let flagged: Vec<(String, String)> =
        report.rows.iter().filter(|r| r.flagged).map(|r| (r.channel.clone(), r.sku.clone())).collect();
    assert_eq!(flagged, [(EBAY.to_string(), "S1".to_string())], "{report:?}");
    assert_eq!(report.checked, 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_order_requests_and_unknown_channels_are_refused_and_record_nothing() {
    let m = market().await;
    let error = poll::poll(&m.db, &secrets(&m.db), Some("nope")).await.unwrap_err();
    assert!(matches!(error, CaptureError::UnknownChannel(ref n) if n == "nope"), "{error}");
    let error = reconcile::reconcile(&m.db, &secrets(&m.db), Some("nope"), false).await.unwrap_err();
    assert!(error.to_string().contains("unknown channel 'nope'"), "{error}");

    // The simulated APIs refuse what the real ones refuse, with their error shapes.
    let (status, body) = get(&m, "/orders/v0/orders?LastUpdatedAfter=2026-01-01T00:00:00Z", None).await;
    assert_eq!(status, 403, "no token: {body}");
    let (status, body) = admin(&m, "/amazon/admin/orders", json!({ "sku": "AMZ-UNKNOWN", "qty": 1 })).await;
    assert_eq!((status, body["errors"][0]["code"].as_str()), (422, Some("InvalidInput")));
    let (status, body) = admin(&m, "/ebay/admin/orders/27-0/cancel", json!({})).await;
    assert_eq!(status, 404, "{body}");

    // An order for a SKU we have not mapped is kept as unmapped; nothing is booked for it.
    m.sim.amazon.set_listing("AMZ-NOT-OURS", 5);
    assert_eq!(admin(&m, "/amazon/admin/orders", json!({ "sku": "AMZ-NOT-OURS", "qty": 1 })).await.0, 201);
    let reports = poll::poll(&m.db, &secrets(&m.db), Some(AMAZON)).await.unwrap();
    assert_eq!((reports[0].recorded, reports[0].unmapped), (0, 1), "{reports:?}");
    assert_eq!(count(&m, "SELECT count(*) FROM events WHERE kind = 'sale'"), 0);
    assert_eq!(count(&m, "SELECT count(*) FROM unmapped_lines WHERE remote_item = 'AMZ-NOT-OURS'"), 1);
}

/// The simulator's query checks, straight over HTTP with real tokens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulated_order_apis_refuse_malformed_queries() {
    let m = market().await;
    let ebay_token: Value = m
        .http
        .post(format!("{}/identity/v1/oauth2/token", m.server.url()))
        .basic_auth("ShelfSyn-test-PRD", Some("PRD-secret"))
        .body(
            "grant_type=refresh_token&refresh_token=v%5E1.1%23i%5E1%23test-refresh\
             &scope=https%3A%2F%2Fapi.ebay.com%2Foauth%2Fapi_scope%2Fsell.inventory",
        )
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = ebay_token["access_token"].as_str().expect("an eBay token").to_string();
    let cases = [
        ("/sell/fulfillment/v1/order?filter=lastmodifieddate:yesterday", 400, "Invalid filter"),
        ("/sell/fulfillment/v1/order?limit=201", 400, "limit"),
        ("/sell/fulfillment/v1/order?filter=lastmodifieddate:%5B2026-01-01T00:00:00.000Z..%5D", 200, ""),
    ];
    for (path, want, text) in cases {
        let (status, body) = get(&m, path, Some(&token)).await;
        assert_eq!(status, want, "{path}: {body}");
        assert!(body.to_string().contains(text), "{path}: {body}");
    }
}

/// Reconciliation's bulk expectation is the engine's own arithmetic, listing by listing, under
/// rules that use each of its terms (share, buffer, cap, feeding locations, channel changes).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_expectations_match_the_engines_allocation() {
    let m = market().await;
    let conn = connection(&m.store);
    let wh2 = Location { code: LocationCode::new("WH2").unwrap(), name: "WH2".into(), parent: None };
    let mut store = Store::open(&m.db).unwrap();
    store.upsert_locations(&[wh2]).unwrap();
    let receive = Movement::Receive {
        sku: Sku::new("S1").unwrap(),
        location: LocationCode::new("WH2").unwrap(),
        qty: 7,
    };
    store.append(&shelfsync_store::new_event(receive, "tester", "ws")).unwrap();
    conn.execute(
        "INSERT INTO channel_changes (listing_id, channel, expected, observed, delta, detected_at)
         SELECT id, channel, 10, 8, -2, '2026-11-26T00:00:00.000Z' FROM listings WHERE channel = ?1 AND sku = 'S0'",
        [EBAY],
    )
    .unwrap();
    let rules = [
        RuleChange::default(),
        RuleChange { percent: Some(50), buffer: Some(1), ..RuleChange::default() },
        RuleChange { percent: Some(100), buffer: Some(0), cap: Some(Some(4)), ..RuleChange::default() },
        RuleChange { locations: Some(vec!["WH2".into()]), cap: Some(None), ..RuleChange::default() },
    ];
    for rule in rules {
        for channel in [AMAZON, EBAY] {
            config::set_rule(&m.store, shelfsync_store::By::new("tester", "ws-test"), channel, &rule)
                .unwrap();
            let bulk = reconcile::expected_quantities(&m.store, channel).unwrap();
            let ids: Vec<i64> = conn
                .prepare("SELECT id FROM listings WHERE channel = ?1")
                .unwrap()
                .query_map([channel], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            assert_eq!(bulk.len(), ids.len());
            for id in ids {
                let one = m.store.allocation_for(id).unwrap().qty;
                assert_eq!(bulk[&id], one, "{channel} listing {id} under {:?}", rule.percent);
            }
        }
    }
}
