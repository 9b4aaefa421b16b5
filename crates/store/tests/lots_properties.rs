//! The lot projection under random runs of warehouse movements (issue 21), on a real SQLite file:
//! whatever is accepted or refused, every lot bucket stays at or above zero (damaged within on
//! hand), a lot-tracked item's on hand at each location is the sum of its lots' (every movement
//! here names its lot), a serial is on hand at most once, and the projection equals a replay
//! of the events (`lots_match_rebuild`). A refusal changes nothing.

mod common;

use common::{fresh_store, loc, sku};
use proptest::prelude::*;
use shelfsync_core::{LotKind, LotTag, Movement, Tracking, WriteOffSource};
use shelfsync_store::{By, StockFilter, Store};

const LOTS: [&str; 3] = ["L1", "L2", "L3"];
const PLACES: [&str; 2] = ["WH1", "WH2"];

#[derive(Clone, Debug)]
enum Op {
    Receive { lot: usize, at: usize, qty: u32 },
    Damage { lot: usize, at: usize, qty: u32 },
    WriteOff { lot: usize, at: usize, qty: u32, damaged: bool },
    Transfer { lot: usize, from: usize, qty: u32 },
    Serial { serial: usize, at: usize, receive: bool },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..3usize, 0..2usize, 1..20u32).prop_map(|(lot, at, qty)| Op::Receive { lot, at, qty }),
        (0..3usize, 0..2usize, 1..8u32).prop_map(|(lot, at, qty)| Op::Damage { lot, at, qty }),
        (0..3usize, 0..2usize, 1..8u32, any::<bool>()).prop_map(|(lot, at, qty, damaged)| Op::WriteOff {
            lot,
            at,
            qty,
            damaged
        }),
        (0..3usize, 0..2usize, 1..10u32).prop_map(|(lot, from, qty)| Op::Transfer { lot, from, qty }),
        (0..3usize, 0..2usize, any::<bool>()).prop_map(|(serial, at, receive)| Op::Serial {
            serial,
            at,
            receive
        }),
    ]
}

fn tag(kind: LotKind, code: &str) -> Option<LotTag> {
    Some(LotTag::new(kind, code, None).unwrap())
}

fn apply(store: &mut Store, op: &Op) {
    let (movement, lot) = match op.clone() {
        Op::Receive { lot, at, qty } => (
            Movement::Receive { sku: sku("S1"), location: loc(PLACES[at]), qty },
            tag(LotKind::Lot, LOTS[lot]),
        ),
        Op::Damage { lot, at, qty } => (
            Movement::Damage { sku: sku("S1"), location: loc(PLACES[at]), qty },
            tag(LotKind::Lot, LOTS[lot]),
        ),
        Op::WriteOff { lot, at, qty, damaged } => {
            let from = if damaged { WriteOffSource::Damaged } else { WriteOffSource::OnHand };
            let movement = Movement::WriteOff { sku: sku("S1"), location: loc(PLACES[at]), qty, from };
            (movement, tag(LotKind::Lot, LOTS[lot]))
        }
        Op::Transfer { lot, from, qty } => {
            let movement = Movement::Transfer {
                sku: sku("S1"),
                from: loc(PLACES[from]),
                to: loc(PLACES[1 - from]),
                qty,
            };
            (movement, tag(LotKind::Lot, LOTS[lot]))
        }
        Op::Serial { serial, at, receive } => {
            let location = loc(PLACES[at]);
            let movement = if receive {
                Movement::Receive { sku: sku("S2"), location, qty: 1 }
            } else {
                Movement::WriteOff { sku: sku("S2"), location, qty: 1, from: WriteOffSource::OnHand }
            };
            (movement, tag(LotKind::Serial, &format!("SN{serial}")))
        }
    };
    let event =
        shelfsync_store::new_event(movement, "tester", "ws-test").with_reason("damaged").with_lot(lot);
    let before = store.stock(&StockFilter::default()).unwrap();
    if store.append(&event).is_err() {
        assert_eq!(store.stock(&StockFilter::default()).unwrap(), before, "a refusal changed stock: {op:?}");
    }
}

fn check(store: &Store) {
    assert!(store.lots_match_rebuild().unwrap(), "lot projection != replay");
    for place in PLACES {
        let on_hand = |s: &str| {
            let rows =
                store.stock(&StockFilter { sku: Some(s.into()), location: Some(place.into()) }).unwrap();
            rows.first().map_or(0, |r| r.on_hand)
        };
        for s in ["S1", "S2"] {
            let lots = store.lot_rows(s, Some(place)).unwrap();
            for lot in &lots {
                assert!(lot.stock.on_hand >= 0 && lot.stock.damaged >= 0, "{s} {place} {lot:?}");
                assert!(lot.stock.damaged <= lot.stock.on_hand, "{s} {place} {lot:?}");
                if s == "S2" {
                    assert!(lot.stock.on_hand <= 1, "a serial twice at {place}: {lot:?}");
                }
            }
            assert_eq!(lots.iter().map(|l| l.stock.on_hand).sum::<i64>(), on_hand(s), "{s} at {place}");
        }
    }
    for serial in 0..3 {
        let code = format!("SN{serial}");
        let places: i64 = PLACES
            .iter()
            .flat_map(|p| store.lot_rows("S2", Some(p)).unwrap())
            .filter(|l| l.stock.lot == code)
            .map(|l| l.stock.on_hand)
            .sum();
        assert!(places <= 1, "{code} on hand {places} times");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn lots_stay_whole_whatever_is_refused(ops in proptest::collection::vec(op(), 1..40)) {
        let (_dir, mut store) = fresh_store();
        store.set_tracking(By::new("tester", "ws-test"), "S1", Tracking::Lot).unwrap();
        store.set_tracking(By::new("tester", "ws-test"), "S2", Tracking::Serial).unwrap();
        for op in &ops {
            apply(&mut store, op);
        }
        check(&store);
        prop_assert!(store.projection_matches_rebuild().unwrap());
    }
}
