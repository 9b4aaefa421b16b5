//! The count pack read back with lopdf: every line's SKU, the decisions and their reasons, the
//! accuracy figures and the signature lines are in the PDF's text, pages are numbered, and a
//! long count runs over pages with its header repeated.

use lopdf::Document;
use shelfsync_core::reports::{CountPack, PackLine, PackSession};
use shelfsync_labels::pdf_count_pack;

fn line(sku: &str, counted: i64, expected: i64, state: &str, decided: Option<(&str, &str)>) -> PackLine {
    PackLine {
        sku: sku.into(),
        name: format!("Caja de tornillos {sku}"),
        round: 1,
        counted,
        expected,
        variance: counted - expected,
        value_cents: (counted - expected) * 250,
        state: state.into(),
        counters: "cat".into(),
        decided_by: decided.map(|(who, _)| who.into()),
        decided_at: decided.map(|_| "2026-11-30T10:00:00Z".into()),
        reason: decided.map(|(_, why)| why.into()),
    }
}

fn pack(lines: Vec<PackLine>) -> CountPack {
    CountPack {
        title: "Monthly count 2026-11".into(),
        generated_at: "2026-12-01T09:00:00Z".into(),
        generated_by: "sam".into(),
        sessions: vec![PackSession {
            id: "CNT-7".into(),
            location: "WH1".into(),
            scope_label: "all of WH1".into(),
            full_count: true,
            blind: true,
            status: "submitted".into(),
            started_by: "cat".into(),
            started_at: "2026-11-30T08:00:00Z".into(),
            plan: Some("full:WH1:2026-11".into()),
            lines,
        }],
    }
}

/// Every page's text, in page order.
fn page_texts(pdf: &[u8]) -> Vec<String> {
    let doc = Document::load_mem(pdf).expect("the PDF parses");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    pages.iter().map(|n| doc.extract_text(&[*n]).expect("the page's text reads")).collect()
}

#[test]
fn the_pack_names_every_line_decision_and_signature() {
    let pdf = pdf_count_pack(&pack(vec![
        line("S-100", 10, 10, "posted", None),
        line("S-200", 7, 10, "posted", Some(("sam", "box crushed in aisle 3"))),
        line("S-300", 4, 10, "rejected", Some(("sam", "recounted: misplaced pallet"))),
        line("S-400", 11, 10, "posted", None),
    ]));
    let texts = page_texts(&pdf);
    assert_eq!(texts.len(), 1, "four lines fit one page");
    let text = &texts[0];
    let wanted = [
        "ShelfSync count pack: Monthly count 2026-11",
        "Session CNT-7",
        "S-100",
        "S-200",
        "S-300",
        "S-400",
        "Caja de tornillos S-200",
        "box crushed in aisle 3",
        "recounted: misplaced pallet",
        "-7.50",
        "Accuracy 50.0% (2 of 4 lines within tolerance)",
        "Counted by",
        "Approved by (supervisor)",
        "page 1 of 1",
    ];
    for want in wanted {
        assert!(text.contains(want), "{want:?} missing from the pack's text:\n{text}");
    }
}

#[test]
fn a_long_count_runs_over_numbered_pages() {
    let lines = (0..120).map(|n| line(&format!("SKU-{n:03}"), 5, 5, "posted", None)).collect();
    let texts = page_texts(&pdf_count_pack(&pack(lines)));
    assert!(texts.len() >= 4, "120 lines at about 30 a page: {} pages", texts.len());
    let total = texts.len();
    for (n, text) in texts.iter().enumerate() {
        assert!(text.contains(&format!("page {} of {total}", n + 1)), "page {} is numbered", n + 1);
    }
    for n in 0..120 {
        let sku = format!("SKU-{n:03}");
        assert_eq!(texts.iter().filter(|t| t.contains(&sku)).count(), 1, "{sku} is on one page");
    }
    assert!(texts[1].contains("(continued)") && texts[1].contains("Expected"), "the header is repeated");
    assert!(texts[total - 1].contains("Approved by (supervisor)"), "the signatures end the pack");
}
