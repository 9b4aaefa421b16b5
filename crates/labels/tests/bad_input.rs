//! Every field an item, location or sheet label takes, refused with its own one-line error
//! when it is wrong; and the limits (copies, name, symbol text) at and past their edges.

use shelfsync_labels::{Gtin, ItemLabel, LabelError, command_entries, pdf_location, zpl_item, zpl_location};

fn item(
    gtin: Option<&str>,
    lot: Option<&str>,
    expiry: Option<&str>,
    copies: u32,
) -> Result<ItemLabel, LabelError> {
    ItemLabel::new("A-1", "Mug", gtin, lot, expiry, copies)
}

#[test]
fn each_bad_field_is_its_own_error() {
    let cases: Vec<(Result<ItemLabel, LabelError>, LabelError)> = vec![
        (item(None, None, Some("2027-02-30"), 1), LabelError::Expiry("2027-02-30".into())),
        (item(None, None, Some("2027-1-31"), 1), LabelError::Expiry("2027-1-31".into())),
        (item(None, None, Some("1999-12-31"), 1), LabelError::Expiry("1999-12-31".into())),
        (item(None, None, Some("tomorrow"), 1), LabelError::Expiry("tomorrow".into())),
        (item(None, None, None, 0), LabelError::Copies(0)),
        (item(None, None, None, 101), LabelError::Copies(101)),
        (item(None, Some(""), None, 1), LabelError::Lot(String::new())),
        (item(None, Some("L^XZ"), None, 1), LabelError::Lot("L^XZ".into())),
        (item(None, Some("L(10)"), None, 1), LabelError::Lot("L(10)".into())),
        (item(None, Some("123456789012345678901"), None, 1), LabelError::Lot("123456789012345678901".into())),
        (item(Some("4006381333932"), None, None, 1), LabelError::Gtin("4006381333932".into())),
        (item(Some("40063813339"), None, None, 1), LabelError::Gtin("40063813339".into())),
        (item(Some("40O6381333931"), None, None, 1), LabelError::Gtin("40O6381333931".into())),
        (
            ItemLabel::new("SKU-ÄÖ", "Mug", None, None, None, 1),
            LabelError::SymbolText { what: "SKU", text: "SKU-ÄÖ".into() },
        ),
        (
            ItemLabel::new(&"S".repeat(31), "Mug", None, None, None, 1),
            LabelError::SymbolText { what: "SKU", text: "S".repeat(31) },
        ),
        (
            ItemLabel::drawn_as(
                shelfsync_labels::Symbology::DataMatrix,
                "A-1",
                "Mug",
                None,
                Some("L1"),
                None,
                1,
            ),
            LabelError::MatrixWithoutGtin("A-1".into()),
        ),
        (
            "qr".parse::<shelfsync_labels::Symbology>().map(|_| item(None, None, None, 1).unwrap()),
            LabelError::Symbology("qr".into()),
        ),
        (
            "".parse::<shelfsync_labels::Symbology>().map(|_| item(None, None, None, 1).unwrap()),
            LabelError::Symbology(String::new()),
        ),
    ];
    for (got, want) in cases {
        assert_eq!(got.as_ref().err(), Some(&want), "{want}");
        assert_eq!(want.to_string().lines().count(), 1);
    }
}

#[test]
fn the_edges_of_each_limit_are_accepted() {
    for copies in [1, 100] {
        assert!(item(None, None, None, copies).is_ok());
    }
    assert!(item(None, Some("12345678901234567890"), Some("2099-12-31"), 1).is_ok());
    assert!(ItemLabel::new(&"S".repeat(30), "Mug", None, None, None, 1).is_ok());
    for gtin in ["96385074", "012345678905", "4006381333931", "14006381333938"] {
        assert_eq!(Gtin::parse(gtin).unwrap().as_str().len(), 14, "{gtin}");
    }
}

#[test]
fn a_name_is_cut_at_sixty_characters() {
    let exact = "N".repeat(60);
    let label = ItemLabel::new("A-1", &exact, None, None, None, 1).unwrap();
    assert!(zpl_item(&label).contains(&format!("^FD{exact}^FS")));
    let long = format!("{}é{}", "N".repeat(56), "X".repeat(20));
    let label = ItemLabel::new("A-1", &long, None, None, None, 1).unwrap();
    assert!(zpl_item(&label).contains(&format!("^FD{}é...^FS", "N".repeat(56))));
}

#[test]
fn locations_the_scanner_would_refuse_are_refused() {
    for code in ["", "A B", "WH1^XZ", "Ü1", &"L".repeat(27)] {
        assert_eq!(zpl_location(code), Err(LabelError::Location(code.to_owned())), "{code:?}");
        assert_eq!(pdf_location(code).err(), Some(LabelError::Location(code.to_owned())), "{code:?}");
        assert!(command_entries(&[code.to_owned()]).is_err(), "{code:?}");
    }
    assert!(zpl_location(&"L".repeat(26)).is_ok(), "LOC: + 26 is the 30-character limit");
    let too_many: Vec<String> = (0..501).map(|n| format!("B{n}")).collect();
    assert!(command_entries(&too_many).is_err());
    assert_eq!(command_entries(&too_many[..500]).unwrap().len(), 19 + 500);
}

/// The longest symbols the limits allow still fit a 4-inch label at ZPL's `^BY2` (2 dots a
/// module at 203 dpi): 812 dots less the 40-dot margin, bars plus 10-module quiet zones.
#[test]
fn the_longest_symbols_fit_a_four_inch_label() {
    // A 20-character letter lot with a GTIN and an expiry is 420 modules: refused, one line.
    let too_wide = ItemLabel::new(
        "A-1",
        "Mug",
        Some("4006381333931"),
        Some("ABCDEFGHIJKLMNOPQRST"),
        Some("2027-01-31"),
        1,
    );
    assert_eq!(
        too_wide.err(),
        Some(LabelError::TooWide {
            text: "(01)04006381333931(17)270131(10)ABCDEFGHIJKLMNOPQRST".into(),
            modules: 420,
            max: 366
        })
    );
    // Fifteen letters fit; a 20-digit lot (Code 128 set C packs digits in pairs) fits too.
    let worst_item =
        ItemLabel::new("A-1", "Mug", Some("4006381333931"), Some("ABCDEFGHIJKLMNO"), Some("2027-01-31"), 1)
            .unwrap();
    assert!(
        ItemLabel::new(
            "A-1",
            "Mug",
            Some("4006381333931"),
            Some("12345678901234567890"),
            Some("2027-01-31"),
            1
        )
        .is_ok()
    );
    let symbols = [
        shelfsync_labels::item_symbol(&worst_item),
        shelfsync_labels::Symbol::Code128("A-B-C-D-E-F-G-H-I-J-K-L-M-N-O-".into()),
        shelfsync_labels::location_symbol(&"Z".repeat(26)).unwrap(),
    ];
    for symbol in symbols {
        let modules = symbol.modules().unwrap().len();
        assert!((modules + 20) * 2 <= 812 - 40, "{}: {modules} modules", symbol.human());
    }
}
