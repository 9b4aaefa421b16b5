//! Properties of counting: posting is once-only and a rejection changes nothing.

mod common;

use common::*;
use proptest::prelude::*;
use shelfsync_core::{Role, Tolerance};
use shelfsync_store::{CountScope, Decision, Store, User};

fn people(store: &mut Store) -> (User, User) {
    let admin = store.add_user("ada", Role::Admin, "1111", None, "ws").unwrap();
    let counter = store.add_user("cat", Role::Staff, "2222", Some(&admin), "ws").unwrap();
    store.set_tolerance(None, &Tolerance { units: Some(1), ..Tolerance::strict() }, &admin, "ws").unwrap();
    (admin, counter)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn each_line_posts_once_and_rejections_change_nothing(
        stock in prop::collection::vec(0u32..40, 3),
        counts in prop::collection::vec(0i64..45, 3),
        decisions in prop::collection::vec(any::<bool>(), 3),
    ) {
        let (_dir, mut store) = fresh_store();
        let (admin, counter) = people(&mut store);
        for (sku, qty) in SKUS.iter().zip(&stock) {
            if *qty > 0 {
                store.append(&receive(sku, "WH1", *qty)).unwrap();
            }
        }
        let scope = CountScope { location: "WH1".into(), skus: SKUS.iter().map(|s| s.to_string()).collect(), ..CountScope::default() };
        let session = store.start_count(&scope, false, false, &counter, "ws").unwrap();
        for (sku, counted) in SKUS.iter().zip(&counts) {
            store.count_scan(&session, sku, *counted, false, &counter, "ws").unwrap();
        }
        store.submit_count(&session, false, &counter, "ws").unwrap();
        prop_assert!(store.submit_count(&session, false, &counter, "ws").is_err(), "a session submits once");
        for (approval, approve) in store.pending_approvals().unwrap().into_iter().zip(&decisions) {
            let decision = if *approve { Decision::Approve } else { Decision::Reject };
            store.decide(&approval.id, decision, "checked", &admin, "ws").unwrap();
            prop_assert!(store.decide(&approval.id, Decision::Approve, "again", &admin, "ws").is_err());
        }
        let view = store.count_session(&session, true).unwrap();
        for line in &view.lines {
            let index = SKUS.iter().position(|s| *s == line.sku).unwrap();
            let before = i64::from(stock[index]);
            let now = store.balances(&sku(&line.sku), &loc("WH1")).unwrap().on_hand;
            match line.state.as_str() {
                "posted" => prop_assert_eq!(now, counts[index], "a posted line sets on_hand to the count, once"),
                "rejected" => prop_assert_eq!(now, before, "a rejected variance changes nothing"),
                other => prop_assert!(false, "unexpected state {}", other),
            }
        }
        let postings = store.events(&Default::default()).unwrap().iter().filter(|e| e.event.movement.kind() == "count_posting").count();
        let non_zero_posted = view.lines.iter().filter(|l| l.state == "posted" && l.variance != Some(0)).count();
        prop_assert_eq!(postings, non_zero_posted);
        prop_assert!(store.projection_matches_rebuild().unwrap());
    }
}
