//! Labels (issue 21): the item, location and command-sheet labels a scan station needs, as
//! ZPL for Zebra printers and as PDF for any printer. Plain values in, bytes out: no SQL and no
//! Tauri here (the CLI looks the item up in the store and passes its name and GTIN).
//!
//! Symbols are Code 128 (plain text), GS1-128 or GS1 DataMatrix (AI 01 GTIN-14, 17 expiry,
//! 10 lot). ZPL lets the printer encode them; the PDF embeds a raster the `rxing` encoder made,
//! so no bar or module is drawn by hand either way.

mod count_pack;
mod error;
mod pdf;
mod preview;
mod printer;
mod sheet;
mod symbol;
mod zpl;

pub use count_pack::{figures_line, pdf_count_pack};
pub use error::LabelError;
pub use pdf::{Raster, pdf_commands, pdf_item, pdf_location, raster};
pub use preview::{Preview, preview_item, preview_location, symbol_png};
pub use printer::send_zpl;
pub use sheet::{CommandEntry, command_entries};
pub use symbol::{Gtin, Modules, Symbol, Symbology, item_symbol, location_symbol, parse_expiry};
pub use zpl::{zpl_commands, zpl_item, zpl_location};

/// A typo (`--copies 1000`) must not empty a roll of labels; a hundred covers a pallet of one
/// SKU received in a day.
pub const MAX_COPIES: u32 = 100;

/// What an item label shows. Built with [`ItemLabel::new`], which checks every field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemLabel {
    pub sku: String,
    pub name: String,
    pub gtin: Option<Gtin>,
    pub lot: Option<String>,
    pub expiry: Option<chrono::NaiveDate>,
    pub copies: u32,
    pub symbology: Symbology,
}

impl ItemLabel {
    /// A GS1-128 (or Code 128) label: [`ItemLabel::drawn_as`] with [`Symbology::Linear`].
    pub fn new(
        sku: &str,
        name: &str,
        gtin: Option<&str>,
        lot: Option<&str>,
        expiry: Option<&str>,
        copies: u32,
    ) -> Result<ItemLabel, LabelError> {
        ItemLabel::drawn_as(Symbology::Linear, sku, name, gtin, lot, expiry, copies)
    }

    /// Checks the copies, the expiry (YYYY-MM-DD), the lot, the GTIN and the SKU, then that the
    /// symbol fits; the first bad one is the error. A DataMatrix needs the GTIN: without one the
    /// label is refused rather than printed as a 2D code no GS1 scan could parse.
    pub fn drawn_as(
        symbology: Symbology,
        sku: &str,
        name: &str,
        gtin: Option<&str>,
        lot: Option<&str>,
        expiry: Option<&str>,
        copies: u32,
    ) -> Result<ItemLabel, LabelError> {
        if !(1..=MAX_COPIES).contains(&copies) {
            return Err(LabelError::Copies(copies));
        }
        let expiry = expiry.map(parse_expiry).transpose()?;
        let lot = lot.map(symbol::check_lot).transpose()?;
        let gtin = gtin.map(Gtin::parse).transpose()?;
        symbol::check_symbol_text("SKU", sku)?;
        if symbology == Symbology::DataMatrix && gtin.is_none() {
            return Err(LabelError::MatrixWithoutGtin(sku.to_owned()));
        }
        let label =
            ItemLabel { sku: sku.to_owned(), name: name.to_owned(), gtin, lot, expiry, copies, symbology };
        symbol::check_fits(&item_symbol(&label))?;
        Ok(label)
    }
}
