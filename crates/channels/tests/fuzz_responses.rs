//! Fuzz target for every channel response parser: Shopify GraphQL, Amazon SP-API (listings,
//! search, FBA summaries, orders, order items, LWA tokens) and eBay (bulk quantity updates,
//! inventory reads, orders, OAuth tokens).
//!
//! The real clients call a loopback HTTP server that answers with the fuzzed status, headers
//! and body, so the whole path (status mapping, header parsing, body bounds, JSON) is under
//! test, not a private function. Input (corpus in `tests/corpus/responses/`): byte 0 picks
//! the operation, byte 1 the HTTP status, byte 2 header oddities (bit 0: a junk
//! `Retry-After`; bit 1: a junk `x-amzn-RateLimit-Limit`; bit 2: the fuzzed answer is the
//! token endpoint's, the API answers a fixed success; bit 3: `text/html`); the rest is the
//! body. The property: no panic and no hang; an error names what went wrong in a bounded
//! message; a read returns exactly one level per listing asked.

#[path = "../../scan/tests/corpus/harness.rs"]
mod harness;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use harness::fuzz;
use shelfsync_channels::amazon::{AmazonClient, AmazonConfig};
use shelfsync_channels::ebay::{EbayClient, EbayConfig};
use shelfsync_channels::shopify::{ShopifyClient, ShopifyConfig};
use shelfsync_channels::{Channel, ChannelError, PushRequest, QuantityUpdate, RemoteListing, Timeouts};

const DIR: &str = env!("CARGO_MANIFEST_DIR");
const STATUSES: [u16; 12] = [200, 200, 200, 207, 202, 400, 401, 403, 404, 429, 500, 503];
/// Longest error message accepted: a message quoting a whole hostile body would flood the
/// dead-letter view and the logs.
const MAX_ERROR_LEN: usize = 4_096;
const TOKEN: &[u8] = br#"{"access_token":"fuzz-token","token_type":"bearer","expires_in":3600}"#;

#[derive(Clone, Default)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// When set, the token endpoint answers with this (status, body) instead of a valid token.
    token: Option<(u16, Vec<u8>)>,
}

/// A one-connection-at-a-time HTTP/1.1 server on 127.0.0.1 that answers every API request with
/// the current [`Answer`] and closes. Lives as long as the test process.
fn serve(answer: Arc<Mutex<Answer>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
            let Some(path) = read_request(&mut stream) else { continue };
            let a = answer.lock().unwrap().clone();
            let is_token = path.contains("/auth/o2/token") || path.contains("/oauth2/token");
            let (status, headers, body) = match (&a.token, is_token) {
                (Some((s, b)), true) => (*s, a.headers.clone(), b.clone()),
                (None, true) => (200, vec![], TOKEN.to_vec()),
                (Some(_), false) => (200, vec![], a.body.clone()),
                (None, false) => (a.status, a.headers.clone(), a.body.clone()),
            };
            let mut head =
                format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n", body.len());
            for (k, v) in headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str("\r\n");
            let _ = stream.write_all(head.as_bytes()).and_then(|_| stream.write_all(&body));
        }
    });
    url
}

/// Reads one request (head and Content-Length body); returns its path.
fn read_request(stream: &mut std::net::TcpStream) -> Option<String> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let path = line.split_whitespace().nth(1)?.to_string();
    let mut length = 0usize;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 || header == "\r\n" {
            break;
        }
        if let Some((k, v)) = header.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length.min(16 << 20)];
    reader.read_exact(&mut body).ok()?;
    Some(path)
}

fn timeouts() -> Timeouts {
    Timeouts { connect: Duration::from_secs(2), request: Duration::from_secs(5) }
}

fn listing(item: &str, location: Option<&str>) -> RemoteListing {
    RemoteListing { item: item.into(), location: location.map(str::to_string) }
}

fn updates(listings: &[RemoteListing]) -> Vec<QuantityUpdate> {
    listings
        .iter()
        .enumerate()
        .map(|(i, l)| QuantityUpdate { listing: l.clone(), quantity: 5 + i as i64, change_from: Some(3) })
        .collect()
}

fn request(updates: &[QuantityUpdate]) -> PushRequest<'_> {
    PushRequest { idempotency_key: "fuzz-key-1", reference: "gid://shelfsync/Sync/1", updates }
}

fn amazon(url: &str) -> AmazonClient {
    let mut config = AmazonConfig::new(url, "SELLER1", "ATVPDKIKX0DER", "client", "secret", "refresh");
    config.timeouts = timeouts();
    // A fresh client per case; rates high so no case waits on a bucket.
    config.patch_rate = 1e6;
    config.patch_burst = 1e6;
    AmazonClient::new(config).unwrap()
}

fn ebay(url: &str) -> EbayClient {
    let mut config = EbayConfig::new(url, "client", "secret", "refresh");
    config.timeouts = timeouts();
    config.calls_per_second = 1e6;
    config.burst = 1e6;
    EbayClient::new(config).unwrap()
}

/// Runs operation `op` against the server; `Ok(())` when the answer was mapped sensibly.
async fn call(op: u8, url: &str) -> Result<(), ChannelError> {
    let shop = [
        listing("gid://shopify/InventoryItem/1", Some("gid://shopify/Location/1")),
        listing("gid://shopify/InventoryItem/2", Some("gid://shopify/Location/1")),
    ];
    let skus = [listing("A-1", None), listing("A-2", None)];
    let levels = |got: Vec<Option<i64>>, asked: usize| {
        if got.len() == asked {
            Ok(())
        } else {
            Err(ChannelError::Config(format!("BROKEN: {} levels for {asked} listings", got.len())))
        }
    };
    match op % 10 {
        0 | 1 => {
            let client = ShopifyClient::new(ShopifyConfig {
                endpoint: url.into(),
                access_token: "shpat_fuzz".into(),
                timeouts: timeouts(),
                shop: None,
            })?;
            if op.is_multiple_of(10) {
                client.push(request(&updates(&shop))).await.map(|_| ())
            } else {
                levels(client.read_levels(&shop).await?.value, shop.len())
            }
        }
        2 => amazon(url).push(request(&updates(&skus[..1]))).await.map(|_| ()),
        3 => levels(amazon(url).read_levels(&skus).await?.value, skus.len()),
        4 => amazon(url).fba_summaries(&["A-1".into(), "A-2".into()]).await.map(|_| ()),
        5 => amazon(url).orders_updated_after("2026-11-01T00:00:00Z", None).await.map(|_| ()),
        6 => amazon(url).order_items("111-2222222-3333333").await.map(|_| ()),
        7 => ebay(url).push(request(&updates(&skus))).await.map(|_| ()),
        8 => levels(ebay(url).read_levels(&skus).await?.value, skus.len()),
        _ => ebay(url).orders_modified_since("2026-11-01T00:00:00.000Z", 0).await.map(|_| ()),
    }
}

fn answer_for(input: &[u8]) -> Option<(u8, Answer)> {
    let [op, status, flags, body @ ..] = input else { return None };
    let mut headers = vec![("Content-Type".to_string(), "application/json".to_string())];
    if flags & 8 != 0 {
        headers[0].1 = "text/html".into();
    }
    if flags & 1 != 0 {
        headers.push((
            "Retry-After".into(),
            ["-1", "99999999999", "soon", "1.5", ""][usize::from(*flags >> 4) % 5].into(),
        ));
    }
    let rate =
        if flags & 2 != 0 { ["0", "NaN", "-3", "inf", "x"][usize::from(*flags >> 4) % 5] } else { "1000000" };
    headers.push(("x-amzn-RateLimit-Limit".into(), rate.into()));
    let status = STATUSES[usize::from(*status) % STATUSES.len()];
    let token = (flags & 4 != 0).then(|| (status, body.to_vec()));
    Some((*op, Answer { status, headers, body: body.to_vec(), token }))
}

#[test]
fn fuzz_channel_responses() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let shared = Arc::new(Mutex::new(Answer::default()));
    let url = serve(shared.clone());
    let report = fuzz(DIR, "responses", |input| {
        let Some((op, answer)) = answer_for(input) else { return Ok(()) };
        *shared.lock().unwrap() = answer;
        // Bounded: the client's own timeouts must end every call well before this.
        let result = rt
            .block_on(async { tokio::time::timeout(Duration::from_secs(20), call(op, &url)).await })
            .map_err(|_| format!("operation {op} hung past 20 s"))?;
        match result {
            Ok(()) => Ok(()),
            Err(e) => {
                let msg = e.to_string();
                if msg.starts_with("BROKEN") {
                    return Err(msg);
                }
                if msg.trim().is_empty() || msg.len() > MAX_ERROR_LEN {
                    return Err(format!(
                        "error message of {} bytes: {:?}",
                        msg.len(),
                        &msg[..msg.len().min(200)]
                    ));
                }
                Ok(())
            }
        }
    });
    assert!(report.mutated_cases > 0);
}
