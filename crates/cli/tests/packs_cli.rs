//! `shelfsync import packs`, `pack list|remove` and a pack's barcode in `count scan`, through
//! the real binary on a real database: a pack scan counts its qty units, every bad file is one
//! `error: line N: ...` with the database unchanged, and a kit's count is refused at its start.

mod support;

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use support::{shelfsync, write};

const ADMIN: [(&str, &str); 2] = [("SHELFSYNC_USER", "ada"), ("SHELFSYNC_PIN", "1111")];
const MUG_CASE: &str = "14006381333938";

fn ok(db: &Path, args: &[&str]) -> Value {
    let out = shelfsync(db, &[args, &["--json"]].concat(), &ADMIN);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Everything a pack command could change, read through the CLI itself.
fn fingerprint(db: &Path) -> String {
    let packs = ok(db, &["pack", "list"]);
    let events = ok(db, &["events"]);
    let audit = shelfsync(db, &["audit", "verify", "--json"], &[]);
    format!("{packs}{events}{}", String::from_utf8_lossy(&audit.stdout))
}

fn fails(db: &Path, args: &[&str], want: &str) {
    let before = fingerprint(db);
    let out = shelfsync(db, args, &ADMIN);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{args:?} should fail");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: one line, got {stderr:?}");
    assert!(stderr.starts_with(&format!("error: {want}")), "{args:?}: got {stderr:?}, want {want:?}");
    assert_eq!(fingerprint(db), before, "{args:?} changed the database");
}

/// A mug with its own GTIN and 100 in stock, a cap, a gift set (a kit of two mugs and a cap),
/// and an admin.
fn setup(dir: &Path) -> PathBuf {
    let db = dir.join("packs.db");
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let out = shelfsync(&db, args, env);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    run(&["init"], &[]);
    let files = [
        ("locations", write(dir, "l.csv", "code,name\nWH1,Main\n")),
        (
            "items",
            write(
                dir,
                "i.csv",
                "sku,name,unit_cost,category,safety_stock,barcodes\nMUG,Mug,2.00,home,0,4006381333931\nCAP,Cap,5.00,home,0,\nGIFT,Gift set,9.00,home,0,\n",
            ),
        ),
        ("stock", write(dir, "s.csv", "sku,location,qty\nMUG,WH1,100\nCAP,WH1,10\n")),
    ];
    for (kind, file) in &files {
        run(&["import", kind, file], &[]);
    }
    run(&["kit", "set", "GIFT", "--component", "MUG:2", "--component", "CAP:1"], &[]);
    run(&["user", "add", "ada", "--role", "admin"], &[("SHELFSYNC_NEW_PIN", "1111")]);
    db
}

#[test]
fn packs_import_list_count_and_remove() {
    let dir = tempfile::tempdir().unwrap();
    let db = setup(dir.path());
    let file = write(dir.path(), "p.csv", "barcode,sku,qty\n14006381333938,MUG,12\nCAP-6PK,CAP,6\n");
    assert_eq!(ok(&db, &["import", "packs", &file]), json!({ "imported": "packs", "rows": 2 }));
    assert_eq!(
        ok(&db, &["pack", "list"]),
        json!([
            { "barcode": MUG_CASE, "sku": "MUG", "qty": 12 },
            { "barcode": "CAP-6PK", "sku": "CAP", "qty": 6 },
        ])
    );
    assert_eq!(ok(&db, &["pack", "list", "--sku", "CAP"]).as_array().unwrap().len(), 1);

    let session = ok(&db, &["count", "start", "--location", "WH1", "--sku", "MUG", "--sku", "CAP"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    // (code scanned, QTY, units counted by that scan)
    let scans: &[(&str, &str, i64)] =
        &[(MUG_CASE, "2", 24), ("4006381333931", "1", 1), ("MUG", "3", 3), ("CAP-6PK", "1", 6)];
    for (code, qty, units) in scans {
        let out = ok(&db, &["count", "scan", &session, code, qty]);
        assert_eq!(out["units"], *units, "{code} x{qty}: {out}");
    }
    let text = shelfsync(&db, &["count", "scan", &session, MUG_CASE, "1"], &ADMIN);
    assert_eq!(
        String::from_utf8_lossy(&text.stdout).trim(),
        format!("counted 12 x MUG (1 x pack {MUG_CASE} of 12)")
    );
    let view = ok(&db, &["count", "show", &session]);
    let counted = |sku: &str| {
        view["lines"].as_array().unwrap().iter().find(|l| l["sku"] == sku).map(|l| l["counted"].clone())
    };
    assert_eq!((counted("MUG"), counted("CAP")), (Some(json!(40)), Some(json!(6))));

    let removed = ok(&db, &["pack", "remove", "CAP-6PK"]);
    assert_eq!(removed["removed"], json!({ "barcode": "CAP-6PK", "sku": "CAP", "qty": 6 }));
    fails(&db, &["count", "scan", &session, "CAP-6PK", "1"], "unknown barcode 'CAP-6PK'");
    fails(&db, &["pack", "remove", "CAP-6PK"], "no pack has barcode 'CAP-6PK'");
}

#[test]
fn bad_pack_files_are_one_line_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = setup(dir.path());
    let good = write(dir.path(), "good.csv", "barcode,sku,qty\n14006381333938,MUG,12\n");
    ok(&db, &["import", "packs", &good]);
    // (case, file body after the header and a good line 2, the error)
    let cases: &[(&str, &str, &str)] = &[
        ("qty zero", "MUG-0,MUG,0", "line 3: qty '0' must be a whole number of units from 1 to 100000"),
        (
            "qty too big",
            "MUG-X,MUG,250000",
            "line 3: qty '250000' must be a whole number of units from 1 to 100000",
        ),
        ("unknown sku", "BOX-2,BOX,2", "line 3: unknown SKU 'BOX'"),
        (
            "duplicate barcode",
            "MUG-6,MUG,6\nMUG-6,MUG,8",
            "line 4: barcode 'MUG-6' is already on line 3 of this file",
        ),
        (
            "an item barcode",
            "4006381333931,MUG,6",
            "line 3: barcode '04006381333931' is already an item barcode of SKU 'MUG' (one unit)",
        ),
        ("a kit", "GIFT-2,GIFT,2", "line 3: 'GIFT' is a kit: a pack holds units of one item"),
    ];
    for (case, rows, want) in cases {
        // The file is named after its case, so a failure names it.
        let name = format!("{}.csv", case.replace(' ', "-"));
        let file = write(dir.path(), &name, &format!("barcode,sku,qty\nCAP-6PK,CAP,6\n{rows}\n"));
        fails(&db, &["import", "packs", &file], want);
    }
    let header = write(dir.path(), "header.csv", "code,sku,qty\nCAP-6PK,CAP,6\n");
    fails(
        &db,
        &["import", "packs", &header],
        "cannot read CSV: missing column(s) barcode; expected header: barcode,sku,qty",
    );
    // A kit's count is refused when it starts.
    fails(
        &db,
        &["count", "start", "--location", "WH1", "--sku", "GIFT"],
        "'GIFT' is a kit: count its components (a kit holds no stock of its own)",
    );
}
