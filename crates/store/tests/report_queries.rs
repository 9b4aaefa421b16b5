//! The Reports screen's reads on a real SQLite file: variance grouped three ways, shrink by
//! reason (a reversed write-off left out), the count pack by session and by month, and each
//! bad input refused in one line.

mod common;

use chrono::{DateTime, Utc};
use common::*;
use shelfsync_core::reports::pack_figures;
use shelfsync_core::{Item, Movement, Role, Tolerance, WriteOffSource};
use shelfsync_store::{CountScope, Decision, ItemRecord, Store, User, VarianceGroup};

fn people(store: &mut Store) -> (User, User) {
    let admin = store.add_user("ada", Role::Admin, "1111", None, "ws").unwrap();
    let counter = store.add_user("cat", Role::Staff, "2222", Some(&admin), "ws").unwrap();
    store.set_tolerance(None, &Tolerance { units: Some(1), ..Tolerance::strict() }, &admin, "ws").unwrap();
    (admin, counter)
}

/// S1..S3 at 2.50 in `test`, S4 at 10.00 in `tools`; 10 of each at WH1, 5 of S1 at WH2.
/// WH1 counted full (S1 10, S2 7 approved, S3 11, S4 10), WH2 counted S1 4. Returns the two
/// sessions.
fn counted(store: &mut Store) -> (User, String, String) {
    let (admin, counter) = people(store);
    let tool = Item {
        sku: sku("S4"),
        name: "Torque wrench".into(),
        unit_cost_cents: 1000,
        category: "tools".into(),
        safety_stock: 0,
    };
    store.upsert_items(&[ItemRecord { item: tool, barcodes: vec![] }]).unwrap();
    for s in ["S1", "S2", "S3", "S4"] {
        store.append(&receive(s, "WH1", 10)).unwrap();
    }
    store.append(&receive("S1", "WH2", 5)).unwrap();
    let full = CountScope { location: "WH1".into(), ..CountScope::default() };
    let wh1 = store.start_count(&full, false, true, &counter, "ws").unwrap();
    for (s, qty) in [("S1", 10), ("S2", 7), ("S3", 11), ("S4", 10)] {
        store.count_scan(&wh1, s, qty, false, &counter, "ws").unwrap();
    }
    store.submit_count(&wh1, false, &counter, "ws").unwrap();
    for approval in store.pending_approvals().unwrap() {
        store.decide(&approval.id, Decision::Approve, "box crushed in aisle 3", &admin, "ws").unwrap();
    }
    let one = CountScope { location: "WH2".into(), skus: vec!["S1".into()], ..CountScope::default() };
    let wh2 = store.start_count(&one, false, false, &counter, "ws").unwrap();
    store.count_scan(&wh2, "S1", 4, false, &counter, "ws").unwrap();
    store.submit_count(&wh2, false, &counter, "ws").unwrap();
    (admin, wh1, wh2)
}

fn now() -> DateTime<Utc> {
    Utc::now()
}

#[test]
fn variance_is_grouped_by_session_location_and_category() {
    let (_dir, mut store) = fresh_store();
    let (_, wh1, wh2) = counted(&mut store);
    let by = |g| {
        store
            .variance_by(g)
            .unwrap()
            .into_iter()
            .map(|r| (r.key, r.lines, r.net_units, r.net_value_cents, r.abs_value_cents))
            .collect::<Vec<_>>()
    };
    // WH1: -3 x 2.50 and +1 x 2.50; WH2: -1 x 2.50.
    let cases = [
        (VarianceGroup::Session, vec![(wh2.clone(), 1, -1, -250, 250), (wh1.clone(), 4, -2, -500, 1000)]),
        (VarianceGroup::Location, vec![("WH1".into(), 4, -2, -500, 1000), ("WH2".into(), 1, -1, -250, 250)]),
        (VarianceGroup::Category, vec![("test".into(), 4, -3, -750, 1250), ("tools".into(), 1, 0, 0, 0)]),
    ];
    for (group, want) in cases {
        assert_eq!(by(group), want, "{group:?}");
    }
}

#[test]
fn shrink_is_grouped_by_reason_and_a_reversed_loss_is_left_out() {
    let (_dir, mut store) = fresh_store();
    counted(&mut store);
    let mut theft = event(Movement::WriteOff {
        sku: sku("S4"),
        location: loc("WH1"),
        qty: 2,
        from: WriteOffSource::OnHand,
    });
    theft.reason = Some("theft: aisle 4".into());
    store.append(&theft).unwrap();
    let mut crushed = event(Movement::Adjust { sku: sku("S3"), location: loc("WH1"), delta: -1 });
    crushed.reason = Some("crushed by forklift".into());
    store.append(&crushed).unwrap();
    let mut mistake = event(Movement::WriteOff {
        sku: sku("S1"),
        location: loc("WH1"),
        qty: 3,
        from: WriteOffSource::OnHand,
    });
    mistake.reason = Some("expired".into());
    store.append(&mistake).unwrap();
    let mut undo = event(mistake.reversal());
    undo.reason = Some("booked on the wrong SKU".into());
    store.append(&undo).unwrap();

    let report = store.shrink_report(30, now()).unwrap();
    let rows: Vec<_> =
        report.rows.iter().map(|r| (r.reason.as_str(), r.events, r.units, r.value_cents)).collect();
    // Counts short: S2 -3 (approved) at WH1 and S1 -1 at WH2, both 2.50.
    assert_eq!(rows, [("theft", 1, 2, 2000), ("count_variance", 2, 4, 1000), ("other", 1, 1, 250)]);
    assert!(store.shrink_report(1, now() - chrono::Duration::days(3)).unwrap().rows.is_empty());
}

#[test]
fn a_pack_holds_every_line_and_who_decided() {
    let (_dir, mut store) = fresh_store();
    let (_, wh1, wh2) = counted(&mut store);
    let pack = store.count_pack_session(&wh1, "ada", now()).unwrap();
    assert_eq!(pack.title, format!("Count {wh1}"));
    let session = &pack.sessions[0];
    assert_eq!(session.lines.iter().map(|l| l.sku.as_str()).collect::<Vec<_>>(), ["S1", "S2", "S3", "S4"]);
    let s2 = &session.lines[1];
    assert_eq!((s2.variance, s2.state.as_str(), s2.decided_by.as_deref()), (-3, "posted", Some("ada")));
    assert_eq!(s2.reason.as_deref(), Some("box crushed in aisle 3"));
    assert_eq!(pack.figures().accuracy_permille, 750);

    let month = now().format("%Y-%m").to_string();
    let monthly = store.count_pack_month(&month, "ada", now()).unwrap();
    // Only the full count is the monthly count; WH2's one-SKU count is not.
    assert_eq!(monthly.sessions.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), [wh1.as_str()]);
    assert_eq!(pack_figures(&monthly.sessions[0].lines).lines, 4);
    assert!(store.count_pack_session(&wh2, "ada", now()).unwrap().sessions[0].lines.len() == 1);
}

/// A call that must fail, and its message.
type Refusal = Box<dyn Fn(&Store) -> String>;

#[test]
fn bad_report_input_is_one_line() {
    let (_dir, mut store) = fresh_store();
    counted(&mut store);
    let cases: [(&str, Refusal); 6] = [
        (
            "unknown count session 'no-such'",
            Box::new(|s| s.count_pack_session("no-such", "ada", now()).unwrap_err().to_string()),
        ),
        (
            "'2026-13' is not a month",
            Box::new(|s| s.count_pack_month("2026-13", "ada", now()).unwrap_err().to_string()),
        ),
        (
            "'November' is not a month",
            Box::new(|s| s.count_pack_month("November", "ada", now()).unwrap_err().to_string()),
        ),
        (
            "no full count was started in 2001-01",
            Box::new(|s| s.count_pack_month("2001-01", "ada", now()).unwrap_err().to_string()),
        ),
        ("shrink over 0 days", Box::new(|s| s.shrink_report(0, now()).unwrap_err().to_string())),
        ("shrink over 367 days", Box::new(|s| s.shrink_report(367, now()).unwrap_err().to_string())),
    ];
    for (want, run) in cases {
        let message = run(&store);
        assert!(message.starts_with(want), "{message:?} should start with {want:?}");
        assert!(!message.contains('\n'), "{message:?} is one line");
    }
}
