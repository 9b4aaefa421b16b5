//! The PDF's barcodes read back: every image in the written PDF file is taken out of the file
//! (lopdf), decoded with rxing's Code 128 reader, and must say exactly what the label was made
//! from (GS1 element string with the ]C1 flag for GS1-128; the plain text for Code 128).

use lopdf::{Document, Object};
use rxing::{BarcodeFormat, RXingResultMetadataType, RXingResultMetadataValue};
use shelfsync_labels::{
    ItemLabel, Symbol, Symbology, command_entries, item_symbol, pdf_commands, pdf_item, pdf_location,
};

/// Every image XObject in the PDF as (width, height, grey pixels), in object order.
fn images(pdf: &[u8]) -> Vec<(u32, u32, Vec<u8>)> {
    let doc = Document::load_mem(pdf).expect("the PDF parses");
    let mut out = Vec::new();
    for object in doc.objects.values() {
        let Object::Stream(stream) = object else { continue };
        let is_image = stream.dict.get(b"Subtype").and_then(Object::as_name).is_ok_and(|n| n == b"Image");
        if !is_image {
            continue;
        }
        let dim = |key: &[u8]| stream.dict.get(key).and_then(Object::as_i64).unwrap() as u32;
        let pixels = stream.decompressed_content().unwrap_or_else(|_| stream.content.clone());
        out.push((dim(b"Width"), dim(b"Height"), pixels));
    }
    out
}

/// (text, symbology identifier) as rxing reads it.
fn decode(image: &(u32, u32, Vec<u8>)) -> (String, String) {
    decode_as(image, BarcodeFormat::CODE_128)
}

fn decode_as((width, height, pixels): &(u32, u32, Vec<u8>), format: BarcodeFormat) -> (String, String) {
    assert_eq!(pixels.len(), (*width * *height) as usize, "one grey byte per pixel");
    let result = rxing::helpers::detect_in_luma(pixels.clone(), *width, *height, Some(format))
        .expect("the barcode decodes");
    let symbology = match result.getRXingResultMetadata().get(&RXingResultMetadataType::SYMBOLOGY_IDENTIFIER)
    {
        Some(RXingResultMetadataValue::SymbologyIdentifier(id)) => id.clone(),
        _ => String::new(),
    };
    (result.getText().to_owned(), symbology)
}

fn expected(symbol: &Symbol) -> (String, String) {
    let flag = match symbol {
        Symbol::Gs1(_) => "]C1",
        Symbol::Code128(_) => "]C0",
        Symbol::Gs1DataMatrix(_) => "]d2",
    };
    (symbol.data(), flag.to_owned())
}

#[test]
fn item_labels_decode_to_what_they_were_made_from() {
    let cases = [
        (("A-1", Some("4006381333931"), Some("L-7"), Some("2027-01-31")), "01040063813339311727013110L-7"),
        (("A-1", Some("012345678905"), None, None), "0100012345678905"),
        (("A-1", Some("96385074"), None, Some("2030-12-01")), "01000000963850741730120 1"),
        (("SKU/with.odd-chars_9", None, Some("L1"), None), "SKU/with.odd-chars_9"),
    ];
    for ((sku, gtin, lot, expiry), data) in cases {
        let data = data.replace(' ', "");
        let label = ItemLabel::new(sku, "Mug", gtin, lot, expiry, 3).unwrap();
        let symbol = item_symbol(&label);
        assert_eq!(symbol.data(), data);
        let found = images(&pdf_item(&label).unwrap());
        assert_eq!(found.len(), 1, "one image, placed on each of the 3 pages");
        assert_eq!(decode(&found[0]), expected(&symbol), "{sku}");
    }
}

/// GS1 DataMatrix labels read back as GS1 (`]d2`) with the element string, and the scanner
/// crate parses what a scanner would send into the same GTIN, expiry and lot. A 20-letter lot,
/// too wide for GS1-128 on a 4-inch label, fits the matrix.
#[test]
fn datamatrix_labels_decode_as_gs1_and_parse_back() {
    let cases = [
        (Some("L-7"), Some("2027-01-31"), "01040063813339311727013110L-7"),
        (None, None, "0104006381333931"),
        (Some("ABCDEFGHIJKLMNOPQRST"), Some("2027-01-31"), "01040063813339311727013110ABCDEFGHIJKLMNOPQRST"),
    ];
    for (lot, expiry, data) in cases {
        let label =
            ItemLabel::drawn_as(Symbology::DataMatrix, "A-1", "Mug", Some("4006381333931"), lot, expiry, 1)
                .unwrap();
        let symbol = item_symbol(&label);
        assert_eq!(symbol.data(), data);
        let found = images(&pdf_item(&label).unwrap());
        assert_eq!(found.len(), 1);
        let (text, flag) = decode_as(&found[0], BarcodeFormat::DATA_MATRIX);
        assert_eq!((text.as_str(), flag.as_str()), (data, "]d2"), "{lot:?}");
        let scanned = format!("]d2{text}");
        let parsed = shelfsync_scan::gs1::parse_scan_data(
            scanned.as_bytes(),
            &shelfsync_scan::gs1::ParseOptions::warehouse(),
        )
        .unwrap();
        let elements: Vec<(String, String)> =
            parsed.elements().into_iter().map(|e| (e.ai, e.value)).collect();
        let want: Vec<(String, String)> = match symbol {
            Symbol::Gs1DataMatrix(fields) => {
                fields.into_iter().map(|(ai, value)| (ai.to_owned(), value)).collect()
            }
            other => panic!("a DataMatrix label made {other:?}"),
        };
        assert_eq!(elements, want);
    }
}

#[test]
fn location_label_decodes_to_loc_and_the_code() {
    let found = images(&pdf_location("WH1-A-01").unwrap());
    assert_eq!(found.len(), 1);
    assert_eq!(decode(&found[0]), ("LOC:WH1-A-01".to_owned(), "]C0".to_owned()));
}

#[test]
fn every_command_on_the_sheet_decodes_and_the_scanner_reads_it_as_a_command() {
    let entries = command_entries(&["WH1".into(), "WH2-B_3".into()]).unwrap();
    assert_eq!(entries.len(), 5 + 12 + 2 + 2);
    let pdf = pdf_commands(&entries).unwrap();
    let decoded: Vec<String> = images(&pdf).iter().map(|image| decode(image).0).collect();
    let mut want: Vec<String> = entries.iter().map(|e| e.symbol.data()).collect();
    let mut got = decoded.clone();
    want.sort();
    got.sort();
    assert_eq!(got, want);
    for text in decoded {
        let parsed = shelfsync_scan::gs1::parse_scan_data(
            text.as_bytes(),
            &shelfsync_scan::gs1::ParseOptions::warehouse(),
        )
        .unwrap();
        let classified =
            shelfsync_scan::classify(&parsed, &shelfsync_scan::CommandConfig::default()).unwrap();
        assert!(matches!(classified, shelfsync_scan::Classified::Command(_)), "{text}");
    }
}

/// A name with accents, a symbol outside the PDF base fonts and ZPL's command characters
/// still makes a PDF whose barcode reads back.
#[test]
fn any_name_makes_a_readable_pdf() {
    let name = "Tasse à café ☕ ^XA~JR 100% «grès» ".repeat(3);
    let label = ItemLabel::new("A-1", &name, Some("4006381333931"), None, None, 1).unwrap();
    let found = images(&pdf_item(&label).unwrap());
    assert_eq!(found.len(), 1);
    assert_eq!(decode(&found[0]), ("0104006381333931".to_owned(), "]C1".to_owned()));
}
