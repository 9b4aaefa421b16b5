//! `shelfsync label item|location|commands` through the real binary: the ZPL files equal the
//! labels crate's hand-written fixtures, PDFs are written, ZPL reaches a printer over raw TCP
//! (a loopback listener that captures the bytes), and every bad input is one `error:` line
//! with nothing written.

mod support;

use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use support::{json, ok, shelfsync, write};

fn fixture(name: &str) -> String {
    let path = format!("{}/../labels/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Locations WH1, WH2-B_3 and WH1-A-01; A-1 "Mug" with a GTIN-13, C-1 with none.
fn setup(dir: &Path) -> PathBuf {
    let db = dir.join("labels.db");
    ok(&db, &["init"], &[]);
    let locations = write(dir, "l.csv", "code,name\nWH1,Main\nWH2-B_3,Back\nWH1-A-01,Aisle A\n");
    let items = write(
        dir,
        "i.csv",
        "sku,name,unit_cost,category,safety_stock,barcodes\nA-1,Mug,2.00,home,0,4006381333931\nC-1,Cap,5.00,home,0,\n",
    );
    ok(&db, &["import", "locations", &locations], &[]);
    ok(&db, &["import", "items", &items], &[]);
    db
}

#[test]
fn zpl_labels_equal_the_known_good_fixtures() {
    let dir = tempfile::tempdir().unwrap();
    let db = setup(dir.path());
    let out = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let cases: [(Vec<&str>, &str, &str); 4] = [
        (
            vec!["label", "item", "A-1", "--lot", "L-7", "--expiry", "2027-01-31", "--copies", "2"],
            "item.zpl",
            "item_gtin_lot_expiry.zpl",
        ),
        (
            vec![
                "label",
                "item",
                "A-1",
                "--symbology",
                "datamatrix",
                "--lot",
                "L-7",
                "--expiry",
                "2027-01-31",
            ],
            "item-dm.zpl",
            "item_datamatrix.zpl",
        ),
        (vec!["label", "location", "WH1-A-01"], "location.zpl", "location_wh1_a_01.zpl"),
        (
            vec!["label", "commands", "--location", "WH1", "--location", "WH2-B_3"],
            "commands.zpl",
            "commands_wh1_wh2.zpl",
        ),
    ];
    for (args, file, want) in cases {
        let path = out(file);
        let mut all = args.clone();
        all.extend(["--format", "zpl", "--out", &path]);
        let report = json(&db, &all);
        assert_eq!(report["to"], path.as_str());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), fixture(want), "{args:?}");
    }
}

#[test]
fn a_lot_label_prints_the_expiry_the_lot_was_booked_with() {
    let dir = tempfile::tempdir().unwrap();
    let db = setup(dir.path());
    ok(&db, &["item", "set", "A-1", "--tracking", "lot"], &[]);
    ok(&db, &["receive", "A-1", "3", "--location", "WH1", "--lot", "L-7", "--expiry", "2027-01-31"], &[]);
    let path = dir.path().join("reprint.zpl");
    let path = path.to_str().unwrap();
    // No --expiry: the booked one, so the reprint equals the label made with the date given.
    json(&db, &["label", "item", "A-1", "--lot", "L-7", "--copies", "2", "--format", "zpl", "--out", path]);
    assert_eq!(std::fs::read_to_string(path).unwrap(), fixture("item_gtin_lot_expiry.zpl"));
    // Another date for the same lot is refused, and nothing is written.
    let other = dir.path().join("other.zpl");
    let args = ["label", "item", "A-1", "--lot", "L-7", "--expiry", "2027-02-28", "--format", "zpl", "--out"];
    let run = shelfsync(&db, &[&args[..], &[other.to_str().unwrap()]].concat(), &[]);
    assert!(!run.status.success());
    assert_eq!(
        String::from_utf8_lossy(&run.stderr),
        "error: lot 'L-7' of SKU 'A-1' expires 2027-01-31, not 2027-02-28: one lot has one expiry\n"
    );
    assert!(!other.exists());
}

#[test]
fn pdf_labels_are_written_and_the_sheet_defaults_to_every_location() {
    let dir = tempfile::tempdir().unwrap();
    let db = setup(dir.path());
    for (args, pages) in [
        (vec!["label", "item", "C-1", "--copies", "3"], 3),
        (vec!["label", "location", "WH1"], 1),
        // 5 modes + 12 quantities + undo + done + 3 locations = 22 barcodes, 12 a page.
        (vec!["label", "commands"], 2),
    ] {
        let path = dir.path().join("out.pdf");
        let mut all = args.clone();
        all.extend(["--format", "pdf", "--out", path.to_str().unwrap()]);
        ok(&db, &all, &[]);
        let pdf = std::fs::read(&path).unwrap();
        assert!(pdf.starts_with(b"%PDF-"), "{args:?}");
        let text = String::from_utf8_lossy(&pdf);
        assert_eq!(
            text.matches("/Type /Page\n").count() + text.matches("/Type/Page/").count(),
            pages,
            "{args:?}"
        );
    }
    let zpl = dir.path().join("all.zpl");
    ok(&db, &["label", "commands", "--format", "zpl", "--out", zpl.to_str().unwrap()], &[]);
    let zpl = std::fs::read_to_string(zpl).unwrap();
    for code in ["LOC:WH1^", "LOC:WH2-B_5F3^", "LOC:WH1-A-01^", "MODE:LOOKUP^", "QTY:24^", "CMD:DONE^"] {
        assert!(zpl.contains(code), "{code} missing");
    }
}

#[test]
fn zpl_goes_to_a_printer_over_raw_tcp() {
    let dir = tempfile::tempdir().unwrap();
    let db = setup(dir.path());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let printer = listener.local_addr().unwrap().to_string();
    let capture = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).unwrap();
        bytes
    });
    // shared/cli.md's form: --out FILE and --printer together (both get the label).
    let file = dir.path().join("sent.zpl");
    let file = file.to_str().unwrap();
    let said = ok(
        &db,
        &["label", "location", "WH1-A-01", "--format", "zpl", "--out", file, "--printer", &printer],
        &[],
    );
    assert!(said.contains(&format!("to printer {printer} and {file}")), "{said}");
    assert_eq!(String::from_utf8(capture.join().unwrap()).unwrap(), fixture("location_wh1_a_01.zpl"));
    assert_eq!(std::fs::read_to_string(file).unwrap(), fixture("location_wh1_a_01.zpl"));
}

#[test]
fn bad_input_is_one_line_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = setup(dir.path());
    // A port that was just free: nothing listens there.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().to_string();
    let out = dir.path().join("never.out");
    let out = out.to_str().unwrap();
    let cases: Vec<(Vec<&str>, String)> = vec![
        (vec!["label", "item", "NOPE", "--format", "zpl", "--out", out], "unknown SKU 'NOPE'".into()),
        (
            vec!["label", "item", "A-1", "--expiry", "2027-02-30", "--format", "zpl", "--out", out],
            "expiry \"2027-02-30\" is not a date".into(),
        ),
        (
            vec!["label", "item", "A-1", "--expiry", "31/01/2027", "--format", "pdf", "--out", out],
            "expiry \"31/01/2027\" is not a date".into(),
        ),
        (
            vec!["label", "item", "A-1", "--copies", "0", "--format", "zpl", "--out", out],
            "copies 0 is outside 1..=100".into(),
        ),
        (
            vec!["label", "item", "A-1", "--copies", "101", "--format", "pdf", "--out", out],
            "copies 101 is outside 1..=100".into(),
        ),
        (
            vec!["label", "item", "C-1", "--lot", "L 7", "--format", "zpl", "--out", out],
            "lot \"L 7\" must be".into(),
        ),
        (
            vec!["label", "item", "C-1", "--symbology", "datamatrix", "--format", "zpl", "--out", out],
            "item C-1 has no GTIN: a GS1 DataMatrix carries a GTIN".into(),
        ),
        (
            vec!["label", "item", "A-1", "--symbology", "qr", "--format", "zpl", "--out", out],
            "invalid value 'qr' for '--symbology".into(),
        ),
        (
            vec!["label", "location", "NOWHERE", "--format", "zpl", "--out", out],
            "unknown location 'NOWHERE'".into(),
        ),
        (
            vec!["label", "commands", "--location", "WH9", "--format", "pdf", "--out", out],
            "unknown location 'WH9'".into(),
        ),
        (
            vec!["label", "location", "WH1", "--format", "zpl", "--printer", &closed, "--out", out],
            format!("printer {closed} is unreachable"),
        ),
        (
            vec!["label", "location", "WH1", "--format", "zpl", "--printer", "no-such-host.invalid:9100"],
            "printer no-such-host.invalid:9100 is unreachable".into(),
        ),
        (
            vec!["label", "location", "WH1", "--format", "pdf", "--printer", &closed],
            "--printer takes ZPL only".into(),
        ),
        (vec!["label", "location", "WH1", "--format", "zpl"], "required arguments were not provided".into()),
    ];
    for (args, want) in cases {
        let started = Instant::now();
        let run = shelfsync(&db, &args, &[]);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(!run.status.success(), "{args:?} succeeded");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("error: ") && stderr.contains(&want), "{args:?}: {stderr}");
        assert!(!Path::new(out).exists(), "{args:?} wrote {out}");
        assert!(started.elapsed() < Duration::from_secs(20), "{args:?} took {:?}", started.elapsed());
    }
}
