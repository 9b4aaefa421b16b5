//! Labels from the app (issue 21): the item, location and settings screens preview a label,
//! print it (the preview through the system's print dialog), save it as PDF or ZPL into the
//! `labels` folder next to the database, or send its ZPL to a Zebra printer on the network.
//! The labels themselves are `shelfsync_labels`' (the CLI's `label` command makes the same
//! bytes); this module reads the item and the locations through the store's typed reads.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use shelfsync_core::BarcodeKind;
use shelfsync_labels::{ItemLabel, Symbology, command_entries};

use crate::commands::{acting_user, item_sku};
use crate::error::{AppError, Result};
use crate::export::write_beside_database;
use crate::ipc::{LabelDelivered, LabelFormat, LabelKind, LabelPreviewView, LabelRequest, LabelSymbology};
use crate::state::AppState;

/// A SKU, barcode or location code longer than this is not one (the store's own limits are
/// lower); refused before any lookup.
const MAX_CODE_LEN: usize = 64;

/// A label made from a request, ready to preview or to write.
enum Made {
    Item(ItemLabel),
    Location(String),
    Commands(Vec<shelfsync_labels::CommandEntry>),
}

fn make(state: &AppState, request: &LabelRequest) -> Result<Made> {
    let code = request.code.trim();
    if code.len() > MAX_CODE_LEN {
        return Err(AppError::BadRequest(format!("a code is at most {MAX_CODE_LEN} characters")));
    }
    let store = state.store()?;
    match request.kind {
        LabelKind::Item => {
            if code.is_empty() {
                return Err(AppError::BadRequest("which item? Give its SKU or barcode".into()));
            }
            let sku = item_sku(&store, code)?;
            let item = store.item(sku.as_str())?.ok_or_else(|| AppError::NotFound(code.to_owned()))?;
            let gtin = store.barcodes_of(sku.as_str())?.into_iter().find(|b| b.kind == BarcodeKind::Gtin);
            let blank =
                |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
            let lot = blank(&request.lot);
            let mut expiry = blank(&request.expiry);
            // A lot's label carries the date it was booked with (and no other): the store's rule.
            if let Some(lot) = &lot {
                let given = expiry.as_deref().map(shelfsync_labels::parse_expiry).transpose()?;
                expiry = store.label_expiry(sku.as_str(), lot, given)?.map(|d| d.to_string());
            }
            let symbology = match request.symbology {
                None | Some(LabelSymbology::Linear) => Symbology::Linear,
                Some(LabelSymbology::DataMatrix) => Symbology::DataMatrix,
            };
            let label = ItemLabel::drawn_as(
                symbology,
                sku.as_str(),
                &item.name,
                gtin.as_ref().map(|b| b.code.as_str()),
                lot.as_deref(),
                expiry.as_deref(),
                request.copies,
            )?;
            Ok(Made::Item(label))
        }
        LabelKind::Location => {
            if !store.location_exists(code)? {
                return Err(AppError::BadRequest(format!("unknown location '{code}'")));
            }
            Ok(Made::Location(code.to_owned()))
        }
        LabelKind::Commands => {
            let codes: Vec<String> =
                store.locations()?.into_iter().map(|l| l.code.as_str().to_owned()).collect();
            Ok(Made::Commands(command_entries(&codes)?))
        }
    }
}

/// The preview of a label: checked exactly as printing it would be, so a label that previews
/// is a label that prints.
pub fn label_preview(state: &AppState, request: LabelRequest) -> Result<LabelPreviewView> {
    acting_user(state)?;
    let base64 = |png: &[u8]| base64::engine::general_purpose::STANDARD.encode(png);
    Ok(match make(state, &request)? {
        Made::Item(label) => {
            let preview = shelfsync_labels::preview_item(&label)?;
            LabelPreviewView {
                png_base64: base64(&preview.png),
                human: preview.human,
                lines: preview.lines,
                barcodes: 1,
            }
        }
        Made::Location(code) => {
            let preview = shelfsync_labels::preview_location(&code)?;
            LabelPreviewView {
                png_base64: base64(&preview.png),
                human: preview.human,
                lines: preview.lines,
                barcodes: 1,
            }
        }
        Made::Commands(entries) => LabelPreviewView {
            png_base64: String::new(),
            human: String::new(),
            lines: entries.iter().map(|e| e.caption.clone()).collect(),
            barcodes: entries.len() as u32,
        },
    })
}

fn bytes_of(made: &Made, format: &LabelFormat) -> Result<(Vec<u8>, String)> {
    Ok(match (made, format) {
        (Made::Item(l), LabelFormat::Pdf) => (shelfsync_labels::pdf_item(l)?, format!("item-{}", l.sku)),
        (Made::Item(l), LabelFormat::Zpl) => {
            (shelfsync_labels::zpl_item(l).into_bytes(), format!("item-{}", l.sku))
        }
        (Made::Location(c), LabelFormat::Pdf) => {
            (shelfsync_labels::pdf_location(c)?, format!("location-{c}"))
        }
        (Made::Location(c), LabelFormat::Zpl) => {
            (shelfsync_labels::zpl_location(c)?.into_bytes(), format!("location-{c}"))
        }
        (Made::Commands(e), LabelFormat::Pdf) => (shelfsync_labels::pdf_commands(e)?, "command-sheet".into()),
        (Made::Commands(e), LabelFormat::Zpl) => {
            (shelfsync_labels::zpl_commands(e).into_bytes(), "command-sheet".into())
        }
    })
}

/// Writes the label into `<database folder>/labels/` and says where.
pub fn save_label(state: &AppState, request: LabelRequest, format: LabelFormat) -> Result<LabelDelivered> {
    acting_user(state)?;
    let made = make(state, &request)?;
    let (bytes, name) = bytes_of(&made, &format)?;
    let extension = match format {
        LabelFormat::Pdf => "pdf",
        LabelFormat::Zpl => "zpl",
    };
    let path = write_label(state.db_path(), &name, extension, &bytes)?;
    Ok(LabelDelivered { to: path.display().to_string(), bytes: bytes.len() as u32 })
}

/// Sends the label's ZPL to a Zebra printer (`HOST:PORT`, raw TCP). Blocking: a printer that
/// does not answer takes the connect timeout (3 s) to be reported.
pub fn send_label(state: &AppState, request: LabelRequest, printer: String) -> Result<LabelDelivered> {
    acting_user(state)?;
    let printer = printer.trim();
    if printer.is_empty() || printer.len() > 255 || !printer.contains(':') {
        return Err(AppError::BadRequest(format!(
            "printer '{printer}' is not HOST:PORT (a Zebra printer usually listens on port 9100)"
        )));
    }
    let made = make(state, &request)?;
    let (bytes, _) = bytes_of(&made, &LabelFormat::Zpl)?;
    shelfsync_labels::send_zpl(printer, &bytes)?;
    Ok(LabelDelivered { to: format!("printer {printer}"), bytes: bytes.len() as u32 })
}

/// `<database folder>/labels/<name>-<UTC time>.<extension>`. The name keeps only characters
/// safe in a file name (a SKU may hold '/').
fn write_label(db_path: &Path, name: &str, extension: &str, bytes: &[u8]) -> Result<PathBuf> {
    let safe: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '.' { c } else { '_' })
        .collect();
    write_beside_database(db_path, "labels", &safe, extension, bytes)
}
