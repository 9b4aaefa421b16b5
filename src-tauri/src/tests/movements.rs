//! The Movements screen's commands (issue 20) on a real SQLite file holding the demo catalogue:
//! what each records, and each one's refusals, every one of which must change nothing (no
//! event, no parked request, no balance).

use chrono::Utc;
use shelfsync_store::{StoreError, WRITE_OFF_APPROVAL_KEY};

use super::fresh_demo;
use crate::commands;
use crate::error::{AppError, Result};
use crate::ipc::*;
use crate::movements::{self as mv};
use crate::state::AppState;

fn sign_in(state: &AppState, who: &str) {
    let pin = match who {
        "staff" => "1111",
        "super" => "2222",
        _ => "3333",
    };
    commands::sign_in(state, who.into(), pin.into()).unwrap();
}

/// The approval value, set as a supervisor would (a decimal amount).
fn set_threshold(state: &AppState, value: &str) {
    let mut store = state.store().unwrap();
    let user = store.authenticate("super", "2222", "test", Utc::now()).unwrap();
    store.set_setting(WRITE_OFF_APPROVAL_KEY, value, &user, "test").unwrap();
}

fn buckets(state: &AppState, sku: &str, location: &str) -> Buckets {
    let query = StockQuery { sku: Some(sku.into()), location: Some(location.into()), limit: None };
    let rows = commands::stock_levels(state, query).unwrap().rows;
    rows.first().map_or_else(Buckets::default, |r| r.buckets)
}

fn on_hand(state: &AppState, sku: &str, location: &str) -> i64 {
    buckets(state, sku, location).on_hand.unwrap_or(0)
}

/// Everything a refused command must leave alone: the events, the parked requests, and the
/// buckets of the rows the tests touch.
fn snapshot(state: &AppState) -> (u64, usize, Vec<Buckets>) {
    let (events, pending) = {
        let store = state.store().unwrap();
        (store.event_count().unwrap(), store.pending_movements().unwrap().len())
    };
    let rows = [("SS-00001", "WH1"), ("SS-00001", "WH2"), ("SS-00002", "WH1"), ("SS-00006", "WH1")]
        .map(|(sku, location)| buckets(state, sku, location));
    (events, pending, rows.to_vec())
}

/// One refusal case: the words the message must contain, and the call.
type Case<'a, T> = (&'a str, Box<dyn Fn() -> Result<T> + 'a>);

/// Each case is refused with a message containing `want`, and changes nothing.
fn assert_refused<T: std::fmt::Debug>(state: &AppState, cases: Vec<Case<'_, T>>) {
    for (want, call) in cases {
        let before = snapshot(state);
        let error = call().expect_err(want);
        let message = error.user_message();
        assert!(message.contains(want), "want {want:?}, got {message:?}");
        assert!(!message.contains('\n'), "one line: {message:?}");
        assert_eq!(snapshot(state), before, "{want}: a refusal changed something");
    }
}

fn forbidden<T: std::fmt::Debug>(result: Result<T>) {
    let error = result.expect_err("refused");
    assert!(matches!(error, AppError::Store(StoreError::Forbidden { .. })), "{error:?}");
}

fn write_off_request(
    sku: &str,
    qty: u32,
    from: WriteOffFromView,
    code: &str,
    note: Option<&str>,
) -> WriteOffRequest {
    WriteOffRequest {
        sku: sku.into(),
        location: "WH1".into(),
        qty,
        from,
        code: code.into(),
        note: note.map(str::to_string),
        tag: None,
    }
}

#[test]
fn a_write_off_carries_a_core_reason_code_and_waits_above_the_approval_value() {
    let (_dir, state) = fresh_demo();
    assert!(matches!(mv::loss_reason_codes(&state), Err(AppError::SignedOut)));
    sign_in(&state, "staff");
    assert_eq!(mv::loss_reason_codes(&state).unwrap(), shelfsync_core::LOSS_REASON_CODES.map(String::from));
    set_threshold(&state, "1000000.00");
    let damaged = buckets(&state, "SS-00002", "WH1").damaged.unwrap();
    let long = "x".repeat(201);
    let on_hand_only = |qty, code: &'static str, note: Option<&'static str>| {
        write_off_request("SS-00001", qty, WriteOffFromView::OnHand, code, note)
    };
    assert_refused(
        &state,
        vec![
            (
                "Choose a reason code (damaged, expired, shrinkage, theft, vendor_return, other); 'crushed' is not one.",
                Box::new(|| mv::write_off(&state, on_hand_only(1, "crushed", None))),
            ),
            (
                "'other' needs a note",
                Box::new(|| mv::write_off(&state, on_hand_only(1, "other", Some("  ")))),
            ),
            (
                "quantity must be between 1 and",
                Box::new(|| mv::write_off(&state, on_hand_only(0, "theft", None))),
            ),
            (
                "quantity must be between 1 and",
                Box::new(|| mv::write_off(&state, on_hand_only(1_000_001, "theft", None))),
            ),
            (
                "at most 200 characters",
                Box::new(|| {
                    mv::write_off(
                        &state,
                        write_off_request("SS-00001", 1, WriteOffFromView::OnHand, "theft", Some(&long)),
                    )
                }),
            ),
            (
                "Enter a SKU.",
                Box::new(|| {
                    mv::write_off(&state, write_off_request(" ", 1, WriteOffFromView::OnHand, "theft", None))
                }),
            ),
            (
                "unknown SKU 'NOPE-1'",
                Box::new(|| {
                    mv::write_off(
                        &state,
                        write_off_request("NOPE-1", 1, WriteOffFromView::OnHand, "theft", None),
                    )
                }),
            ),
            (
                "unknown location 'NOWHERE'",
                Box::new(|| {
                    let mut request = on_hand_only(1, "theft", None);
                    request.location = "NOWHERE".into();
                    mv::write_off(&state, request)
                }),
            ),
            // More than the damaged bucket holds.
            (
                "damaged",
                Box::new(|| {
                    let qty = u32::try_from(damaged).unwrap() + 1;
                    mv::write_off(
                        &state,
                        write_off_request("SS-00002", qty, WriteOffFromView::Damaged, "damaged", None),
                    )
                }),
            ),
        ],
    );

    // From on hand, a code with a note: posted at once, the reason in core's stored form.
    let before = on_hand(&state, "SS-00001", "WH1");
    let posted = mv::write_off(&state, on_hand_only(2, "expired", Some("lot 7"))).unwrap();
    assert!(posted.posted && posted.seq.is_some() && posted.approval.is_none(), "{posted:?}");
    assert_eq!(on_hand(&state, "SS-00001", "WH1"), before - 2);
    let event = state.store().unwrap().event(posted.event_id.parse().unwrap()).unwrap().unwrap();
    assert_eq!(event.reason.as_deref(), Some("expired: lot 7"));
    assert_eq!(event.actor, "staff", "the user comes from the session");

    // From damaged: a customer return to quarantine, then written off from there.
    let returned = ReturnRequest {
        sku: "SS-00002".into(),
        location: "WH1".into(),
        qty: 2,
        damaged: true,
        reason: None,
        tag: None,
    };
    assert!(mv::customer_return(&state, returned).unwrap().posted);
    let (on_hand_before, damaged_before) = (on_hand(&state, "SS-00002", "WH1"), damaged + 2);
    assert_eq!(buckets(&state, "SS-00002", "WH1").damaged, Some(damaged_before));
    let from_damaged = write_off_request("SS-00002", 2, WriteOffFromView::Damaged, "damaged", None);
    assert!(mv::write_off(&state, from_damaged).unwrap().posted);
    let after = buckets(&state, "SS-00002", "WH1");
    assert_eq!((after.on_hand, after.damaged), (Some(on_hand_before - 2), Some(damaged)));

    // Above the approval value it waits, as the CLI's does: nothing moves yet.
    set_threshold(&state, "1.00");
    let (before, pending) =
        (on_hand(&state, "SS-00006", "WH1"), state.store().unwrap().pending_movements().unwrap().len());
    let waiting = mv::write_off(
        &state,
        write_off_request("SS-00006", 3, WriteOffFromView::OnHand, "theft", Some("aisle 4")),
    )
    .unwrap();
    assert!(!waiting.posted && waiting.seq.is_none(), "{waiting:?}");
    assert!(waiting.message.contains("waits for another supervisor's approval"), "{}", waiting.message);
    assert_eq!(on_hand(&state, "SS-00006", "WH1"), before);
    let parked = state.store().unwrap().pending_movements().unwrap();
    assert_eq!(parked.len(), pending + 1);
    let last = parked.last().unwrap();
    assert_eq!(
        (last.id.as_str(), last.kind.as_str(), last.qty),
        (waiting.approval.as_deref().unwrap(), "write_off", 3)
    );
    assert_eq!(last.reason.as_deref(), Some("theft: aisle 4"));
}

#[test]
fn an_adjustment_needs_a_reason_and_only_a_supervisor_overrides_a_negative_balance() {
    let (_dir, state) = fresh_demo();
    set_threshold(&state, "1000000.00");
    let adjust = |delta: i64, reason: &str, override_negative: bool| AdjustRequest {
        sku: "SS-00001".into(),
        location: "WH2".into(),
        delta,
        reason: reason.into(),
        override_negative,
        tag: None,
    };
    assert!(matches!(mv::adjust_stock(&state, adjust(1, "found", false)), Err(AppError::SignedOut)));
    sign_in(&state, "staff");
    let before = on_hand(&state, "SS-00001", "WH2");
    forbidden(mv::adjust_stock(&state, adjust(-(before + 3), "shelf empty", true)));
    assert_refused(
        &state,
        vec![
            (
                "An adjustment of 0 changes nothing",
                Box::new(|| mv::adjust_stock(&state, adjust(0, "found", false))),
            ),
            (
                "Give a reason for an adjustment.",
                Box::new(|| mv::adjust_stock(&state, adjust(2, "   ", false))),
            ),
            ("on_hand", Box::new(|| mv::adjust_stock(&state, adjust(-(before + 3), "shelf empty", false)))),
            ("between", Box::new(|| mv::adjust_stock(&state, adjust(i64::MAX, "found", false)))),
        ],
    );
    let up = mv::adjust_stock(&state, adjust(4, "found behind the rack", false)).unwrap();
    assert!(up.posted);
    assert_eq!(on_hand(&state, "SS-00001", "WH2"), before + 4);

    sign_in(&state, "super");
    let below =
        mv::adjust_stock(&state, adjust(-(before + 7), "shelf empty, sales in flight", true)).unwrap();
    assert!(below.posted, "{below:?}");
    assert_eq!(on_hand(&state, "SS-00001", "WH2"), -3);
    let event = state.store().unwrap().event(below.event_id.parse().unwrap()).unwrap().unwrap();
    assert_eq!((event.override_by.as_deref(), event.actor.as_str()), (Some("super"), "super"));
}

#[test]
fn a_shipment_waits_in_transit_until_received_in_full_or_short_with_a_reason() {
    let (_dir, state) = fresh_demo();
    assert!(matches!(mv::transfers_in_transit(&state), Err(AppError::SignedOut)));
    sign_in(&state, "staff");
    let ship = |from: &str, to: &str, qty| ShipRequest {
        sku: "SS-00001".into(),
        from: from.into(),
        to: to.into(),
        qty,
        reason: None,
        tag: None,
    };
    assert_refused(
        &state,
        vec![
            ("two different locations", Box::new(|| mv::ship_transfer(&state, ship("WH1", "WH1", 1)))),
            ("unknown location 'NOWHERE'", Box::new(|| mv::ship_transfer(&state, ship("WH1", "NOWHERE", 1)))),
            ("quantity must be between", Box::new(|| mv::ship_transfer(&state, ship("WH1", "WH2", 0)))),
        ],
    );
    let (wh1, wh2) = (on_hand(&state, "SS-00001", "WH1"), on_hand(&state, "SS-00001", "WH2"));
    let shipped = mv::ship_transfer(&state, ship("WH1", "WH2", 5)).unwrap();
    let other = mv::ship_transfer(&state, ship("WH1", "STORE", 1)).unwrap();
    let list = mv::transfers_in_transit(&state).unwrap();
    let ids: Vec<&str> = list.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, [other.event_id.as_str(), shipped.event_id.as_str()], "newest first");
    assert_eq!((list[1].from.as_str(), list[1].to.as_str(), list[1].qty), ("WH1", "WH2", 5));
    assert_eq!(list[1].shipped_by, "staff");
    assert_eq!(buckets(&state, "SS-00001", "WH2").in_transit, Some(5));

    let receive = |id: &str, received, reason: Option<&str>| ReceiveTransferRequest {
        transfer_id: id.into(),
        received,
        reason: reason.map(str::to_string),
    };
    let id = shipped.event_id.clone();
    let not_a_shipment = mv::customer_return(
        &state,
        ReturnRequest {
            sku: "SS-00001".into(),
            location: "WH1".into(),
            qty: 1,
            damaged: false,
            reason: None,
            tag: None,
        },
    )
    .unwrap()
    .event_id;
    assert_refused(
        &state,
        vec![
            (
                "No transfer in transit has the id 'not-a-transfer'.",
                Box::new(|| mv::receive_transfer(&state, receive("not-a-transfer", 5, None))),
            ),
            (
                "No transfer in transit has the id",
                Box::new(|| mv::receive_transfer(&state, receive(&not_a_shipment, 1, None))),
            ),
            (
                "received 6 exceeds the 5 shipped",
                Box::new(|| mv::receive_transfer(&state, receive(&id, 6, None))),
            ),
            (
                "a reason is required for a short receipt",
                Box::new(|| mv::receive_transfer(&state, receive(&id, 3, Some(" ")))),
            ),
        ],
    );
    let short = mv::receive_transfer(&state, receive(&id, 3, Some("two cases crushed"))).unwrap();
    assert!(short.posted && short.kind == "transfer_receive", "{short:?}");
    let wh2_after = buckets(&state, "SS-00001", "WH2");
    assert_eq!((wh2_after.on_hand, wh2_after.in_transit), (Some(wh2 + 3), Some(0)));
    assert_eq!(on_hand(&state, "SS-00001", "WH1"), wh1 - 6 + 1, "5 and 1 shipped, 1 returned");
    let ids: Vec<String> = mv::transfers_in_transit(&state).unwrap().into_iter().map(|t| t.id).collect();
    assert_eq!(ids, std::slice::from_ref(&other.event_id));
    assert_refused(
        &state,
        vec![("was already received", Box::new(|| mv::receive_transfer(&state, receive(&id, 5, None))))],
    );
    // In full: no reason needed.
    assert!(mv::receive_transfer(&state, receive(&other.event_id, 1, None)).unwrap().posted);
    assert!(mv::transfers_in_transit(&state).unwrap().is_empty());
}

#[test]
fn a_customer_return_goes_back_to_stock_or_to_damaged() {
    let (_dir, state) = fresh_demo();
    let request = |sku: &str, qty, damaged, reason: Option<&str>| ReturnRequest {
        sku: sku.into(),
        location: "WH1".into(),
        qty,
        damaged,
        reason: reason.map(str::to_string),
        tag: None,
    };
    assert!(matches!(
        mv::customer_return(&state, request("SS-00001", 1, false, None)),
        Err(AppError::SignedOut)
    ));
    sign_in(&state, "staff");
    let long = "y".repeat(201);
    assert_refused(
        &state,
        vec![
            (
                "quantity must be between",
                Box::new(|| mv::customer_return(&state, request("SS-00001", 0, false, None))),
            ),
            ("unknown SKU", Box::new(|| mv::customer_return(&state, request("NOPE-1", 1, false, None)))),
            (
                "A SKU is at most 128 characters.",
                Box::new(|| mv::customer_return(&state, request(&"S".repeat(129), 1, false, None))),
            ),
            (
                "at most 200 characters",
                Box::new(|| mv::customer_return(&state, request("SS-00001", 1, false, Some(&long)))),
            ),
        ],
    );
    let before = buckets(&state, "SS-00001", "WH1");
    mv::customer_return(&state, request("SS-00001", 2, false, Some("wrong size"))).unwrap();
    mv::customer_return(&state, request("SS-00001", 1, true, None)).unwrap();
    let after = buckets(&state, "SS-00001", "WH1");
    assert_eq!(after.on_hand, before.on_hand.map(|n| n + 3), "both are back on the shelf");
    assert_eq!(after.damaged, before.damaged.map(|n| n + 1), "one of them in quarantine");
}

#[test]
fn a_supervisor_reverses_a_posted_event_once_and_the_reversal_names_it() {
    let (_dir, state) = fresh_demo();
    sign_in(&state, "staff");
    let returned = ReturnRequest {
        sku: "SS-00003".into(),
        location: "WH1".into(),
        qty: 4,
        damaged: false,
        reason: None,
        tag: None,
    };
    let mistake = mv::customer_return(&state, returned).unwrap();
    let reverse = |id: &str, reason: &str| ReverseRequest { event_id: id.into(), reason: reason.into() };
    forbidden(mv::reversible_events(&state, "SS-00003".into(), None));
    forbidden(mv::reverse_event(&state, reverse(&mistake.event_id, "keyed twice")));

    sign_in(&state, "super");
    let listed = mv::reversible_events(&state, "SS-00003".into(), Some(5)).unwrap();
    assert_eq!(listed.len(), 5);
    assert_eq!(
        (listed[0].event.id.as_str(), listed[0].reversible),
        (mistake.event_id.as_str(), true),
        "newest first"
    );
    let before = on_hand(&state, "SS-00003", "WH1");
    assert_refused(
        &state,
        vec![
            (
                "Give a reason for a reversal.",
                Box::new(|| mv::reverse_event(&state, reverse(&mistake.event_id, " "))),
            ),
            (
                "No posted event has the id 'abc'.",
                Box::new(|| mv::reverse_event(&state, reverse("abc", "keyed twice"))),
            ),
            (
                "No posted event has the id '0190a5f2-7c3e-7000-8000-000000000001'.",
                Box::new(|| {
                    mv::reverse_event(&state, reverse("0190a5f2-7c3e-7000-8000-000000000001", "keyed twice"))
                }),
            ),
        ],
    );
    assert_refused(
        &state,
        vec![
            (
                "limit must be between 1 and 500",
                Box::new(|| mv::reversible_events(&state, "SS-00003".into(), Some(0))),
            ),
            ("unknown SKU 'NOPE-1'", Box::new(|| mv::reversible_events(&state, "NOPE-1".into(), None))),
        ],
    );

    let undone = mv::reverse_event(&state, reverse(&mistake.event_id, "keyed twice")).unwrap();
    assert!(undone.posted && undone.kind == "reversal", "{undone:?}");
    assert_eq!(on_hand(&state, "SS-00003", "WH1"), before - 4);
    let event = state.store().unwrap().event(undone.event_id.parse().unwrap()).unwrap().unwrap();
    let reverses = format!("reverses:{}", mistake.event_id);
    assert_eq!(
        (event.reference.as_deref(), event.reason.as_deref()),
        (Some(reverses.as_str()), Some("keyed twice"))
    );
    let shelfsync_core::Movement::Reversal { of, .. } = event.movement else { panic!("{event:?}") };
    assert_eq!(of.to_string(), mistake.event_id, "linked to the event it undoes");

    let listed = mv::reversible_events(&state, "SS-00003".into(), Some(5)).unwrap();
    let flags: Vec<(&str, bool, Option<&str>)> =
        listed.iter().take(2).map(|e| (e.event.kind.as_str(), e.reversible, e.why_not.as_deref())).collect();
    assert_eq!(
        flags,
        [
            ("reversal", false, Some("it is a reversal itself: correct it with a new movement")),
            ("return", false, Some("it was reversed already")),
        ]
    );
    assert_refused(
        &state,
        vec![
            (
                "was already reversed",
                Box::new(|| mv::reverse_event(&state, reverse(&mistake.event_id, "again"))),
            ),
            (
                "is itself a reversal",
                Box::new(|| mv::reverse_event(&state, reverse(&undone.event_id, "undo the undo"))),
            ),
        ],
    );
}
