//! The audit viewer through its commands (issue 20), on a real SQLite file holding the demo
//! catalogue: a supervisor's filtered pages, a tampered chain named by its first broken entry
//! (and that entry found in the list), staff refused, bad filters refused in one line.

use crate::audit_view::{audit_entries, verify_audit};
use crate::commands;
use crate::error::AppError;
use crate::ipc::*;
use crate::state::AppState;

use super::{fresh_demo, line, request};

fn sign_in(state: &AppState, who: &str) {
    let pin = match who {
        "staff" => "1111",
        "super" => "2222",
        _ => "3333",
    };
    commands::sign_in(state, who.into(), pin.into()).unwrap();
}

fn filter(f: impl FnOnce(&mut AuditFilterInput)) -> AuditFilterInput {
    let mut filter = AuditFilterInput {
        actor: None,
        sku: None,
        kind: None,
        since: None,
        until: None,
        before: None,
        limit: None,
    };
    f(&mut filter);
    filter
}

/// Staff receives two SKUs at WH1 through the station; returns the demo's first two SKUs.
fn staff_receipts(state: &AppState) -> (String, String) {
    sign_in(state, "staff");
    let rows =
        commands::stock_levels(state, StockQuery { sku: None, location: Some("WH1".into()), limit: Some(2) })
            .unwrap()
            .rows;
    let (a, b) = (rows[0].sku.clone(), rows[1].sku.clone());
    let commit = request(StationMode::Receive, "WH1", vec![line(&a, 3), line(&b, 2)]);
    assert_eq!(commands::commit_scans(state, commit).unwrap().failed_index, None);
    commands::sign_out(state).unwrap();
    (a, b)
}

#[test]
fn a_supervisor_filters_the_chain_and_pages_through_it() {
    let (_dir, state) = fresh_demo();
    let (a, _) = staff_receipts(&state);
    sign_in(&state, "super");
    let by_staff = audit_entries(&state, filter(|f| f.actor = Some("staff".into()))).unwrap();
    assert!(!by_staff.entries.is_empty());
    assert!(by_staff.entries.iter().all(|e| e.actor == "staff"));
    let of_a = audit_entries(&state, filter(|f| f.sku = Some(a.clone()))).unwrap();
    assert!(of_a.entries.iter().any(|e| e.kind == "event.receive" && e.actor == "staff"), "{of_a:?}");
    assert!(of_a.entries.iter().all(|e| e.sku.as_deref() == Some(a.as_str())));
    assert!(of_a.kinds.contains(&"event".to_string()) && of_a.kinds.contains(&"event.receive".to_string()));
    // Pages of one walk the chain newest first with no entry twice.
    let (mut seen, mut before) = (Vec::new(), None);
    for _ in 0..5 {
        let page = audit_entries(
            &state,
            filter(|f| {
                f.limit = Some(1);
                f.before = before;
            }),
        )
        .unwrap();
        seen.push(page.entries[0].seq);
        before = page.next_before;
    }
    assert!(seen.windows(2).all(|w| w[0] == w[1] + 1), "{seen:?}");
    let verdict = verify_audit(&state).unwrap();
    assert!(verdict.intact && verdict.first_break.is_none() && verdict.entries > 0, "{verdict:?}");
}

#[test]
fn a_tampered_chain_is_named_by_its_first_broken_entry_and_found_in_the_list() {
    let (_dir, state) = fresh_demo();
    staff_receipts(&state);
    sign_in(&state, "admin");
    let newest = audit_entries(&state, filter(|_| ())).unwrap().entries[0].seq;
    let target = newest - 1;
    // Someone with the file edits who made an entry: the chain no longer holds from there.
    shelfsync_store::testing::connection(&state.store().unwrap())
        .execute("UPDATE audit SET actor = 'mallory' WHERE seq = ?1", [target])
        .unwrap();
    let verdict = verify_audit(&state).unwrap();
    let broken = verdict.first_break.expect("the edit is found");
    assert!(!verdict.intact);
    assert_eq!(broken.seq, target, "{}", broken.reason);
    assert!(broken.reason.contains("edited"), "{}", broken.reason);
    // The screen shows the named entry as stored, found by its number.
    let page = audit_entries(&state, filter(|f| f.before = Some(broken.seq + 1))).unwrap();
    assert_eq!((page.entries[0].seq, page.entries[0].actor.as_str()), (target, "mallory"));
}

#[test]
fn staff_and_bad_filters_are_refused_in_one_line() {
    let (_dir, state) = fresh_demo();
    sign_in(&state, "staff");
    for refused in [audit_entries(&state, filter(|_| ())).map(|_| ()), verify_audit(&state).map(|_| ())] {
        let message = refused.unwrap_err().user_message();
        assert!(message.contains("may not read the audit log"), "{message}");
    }
    commands::sign_out(&state).unwrap();
    sign_in(&state, "super");
    let cases: Vec<(AuditFilterInput, &str)> = vec![
        (
            filter(|f| {
                f.since = Some("2026-12-05".into());
                f.until = Some("2026-12-04".into());
            }),
            "is not before until",
        ),
        (filter(|f| f.kind = Some("teleport".into())), "unknown audit kind 'teleport'"),
        (filter(|f| f.limit = Some(501)), "limit 501 is out of range: a page holds 1 to 500"),
        (filter(|f| f.until = Some("soon".into())), "until 'soon' is not a time"),
    ];
    for (bad, want) in cases {
        let error = audit_entries(&state, bad.clone()).unwrap_err();
        assert!(matches!(error, AppError::Store(_)), "{bad:?}: {error:?}");
        let message = error.user_message();
        assert!(message.contains(want) && !message.contains('\n'), "{bad:?}: {message}");
    }
}
