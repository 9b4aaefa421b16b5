use thiserror::Error;

/// Why a value or an event was refused. Every message names the offending value, because the
/// CLI prints it as the one line a person reads.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DomainError {
    #[error("invalid SKU '{}': {}", printable(.0), .1)]
    InvalidSku(String, &'static str),
    #[error("invalid location code '{}': {}", printable(.0), .1)]
    InvalidLocation(String, &'static str),
    #[error("invalid GTIN '{}': {}", printable(.0), .1)]
    InvalidGtin(String, &'static str),
    #[error("invalid amount '{}': expected a non-negative decimal with at most 2 places", printable(.0))]
    InvalidMoney(String),
    #[error("quantity must be between 1 and {max}, got {got}")]
    QuantityOutOfRange { got: i64, max: i64 },
    #[error("a reason is required for {0}")]
    ReasonRequired(&'static str),
    #[error("{field} is longer than {max} characters")]
    TextTooLong { field: &'static str, max: usize },
    #[error("{field} must not be empty")]
    EmptyText { field: &'static str },
    #[error("a transfer needs two different locations, got '{}' twice", printable(.0))]
    SameLocation(String),
    #[error("received {received} exceeds the {shipped} shipped")]
    OverReceipt { received: u32, shipped: u32 },
}

/// Longest echo of a refused value in a message: enough to recognise it, short enough that a
/// pasted paragraph (or a whole CSV file caught in one quoted field) stays one readable line.
const MAX_ECHO_CHARS: usize = 80;

/// A refused value as it appears in a message: one line whatever it holds (newlines, tabs and
/// other control characters are shown escaped, as `\n`), cut at [`MAX_ECHO_CHARS`].
pub fn printable(raw: &str) -> String {
    let mut shown = String::new();
    for (count, c) in raw.chars().enumerate() {
        if count == MAX_ECHO_CHARS {
            shown.push('…');
            break;
        }
        if c.is_control() {
            shown.extend(c.escape_debug());
        } else {
            shown.push(c);
        }
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_values_are_echoed_on_one_short_line() {
        let cases: &[(&str, &str)] = &[
            ("B 2", "invalid SKU 'B 2': must not contain spaces or control characters"),
            ("a\nb\tc\u{7}", "invalid SKU 'a\\nb\\tc\\u{7}': must not contain spaces or control characters"),
        ];
        for (raw, expected) in cases {
            let shown =
                DomainError::InvalidSku(raw.to_string(), "must not contain spaces or control characters")
                    .to_string();
            assert_eq!(&shown, expected);
        }
        let long = "x".repeat(500);
        let shown = DomainError::InvalidMoney(long).to_string();
        assert!(!shown.contains('\n'));
        assert!(shown.contains(&format!("'{}…'", "x".repeat(MAX_ECHO_CHARS))), "{shown}");
    }
}
