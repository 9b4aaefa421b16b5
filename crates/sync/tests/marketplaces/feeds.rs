//! Amazon feeds (JSON_LISTINGS_FEED), the rate-limit header and FBA summaries.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amazon_feed_maps_each_message_to_its_row_and_a_stuck_feed_falls_back_for_stock_outs() {
    use shelfsync_channels::amazon::feed::{FeedLimits, FeedOutcome, MessageResult};
    let amazon = AmazonSimConfig { feed_delay: Duration::from_millis(60), ..amazon_sim(12) };
    let m = market(40, amazon, ebay_sim(12), false).await;
    m.sim.traffic.start();
    let client = amazon_client(&m);
    let mut rows: Vec<(String, i64)> = (0..40).map(|i| (format!("AMZ-{}", sku(i)), (i % 7) as i64)).collect();
    rows[17].0 = "AMZ-NOPE".into();
    let limits = FeedLimits::polling(Duration::from_millis(20), Duration::from_secs(5));
    let outcome = client.submit_feed(&rows, &limits).await.unwrap();
    let FeedOutcome::Done { results, .. } = outcome else { panic!("{outcome:?}") };
    assert_eq!(results.len(), 40);
    for (i, result) in results.iter().enumerate() {
        if i == 17 {
            assert!(
                matches!(result, MessageResult::Failed { codes, .. } if codes == &["90220".to_string()]),
                "{result:?}"
            );
        } else {
            assert_eq!(result, &MessageResult::Accepted, "row {i}");
            assert_eq!(m.sim.amazon.inspect(|s| s.quantity(&rows[i].0)), Some(rows[i].1));
        }
    }
    // The uploaded document and the report match their published schemas.
    let exchanges = m.sim.traffic.take();
    let uploaded = exchanges.iter().find(|x| x.method == "PUT").and_then(|x| x.request.clone()).unwrap();
    let feed_schema = draft7("amazon_listings-feed-schema-v2.json");
    assert!(
        feed_schema.is_valid(&uploaded),
        "{:?}",
        feed_schema.iter_errors(&uploaded).map(|e| e.to_string()).collect::<Vec<_>>()
    );
    let report = exchanges
        .iter()
        .rev()
        .find(|x| x.method == "GET" && x.path.starts_with("/amazon/documents/"))
        .and_then(|x| x.response.clone())
        .unwrap();
    let report_schema = draft7("amazon_listings-feed-processing-report-schema-v2.json");
    assert!(
        report_schema.is_valid(&report),
        "{:?}",
        report_schema.iter_errors(&report).map(|e| e.to_string()).collect::<Vec<_>>()
    );

    // A feed that never leaves IN_PROGRESS: past the threshold it is reported stuck, with the
    // stock-outs to send on the fast path. Polled every 100 ms: the simulator's getFeed bucket
    // is Amazon's (2/s, burst 15), and both feeds' polls stay inside its burst.
    m.sim.amazon.set_faults(Faults::none(), AmazonFaults { stuck_feed: 1.0, ..AmazonFaults::default() });
    let limits = FeedLimits::polling(Duration::from_millis(100), Duration::from_millis(300));
    let outcome = client.submit_feed(&rows, &limits).await.unwrap();
    let FeedOutcome::Stuck { status, stock_outs, .. } = outcome else { panic!("{outcome:?}") };
    assert_eq!(status, "IN_PROGRESS");
    let zeros: Vec<usize> = (0..40).filter(|i| rows[*i].1 == 0).collect();
    assert_eq!(stock_outs, zeros);
}

/// The whole-catalogue re-push benchmark, in miniature time: 20,000 SKUs in one
/// JSON_LISTINGS_FEED (≤25,000 messages per feed), three calls to submit (createFeedDocument,
/// upload, createFeed: all within their bursts of 15), then polls until DONE. On Amazon the
/// bound is the feed quota (5 submissions per 5 minutes: 20,000 SKUs is one submission, so the
/// submit side takes seconds) plus Amazon's processing latency (minutes to 12+ hours), which
/// the simulator shortens to `feed_delay`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_20000_sku_repush_by_feed_is_one_submission() {
    use shelfsync_channels::amazon::feed::{FeedLimits, FeedOutcome, MessageResult};
    const N: usize = 20_000;
    let amazon = AmazonSimConfig { feed_delay: Duration::from_millis(200), ..amazon_sim(13) };
    let m = market(1, amazon, ebay_sim(13), false).await;
    for i in 0..N {
        m.sim.amazon.set_listing(&format!("AMZ-R{i}"), 0);
    }
    let rows: Vec<(String, i64)> = (0..N).map(|i| (format!("AMZ-R{i}"), (i % 50) as i64)).collect();
    let client = amazon_client(&m);
    let started = Instant::now();
    let outcome = client
        .submit_feed(&rows, &FeedLimits::polling(Duration::from_millis(50), Duration::from_secs(30)))
        .await
        .unwrap();
    let elapsed = started.elapsed();
    let FeedOutcome::Done { results, .. } = outcome else { panic!("{outcome:?}") };
    assert!(results.iter().all(|r| *r == MessageResult::Accepted));
    assert_eq!(m.sim.amazon.inspect(|s| s.stats.feeds), 1);
    assert_eq!(m.sim.amazon.inspect(|s| s.log.len()), N);
    eprintln!(
        "20,000 SKUs by feed: 1 submission, all accepted in {:.2} s (simulated processing {:.2} s); \
         on Amazon: submit ≈ seconds (3 calls within burst 15), then processing latency",
        elapsed.as_secs_f64(),
        0.2
    );
}

fn sync_failures(m: &Market, channel: &str) -> Vec<(String, String)> {
    connection(&m.store)
        .prepare("SELECT kind, message FROM sync_failures WHERE channel = ?1 ORDER BY rowid")
        .unwrap()
        .query_map([channel], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deep_amazon_backlog_goes_by_feed_and_a_stuck_feed_falls_back_to_the_fast_path() {
    let amazon = AmazonSimConfig { feed_delay: Duration::from_millis(60), ..amazon_sim(14) };
    let mut m = market(15, amazon, ebay_sim(14), false).await;
    m.sim.amazon.with_listing_removed("AMZ-S4");
    for i in 0..10 {
        receive(&mut m.store, i, "WH1", 2 + i as u32);
    }
    let mut config = fast(14);
    config.tuning.amazon_feed_threshold = Some(10);
    // getFeed is Amazon's 2/s, burst 15 on the simulator: a 20 ms poll would spend the burst
    // before the stuck feed's 300 ms threshold (production polls every 30 s).
    config.tuning.amazon_feed_poll = Duration::from_millis(100);
    let report = drain(&engine(&m, config.clone())).await;
    let amz = report.channels.iter().find(|c| c.channel == AMAZON).unwrap();
    assert_eq!(amz.bulk_submissions, 1, "{amz:?}");
    assert_eq!(m.sim.amazon.inspect(|s| s.stats.feeds), 1);
    assert_eq!(m.sim.amazon.inspect(|s| s.stats.patches), 0, "the whole backlog went by feed");
    for i in (0..15).filter(|&i| i != 4) {
        let want = if i < 10 { 2 + i as i64 } else { 0 };
        assert_eq!(m.sim.amazon.inspect(|s| s.quantity(&format!("AMZ-{}", sku(i)))), Some(want), "S{i}");
    }
    let dead = dead_letters(&m, AMAZON);
    assert_eq!(dead.len(), 1);
    assert!(dead[0].0 == "S4" && dead[0].1.contains("90220"), "{dead:?}");

    // Next backlog: the feed sticks IN_PROGRESS. Alert, then the fast path carries the rows,
    // the stock-outs first.
    m.sim.amazon.set_faults(Faults::none(), AmazonFaults { stuck_feed: 1.0, ..AmazonFaults::default() });
    for i in (0..15).filter(|&i| i != 4) {
        if i < 10 {
            sale(&mut m.store, i, "WH1", 2 + i as u32);
        } else {
            receive(&mut m.store, i, "WH1", 3);
        }
    }
    let patches_before = m.sim.amazon.inspect(|s| s.log.len());
    drain(&engine(&m, config)).await;
    assert_eq!(m.sim.amazon.inspect(|s| s.stats.stuck_feeds), 1);
    assert!(
        sync_failures(&m, AMAZON)
            .iter()
            .any(|(kind, message)| kind == "bulk stuck" && message.contains("IN_PROGRESS"))
    );
    let log = m.sim.amazon.inspect(|s| s.log.clone());
    let fast: Vec<_> = log[patches_before..].iter().collect();
    assert_eq!(fast.len(), 14, "every row went on the fast path: {fast:?}");
    assert!(fast[..9].iter().all(|e| e.quantity == 0), "stock-outs first: {fast:?}");
    for i in (0..15).filter(|&i| i != 4) {
        let want = if i < 10 { 0 } else { 3 };
        assert_eq!(m.sim.amazon.inspect(|s| s.quantity(&format!("AMZ-{}", sku(i)))), Some(want), "S{i}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_amazon_rate_limit_header_retunes_the_bucket() {
    // The seller's usage plan is 10/s, burst 1, though the client starts at 100/s: the first
    // answer's x-amzn-RateLimit-Limit brings it down, so at most the opening call or two meet
    // a 429.
    let amazon = AmazonSimConfig { patch_rate: 10.0, patch_burst: 1.0, ..amazon_sim(15) };
    let mut m = market(20, amazon, ebay_sim(15), false).await;
    for i in 0..20 {
        receive(&mut m.store, i, "WH1", 1);
    }
    let mut config = fast(15);
    config.tuning.amazon_patch_rate = 100.0;
    config.tuning.amazon_patch_burst = 1.0;
    config.worker.confirm_after = Duration::from_secs(600);
    let started = Instant::now();
    drain(&engine(&m, config)).await;
    let elapsed = started.elapsed().as_secs_f64();
    let too_many = m.sim.amazon.inspect(|s| s.stats.too_many_requests);
    assert_eq!(m.sim.amazon.inspect(|s| s.log.len()), 20);
    assert!(too_many <= 2, "{too_many} x 429 after the header said 10/s");
    assert!(elapsed >= 1.7, "20 patches at 10/s take about 2 s, took {elapsed:.2}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fba_summaries_follow_next_token_at_once() {
    let m = market(1, amazon_sim(16), ebay_sim(16), false).await;
    let skus: Vec<String> = (0..5).map(|i| format!("FBA-{i}")).collect();
    for (i, sku) in skus.iter().enumerate() {
        m.sim.amazon.set_fba(sku, 10 + i as i64, 1);
    }
    let client = amazon_client(&m);
    let summaries = client.fba_summaries(&skus).await.unwrap();
    assert_eq!(summaries.len(), 5, "three pages of two, followed to the end");
    assert_eq!(summaries[3].seller_sku, "FBA-3");
    assert_eq!((summaries[3].total, summaries[3].fulfillable), (14, Some(13)));
}

/// Amazon already holds a feed once createFeed answers: a throttled getFeed poll waits and
/// polls again instead of abandoning the feed (which would send it again at createFeed's
/// 0.0083/s). Here the simulator allows 2 polls in a burst and the client polls every 20 ms
/// for a feed that takes 400 ms: polls are refused, and the feed is still followed to its report.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttled_feed_poll_waits_and_follows_the_same_feed_to_its_report() {
    use shelfsync_channels::amazon::feed::{FeedLimits, FeedOutcome, MessageResult};
    let amazon = AmazonSimConfig {
        feed_delay: Duration::from_millis(400),
        get_feed_rate: 2.0,
        get_feed_burst: 2.0,
        ..amazon_sim(15)
    };
    let m = market(3, amazon, ebay_sim(15), false).await;
    let client = amazon_client(&m);
    let rows: Vec<(String, i64)> = (0..3).map(|i| (format!("AMZ-{}", sku(i)), 4)).collect();
    let outcome = client
        .submit_feed(&rows, &FeedLimits::polling(Duration::from_millis(20), Duration::from_secs(10)))
        .await
        .unwrap();
    let FeedOutcome::Done { results, .. } = outcome else { panic!("{outcome:?}") };
    assert!(results.iter().all(|r| *r == MessageResult::Accepted), "{results:?}");
    assert!(m.sim.amazon.inspect(|s| s.stats.feed_throttles) > 0, "the polls were throttled");
    assert_eq!(m.sim.amazon.inspect(|s| s.stats.feeds), 1, "one feed, followed, not sent again");
}
