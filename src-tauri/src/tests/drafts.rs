//! The scan station's drafts through the app's commands (issue 19): saved per user and
//! workstation, still there after the app is started again on the same database, and committed
//! once however often the commit is sent.

use crate::commands;
use crate::drafts;
use crate::ipc::{CommitLine, CommitRequest, DraftAppend, DraftLine, StationDraft, StationMode};
use crate::state::{AppState, DemoPolicy};

const A: &str = "0190d4c2-7a3e-7c1a-9f00-00000000000a";
const B: &str = "0190d4c2-7a3e-7c1a-9f00-00000000000b";
const C: &str = "0190d4c2-7a3e-7c1a-9f00-00000000000c";

fn demo_at(path: &std::path::Path) -> AppState {
    let state = AppState::new(path.to_path_buf());
    state.boot(DemoPolicy::LoadWhenEmpty);
    state
}

fn draft_line(id: &str, sku: &str, qty: u32) -> DraftLine {
    DraftLine {
        id: id.into(),
        sku: sku.into(),
        name: String::new(),
        qty,
        source: "wedge".into(),
        pack_units: None,
        tag: None,
    }
}

fn receive_draft(lines: Vec<DraftLine>) -> StationDraft {
    StationDraft {
        mode: StationMode::Receive,
        location: Some("WH1".into()),
        to_location: None,
        session: None,
        reason: None,
        lines,
    }
}

/// The station's step on a scan: `line` after the `after` lines it last saved, in `draft`'s
/// mode and places.
fn append_to(draft: &StationDraft, after: u32, line: DraftLine) -> DraftAppend {
    let last_id = after.checked_sub(1).map(|last| draft.lines[last as usize].id.clone());
    DraftAppend {
        after,
        last_id,
        mode: draft.mode.clone(),
        location: draft.location.clone(),
        to_location: draft.to_location.clone(),
        session: draft.session.clone(),
        reason: draft.reason.clone(),
        line,
    }
}

fn commit_of(draft: &StationDraft) -> CommitRequest {
    CommitRequest {
        mode: draft.mode.clone(),
        location: draft.location.clone().unwrap_or_default(),
        to_location: draft.to_location.clone(),
        session: draft.session.clone(),
        reason: draft.reason.clone(),
        lines: draft
            .lines
            .iter()
            .map(|l| CommitLine {
                id: Some(l.id.clone()),
                sku: l.sku.clone(),
                qty: l.qty,
                tag: l.tag.clone(),
            })
            .collect(),
    }
}

fn events(state: &AppState) -> u64 {
    commands::app_info(state).unwrap().event_count
}

#[test]
fn a_draft_survives_a_restart_and_is_committed_once_however_often_it_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("drafts.db");
    let saved = receive_draft(vec![draft_line(A, "SS-00003", 4), draft_line(B, "SS-00004", 1)]);
    {
        let state = demo_at(&path);
        commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
        drafts::save(&state, saved.clone()).unwrap();
        // The app goes away here with nothing committed (a crash, a power cut, a reload).
    }

    let state = demo_at(&path);
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    assert_eq!(drafts::load(&state).unwrap(), Some(saved.clone()), "the draft is back after the restart");

    let before = events(&state);
    let first = commands::commit_scans(&state, commit_of(&saved)).unwrap();
    assert_eq!((first.committed, first.failed_index), (2, None));
    assert_eq!(events(&state), before + 2);
    assert_eq!(drafts::load(&state).unwrap(), None, "committed lines leave the draft");

    // The same commit again (the app crashed after committing, before the station cleared
    // its lines): every line counts as committed, and nothing is recorded twice.
    let again = commands::commit_scans(&state, commit_of(&saved)).unwrap();
    assert_eq!((again.committed, again.failed_index), (2, None));
    assert_eq!(events(&state), before + 2, "no line is recorded twice");
}

#[test]
fn drafts_are_per_user_and_a_bad_one_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let state = demo_at(&dir.path().join("drafts.db"));
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    // A line scanned by a pack's barcode keeps its "1 pack = 12" through the saved draft.
    let staffs = receive_draft(vec![DraftLine { pack_units: Some(12), ..draft_line(A, "SS-00003", 2) }]);
    drafts::save(&state, staffs.clone()).unwrap();

    // A bad draft (an id that is not a UUID) is refused and the stored one kept.
    let bad = receive_draft(vec![draft_line("line-1", "SS-00003", 2)]);
    let error = drafts::save(&state, bad).unwrap_err().to_string();
    assert!(error.contains("Line 1: 'line-1' is not a line id"), "{error}");
    assert_eq!(drafts::load(&state).unwrap(), Some(staffs.clone()));

    // Another user at the same workstation (after the idle lock) starts clean, and their
    // draft does not touch the first one's.
    commands::sign_out(&state).unwrap();
    commands::sign_in(&state, "super".into(), "2222".into()).unwrap();
    assert_eq!(drafts::load(&state).unwrap(), None);
    drafts::save(&state, receive_draft(vec![draft_line(B, "SS-00004", 9)])).unwrap();
    assert!(drafts::discard(&state).unwrap());
    commands::sign_out(&state).unwrap();
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    assert_eq!(drafts::load(&state).unwrap(), Some(staffs));

    // Signed out, nothing is read or written.
    commands::sign_out(&state).unwrap();
    assert!(drafts::load(&state).is_err());
    assert!(drafts::save(&state, receive_draft(vec![])).is_err());
}

#[test]
fn count_lines_and_lines_awaiting_approval_are_not_recorded_twice() {
    let dir = tempfile::tempdir().unwrap();
    let state = demo_at(&dir.path().join("drafts.db"));
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();

    let session = commands::start_count(&state, "WH1".into()).unwrap().id;
    let count = StationDraft {
        mode: StationMode::Count,
        session: Some(session.clone()),
        ..receive_draft(vec![draft_line(A, "SS-00003", 5)])
    };
    for attempt in 1..=2 {
        let result = commands::commit_scans(&state, commit_of(&count)).unwrap();
        assert_eq!((result.committed, result.failed_index), (1, None), "attempt {attempt}");
    }
    let detail = commands::count_session(&state, session).unwrap();
    let counted: i64 = detail.lines.iter().filter(|l| l.sku == "SS-00003").map(|l| l.counted).sum();
    assert_eq!(counted, 5, "counted once, not 10");

    // A write-off above the value threshold waits for a supervisor; sent twice, it waits once.
    let damage = StationDraft {
        mode: StationMode::Damage,
        reason: Some("Crushed".into()),
        ..receive_draft(vec![draft_line(C, "SS-00003", 500)])
    };
    let waiting_before = { state.store().unwrap().pending_movements().unwrap().len() };
    for attempt in 1..=2 {
        let result = commands::commit_scans(&state, commit_of(&damage)).unwrap();
        assert_eq!((result.committed, result.awaiting_approval), (1, 1), "attempt {attempt}: {result:?}");
    }
    let waiting = state.store().unwrap().pending_movements().unwrap().len();
    assert_eq!(waiting, waiting_before + 1, "one approval request, not two");
}

/// A scan sends one line, added at the end of the saved draft; an append that does not fit the
/// saved draft (another count of lines, another place, a bad or repeated line) is refused
/// with its reason and the saved draft kept, and the station then saves its draft whole.
#[test]
fn a_scanned_line_is_appended_and_an_append_that_does_not_fit_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let state = demo_at(&dir.path().join("drafts.db"));
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    let empty = receive_draft(vec![]);
    drafts::append(&state, append_to(&empty, 0, draft_line(A, "SS-00003", 1))).unwrap();
    let one = receive_draft(vec![draft_line(A, "SS-00003", 1)]);
    drafts::append(&state, append_to(&one, 1, draft_line(B, "SS-00004", 2))).unwrap();
    let saved = receive_draft(vec![draft_line(A, "SS-00003", 1), draft_line(B, "SS-00004", 2)]);
    assert_eq!(drafts::load(&state).unwrap(), Some(saved.clone()), "two scans, two lines, in order");

    let elsewhere = StationDraft { location: Some("WH2".into()), ..saved.clone() };
    let other_end = receive_draft(vec![draft_line(A, "SS-00003", 1), draft_line(C, "SS-00004", 2)]);
    let cases = [
        ("a stale count", append_to(&saved, 1, draft_line(C, "SS-00005", 1)), "has 2 lines, not 1"),
        ("another place", append_to(&elsewhere, 2, draft_line(C, "SS-00005", 1)), "another mode or place"),
        ("another last line", append_to(&other_end, 2, draft_line(C, "SS-00005", 1)), "ends in another line"),
        ("a repeated id", append_to(&saved, 2, draft_line(A, "SS-00005", 1)), "is used twice"),
        ("a bad id", append_to(&saved, 2, draft_line("line-3", "SS-00005", 1)), "is not a line id"),
        ("no quantity", append_to(&saved, 2, draft_line(C, "SS-00005", 0)), "quantity 0"),
    ];
    for (name, append, expected) in cases {
        let error = drafts::append(&state, append).unwrap_err().to_string();
        assert!(error.contains(expected), "{name}: {error}");
        assert_eq!(drafts::load(&state).unwrap(), Some(saved.clone()), "{name}: the saved draft is kept");
    }

    // The station's fallback after a refusal: the whole draft, which then takes appends again.
    let resaved = StationDraft { lines: vec![draft_line(A, "SS-00003", 1)], ..elsewhere.clone() };
    drafts::save(&state, resaved.clone()).unwrap();
    drafts::append(&state, append_to(&resaved, 1, draft_line(C, "SS-00005", 3))).unwrap();
    assert_eq!(drafts::load(&state).unwrap().map(|d| d.lines.len()), Some(2));

    commands::sign_out(&state).unwrap();
    assert!(
        drafts::append(&state, append_to(&empty, 0, draft_line(C, "SS-00005", 1))).is_err(),
        "signed out"
    );
}
