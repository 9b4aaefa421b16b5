//! Pushes to Amazon and eBay one at a time: first push and offer-id look-up, INVALID-as-200,
//! token renewal, 429 back-off, eBay partial batches, the revision cap, quota waits and pacing.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_push_reaches_amazon_and_ebay_and_offer_ids_are_looked_up() {
    let mut m = market(4, amazon_sim(1), ebay_sim(1), false).await;
    for i in 0..4 {
        receive(&mut m.store, i, "WH1", 10 + i as u32);
    }
    let report = drain(&engine(&m, fast(1))).await;
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    for i in 0..4 {
        assert_eq!(m.sim.amazon.inspect(|s| s.quantity(&format!("AMZ-{}", sku(i)))), Some(10 + i as i64));
        assert_eq!(
            m.sim.ebay.inspect(|s| s.listed(&sku(i))),
            Some(10 + i as i64),
            "both levels move together"
        );
    }
    // Odd SKUs had no offer id: looked up once each by SKU.
    assert_eq!(m.sim.ebay.inspect(|s| s.stats.offer_lookups), 2);
    assert_eq!(m.sim.amazon.inspect(|s| s.stats.token_requests), 1, "one LWA token for the whole run");
    assert_eq!(depth(&m, AMAZON) + depth(&m, EBAY), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amazon_invalid_as_200_goes_to_the_dead_letter_queue_with_its_issue_codes() {
    let mut m = market(3, amazon_sim(2), ebay_sim(2), false).await;
    // S1's listing does not exist on Amazon: every patch of it comes back INVALID (HTTP 200).
    m.sim.amazon.with_listing_removed("AMZ-S1");
    for i in 0..3 {
        receive(&mut m.store, i, "WH1", 5);
    }
    drain(&engine(&m, fast(2))).await;
    let dead = dead_letters(&m, AMAZON);
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0].0, "S1");
    assert!(dead[0].1.contains("90220"), "the issue code is kept: {dead:?}");
    assert_eq!(m.sim.amazon.inspect(|s| s.stats.invalid), 1, "permanent: sent once, not retried");
    assert_eq!(m.sim.amazon.inspect(|s| s.quantity("AMZ-S0")), Some(5));
    assert_eq!(depth(&m, AMAZON), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_tokens_are_renewed_once_and_the_push_goes_through() {
    let mut m = market(2, amazon_sim(3), ebay_sim(3), false).await;
    receive(&mut m.store, 0, "WH1", 3);
    let engine = engine(&m, fast(3));
    drain(&engine).await;
    let before =
        (m.sim.amazon.inspect(|s| s.stats.token_requests), m.sim.ebay.inspect(|s| s.stats.token_requests));
    // Direct clients keep their token across calls; expire it under them.
    let amazon = amazon_client(&m);
    let ebay = ebay_client(&m);
    let up = |item: &str, offer: Option<&str>, q| QuantityUpdate {
        listing: RemoteListing { item: item.into(), location: offer.map(str::to_string) },
        quantity: q,
        change_from: None,
    };
    let a = [up("AMZ-S0", None, 7)];
    let e = [up("S0", Some(&offer_id(0)), 7)];
    let push =
        |u: &'static [QuantityUpdate]| PushRequest { idempotency_key: "k", reference: "r", updates: u };
    let a: &'static [QuantityUpdate] = Box::leak(Box::new(a));
    let e: &'static [QuantityUpdate] = Box::leak(Box::new(e));
    assert_eq!(amazon.push(push(a)).await.unwrap().value, PushOutcome::Accepted);
    assert_eq!(ebay.push(push(e)).await.unwrap().value, PushOutcome::Applied);
    m.sim.amazon.expire_tokens();
    m.sim.ebay.expire_tokens();
    assert_eq!(amazon.push(push(a)).await.unwrap().value, PushOutcome::Accepted);
    assert_eq!(ebay.push(push(e)).await.unwrap().value, PushOutcome::Applied);
    assert_eq!(amazon.token_fetches(), 2, "one token, then exactly one renewal");
    assert_eq!(ebay.token_fetches(), 2);
    assert_eq!(m.sim.amazon.inspect(|s| s.stats.expired_token_refusals), 1);
    assert_eq!(m.sim.ebay.inspect(|s| s.stats.expired_token_refusals), 1);
    assert!(m.sim.amazon.inspect(|s| s.stats.token_requests) > before.0);
    let _ = before.1;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amazon_429_backs_off_and_the_row_still_lands() {
    let mut m = market(3, amazon_sim(4), ebay_sim(4), false).await;
    m.sim.amazon.set_faults(Faults::none(), AmazonFaults { quota_exceeded: 0.5, ..AmazonFaults::default() });
    for i in 0..3 {
        receive(&mut m.store, i, "WH1", 4);
    }
    let report = drain(&engine(&m, fast(4))).await;
    let amz = report.channels.iter().find(|c| c.channel == AMAZON).unwrap();
    assert!(amz.throttled > 0, "429s were seen: {amz:?}");
    for i in 0..3 {
        assert_eq!(m.sim.amazon.inspect(|s| s.quantity(&format!("AMZ-{}", sku(i)))), Some(4));
    }
    assert!(dead_letters(&m, AMAZON).is_empty(), "a 429 is never a failure");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ebay_partial_batch_acks_the_good_retries_the_temporary_dead_letters_the_permanent() {
    let mut m = market(6, amazon_sim(5), ebay_sim(5), false).await;
    // S5's offer id is wrong: a REQUEST error (permanent). 25025 on a third of the entries.
    config::map_one(
        &m.store,
        shelfsync_store::By::new("tester", "ws-test"),
        EBAY,
        &Mapping { sku: sku(5), location: None, remote_item: sku(5), remote_location: Some("123".into()) },
    )
    .unwrap();
    m.sim.ebay.set_faults(Faults::none(), EbayFaults { concurrency: 0.35, ..EbayFaults::default() });
    for i in 0..6 {
        receive(&mut m.store, i, "WH1", 9);
    }
    drain(&engine(&m, fast(5))).await;
    let stats = m.sim.ebay.inspect(|s| s.stats.clone());
    assert!(stats.partial_responses > 0, "207s happened: {stats:?}");
    for i in 0..5 {
        assert_eq!(m.sim.ebay.inspect(|s| s.listed(&sku(i))), Some(9), "S{i}");
        // A good entry is applied once: never resent after it was acknowledged.
        assert_eq!(m.sim.ebay.inspect(|s| s.revisions(&sku(i))), 1, "S{i} applied exactly once");
    }
    let dead = dead_letters(&m, EBAY);
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0].0, "S5");
    assert!(dead[0].1.contains("25002"), "{dead:?}");
    assert_eq!(depth(&m, EBAY), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ebay_revision_cap_holds_a_listing_back_and_says_why() {
    let mut m = market(1, amazon_sim(6), ebay_sim(6), false).await;
    let mut config = fast(6);
    config.tuning.ebay_revisions_per_day = 3;
    config.worker.once_wait_limit = Duration::from_millis(10);
    let engine = engine(&m, config);
    for _ in 1..=5 {
        receive(&mut m.store, 0, "WH1", 1);
        drain(&engine).await;
    }
    // Five one-shot runs, each with a fresh client seeded from today's pushes: three
    // revisions, then the listing waits (not dead-lettered, no attempt burned) and says why.
    assert_eq!(m.sim.ebay.inspect(|s| s.revisions(&sku(0))), 3);
    assert_eq!(m.sim.ebay.inspect(|s| s.listed(&sku(0))), Some(3));
    assert!(dead_letters(&m, EBAY).is_empty());
    let why: String = connection(&m.store)
        .query_row(
            "SELECT last_error FROM outbox o JOIN listings l ON l.id = o.listing_id WHERE l.channel = 'eb'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(why.contains("REVISION_CAP") && why.contains("revisions today"), "{why}");
    // Now one long-lived client: five changes, three revisions, then it waits and says why.
    let client = {
        let c = &m.ebay_config;
        let mut config = EbayConfig::new(&m.url, &c.client_id, &c.client_secret, &c.refresh_token);
        config.revisions_per_day = 3;
        EbayClient::new(config).unwrap()
    };
    let mut outcomes = Vec::new();
    for q in 1..=5 {
        let updates = [QuantityUpdate {
            listing: RemoteListing { item: sku(0), location: Some(offer_id(0)) },
            quantity: q,
            change_from: None,
        }];
        outcomes.push(
            client
                .push(PushRequest { idempotency_key: "k", reference: "r", updates: &updates })
                .await
                .unwrap()
                .value,
        );
    }
    assert!(outcomes[..3].iter().all(|o| *o == PushOutcome::Applied));
    for o in &outcomes[3..] {
        let PushOutcome::Rejected(r) = o else { panic!("{o:?}") };
        assert_eq!(r[0].code, shelfsync_channels::ebay::REVISION_CAP_CODE);
        assert!(r[0].message.contains("revisions today"), "{}", r[0].message);
    }
    assert_eq!(m.sim.ebay.inspect(|s| s.listed(&sku(0))), Some(3), "the capped values never reached eBay");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ebay_quota_exhaustion_waits_instead_of_hammering() {
    let mut m = market(2, amazon_sim(7), ebay_sim(7), false).await;
    m.sim.ebay.set_faults(Faults::none(), EbayFaults { quota_exhaustion: 1.0, ..EbayFaults::default() });
    receive(&mut m.store, 0, "WH1", 2);
    let report = drain(&engine(&m, fast(7))).await;
    let eb = report.channels.iter().find(|c| c.channel == EBAY).unwrap();
    let refusals = m.sim.ebay.inspect(|s| s.stats.quota_refusals);
    assert!((1..=2).contains(&refusals), "one refusal, then the wait for the reset: {refusals}");
    assert!(eb.throttled >= 1);
    assert!(depth(&m, EBAY) > 0, "the row waits; it is not dropped or dead-lettered");
    assert!(dead_letters(&m, EBAY).is_empty());
}

/// The benchmark targets, measured: a backlog runs at ≥95% of the channel's rate, no 429.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backlogs_use_at_least_95_percent_of_the_rate_with_no_429() {
    const N: usize = 30;
    // Amazon at its real limits: patchListingsItem 5/s, burst 5.
    let amazon = AmazonSimConfig { seed: 9, ..AmazonSimConfig::default() };
    // eBay: the engine's configured budget is 20 calls/s (burst 2); the sim enforces 20/s
    // with a burst of 3, so loopback jitter between two exact buckets is not a 429.
    let ebay = EbaySimConfig { seed: 9, rate: 20.0, burst: 3.0, ..EbaySimConfig::default() };
    let mut m = market(N, amazon, ebay, false).await;
    for i in 0..N {
        receive(&mut m.store, i, "WH1", 2);
    }
    let mut config = fast(9);
    config.tuning =
        shelfsync_sync::ChannelTuning { ebay_calls_per_second: 20.0, ebay_burst: 2.0, ..Default::default() };
    config.worker.confirm_after = Duration::from_secs(600);
    // One SKU per eBay call, so the call rate is what is measured.
    config.worker.max_batch = Some(1);
    let started = Instant::now();
    drain(&engine(&m, config)).await;
    let elapsed = started.elapsed().as_secs_f64();
    let log = m.sim.amazon.inspect(|s| s.log.clone());
    assert_eq!(log.len(), N);
    let span = (log[N - 1].at_ms - log[0].at_ms) as f64 / 1000.0;
    // The first 5 go at once (burst); the rest at the rate.
    let amazon_share = (N - 5) as f64 / span / 5.0;
    let amazon_429 = m.sim.amazon.inspect(|s| s.stats.too_many_requests);
    let ebay_stats = m.sim.ebay.inspect(|s| s.stats.clone());
    // eBay calls: N updates, the offer lookups for odd SKUs and the reads before these urgent
    // pushes (received stock: a ledger event), all on one 20/s budget.
    let ebay_calls = (ebay_stats.bulk_updates + ebay_stats.offer_lookups + ebay_stats.reads) as f64;
    let ebay_log = m.sim.ebay.inspect(|s| s.log.clone());
    // The first call is S0's update (S0 has its offer id); the first 2 calls are the burst,
    // every later one waits for the 20/s refill.
    let ebay_span = (ebay_log[N - 1].at_ms - ebay_log[0].at_ms) as f64 / 1000.0;
    let ebay_share = (ebay_calls - 2.0) / (ebay_span * 20.0);
    eprintln!(
        "amazon: {N} patches, {span:.2} s after the burst of 5 -> {:.3} req/s = {:.1}% of 5/s, {amazon_429} x 429; \
         ebay: {ebay_calls} calls in {ebay_span:.2} s = {:.1}% of 20/s, {} x 429 (whole drain {elapsed:.2} s)",
        (N - 5) as f64 / span,
        amazon_share * 100.0,
        ebay_share * 100.0,
        ebay_stats.too_many_requests
    );
    assert_eq!(amazon_429, 0);
    assert_eq!(ebay_stats.too_many_requests, 0);
    assert!(amazon_share >= 0.95, "amazon used {:.1}% of 5/s", amazon_share * 100.0);
    assert!(amazon_share <= 1.02, "faster than the limit: {amazon_share}");
    assert!(ebay_share >= 0.95, "ebay used {:.1}% of its budget", ebay_share * 100.0);
    assert!(ebay_share <= 1.02, "faster than the budget: {ebay_share}");
}
