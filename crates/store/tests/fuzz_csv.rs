//! Fuzz target for the CSV imports (items, locations, stock) on a real SQLite file: the corpus
//! in `tests/corpus/csv/` (byte 0 picks the import, the rest is the file), then mutations of
//! it. The property: no panic; a refused file gives a one-line error per bad line and leaves
//! every table byte-for-byte as it was; an accepted stock file adds one receive event per row
//! and the projection still equals the rebuild from events.
//!
//! Each run starts from a fresh seed (printed; `SHELFSYNC_FUZZ_SEED` replays it), runs at least
//! `harness::MIN_CASES` mutated cases (about 500 a second here), and a failing input is written
//! into `tests/corpus/csv/` as `crash-<hash>`, replayed first by every later run.

mod common;
#[path = "../../scan/tests/corpus/harness.rs"]
mod harness;

use std::cell::RefCell;

use harness::{fuzz, one_line};
use sha2::{Digest, Sha256};
use shelfsync_store::{Store, StoreError};

const DIR: &str = env!("CARGO_MANIFEST_DIR");

/// Every row of every table, hashed: "nothing changed" means this is equal.
fn fingerprint(store: &Store) -> String {
    let conn = shelfsync_store::testing::connection(&store);
    let mut tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    tables.retain(|t| !t.starts_with("sqlite_"));
    let mut hash = Sha256::new();
    for table in tables {
        // Some tables are WITHOUT ROWID: rows are sorted here instead.
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let cols = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        let mut lines = Vec::new();
        while let Some(row) = rows.next().unwrap() {
            let values: Vec<rusqlite::types::Value> = (0..cols).map(|i| row.get(i).unwrap()).collect();
            lines.push(format!("{table}:{values:?}"));
        }
        lines.sort();
        for line in lines {
            hash.update(line.as_bytes());
        }
    }
    hex::encode(hash.finalize())
}

fn import(store: &mut Store, kind: u8, csv: &[u8]) -> Result<usize, StoreError> {
    match kind % 3 {
        0 => store.import_items(csv, "tester", "ws-test"),
        1 => store.import_locations(csv, "tester", "ws-test"),
        _ => store.import_stock(csv, "fuzz", "ws-fuzz"),
    }
    .map(|s| s.rows)
}

fn check(store: &RefCell<Store>, input: &[u8]) -> Result<(), String> {
    let Some((&kind, csv)) = input.split_first() else { return Ok(()) };
    let mut store = store.borrow_mut();
    let before = fingerprint(&store);
    let events_before = store.event_count().map_err(|e| e.to_string())?;
    match import(&mut store, kind, csv) {
        Err(e) => {
            one_line(&e.to_string())?;
            if let StoreError::Csv(lines) = &e {
                for line in lines {
                    one_line(&line.message)?;
                }
            }
            if fingerprint(&store) != before {
                return Err(format!("refused import ({e}) changed the database"));
            }
        }
        Ok(rows) => {
            let added = store.event_count().map_err(|e| e.to_string())? - events_before;
            let want = if kind % 3 == 2 { rows as u64 } else { 0 };
            if added != want {
                return Err(format!("{rows} rows imported, {added} events added"));
            }
            if !store.projection_matches_rebuild().map_err(|e| e.to_string())? {
                return Err("projection differs from the rebuild after an import".into());
            }
        }
    }
    Ok(())
}

#[test]
fn fuzz_csv_imports() {
    let (_dir, store) = common::fresh_store();
    let store = RefCell::new(store);
    let report = fuzz(DIR, "csv", |input| check(&store, input));
    assert!(report.mutated_cases >= harness::MIN_CASES, "{report:?}");
    let store = store.into_inner();
    assert_eq!(store.integrity_check().unwrap(), "ok");
}
