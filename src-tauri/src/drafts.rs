//! The scan station's draft (issue 19): the signed-in user's uncommitted lines at this
//! workstation, saved by the station on every scan before its feedback shows. A crash, a
//! reload (F5), a sign-out or another user signing in after the idle lock loses nothing: the
//! draft is there when its user signs in again. Each line carries the event id it will be
//! committed under, so a commit retried after a crash records nothing twice.
//!
//! The store keeps the draft as a document it does not interpret; this module is where it is
//! checked (so a bad draft is refused with a clear message and the stored one kept) and read
//! back.

use std::collections::HashSet;

use shelfsync_core::MAX_QTY;
use shelfsync_store::{MAX_DRAFT_LINES, Store};
use uuid::Uuid;

use crate::commands::{acting_user, looking_user};
use crate::error::{AppError, Result};
use crate::floor_refusal::FloorRefusal;
use crate::ipc::{DraftAppend, DraftLine, StationDraft};
use crate::state::AppState;

/// Longest SKU, name and source a line may carry: a SKU or barcode is at most 128 characters
/// (the search box's limit), an item name 200 (the catalogue's), a source a device label.
const MAX_SKU_CHARS: usize = 128;
const MAX_NAME_CHARS: usize = 200;
const MAX_SOURCE_CHARS: usize = 64;
/// Location codes, reasons and count ids are short; 200 is far above any real one.
const MAX_FIELD_CHARS: usize = 200;

/// Saves the signed-in user's draft (an empty one removes it).
pub fn save(state: &AppState, draft: StationDraft) -> Result<()> {
    let user = acting_user(state)?;
    check(&draft)?;
    write(&mut *state.store()?, &user.name, state.workstation(), &draft)
}

/// Adds one line at the end of the signed-in user's draft: the scan station's step on every
/// scan, so a scan carries one line over IPC instead of the whole draft. The stored draft must
/// be the one the station last saved (as many lines, the same mode and places); otherwise
/// nothing changes and the station saves its draft whole.
pub fn append(state: &AppState, append: DraftAppend) -> Result<()> {
    let user = acting_user(state)?;
    let mut store = state.store()?;
    let workstation = state.workstation();
    let DraftAppend { after, last_id, mode, location, to_location, session, reason, line } = append;
    let header = StationDraft { mode, location, to_location, session, reason, lines: Vec::new() };
    let mut draft = read(&store, &user.name, workstation)?.unwrap_or_else(|| header.clone());
    let saved_lines = draft.lines.len();
    if saved_lines != after as usize {
        return Err(AppError::BadRequest(format!(
            "The saved scan draft has {saved_lines} lines, not {after}: save the whole draft."
        )));
    }
    if draft.lines.last().map(|l| &l.id) != last_id.as_ref() {
        return Err(AppError::BadRequest(
            "The saved scan draft ends in another line: save the whole draft.".into(),
        ));
    }
    if place(&draft) != place(&header) {
        return Err(AppError::BadRequest(
            "The saved scan draft is for another mode or place: save the whole draft.".into(),
        ));
    }
    // The saved lines and place were checked when they were saved: only the new line is.
    check_count(saved_lines + 1)?;
    let repeated = draft.lines.iter().any(|saved| saved.id == line.id);
    check_numbered(saved_lines, &line, repeated)?;
    draft.lines.push(line);
    write(&mut store, &user.name, workstation, &draft)
}

/// Where a draft's lines go: its mode and places, everything but the lines.
fn place(draft: &StationDraft) -> impl PartialEq + '_ {
    (&draft.mode, &draft.location, &draft.to_location, &draft.session, &draft.reason)
}

/// Stores a draft as the store's document (no lines: the draft is removed). The draft has at
/// most 500 lines: checked on the way in, and a commit only takes lines out.
fn write(store: &mut Store, user: &str, workstation: &str, draft: &StationDraft) -> Result<()> {
    let document =
        serde_json::to_string(draft).map_err(|e| AppError::BadRequest(format!("The draft: {e}")))?;
    let lines = u32::try_from(draft.lines.len()).expect("at most 500 lines");
    store.save_station_draft(user, workstation, &document, lines)?;
    Ok(())
}

/// The signed-in user's draft at this workstation, if there is one.
pub fn load(state: &AppState) -> Result<Option<StationDraft>> {
    let user = looking_user(state)?;
    let store = state.store()?;
    read(&store, &user.name, state.workstation())
}

/// Throws the signed-in user's draft away; true when there was one.
pub fn discard(state: &AppState) -> Result<bool> {
    let user = acting_user(state)?;
    Ok(state.store()?.discard_station_draft(&user.name, state.workstation())?)
}

pub(crate) fn read(store: &Store, user: &str, workstation: &str) -> Result<Option<StationDraft>> {
    let Some(row) = store.station_draft(user, workstation)? else { return Ok(None) };
    let draft: StationDraft = serde_json::from_str(&row.draft)
        .map_err(|e| AppError::BadRequest(format!("The saved scan draft cannot be read ({e}).")))?;
    Ok(Some(draft))
}

/// After a commit: the lines recorded under `committed` ids leave the user's draft (the rest,
/// from a failed line on, stay). The station saves its own state after a commit too; doing it
/// here as well closes the window in which a crash would show committed lines again (a second
/// commit of them would record nothing, but the worker would wonder).
pub(crate) fn forget_committed(
    store: &mut Store,
    user: &str,
    workstation: &str,
    committed: &HashSet<String>,
) -> Result<()> {
    if committed.is_empty() {
        return Ok(());
    }
    let Some(mut draft) = read(store, user, workstation)? else { return Ok(()) };
    let before = draft.lines.len();
    draft.lines.retain(|line| !committed.contains(&line.id));
    if draft.lines.len() == before {
        return Ok(());
    }
    write(store, user, workstation, &draft)
}

/// Refuses a draft the station could not have made, with the first reason found.
pub fn check(draft: &StationDraft) -> Result<()> {
    let bad = |message: String| Err(AppError::BadRequest(message));
    check_count(draft.lines.len())?;
    for (field, value) in [
        ("location", &draft.location),
        ("destination", &draft.to_location),
        ("count", &draft.session),
        ("reason", &draft.reason),
    ] {
        if value.as_deref().is_some_and(|v| v.chars().count() > MAX_FIELD_CHARS) {
            return bad(format!("The draft's {field} is longer than {MAX_FIELD_CHARS} characters."));
        }
    }
    let mut ids = HashSet::with_capacity(draft.lines.len());
    for (index, line) in draft.lines.iter().enumerate() {
        check_numbered(index, line, !ids.insert(line.id.as_str()))?;
    }
    Ok(())
}

fn check_count(lines: usize) -> Result<()> {
    if lines > MAX_DRAFT_LINES as usize {
        return Err(FloorRefusal::DraftFull { max: MAX_DRAFT_LINES }.into());
    }
    Ok(())
}

/// The line at `index` (refusals name it from 1); `repeated` when an earlier line has its id.
fn check_numbered(index: usize, line: &DraftLine, repeated: bool) -> Result<()> {
    let number = index + 1;
    check_line(line).map_err(|message| AppError::BadRequest(format!("Line {number}: {message}")))?;
    if repeated {
        return Err(AppError::BadRequest(format!("Line {number}: its id {} is used twice.", line.id)));
    }
    Ok(())
}

fn check_line(line: &DraftLine) -> std::result::Result<(), String> {
    Uuid::parse_str(&line.id).map_err(|_| format!("'{}' is not a line id (a UUID).", line.id))?;
    if line.sku.trim().is_empty() {
        return Err("no SKU.".into());
    }
    if line.sku.chars().count() > MAX_SKU_CHARS {
        return Err(format!("the SKU is longer than {MAX_SKU_CHARS} characters."));
    }
    if line.name.chars().count() > MAX_NAME_CHARS {
        return Err(format!("the name is longer than {MAX_NAME_CHARS} characters."));
    }
    if line.source.chars().count() > MAX_SOURCE_CHARS {
        return Err(format!("the source is longer than {MAX_SOURCE_CHARS} characters."));
    }
    if line.qty == 0 || line.qty > MAX_QTY {
        return Err(format!("quantity {} is not between 1 and {MAX_QTY}.", line.qty));
    }
    if let Some(units) = line.pack_units.filter(|u| !(1..=shelfsync_store::MAX_PACK_QTY).contains(u)) {
        let max = shelfsync_store::MAX_PACK_QTY;
        return Err(format!("a pack of {units} units is not between 1 and {max}."));
    }
    // A lot or serial is checked as the commit will check it (core's rules), so a draft
    // that could never commit is refused when it is saved.
    if line.tag.is_some() {
        crate::station::line_tag(line.tag.as_ref()).map_err(|e| format!("{}.", e.user_message()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipc::{LineTag, StationMode, TagKind};

    fn line(id: &str, sku: &str, qty: u32) -> DraftLine {
        DraftLine {
            id: id.into(),
            sku: sku.into(),
            name: "Widget".into(),
            qty,
            source: "wedge".into(),
            pack_units: None,
            tag: None,
        }
    }

    fn lot(code: &str, expiry: Option<&str>) -> Option<LineTag> {
        Some(LineTag { kind: TagKind::Lot, code: code.into(), expiry: expiry.map(str::to_string) })
    }

    fn draft(lines: Vec<DraftLine>) -> StationDraft {
        StationDraft {
            mode: StationMode::Receive,
            location: Some("WH1".into()),
            to_location: None,
            session: None,
            reason: None,
            lines,
        }
    }

    const A: &str = "0190d4c2-7a3e-7c1a-9f00-000000000001";
    const B: &str = "0190d4c2-7a3e-7c1a-9f00-000000000002";

    #[test]
    fn a_draft_the_station_could_not_have_made_is_refused_with_its_line() {
        let long = "x".repeat(MAX_SKU_CHARS + 1);
        let cases: Vec<(&str, StationDraft, Option<&str>)> = vec![
            ("two good lines", draft(vec![line(A, "SS-1", 1), line(B, "SS-2", 12)]), None),
            ("empty", draft(vec![]), None),
            ("id not a UUID", draft(vec![line("7", "SS-1", 1)]), Some("Line 1: '7' is not a line id")),
            ("id twice", draft(vec![line(A, "SS-1", 1), line(A, "SS-2", 1)]), Some("Line 2: its id")),
            ("no SKU", draft(vec![line(A, "  ", 1)]), Some("Line 1: no SKU")),
            ("long SKU", draft(vec![line(A, &long, 1)]), Some("Line 1: the SKU is longer than 128")),
            ("zero", draft(vec![line(A, "SS-1", 0)]), Some("Line 1: quantity 0 is not between 1")),
            ("too many", draft(vec![line(A, "SS-1", MAX_QTY + 1)]), Some("is not between 1 and 1000000")),
            ("a pack of 12", draft(vec![DraftLine { pack_units: Some(12), ..line(A, "CASE-12", 2) }]), None),
            (
                "a pack of 0",
                draft(vec![DraftLine { pack_units: Some(0), ..line(A, "CASE-0", 1) }]),
                Some("Line 1: a pack of 0 units is not between 1 and 100000"),
            ),
            (
                "a pack past the largest",
                draft(vec![DraftLine { pack_units: Some(100_001), ..line(A, "CASE-X", 1) }]),
                Some("Line 1: a pack of 100001 units"),
            ),
            (
                "a lot with its expiry",
                draft(vec![DraftLine { tag: lot("L-1", Some("2027-03-31")), ..line(A, "SS-1", 4) }]),
                None,
            ),
            (
                "a lot whose expiry is not a date",
                draft(vec![DraftLine { tag: lot("L-1", Some("2027-02-30")), ..line(A, "SS-1", 4) }]),
                Some("Line 1: expiry '2027-02-30' is not a date (YYYY-MM-DD)"),
            ),
            (
                "an empty lot",
                draft(vec![DraftLine { tag: lot("  ", None), ..line(A, "SS-1", 4) }]),
                Some("Line 1: invalid lot"),
            ),
            (
                "long location",
                StationDraft { location: Some("L".repeat(201)), ..draft(vec![]) },
                Some("location is longer than 200"),
            ),
        ];
        for (case, draft, refusal) in cases {
            match (check(&draft), refusal) {
                (Ok(()), None) => {}
                (Err(error), Some(says)) => assert!(error.to_string().contains(says), "{case}: {error}"),
                (outcome, want) => panic!("{case}: got {outcome:?}, wanted a refusal saying {want:?}"),
            }
        }
        let over =
            (0..=MAX_DRAFT_LINES).map(|n| line(&Uuid::from_u128(u128::from(n) + 1).to_string(), "SS-1", 1));
        let error = check(&draft(over.collect())).unwrap_err().to_string();
        assert!(error.contains("At most 500 scanned lines"), "{error}");
    }

    #[test]
    fn committed_lines_leave_the_draft_and_the_rest_stay() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("d.db")).unwrap();
        let saved = draft(vec![line(A, "SS-1", 1), line(B, "SS-2", 2)]);
        let document = serde_json::to_string(&saved).unwrap();
        store.save_station_draft("ana", "ws1", &document, 2).unwrap();

        forget_committed(&mut store, "ana", "ws1", &HashSet::from([A.to_string()])).unwrap();
        let left = read(&store, "ana", "ws1").unwrap().unwrap();
        assert_eq!(left.lines.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(), [B]);
        assert_eq!(left.location.as_deref(), Some("WH1"));

        forget_committed(&mut store, "ana", "ws1", &HashSet::from([B.to_string()])).unwrap();
        assert!(read(&store, "ana", "ws1").unwrap().is_none(), "nothing left: the draft is gone");
    }
}
