//! Fuzz target for the Shopify webhook receiver: bodies and headers over real HTTP on loopback
//! into a real SQLite inbox, then through the background processor that books them.
//!
//! Input (corpus in `tests/corpus/webhook/`): byte 0 picks the topic (bits 0-1) and how the
//! delivery is signed (bits 2-3: 0/1 correctly, 2 with another key, 3 over a different body);
//! bits 4-7 choose a header oddity; the rest is the body. The property: no panic and no 5xx; a
//! badly signed delivery is 401 and records nothing; a well signed one is 200 (stored once) or
//! 400 (records nothing); every stored delivery is processed to an outcome, and the ledger stays
//! consistent (integrity ok, projection = rebuild).

#[path = "../../scan/tests/corpus/harness.rs"]
mod harness;
mod security_support;

use harness::fuzz;
use security_support::{TOPICS, receiver, sign};
use sha2::{Digest, Sha256};
use shelfsync_capture::webhook;

const DIR: &str = env!("CARGO_MANIFEST_DIR");

#[derive(Debug)]
struct Delivery {
    topic: Option<String>,
    event_id: Option<String>,
    hmac: String,
    well_signed: bool,
    body: Vec<u8>,
}

fn delivery(input: &[u8]) -> Option<Delivery> {
    let (&selector, body) = input.split_first()?;
    let digest = hex::encode(Sha256::digest(input));
    let mut topic = Some(TOPICS[usize::from(selector & 3)].to_string());
    let mut event_id = Some(format!("fuzz-{}", &digest[..16]));
    let (hmac, well_signed) = match (selector >> 2) & 3 {
        2 => (webhook::sign(b"not-the-secret", body), false),
        3 => {
            let mut altered = body.to_vec();
            altered.push(b' ');
            (sign(&altered), false)
        }
        _ => (sign(body), true),
    };
    match selector >> 4 {
        1 => topic = None,
        2 => event_id = None,
        3 => topic = Some("orders/paid".into()),
        // An event id past the 200-character bound.
        4 => event_id = Some("e".repeat(201)),
        // A replay of an earlier delivery's id: stored once at most.
        5 => event_id = Some("fuzz-replayed-id".into()),
        _ => {}
    }
    Some(Delivery { topic, event_id, hmac, well_signed, body: body.to_vec() })
}

#[test]
fn fuzz_webhook_bodies_and_headers() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let r = rt.block_on(receiver());
    let report = fuzz(DIR, "webhook", |input| {
        let Some(d) = delivery(input) else { return Ok(()) };
        let before = r.count("SELECT count(*) FROM webhook_inbox");
        let (status, text) =
            rt.block_on(r.post(d.topic.as_deref(), d.event_id.as_deref(), Some(&d.hmac), &d.body));
        let added = r.count("SELECT count(*) FROM webhook_inbox") - before;
        let answer: serde_json::Value =
            serde_json::from_str(&text).map_err(|_| format!("answer is not JSON: {text:?}"))?;
        match (d.well_signed, status) {
            (false, 401) | (true, 400 | 404) if added == 0 && answer["error"].is_string() => Ok(()),
            (true, 200) if added == i64::from(answer["status"] == "accepted") => Ok(()),
            _ => Err(format!("{d:?}: answered {status} {text}, {added} inbox rows added")),
        }
    });
    assert!(report.mutated_cases > 0);
    rt.block_on(r.settle());
    assert_eq!(
        r.count("SELECT count(*) FROM webhook_inbox WHERE outcome IS NULL"),
        0,
        "every row has an outcome"
    );
    assert_eq!(r.store.integrity_check().unwrap(), "ok");
    assert!(r.store.projection_matches_rebuild().unwrap());
    let stored = r.count("SELECT count(*) FROM webhook_inbox");
    eprintln!("fuzz webhook: {stored} deliveries stored and processed");
    assert!(stored > 0, "some well-formed deliveries reach the inbox");
}
