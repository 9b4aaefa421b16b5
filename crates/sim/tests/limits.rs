//! The simulator's documented limits, over real loopback HTTP: the Amazon Feeds API buckets
//! (createFeed 0.0083/s burst 15, createFeedDocument 0.5/s burst 15, getFeed 2/s burst 15,
//! getFeedDocument 0.0222/s burst 10), a feed's processing time, and the Shopify plan presets
//! of the GraphQL cost bucket as `throttleStatus` reports them.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use shelfsync_sim::amazon::AmazonSimConfig;
use shelfsync_sim::ebay::EbaySimConfig;
use shelfsync_sim::{RunningSim, ShopifyPlan, Sim, SimConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One HTTP/1.1 answer: status, headers (lower-case names), body.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Value,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// A request on its own connection (`Connection: close`), so the answer ends with the stream.
async fn http(sim: &RunningSim, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Answer {
    let mut stream = TcpStream::connect(sim.addr).await.unwrap();
    let mut request = format!("{method} {path} HTTP/1.1\r\nhost: {}\r\nconnection: close\r\n", sim.addr);
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!("content-length: {}\r\n\r\n{body}", body.len()));
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    // Bounded: a hung simulator fails the test instead of hanging it.
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut raw)).await.unwrap().unwrap();
    let text = String::from_utf8(raw).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect::<Vec<_>>();
    let chunked = headers.iter().any(|(n, v)| n == "transfer-encoding" && v == "chunked");
    let body = if chunked { dechunk(body) } else { body.to_string() };
    Answer { status, headers, body: serde_json::from_str(&body).unwrap_or(Value::Null) }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    out
}

async fn amazon(config: AmazonSimConfig) -> (RunningSim, String) {
    let sim = Sim::with_marketplaces(SimConfig::default(), config.clone(), EbaySimConfig::default());
    sim.amazon.set_listing("AMZ-1", 3);
    let running = sim.serve(0).await.unwrap();
    let form = format!(
        "grant_type=refresh_token&refresh_token={}&client_id={}&client_secret={}",
        config.refresh_token.replace('|', "%7C"),
        config.client_id,
        config.client_secret
    );
    let answer = http(
        &running,
        "POST",
        "/auth/o2/token",
        &[("content-type", "application/x-www-form-urlencoded")],
        &form,
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let token = answer.body["access_token"].as_str().unwrap().to_string();
    (running, token)
}

async fn amz(sim: &RunningSim, token: &str, method: &str, path: &str, body: &Value) -> Answer {
    let body = if body.is_null() { String::new() } else { body.to_string() };
    http(sim, method, path, &[("x-amz-access-token", token), ("content-type", "application/json")], &body)
        .await
}

/// A document holding one PATCH of AMZ-1 to `quantity`; returns its id.
async fn document(sim: &RunningSim, token: &str, quantity: i64) -> String {
    let created =
        amz(sim, token, "POST", "/feeds/2021-06-30/documents", &json!({ "contentType": "application/json" }))
            .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["feedDocumentId"].as_str().unwrap().to_string();
    let message = json!({ "header": { "sellerId": "A2SELLER0TEST", "version": "2.0" }, "messages": [{
        "messageId": 1, "sku": "AMZ-1", "operationType": "PATCH", "productType": "PRODUCT",
        "patches": [{ "op": "replace", "path": "/attributes/fulfillment_availability",
                      "value": [{ "fulfillment_channel_code": "DEFAULT", "quantity": quantity }] }] }] });
    let uploaded = http(sim, "PUT", &format!("/amazon/documents/{id}"), &[], &message.to_string()).await;
    assert_eq!(uploaded.status, 200);
    id
}

fn feed_request(document: &str) -> Value {
    json!({ "feedType": "JSON_LISTINGS_FEED", "marketplaceIds": ["ATVPDKIKX0DER"], "inputFeedDocumentId": document })
}

/// A 429 as every Amazon throttle of the simulator answers it.
fn assert_quota_exceeded(answer: &Answer, rate: &str, what: &str) {
    assert_eq!(answer.status, 429, "{what}: {}", answer.body);
    assert_eq!(answer.body["errors"][0]["code"], "QuotaExceeded", "{what}");
    assert_eq!(answer.header("x-amzn-ratelimit-limit"), Some(rate), "{what}");
}

/// A burst of `calls` to each Feeds operation: exactly its burst get through, the rest 429
/// with the operation's rate in `x-amzn-RateLimit-Limit` (its refill over the burst's second
/// or so is below one token for each).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_feeds_operation_accepts_its_burst_then_answers_429() {
    // (operation, burst, rate header, calls)
    let cases: [(&str, usize, &str, usize); 4] = [
        ("createFeed", 15, "0.0083", 20),
        ("createFeedDocument", 15, "0.5", 18),
        ("getFeedDocument", 10, "0.0222", 14),
        ("getFeed", 15, "2.0", 17),
    ];
    for (operation, burst, rate, calls) in cases {
        let config = AmazonSimConfig { feed_delay: Duration::from_secs(600), ..AmazonSimConfig::default() };
        let (sim, token) = amazon(config).await;
        // The set-up's own calls (a document; a feed for getFeed) use other operations' buckets.
        let doc =
            if operation == "createFeedDocument" { String::new() } else { document(&sim, &token, 1).await };
        let feed = if operation == "getFeed" {
            let created = amz(&sim, &token, "POST", "/feeds/2021-06-30/feeds", &feed_request(&doc)).await;
            assert_eq!(created.status, 202, "{}", created.body);
            created.body["feedId"].as_str().unwrap().to_string()
        } else {
            String::new()
        };
        let started = Instant::now();
        let mut accepted = 0;
        for call in 0..calls {
            let answer = match operation {
                "createFeed" => {
                    amz(&sim, &token, "POST", "/feeds/2021-06-30/feeds", &feed_request(&doc)).await
                }
                "createFeedDocument" => {
                    amz(
                        &sim,
                        &token,
                        "POST",
                        "/feeds/2021-06-30/documents",
                        &json!({ "contentType": "application/json" }),
                    )
                    .await
                }
                "getFeedDocument" => {
                    amz(&sim, &token, "GET", &format!("/feeds/2021-06-30/documents/{doc}"), &Value::Null)
                        .await
                }
                _ => amz(&sim, &token, "GET", &format!("/feeds/2021-06-30/feeds/{feed}"), &Value::Null).await,
            };
            if answer.status == 429 {
                assert_quota_exceeded(&answer, rate, operation);
            } else {
                assert!((200..300).contains(&answer.status), "{operation} call {call}: {}", answer.body);
                assert_eq!(
                    answer.header("x-amzn-ratelimit-limit"),
                    Some(rate),
                    "{operation}: the rate on success too"
                );
                accepted += 1;
            }
        }
        let took = started.elapsed().as_secs_f64();
        let rate: f64 = rate.parse().unwrap();
        // What the bucket can have handed out: its burst plus its refill meanwhile (the
        // simulator takes a token from 0.98 on, for timer jitter).
        let allowed = burst + (took * rate + 0.02).floor() as usize;
        assert!(accepted <= allowed.min(calls), "{operation}: {accepted} accepted, bucket allows {allowed}");
        assert!(accepted >= burst, "{operation}: {accepted} accepted, burst {burst}");
        if rate < 1.0 && took < 1.0 {
            assert_eq!(accepted, burst, "{operation}: exactly the burst in {took:.2} s");
        }
        let throttles = sim_stats(&sim, &token).await["feed_throttles"].as_u64().unwrap();
        assert_eq!(throttles as usize, calls - accepted, "{operation}: every refusal counted");
        sim.stop().await;
    }
}

async fn sim_stats(sim: &RunningSim, _token: &str) -> Value {
    http(sim, "GET", "/amazon/admin/state", &[], "").await.body["stats"].clone()
}

/// getFeed paced within 2/s never meets a 429, and the feed is not DONE before its processing
/// time (IN_QUEUE for the first half, IN_PROGRESS for the second), then DONE with its report
/// and the listing changed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_feed_is_done_only_after_its_processing_time_and_paced_polls_are_never_refused() {
    // (processing time, poll every, polls at least)
    let cases: [(u64, u64, usize); 2] = [(1_200, 500, 3), (400, 100, 4)];
    for (delay_ms, every_ms, at_least) in cases {
        let delay = Duration::from_millis(delay_ms);
        let (sim, token) = amazon(AmazonSimConfig { feed_delay: delay, ..AmazonSimConfig::default() }).await;
        let doc = document(&sim, &token, 9).await;
        let created = amz(&sim, &token, "POST", "/feeds/2021-06-30/feeds", &feed_request(&doc)).await;
        let submitted = Instant::now();
        let feed = created.body["feedId"].as_str().unwrap().to_string();
        let mut seen = Vec::new();
        let done_at = loop {
            let polled = Instant::now();
            let answer =
                amz(&sim, &token, "GET", &format!("/feeds/2021-06-30/feeds/{feed}"), &Value::Null).await;
            assert_eq!(answer.status, 200, "poll {} every {every_ms} ms: {}", seen.len(), answer.body);
            let status = answer.body["processingStatus"].as_str().unwrap().to_string();
            // The status reflects the time the simulator saw, between sending and the answer.
            let (before, after) = (polled - submitted, submitted.elapsed());
            match status.as_str() {
                "IN_QUEUE" => assert!(before < delay / 2, "IN_QUEUE at {before:?}"),
                "IN_PROGRESS" => assert!(after >= delay / 2 && before < delay, "IN_PROGRESS at {before:?}"),
                "DONE" => {
                    assert!(after >= delay, "DONE at {after:?}, before the {delay:?} processing time");
                    assert!(answer.body["resultFeedDocumentId"].is_string());
                    break after;
                }
                other => panic!("unexpected status {other}"),
            }
            seen.push(status);
            assert_eq!(sim_amazon_quantity(&sim).await, 3, "nothing applied while {}", seen.last().unwrap());
            assert!(submitted.elapsed() < delay * 5, "DONE never came: {seen:?}");
            tokio::time::sleep(Duration::from_millis(every_ms)).await;
        };
        assert!(seen.len() >= at_least && seen.contains(&"IN_QUEUE".to_string()), "{seen:?}");
        assert!(seen.contains(&"IN_PROGRESS".to_string()), "{seen:?}");
        assert!(done_at < delay + Duration::from_millis(every_ms) * 3, "DONE at {done_at:?}");
        assert_eq!(sim_amazon_quantity(&sim).await, 9);
        assert_eq!(sim_stats(&sim, &token).await["feed_throttles"], 0);
        sim.stop().await;
    }
}

async fn sim_amazon_quantity(sim: &RunningSim) -> i64 {
    let state = http(sim, "GET", "/amazon/admin/state", &[], "").await.body;
    state["listings"].as_array().unwrap().iter().find(|l| l["sku"] == "AMZ-1").unwrap()["quantity"]
        .as_i64()
        .unwrap()
}

#[test]
fn the_default_feed_processing_takes_minutes_and_the_buckets_are_amazons() {
    let c = AmazonSimConfig::default();
    assert!((Duration::from_secs(120)..=Duration::from_secs(300)).contains(&c.feed_delay));
    let buckets = [
        (c.create_feed_rate, c.create_feed_burst),
        (c.create_document_rate, c.create_document_burst),
        (c.get_feed_rate, c.get_feed_burst),
        (c.get_document_rate, c.get_document_burst),
    ];
    assert_eq!(buckets, [(0.0083, 15.0), (0.5, 15.0), (2.0, 15.0), (0.0222, 10.0)]);
}

/// Each plan's bucket, as Shopify reports it in every answer's `extensions.cost.throttleStatus`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_shopify_plan_reports_its_bucket_in_throttle_status() {
    // (plan, name, maximumAvailable, restoreRate)
    let cases = [
        (ShopifyPlan::Standard, "standard", 2_000.0, 100.0),
        (ShopifyPlan::Advanced, "advanced", 4_000.0, 200.0),
        (ShopifyPlan::Plus, "plus", 20_000.0, 1_000.0),
        (ShopifyPlan::Enterprise, "enterprise", 40_000.0, 2_000.0),
    ];
    for (plan, name, maximum, restore) in cases {
        assert_eq!(name.parse::<ShopifyPlan>(), Ok(plan));
        assert_eq!(name.to_uppercase().parse::<ShopifyPlan>(), Ok(plan), "plan names ignore case");
        let sim = Sim::new(SimConfig::for_plan(plan)).serve(0).await.unwrap();
        let query =
            json!({ "query": "query { shop { name myshopifyDomain } }", "variables": { "first": 1 } });
        let answer = http(
            &sim,
            "POST",
            "/admin/api/2026-04/graphql.json",
            &[("content-type", "application/json")],
            &query.to_string(),
        )
        .await;
        assert_eq!(answer.status, 200);
        let status = &answer.body["extensions"]["cost"]["throttleStatus"];
        assert_eq!(status["maximumAvailable"].as_f64(), Some(maximum), "{name}: {status}");
        assert_eq!(status["restoreRate"].as_f64(), Some(restore), "{name}: {status}");
        let left = status["currentlyAvailable"].as_f64().unwrap();
        assert!(
            left < maximum && left >= maximum - 2.0,
            "{name}: the query's cost came off a full bucket: {status}"
        );
        sim.stop().await;
    }
    let refused = "basic".parse::<ShopifyPlan>().unwrap_err();
    assert_eq!(
        refused.to_string(),
        "unknown Shopify plan \"basic\": expected standard, advanced, plus or enterprise"
    );
}
