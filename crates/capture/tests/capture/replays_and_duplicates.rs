//! Sales Shopify counted itself, replays under fresh event ids, stale levels, inbox pruning
//! and cancellations or refunds seen twice (issues 16 and 17).

use super::*;

/// Issue 16: Shopify lowers its own count when an order is placed. With the order booked by its
/// webhook first, the next push's compare-and-set meets Shopify's lower count; that drop is the
/// booked sale, not an unseen one, and the listing keeps showing the units that are left.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shopify_sale_booked_by_webhook_is_not_counted_again_by_the_next_push() {
    let f = fixture(10, 0).await;
    assert_eq!(sim_level(&f), Some(10));
    let receiver = webhook::serve(&f.db, &secrets(&f.db), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let url = receiver.url();
    let order = place_order(&f, 4).await;
    assert_eq!(sim_level(&f), Some(6), "Shopify took the units itself");
    deliver(&f, &url, "orders/create", "ord-own", &serde_json::to_vec(&order).unwrap(), None).await;
    settle(&f).await;
    assert_eq!(balances(&f).committed, 4);
    drain(&f).await;
    assert_eq!(sim_level(&f), Some(6), "the sale counted once: 10 - 4, not 10 - 4 - 4");
    assert_eq!(open_changes(&f), 0, "nothing held back as an unseen sale");
    receiver.stop().await;
}

/// The same when Shopify's inventory_levels webhook arrives before the order: the drop is held
/// back once (the order is not booked yet), never twice, and the order then settles it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shopify_level_drop_seen_before_its_order_is_held_back_once() {
    let f = fixture(10, 0).await;
    let receiver = webhook::serve(&f.db, &secrets(&f.db), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let url = receiver.url();
    let level = level_body(6, 1);
    let order = place_order(&f, 4).await;
    deliver(&f, &url, "inventory_levels/update", "lvl-own", &level, None).await;
    settle(&f).await;
    assert_eq!(open_changes(&f), 1, "an unseen sale of 4, held back until its order is booked");
    drain(&f).await;
    assert_eq!(sim_level(&f), Some(6), "held back once: 10 - 4");
    deliver(&f, &url, "orders/create", "ord-own", &serde_json::to_vec(&order).unwrap(), None).await;
    settle(&f).await;
    drain(&f).await;
    assert_eq!(open_changes(&f), 0, "the order accounts for the drop");
    assert_eq!(sim_level(&f), Some(6));
    assert_eq!(balances(&f).committed, 4);
    receiver.stop().await;
}

/// Issue 17: X-Shopify-Event-Id is outside the HMAC. Each topic's signed body, replayed under
/// fresh event ids, is answered as a duplicate and changes nothing in the database: not the
/// inbox, the ledger, the listings or the channel changes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_body_replayed_under_fresh_event_ids_changes_nothing() {
    let f = fixture(20, 0).await;
    let receiver = webhook::serve(&f.db, &secrets(&f.db), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let url = receiver.url();
    let sold = place_order(&f, 3).await;
    let (id, line) = (sold["id"].as_u64().unwrap(), sold["line_items"][0]["id"].as_u64().unwrap());
    let refund =
        sim_post(&f, &format!("/admin/shop/orders/{id}/refund"), json!({ "line_id": line, "qty": 1 })).await;
    let to_cancel = place_order(&f, 2).await;
    let cancelled =
        sim_post(&f, &format!("/admin/shop/orders/{}/cancel", to_cancel["id"].as_u64().unwrap()), json!({}))
            .await;
    // (topic, signed body); a level that disagrees with what we push (a channel change).
    let deliveries: [(&str, Vec<u8>); 4] = [
        ("orders/create", serde_json::to_vec(&sold).unwrap()),
        ("refunds/create", serde_json::to_vec(&refund["refund"]).unwrap()),
        ("orders/cancelled", serde_json::to_vec(&cancelled["order"]).unwrap()),
        ("inventory_levels/update", level_body(4, 1)),
    ];
    for (topic, body) in &deliveries {
        let (status, answer) = deliver(&f, &url, topic, &format!("{topic}-first"), body, None).await;
        assert_eq!((status, answer["status"].as_str()), (200, Some("accepted")), "{topic}: {answer}");
        settle(&f).await;
    }
    let outcomes: Vec<String> =
        deliveries.iter().map(|(t, _)| outcome_of(&f, &format!("{t}-first"))).collect();
    assert_eq!(outcomes, ["ok", "ok", "ok", "channel_change"]);
    let before = db_state(&f);
    for round in 0..3 {
        for (topic, body) in &deliveries {
            let (status, answer) =
                deliver(&f, &url, topic, &format!("{topic}-replay-{round}"), body, None).await;
            assert_eq!((status, answer["status"].as_str()), (200, Some("duplicate")), "{topic}: {answer}");
        }
    }
    // Given time to book anything it had stored: there is nothing.
    tokio::time::sleep(Duration::from_millis(300)).await;
    settle(&f).await;
    assert_eq!(db_state(&f), before, "the replays changed the database");
    assert_eq!(open_changes(&f), 1, "one channel change, not one per replay");
    receiver.stop().await;
}

/// Past the dedupe window the inbox no longer holds a body: a replayed (or late, out of order)
/// level no newer than the newest applied to its listing is stale and changes nothing, even
/// when it disagrees with what we push.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_level_replayed_after_the_window_or_out_of_order_is_stale() {
    let f = fixture(10, 0).await;
    let receiver = webhook::serve(&f.db, &secrets(&f.db), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let url = receiver.url();
    let order = place_order(&f, 4).await;
    deliver(&f, &url, "inventory_levels/update", "lvl-6", &level_body(6, 10), None).await;
    deliver(&f, &url, "orders/create", "ord", &serde_json::to_vec(&order).unwrap(), None).await;
    settle(&f).await;
    assert_eq!(outcome_of(&f, "lvl-6"), "channel_change");
    assert_eq!(open_changes(&f), 0, "the order accounts for it");
    // More stock arrives and is pushed: the channel now shows 11, not 6.
    let receive = Movement::Receive {
        sku: Sku::new("S1").unwrap(),
        location: LocationCode::new("WH1").unwrap(),
        qty: 5,
    };
    Store::open(&f.db).unwrap().append(&shelfsync_store::new_event(receive, "tester", "ws")).unwrap();
    drain(&f).await;
    assert_eq!(sim_level(&f), Some(11));
    // The window passes: the processed rows are pruned.
    connection(&f.store)
        .execute("UPDATE webhook_inbox SET processed_at = '2026-01-01T00:00:00.000Z'", [])
        .unwrap();
    assert_eq!(webhook::prune_inbox(&f.store, chrono::Utc::now()).unwrap(), 2);
    let before = db_state(&f);
    // (case, event id, body): the old level replayed, and a level older still arriving late.
    let cases =
        [("replayed", "lvl-6-again", level_body(6, 10)), ("out of order", "lvl-late", level_body(8, 5))];
    for (case, event_id, body) in cases {
        let (status, answer) = deliver(&f, &url, "inventory_levels/update", event_id, &body, None).await;
        assert_eq!((status, answer["status"].as_str()), (200, Some("accepted")), "{case}");
        settle(&f).await;
        assert_eq!(outcome_of(&f, event_id), "stale", "{case}");
    }
    let after = db_state(&f);
    let without_inbox = |state: &str| {
        state.lines().filter(|l| !l.starts_with("webhook_inbox:")).collect::<Vec<_>>().join("\n")
    };
    assert_eq!(
        without_inbox(&after),
        without_inbox(&before),
        "a stale level changes nothing but its inbox row"
    );
    assert_eq!(open_changes(&f), 0);
    drain(&f).await;
    assert_eq!(sim_level(&f), Some(11), "the listing is not held at the replayed level");
    // A newer level is still applied.
    deliver(&f, &url, "inventory_levels/update", "lvl-new", &level_body(9, 20), None).await;
    settle(&f).await;
    assert_eq!(outcome_of(&f, "lvl-new"), "channel_change");
    receiver.stop().await;
}

/// The inbox keeps a delivery for the dedupe window after it was processed, and no longer;
/// an unprocessed row is kept whatever its age. The receiver prunes when it starts and then
/// every minute.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inbox_is_pruned_after_its_dedupe_window() {
    let f = fixture(10, 0).await;
    let now = chrono::Utc::now();
    let window = chrono::Duration::from_std(webhook::DEDUPE_WINDOW).unwrap();
    assert_eq!(window, chrono::Duration::days(7));
    let stamp = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    // (event id, processed at, kept)
    let rows = [
        ("a month ago", Some(now - chrono::Duration::days(30)), false),
        ("just past the window", Some(now - window - chrono::Duration::seconds(1)), false),
        ("just inside the window", Some(now - window + chrono::Duration::minutes(1)), true),
        ("yesterday", Some(now - chrono::Duration::days(1)), true),
        ("never processed", None, true),
    ];
    let conn = connection(&f.store);
    for (i, (event_id, processed, _)) in rows.iter().enumerate() {
        conn.execute(
            "INSERT INTO webhook_inbox (channel, event_id, topic, body, body_sha256, received_at, processed_at, outcome)
             VALUES ('shop', ?1, 'orders/create', '{}', ?2, ?3, ?4, ?5)",
            shelfsync_store::testing::rusqlite::params![
                event_id,
                format!("hash-{i}"),
                stamp(now - chrono::Duration::days(40)),
                processed.map(stamp),
                processed.map(|_| "ok"),
            ],
        )
        .unwrap();
    }
    assert_eq!(webhook::prune_inbox(&f.store, now).unwrap(), 2);
    let kept = |f: &Fixture| -> Vec<String> {
        connection(&f.store)
            .prepare("SELECT event_id FROM webhook_inbox ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let want: Vec<String> = rows.iter().filter(|r| r.2).map(|r| r.0.to_string()).collect();
    assert_eq!(kept(&f), want);
    assert_eq!(webhook::prune_inbox(&f.store, now).unwrap(), 0, "nothing more to prune");
    // The running receiver prunes on its own: a row processed 8 days ago goes.
    conn.execute(
        "UPDATE webhook_inbox SET processed_at = ?1 WHERE event_id = 'yesterday'",
        [stamp(now - chrono::Duration::days(8))],
    )
    .unwrap();
    let receiver = webhook::serve(&f.db, &secrets(&f.db), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let gone = tokio::time::timeout(Duration::from_secs(10), async {
        while count(&f, "SELECT count(*) FROM webhook_inbox WHERE event_id = 'yesterday'") > 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(gone.is_ok(), "the receiver pruned the expired row");
    receiver.stop().await;
}

/// Issue 17: a cancellation and a refund take their time from the order, so the same ones
/// seen by webhook and then by poll (or the other way round) are duplicates, not conflicts
/// that roll back their order's capture.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancellation_or_refund_seen_by_webhook_and_poll_is_a_duplicate() {
    let f = fixture(20, 0).await;
    let receiver = webhook::serve(&f.db, &secrets(&f.db), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let url = receiver.url();
    // Webhook first: a refunded order and a cancelled one.
    let refunded = place_order(&f, 3).await;
    let (id, line) = (refunded["id"].as_u64().unwrap(), refunded["line_items"][0]["id"].as_u64().unwrap());
    deliver(&f, &url, "orders/create", "ord-r", &serde_json::to_vec(&refunded).unwrap(), None).await;
    let refund =
        sim_post(&f, &format!("/admin/shop/orders/{id}/refund"), json!({ "line_id": line, "qty": 1 })).await;
    deliver(&f, &url, "refunds/create", "ref-r", &serde_json::to_vec(&refund["refund"]).unwrap(), None).await;
    let to_cancel = place_order(&f, 2).await;
    let cancel_id = to_cancel["id"].as_u64().unwrap();
    let cancelled = sim_post(&f, &format!("/admin/shop/orders/{cancel_id}/cancel"), json!({})).await;
    deliver(&f, &url, "orders/cancelled", "can-c", &serde_json::to_vec(&cancelled["order"]).unwrap(), None)
        .await;
    settle(&f).await;
    for event_id in ["ord-r", "ref-r", "can-c"] {
        assert_eq!(outcome_of(&f, event_id), "ok", "{event_id}");
    }
    // Each event's time is the order's, not the clock's.
    let time_of = |kind: &str| -> String {
        let at: String = connection(&f.store)
            .query_row(
                "SELECT json_extract(body, '$.occurred_at') FROM events WHERE kind = ?1",
                [kind],
                |r| r.get(0),
            )
            .unwrap();
        chrono::DateTime::parse_from_rfc3339(&at).unwrap().to_rfc3339()
    };
    let same =
        |raw: &Value| chrono::DateTime::parse_from_rfc3339(raw.as_str().unwrap()).unwrap().to_rfc3339();
    assert_eq!(time_of("cancel"), same(&cancelled["order"]["cancelled_at"]));
    assert_eq!(time_of("return"), same(&refund["refund"]["created_at"]));
    let booked = balances(&f);
    let before = count(&f, "SELECT count(*) FROM events");
    // Then the poll sees the same orders with the refund and cancellation inside them.
    let polled = poll::poll(&f.db, &secrets(&f.db), None).await.unwrap();
    assert!(polled[0].errors.is_empty(), "{:?}", polled[0]);
    assert_eq!((polled[0].recorded, polled[0].duplicates), (0, 4), "two sales, a return, a cancel");
    assert_eq!(balances(&f), booked);
    assert_eq!(count(&f, "SELECT count(*) FROM events"), before);

    // Poll first, webhook after: the late orders/cancelled is a duplicate too.
    let late = place_order(&f, 1).await;
    let late_id = late["id"].as_u64().unwrap();
    let late_cancelled = sim_post(&f, &format!("/admin/shop/orders/{late_id}/cancel"), json!({})).await;
    let polled = poll::poll(&f.db, &secrets(&f.db), None).await.unwrap();
    assert!(polled[0].errors.is_empty(), "{:?}", polled[0]);
    let booked = balances(&f);
    deliver(
        &f,
        &url,
        "orders/cancelled",
        "can-late",
        &serde_json::to_vec(&late_cancelled["order"]).unwrap(),
        None,
    )
    .await;
    settle(&f).await;
    assert_eq!(outcome_of(&f, "can-late"), "ok", "not a conflict");
    assert_eq!(balances(&f), booked);
    assert_eq!(count(&f, "SELECT count(*) FROM events WHERE kind = 'cancel'"), 2);
    receiver.stop().await;
}

/// A cancellation seen again with another time (a marketplace's order update time moves; a
/// channel may give the cancellation time or not) is the same event: the booked time stays,
/// the sighting is a duplicate. A different quantity is still refused as a conflict.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancellation_seen_again_at_another_time_is_a_duplicate() {
    let f = fixture(10, 0).await;
    let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&chrono::Utc);
    let order = |cancelled_at: Option<&str>, qty: u32| orders::Order {
        id: "m-1".into(),
        created_at: at("2026-11-30T09:00:00Z"),
        updated_at: cancelled_at.unwrap_or("2026-11-30T09:00:00Z").into(),
        cancelled: true,
        cancelled_at: cancelled_at.map(at),
        location: Some(LOCATION.into()),
        lines: vec![orders::Line { id: "1".into(), item: ITEM.into(), quantity: qty }],
        refunds: vec![],
    };
    let first =
        orders::ingest(&f.store, CHANNEL, &order(Some("2026-11-30T10:00:00Z"), 2), orders::Source::Poll)
            .unwrap();
    assert_eq!((first.recorded, first.duplicates), (2, 0));
    // (case, the order as seen again)
    let sightings = [
        ("a later update time", order(Some("2026-11-30T12:00:00Z"), 2)),
        ("an earlier time", order(Some("2026-11-30T09:30:00Z"), 2)),
        ("no cancellation time", order(None, 2)),
    ];
    for (case, again) in sightings {
        for source in [orders::Source::Poll, orders::Source::Webhook, orders::Source::Notification] {
            let report = orders::ingest(&f.store, CHANNEL, &again, source).unwrap();
            assert_eq!((report.recorded, report.duplicates), (0, 2), "{case} {source:?}");
        }
    }
    let booked: String = connection(&f.store)
        .query_row("SELECT json_extract(body, '$.occurred_at') FROM events WHERE kind = 'cancel'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(at(&booked), at("2026-11-30T10:00:00Z"), "the first sighting's time stays");
    let before = db_state(&f);
    let error =
        orders::ingest(&f.store, CHANNEL, &order(Some("2026-11-30T10:00:00Z"), 1), orders::Source::Poll)
            .unwrap_err()
            .to_string();
    assert!(error.contains("conflict") || error.contains("differ"), "{error}");
    assert_eq!(db_state(&f), before, "a refused sighting changes nothing");
}
