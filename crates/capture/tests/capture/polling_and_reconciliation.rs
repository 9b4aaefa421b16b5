//! Polling recovers lost webhooks; reconciliation finds drift and missing orders.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_recovers_lost_webhooks_and_books_each_order_once() {
    let f = fixture(20, 0).await;
    let receiver = webhook::serve(&f.db, &secrets(&f.db), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let delivered = place_order(&f, 1).await;
    let _lost_one = place_order(&f, 2).await;
    let _lost_two = place_order(&f, 3).await;
    let body = serde_json::to_vec(&delivered).unwrap();
    deliver(&f, &receiver.url(), "orders/create", "evt-a", &body, None).await;
    settle(&f).await;
    assert_eq!(balances(&f).committed, 1);

    let reports = poll::poll(&f.db, &secrets(&f.db), Some(CHANNEL)).await.unwrap();
    assert_eq!(reports[0].fetched, 3);
    assert_eq!(reports[0].recorded, 2, "the two lost orders are booked");
    assert_eq!(reports[0].duplicates, 1, "the delivered one is not booked again");
    assert_eq!(balances(&f).committed, 6);
    // Polling again books nothing.
    let again = poll::poll(&f.db, &secrets(&f.db), None).await.unwrap();
    assert_eq!(again[0].recorded, 0);
    assert_eq!(count(&f, "SELECT count(*) FROM events WHERE kind = 'sale'"), 3);

    // A cancellation and a refund arrive by poll too.
    let id = delivered["id"].as_u64().unwrap();
    f.http.post(format!("{}/admin/shop/orders/{id}/cancel", f.server.url())).send().await.unwrap();
    poll::poll(&f.db, &secrets(&f.db), None).await.unwrap();
    assert_eq!(balances(&f).committed, 5);

    // Capture rate: 1 of 3 orders came by webhook; the alert opens once and stays deduplicated.
    let rates = poll::capture_rates(&f.store, Some(CHANNEL), 5).unwrap();
    assert_eq!((rates[0].webhook_orders, rates[0].channel_orders), (1, 3));
    let first = alerts::evaluate(&f.store, chrono::Utc::now()).unwrap();
    let second = alerts::evaluate(&f.store, chrono::Utc::now()).unwrap();
    let capture: Vec<_> = alerts::list(&f.store, false)
        .unwrap()
        .into_iter()
        .filter(|a| a.rule == alerts::WEBHOOK_CAPTURE)
        .collect();
    assert_eq!(capture.len(), 1, "one open alert per rule and subject");
    assert!(first.opened.contains(&capture[0].id));
    assert!(!second.opened.contains(&capture[0].id));
    receiver.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconciliation_finds_injected_drift_and_repairs_it_per_rule() {
    for rule in ["central", "channel", "flag"] {
        let f = fixture(10, 0).await;
        assert_eq!(f.sim.inspect(|s| s.level(ITEM, LOCATION)), Some(10));
        config::set_rule(
            &f.store,
            shelfsync_store::By::new("tester", "ws-test"),
            CHANNEL,
            &RuleChange { conflict: Some(rule.into()), ..RuleChange::default() },
        )
        .unwrap();
        inject_level(&f, 7).await;

        let dry = reconcile::reconcile(&f.db, &secrets(&f.db), Some(CHANNEL), true).await.unwrap();
        assert_eq!(dry[0].gaps.len(), 1);
        assert_eq!(dry[0].gaps[0].action, "none", "a dry run changes nothing");
        assert_eq!(count(&f, "SELECT count(*) FROM reconcile_runs"), 0);

        let run = reconcile::reconcile(&f.db, &secrets(&f.db), Some(CHANNEL), false).await.unwrap();
        let gap = &run[0].gaps[0];
        assert_eq!(
            (gap.sku.as_str(), gap.expected, gap.channel_qty, gap.class.as_str()),
            ("S1", 10, Some(7), "channel_edit"),
            "{rule}"
        );
        assert_eq!(count(&f, "SELECT count(*) FROM reconcile_runs"), 1, "each run is stored");
        match rule {
            "central" => {
                assert_eq!(gap.action, "repush");
                drain(&f).await;
                assert_eq!(f.sim.inspect(|s| s.level(ITEM, LOCATION)), Some(10), "ours pushed back");
            }
            "channel" => {
                assert_eq!(gap.action, "adjusted");
                assert_eq!(balances(&f).on_hand, 7, "theirs taken as an adjustment");
                let reason: String = connection(&f.store)
                    .query_row(
                        "SELECT json_extract(body, '$.reason') FROM events WHERE kind = 'adjust'",
                        [],
                        |r| r.get(0),
                    )
                    .unwrap();
                assert!(reason.contains("reconcile"), "{reason}");
            }
            _ => {
                assert_eq!(gap.action, "flagged");
                let open = alerts::list(&f.store, false).unwrap();
                assert!(open.iter().any(|a| a.rule == alerts::DISCREPANCY), "{open:?}");
            }
        }
        if rule != "flag" {
            let after = reconcile::reconcile(&f.db, &secrets(&f.db), Some(CHANNEL), false).await.unwrap();
            assert!(after[0].gaps.is_empty(), "{rule}: repaired within one cycle: {:?}", after[0].gaps);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconciliation_books_an_order_it_was_missing() {
    let f = fixture(10, 0).await;
    place_order(&f, 3).await;
    let run = reconcile::reconcile(&f.db, &secrets(&f.db), Some(CHANNEL), false).await.unwrap();
    assert_eq!(run[0].gaps.len(), 1, "{:?}", run[0].gaps);
    assert_eq!(run[0].gaps[0].class, "order_not_ingested");
    assert_eq!(balances(&f).committed, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn channel_wins_raises_only_after_two_reads_agree() {
    let f = fixture(10, 0).await;
    config::set_rule(
        &f.store,
        shelfsync_store::By::new("tester", "ws-test"),
        CHANNEL,
        &RuleChange { conflict: Some("channel".into()), ..RuleChange::default() },
    )
    .unwrap();
    inject_level(&f, 12).await;
    let first = reconcile::reconcile(&f.db, &secrets(&f.db), Some(CHANNEL), false).await.unwrap();
    assert_eq!(first[0].gaps[0].action, "confirm_next_read");
    assert_eq!(balances(&f).on_hand, 10, "one read raises nothing");
    let second = reconcile::reconcile(&f.db, &secrets(&f.db), Some(CHANNEL), false).await.unwrap();
    assert_eq!(second[0].gaps[0].action, "adjusted");
    assert_eq!(balances(&f).on_hand, 12);
    let third = reconcile::reconcile(&f.db, &secrets(&f.db), Some(CHANNEL), false).await.unwrap();
    assert!(third[0].gaps.is_empty(), "{:?}", third[0].gaps);
}
