//! GTIN normalisation: every GTIN-8/12/13/14 and UPC-E becomes the 14-digit form the catalogue
//! is keyed by, so one item is found whichever barcode on it was scanned.
//!
//! The GTIN rule itself (lengths, check digit, padding) is core's `shelfsync_core::gtin14`,
//! the one the catalogue normalises with; this module maps its faults to scanner errors and
//! adds what only a scanner sees (UPC-E expansion).

use shelfsync_core::{GtinFault, gs1_check_digit, gtin14};

use crate::error::{Result, ScanError};

pub fn has_valid_check_digit(digits: &str) -> bool {
    let bytes = digits.as_bytes();
    !bytes.is_empty()
        && bytes.iter().all(u8::is_ascii_digit)
        && gs1_check_digit(&bytes[..bytes.len() - 1]) == bytes[bytes.len() - 1] - b'0'
}

/// Left-pad a GTIN-8, -12, -13 or -14 to 14 digits after checking its check digit.
pub fn to_gtin14(digits: &str) -> Result<String> {
    gtin14(digits).map(String::from).map_err(|fault| match fault {
        GtinFault::NotDigits => ScanError::PrimaryNotDigits,
        GtinFault::Length => {
            ScanError::PrimaryLength { symbology: "GTIN".into(), expected: 14, got: digits.len() }
        }
        GtinFault::CheckDigit => ScanError::CheckDigit(digits.to_owned()),
    })
}

/// Expand an 8-digit UPC-E (number system, six data digits, check digit) to its 12-digit UPC-A
/// (GS1 General Specifications 5.2.2.4.2), checking the check digit.
pub fn upce_to_upca(upce: &str) -> Result<String> {
    let d = upce.as_bytes();
    if d.len() != 8 || !d.iter().all(u8::is_ascii_digit) {
        return Err(ScanError::PrimaryLength { symbology: "UPC-E".into(), expected: 8, got: d.len() });
    }
    if d[0] != b'0' && d[0] != b'1' {
        return Err(ScanError::CheckDigit(upce.to_owned()));
    }
    let s = |r: std::ops::Range<usize>| std::str::from_utf8(&d[r]).unwrap_or_default().to_owned();
    let (ns, check) = (d[0] as char, d[7] as char);
    let body = match d[6] {
        b'0'..=b'2' => format!("{}{}0000{}", s(1..3), d[6] as char, s(3..6)),
        b'3' => format!("{}00000{}", s(1..4), s(4..6)),
        b'4' => format!("{}00000{}", s(1..5), d[5] as char),
        _ => format!("{}0000{}", s(1..6), d[6] as char),
    };
    let upca = format!("{ns}{body}{check}");
    if !has_valid_check_digit(&upca) {
        return Err(ScanError::CheckDigit(upce.to_owned()));
    }
    Ok(upca)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_every_gtin_length() {
        let cases = [
            ("02345673", "00000002345673"),
            ("416000336108", "00416000336108"),
            ("2112233789657", "02112233789657"),
            ("24012345678905", "24012345678905"),
        ];
        for (input, want) in cases {
            assert_eq!(to_gtin14(input).unwrap(), want, "{input}");
        }
        assert!(matches!(to_gtin14("2112233789658"), Err(ScanError::CheckDigit(_))));
        assert!(matches!(to_gtin14("12345"), Err(ScanError::PrimaryLength { .. })));
    }

    #[test]
    fn expands_upce_by_last_data_digit() {
        // Worked examples from the GS1 General Specifications' UPC-E table.
        let cases = [
            ("01234505", "012000003455"),
            ("04252614", "042100005264"),
            ("01234531", "012300000451"),
            ("01234558", "012345000058"),
            ("01234565", "012345000065"),
        ];
        for (upce, upca) in cases {
            assert_eq!(upce_to_upca(upce).unwrap(), upca, "{upce}");
        }
        assert!(upce_to_upca("01234506").is_err());
    }
}
