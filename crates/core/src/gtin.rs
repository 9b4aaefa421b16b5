use std::fmt;

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// A GTIN padded to 14 digits with a valid check digit: the one form every lookup uses, so a
/// UPC-A printed on a box and the same GTIN inside a GS1-128 label find the same item.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Gtin14(String);

impl Gtin14 {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Gtin14 {
    type Error = DomainError;
    fn try_from(raw: String) -> Result<Self, DomainError> {
        normalise_gtin(&raw)
    }
}

impl From<Gtin14> for String {
    fn from(value: Gtin14) -> String {
        value.0
    }
}

impl fmt::Display for Gtin14 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The GS1 mod-10 check digit of `body` (ASCII digits, every digit but the check digit):
/// weights 3,1,3,... from the rightmost digit of the body, moving left. One definition for any
/// length (GTIN, SSCC, GLN, ...); the scanner crate uses this one.
pub fn gs1_check_digit(body: &[u8]) -> u8 {
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| u32::from(d - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// Why a string is not a GTIN, in the order the checks run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GtinFault {
    NotDigits,
    /// Not 8, 12, 13 or 14 digits.
    Length,
    CheckDigit,
}

impl GtinFault {
    /// The reason [`normalise_gtin`] names in its error.
    pub fn why(self) -> &'static str {
        match self {
            GtinFault::NotDigits => "only digits are allowed",
            GtinFault::Length => "a GTIN has 8, 12, 13 or 14 digits",
            GtinFault::CheckDigit => "wrong check digit",
        }
    }
}

/// Accepts GTIN-8, GTIN-12 (UPC-A), GTIN-13 (EAN) or GTIN-14 and returns it as GTIN-14, or the
/// first check it fails. Callers with errors of their own (the scanner crate) map the fault.
pub fn gtin14(raw: &str) -> Result<Gtin14, GtinFault> {
    let bytes = raw.as_bytes();
    if !bytes.iter().all(u8::is_ascii_digit) {
        return Err(GtinFault::NotDigits);
    }
    if ![8, 12, 13, 14].contains(&bytes.len()) {
        return Err(GtinFault::Length);
    }
    let (body, last) = bytes.split_at(bytes.len() - 1);
    if gs1_check_digit(body) != last[0] - b'0' {
        return Err(GtinFault::CheckDigit);
    }
    Ok(Gtin14(format!("{raw:0>14}")))
}

/// Accepts GTIN-8, GTIN-12 (UPC-A), GTIN-13 (EAN) or GTIN-14 and returns it as GTIN-14.
pub fn normalise_gtin(raw: &str) -> Result<Gtin14, DomainError> {
    gtin14(raw).map_err(|fault| DomainError::InvalidGtin(raw.to_string(), fault.why()))
}

/// Appends the check digit to a body of 7, 11, 12 or 13 digits. Used to make valid demo GTINs.
pub fn with_check_digit(body: &str) -> String {
    format!("{body}{}", gs1_check_digit(body.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_every_length() {
        let cases = [
            ("96385074", Ok("00000096385074")),
            ("036000291452", Ok("00036000291452")),
            ("4006381333931", Ok("04006381333931")),
            ("10614141000415", Ok("10614141000415")),
            ("4006381333932", Err("wrong check digit")),
            ("12345", Err("a GTIN has 8, 12, 13 or 14 digits")),
            ("40063813339a1", Err("only digits are allowed")),
        ];
        for (raw, want) in cases {
            let got = normalise_gtin(raw);
            match want {
                Ok(expected) => assert_eq!(got.unwrap().as_str(), expected),
                Err(why) => assert_eq!(got, Err(DomainError::InvalidGtin(raw.into(), why))),
            }
        }
    }

    #[test]
    fn faults_come_in_check_order() {
        let cases = [
            ("", Err(GtinFault::Length)),
            ("1234567a", Err(GtinFault::NotDigits)),
            // Not digits is reported before a wrong length.
            ("12a", Err(GtinFault::NotDigits)),
            ("1234567", Err(GtinFault::Length)),
            ("123456789012345", Err(GtinFault::Length)),
            ("96385075", Err(GtinFault::CheckDigit)),
            ("96385074", Ok("00000096385074")),
        ];
        for (raw, want) in cases {
            assert_eq!(gtin14(raw).as_ref().map(Gtin14::as_str).map_err(|f| *f), want, "{raw:?}");
        }
    }

    #[test]
    fn check_digits_over_any_length() {
        let cases: [(&[u8], u8); 5] =
            [(b"9501234567890", 3), (b"400638133393", 1), (b"9638507", 4), (b"", 0), (b"0", 0)];
        for (body, want) in cases {
            assert_eq!(gs1_check_digit(body), want, "{body:?}");
        }
    }

    #[test]
    fn check_digit_completes_a_body() {
        assert_eq!(with_check_digit("400638133393"), "4006381333931");
    }
}
