//! Counts a GS1 scan carries (issue 21): AI (30), the variable count of items in the trade item
//! of AI (01), and AI (37), the count of trade items of AI (02) on a logistic unit (a case or
//! pallet label: `(00) SSCC (02) GTIN (37) count`).
//!
//! The syntax (digits, 1 to 8 of them, and which AIs each needs) is the dictionary's and
//! already checked by the parser; this module adds the warehouse's meaning: a count is a number
//! of units from 1 to [`MAX_COUNT`], and one scan carries at most one of them. The warehouse
//! policy of [`super::parse_scan_data`] refuses a scan that breaks these, so no station books a
//! pallet label as one unit or as zero.

use super::scandata::Parsed;
use crate::error::{Result, ScanError};

/// Most units one GS1 count may give: the largest `QTY:` label and the largest pack. Eight
/// digits allow 99,999,999, far past any case or pallet; a larger figure is a mis-encoded label.
pub const MAX_COUNT: u32 = 100_000;

/// What a GS1 count says: `count` trade items with GTIN `gtin14`, from AI `ai`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TradeCount {
    pub ai: &'static str,
    pub gtin14: String,
    pub count: u32,
}

/// The count a scan carries, if any: AI (30) counts the items of AI (01), AI (37) the trade
/// items of AI (02) (the dictionary lets (02) appear only with (37)). Refused: a count of zero, one
/// past [`MAX_COUNT`], both AIs in one scan, or a count without the GTIN it counts.
pub fn trade_count(parsed: &Parsed) -> Result<Option<TradeCount>> {
    let elements = parsed.elements();
    let value = |ai: &str| elements.iter().find(|e| e.ai == ai).map(|e| e.value.as_str());
    let (ai, raw, gtin) = match (value("30"), value("37")) {
        (None, None) => return Ok(None),
        (Some(_), Some(_)) => return Err(ScanError::TwoCounts),
        (Some(raw), None) => ("30", raw, value("01")),
        (None, Some(raw)) => ("37", raw, value("02")),
    };
    let bad = |reason: String| ScanError::BadCount { ai: ai.into(), value: raw.into(), reason };
    let count = match raw.parse::<u64>() {
        Ok(0) => return Err(bad("a scan counts at least one unit".into())),
        Ok(n) if n > u64::from(MAX_COUNT) => {
            return Err(bad(format!("more than {MAX_COUNT} units in one scan")));
        }
        Ok(n) => n as u32,
        Err(_) => return Err(bad("not a whole number".into())),
    };
    let gtin14 = gtin.ok_or_else(|| {
        bad(if ai == "37" {
            "it counts the items of AI (02), which this scan lacks"
        } else {
            "no GTIN to count"
        }
        .into())
    })?;
    Ok(Some(TradeCount { ai, gtin14: gtin14.to_string(), count }))
}

impl Parsed {
    /// See [`trade_count`].
    pub fn count(&self) -> Result<Option<TradeCount>> {
        trade_count(self)
    }
}
