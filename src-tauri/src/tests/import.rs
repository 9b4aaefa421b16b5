//! The CSV import: what it writes, what it refuses, and its progress while the store is held.

use crate::commands;
use crate::error::AppError;
use crate::ipc::*;
use crate::state::{AppState, DemoPolicy};

// ---- CSV import --------------------------------------------------------------------------------

/// An empty database (no demo, so it is quick) with two locations, one item and a user of
/// each role; signed out.
fn import_fixture() -> (tempfile::TempDir, AppState) {
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::new(dir.path().join("import.db"));
    state.boot(DemoPolicy::Never);
    {
        let mut store = state.store().unwrap();
        let admin = store.add_user("ada", shelfsync_core::Role::Admin, "2468", None, "test").unwrap();
        store.add_user("sam", shelfsync_core::Role::Supervisor, "1357", Some(&admin), "test").unwrap();
        store.add_user("tim", shelfsync_core::Role::Staff, "1122", Some(&admin), "test").unwrap();
        store.import_locations("code,name\nWH1,Main\nWH2,Back\n".as_bytes(), "tester", "ws-test").unwrap();
        store
            .import_items(
                "sku,name,unit_cost,category,safety_stock,barcodes\nA-1,Bolt,0.10,parts,5,\n".as_bytes(),
                "tester",
                "ws-test",
            )
            .unwrap();
    }
    (dir, state)
}

/// Everything an import could change.
fn import_footprint(state: &AppState) -> String {
    let store = state.store().unwrap();
    format!(
        "{}|{:?}|{:?}|{:?}",
        store.event_count().unwrap(),
        store.items().unwrap(),
        store.locations().unwrap(),
        store.stock(&shelfsync_store::StockFilter::default()).unwrap()
    )
}

const ITEMS_HEADER: &str = "sku,name,unit_cost,category,safety_stock,barcodes\n";

#[test]
fn import_writes_items_locations_and_stock_and_reports_progress_to_the_end() {
    let (_dir, state) = import_fixture();
    assert!(matches!(crate::import::import_progress(&state), Err(AppError::SignedOut)));
    commands::sign_in(&state, "ada".into(), "2468".into()).unwrap();
    assert_eq!(crate::import::import_progress(&state).unwrap(), None, "no import yet");
    let mut items = String::from(ITEMS_HEADER);
    for n in 0..1_203 {
        items.push_str(&format!("N-{n:04},Nut {n},0.05,parts,0,\n"));
    }
    let status = crate::import::import_csv(&state, "items".into(), items).unwrap();
    assert_eq!(
        (status.kind, status.done, status.total, status.finished, status.imported),
        (ImportKind::Items, 1_203, 1_203, true, Some(1_203))
    );
    assert_eq!((status.error, status.bad_lines.len(), status.started_by.as_str()), (None, 0, "ada"));
    assert_eq!(commands::item_lookup(&state, "N-1202".into()).unwrap().name, "Nut 1202");

    let status =
        crate::import::import_csv(&state, "locations".into(), "code,name\nWH3,Annex\n".into()).unwrap();
    assert_eq!(status.imported, Some(1));

    // Stock is for supervisors too; the events carry who received it.
    commands::sign_in(&state, "sam".into(), "1357".into()).unwrap();
    let stock = "sku,location,qty\nA-1,WH3,7\nN-0001,WH1,2\n";
    let status = crate::import::import_csv(&state, " stock ".into(), stock.into()).unwrap();
    assert_eq!((status.kind, status.imported), (ImportKind::Stock, Some(2)));
    let events = commands::recent_events(&state, Some("A-1".into()), Some(1)).unwrap();
    assert_eq!(events[0].actor, "sam");
    commands::sign_in(&state, "tim".into(), "1122".into()).unwrap();
    assert_eq!(crate::import::import_progress(&state).unwrap().unwrap().imported, Some(2), "staff see it");
}

/// Every refusal: a clear message, the database as it was, and (for bad lines) the lines in
/// `import_progress`.
#[test]
fn import_refuses_bad_input_with_a_clear_message_and_changes_nothing() {
    let (_dir, state) = import_fixture();
    let oversized = format!("{ITEMS_HEADER}{}", "X-1,Big,1.00,parts,0,\n".repeat(1_600_000));
    assert!(oversized.len() > crate::import::MAX_IMPORT_BYTES);
    let bad_rows = "sku,location,qty\nA-1,WH1,3\nA-1,WH1,x\nA-1,WH1,0\n";
    // (user, kind, text, message, bad lines in import_progress)
    let cases: Vec<(&str, &str, String, &str, Vec<u64>)> = vec![
        (
            "ada",
            "widgets",
            ITEMS_HEADER.into(),
            "Unknown import 'widgets': choose items, locations, stock or packs.",
            vec![],
        ),
        ("ada", "", ITEMS_HEADER.into(), "Unknown import ''", vec![]),
        ("tim", "stock", "sku,location,qty\nA-1,WH1,1\n".into(), "may not import stock", vec![]),
        ("sam", "items", format!("{ITEMS_HEADER}B-1,B,1.00,parts,0,\n"), "may not import items", vec![]),
        ("sam", "locations", "code,name\nWH9,Nine\n".into(), "may not import locations", vec![]),
        ("ada", "items", "".into(), "The file is empty", vec![]),
        ("ada", "items", " \n\n".into(), "The file is empty", vec![]),
        ("ada", "items", ITEMS_HEADER.into(), "header but no rows", vec![]),
        ("ada", "items", oversized, "at most 32 MiB", vec![]),
        ("ada", "stock", "sku,qty\nA-1,1\n".into(), "missing column(s) location", vec![]),
        ("ada", "stock", bad_rows.into(), "line 3: qty 'x' must be a whole number from 1 to", vec![3, 4]),
        // Line 2 passes parsing and is written, then rolled back with the unknown SKU.
        ("ada", "stock", "sku,location,qty\nA-1,WH1,3\nZZ-9,WH1,1\n".into(), "line 3:", vec![3]),
        (
            "ada",
            "items",
            format!("{ITEMS_HEADER}B-1,,1.00,parts,0,\n"),
            "line 2: name must not be empty",
            vec![2],
        ),
        ("ada", "locations", "code,name\n,Nameless\n".into(), "line 2:", vec![2]),
    ];
    for (user, kind, text, message, lines) in cases {
        let pin = match user {
            "ada" => "2468",
            "sam" => "1357",
            _ => "1122",
        };
        commands::sign_in(&state, user.into(), pin.into()).unwrap();
        let before = import_footprint(&state);
        let label = format!("{user} {kind:?} {:?}", text.get(..40.min(text.len())).unwrap_or(""));
        let error = crate::import::import_csv(&state, kind.into(), text).unwrap_err();
        assert!(error.to_string().contains(message), "{label}: {error}");
        assert_eq!(import_footprint(&state), before, "{label}: the database changed");
        if !lines.is_empty() {
            let status = crate::import::import_progress(&state).unwrap().unwrap();
            let got: Vec<u64> = status.bad_lines.iter().map(|l| l.line).collect();
            assert_eq!(got, lines, "{label}");
            assert!(status.finished && status.imported.is_none() && status.done < status.total.max(1));
            assert_eq!(status.error.as_deref(), Some(error.to_string().as_str()));
        }
    }
    // A refused import does not block the next one.
    commands::sign_in(&state, "ada".into(), "2468".into()).unwrap();
    let ok =
        crate::import::import_csv(&state, "items".into(), format!("{ITEMS_HEADER}C-1,Cog,2.00,parts,1,\n"));
    assert_eq!(ok.unwrap().imported, Some(1));
}

/// The bar moves while the import holds the store: `import_progress` never takes the store
/// lock, and a second import meanwhile is refused at once rather than queued behind it. Held
/// here by the test itself, so nothing depends on timing.
#[test]
fn import_progress_answers_while_the_store_is_held_and_a_second_import_is_refused() {
    let (_dir, state) = import_fixture();
    commands::sign_in(&state, "ada".into(), "2468".into()).unwrap();
    let held = state.store().unwrap();
    std::thread::scope(|scope| {
        let running = scope.spawn(|| {
            crate::import::import_csv(&state, "stock".into(), "sku,location,qty\nA-1,WH1,4\n".into())
        });
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let status = loop {
            if let Some(status) = crate::import::import_progress(&state).unwrap() {
                break status;
            }
            assert!(std::time::Instant::now() < deadline, "the import never started");
            std::thread::sleep(std::time::Duration::from_millis(5));
        };
        assert_eq!(
            (status.kind, status.finished, status.done, status.total),
            (ImportKind::Stock, false, 0, 0)
        );
        let error = crate::import::import_csv(&state, "locations".into(), "code,name\nWH7,Seven\n".into())
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "An import is already running (started by ada). Wait for it to finish."
        );
        drop(held);
        let done = running.join().unwrap().unwrap();
        assert_eq!((done.finished, done.done, done.total, done.imported), (true, 1, 1, Some(1)));
    });
    let received = commands::recent_events(&state, Some("A-1".into()), Some(1)).unwrap();
    assert_eq!((received[0].kind.as_str(), received[0].actor.as_str()), ("receive", "ada"));
    assert_eq!(crate::import::import_progress(&state).unwrap().unwrap().imported, Some(1));
}

// ---- Packs (issue 21): the CLI's `import packs` through the same path ----------------------------

const PACKS_HEADER: &str = "barcode,sku,qty\n";

/// Everything a packs import could change: the rest of the catalogue and stock, the packs, and
/// the `import.packs` audit entries.
fn packs_footprint(state: &AppState) -> String {
    let audited = state
        .store()
        .unwrap()
        .audit_entries(&shelfsync_store::AuditFilter {
            kind: Some("import.packs".into()),
            ..Default::default()
        })
        .map(|page| page.entries.len())
        .unwrap_or(0);
    let packs = state.store().unwrap().packs(None).unwrap();
    format!("{}|{packs:?}|{audited}", import_footprint(state))
}

#[test]
fn packs_import_for_admins_books_a_packs_units_and_is_audited() {
    let (_dir, state) = import_fixture();
    commands::sign_in(&state, "ada".into(), "2468".into()).unwrap();
    // A case of 12 under a GTIN-14 (given as 14 digits) and an internal inner of 3.
    let csv = format!("{PACKS_HEADER}14006381333938,A-1,12\nA-1-IN3,A-1,3\n");
    let status = crate::import::import_csv(&state, "packs".into(), csv).unwrap();
    assert_eq!(
        (status.kind, status.done, status.total, status.finished, status.imported, status.error),
        (ImportKind::Packs, 2, 2, true, Some(2), None)
    );
    let packs: Vec<(String, String, u32)> =
        state.store().unwrap().packs(None).unwrap().into_iter().map(|p| (p.barcode, p.sku, p.qty)).collect();
    assert_eq!(packs, vec![("14006381333938".into(), "A-1".into(), 12), ("A-1-IN3".into(), "A-1".into(), 3)]);
    let audit = state
        .store()
        .unwrap()
        .audit_entries(&shelfsync_store::AuditFilter {
            kind: Some("import.packs".into()),
            ..Default::default()
        })
        .unwrap();
    let entry = &audit.entries[0];
    assert_eq!(
        (audit.entries.len(), entry.actor.as_str(), entry.detail.as_str()),
        (1, "ada", r#"{"rows":2}"#)
    );
    // The pack's barcode now books its units: the scan takes it for its item.
    assert_eq!(commands::item_lookup(&state, "A-1-IN3".into()).unwrap().sku, "A-1");
}

/// Every refusal of a packs file: one clear message naming the line, and nothing changed, not
/// even the rows before the bad one.
#[test]
fn packs_import_refuses_a_bad_row_or_role_and_changes_nothing() {
    let (_dir, state) = import_fixture();
    commands::sign_in(&state, "ada".into(), "2468".into()).unwrap();
    let first = format!("{PACKS_HEADER}A-1-C6,A-1,6\n");
    crate::import::import_csv(&state, "packs".into(), first).unwrap();
    let good = "A-1-C12,A-1,12\n";
    // (user, text, message, bad lines in import_progress)
    let cases: Vec<(&str, String, &str, Vec<u64>)> = vec![
        ("sam", format!("{PACKS_HEADER}{good}"), "may not import items", vec![]),
        ("tim", format!("{PACKS_HEADER}{good}"), "may not import items", vec![]),
        ("ada", PACKS_HEADER.into(), "header but no rows", vec![]),
        ("ada", "barcode,sku\nA-1-C12,A-1\n".into(), "missing column(s) qty", vec![]),
        (
            "ada",
            format!("{PACKS_HEADER}{good}A-1-C0,A-1,0\n"),
            "line 3: qty '0' must be a whole number of units from 1 to 100000",
            vec![3],
        ),
        ("ada", format!("{PACKS_HEADER}{good}A-1-CX,A-1,twelve\n"), "line 3: qty 'twelve'", vec![3]),
        // Line 2 is written, then rolled back with the unknown SKU on line 3.
        ("ada", format!("{PACKS_HEADER}{good}Z-C2,ZZ-9,2\n"), "line 3:", vec![3]),
        (
            "ada",
            format!("{PACKS_HEADER}{good}A-1-C12,A-1,24\n"),
            "line 3: barcode 'A-1-C12' is already on line 2 of this file",
            vec![3],
        ),
        ("ada", format!("{PACKS_HEADER}{good}A-1,A-1,12\n"), "line 3:", vec![3]),
    ];
    for (user, text, message, lines) in cases {
        let pin = match user {
            "ada" => "2468",
            "sam" => "1357",
            _ => "1122",
        };
        commands::sign_in(&state, user.into(), pin.into()).unwrap();
        let before = packs_footprint(&state);
        let label = format!("{user} {text:?}");
        let error = crate::import::import_csv(&state, "packs".into(), text).unwrap_err();
        assert!(error.to_string().contains(message), "{label}: {error}");
        assert_eq!(packs_footprint(&state), before, "{label}: the database changed");
        if !lines.is_empty() {
            let status = crate::import::import_progress(&state).unwrap().unwrap();
            let got: Vec<u64> = status.bad_lines.iter().map(|l| l.line).collect();
            assert_eq!((status.kind, got), (ImportKind::Packs, lines), "{label}");
            assert!(status.finished && status.imported.is_none());
        }
    }
    let packs = state.store().unwrap().packs(None).unwrap();
    assert_eq!(packs.len(), 1, "only the first file's pack: {packs:?}");
}
