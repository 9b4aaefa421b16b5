//! The `shelfsync scan parse` output contract, shared by `scan listen` (one JSON line a scan).

use serde::Serialize;

use crate::MAX_SCAN_LEN;
use crate::error::{Result, ScanError};
use crate::gs1::{Element, ParseOptions, Parsed, parse_scan_data};

/// `{"symbology": "]C1" | null, "gs1": bool, "elements": [{"ai","value"}], "gtin": ... | null,
/// "data_string": "^01..." | null}`
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CliParse {
    pub symbology: Option<String>,
    pub gs1: bool,
    pub elements: Vec<Element>,
    pub gtin: Option<String>,
    pub data_string: Option<String>,
}

impl From<&Parsed> for CliParse {
    fn from(p: &Parsed) -> CliParse {
        CliParse {
            symbology: p.symbology.clone(),
            gs1: p.is_gs1(),
            elements: p.elements(),
            gtin: p.gtin14(),
            data_string: p.gs1_data_string(),
        }
    }
}

/// Parse one scan given on the command line or as raw scanner bytes on stdin. A trailing line
/// terminator (CR, LF, CRLF, Tab) is the scanner's suffix, not data, and is dropped.
pub fn parse_cli(data: &[u8]) -> Result<CliParse> {
    let data = strip_terminator(data);
    if data.is_empty() {
        return Err(ScanError::Empty);
    }
    if data.len() > MAX_SCAN_LEN {
        return Err(ScanError::TooLong { len: data.len(), max: MAX_SCAN_LEN });
    }
    let parsed = parse_scan_data(data, &ParseOptions::warehouse())?;
    Ok(CliParse::from(&parsed))
}

fn strip_terminator(mut data: &[u8]) -> &[u8] {
    while let [rest @ .., b'\r' | b'\n' | b'\t'] = data {
        data = rest;
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_the_documented_json() {
        let out = parse_cli(b"]C10195012345678903\x1d10AB1\r\n").unwrap();
        let json = serde_json::to_string(&out).unwrap();
        assert_eq!(
            json,
            r#"{"symbology":"]C1","gs1":true,"elements":[{"ai":"01","value":"95012345678903"},{"ai":"10","value":"AB1"}],"gtin":"95012345678903","data_string":"^019501234567890310AB1"}"#
        );
    }

    #[test]
    fn plain_and_invalid_inputs() {
        let plain = parse_cli(b"]C0BIN-7").unwrap();
        assert!(!plain.gs1 && plain.elements.is_empty() && plain.data_string.is_none());
        let err = parse_cli(b"]C10195012345678904").unwrap_err();
        assert!(err.to_string().contains("(01)"), "{err}");
        assert_eq!(parse_cli(b"\r\n"), Err(ScanError::Empty));
    }
}
