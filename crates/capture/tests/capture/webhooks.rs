//! Shopify webhooks: forged, malformed and refused deliveries, duplicates, levels, echoes,
//! refunds and cancellations, a SKU-only line, and a burst answered fast.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_or_malformed_deliveries_are_refused_and_record_nothing() {
    let f = fixture(10, 0).await;
    let receiver = webhook::serve(&f.db, &secrets(&f.db), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let url = receiver.url();
    let order = serde_json::to_vec(&place_order(&f, 1).await).unwrap();
    let forged = webhook::sign(SECRET.as_bytes(), b"{\"id\":1}");
    let wrong_key = webhook::sign(b"not-the-secret", &order);
    type Case<'a> = (&'a str, &'a str, Vec<u8>, Option<&'a str>, u16, &'a str);
    let cases: Vec<Case> = vec![
        ("orders/create", "e1", order.clone(), Some(forged.as_str()), 401, "HMAC"),
        ("orders/create", "e2", order.clone(), Some(wrong_key.as_str()), 401, "HMAC"),
        ("orders/create", "e3", order.clone(), Some("not base64!"), 401, "HMAC"),
        ("orders/delete", "e4", order.clone(), None, 400, "Topic"),
        ("orders/create", "", order.clone(), None, 400, "Event-Id"),
        ("orders/create", "e6", b"{not json".to_vec(), None, 400, "invalid"),
        ("orders/create", "e7", br#"{"id":5,"created_at":"2026-01-01T00:00:00Z","line_items":[{"id":1,"inventory_item_id":1,"quantity":0}]}"#.to_vec(), None, 400, "quantity"),
        ("refunds/create", "e8", br#"{"id":5}"#.to_vec(), None, 400, "order_id"),
        ("inventory_levels/update", "e9", br#"{"inventory_item_id":1,"location_id":1}"#.to_vec(), None, 400, "available"),
    ];
    for (topic, event_id, body, signature, want_status, want_text) in cases {
        let (status, answer) = deliver(&f, &url, topic, event_id, &body, signature).await;
        assert_eq!(status, want_status, "{topic} {event_id}: {answer}");
        assert!(
            answer["error"].as_str().unwrap_or_default().contains(want_text),
            "{topic} {event_id}: {answer}"
        );
    }
    // Unknown channel and a missing signature.
    let response =
        f.http.post(format!("{url}/webhooks/shopify/nope")).body(order.clone()).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 404);
    let response = f
        .http
        .post(format!("{url}/webhooks/shopify/{CHANNEL}"))
        .header("X-Shopify-Topic", "orders/create")
        .header("X-Shopify-Event-Id", "e10")
        .body(order.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    assert_eq!(count(&f, "SELECT count(*) FROM webhook_inbox"), 0, "nothing recorded");
    assert_eq!(count(&f, "SELECT count(*) FROM events WHERE kind = 'sale'"), 0);
    receiver.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicate_delivery_is_processed_once() {
    let f = fixture(10, 0).await;
    let receiver = webhook::serve(&f.db, &secrets(&f.db), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let order = serde_json::to_vec(&place_order(&f, 2).await).unwrap();
    let (status, first) = deliver(&f, &receiver.url(), "orders/create", "evt-1", &order, None).await;
    assert_eq!((status, first["status"].as_str()), (200, Some("accepted")));
    let (status, again) = deliver(&f, &receiver.url(), "orders/create", "evt-1", &order, None).await;
    assert_eq!((status, again["status"].as_str()), (200, Some("duplicate")));
    // The same body under a new event id (outside the HMAC) is the same delivery.
    let (status, again) = deliver(&f, &receiver.url(), "orders/create", "evt-2", &order, None).await;
    assert_eq!((status, again["status"].as_str()), (200, Some("duplicate")));
    settle(&f).await;
    assert_eq!(count(&f, "SELECT count(*) FROM webhook_inbox"), 1);
    assert_eq!(count(&f, "SELECT count(*) FROM events WHERE kind = 'sale'"), 1);
    assert_eq!(balances(&f).committed, 2);
    receiver.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn level_updates_echoes_refunds_and_cancellations_by_webhook() {
    let f = fixture(10, 0).await;
    let receiver = webhook::serve(&f.db, &secrets(&f.db), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let url = receiver.url();
    let level = |available: i64, second: u32| level_body(available, second);
    let outcome = |event: &str| -> String {
        connection(&f.store)
            .query_row("SELECT outcome FROM webhook_inbox WHERE event_id = ?1", [event], |r| r.get(0))
            .unwrap()
    };
    // Our own push coming back is an echo.
    deliver(&f, &url, "inventory_levels/update", "lvl-1", &level(10, 1), None).await;
    settle(&f).await;
    assert_eq!(outcome("lvl-1"), "echo");
    // A sale on the channel shows up as a level change before its order arrives.
    let order = place_order(&f, 4).await;
    deliver(&f, &url, "inventory_levels/update", "lvl-2", &level(6, 2), None).await;
    settle(&f).await;
    assert_eq!(outcome("lvl-2"), "channel_change");
    assert_eq!(count(&f, "SELECT count(*) FROM channel_changes WHERE resolved_at IS NULL"), 1);
    deliver(&f, &url, "orders/create", "ord-1", &serde_json::to_vec(&order).unwrap(), None).await;
    settle(&f).await;
    assert_eq!(outcome("ord-1"), "ok");
    assert_eq!(
        count(&f, "SELECT count(*) FROM channel_changes WHERE resolved_at IS NULL"),
        0,
        "the order accounts for the change"
    );
    assert_eq!(balances(&f).committed, 4);

    // A refund of one unit returns it to stock; a cancelled order releases its commitment.
    let id = order["id"].as_u64().unwrap();
    let line = order["line_items"][0]["id"].as_u64().unwrap();
    let refund =
        json!({ "id": 77, "order_id": id, "refund_line_items": [{ "line_item_id": line, "quantity": 1 }] });
    deliver(&f, &url, "refunds/create", "ref-1", &serde_json::to_vec(&refund).unwrap(), None).await;
    let other = place_order(&f, 2).await;
    deliver(&f, &url, "orders/create", "ord-2", &serde_json::to_vec(&other).unwrap(), None).await;
    let other_id = other["id"].as_u64().unwrap();
    let cancelled: Value = f
        .http
        .post(format!("{}/admin/shop/orders/{other_id}/cancel", f.server.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    deliver(&f, &url, "orders/cancelled", "can-1", &serde_json::to_vec(&cancelled["order"]).unwrap(), None)
        .await;
    settle(&f).await;
    assert_eq!((outcome("ref-1"), outcome("can-1")), ("ok".to_string(), "ok".to_string()));
    let b = balances(&f);
    assert_eq!((b.on_hand, b.committed), (11, 4));
    // The poll finds the same orders, refund and cancellation: nothing is booked twice.
    let polled = poll::poll(&f.db, &secrets(&f.db), None).await.unwrap();
    assert_eq!(polled[0].recorded, 0, "{:?}", polled[0]);
    assert_eq!(balances(&f), b);
    receiver.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_shopify_line_naming_only_the_sku_is_booked() {
    let f = fixture(10, 0).await;
    // Shopify's own line items carry variant_id and sku, not the inventory item.
    let order = json!({
        "id": 450789469, "created_at": "2026-11-26T10:00:00-05:00", "updated_at": "2026-11-26T10:00:01-05:00",
        "cancelled_at": null, "location_id": null,
        "line_items": [{ "id": 466157049, "variant_id": 39072856, "sku": "S1", "quantity": 2 }],
        "refunds": [],
    });
    let parsed = orders::parse_order(&order).unwrap();
    let report = orders::ingest(&f.store, CHANNEL, &parsed, orders::Source::Webhook).unwrap();
    assert_eq!((report.recorded, report.unmapped), (1, 0));
    assert_eq!(balances(&f).committed, 2);
    // A SKU we do not list is kept as an unmapped line and reported by reconciliation.
    let unknown = json!({
        "id": 450789470, "created_at": "2026-11-26T10:00:00Z",
        "line_items": [{ "id": 1, "sku": "NOT-OURS", "quantity": 1 }],
    });
    let report =
        orders::ingest(&f.store, CHANNEL, &orders::parse_order(&unknown).unwrap(), orders::Source::Poll)
            .unwrap();
    assert_eq!(report.unmapped, 1);
    let run = reconcile::reconcile(&f.db, &secrets(&f.db), Some(CHANNEL), true).await.unwrap();
    assert!(
        run[0].gaps.iter().any(|g| g.class == "unmapped_listing" && g.sku == "sku:NOT-OURS"),
        "{:?}",
        run[0].gaps
    );
}

/// 200 orders delivered by webhook: every answer is quick (Shopify allows 5 s) and every order
/// is booked once. Prints the figures (`--no-capture` shows them).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_deliveries_is_answered_fast_and_booked_once() {
    const ORDERS: usize = 200;
    let f = fixture(1_000, 0).await;
    let receiver = webhook::serve(&f.db, &secrets(&f.db), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let mut bodies = Vec::with_capacity(ORDERS);
    for _ in 0..ORDERS {
        bodies.push(serde_json::to_vec(&place_order(&f, 1).await).unwrap());
    }
    let started = std::time::Instant::now();
    let mut answers_ms = Vec::with_capacity(ORDERS);
    for (i, body) in bodies.iter().enumerate() {
        let sent = std::time::Instant::now();
        let (status, _) =
            deliver(&f, &receiver.url(), "orders/create", &format!("burst-{i}"), body, None).await;
        answers_ms.push(sent.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(status, 200);
    }
    settle(&f).await;
    let total = started.elapsed();
    answers_ms.sort_by(f64::total_cmp);
    let p50 = answers_ms[ORDERS / 2];
    let p99 = answers_ms[ORDERS * 99 / 100];
    println!(
        "{ORDERS} deliveries: answer p50 {p50:.1} ms, p99 {p99:.1} ms; all booked in {:.2} s",
        total.as_secs_f64()
    );
    assert!(p99 < 1000.0, "answers stay far inside Shopify's 5 s: p99 {p99} ms");
    assert_eq!(count(&f, "SELECT count(*) FROM events WHERE kind = 'sale'"), ORDERS as i64);
    assert_eq!(balances(&f).committed, ORDERS as i64);
    receiver.stop().await;
}

/// Each refused delivery is answered with one line that says what is wrong, and changes
/// nothing in the database.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_deliveries_say_why_in_one_line_and_change_nothing() {
    let f = fixture(10, 0).await;
    let receiver = webhook::serve(&f.db, &secrets(&f.db), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let url = receiver.url();
    let order = |extra: Value| {
        let mut o = json!({
            "id": 9, "created_at": "2026-11-30T09:00:00Z",
            "line_items": [{ "id": 1, "inventory_item_id": ITEM, "quantity": 1 }],
        });
        o.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        serde_json::to_vec(&o).unwrap()
    };
    let level = |extra: Value| {
        let mut o = json!({ "inventory_item_id": ITEM, "location_id": LOCATION, "available": 3 });
        o.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        serde_json::to_vec(&o).unwrap()
    };
    let refund = |created_at: Value| {
        serde_json::to_vec(&json!({
            "id": 5, "order_id": 9, "created_at": created_at,
            "refund_line_items": [{ "line_item_id": 1, "quantity": 1 }],
        }))
        .unwrap()
    };
    // (topic, body, what the one line names)
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("inventory_levels/update", level(json!({})), "updated_at is missing or not RFC 3339"),
        (
            "inventory_levels/update",
            level(json!({ "updated_at": "yesterday" })),
            "updated_at is missing or not RFC 3339",
        ),
        (
            "inventory_levels/update",
            level(json!({ "updated_at": 1_764_000_000 })),
            "updated_at is missing or not RFC 3339",
        ),
        (
            "orders/cancelled",
            order(json!({ "cancelled_at": "soon" })),
            "order 9: cancelled_at is not RFC 3339",
        ),
        ("orders/cancelled", order(json!({ "cancelled_at": true })), "order 9: cancelled_at is not RFC 3339"),
        ("refunds/create", refund(json!("2026-13-01T00:00:00Z")), "refund 5: created_at is not RFC 3339"),
        (
            "orders/create",
            order(json!({ "refunds": [{ "id": 6, "created_at": [], "refund_line_items": [] }] })),
            "refund 6: created_at is not RFC 3339",
        ),
    ];
    let before = db_state(&f);
    for (i, (topic, body, want)) in cases.iter().enumerate() {
        let (status, answer) = deliver(&f, &url, topic, &format!("bad-{i}"), body, None).await;
        let line = answer["error"].as_str().unwrap_or_default();
        assert_eq!(status, 400, "{topic} {i}: {answer}");
        assert!(line.contains(want) && !line.contains('\n'), "{topic} {i}: {line:?}");
        assert_eq!(db_state(&f), before, "{topic} {i} changed the database");
    }
    receiver.stop().await;
}
