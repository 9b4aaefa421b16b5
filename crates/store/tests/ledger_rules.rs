//! The ledger's refusals: each bad event gets a specific error and writes nothing.

mod common;

use common::*;
use shelfsync_core::{Movement, Role, WriteOffSource};
use shelfsync_store::{AppendOutcome, Store, StoreError};
use uuid::Uuid;

/// Everything a refusal must leave untouched.
fn state(store: &Store) -> (u64, String, u64) {
    let projection = format!("{:?}", store.projection().unwrap());
    let audit = store.verify_audit().unwrap().entries;
    (store.event_count().unwrap(), projection, audit)
}

#[test]
fn bad_events_are_refused_and_change_nothing() {
    let (_dir, mut store) = fresh_store();
    store.append(&receive("S1", "WH1", 3)).unwrap();
    let ship = event(Movement::TransferShip { sku: sku("S1"), from: loc("WH1"), to: loc("WH2"), qty: 2 });
    store.append(&ship).unwrap();
    let receipt = |received, shipment| Movement::TransferReceive {
        sku: sku("S1"),
        from: loc("WH1"),
        to: loc("WH2"),
        shipment,
        shipped: 2,
        received,
    };
    let cases: Vec<(Movement, Option<&str>, &str)> = vec![
        (Movement::Receive { sku: sku("NOPE"), location: loc("WH1"), qty: 1 }, None, "unknown SKU 'NOPE'"),
        (
            Movement::Receive { sku: sku("S1"), location: loc("MARS"), qty: 1 },
            None,
            "unknown location 'MARS'",
        ),
        (
            Movement::Receive { sku: sku("S1"), location: loc("WH1"), qty: 0 },
            None,
            "quantity must be between 1 and 1000000, got 0",
        ),
        (Movement::Receive { sku: sku("S1"), location: loc("WH1"), qty: 2_000_000 }, None, "got 2000000"),
        (
            Movement::Adjust { sku: sku("S1"), location: loc("WH1"), delta: -5 },
            Some("count"),
            "on_hand at WH1 would go negative (1 - 5)",
        ),
        (
            Movement::WriteOff {
                sku: sku("S1"),
                location: loc("WH1"),
                qty: 1,
                from: WriteOffSource::Damaged,
            },
            Some("x"),
            "damaged at WH1 would go negative (0 - 1)",
        ),
        (
            Movement::Damage { sku: sku("S1"), location: loc("WH1"), qty: 5 },
            Some("dropped"),
            "damaged at WH1 would exceed on_hand (5 damaged, 1 on hand)",
        ),
        (
            Movement::Cancel { sku: sku("S1"), location: loc("WH1"), qty: 1 },
            None,
            "committed at WH1 would go negative (0 - 1)",
        ),
        (
            Movement::Transfer { sku: sku("S1"), from: loc("WH1"), to: loc("WH1"), qty: 1 },
            None,
            "two different locations",
        ),
        (receipt(1, ship.id), None, "a reason is required for a short receipt"),
        (receipt(2, Uuid::now_v7()), None, "unknown transfer"),
    ];
    let before = state(&store);
    for (movement, reason, want) in cases {
        let mut bad = event(movement);
        bad.reason = reason.map(Into::into);
        let error = store.append(&bad).unwrap_err().to_string();
        assert!(error.contains(want), "{bad:?}: got '{error}', want '{want}'");
        assert_eq!(state(&store), before, "{want}: nothing may change");
    }
    store.append(&event(receipt(2, ship.id))).unwrap();
    let again = store.append(&event(receipt(2, ship.id))).unwrap_err();
    assert!(matches!(again, StoreError::TransferAlreadyReceived(id) if id == ship.id), "{again}");
}

#[test]
fn the_same_id_is_a_no_op_and_a_different_body_an_error() {
    let (_dir, mut store) = fresh_store();
    let first = receive("S1", "WH1", 3);
    assert!(matches!(store.append(&first).unwrap(), AppendOutcome::Recorded { .. }));
    assert!(matches!(store.append(&first).unwrap(), AppendOutcome::Duplicate { .. }));
    let mut changed = first.clone();
    changed.movement = Movement::Receive { sku: sku("S1"), location: loc("WH1"), qty: 4 };
    assert!(matches!(store.append(&changed), Err(StoreError::ConflictingEvent(id)) if id == first.id));
    assert_eq!(store.balances(&sku("S1"), &loc("WH1")).unwrap().on_hand, 3);
}

#[test]
fn a_supervisor_override_is_recorded_on_the_event() {
    let (_dir, mut store) = fresh_store();
    let admin = store.add_user("ada", Role::Admin, "1234", None, "ws").unwrap();
    store.add_user("sam", Role::Supervisor, "5678", Some(&admin), "ws").unwrap();
    let mut adjust =
        event(Movement::Adjust { sku: sku("S1"), location: loc("WH1"), delta: -2 }).with_reason("shrink");
    adjust.override_by = Some("sam".into());
    store.append(&adjust).unwrap();
    assert_eq!(store.balances(&sku("S1"), &loc("WH1")).unwrap().on_hand, -2);
    let stored = store.event(adjust.id).unwrap().unwrap();
    assert_eq!(stored.override_by.as_deref(), Some("sam"));
}

#[test]
fn disk_full_is_a_clear_error_and_writes_nothing() {
    let (_dir, mut store) = fresh_store();
    store.append(&receive("S1", "WH1", 1)).unwrap();
    let pages: i64 = shelfsync_store::testing::connection(&store)
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    shelfsync_store::testing::connection(&store)
        .execute_batch(&format!("PRAGMA max_page_count = {pages}"))
        .unwrap();
    let before = state(&store);
    let mut last_error = None;
    for i in 0..500 {
        match store.append(&receive("S2", "WH2", (i % 9) + 1)) {
            Ok(_) => {}
            Err(error) => {
                last_error = Some(error);
                break;
            }
        }
    }
    let error = last_error.expect("a capped database fills up");
    assert!(matches!(error, StoreError::DiskFull), "{error}");
    assert!(error.to_string().starts_with("disk full"));
    let after_fill = state(&store);
    assert!(after_fill.0 >= before.0);
    assert!(store.projection_matches_rebuild().unwrap(), "nothing half-written");
    assert_eq!(store.integrity_check().unwrap(), "ok");
    shelfsync_store::testing::connection(&store).execute_batch("PRAGMA max_page_count = 1073741823").unwrap();
    store.append(&receive("S2", "WH2", 1)).expect("work resumes when space returns");
}

#[test]
fn users_lock_out_after_five_wrong_pins_with_doubling_backoff() {
    let (_dir, mut store) = fresh_store();
    assert!(
        store
            .add_user("first", Role::Staff, "1234", None, "ws")
            .unwrap_err()
            .to_string()
            .contains("must be an admin")
    );
    let admin = store.add_user("ada", Role::Admin, "1234", None, "ws").unwrap();
    let staff = store.add_user("sam", Role::Staff, "4321", Some(&admin), "ws").unwrap();
    assert!(matches!(
        store.add_user("eve", Role::Admin, "9999", Some(&staff), "ws"),
        Err(StoreError::Forbidden { .. })
    ));
    let t0 = chrono::Utc::now();
    for _ in 0..4 {
        assert!(matches!(store.authenticate("sam", "0000", "ws", t0), Err(StoreError::WrongPin(_))));
    }
    let locked = store.authenticate("sam", "0000", "ws", t0).unwrap_err();
    assert!(matches!(locked, StoreError::LockedOut { .. }), "{locked}");
    let during = store.authenticate("sam", "4321", "ws", t0 + chrono::Duration::seconds(299)).unwrap_err();
    assert!(matches!(during, StoreError::LockedOut { .. }), "the right PIN does not lift a lockout");
    let t1 = t0 + chrono::Duration::seconds(301);
    for _ in 0..5 {
        let _ = store.authenticate("sam", "0000", "ws", t1);
    }
    let second = store.authenticate("sam", "4321", "ws", t1 + chrono::Duration::seconds(599)).unwrap_err();
    assert!(matches!(second, StoreError::LockedOut { .. }), "the second lockout lasts 10 minutes");
    let user = store.authenticate("sam", "4321", "ws", t1 + chrono::Duration::seconds(601)).unwrap();
    assert_eq!(user.role, Role::Staff);
}
