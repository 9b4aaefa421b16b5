//! What a barcode says: GS1-128 element strings, plain Code 128 text or a GS1 DataMatrix,
//! checked before any printer or PDF sees them, and encoded to modules by `rxing`.

use chrono::{Datelike, NaiveDate};
use rxing::datamatrix::{DataMatrixWriter, encoder::SymbolShapeHint};
use rxing::oned::{Code128Writer, OneDimensionalCodeWriter};
use rxing::{BarcodeFormat, EncodeHints, Writer};

use crate::LabelError;

/// Longest plain Code 128 text: at 0.25 mm per module (2 dots at 203 dpi) a 4-inch label holds
/// about 30 characters of mixed text with its quiet zones; longer would print off the edge.
pub const MAX_SYMBOL_TEXT: usize = 30;
/// Widest symbol, start to stop: 812 dots less a 40-dot margin at 2 dots a module (ZPL's
/// `^BY2`, 0.25 mm), less two 10-module quiet zones.
pub const MAX_MODULES: usize = (812 - 40) / 2 - 20;
/// GS1's limit for AI (10): at most 20 characters.
const MAX_LOT: usize = 20;
/// `rxing`'s escape for FNC1 in Code 128 contents.
const FNC1: char = '\u{f1}';
/// Largest GS1 DataMatrix side, in modules: GTIN, expiry and a 20-character lot need 22x22;
/// 32x32 at ZPL's 4 dots a module is 16 mm, well inside a 4x6 label's barcode area.
pub const MAX_MATRIX_MODULES: usize = 32;

/// How an item label draws its GS1 data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Symbology {
    /// GS1-128 (Code 128 for an item without a GTIN): every warehouse scanner reads it.
    #[default]
    Linear,
    /// GS1 DataMatrix (ECC 200): a square that needs a 2D imager, read from any angle and
    /// small enough for a bin or a pharmacy box.
    DataMatrix,
}

impl Symbology {
    /// The names the CLI and the app use.
    pub const NAMES: [&'static str; 2] = ["gs1-128", "datamatrix"];

    pub fn name(self) -> &'static str {
        match self {
            Symbology::Linear => "gs1-128",
            Symbology::DataMatrix => "datamatrix",
        }
    }
}

impl std::str::FromStr for Symbology {
    type Err = crate::LabelError;

    fn from_str(raw: &str) -> Result<Symbology, crate::LabelError> {
        match raw {
            "gs1-128" => Ok(Symbology::Linear),
            "datamatrix" => Ok(Symbology::DataMatrix),
            other => Err(crate::LabelError::Symbology(other.to_owned())),
        }
    }
}

/// A symbol's modules, row by row (true = dark): one row for a linear symbol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Modules {
    pub width: usize,
    pub height: usize,
    pub dark: Vec<bool>,
}

/// A GTIN of any length (8, 12, 13 or 14 digits, check digit verified), kept as GTIN-14.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gtin(String);

impl Gtin {
    pub fn parse(code: &str) -> Result<Gtin, LabelError> {
        let bad = || LabelError::Gtin(code.to_owned());
        if !matches!(code.len(), 8 | 12 | 13 | 14) || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let padded = format!("{code:0>14}");
        let digits: Vec<u32> = padded.bytes().map(|b| u32::from(b - b'0')).collect();
        let sum: u32 =
            digits[..13].iter().enumerate().map(|(i, d)| if i % 2 == 0 { d * 3 } else { *d }).sum();
        if (10 - sum % 10) % 10 != digits[13] {
            return Err(bad());
        }
        Ok(Gtin(padded))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `YYYY-MM-DD`, a real calendar date whose year fits AI (17)'s two digits.
pub fn parse_expiry(raw: &str) -> Result<NaiveDate, LabelError> {
    let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| LabelError::Expiry(raw.to_owned()))?;
    if raw.len() != 10 || !(2000..=2099).contains(&date.year()) {
        return Err(LabelError::Expiry(raw.to_owned()));
    }
    Ok(date)
}

/// Lots are limited to characters that are safe in GS1, ZPL and file names alike.
pub(crate) fn check_lot(lot: &str) -> Result<String, LabelError> {
    let ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '/');
    if lot.is_empty() || lot.len() > MAX_LOT || !lot.chars().all(ok) {
        return Err(LabelError::Lot(lot.to_owned()));
    }
    Ok(lot.to_owned())
}

pub(crate) fn check_symbol_text(what: &'static str, text: &str) -> Result<(), LabelError> {
    let printable = |c: char| (' '..='~').contains(&c);
    if text.is_empty() || text.len() > MAX_SYMBOL_TEXT || !text.chars().all(printable) {
        return Err(LabelError::SymbolText { what, text: text.to_owned() });
    }
    Ok(())
}

/// One barcode's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Symbol {
    /// GS1-128: (AI, value) pairs, fixed-length AIs first so only the last may be variable
    /// (no FNC1 separator needed between fields).
    Gs1(Vec<(&'static str, String)>),
    /// Code 128 of printable ASCII.
    Code128(String),
    /// GS1 DataMatrix: the same (AI, value) pairs as GS1-128, FNC1 first.
    Gs1DataMatrix(Vec<(&'static str, String)>),
}

impl Symbol {
    /// `(01)09501234567894(17)270131(10)L-7`: the human-readable line, and ZPL's mode D input.
    pub fn human(&self) -> String {
        match self {
            Symbol::Gs1(fields) | Symbol::Gs1DataMatrix(fields) => {
                fields.iter().map(|(ai, value)| format!("({ai}){value}")).collect()
            }
            Symbol::Code128(text) => text.clone(),
        }
    }

    /// True for a two-dimensional symbol (DataMatrix), false for a linear one.
    pub fn is_matrix(&self) -> bool {
        matches!(self, Symbol::Gs1DataMatrix(_))
    }

    /// What the symbology is called in an error.
    pub fn symbology_name(&self) -> &'static str {
        match self {
            Symbol::Gs1(_) => "GS1-128",
            Symbol::Code128(_) => "Code 128",
            Symbol::Gs1DataMatrix(_) => "GS1 DataMatrix",
        }
    }

    /// What a decoder reports: the element string without parentheses (FNC1 in first position
    /// is the symbology flag, ]C1, not text), or the plain text.
    pub fn data(&self) -> String {
        match self {
            Symbol::Gs1(fields) | Symbol::Gs1DataMatrix(fields) => {
                fields.iter().map(|(ai, value)| format!("{ai}{value}")).collect()
            }
            Symbol::Code128(text) => text.clone(),
        }
    }

    fn encode_error(&self, reason: impl ToString) -> LabelError {
        LabelError::Encode {
            text: self.human(),
            symbology: self.symbology_name(),
            reason: reason.to_string(),
        }
    }

    /// The bars and spaces of a linear symbol (true = bar), start to stop, no quiet zone:
    /// `rxing`'s Code 128 encoder, FNC1 first for GS1-128. A DataMatrix has no single row:
    /// use [`Symbol::matrix`].
    pub fn modules(&self) -> Result<Vec<bool>, LabelError> {
        let contents = match self {
            Symbol::Gs1(_) => format!("{FNC1}{}", self.data()),
            Symbol::Code128(text) => text.clone(),
            Symbol::Gs1DataMatrix(_) => {
                return Err(self.encode_error("a DataMatrix has rows, not one row of bars"));
            }
        };
        Code128Writer.encode_oned(&contents).map_err(|e| self.encode_error(e))
    }

    /// Every module, row by row, no quiet zone. A DataMatrix comes from `rxing`'s ECC 200
    /// encoder in GS1 mode (FNC1 first) as a square; a linear symbol is its one row.
    pub fn matrix(&self) -> Result<Modules, LabelError> {
        if !self.is_matrix() {
            let dark = self.modules()?;
            return Ok(Modules { width: dark.len(), height: 1, dark });
        }
        let hints = EncodeHints::default()
            .with(rxing::EncodeHintValue::Gs1Format(true))
            .with(rxing::EncodeHintValue::DataMatrixCompact(true))
            .with(rxing::EncodeHintValue::DataMatrixShape(SymbolShapeHint::FORCE_SQUARE))
            .with(rxing::EncodeHintValue::Margin("0".to_owned()));
        // Width and height 0: the symbol's own size, one pixel a module, no margin.
        let bits = DataMatrixWriter
            .encode_with_hints(&self.data(), &BarcodeFormat::DATA_MATRIX, 0, 0, &hints)
            .map_err(|e| self.encode_error(e))?;
        let (width, height) = (bits.getWidth(), bits.getHeight());
        let dark =
            (0..height).flat_map(|y| (0..width).map(move |x| (x, y))).map(|(x, y)| bits.get(x, y)).collect();
        Ok(Modules { width: width as usize, height: height as usize, dark })
    }
}

/// A symbol too wide for the label is refused before anything is written: printed, its end
/// would fall off the edge and no scanner would read it.
pub(crate) fn check_fits(symbol: &Symbol) -> Result<(), LabelError> {
    let modules = symbol.matrix()?;
    let (limit, size) = if symbol.is_matrix() {
        (MAX_MATRIX_MODULES, modules.width.max(modules.height))
    } else {
        (MAX_MODULES, modules.width)
    };
    if size > limit {
        return Err(LabelError::TooWide { text: symbol.human(), modules: size, max: limit });
    }
    Ok(())
}

/// GS1-128 (or GS1 DataMatrix, as the label asks) when the item has a GTIN, expiry and lot
/// added when given; else Code 128 of the SKU. [`crate::ItemLabel::new`] refuses a DataMatrix
/// without a GTIN, so that case never reaches here.
pub fn item_symbol(label: &crate::ItemLabel) -> Symbol {
    let Some(gtin) = &label.gtin else {
        return Symbol::Code128(label.sku.clone());
    };
    let mut fields = vec![("01", gtin.as_str().to_owned())];
    if let Some(expiry) = label.expiry {
        fields.push(("17", expiry.format("%y%m%d").to_string()));
    }
    if let Some(lot) = &label.lot {
        fields.push(("10", lot.clone()));
    }
    match label.symbology {
        Symbology::Linear => Symbol::Gs1(fields),
        Symbology::DataMatrix => Symbol::Gs1DataMatrix(fields),
    }
}

/// `LOC:<code>`, in the prefix the scanner's command table expects.
pub fn location_symbol(code: &str) -> Result<Symbol, LabelError> {
    let entry = crate::sheet::location_entry(code)?;
    Ok(entry.symbol)
}
