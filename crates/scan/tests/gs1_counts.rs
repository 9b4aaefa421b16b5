//! GS1 counts (issue 21): AI (30) and AI (37) give a scan's count under the warehouse policy;
//! a count the warehouse could not book is refused with one clear line. The engine policy (the
//! syntax engine's conformance) is unchanged: a count of zero is valid GS1 syntax.

use shelfsync_scan::gs1::{MAX_COUNT, ParseOptions, TradeCount, parse_scan_data};

const SSCC: &str = "106141410000000019";
const CASE: &str = "14006381333938";
const VARIABLE: &str = "94006381333934";

fn count(ai: &'static str, gtin14: &str, count: u32) -> Option<TradeCount> {
    Some(TradeCount { ai, gtin14: gtin14.into(), count })
}

#[test]
fn counts_parse_from_every_form_a_scanner_sends() {
    let gs = '\u{1d}';
    // (case, scan data, the count)
    let cases: Vec<(&str, String, Option<TradeCount>)> = vec![
        ("no count", format!("(01){CASE}"), None),
        ("plain text", "WH1-A-01".into(), None),
        ("bare GTIN", "4006381333931".into(), None),
        ("AI 37 bracketed", format!("(00){SSCC}(02){CASE}(37)12"), count("37", CASE, 12)),
        ("AI 37 leading zeros", format!("(00){SSCC}(02){CASE}(37)00000480"), count("37", CASE, 480)),
        ("AI 37 from a GS1-128 scanner", format!("]C100{SSCC}02{CASE}3712"), count("37", CASE, 12)),
        ("AI 37 then another AI", format!("]C100{SSCC}02{CASE}3712{gs}10LOT7"), count("37", CASE, 12)),
        ("AI 37 at the limit", format!("(00){SSCC}(02){CASE}(37){MAX_COUNT}"), count("37", CASE, MAX_COUNT)),
        ("AI 30 with 01", format!("(01){VARIABLE}(30)25"), count("30", VARIABLE, 25)),
        ("AI 30 with 01, no identifier", format!("^01{VARIABLE}3025"), count("30", VARIABLE, 25)),
        ("AI 30 in a DataMatrix", format!("]d201{VARIABLE}301{gs}17261231"), count("30", VARIABLE, 1)),
    ];
    for (case, scan, want) in cases {
        let parsed = parse_scan_data(scan.as_bytes(), &ParseOptions::warehouse())
            .unwrap_or_else(|e| panic!("{case}: {e}"));
        assert_eq!(parsed.count().unwrap(), want, "{case}");
    }
}

#[test]
fn bad_counts_are_refused_in_one_line() {
    // (case, scan data, the refusal)
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "AI 37 zero",
            format!("(00){SSCC}(02){CASE}(37)0"),
            "AI (37) count '0': a scan counts at least one unit",
        ),
        (
            "AI 37 all zeros",
            format!("(00){SSCC}(02){CASE}(37)00000000"),
            "AI (37) count '00000000': a scan counts at least one unit",
        ),
        ("AI 30 zero", format!("(01){VARIABLE}(30)0"), "AI (30) count '0': a scan counts at least one unit"),
        (
            "AI 37 past the limit",
            format!("(00){SSCC}(02){CASE}(37)100001"),
            "AI (37) count '100001': more than 100000 units in one scan",
        ),
        (
            "AI 30 eight nines",
            format!("(01){VARIABLE}(30)99999999"),
            "AI (30) count '99999999': more than 100000 units in one scan",
        ),
        (
            "both counts",
            format!("(00){SSCC}(02){CASE}(30)5(37)5"),
            "AIs (30) and (37) both give a count: a scan carries one",
        ),
        (
            "AI 37 without AI 02",
            format!("(00){SSCC}(8026){CASE}0102(37)5"),
            "AI (37) count '5': it counts the items of AI (02), which this scan lacks",
        ),
        // The dictionary's own rules still come first.
        ("AI 37 not digits", format!("(00){SSCC}(02){CASE}(37)1A"), "AI (37): "),
        ("AI 37 nine digits", format!("(00){SSCC}(02){CASE}(37)123456789"), "AI (37) value is too long"),
        ("AI 37 on an item label", format!("(01){CASE}(37)5"), "it is invalid to pair AI (01) with AI (37)"),
        // (02) needs (37) by the dictionary, so (30) on a logistic unit always comes with it.
        ("AI 30 with 02", format!("(00){SSCC}(02){CASE}(30)7"), "required AIs for AI (02) are not satisfied"),
    ];
    for (case, scan, want) in cases {
        let error = parse_scan_data(scan.as_bytes(), &ParseOptions::warehouse()).unwrap_err().to_string();
        assert!(error.starts_with(want), "{case}: {error}");
    }
}

#[test]
fn the_engine_policy_keeps_the_syntax_engine_verdict() {
    // A zero count is valid GS1 syntax: only the warehouse refuses to book it.
    let scan = format!("]C100{SSCC}02{CASE}370");
    let parsed = parse_scan_data(scan.as_bytes(), &ParseOptions::engine()).unwrap();
    assert!(parsed.count().is_err());
    assert!(parse_scan_data(scan.as_bytes(), &ParseOptions::warehouse()).is_err());
}
