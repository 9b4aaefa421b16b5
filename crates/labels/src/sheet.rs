//! The command sheet: the barcodes that drive a scan station (modes, quantities, undo, done,
//! locations), in exactly the forms `shelfsync_scan::command` recognises. Each one is checked
//! by the scanner's own classifier before it is printed, so a sheet cannot carry a barcode the
//! station would look up as an item.

use shelfsync_scan::command::{Classified, CommandConfig, classify};
use shelfsync_scan::gs1::{ParseOptions, parse_scan_data};

use crate::{LabelError, Symbol};

/// Every mode the station has, as `MODE:<name>` takes it.
const MODES: [&str; 5] = ["count", "damage", "receive", "transfer", "lookup"];
/// The quantities a station keeps at hand: 1 to 10 for counting, 12 and 24 for cases.
const QUANTITIES: [u32; 12] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 24];
/// A sheet is for one station's shelves; a whole warehouse is printed in several runs.
pub const MAX_SHEET_LOCATIONS: usize = 500;

/// One barcode on the sheet and the caption printed under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandEntry {
    pub symbol: Symbol,
    pub caption: String,
}

fn command(text: String, caption: String) -> Result<CommandEntry, LabelError> {
    let parsed = parse_scan_data(text.as_bytes(), &ParseOptions::warehouse()).map_err(|e| {
        LabelError::Encode { text: text.clone(), symbology: "Code 128", reason: e.to_string() }
    })?;
    match classify(&parsed, &CommandConfig::default()) {
        Ok(Classified::Command(_)) => Ok(CommandEntry { symbol: Symbol::Code128(text), caption }),
        _ => Err(LabelError::Encode {
            text,
            symbology: "Code 128",
            reason: "the scanner does not read it as a command".into(),
        }),
    }
}

pub(crate) fn location_entry(code: &str) -> Result<CommandEntry, LabelError> {
    let cfg = CommandConfig::default();
    let text = format!("{}{code}", cfg.location_prefix);
    crate::symbol::check_symbol_text("location", &text).map_err(|_| LabelError::Location(code.to_owned()))?;
    let entry =
        command(text, format!("Location {code}")).map_err(|_| LabelError::Location(code.to_owned()))?;
    crate::symbol::check_fits(&entry.symbol)?;
    Ok(entry)
}

/// Modes, quantities, undo and done, then one entry per location (in the order given).
pub fn command_entries(locations: &[String]) -> Result<Vec<CommandEntry>, LabelError> {
    if locations.len() > MAX_SHEET_LOCATIONS {
        return Err(LabelError::Location(format!(
            "{} locations (at most {MAX_SHEET_LOCATIONS})",
            locations.len()
        )));
    }
    let cfg = CommandConfig::default();
    let mut entries = Vec::new();
    for mode in MODES {
        entries
            .push(command(format!("{}{}", cfg.mode_prefix, mode.to_uppercase()), format!("Mode: {mode}"))?);
    }
    for qty in QUANTITIES {
        entries.push(command(format!("{}{qty}", cfg.quantity_prefix), format!("Quantity {qty}"))?);
    }
    entries.push(command(cfg.undo.clone(), "Undo".into())?);
    entries.push(command(cfg.done.clone(), "Done".into())?);
    for code in locations {
        entries.push(location_entry(code)?);
    }
    Ok(entries)
}
