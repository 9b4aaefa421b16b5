//! The scan station's two calls into the engine: what a scan is, and committing a scan log.
//!
//! Classification is the scanner crate's (`shelfsync_scan::classify`: command labels first,
//! then GS1 or plain text), resolution is the store's (`resolve_units`: a pack's barcode is its
//! qty units per scan, and stays the line's code until the commit), and every movement's
//! rules are core's, including the movement a station mode makes for a line
//! (`shelfsync_core::StationMode::record`). This module only routes: it checks the request,
//! hands each line to core's mode and the result to the store, and reports the outcome per
//! line.

use std::collections::HashSet;

use chrono::{NaiveDate, Utc};
use shelfsync_core::lot;
use shelfsync_core::{Event, LocationCode, LotError, LotKind, LotTag, StationRecord, Tracking};
use shelfsync_scan::gs1::{Content, ParseOptions, Parsed, parse_scan_data};
use shelfsync_scan::{Classified, Command, CommandConfig, classify};
use shelfsync_store::{LineRecord, MovementRequest, Store, StoreError, User};
use uuid::Uuid;

use crate::error::{AppError, Result};
use crate::floor_refusal::FloorRefusal;
use crate::ipc::{CommitRequest, CommitResult, LineTag, ScanKind, ScanOutcome, StationMode, TagKind};

/// Most lines one commit takes: a scan log longer than this is split by committing sooner.
pub const MAX_COMMIT_LINES: usize = 500;
/// Longest scan accepted from the webview (the scanner layer's own limit).
pub const MAX_SCAN_LEN: usize = shelfsync_scan::MAX_SCAN_LEN;
/// Characters of a refused, too long scan shown back to the user: enough to recognise it.
const SHOWN_CHARS: usize = 40;

/// The first `max` characters of `text`. Cut at a character, never at a byte: a scan is user
/// input and may carry multi-byte characters, and slicing a `str` inside one panics.
fn first_chars(text: &str, max: usize) -> &str {
    text.char_indices().nth(max).map_or(text, |(end, _)| &text[..end])
}

/// Classifies raw scan data as a keyboard wedge delivered it (no AIM identifier, GS as 0x1d).
pub fn classify_data(store: &Store, source: &str, data: &str) -> ScanOutcome {
    let trimmed = data.trim_matches(|c| matches!(c, '\r' | '\n' | '\t' | ' '));
    if trimmed.is_empty() {
        return ScanOutcome::refused(source, data, FloorRefusal::EmptyScan);
    }
    if trimmed.len() > MAX_SCAN_LEN {
        return ScanOutcome::refused(source, first_chars(trimmed, SHOWN_CHARS), FloorRefusal::ScanTooLong);
    }
    match parse_scan_data(trimmed.as_bytes(), &ParseOptions::warehouse()) {
        Ok(parsed) => classify_parsed(store, source, trimmed, &parsed),
        Err(error) => {
            ScanOutcome::refused(source, trimmed, FloorRefusal::Unreadable { detail: error.to_string() })
        }
    }
}

/// Classifies a scan the scanner pipeline has already parsed (serial and HID scanners).
pub fn classify_parsed(store: &Store, source: &str, data: &str, parsed: &Parsed) -> ScanOutcome {
    let classified = match classify(parsed, &CommandConfig::default()) {
        Ok(c) => c,
        Err(error) => {
            return ScanOutcome::refused(source, data, FloorRefusal::BadLabel { detail: error.to_string() });
        }
    };
    match classified {
        Classified::Command(Command::Location(code)) => match store.location_exists(&code) {
            Ok(true) => {
                ScanOutcome { location: Some(code), ..ScanOutcome::new(source, data, ScanKind::Location) }
            }
            Ok(false) => ScanOutcome::refused(source, data, FloorRefusal::UnknownLocation { location: code }),
            Err(error) => ScanOutcome::refused(source, data, error),
        },
        Classified::Command(Command::Quantity(qty)) => {
            ScanOutcome { quantity: Some(qty), ..ScanOutcome::new(source, data, ScanKind::Quantity) }
        }
        Classified::Command(Command::Mode(mode)) => {
            ScanOutcome { mode: Some(mode.into()), ..ScanOutcome::new(source, data, ScanKind::Mode) }
        }
        Classified::Command(Command::Done) => ScanOutcome::new(source, data, ScanKind::Done),
        Classified::Command(Command::Undo) => ScanOutcome::new(source, data, ScanKind::Undo),
        Classified::Item(parsed) => resolve_item(store, source, data, &parsed),
    }
}

fn resolve_item(store: &Store, source: &str, data: &str, parsed: &Parsed) -> ScanOutcome {
    // A GS1 count (AI 30 or 37: a case or pallet label) gives the line its units; the parser's
    // warehouse policy has already refused a zero, an oversized or a doubled count.
    let count = match parsed.count() {
        Ok(count) => count.map(|c| c.count),
        Err(error) => {
            return ScanOutcome::refused(
                source,
                data,
                FloorRefusal::Unreadable { detail: error.to_string() },
            );
        }
    };
    // A GTIN (from AI 01 or 02, an EAN/UPC symbol or bare digits) is looked up as such; other
    // plain text is a SKU or an internal shelf code.
    let gtin = parsed.gtin14().or_else(|| parsed.ai("02"));
    let code = match (&parsed.content, gtin) {
        (_, Some(gtin)) => gtin,
        (Content::Plain { text, .. }, None) => text.clone(),
        _ => {
            return ScanOutcome::refused(source, data, FloorRefusal::NoGtin);
        }
    };
    // A pack's barcode (issue 21) stays the line's code, so the commit books its units.
    let resolved = match store.resolve_units(&code) {
        Ok(resolved) => resolved,
        Err(StoreError::UnknownBarcode(_) | StoreError::UnknownSku(_) | StoreError::Domain(_)) => {
            return ScanOutcome::refused(source, data, AppError::NotFound(data.to_string()));
        }
        Err(error) => return ScanOutcome::refused(source, data, error),
    };
    let sku = resolved.sku.to_string();
    let (name, tracking) = match (store.item(&sku), store.item_tracking(&sku)) {
        (Ok(item), Ok(tracking)) => (item.map(|i| i.name), tracking),
        (Err(error), _) | (_, Err(error)) => return ScanOutcome::refused(source, data, error),
    };
    let tag = match scanned_tag(parsed, tracking, Utc::now().date_naive()) {
        Ok(tag) => tag,
        Err(error) => {
            // The lot's own code and values (the screen translates them); the English adds the
            // hint, as the station always said it.
            let mut refused = ScanOutcome::refused(source, data, StoreError::Lot(Box::new(error.clone())));
            let hinted = format!("{error}. Scan the item's label again.");
            if let Some(refusal) = refused.refusal.as_mut() {
                refusal.message = hinted.clone();
            }
            refused.message = Some(hinted);
            return refused;
        }
    };
    let pack_units = resolved.pack.is_some().then_some(resolved.units);
    let (sku, name) = match resolved.pack {
        Some(pack) => (pack, name.map(|n| format!("{n} · pack of {} ({sku})", resolved.units))),
        None => (sku, name),
    };
    ScanOutcome {
        sku: Some(sku),
        name,
        pack_units,
        quantity: count,
        tracking: tag_kind(tracking),
        tag,
        ..ScanOutcome::new(source, data, ScanKind::Item)
    }
}

/// An item's tracking as the wire says it: `None` for an untracked item.
pub fn tag_kind(tracking: Tracking) -> Option<TagKind> {
    match tracking {
        Tracking::None => None,
        Tracking::Lot => Some(TagKind::Lot),
        Tracking::Serial => Some(TagKind::Serial),
    }
}

/// The lot or serial a GS1 scan carries for an item tracked by `tracking`: AI 10 (lot) or 21
/// (serial), with AI 17's expiry read on `today` (a two-digit year's century depends on it).
/// An untracked item's lot is dropped, as many labels print one; a tracked item's scan without
/// its lot is not refused here, so look-up mode still finds it (the station asks for the
/// label, and the commit refuses a tracked line without its tag).
fn scanned_tag(parsed: &Parsed, tracking: Tracking, today: NaiveDate) -> Result<Option<LineTag>, LotError> {
    let (kind, ai) = match tracking {
        Tracking::None => return Ok(None),
        Tracking::Lot => (LotKind::Lot, "10"),
        Tracking::Serial => (LotKind::Serial, "21"),
    };
    let Some(code) = parsed.ai(ai) else { return Ok(None) };
    let expiry = parsed.ai("17").map(|raw| lot::gs1_date(&raw, today)).transpose()?;
    // The core's checks on the code (length, characters) before the line is kept.
    let tag = LotTag::new(kind, &code, expiry)?;
    Ok(Some(LineTag {
        kind: tag_kind(tracking).expect("tracked"),
        code: tag.code,
        expiry: tag.expiry.map(|d| d.to_string()),
    }))
}

/// A lot rule broken: the store's error, as every other movement's lot refusal.
fn lot_refused(error: LotError) -> AppError {
    AppError::Store(error.into())
}

/// A commit line's tag as core's, checked again: the webview's draft is input like any other.
pub fn line_tag(tag: Option<&LineTag>) -> Result<Option<LotTag>> {
    let Some(tag) = tag else { return Ok(None) };
    let kind = match tag.kind {
        TagKind::Lot => LotKind::Lot,
        TagKind::Serial => LotKind::Serial,
    };
    let expiry = tag.expiry.as_deref().map(lot::parse_expiry).transpose().map_err(lot_refused)?;
    Ok(Some(LotTag::new(kind, &tag.code, expiry).map_err(lot_refused)?))
}

/// Records a scan log line by line as `user`. Stops at the first line that fails and says
/// which; the lines before it stay recorded (each is its own durable event or count entry).
pub fn commit(
    store: &mut Store,
    user: &User,
    workstation: &str,
    request: CommitRequest,
) -> Result<CommitResult> {
    if request.lines.is_empty() {
        return Err(FloorRefusal::NothingToCommit.into());
    }
    if request.lines.len() > MAX_COMMIT_LINES {
        return Err(FloorRefusal::TooManyLines { max: MAX_COMMIT_LINES }.into());
    }
    let location = LocationCode::new(request.location.trim()).map_err(|_| FloorRefusal::NoLocation)?;
    if !store.location_exists(location.as_str())? {
        return Err(StoreError::UnknownLocation(location.to_string()).into());
    }
    let reason = request.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_string);
    let to = match (&request.mode, request.to_location.as_deref().map(str::trim)) {
        (StationMode::Transfer, Some(to)) if !to.is_empty() => {
            Some(LocationCode::new(to).map_err(|_| FloorRefusal::BadDestination)?)
        }
        (StationMode::Transfer, _) => {
            return Err(FloorRefusal::NoDestination.into());
        }
        _ => None,
    };
    let session = match (&request.mode, request.session.as_deref()) {
        (StationMode::Count, Some(id)) if !id.trim().is_empty() => Some(id.trim().to_string()),
        (StationMode::Count, _) => {
            return Err(FloorRefusal::NoCount.into());
        }
        _ => None,
    };
    let mode = match (request.mode, to) {
        (StationMode::Lookup, _) => {
            return Err(FloorRefusal::LookupRecordsNothing.into());
        }
        (StationMode::Count, _) => shelfsync_core::StationMode::Count,
        (StationMode::Damage, _) => shelfsync_core::StationMode::Damage,
        (StationMode::Receive, _) => shelfsync_core::StationMode::Receive,
        (StationMode::Transfer, to) => {
            shelfsync_core::StationMode::Transfer { to: to.expect("checked above") }
        }
    };
    if mode.needs_reason() && reason.is_none() {
        return Err(FloorRefusal::NoDamageReason.into());
    }

    // Line ids first, so a bad one refuses the whole commit before anything is recorded.
    let mut ids = Vec::with_capacity(request.lines.len());
    for (index, line) in request.lines.iter().enumerate() {
        let id = match line.id.as_deref() {
            Some(raw) => Uuid::parse_str(raw.trim()).map_err(|_| {
                AppError::BadRequest(format!("Line {}: '{raw}' is not a line id (a UUID).", index + 1))
            })?,
            None => Uuid::now_v7(),
        };
        if ids.contains(&id) {
            return Err(AppError::BadRequest(format!("Line {}: its id {id} is used twice.", index + 1)));
        }
        ids.push(id);
    }

    let mut result =
        CommitResult { committed: 0, awaiting_approval: 0, failed_index: None, error: None, refusal: None };
    let mut recorded = HashSet::new();
    for (index, (line, id)) in request.lines.iter().zip(&ids).enumerate() {
        let outcome = (|| -> Result<bool> {
            // Already recorded under this id: a commit retried after a crash, or a second
            // press of Commit. It counts as committed and records nothing.
            match store.line_record(&id.to_string())? {
                LineRecord::Posted => return Ok(false),
                LineRecord::AwaitingApproval => return Ok(true),
                LineRecord::New => {}
            }
            // The line's code: a SKU, or a pack's barcode that books its units (issue 21).
            let code = line.sku.trim();
            let tag = line_tag(line.tag.as_ref())?;
            let resolved = store.resolve_units(code)?;
            let sku = resolved.sku.clone();
            let movement = match mode.record(sku.clone(), &location, resolved.units_for(line.qty)?) {
                StationRecord::Movement(movement) => movement,
                StationRecord::CountEntry => {
                    let session = session.as_deref().expect("checked above");
                    let line_id = id.to_string();
                    store.count_scan_lot_line(
                        session,
                        code,
                        i64::from(line.qty),
                        false,
                        tag.as_ref(),
                        user,
                        workstation,
                        Some(&line_id),
                    )?;
                    return Ok(false);
                }
                StationRecord::Nothing => unreachable!("look-up mode is refused above"),
            };
            // The line's id is the event's, so a retried commit finds its own event.
            let mut event = Event::with_identity(*id, Utc::now(), movement, &user.name, workstation)
                .with_reference("scan-station")
                .with_lot(tag);
            if let Some(reason) = &reason {
                event = event.with_reason(reason.clone());
            }
            match store.request_movement(&event, Some(user))? {
                MovementRequest::Posted { .. } => Ok(false),
                MovementRequest::AwaitingApproval { .. } => Ok(true),
            }
        })();
        match outcome {
            Ok(parked) => {
                result.committed += 1;
                result.awaiting_approval += u32::from(parked);
                recorded.insert(id.to_string());
            }
            Err(error) => {
                result.failed_index = Some(index as u32);
                result.error = Some(format!("{}: {error}", line.sku));
                result.refusal = Some(error.to_ipc());
                break;
            }
        }
    }
    crate::drafts::forget_committed(store, &user.name, workstation, &recorded)?;
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_long_scan_is_cut_at_a_character_whatever_it_holds() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("station.db")).unwrap();
        let over = MAX_SCAN_LEN + 1;
        // (case, scan, the 40 characters shown back)
        let cases: [(&str, String, String); 6] = [
            ("ascii", "A".repeat(over), "A".repeat(40)),
            ("two-byte", "é".repeat(over), "é".repeat(40)),
            ("three-byte", "€".repeat(over), "€".repeat(40)),
            ("emoji", "📦".repeat(over), "📦".repeat(40)),
            // Byte 40 falls inside the emoji after 39 ASCII characters.
            (
                "emoji across byte 40",
                format!("{}{}", "A".repeat(39), "📦".repeat(over)),
                format!("{}📦", "A".repeat(39)),
            ),
            ("combining marks", "e\u{301}".repeat(over), "e\u{301}".repeat(20)),
        ];
        for (case, scan, shown) in cases {
            assert!(scan.len() > MAX_SCAN_LEN, "{case}");
            let outcome = classify_data(&store, "wedge", &scan);
            assert_eq!(outcome.kind, ScanKind::Error, "{case}");
            assert_eq!(outcome.data, shown, "{case}");
            assert_eq!(outcome.message.as_deref(), Some("The scan was too long to be a barcode."), "{case}");
        }
        // Short multi-byte input is within bounds and shown whole.
        for short in ["", "é", "📦📦", "A📦"] {
            assert_eq!(first_chars(short, SHOWN_CHARS), short);
        }
        assert_eq!(first_chars("A📦B", 2), "A📦");
    }
}
