use crate::DomainError;

/// Largest unit cost accepted, in cents: ten million. Anything above is a typo, and keeping
/// costs small keeps `units x cost` far from i64 overflow.
const MAX_CENTS: i64 = 1_000_000_000;

/// Parses a decimal amount such as `12.5` or `3.99` into cents, exactly (no floats).
pub fn parse_cents(raw: &str) -> Result<i64, DomainError> {
    let invalid = || DomainError::InvalidMoney(raw.to_string());
    let trimmed = raw.trim();
    let (whole, frac) = trimmed.split_once('.').unwrap_or((trimmed, ""));
    let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits_only(whole) || !digits_only(frac) || frac.len() > 2 {
        return Err(invalid());
    }
    if whole.len() > 12 {
        return Err(invalid());
    }
    let whole: i64 = whole.parse().map_err(|_| invalid())?;
    let frac_cents: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().map_err(|_| invalid())? * 10,
        _ => frac.parse().map_err(|_| invalid())?,
    };
    let cents = whole * 100 + frac_cents;
    if cents > MAX_CENTS {
        return Err(invalid());
    }
    Ok(cents)
}

pub fn format_cents(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_amounts_exactly() {
        let cases = [
            ("12.50", Some(1250)),
            ("12.5", Some(1250)),
            ("0", Some(0)),
            ("3.99", Some(399)),
            (" 7 ", Some(700)),
            ("-1", None),
            ("1.999", None),
            ("abc", None),
            ("", None),
            (".5", None),
            ("99999999999999", None),
        ];
        for (raw, want) in cases {
            assert_eq!(parse_cents(raw).ok(), want, "{raw:?}");
        }
    }

    #[test]
    fn formats_round_trip() {
        for cents in [0, 5, 99, 100, 123456] {
            assert_eq!(parse_cents(&format_cents(cents)).unwrap(), cents);
        }
        assert_eq!(format_cents(-250), "-2.50");
    }
}
