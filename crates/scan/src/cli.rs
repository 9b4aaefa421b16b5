//! The `shelfsync scan parse` output contract, shared by `scan listen` (one JSON line a scan).

use serde::Serialize;

use crate::MAX_SCAN_LEN;
use crate::error::{Result, ScanError};
use crate::gs1::{Element, ParseOptions, Parsed, parse_scan_data};

/// `{"symbology": "]C1" | null, "gs1": bool, "elements": [{"ai","value"}], "gtin": ... | null,
/// "data_string": "^01..." | null}`, plus `"count": {"ai", "gtin", "units"}` only when the scan
/// carries AI (30) or (37) (issue 21), so the form without a count is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CliParse {
    pub symbology: Option<String>,
    pub gs1: bool,
    pub elements: Vec<Element>,
    pub gtin: Option<String>,
    pub data_string: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<CliCount>,
}

/// A GS1 count: `units` trade items with GTIN `gtin`, from AI `ai`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CliCount {
    pub ai: &'static str,
    pub gtin: String,
    pub units: u32,
}

impl From<&Parsed> for CliParse {
    fn from(p: &Parsed) -> CliParse {
        CliParse {
            symbology: p.symbology.clone(),
            gs1: p.is_gs1(),
            elements: p.elements(),
            gtin: p.gtin14(),
            data_string: p.gs1_data_string(),
            // A bad count never gets here under the warehouse policy (parse refuses it).
            count: p.count().ok().flatten().map(|c| CliCount { ai: c.ai, gtin: c.gtin14, units: c.count }),
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

    #[test]
    fn a_count_is_printed_only_when_there_is_one() {
        let out = parse_cli(b"]C100106141410000000019021400638133393837480").unwrap();
        let json = serde_json::to_value(&out).unwrap();
        assert_eq!(json["count"], serde_json::json!({ "ai": "37", "gtin": "14006381333938", "units": 480 }));
        let plain = serde_json::to_value(parse_cli(b"4006381333931").unwrap()).unwrap();
        assert!(plain.get("count").is_none());
        let zero = parse_cli(b"]C10010614141000000001902140063813339383700").unwrap_err();
        assert_eq!(zero.to_string(), "AI (37) count '00': a scan counts at least one unit");
    }
}
