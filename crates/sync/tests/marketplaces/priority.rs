//! Sales before the bulk: urgent rows jump a bulk backlog, and the bulk still gets its share.

use super::*;

// Sales before the bulk (issue #9, scenario 5): a whole-catalogue backlog is queued on every
// channel (the mappings: bulk), then ledger events dirty a few of the youngest listings
// (urgent). FIFO would push those last; they must go in the first groups instead.

const BACKLOG: usize = 200;

/// Groups of this many on Shopify and eBay (Amazon patches one at a time): under FIFO the
/// youngest listings would go in group 20, so "within the first three groups" can fail.
const PRIORITY_BATCH: usize = 10;

/// What a ledger event did to one SKU, and the quantity every channel must end with.
struct Urgent {
    what: &'static str,
    sku: usize,
    events: Vec<(Movement, Option<&'static str>)>,
    want: i64,
}

fn urgent_events() -> Vec<Urgent> {
    let at = |i: usize| (Sku::new(sku(i)).unwrap(), LocationCode::new("WH1").unwrap());
    let (a, wa) = at(BACKLOG - 1);
    let (b, wb) = at(BACKLOG - 2);
    let (c, wc) = at(BACKLOG - 3);
    vec![
        // Two events on one listing before the push: coalesced, one push carrying 7.
        Urgent {
            what: "sale",
            sku: BACKLOG - 1,
            events: vec![
                (Movement::Receive { sku: a.clone(), location: wa.clone(), qty: 10 }, None),
                (Movement::Sale { sku: a, location: wa, qty: 3 }, None),
            ],
            want: 7,
        },
        Urgent {
            what: "adjustment",
            sku: BACKLOG - 2,
            events: vec![(Movement::Adjust { sku: b, location: wb, delta: 4 }, None)],
            want: 4,
        },
        Urgent {
            what: "manual override",
            sku: BACKLOG - 3,
            events: vec![(Movement::Adjust { sku: c, location: wc, delta: 6 }, Some("supervisor"))],
            want: 6,
        },
    ]
}

fn append(m: &mut Market, movement: Movement, override_by: Option<&str>) {
    let mut event = shelfsync_store::new_event(movement, "tester", "ws");
    event.reason = Some("counted".into());
    event.override_by = override_by.map(str::to_string);
    m.store.append(&event).unwrap();
}

fn is_bulk(m: &Market, channel: &str, i: usize) -> bool {
    connection(&m.store)
        .query_row(
            "SELECT o.bulk FROM outbox o JOIN listings l ON l.id = o.listing_id WHERE l.channel = ?1 AND l.sku = ?2",
            [channel, &sku(i)],
            |r| r.get::<_, i64>(0),
        )
        .unwrap()
        == 1
}

/// Per SKU of a channel: (rank of the group of its first push, number of pushes, last qty).
fn pushed(m: &Market, channel: &str) -> std::collections::HashMap<String, (usize, usize, i64)> {
    let rows: Vec<(String, String, i64)> = connection(&m.store)
        .prepare(
            "SELECT l.sku, p.group_key, p.qty FROM pushes p JOIN listings l ON l.id = p.listing_id
             WHERE p.channel = ?1 ORDER BY p.id",
        )
        .unwrap()
        .query_map([channel], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut groups: Vec<String> = Vec::new();
    let mut out = std::collections::HashMap::new();
    for (sku, key, qty) in rows {
        if !groups.contains(&key) {
            groups.push(key.clone());
        }
        let rank = groups.iter().position(|k| *k == key).unwrap();
        let entry = out.entry(sku).or_insert((rank, 0, qty));
        entry.1 += 1;
        entry.2 = qty;
    }
    out
}

/// For each channel kind (Amazon both by patches and with the backlog deep enough for its
/// feed), a sale, an adjustment and a manual override each reach every channel within its
/// first three groups while the whole backlog waits; the backlog still drains completely.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ledger_events_jump_a_bulk_backlog_on_every_channel() {
    let cases: [(&str, Option<usize>); 2] = [("amazon by patches", None), ("amazon by feed", Some(100))];
    for (seed, (case, feed_threshold)) in cases.into_iter().enumerate() {
        let seed = 40 + seed as u64;
        let amazon = AmazonSimConfig { feed_delay: Duration::from_millis(100), ..amazon_sim(seed) };
        let mut m = market(BACKLOG, amazon, ebay_sim(seed), true).await;
        let urgent = urgent_events();
        for u in &urgent {
            for (movement, override_by) in &u.events {
                append(&mut m, movement.clone(), *override_by);
            }
        }
        for channel in [AMAZON, EBAY, SHOP] {
            assert!(is_bulk(&m, channel, 0), "{case}: a mapping's first push is bulk");
            for u in &urgent {
                assert!(!is_bulk(&m, channel, u.sku), "{case}: the {} made {channel}'s row urgent", u.what);
                // A re-push touching it now does not demote it: urgent wins when both.
                let id: i64 = connection(&m.store)
                    .query_row(
                        "SELECT id FROM listings WHERE channel = ?1 AND sku = ?2",
                        [channel, &sku(u.sku)],
                        |r| r.get(0),
                    )
                    .unwrap();
                shelfsync_sync::queue::requeue_bulk(&m.store, id, "2026-01-01T00:00:00.000Z").unwrap();
                assert!(!is_bulk(&m, channel, u.sku), "{case}: {} stays urgent on {channel}", u.what);
            }
        }
        let mut config = fast(seed);
        config.worker.max_batch = Some(PRIORITY_BATCH);
        config.tuning.amazon_feed_threshold = feed_threshold;
        let report = drain(&engine(&m, config)).await;
        for channel in [AMAZON, EBAY, SHOP] {
            let pushes = pushed(&m, channel);
            assert_eq!(depth(&m, channel), 0, "{case}: {channel}'s backlog drained");
            assert_eq!(pushes.len(), BACKLOG, "{case}: every {channel} listing pushed");
            for u in &urgent {
                let (rank, count, qty) = pushes[&sku(u.sku)];
                assert!(rank < urgent.len(), "{case}: the {} went in {channel}'s group {rank}", u.what);
                assert_eq!(
                    (count, qty),
                    (1, u.want),
                    "{case}: the {} on {channel}: one push, latest qty",
                    u.what
                );
            }
        }
        for u in &urgent {
            let s = sku(u.sku);
            assert_eq!(m.sim.amazon.inspect(|x| x.quantity(&format!("AMZ-{s}"))), Some(u.want), "{case}");
            assert_eq!(m.sim.ebay.inspect(|x| x.listed(&s)), Some(u.want), "{case}");
            assert_eq!(m.sim.inspect(|x| x.level(&item_gid(u.sku), &location_gid("WH1"))), Some(u.want));
        }
        let amz = report.channels.iter().find(|c| c.channel == AMAZON).unwrap();
        let feeds = m.sim.amazon.inspect(|s| s.stats.feeds);
        match feed_threshold {
            Some(_) => assert!(feeds >= 1 && amz.bulk_submissions >= 1, "{case}: the bulk went by feed"),
            None => assert_eq!(feeds, 0, "{case}"),
        }
    }
}

/// Fairness: with urgent rows enough to fill many groups, one group in eight is the bulk's
/// (oldest first), so a re-push moves while sales keep coming; strict priority would push all
/// forty urgent rows first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_gets_every_eighth_group_while_urgent_rows_keep_coming() {
    const N: usize = 60;
    const URGENT: usize = 40;
    let mut m = market(N, amazon_sim(43), ebay_sim(43), true).await;
    for i in N - URGENT..N {
        receive(&mut m.store, i, "WH1", 5);
    }
    let mut config = fast(43);
    config.worker.max_batch = Some(1);
    drain(&engine(&m, config)).await;
    for channel in [AMAZON, EBAY, SHOP] {
        let pushes = pushed(&m, channel);
        assert_eq!(depth(&m, channel), 0);
        let mut by_rank: Vec<(usize, String)> =
            pushes.iter().map(|(s, (rank, ..))| (*rank, s.clone())).collect();
        by_rank.sort();
        let bulk_ranks: Vec<usize> = by_rank
            .iter()
            .filter(|(_, s)| s[1..].parse::<usize>().unwrap() < N - URGENT)
            .map(|(r, _)| *r)
            .take(3)
            .collect();
        let turn = shelfsync_sync::queue::BULK_TURN as usize;
        assert_eq!(bulk_ranks, vec![turn - 1, 2 * turn - 1, 3 * turn - 1], "{channel}: {by_rank:?}");
    }
}
