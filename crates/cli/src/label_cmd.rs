//! `shelfsync label item|location|commands` (issue 21): ZPL or PDF labels to a file, or ZPL
//! straight to a Zebra printer on the network (`--printer HOST:9100`, raw TCP). The labels are
//! made by `shelfsync_labels` from plain values; this module reads the item (name, GTIN), a
//! lot's booked expiry and the locations through the store's typed reads, and writes or sends
//! only once the whole label is made, so a bad input writes nothing.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;
use shelfsync_core::BarcodeKind;
use shelfsync_labels::{ItemLabel, LabelError, Symbology, command_entries};
use shelfsync_store::{Store, StoreError};

use crate::context::Context;
use crate::{CliError, output};

#[derive(Subcommand)]
pub enum LabelCommand {
    /// An item's label: GS1-128 (or GS1 DataMatrix) with the GTIN (and lot and expiry) where
    /// the item has one, else Code 128 of the SKU; and the name
    Item {
        sku: String,
        /// gs1-128, or datamatrix (GS1 DataMatrix: needs the item's GTIN and a 2D imager)
        #[arg(long, value_enum, default_value_t = SymbologyArg::Gs1_128)]
        symbology: SymbologyArg,
        /// Lot or batch, GS1 AI (10): up to 20 of A-Z a-z 0-9 - . /
        #[arg(long)]
        lot: Option<String>,
        /// Expiry date YYYY-MM-DD, GS1 AI (17)
        #[arg(long)]
        expiry: Option<String>,
        /// 1 to 100
        #[arg(long, default_value_t = 1)]
        copies: u32,
        #[command(flatten)]
        to: Destination,
    },
    /// A shelf or bin label: `LOC:<code>` as Code 128 and the code in big letters
    Location {
        code: String,
        #[command(flatten)]
        to: Destination,
    },
    /// The scan station's command sheet: modes, quantities 1-10, 12, 24, undo, done, and the
    /// locations (those given, or every location)
    Commands {
        /// A location to include; repeat it [default: every location]
        #[arg(long = "location")]
        locations: Vec<String>,
        #[command(flatten)]
        to: Destination,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SymbologyArg {
    #[value(name = "gs1-128")]
    Gs1_128,
    #[value(name = "datamatrix")]
    DataMatrix,
}

impl From<SymbologyArg> for Symbology {
    fn from(arg: SymbologyArg) -> Symbology {
        match arg {
            SymbologyArg::Gs1_128 => Symbology::Linear,
            SymbologyArg::DataMatrix => Symbology::DataMatrix,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Zpl,
    Pdf,
}

#[derive(Args)]
pub struct Destination {
    #[arg(long, value_enum)]
    pub format: Format,
    /// The file to write (with --printer too: written once the printer took the label)
    #[arg(long, required_unless_present = "printer")]
    pub out: Option<PathBuf>,
    /// A Zebra printer's HOST:PORT (raw TCP, usually 9100); ZPL only
    #[arg(long)]
    pub printer: Option<String>,
}

fn label_error(error: LabelError) -> CliError {
    CliError::Usage(error.to_string())
}

/// The expiry an item label prints for `lot`: the store's [`Store::label_expiry`] (the date
/// the lot was booked with, else the one given).
fn lot_expiry(
    store: &Store,
    sku: &str,
    lot: Option<&str>,
    given: Option<String>,
) -> Result<Option<String>, CliError> {
    let Some(lot) = lot else { return Ok(given) };
    let given = given.as_deref().map(shelfsync_labels::parse_expiry).transpose().map_err(label_error)?;
    Ok(store.label_expiry(sku, lot, given)?.map(|d| d.to_string()))
}

pub fn run(ctx: &Context, command: LabelCommand) -> Result<(), CliError> {
    let (bytes, to, what) = match command {
        LabelCommand::Item { sku, symbology, lot, expiry, copies, to } => {
            let store = ctx.open_existing()?;
            let item = store.item(&sku)?.ok_or_else(|| StoreError::UnknownSku(sku.clone()))?;
            let gtin = store.barcodes_of(&sku)?.into_iter().find(|b| b.kind == BarcodeKind::Gtin);
            let expiry = lot_expiry(&store, &sku, lot.as_deref(), expiry)?;
            let label = ItemLabel::drawn_as(
                symbology.into(),
                &sku,
                &item.name,
                gtin.as_ref().map(|b| b.code.as_str()),
                lot.as_deref(),
                expiry.as_deref(),
                copies,
            )
            .map_err(label_error)?;
            let bytes = match to.format {
                Format::Zpl => shelfsync_labels::zpl_item(&label).into_bytes(),
                Format::Pdf => shelfsync_labels::pdf_item(&label).map_err(label_error)?,
            };
            (bytes, to, format!("item {sku}"))
        }
        LabelCommand::Location { code, to } => {
            if !ctx.open_existing()?.location_exists(&code)? {
                return Err(CliError::Usage(format!("unknown location '{code}'")));
            }
            let bytes = match to.format {
                Format::Zpl => shelfsync_labels::zpl_location(&code).map_err(label_error)?.into_bytes(),
                Format::Pdf => shelfsync_labels::pdf_location(&code).map_err(label_error)?,
            };
            (bytes, to, format!("location {code}"))
        }
        LabelCommand::Commands { locations, to } => {
            let store = ctx.open_existing()?;
            let codes = if locations.is_empty() {
                store.locations()?.into_iter().map(|l| l.code.as_str().to_owned()).collect()
            } else {
                for code in &locations {
                    if !store.location_exists(code)? {
                        return Err(CliError::Usage(format!("unknown location '{code}'")));
                    }
                }
                locations
            };
            let entries = command_entries(&codes).map_err(label_error)?;
            let bytes = match to.format {
                Format::Zpl => shelfsync_labels::zpl_commands(&entries).into_bytes(),
                Format::Pdf => shelfsync_labels::pdf_commands(&entries).map_err(label_error)?,
            };
            (bytes, to, format!("command sheet ({} barcodes)", entries.len()))
        }
    };
    deliver(ctx, &bytes, &to, &what)
}

fn deliver(ctx: &Context, bytes: &[u8], to: &Destination, what: &str) -> Result<(), CliError> {
    let mut targets = Vec::new();
    // The printer first: an unreachable one leaves no file behind either.
    if let Some(printer) = &to.printer {
        if to.format != Format::Zpl {
            return Err(CliError::Usage("--printer takes ZPL only (--format zpl)".into()));
        }
        shelfsync_labels::send_zpl(printer, bytes).map_err(label_error)?;
        targets.push(format!("printer {printer}"));
    }
    if let Some(path) = &to.out {
        std::fs::write(path, bytes)
            .map_err(|source| CliError::WriteFile { path: path.display().to_string(), source })?;
        targets.push(path.display().to_string());
    }
    let target = targets.join(" and ");
    if ctx.json {
        output::json(&json!({ "label": what, "to": target, "bytes": bytes.len() }));
    } else {
        output::line(&format!("{what}: {} bytes to {target}", bytes.len()));
    }
    Ok(())
}
