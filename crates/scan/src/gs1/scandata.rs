//! From what a scanner sends (optional AIM symbology identifier, GS as FNC1) to parsed content.
//!
//! Two policies share this code. `Policy::Engine` is the GS1 Syntax Engine's: an AIM identifier
//! is mandatory and only GS1-capable symbologies are accepted. `Policy::Warehouse` is ShelfSync's:
//! warehouses label bins and items with plain Code 128, and keyboard-wedge scanners often send no
//! identifier, so anything else is accepted as plain text; GS1 content still follows the engine.

use super::dl::{is_dl_candidate, parse_digital_link};
use super::element::{
    Element, Gs1Options, data_string, parse_bracketed, parse_element_string, validate_associations,
};
use super::gtin::{to_gtin14, upce_to_upca};
use crate::error::{Result, ScanError};

const GS: u8 = 0x1D;
const COMPOSITE_SEPARATOR: &[u8] = b"|]e0";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    Engine,
    Warehouse,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseOptions {
    pub gs1: Gs1Options,
    pub policy: Policy,
}

impl ParseOptions {
    pub fn engine() -> ParseOptions {
        ParseOptions { gs1: Gs1Options::default(), policy: Policy::Engine }
    }

    pub fn warehouse() -> ParseOptions {
        ParseOptions { gs1: Gs1Options::default(), policy: Policy::Warehouse }
    }
}

/// What a symbology identifier says about the data that follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Carrier {
    /// FNC1 in first position: GS1 element string.
    Gs1Ai,
    /// EAN/UPC primary of the given number of digits, maybe followed by a composite.
    Ean(usize),
    /// Plain data that may hold a Digital Link URI.
    PlainOrDl,
    /// Any other symbology: plain text (warehouse policy only).
    Other,
}

fn carrier(aim: &[u8]) -> Option<Carrier> {
    Some(match aim {
        b"C1" | b"e0" | b"d2" | b"Q3" | b"J1" => Carrier::Gs1Ai,
        b"E0" => Carrier::Ean(13),
        b"E4" => Carrier::Ean(8),
        b"d1" | b"Q1" | b"J0" => Carrier::PlainOrDl,
        _ => return None,
    })
}

/// Parsed content of one scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// GS1 AI data (element string, bracketed HRI).
    Gs1 { elements: Vec<Element> },
    /// A GS1 Digital Link URI, kept as scanned, and the AIs it encodes.
    DigitalLink { uri: String, elements: Vec<Element> },
    /// EAN-13/UPC-A/EAN-8/UPC-E: the primary digits as scanned, plus any composite component.
    Ean { primary: String, gtin14: String, composite: Vec<Element> },
    /// Non-GS1 data, e.g. a plain Code 128 bin label. `gtin14` is set when the text is a GTIN
    /// with a valid check digit that arrived without a symbology identifier (keyboard wedge).
    Plain { text: String, gtin14: Option<String> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// The AIM identifier as received (`]C1`), if any.
    pub symbology: Option<String>,
    pub content: Content,
}

impl Parsed {
    pub fn is_gs1(&self) -> bool {
        !matches!(self.content, Content::Plain { .. })
    }

    /// The AIs, with an EAN/UPC primary shown as AI (01).
    pub fn elements(&self) -> Vec<Element> {
        match &self.content {
            Content::Gs1 { elements } | Content::DigitalLink { elements, .. } => elements.clone(),
            Content::Ean { gtin14, composite, .. } => {
                let mut out = vec![Element { ai: "01".into(), value: gtin14.clone() }];
                out.extend(composite.iter().cloned());
                out
            }
            Content::Plain { .. } => Vec::new(),
        }
    }

    pub fn ai(&self, ai: &str) -> Option<String> {
        self.elements().into_iter().find(|e| e.ai == ai).map(|e| e.value)
    }

    /// The GTIN-14 of the item, from AI (01), an EAN/UPC primary or a bare GTIN.
    pub fn gtin14(&self) -> Option<String> {
        match &self.content {
            Content::Ean { gtin14, .. } => Some(gtin14.clone()),
            Content::Plain { gtin14, .. } => gtin14.clone(),
            _ => self.ai("01"),
        }
    }

    /// The `^` data string of the AIs, or `None` for plain text.
    pub fn gs1_data_string(&self) -> Option<String> {
        let elements = self.elements();
        (!elements.is_empty()).then(|| data_string(&elements, true))
    }

    /// The data string exactly as the syntax engine reports it (used by conformance tests):
    /// URIs and EAN primaries stay as scanned, plain text gets `^` escaped.
    pub fn engine_data_string(&self) -> String {
        match &self.content {
            Content::Gs1 { elements } => data_string(elements, true),
            Content::DigitalLink { uri, .. } => uri.clone(),
            Content::Ean { primary, composite, .. } if composite.is_empty() => primary.clone(),
            Content::Ean { primary, composite, .. } => format!("{primary}|{}", data_string(composite, true)),
            Content::Plain { text, .. } => escape_plain(text),
        }
    }
}

/// Plain data that begins (after backslashes) with '^' gets one more backslash so it cannot be
/// mistaken for GS1 data.
fn escape_plain(text: &str) -> String {
    if text.trim_start_matches('\\').starts_with('^') { format!("\\{text}") } else { text.to_owned() }
}

fn utf8(bytes: &[u8]) -> Result<String> {
    String::from_utf8(bytes.to_vec()).map_err(|_| ScanError::NotText)
}

/// Parse scanner output: optional `]Xm` identifier, then data with GS as FNC1. The warehouse
/// policy also refuses a count (AI 30 or 37) it could not book (see [`super::count`]).
pub fn parse_scan_data(data: &[u8], opts: &ParseOptions) -> Result<Parsed> {
    let parsed = parse_syntax(data, opts)?;
    if opts.policy == Policy::Warehouse {
        parsed.count()?;
    }
    Ok(parsed)
}

fn parse_syntax(data: &[u8], opts: &ParseOptions) -> Result<Parsed> {
    let aim = (data.len() >= 3 && data[0] == b']').then(|| &data[1..3]);
    let Some(aim) = aim else {
        return match opts.policy {
            Policy::Engine => Err(ScanError::MissingSymbologyId),
            Policy::Warehouse => parse_without_identifier(data, opts),
        };
    };
    let symbology = utf8(&data[..3]).map_err(|_| ScanError::MissingSymbologyId)?;
    let body = &data[3..];
    let kind = match (carrier(aim), opts.policy) {
        (Some(kind), _) => kind,
        (None, Policy::Warehouse) if aim[0].is_ascii_alphabetic() => Carrier::Other,
        _ => return Err(ScanError::UnsupportedSymbologyId(symbology.escape_debug().to_string())),
    };
    let content = match kind {
        Carrier::Gs1Ai => Content::Gs1 { elements: parse_gs1_body(body, &opts.gs1)? },
        Carrier::Ean(len) => parse_ean(&symbology, body, len, opts)?,
        Carrier::PlainOrDl | Carrier::Other => parse_plain(body, opts)?,
    };
    Ok(Parsed { symbology: Some(symbology), content })
}

/// AI data as a scanner sends it: GS for FNC1, never '^'.
fn parse_gs1_body(body: &[u8], opts: &Gs1Options) -> Result<Vec<Element>> {
    if body.contains(&b'^') {
        return Err(ScanError::IllegalCaret);
    }
    let mut fnc1_form = Vec::with_capacity(body.len() + 1);
    fnc1_form.push(b'^');
    fnc1_form.extend(body.iter().map(|&b| if b == GS { b'^' } else { b }));
    let elements = parse_element_string(&fnc1_form, opts)?;
    validate_associations(&elements, opts.validations)?;
    Ok(elements)
}

fn parse_ean(symbology: &str, body: &[u8], primary_len: usize, opts: &ParseOptions) -> Result<Content> {
    let (primary, composite) =
        match body.windows(COMPOSITE_SEPARATOR.len()).position(|w| w == COMPOSITE_SEPARATOR) {
            Some(at) => (&body[..at], Some(&body[at + COMPOSITE_SEPARATOR.len()..])),
            None => (body, None),
        };
    let primary = utf8(primary)?;
    let gtin14 = ean_primary_gtin(symbology, &primary, primary_len, opts.policy)?;
    let composite = match composite {
        Some(cc) => parse_gs1_body(cc, &opts.gs1)?,
        None => Vec::new(),
    };
    Ok(Content::Ean { primary, gtin14, composite })
}

/// The engine wants exactly 13 (or 8) digits. Scanners configured to send UPC-A as 12 digits or
/// UPC-E as 8 digits under ]E0 are common, so the warehouse policy normalises those too.
fn ean_primary_gtin(symbology: &str, primary: &str, want: usize, policy: Policy) -> Result<String> {
    if !primary.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ScanError::PrimaryNotDigits);
    }
    let digits = match (primary.len(), want, policy) {
        (n, w, _) if n == w => primary.to_owned(),
        (12, 13, Policy::Warehouse) => primary.to_owned(),
        (8, 13, Policy::Warehouse) => upce_to_upca(primary)?,
        (got, expected, _) => {
            return Err(ScanError::PrimaryLength { symbology: symbology.to_owned(), expected, got });
        }
    };
    to_gtin14(&digits)
}

fn parse_plain(body: &[u8], opts: &ParseOptions) -> Result<Content> {
    let text = utf8(body)?;
    if is_dl_candidate(&text) {
        let elements = parse_digital_link(&text, &opts.gs1)?;
        return Ok(Content::DigitalLink { uri: text, elements });
    }
    Ok(Content::Plain { text, gtin14: None })
}

/// No identifier (keyboard wedge, typed input): recognise the GS1 forms by their shape.
fn parse_without_identifier(data: &[u8], opts: &ParseOptions) -> Result<Parsed> {
    if data.is_empty() {
        return Err(ScanError::Empty);
    }
    let content = if data[0] == b'(' && data.get(1).is_some_and(u8::is_ascii_digit) {
        Content::Gs1 { elements: parse_bracketed_checked(&utf8(data)?, &opts.gs1)? }
    } else if data[0] == b'^' {
        let elements = parse_element_string(data, &opts.gs1)?;
        validate_associations(&elements, opts.gs1.validations)?;
        Content::Gs1 { elements }
    } else if data.contains(&GS) {
        // FNC1 only occurs in GS1 data: a GS1-128 read by a scanner that omits identifiers.
        Content::Gs1 { elements: parse_gs1_body(data, &opts.gs1)? }
    } else {
        let text = utf8(data)?;
        if is_dl_candidate(&text) {
            parse_plain(data, opts)?
        } else {
            let gtin14 = bare_gtin(&text);
            Content::Plain { text, gtin14 }
        }
    };
    Ok(Parsed { symbology: None, content })
}

/// Bare digits are a GTIN when core's GTIN rule accepts them (8, 12, 13 or 14 digits with a
/// valid check digit); anything else is plain text.
fn bare_gtin(text: &str) -> Option<String> {
    shelfsync_core::gtin14(text).ok().map(String::from)
}

/// Bracketed HRI with the whole-message checks applied.
pub fn parse_bracketed_checked(input: &str, opts: &Gs1Options) -> Result<Vec<Element>> {
    let elements = parse_bracketed(input, opts)?;
    validate_associations(&elements, opts.validations)?;
    Ok(elements)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warehouse_policy_accepts_plain_symbologies_and_bare_gtins() {
        let opts = ParseOptions::warehouse();
        let bin = parse_scan_data(b"]C0WH1-A-01", &opts).unwrap();
        assert_eq!(bin.content, Content::Plain { text: "WH1-A-01".into(), gtin14: None });
        let wedge = parse_scan_data(b"5901234123457", &opts).unwrap();
        assert_eq!(wedge.gtin14().as_deref(), Some("05901234123457"));
        assert!(matches!(
            parse_scan_data(b"]C0X", &ParseOptions::engine()),
            Err(ScanError::UnsupportedSymbologyId(_))
        ));
    }

    #[test]
    fn upc_variants_normalise_to_gtin14() {
        let opts = ParseOptions::warehouse();
        let cases: [(&[u8], &str); 3] = [
            (b"]E00012345000058", "00012345000058"),
            (b"]E0012345000058", "00012345000058"),
            (b"]E001234558", "00012345000058"),
        ];
        for (scan, gtin) in cases {
            assert_eq!(parse_scan_data(scan, &opts).unwrap().gtin14().as_deref(), Some(gtin));
        }
    }
}
