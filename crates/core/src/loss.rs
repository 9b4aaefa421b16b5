//! Loss reasons: the codes damage and write-offs are booked under, so reports can group losses
//! by cause.

use crate::DomainError;

/// Reason codes for damage and write-offs, so reports can group losses by cause.
pub const LOSS_REASON_CODES: [&str; 6] =
    ["damaged", "expired", "shrinkage", "theft", "vendor_return", "other"];

/// Puts a damage or write-off reason in `code` or `code: note` form. Text that names no code
/// is kept as the note of `other`, so a free-text reason is never lost; `other` alone must
/// carry a note.
pub fn loss_reason(raw: &str) -> Result<String, DomainError> {
    let raw = raw.trim();
    let (head, note) = raw.split_once(':').map_or((raw, ""), |(h, n)| (h.trim(), n.trim()));
    let code = head.to_ascii_lowercase().replace([' ', '-'], "_");
    if !LOSS_REASON_CODES.contains(&code.as_str()) {
        return if raw.is_empty() {
            Err(DomainError::EmptyText { field: "reason" })
        } else {
            Ok(format!("other: {raw}"))
        };
    }
    match (code.as_str(), note) {
        ("other", "") => Err(DomainError::ReasonRequired("'other' (write it as 'other: what happened')")),
        (_, "") => Ok(code),
        (_, note) => Ok(format!("{code}: {note}")),
    }
}

#[cfg(test)]
mod loss_reason_tests {
    use super::*;

    #[test]
    fn reasons_carry_a_code() {
        let cases = [
            ("damaged", Ok("damaged")),
            ("Vendor Return: RMA 7", Ok("vendor_return: RMA 7")),
            ("theft:  aisle 4", Ok("theft: aisle 4")),
            ("crushed by forklift", Ok("other: crushed by forklift")),
            ("other: pallet fell", Ok("other: pallet fell")),
            ("other", Err(())),
            ("  ", Err(())),
        ];
        for (raw, want) in cases {
            assert_eq!(loss_reason(raw).map_err(|_| ()), want.map(String::from), "{raw:?}");
        }
    }
}
