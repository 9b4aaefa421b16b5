use thiserror::Error;

/// Every way a label cannot be made; each prints as one line, and nothing is written.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum LabelError {
    #[error("expiry {0:?} is not a date (YYYY-MM-DD, years 2000 to 2099)")]
    Expiry(String),
    #[error("copies {0} is outside 1..={max}", max = crate::MAX_COPIES)]
    Copies(u32),
    #[error("lot {0:?} must be 1 to 20 characters of A-Z, a-z, 0-9, '-', '.' or '/'")]
    Lot(String),
    #[error("GTIN {0:?} is not a GTIN (8, 12, 13 or 14 digits with a correct check digit)")]
    Gtin(String),
    #[error("{what} {text:?} cannot be a barcode: 1 to {max} printable ASCII characters", max = crate::symbol::MAX_SYMBOL_TEXT)]
    SymbolText { what: &'static str, text: String },
    #[error("location code {0:?} is not one the scanner accepts")]
    Location(String),
    #[error(
        "the barcode {text:?} would be {modules} modules wide; a 4-inch label fits {max} (shorten the lot)"
    )]
    TooWide { text: String, modules: usize, max: usize },
    #[error("cannot encode {text:?} as {symbology}: {reason}")]
    Encode { text: String, symbology: &'static str, reason: String },
    #[error("symbology {0:?} is not one of gs1-128, datamatrix")]
    Symbology(String),
    #[error(
        "item {0} has no GTIN: a GS1 DataMatrix carries a GTIN (print it as gs1-128, a Code 128 of the SKU)"
    )]
    MatrixWithoutGtin(String),
    #[error("printer {printer} is unreachable: {reason}")]
    Printer { printer: String, reason: String },
}
