//! The app's preview: the PNG decodes (png) and its bars read back (rxing) as exactly what the
//! printed label carries, and its lines are the label's text; the network printer is refused
//! with one line when nobody listens and receives the whole ZPL when one does.

use std::io::Read;
use std::net::TcpListener;

use rxing::BarcodeFormat;
use shelfsync_labels::{
    ItemLabel, LabelError, item_symbol, preview_item, preview_location, send_zpl, zpl_item,
};

fn decode_png(png_bytes: &[u8]) -> String {
    decode_png_as(png_bytes, BarcodeFormat::CODE_128)
}

fn decode_png_as(png_bytes: &[u8], format: BarcodeFormat) -> String {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().expect("a PNG header");
    let mut pixels = vec![0; reader.output_buffer_size().expect("a bounded image")];
    let info = reader.next_frame(&mut pixels).expect("one frame");
    assert_eq!(info.color_type, png::ColorType::Grayscale);
    pixels.truncate(info.buffer_size());
    rxing::helpers::detect_in_luma(pixels, info.width, info.height, Some(format))
        .expect("the preview's symbol decodes")
        .getText()
        .to_owned()
}

#[test]
fn previews_read_back_as_the_printed_symbol() {
    let cases = [
        (
            ("A-1", Some("4006381333931"), Some("L-7"), Some("2027-01-31")),
            vec!["Mug", "SKU A-1", "LOT L-7", "EXP 2027-01-31"],
        ),
        (("A-1", None, None, None), vec!["Mug", "SKU A-1"]),
    ];
    for ((sku, gtin, lot, expiry), lines) in cases {
        let label = ItemLabel::new(sku, "Mug", gtin, lot, expiry, 1).unwrap();
        let preview = preview_item(&label).unwrap();
        assert_eq!(decode_png(&preview.png), item_symbol(&label).data(), "{sku} {gtin:?}");
        assert_eq!(preview.human, item_symbol(&label).human());
        assert_eq!(preview.lines, lines);
    }
    // A DataMatrix preview is the whole square, not a strip.
    let matrix = ItemLabel::drawn_as(
        shelfsync_labels::Symbology::DataMatrix,
        "A-1",
        "Mug",
        Some("4006381333931"),
        Some("L-7"),
        None,
        1,
    )
    .unwrap();
    let preview = preview_item(&matrix).unwrap();
    assert_eq!(decode_png_as(&preview.png, BarcodeFormat::DATA_MATRIX), item_symbol(&matrix).data());
    assert_eq!(preview.human, "(01)04006381333931(10)L-7");
    let location = preview_location("A-01").unwrap();
    assert_eq!(decode_png(&location.png), "LOC:A-01");
    assert_eq!(location.lines, ["A-01"]);
    assert!(matches!(preview_location("bad code!"), Err(LabelError::Location(_))));
}

#[test]
fn zpl_reaches_a_listening_printer_and_an_absent_one_is_one_line() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let printer = listener.local_addr().unwrap().to_string();
    let zpl = zpl_item(&ItemLabel::new("A-1", "Mug", None, None, None, 2).unwrap());
    let received = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut got = String::new();
        conn.read_to_string(&mut got).unwrap();
        got
    });
    send_zpl(&printer, zpl.as_bytes()).unwrap();
    assert_eq!(received.join().unwrap(), zpl, "the printer gets the whole label");

    // Nobody listens on a port just released.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().to_string();
    let error = send_zpl(&closed, zpl.as_bytes()).unwrap_err().to_string();
    assert!(error.starts_with(&format!("printer {closed} is unreachable: ")), "{error}");
    assert!(!error.contains('\n'));
}
