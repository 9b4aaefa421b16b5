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

/// GS1 mod-10 check digit over all digits but the last.
fn check_digit(body: &[u8]) -> u8 {
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| u32::from(d - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// Accepts GTIN-8, GTIN-12 (UPC-A), GTIN-13 (EAN) or GTIN-14 and returns it as GTIN-14.
pub fn normalise_gtin(raw: &str) -> Result<Gtin14, DomainError> {
    let invalid = |why| DomainError::InvalidGtin(raw.to_string(), why);
    let bytes = raw.as_bytes();
    if !bytes.iter().all(u8::is_ascii_digit) {
        return Err(invalid("only digits are allowed"));
    }
    if ![8, 12, 13, 14].contains(&bytes.len()) {
        return Err(invalid("a GTIN has 8, 12, 13 or 14 digits"));
    }
    let (body, last) = bytes.split_at(bytes.len() - 1);
    if check_digit(body) != last[0] - b'0' {
        return Err(invalid("wrong check digit"));
    }
    Ok(Gtin14(format!("{raw:0>14}")))
}

/// Appends the check digit to a body of 7, 11, 12 or 13 digits. Used to make valid demo GTINs.
pub fn with_check_digit(body: &str) -> String {
    format!("{body}{}", check_digit(body.as_bytes()))
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
    fn check_digit_completes_a_body() {
        assert_eq!(with_check_digit("400638133393"), "4006381333931");
    }
}
