//! Progress of a CSV import, on a real SQLite file: the reports climb, end at the row count
//! only once the rows are committed, and a refused import (bad line, or a row the database
//! rejects half-way through the write) leaves the database as it was.

mod common;

use common::{LOCATIONS, SKUS, fresh_store};
use shelfsync_store::{ImportKind, PROGRESS_EVERY, StockFilter, Store, StoreError};

const STOCK: ImportKind<'static> = ImportKind::Stock { actor: "tester", workstation: "ws-test" };

fn items_csv(rows: usize) -> String {
    let mut csv = String::from("sku,name,unit_cost,category,safety_stock,barcodes\n");
    for n in 0..rows {
        csv.push_str(&format!("P{n:05},Part {n},1.25,parts,2,\n"));
    }
    csv
}

fn stock_csv(rows: usize) -> String {
    let mut csv = String::from("sku,location,qty\n");
    for n in 0..rows {
        csv.push_str(&format!("{},{},1\n", SKUS[n % SKUS.len()], LOCATIONS[n % LOCATIONS.len()]));
    }
    csv
}

/// What an import could change: every event, item, location and stock row.
fn snapshot(store: &Store) -> String {
    format!(
        "{}|{:?}|{:?}|{:?}",
        store.event_count().unwrap(),
        store.items().unwrap(),
        store.locations().unwrap(),
        store.stock(&StockFilter::default()).unwrap()
    )
}

fn import_recording(
    store: &mut Store,
    kind: ImportKind<'_>,
    csv: &str,
) -> (Result<usize, StoreError>, Vec<(usize, usize)>) {
    let mut calls = Vec::new();
    let result = store.import(kind, csv.as_bytes(), &mut |done, total| calls.push((done, total)));
    (result.map(|s| s.rows), calls)
}

#[test]
fn progress_climbs_by_the_step_and_ends_at_the_total_after_the_commit() {
    let sizes = [1, PROGRESS_EVERY - 1, PROGRESS_EVERY, 2 * PROGRESS_EVERY + 7];
    for (kind, make) in [
        (ImportKind::Items { actor: "tester", workstation: "ws-test" }, items_csv as fn(usize) -> String),
        (STOCK, stock_csv),
    ] {
        for rows in sizes {
            let (_dir, mut store) = fresh_store();
            let (result, calls) = import_recording(&mut store, kind, &make(rows));
            assert_eq!(result.unwrap(), rows, "{kind:?} x {rows}");
            let mut expected = vec![(0, rows)];
            expected.extend((1..).map(|k| k * PROGRESS_EVERY).take_while(|&d| d < rows).map(|d| (d, rows)));
            expected.push((rows, rows));
            assert_eq!(calls, expected, "{kind:?} x {rows}");
        }
    }
}

#[test]
fn the_plain_imports_write_what_the_progress_import_writes() {
    let (_dir, mut plain) = fresh_store();
    let (_dir2, mut reported) = fresh_store();
    plain.import_stock(stock_csv(30).as_bytes(), "tester", "ws-test").unwrap();
    import_recording(&mut reported, STOCK, &stock_csv(30)).0.unwrap();
    assert_eq!(
        plain.stock(&StockFilter::default()).unwrap(),
        reported.stock(&StockFilter::default()).unwrap()
    );
}

/// A refused file: the expected first bad line, no report reaching the total, nothing written.
#[test]
fn a_refused_import_reports_its_lines_stops_short_and_writes_nothing() {
    let late_bad_row = format!("{}NOPE,WH1,1\n", stock_csv(PROGRESS_EVERY + 10));
    let cases: [(&str, ImportKind<'_>, String, u64); 5] = [
        ("bad qty at parse", STOCK, "sku,location,qty\nS1,WH1,2\nS2,WH1,x\n".into(), 3),
        (
            "bad cost at parse",
            ImportKind::Items { actor: "tester", workstation: "ws-test" },
            format!("{}P9,Nine,abc,parts,1,\n", items_csv(3)),
            5,
        ),
        (
            "unknown parent at write",
            ImportKind::Locations { actor: "tester", workstation: "ws-test" },
            "code,name,parent\nA1,Aisle,WH1\nB1,Bay,ZZ9\n".into(),
            3,
        ),
        // Rows before it are written inside the transaction, then rolled back.
        ("unknown SKU at write", STOCK, late_bad_row, PROGRESS_EVERY as u64 + 12),
        ("stock into an unknown location", STOCK, "sku,location,qty\nS1,WH1,1\nS1,NOWHERE,1\n".into(), 3),
    ];
    for (name, kind, csv, bad_line) in cases {
        let (_dir, mut store) = fresh_store();
        let before = snapshot(&store);
        let (result, calls) = import_recording(&mut store, kind, &csv);
        match result {
            Err(StoreError::Csv(errors)) => assert_eq!(errors[0].line, bad_line, "{name}: {errors:?}"),
            other => panic!("{name}: expected line errors, got {other:?}"),
        }
        assert!(calls.iter().all(|(done, total)| done < total), "{name}: {calls:?}");
        assert!(calls.windows(2).all(|w| w[0].0 < w[1].0), "{name}: {calls:?}");
        assert_eq!(snapshot(&store), before, "{name}: the database changed");
    }
}
