//! Properties: hostile input never panics and always yields a one-line reason; valid GS1 data
//! round-trips; chunking a byte stream never changes the scans framed from it.

use std::time::{Duration, Instant};

use proptest::prelude::*;
use shelfsync_scan::framing::{Framer, FramingConfig};
use shelfsync_scan::gs1::{
    Element, Gs1Options, ParseOptions, data_string, lint::compute_check_digit, parse_bracketed,
    parse_digital_link, parse_element_string, parse_scan_data,
};
use shelfsync_scan::hidpos::{BootKeyboardDecoder, ReportLayout, parse_descriptor};
use shelfsync_scan::{ScanError, parse_cli};

fn one_line(e: &ScanError) -> bool {
    let msg = e.to_string();
    !msg.is_empty() && !msg.contains('\n')
}

/// Bytes that look like scanner output often enough to reach deep into the parser.
fn scannerish() -> impl Strategy<Value = Vec<u8>> {
    let aim = prop_oneof![
        Just(b"]C1".to_vec()),
        Just(b"]e0".to_vec()),
        Just(b"]d2".to_vec()),
        Just(b"]Q1".to_vec()),
        Just(b"]E0".to_vec()),
        Just(b"]E4".to_vec()),
        Just(b"]C0".to_vec()),
        Just(Vec::new()),
    ];
    let body = prop::collection::vec(
        prop_oneof![4 => b'0'..=b'9', 1 => Just(0x1Du8), 1 => any::<u8>(), 1 => Just(b'(')],
        0..80,
    );
    (aim, body).prop_map(|(mut a, b)| {
        a.extend(b);
        a
    })
}

proptest! {
    #[test]
    fn scan_parsing_never_panics(data in prop_oneof![scannerish(), prop::collection::vec(any::<u8>(), 0..200)]) {
        for opts in [ParseOptions::engine(), ParseOptions::warehouse()] {
            if let Err(e) = parse_scan_data(&data, &opts) {
                prop_assert!(one_line(&e), "{e:?}");
            }
        }
        if let Err(e) = parse_cli(&data) {
            prop_assert!(one_line(&e));
        }
    }

    #[test]
    fn text_parsers_never_panic(text in "\\PC{0,120}", url_tail in "[a-z0-9/?=&%+]{0,60}") {
        let opts = Gs1Options { permit_unknown_ais: true, permit_convenience_alphas: true, ..Gs1Options::default() };
        let _ = parse_bracketed(&text, &opts);
        let _ = parse_element_string(text.as_bytes(), &opts);
        let _ = parse_digital_link(&text, &opts);
        if let Err(e) = parse_digital_link(&format!("https://id.gs1.org/{url_tail}"), &opts) {
            prop_assert!(one_line(&e));
        }
    }

    #[test]
    fn report_decoders_never_panic(report in prop::collection::vec(any::<u8>(), 0..80), desc in prop::collection::vec(any::<u8>(), 0..120)) {
        if let Ok(layout) = ReportLayout::guess(&report) {
            let _ = layout.decode(&report);
        }
        if let Ok(shelfsync_scan::hidpos::Interface::Pos(layout)) = parse_descriptor(&desc) {
            let _ = layout.decode(&report);
        }
        let mut kb = BootKeyboardDecoder::default();
        let _ = kb.push(&report);
    }

    #[test]
    fn valid_gs1_round_trips(body in "[0-9]{13}", lot in "[A-Za-z0-9]{1,20}", serial in "[A-Z0-9]{1,20}") {
        let check = compute_check_digit(body.as_bytes());
        let gtin = format!("{body}{check}");
        let elements = vec![
            Element { ai: "01".into(), value: gtin.clone() },
            Element { ai: "10".into(), value: lot.clone() },
            Element { ai: "21".into(), value: serial },
        ];
        let fnc1 = data_string(&elements, false);
        prop_assert_eq!(&parse_element_string(fnc1.as_bytes(), &Gs1Options::default()).unwrap(), &elements);
        let scanned = format!("]C1{}", &fnc1[1..]).replace('^', "\u{1d}");
        let cli = parse_cli(scanned.as_bytes()).unwrap();
        prop_assert_eq!(cli.gtin.as_deref(), Some(gtin.as_str()));
        prop_assert_eq!(cli.elements, elements);
    }

    #[test]
    fn chunking_does_not_change_frames(scans in prop::collection::vec("[A-Z0-9]{1,30}", 1..8), cuts in prop::collection::vec(1usize..7, 1..40)) {
        let stream: Vec<u8> = scans.iter().flat_map(|s| format!("{s}\r\n").into_bytes()).collect();
        let now = Instant::now();
        let whole: Vec<_> = Framer::new(FramingConfig::default()).push(&stream, now).into_iter().map(Result::unwrap).collect();
        let mut framer = Framer::new(FramingConfig { idle_flush: Duration::from_secs(60), ..FramingConfig::default() });
        let mut pieces = Vec::new();
        let mut rest = stream.as_slice();
        for cut in cuts.iter().cycle() {
            if rest.is_empty() { break; }
            let (head, tail) = rest.split_at((*cut).min(rest.len()));
            pieces.extend(framer.push(head, now).into_iter().map(Result::unwrap));
            rest = tail;
        }
        prop_assert_eq!(&whole, &pieces);
        prop_assert_eq!(whole.len(), scans.len());
    }
}
