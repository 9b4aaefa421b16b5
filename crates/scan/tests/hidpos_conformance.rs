//! Every report in shared/conformance/hidpos decodes to the expected (AIM id, data).

use std::time::Instant;

use serde_json::Value;
use shelfsync_scan::hidpos::{BootKeyboardDecoder, Interface, Reassembler, ReportLayout, parse_descriptor};

fn load(file: &str) -> Value {
    let path = format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn bytes(v: &Value) -> Vec<u8> {
    v.as_array().unwrap().iter().map(|b| u8::try_from(b.as_u64().unwrap()).unwrap()).collect()
}

fn text_bytes(v: &Value) -> Vec<u8> {
    v.as_str().unwrap().chars().map(|c| u8::try_from(u32::from(c)).unwrap()).collect()
}

fn descriptor_layout(doc: &Value, name: &str) -> ReportLayout {
    match parse_descriptor(&bytes(&doc["descriptors"][name])).unwrap() {
        Interface::Pos(layout) => layout,
        Interface::BootKeyboard => panic!("{name} is not a HID POS descriptor"),
    }
}

#[test]
fn honeywell_reports_decode_and_reassemble() {
    let doc = load("honeywell_1602g_revinf_reports.json");
    let reports = doc["reports"].as_array().unwrap();
    let mut reassembler = Reassembler::default();
    let mut messages = Vec::new();
    for r in reports {
        let raw = bytes(&r["hidapi_read_bytes"]);
        let chunk = ReportLayout::guess(&raw).unwrap().decode(&raw).unwrap();
        assert_eq!(chunk.aim.map(|a| a.to_vec()), Some(text_bytes(&r["aim"])));
        assert_eq!(chunk.data, text_bytes(&r["data"]));
        assert_eq!(chunk.data.len() as u64, r["length"].as_u64().unwrap());
        assert_eq!(chunk.continued, r["continued"].as_bool().unwrap());
        if let Some(msg) = reassembler.push(chunk, Instant::now()) {
            messages.push(msg.unwrap());
        }
    }
    assert_eq!(messages.len(), 2, "six continued reports make one message, the seventh another");
    assert_eq!(messages[0].data, text_bytes(&doc["expected_reassembled_first_6"]));
    assert_eq!(messages[0].aim, Some(*b"]X0"));
    assert_eq!(messages[1].data, b"REVINF\x06.");
}

#[test]
fn synthetic_descriptors_decode_every_case() {
    let doc = load("hidpos_synthetic.json");
    let cases = doc["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 5);
    for case in cases {
        let name = case["descriptor"].as_str().unwrap();
        let from_descriptor = descriptor_layout(&doc, name);
        let reports: Vec<Vec<u8>> = case["reports"].as_array().unwrap().iter().map(bytes).collect();
        let guessed = ReportLayout::guess(&reports[0]).unwrap();
        for layout in [from_descriptor, guessed] {
            let mut reassembler = Reassembler::default();
            let mut last = None;
            let mut data = Vec::new();
            for r in &reports {
                let chunk = layout.decode(r).unwrap();
                last = Some(chunk.clone());
                data.extend_from_slice(&chunk.data);
                let _ = reassembler.push(chunk, Instant::now());
            }
            let last = last.unwrap();
            let expect = &case["expect"];
            assert_eq!(last.aim.map(|a| a.to_vec()), Some(text_bytes(&expect["aim"])), "{name}");
            assert_eq!(data, text_bytes(&expect["data"]), "{name} via {layout:?}");
            let expect_continued = expect["continued"].as_bool().unwrap_or(false);
            assert_eq!(last.continued, expect_continued, "{name}");
        }
    }
}

#[test]
fn boot_keyboard_stream_types_a_gs1_128_scan() {
    let doc = load("hidpos_synthetic.json");
    let case = &doc["keyboard_cases"][0];
    let name = case["descriptor"].as_str().unwrap();
    assert_eq!(parse_descriptor(&bytes(&doc["descriptors"][name])).unwrap(), Interface::BootKeyboard);
    let mut kb = BootKeyboardDecoder::default();
    let typed: Vec<u8> =
        case["reports"].as_array().unwrap().iter().flat_map(|r| kb.push(&bytes(r)).unwrap()).collect();
    assert_eq!(typed, text_bytes(&case["expect_text"]));
    let scan = shelfsync_scan::parse_cli(&typed).unwrap();
    assert_eq!(scan.gtin.as_deref(), Some("95012345678903"));
}

#[test]
fn malformed_reports_are_errors_not_panics() {
    assert!(ReportLayout::guess(&[2, 1]).is_err());
    // Regressions found by proptest: ']' where an AIM id would start, with no room after it.
    for short in [&[2, b']', 0, 0][..], &[2, 0, b']', 0], &[2, 0, b']', 0, 0]] {
        let error = ReportLayout::guess(short).expect_err("too short for its layout");
        assert!(error.to_string().contains("too short"), "{error}");
    }
    let doc = load("hidpos_synthetic.json");
    let layout = descriptor_layout(&doc, "honeywell_like_64byte_report");
    assert!(layout.decode(&[2; 10]).is_err());
    assert!(parse_descriptor(&[0x05, 0x01, 0x09]).is_err());
}

/// Every short report over the bytes that steer the layout guess (']' in each AIM position,
/// flag values, padding): decoding never panics, whatever the shape.
#[test]
fn every_short_report_decodes_or_errs_without_panic() {
    const ALPHABET: [u8; 5] = [0, b']', 1, 0x80, 0xff];
    for len in 0..=7u32 {
        for mut n in 0..ALPHABET.len().pow(len) {
            let report: Vec<u8> = (0..len)
                .map(|_| {
                    let byte = ALPHABET[n % ALPHABET.len()];
                    n /= ALPHABET.len();
                    byte
                })
                .collect();
            if let Ok(layout) = ReportLayout::guess(&report) {
                let _ = layout.decode(&report);
            }
        }
    }
}
