//! Labels from the app (issue 21): previews, saved PDF and ZPL, the printer, and every bad
//! input refused with one line and no file written.

use base64::Engine as _;

use crate::commands;
use crate::error::AppError;
use crate::ipc::*;
use crate::labels::{label_preview, save_label, send_label};

use super::{demo_gtin13, fresh_demo};

fn item(code: &str) -> LabelRequest {
    LabelRequest {
        kind: LabelKind::Item,
        code: code.into(),
        lot: None,
        expiry: None,
        copies: 1,
        symbology: None,
    }
}

fn files_in(folder: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(folder)
        .map(|d| d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default()
}

#[test]
fn previews_show_the_printed_barcode_and_text() {
    let (_dir, state) = fresh_demo();
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    let gtin = shelfsync_core::normalise_gtin(&demo_gtin13(1)).unwrap().to_string();
    // By SKU or by its barcode: the same label, GS1-128 with the GTIN, lot and expiry.
    for code in ["SS-00001".to_string(), demo_gtin13(1)] {
        let request =
            LabelRequest { lot: Some("L-7".into()), expiry: Some("2027-01-31".into()), ..item(&code) };
        let preview = label_preview(&state, request).unwrap();
        assert_eq!(preview.human, format!("(01){gtin}(17)270131(10)L-7"), "{code}");
        assert_eq!(preview.lines[1..], ["SKU SS-00001", "LOT L-7", "EXP 2027-01-31"]);
        let png = base64::engine::general_purpose::STANDARD.decode(&preview.png_base64).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG the webview can show");
    }
    let location = label_preview(&state, LabelRequest { kind: LabelKind::Location, ..item("WH1") }).unwrap();
    assert_eq!((location.human.as_str(), location.lines.clone()), ("LOC:WH1", vec!["WH1".to_string()]));
    let sheet = label_preview(&state, LabelRequest { kind: LabelKind::Commands, ..item("") }).unwrap();
    assert!(sheet.png_base64.is_empty());
    assert_eq!(sheet.barcodes as usize, sheet.lines.len());
    let locations = commands::locations(&state).unwrap().len();
    assert!(sheet.barcodes as usize > locations, "every location and the station's commands");
}

#[test]
fn labels_are_saved_next_to_the_database_and_sent_to_a_printer() {
    let (dir, state) = fresh_demo();
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    let pdf = save_label(&state, LabelRequest { copies: 3, ..item("SS-00001") }, LabelFormat::Pdf).unwrap();
    assert!(pdf.to.starts_with(&dir.path().join("labels").display().to_string()), "{}", pdf.to);
    let bytes = std::fs::read(&pdf.to).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    assert_eq!(bytes.len() as u32, pdf.bytes);
    let zpl = save_label(&state, LabelRequest { kind: LabelKind::Location, ..item("WH1") }, LabelFormat::Zpl)
        .unwrap();
    let text = std::fs::read_to_string(&zpl.to).unwrap();
    assert!(text.starts_with("^XA") && text.contains("LOC:WH1"), "{text}");

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let printer = listener.local_addr().unwrap().to_string();
    let received = std::thread::spawn(move || {
        use std::io::Read;
        let (mut conn, _) = listener.accept().unwrap();
        let mut got = String::new();
        conn.read_to_string(&mut got).unwrap();
        got
    });
    let sent = send_label(&state, item("SS-00001"), printer.clone()).unwrap();
    assert_eq!(sent.to, format!("printer {printer}"));
    let got = received.join().unwrap();
    assert!(got.starts_with("^XA") && got.contains("SS-00001"), "{got}");
    assert_eq!(got.len() as u32, sent.bytes);
}

#[test]
fn bad_label_input_is_one_line_and_writes_nothing() {
    let (dir, state) = fresh_demo();
    let labels = dir.path().join("labels");
    assert!(matches!(label_preview(&state, item("SS-00001")), Err(AppError::SignedOut)));
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    let cases: Vec<(LabelRequest, &str)> = vec![
        (item("NO-SUCH"), "No item has the SKU or barcode 'NO-SUCH'"),
        (item("  "), "which item? Give its SKU or barcode"),
        (item(&"X".repeat(65)), "a code is at most 64 characters"),
        (LabelRequest { lot: Some("bad lot!".into()), ..item("SS-00001") }, "lot \"bad lot!\" must be"),
        (
            LabelRequest { expiry: Some("31/01/2027".into()), ..item("SS-00001") },
            "expiry \"31/01/2027\" is not a date",
        ),
        (LabelRequest { copies: 0, ..item("SS-00001") }, "copies 0 is outside 1..=100"),
        (LabelRequest { copies: 101, ..item("SS-00001") }, "copies 101 is outside 1..=100"),
        (LabelRequest { kind: LabelKind::Location, ..item("NOWHERE") }, "unknown location 'NOWHERE'"),
    ];
    for (request, expected) in cases {
        for result in [
            label_preview(&state, request.clone()).map(|_| ()),
            save_label(&state, request.clone(), LabelFormat::Pdf).map(|_| ()),
        ] {
            let message = result.expect_err(expected).user_message();
            assert!(message.starts_with(expected), "{message:?} should start {expected:?}");
            assert!(!message.contains('\n'));
        }
    }
    for (printer, expected) in [
        ("", "printer '' is not HOST:PORT"),
        ("zebra-1", "printer 'zebra-1' is not HOST:PORT"),
        ("127.0.0.1:9", "printer 127.0.0.1:9 is unreachable: "),
    ] {
        let message = send_label(&state, item("SS-00001"), printer.into()).unwrap_err().user_message();
        assert!(message.starts_with(expected), "{message:?} should start {expected:?}");
    }
    assert!(files_in(&labels).is_empty(), "no file for a refused label: {:?}", files_in(&labels));
    commands::lock_session(&state).unwrap();
    assert!(matches!(save_label(&state, item("SS-00001"), LabelFormat::Pdf), Err(AppError::Locked)));
}
