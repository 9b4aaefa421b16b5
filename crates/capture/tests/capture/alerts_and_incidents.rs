//! Incidents and alert rules: oversells, firing, dedupe, resolution and escalation.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversell_opens_an_incident_with_its_context() {
    let f = fixture(2, 0).await;
    // The channel still shows 5 (an update that never arrived): it sells 4 of our 2.
    f.sim.set_level(ITEM, LOCATION, 5);
    let order = place_order(&f, 4).await;
    let parsed = orders::parse_order(&order).unwrap();
    let report = orders::ingest(&f.store, CHANNEL, &parsed, orders::Source::Poll).unwrap();
    assert_eq!(report.incidents.len(), 1);
    // Replaying the order opens nothing new.
    let replay = orders::ingest(&f.store, CHANNEL, &parsed, orders::Source::Poll).unwrap();
    assert!(replay.incidents.is_empty());
    let list = incidents::list(&f.store, true).unwrap();
    assert_eq!(list.len(), 1);
    let incident = &list[0];
    assert_eq!((incident.sku.as_str(), incident.oversold_units), ("S1", 2));
    for key in ["queue_depth", "dead_letters", "p95_latency_ms", "missed_webhooks_24h", "atp_after_sale"] {
        assert!(incident.context.get(key).is_some(), "context has {key}: {}", incident.context);
    }
    assert!(incident.due_at > incident.opened_at);
    let resolved = incidents::resolve(
        &f.store,
        shelfsync_store::By::new("tester", "ws-test"),
        &incident.id,
        "push delayed by throttling",
    )
    .unwrap();
    assert_eq!(resolved.cause.as_deref(), Some("push delayed by throttling"));
    assert!(
        incidents::resolve(&f.store, shelfsync_store::By::new("tester", "ws-test"), &incident.id, "again")
            .is_err()
    );
    let month = &incident.opened_at[..7];
    let report = incidents::monthly_report(&f.store, month).unwrap();
    assert_eq!(report[0].cause, "push delayed by throttling");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alert_rules_fire_dedupe_and_resolve() {
    let f = fixture(2, 5).await;
    let conn = connection(&f.store);
    let now = chrono::Utc::now();
    let stamp = |minutes: i64| {
        (now - chrono::Duration::minutes(minutes)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    };
    for m in 1..=4 {
        conn.execute(
            "INSERT INTO sync_failures (channel, at, kind, message) VALUES (?1, ?2, 'server', 'HTTP 500')",
            (CHANNEL, stamp(m)),
        )
        .unwrap();
    }
    let first = alerts::evaluate(&f.store, now).unwrap();
    let open = alerts::list(&f.store, false).unwrap();
    let rules: Vec<&str> = open.iter().map(|a| a.rule.as_str()).collect();
    for rule in [alerts::FAILURES, alerts::ERROR_RATE, alerts::ATP_BELOW_SAFETY] {
        assert!(rules.contains(&rule), "{rule} fires: {rules:?}");
    }
    let second = alerts::evaluate(&f.store, now).unwrap();
    assert!(second.opened.is_empty(), "held conditions open nothing new");
    assert_eq!(second.still_open, first.opened.len());
    assert_eq!(alerts::list(&f.store, false).unwrap().len(), open.len());

    // Thresholds are configurable: raised above the count, the failure alerts resolve.
    alerts::set_threshold(&f.store, shelfsync_store::By::new("tester", "ws-test"), alerts::FAILURES, 10.0)
        .unwrap();
    alerts::set_threshold(&f.store, shelfsync_store::By::new("tester", "ws-test"), alerts::ERROR_RATE, 100.0)
        .unwrap();
    let third = alerts::evaluate(&f.store, now).unwrap();
    assert_eq!(third.resolved.len(), 2);
    assert!(
        alerts::set_threshold(&f.store, shelfsync_store::By::new("tester", "ws-test"), "nope", 1.0).is_err()
    );
    assert!(
        alerts::set_threshold(
            &f.store,
            shelfsync_store::By::new("tester", "ws-test"),
            alerts::FAILURES,
            -1.0
        )
        .is_err()
    );

    let id = alerts::list(&f.store, false).unwrap()[0].id.clone();
    let acked = alerts::ack(&f.store, shelfsync_store::By::new("tester", "ws-test"), &id).unwrap();
    assert!(acked.acked_at.is_some());
    assert!(
        alerts::ack(&f.store, shelfsync_store::By::new("tester", "ws-test"), &id).is_err(),
        "acknowledged once"
    );
    assert!(alerts::ack(&f.store, shelfsync_store::By::new("tester", "ws-test"), "999").is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_silence_latency_dead_letter_and_overdue_rules_fire() {
    let f = fixture(10, 0).await;
    let conn = connection(&f.store);
    let now = chrono::Utc::now();
    let ago = |minutes: i64| {
        (now - chrono::Duration::minutes(minutes)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    };
    // A pending update, dirty for 20 minutes, with no success since; business hours all day.
    let receive = Movement::Receive {
        sku: Sku::new("S1").unwrap(),
        location: LocationCode::new("WH1").unwrap(),
        qty: 1,
    };
    let mut store = Store::open(&f.db).unwrap();
    store.append(&shelfsync_store::new_event(receive, "tester", "ws")).unwrap();
    conn.execute("UPDATE outbox SET dirty_since = ?1", [ago(20)]).unwrap();
    conn.execute("UPDATE channel_metrics SET last_success_at = ?1", [ago(20)]).unwrap();
    alerts::set_threshold(
        &f.store,
        shelfsync_store::By::new("tester", "ws-test"),
        "business_start_hour",
        0.0,
    )
    .unwrap();
    alerts::set_threshold(&f.store, shelfsync_store::By::new("tester", "ws-test"), "business_end_hour", 24.0)
        .unwrap();
    alerts::set_threshold(&f.store, shelfsync_store::By::new("tester", "ws-test"), alerts::QUEUE_DEPTH, 0.0)
        .unwrap();
    let listing: i64 = conn.query_row("SELECT id FROM listings", [], |r| r.get(0)).unwrap();
    conn.execute(
        "INSERT INTO pushes (listing_id, channel, version, qty, group_key, derivation, dirty_since, acked_at, latency_ms)
         VALUES (?1, 'shop', 99, 1, 'k', '{}', ?2, ?3, 400000)",
        (listing, ago(10), ago(2)),
    )
    .unwrap();
    conn.execute(
        "INSERT INTO dead_letters (listing_id, channel, desired_qty, version, derivation, dirty_since, attempts, last_error, dead_at)
         VALUES (?1, 'shop', 1, 98, '{}', ?2, 8, 'INVALID_INVENTORY_ITEM', ?2)",
        (listing, ago(5)),
    )
    .unwrap();
    conn.execute(
        "INSERT INTO incidents (kind, channel, sku, oversold_units, context, opened_at, due_at) VALUES ('oversell', 'shop', 'S1', 1, '{}', ?1, ?2)",
        (ago(3000), ago(60)),
    )
    .unwrap();
    alerts::evaluate(&f.store, now).unwrap();
    let rules: Vec<String> = alerts::list(&f.store, false).unwrap().into_iter().map(|a| a.rule).collect();
    for rule in [
        alerts::QUEUE_DEPTH,
        alerts::NO_SUCCESS,
        alerts::LATENCY,
        alerts::DEAD_LETTERS,
        alerts::INCIDENT_OVERDUE,
    ] {
        assert!(rules.iter().any(|r| r == rule), "{rule} fires: {rules:?}");
    }
    // Outside business hours the silence rule resolves itself.
    alerts::set_threshold(&f.store, shelfsync_store::By::new("tester", "ws-test"), "business_end_hour", 0.0)
        .unwrap();
    let later = alerts::evaluate(&f.store, now).unwrap();
    assert_eq!(later.resolved.len(), 1);
    assert!(shelfsync_capture::health::health(&f.store).unwrap().status == "attention");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_reach_the_escalation_webhook_once() {
    use std::sync::{Arc, Mutex};
    let received: Arc<Mutex<Vec<Value>>> = Arc::default();
    let sink = received.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
            let sink = sink.clone();
            async move {
                sink.lock().unwrap().push(body);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hook", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let f = fixture(2, 5).await; // ATP 2 below safety stock 5: one alert
    let now = chrono::Utc::now();
    alerts::evaluate(&f.store, now).unwrap();
    // No target in the window: nothing is sent, nothing is marked.
    let none = alerts::deliver(&f.store, &f.http, now).await.unwrap();
    assert!(none.delivered.is_empty());
    let bad: Vec<_> =
        [("ftp://x", 0, 24), ("http://a b", 0, 24), (hook.as_str(), 9, 9), (hook.as_str(), 3, 25)]
            .into_iter()
            .map(|(url, from, to)| {
                alerts::add_target(&f.store, shelfsync_store::By::new("tester", "ws-test"), url, from, to)
                    .is_err()
            })
            .collect();
    assert_eq!(bad, [true; 4]);
    assert!(alerts::targets(&f.store).unwrap().is_empty(), "refused targets record nothing");
    alerts::add_target(&f.store, shelfsync_store::By::new("tester", "ws-test"), &hook, 0, 24).unwrap();
    let sent = alerts::deliver(&f.store, &f.http, now).await.unwrap();
    assert_eq!(sent.delivered.len(), 1);
    let again = alerts::deliver(&f.store, &f.http, now).await.unwrap();
    assert!(again.delivered.is_empty(), "delivered once");
    let bodies = received.lock().unwrap().clone();
    assert_eq!(bodies.len(), 1);
    assert_eq!(bodies[0]["rule"], alerts::ATP_BELOW_SAFETY);
    assert!(bodies[0]["text"].as_str().unwrap().contains("below safety stock"));
    server.abort();
}
