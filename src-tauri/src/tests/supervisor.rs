//! A supervisor's work on screen (issue 20): bulk approvals with one PIN, scoped counts, due
//! plans started from the Counts screen, full counts submitted with uncounted as zero. Through
//! the commands, on a real SQLite file holding the demo catalogue.

use crate::approvals_bulk::{self, MAX_BULK_ITEMS};
use crate::commands;
use crate::counts_scoped;
use crate::error::AppError;
use crate::ipc::*;
use crate::state::{AppState, DemoPolicy};
use crate::supervisor_refusal::SupervisorRefusal;

fn fresh_demo() -> (tempfile::TempDir, AppState) {
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::new(dir.path().join("demo.db"));
    state.boot(DemoPolicy::LoadWhenEmpty);
    (dir, state)
}

fn sign_in(state: &AppState, who: &str) {
    let pin = match who {
        "staff" => "1111",
        "super" => "2222",
        _ => "3333",
    };
    commands::sign_in(state, who.into(), pin.into()).unwrap();
}

fn on_hand(state: &AppState, sku: &str) -> i64 {
    let query = StockQuery { sku: Some(sku.into()), location: Some("WH1".into()), limit: None };
    commands::stock_levels(state, query).unwrap().rows[0].buckets.on_hand.expect("not hidden")
}

/// A blind count at WH1 by whoever is signed in, of `counted` (sku, qty), submitted.
fn counted_session(state: &AppState, counted: &[(&str, u32)]) -> String {
    let skus = counted.iter().map(|(s, _)| s.to_string()).collect();
    let request =
        CountStartRequest { location: "WH1".into(), skus, class: None, top: None, blind: true, full: false };
    let session = counts_scoped::start_count_scoped(state, request).unwrap();
    let lines = counted
        .iter()
        .map(|(sku, qty)| CommitLine { id: None, sku: sku.to_string(), qty: *qty, tag: None })
        .collect();
    let scans = CommitRequest {
        mode: StationMode::Count,
        location: "WH1".into(),
        to_location: None,
        session: Some(session.id.clone()),
        reason: None,
        lines,
    };
    assert_eq!(commands::commit_scans(state, scans).unwrap().failed_index, None);
    commands::submit_count(state, session.id.clone()).unwrap();
    session.id
}

fn bulk(
    ids: Vec<String>,
    decision: DecisionView,
    reason: &str,
    pin: &str,
    counter: Option<&str>,
) -> BulkDecisionRequest {
    BulkDecisionRequest {
        ids,
        decision,
        reason: reason.into(),
        pin: pin.into(),
        counter: counter.map(str::to_string),
    }
}

/// The inbox as (id, state) pairs, to show a refused request changed nothing.
fn inbox(state: &AppState) -> Vec<(String, i64, bool)> {
    commands::approvals(state).unwrap().into_iter().map(|a| (a.id, a.variance, a.mine)).collect()
}

#[test]
fn a_supervisor_decides_several_with_one_pin_but_never_their_own_lines() {
    let (_dir, state) = fresh_demo();
    sign_in(&state, "staff");
    counted_session(&state, &[("SS-00001", 1), ("SS-00002", 2), ("SS-00003", 3)]);
    // A damage worth more than the approval value waits for a supervisor too.
    let stocked = on_hand(&state, "SS-00006");
    let damage = CommitRequest {
        mode: StationMode::Damage,
        location: "WH1".into(),
        to_location: None,
        session: None,
        reason: Some("Crushed".into()),
        lines: vec![CommitLine {
            id: None,
            sku: "SS-00006".into(),
            qty: u32::try_from(stocked).unwrap(),
            tag: None,
        }],
    };
    assert_eq!(commands::commit_scans(&state, damage).unwrap().awaiting_approval, 1);
    sign_in(&state, "super");
    counted_session(&state, &[("SS-00004", 4)]);
    let before: Vec<i64> =
        ["SS-00001", "SS-00002", "SS-00003", "SS-00004"].iter().map(|s| on_hand(&state, s)).collect();

    let items = commands::approvals(&state).unwrap();
    assert_eq!(items.len(), 5, "every line is a variance waiting for a supervisor, and the damage");
    assert_eq!(approvals_bulk::approvals_waiting(&state).unwrap(), 5, "the badge");
    let id_of = |sku: &str| items.iter().find(|a| a.sku == sku).unwrap().id.clone();
    let mine: Vec<(&str, bool)> = items.iter().map(|a| (a.sku.as_str(), a.mine)).collect();
    assert!(mine.contains(&("SS-00004", true)) && mine.contains(&("SS-00001", false)), "{mine:?}");

    let result = approvals_bulk::decide_many(
        &state,
        bulk(
            vec![
                id_of("SS-00001"),
                id_of("SS-00002"),
                id_of("SS-00006"),
                id_of("SS-00004"),
                "0190-not-an-approval".into(),
            ],
            DecisionView::Approve,
            "shelf recounted by hand",
            "2222",
            None,
        ),
    )
    .unwrap();
    assert_eq!((result.decided, result.refused), (3, 2), "{result:?}");
    let outcomes: Vec<(Option<&str>, BulkOutcome)> =
        result.lines.iter().map(|l| (l.sku.as_deref(), l.outcome.clone())).collect();
    assert_eq!(
        outcomes,
        [
            (Some("SS-00001"), BulkOutcome::Approved),
            (Some("SS-00002"), BulkOutcome::Approved),
            (Some("SS-00006"), BulkOutcome::Approved),
            (Some("SS-00004"), BulkOutcome::Refused),
            (None, BulkOutcome::Refused),
        ]
    );
    let why = |i: usize| result.lines[i].error.clone().unwrap_or_default();
    assert!(why(3).contains("may not decide a count they took part in"), "{}", why(3));
    assert!(why(4).contains("unknown approval"), "{}", why(4));
    let query = StockQuery { sku: Some("SS-00006".into()), location: Some("WH1".into()), limit: None };
    let damaged = commands::stock_levels(&state, query).unwrap().rows[0].buckets.damaged.unwrap();
    assert_eq!(damaged, stocked, "the approved damage is posted: all of it");
    assert_eq!(on_hand(&state, "SS-00001"), 1, "approved: the count is posted");
    assert_eq!(on_hand(&state, "SS-00002"), 2);
    assert_eq!(on_hand(&state, "SS-00003"), before[2], "not selected");
    assert_eq!(on_hand(&state, "SS-00004"), before[3], "their own line: refused, nothing posted");
    let left: Vec<String> = commands::approvals(&state).unwrap().into_iter().map(|a| a.sku).collect();
    assert_eq!(left, ["SS-00003", "SS-00004"]);

    // Deciding the same line again: refused as no longer pending, and the rest still go.
    let again = approvals_bulk::decide_many(
        &state,
        bulk(vec![id_of("SS-00001"), id_of("SS-00003")], DecisionView::Reject, "wrong shelf", "2222", None),
    )
    .unwrap();
    assert_eq!((again.decided, again.refused), (1, 1));
    assert!(again.lines[0].error.as_deref().unwrap_or("").contains("not pending (it is posted)"));
    assert_eq!(on_hand(&state, "SS-00003"), before[2], "a rejection posts nothing");

    // Staff may not decide, nor see the badge: refused in Rust, not just hidden.
    sign_in(&state, "staff");
    let error = approvals_bulk::decide_many(
        &state,
        bulk(vec![id_of("SS-00004")], DecisionView::Approve, "ok", "1111", None),
    )
    .unwrap_err();
    assert!(error.to_string().contains("may not decide approvals"), "{error}");
    let error = approvals_bulk::approvals_waiting(&state).unwrap_err();
    assert!(error.to_string().contains("may not see the approvals inbox"), "{error}");
}

#[test]
fn a_recount_names_the_counter_and_reopens_the_session() {
    let (_dir, state) = fresh_demo();
    sign_in(&state, "staff");
    let session = counted_session(&state, &[("SS-00010", 7)]);
    sign_in(&state, "super");
    let id = commands::approvals(&state).unwrap()[0].id.clone();
    let result = approvals_bulk::decide_many(
        &state,
        bulk(vec![id], DecisionView::Recount, "moves during count", "2222", Some("admin")),
    )
    .unwrap();
    assert_eq!(result.lines[0].outcome, BulkOutcome::Recount);
    let detail = commands::count_session(&state, session).unwrap();
    assert_eq!(detail.status, "open", "the session reopens for the recount");
    let line = detail.lines.iter().find(|l| l.state == "recount").unwrap();
    assert_eq!(line.reason.as_deref(), Some("moves during count (recount by admin)"));
    assert_eq!(approvals_bulk::approvals_waiting(&state).unwrap(), 0);
}

#[test]
fn bad_bulk_requests_are_refused_whole_and_change_nothing() {
    let (_dir, state) = fresh_demo();
    sign_in(&state, "staff");
    counted_session(&state, &[("SS-00020", 1), ("SS-00021", 1)]);
    sign_in(&state, "super");
    let before = inbox(&state);
    let ids: Vec<String> = before.iter().map(|(id, _, _)| id.clone()).collect();
    let too_many: Vec<String> = (0..=MAX_BULK_ITEMS).map(|i| format!("id-{i}")).collect();
    let long_reason = "x".repeat(shelfsync_core::MAX_TEXT_LEN + 1);
    let approve = DecisionView::Approve;
    let cases: Vec<(&str, BulkDecisionRequest, &str)> = vec![
        ("nothing selected", bulk(vec![], approve.clone(), "ok", "2222", None), "Select at least one"),
        ("too many", bulk(too_many, approve.clone(), "ok", "2222", None), "At most 200 items"),
        (
            "twice",
            bulk(vec![ids[0].clone(), ids[0].clone()], approve.clone(), "ok", "2222", None),
            "selected twice",
        ),
        ("blank id", bulk(vec![" ".into()], approve.clone(), "ok", "2222", None), "is not an approval id"),
        ("no reason", bulk(ids.clone(), approve.clone(), "  ", "2222", None), "Give one reason"),
        (
            "long reason",
            bulk(ids.clone(), approve.clone(), &long_reason, "2222", None),
            "up to 200 characters",
        ),
        ("no PIN", bulk(ids.clone(), approve.clone(), "ok", "", None), "Enter your PIN"),
        ("wrong PIN", bulk(ids.clone(), approve.clone(), "ok", "9999", None), "wrong user or PIN"),
        (
            "counter on an approval",
            bulk(ids.clone(), approve.clone(), "ok", "2222", Some("staff")),
            "only to a recount",
        ),
        (
            "unknown counter",
            bulk(ids.clone(), DecisionView::Recount, "ok", "2222", Some("nobody")),
            "No user is called 'nobody'",
        ),
    ];
    for (name, request, want) in cases {
        let error = approvals_bulk::decide_many(&state, request).unwrap_err();
        assert!(error.to_string().contains(want), "{name}: {error}");
        assert_eq!(inbox(&state), before, "{name}: nothing changed");
    }
}

/// What each scope starts: (case, request, Ok(scope label, full) or Err(words of the error)).
#[test]
fn counts_start_by_every_scope_and_bad_scopes_change_nothing() {
    let (_dir, state) = fresh_demo();
    sign_in(&state, "super");
    let req =
        |skus: &[&str], class: Option<&str>, top: Option<u32>, blind: bool, full: bool| CountStartRequest {
            location: "WH1".into(),
            skus: skus.iter().map(|s| s.to_string()).collect(),
            class: class.map(str::to_string),
            top,
            blind,
            full,
        };
    let with_location =
        |location: &str| CountStartRequest { location: location.into(), ..req(&[], None, None, true, false) };
    type Want = Result<(&'static str, bool, Option<u32>), &'static str>;
    let cases: Vec<(&str, CountStartRequest, Want)> = vec![
        ("location", req(&[], None, None, true, false), Ok(("location WH1", false, None))),
        (
            "sku list",
            req(&["SS-00002", "SS-00001", "SS-00001"], None, None, false, false),
            Ok(("skus at WH1", false, Some(2))),
        ),
        ("class A", req(&[], Some("a"), None, true, false), Ok(("class A at WH1", false, None))),
        ("top 5", req(&[], None, Some(5), true, false), Ok(("top 5 at WH1", false, Some(5)))),
        ("full", req(&[], None, None, true, true), Ok(("location WH1", true, None))),
        ("class D", req(&[], Some("D"), None, true, false), Err("must be A, B or C")),
        ("top 0", req(&[], None, Some(0), true, false), Err("between 1 and 10000")),
        ("two scopes", req(&["SS-00001"], Some("A"), None, true, false), Err("one of them, not several")),
        ("unknown SKU", req(&["NOPE-1"], None, None, true, false), Err("unknown SKU 'NOPE-1'")),
        ("blank SKU", req(&[" "], None, None, true, false), Err("is not a SKU")),
        ("unknown location", with_location("NOWHERE"), Err("unknown location 'NOWHERE'")),
        ("no location", with_location(" "), Err("Choose the location")),
    ];
    for (name, request, want) in cases {
        let before = commands::count_sessions(&state).unwrap().len();
        match (counts_scoped::start_count_scoped(&state, request.clone()), want) {
            (Ok(session), Ok((scope, full, skus))) => {
                assert_eq!(
                    (session.scope.as_str(), session.full, session.blind),
                    (scope, full, request.blind),
                    "{name}"
                );
                assert_eq!(session.status, "open", "{name}");
                assert!(session.scope_skus > 0, "{name}: a count of nothing is refused");
                if let Some(n) = skus {
                    assert_eq!(session.scope_skus, n, "{name}");
                }
                assert_eq!(commands::count_sessions(&state).unwrap().len(), before + 1, "{name}");
            }
            (Err(error), Err(words)) => {
                assert!(error.to_string().contains(words), "{name}: {error}");
                assert_eq!(
                    commands::count_sessions(&state).unwrap().len(),
                    before,
                    "{name}: nothing started"
                );
            }
            (got, want) => panic!("{name}: got {got:?}, want {want:?}"),
        }
    }

    // Staff may start a blind count only: an open one shows what the ledger expects.
    sign_in(&state, "staff");
    let error =
        counts_scoped::start_count_scoped(&state, req(&["SS-00001"], None, None, false, false)).unwrap_err();
    assert!(error.to_string().contains("may not see a blind count's expected quantities"), "{error}");
    assert!(counts_scoped::start_count_scoped(&state, req(&["SS-00001"], None, None, true, false)).is_ok());
}

#[test]
fn a_due_plan_starts_from_its_row_once_and_only_for_supervisors() {
    let (_dir, state) = fresh_demo();
    sign_in(&state, "super");
    let due = commands::due_counts(&state).unwrap();
    let full =
        due.iter().find(|d| d.location == "WH1" && d.full).expect("the monthly full count is due").clone();
    let others = due.len();

    sign_in(&state, "staff");
    let error = counts_scoped::start_due_count(&state, full.location.clone(), full.plan.clone()).unwrap_err();
    assert!(error.to_string().contains("may not generate planned counts"), "{error}");
    assert_eq!(commands::due_counts(&state).unwrap().len(), others, "nothing started");

    sign_in(&state, "super");
    let session = counts_scoped::start_due_count(&state, full.location.clone(), full.plan.clone()).unwrap();
    assert!(session.full && !session.blind, "the plan's own shape: {session:?}");
    let row = commands::count_sessions(&state).unwrap().into_iter().find(|s| s.id == session.id).unwrap();
    assert_eq!(row.plan.as_deref(), Some(full.plan.as_str()));
    let after = commands::due_counts(&state).unwrap();
    assert_eq!(after.len(), others - 1, "only that plan was started");
    assert!(!after.iter().any(|d| d.plan == full.plan));

    let error = counts_scoped::start_due_count(&state, full.location.clone(), full.plan.clone()).unwrap_err();
    assert!(error.to_string().contains("is not due at WH1"), "{error}");
    let error = counts_scoped::start_due_count(&state, "WH1".into(), "cycle-Z:WH1:2026".into()).unwrap_err();
    assert!(matches!(error, AppError::SupervisorRefused(SupervisorRefusal::NotDue { .. })), "{error}");
}

#[test]
fn a_full_count_submits_uncounted_as_zero_only_when_confirmed() {
    let (_dir, state) = fresh_demo();
    sign_in(&state, "staff");
    let request = CountStartRequest {
        location: "WH1".into(),
        skus: vec!["SS-00030".into(), "SS-00031".into()],
        class: None,
        top: None,
        blind: true,
        full: true,
    };
    let session = counts_scoped::start_count_scoped(&state, request).unwrap();
    let scans = CommitRequest {
        mode: StationMode::Count,
        location: "WH1".into(),
        to_location: None,
        session: Some(session.id.clone()),
        reason: None,
        lines: vec![CommitLine { id: None, sku: "SS-00030".into(), qty: 3, tag: None }],
    };
    commands::commit_scans(&state, scans).unwrap();
    let error = counts_scoped::submit_count_confirmed(&state, session.id.clone(), false).unwrap_err();
    assert!(error.to_string().contains("1 SKU in this full count was not counted"), "{error}");
    assert_eq!(
        commands::count_session(&state, session.id.clone()).unwrap().status,
        "open",
        "nothing changed"
    );
    let done = counts_scoped::submit_count_confirmed(&state, session.id.clone(), true).unwrap();
    assert_eq!(done.status, "submitted");
    let counted: Vec<(&str, i64)> = done.lines.iter().map(|l| (l.sku.as_str(), l.counted)).collect();
    assert_eq!(counted, [("SS-00030", 3), ("SS-00031", 0)]);
}

#[test]
fn a_supervisors_own_loss_request_is_marked_theirs_and_refused_to_them_in_a_bulk() {
    let (_dir, state) = fresh_demo();
    sign_in(&state, "super");
    let stocked = on_hand(&state, "SS-00007");
    let damage = CommitRequest {
        mode: StationMode::Damage,
        location: "WH1".into(),
        to_location: None,
        session: None,
        reason: Some("Crushed".into()),
        lines: vec![CommitLine {
            id: None,
            sku: "SS-00007".into(),
            qty: u32::try_from(stocked).unwrap(),
            tag: None,
        }],
    };
    assert_eq!(commands::commit_scans(&state, damage).unwrap().awaiting_approval, 1, "waits for another");
    let items = commands::approvals(&state).unwrap();
    assert_eq!(items.len(), 1);
    assert!(items[0].mine, "their own request");
    let id = items[0].id.clone();

    let own = approvals_bulk::decide_many(
        &state,
        bulk(vec![id.clone()], DecisionView::Approve, "it was crushed", "2222", None),
    )
    .unwrap();
    assert_eq!((own.decided, own.refused, own.lines[0].outcome.clone()), (0, 1, BulkOutcome::Refused));
    assert!(own.lines[0].error.as_deref().unwrap_or("").contains("approve their own request"), "{own:?}");
    assert_eq!(inbox(&state), [(id.clone(), -stocked, true)], "still waiting, nothing posted");

    sign_in(&state, "admin");
    assert!(!commands::approvals(&state).unwrap()[0].mine, "someone else's for the admin");
    let other =
        approvals_bulk::decide_many(&state, bulk(vec![id], DecisionView::Approve, "seen it", "3333", None))
            .unwrap();
    assert_eq!(other.lines[0].outcome, BulkOutcome::Approved);
    assert_eq!(approvals_bulk::approvals_waiting(&state).unwrap(), 0);
}

/// The most one decision takes, all at once: every one decided, and how long it took (the
/// figure in the notes; the assert only bounds it loosely, a debug build on a shared machine).
#[test]
fn the_largest_bulk_decision_decides_every_item() {
    let (_dir, state) = fresh_demo();
    sign_in(&state, "staff");
    let skus: Vec<String> = (1..=MAX_BULK_ITEMS).map(|i| format!("SS-{i:05}")).collect();
    let counted: Vec<(&str, u32)> = skus.iter().map(|s| (s.as_str(), 100_000)).collect();
    counted_session(&state, &counted);
    sign_in(&state, "super");
    let ids: Vec<String> = commands::approvals(&state).unwrap().into_iter().map(|a| a.id).collect();
    assert_eq!(ids.len(), MAX_BULK_ITEMS, "every SKU's count differs from the ledger");
    let started = std::time::Instant::now();
    let result =
        approvals_bulk::decide_many(&state, bulk(ids, DecisionView::Approve, "full recount", "2222", None))
            .unwrap();
    let took = started.elapsed();
    eprintln!("decide_many: {MAX_BULK_ITEMS} approvals in {took:?}");
    assert_eq!((result.decided, result.refused), (MAX_BULK_ITEMS as u32, 0));
    assert!(took < std::time::Duration::from_secs(60), "{took:?}");
    assert_eq!(on_hand(&state, "SS-00200"), 100_000);
}
