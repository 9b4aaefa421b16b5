//! Webhook authenticity over real HTTP into a real inbox: forged, altered and unsigned
//! deliveries are refused with 401 and record nothing; a replay (the same delivery again, or
//! its body under a fresh event id, which the HMAC does not cover) is a duplicate and books the
//! order once.

mod security_support;

use security_support::{ITEM, receiver, sign};
use serde_json::json;
use shelfsync_capture::webhook;
use shelfsync_core::{LocationCode, Sku};

fn order(id: u64, qty: u32) -> Vec<u8> {
    json!({
        "id": id,
        "created_at": "2026-11-26T10:00:00Z",
        "location_id": 1,
        "line_items": [{ "id": id * 10, "inventory_item_id": ITEM, "quantity": qty }]
    })
    .to_string()
    .into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_altered_and_unsigned_deliveries_are_refused_and_record_nothing() {
    let r = receiver().await;
    let body = order(1, 3);
    let mut altered = body.clone();
    let at = altered.iter().position(|&b| b == b'3').unwrap();
    altered[at] = b'9';
    let signed = sign(&body);
    let mut flipped = signed.clone().into_bytes();
    flipped[0] = if flipped[0] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).unwrap();
    let cases: [(&str, &[u8], Option<String>); 7] = [
        ("signed with another key", &body, Some(webhook::sign(b"whsec_guessed", &body))),
        ("body altered after signing", &altered, Some(signed.clone())),
        ("signature altered", &body, Some(flipped)),
        ("signature of an empty body", &body, Some(sign(b""))),
        ("truncated signature", &body, Some(signed[..20].to_string())),
        ("no signature", &body, None),
        ("signature as hex, not base64", &body, Some(hex::encode(signed.as_bytes()))),
    ];
    for (case, body, hmac) in cases {
        let (status, text) =
            r.post(Some("orders/create"), Some(&format!("evt-{case}")), hmac.as_deref(), body).await;
        assert_eq!(status, 401, "{case}: {text}");
    }
    assert_eq!(r.count("SELECT count(*) FROM webhook_inbox"), 0, "nothing recorded");
    assert_eq!(r.count("SELECT count(*) FROM events WHERE kind = 'sale'"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_delivery_books_its_order_once() {
    let r = receiver().await;
    let body = order(2, 4);
    let hmac = sign(&body);
    let (first, _) = r.post(Some("orders/create"), Some("evt-2"), Some(&hmac), &body).await;
    let (again, text) = r.post(Some("orders/create"), Some("evt-2"), Some(&hmac), &body).await;
    assert_eq!((first, again), (200, 200));
    assert!(text.contains("duplicate"), "{text}");
    // The event id header is outside the HMAC: a captured body replayed under a fresh id is
    // the same delivery (the inbox keys the body's hash too), and stores nothing.
    let (fresh, text) = r.post(Some("orders/create"), Some("evt-2-replayed"), Some(&hmac), &body).await;
    assert_eq!(fresh, 200);
    assert!(text.contains("duplicate"), "{text}");
    r.settle().await;
    assert_eq!(r.count("SELECT count(*) FROM webhook_inbox"), 1);
    let balances = r.store.balances(&Sku::new("S1").unwrap(), &LocationCode::new("WH1").unwrap()).unwrap();
    // A sale commits its units until it ships.
    assert_eq!(balances.committed, 4, "booked once: {balances:?}");
    assert_eq!(r.count("SELECT count(*) FROM events WHERE kind = 'sale'"), 1);
    assert!(r.store.verify_audit().unwrap().first_break.is_none());
}
