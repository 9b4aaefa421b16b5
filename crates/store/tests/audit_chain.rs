//! Tampering with a copy of the database: verify names the first broken entry.

mod common;

use common::*;
use rusqlite::Connection;
use shelfsync_store::Store;

/// Builds a database with ten receive events (audit entries 1..=10) and returns a copy path.
fn tampered_copy(tamper: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, mut store) = fresh_store();
    for i in 0..10 {
        store.append(&receive("S1", "WH1", i + 1)).unwrap();
    }
    let copy = dir.path().join("copy.db");
    shelfsync_store::testing::connection(&store).execute("VACUUM INTO ?1", [copy.to_str().unwrap()]).unwrap();
    drop(store);
    let conn = Connection::open(&copy).unwrap();
    conn.execute_batch(tamper).unwrap();
    drop(conn);
    (dir, copy)
}

#[test]
fn verify_names_the_first_broken_entry() {
    // (name, tampering SQL, the entry verify must name and a word of its reason)
    type Case<'a> = (&'a str, &'a str, Option<(i64, &'a str)>);
    let cases: &[Case] = &[
        ("untouched", "", None),
        ("edit an entry's actor", "UPDATE audit SET actor = 'mallory' WHERE seq = 4", Some((4, "edited"))),
        ("edit an entry's detail", "UPDATE audit SET detail = 'x' WHERE seq = 7", Some((7, "edited"))),
        ("delete a middle entry", "DELETE FROM audit WHERE seq = 5", Some((6, "missing"))),
        (
            "reorder two entries",
            "UPDATE audit SET seq = -3 WHERE seq = 3; UPDATE audit SET seq = 3 WHERE seq = 6; UPDATE audit SET seq = 6 WHERE seq = -3;",
            Some((3, "deleted or moved")),
        ),
        (
            "rewrite an event body",
            "UPDATE events SET body = replace(body, '\"qty\":8', '\"qty\":80') WHERE seq = 8",
            Some((8, "does not match")),
        ),
        ("cut the tail of the chain", "DELETE FROM audit WHERE seq = 10", Some((10, "no audit entry"))),
    ];
    for (name, tamper, want) in cases {
        let (_dir, copy) = tampered_copy(tamper);
        let report = Store::open(&copy).unwrap().verify_audit().unwrap();
        match (want, report.first_break) {
            (None, None) => assert_eq!(report.entries, 10, "{name}"),
            (Some((seq, why)), Some(found)) => {
                assert_eq!(found.seq, *seq, "{name}: {}", found.reason);
                assert!(found.reason.contains(why), "{name}: {}", found.reason);
            }
            (want, got) => panic!("{name}: wanted {want:?}, got {got:?}"),
        }
    }
}
