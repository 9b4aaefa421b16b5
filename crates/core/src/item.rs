use serde::{Deserialize, Serialize};

use crate::{Gtin14, LocationCode, Sku};

/// Master data for one stock-keeping unit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub sku: Sku,
    pub name: String,
    /// Cost of one unit in cents; turns unit variances into money for tolerances and reports.
    pub unit_cost_cents: i64,
    pub category: String,
    /// Units kept back from every channel, so a miscount does not become an oversell.
    pub safety_stock: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BarcodeKind {
    Gtin,
    Internal,
}

/// One of many codes that identify an item: GTINs are kept as GTIN-14; anything else is an
/// internal code (a plain Code 128 label, say) kept exactly as printed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Barcode {
    pub code: String,
    pub kind: BarcodeKind,
}

impl Barcode {
    /// A code of 8, 12, 13 or 14 digits with a valid check digit is a GTIN; anything else is an
    /// internal code. A digit string with a wrong check digit is refused rather than stored as
    /// internal, because it is almost always a typo of a GTIN.
    pub fn classify(raw: &str) -> Result<Barcode, crate::DomainError> {
        let looks_like_gtin = raw.bytes().all(|b| b.is_ascii_digit()) && [8, 12, 13, 14].contains(&raw.len());
        if looks_like_gtin {
            let gtin: Gtin14 = crate::normalise_gtin(raw)?;
            return Ok(Barcode { code: gtin.as_str().to_string(), kind: BarcodeKind::Gtin });
        }
        // Internal codes obey the identifier rules: no spaces, bounded length.
        let code = Sku::new(raw).map_err(|_| {
            crate::DomainError::InvalidGtin(raw.into(), "not a GTIN nor a valid internal code")
        })?;
        Ok(Barcode { code: code.as_str().to_string(), kind: BarcodeKind::Internal })
    }
}

/// A warehouse, or a bin inside one (then `parent` names the warehouse).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    pub code: LocationCode,
    pub name: String,
    pub parent: Option<LocationCode>,
}
