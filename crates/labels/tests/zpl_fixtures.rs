//! ZPL checked against hand-written, known-good fixtures (no offline ZPL renderer is at hand):
//! each case is its input and the fixture file it must reproduce byte for byte.

use shelfsync_labels::{ItemLabel, Symbology, command_entries, zpl_commands, zpl_item, zpl_location};

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

struct Item {
    sku: &'static str,
    name: &'static str,
    gtin: Option<&'static str>,
    lot: Option<&'static str>,
    expiry: Option<&'static str>,
    copies: u32,
    symbology: Symbology,
}

const LINEAR: Symbology = Symbology::Linear;

const ITEMS: &[(Item, &str)] = &[
    (
        Item {
            sku: "A-1",
            name: "Mug",
            gtin: Some("4006381333931"),
            lot: Some("L-7"),
            expiry: Some("2027-01-31"),
            copies: 2,
            symbology: LINEAR,
        },
        "item_gtin_lot_expiry.zpl",
    ),
    (
        Item {
            sku: "A-1",
            name: "Mug",
            gtin: Some("012345678905"),
            lot: None,
            expiry: None,
            copies: 1,
            symbology: LINEAR,
        },
        "item_gtin_only.zpl",
    ),
    (
        Item {
            sku: "C-1",
            name: "Cap ^XA~big~ 100_pct",
            gtin: None,
            lot: Some("2026/B"),
            expiry: None,
            copies: 100,
            symbology: LINEAR,
        },
        "item_sku_escaped.zpl",
    ),
    (
        Item {
            sku: "MUG-TRAVEL-500",
            name: "Stainless steel insulated travel mug with lid and handle, 500 ml, black",
            gtin: None,
            lot: None,
            expiry: None,
            copies: 1,
            symbology: LINEAR,
        },
        "item_long_name.zpl",
    ),
    (
        Item {
            sku: "A-1",
            name: "Mug",
            gtin: Some("4006381333931"),
            lot: Some("L-7"),
            expiry: Some("2027-01-31"),
            copies: 1,
            symbology: Symbology::DataMatrix,
        },
        "item_datamatrix.zpl",
    ),
];

#[test]
fn item_labels_match_their_fixtures() {
    for (item, file) in ITEMS {
        let label = ItemLabel::drawn_as(
            item.symbology,
            item.sku,
            item.name,
            item.gtin,
            item.lot,
            item.expiry,
            item.copies,
        )
        .unwrap();
        assert_eq!(zpl_item(&label), fixture(file), "{file}");
    }
}

#[test]
fn location_label_matches_its_fixture() {
    assert_eq!(zpl_location("WH1-A-01").unwrap(), fixture("location_wh1_a_01.zpl"));
}

#[test]
fn command_sheet_matches_its_fixture() {
    let entries = command_entries(&["WH1".into(), "WH2-B_3".into()]).unwrap();
    assert_eq!(zpl_commands(&entries), fixture("commands_wh1_wh2.zpl"));
}

/// Each `^XA`...`^XZ` block is balanced and every field that opens with `^FD` closes with
/// `^FS`: a fixture typo that a printer would choke on fails here too.
#[test]
fn fixtures_are_well_formed_zpl() {
    for file in [
        "item_gtin_lot_expiry.zpl",
        "item_gtin_only.zpl",
        "item_sku_escaped.zpl",
        "item_long_name.zpl",
        "item_datamatrix.zpl",
        "location_wh1_a_01.zpl",
        "commands_wh1_wh2.zpl",
    ] {
        let text = fixture(file);
        assert_eq!(text.matches("^XA").count(), text.matches("^XZ").count(), "{file}");
        for line in text.lines().filter(|l| l.contains("^FD")) {
            assert!(line.ends_with("^FS"), "{file}: {line}");
            let data = &line[line.find("^FD").unwrap() + 3..line.len() - 3];
            assert!(!data.contains('^') && !data.contains('~'), "{file}: unescaped {data}");
        }
    }
}
