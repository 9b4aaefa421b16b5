//! The component checks each [`Linter`](super::Linter) runs: character sets, check digits and
//! check-character pairs, dates and times, code lists, coordinates, IBANs.

use super::super::code_lists::{ISO3166_ALPHA2, ISO3166_NUMERIC};
use super::{LintError, LintKind, LintResult, fail};

pub(crate) fn is_cset82(b: u8) -> bool {
    matches!(b, b'!' | b'"' | b'%'..=b'?' | b'A'..=b'Z' | b'_' | b'a'..=b'z')
}

pub(super) fn is_cset39(b: u8) -> bool {
    matches!(b, b'#' | b'-' | b'/' | b'0'..=b'9' | b'A'..=b'Z')
}

pub(super) fn is_base64url(b: u8) -> bool {
    matches!(b, b'-' | b'_' | b'0'..=b'9' | b'A'..=b'Z' | b'a'..=b'z')
}

pub(crate) fn digits_only(data: &[u8]) -> LintResult {
    charset(data, |b| b.is_ascii_digit(), LintKind::NonDigitCharacter)
}

pub(super) fn charset(data: &[u8], allowed: impl Fn(u8) -> bool, kind: LintKind) -> LintResult {
    match data.iter().position(|&b| !allowed(b)) {
        Some(pos) => fail(kind, pos, 1),
        None => Ok(()),
    }
}

/// Base64url with optional `=` padding; the padded length must be a multiple of three.
pub(super) fn cset64(data: &[u8]) -> LintResult {
    let data_len = data.iter().position(|&b| b == b'=').unwrap_or(data.len());
    if let Some(pos) = data[..data_len].iter().position(|&b| !is_base64url(b)) {
        return fail(LintKind::InvalidCset64Character, pos, 1);
    }
    let padding = &data[data_len..];
    if let Some(offset) = padding.iter().position(|&b| b != b'=') {
        // A character after padding: the padding itself is the misplaced character.
        let bad = if is_base64url(padding[offset]) { 0 } else { offset };
        return fail(LintKind::InvalidCset64Character, data_len + bad, 1);
    }
    let padded_ok =
        padding.is_empty() || (data_len > 0 && padding.len() <= 2 && data.len().is_multiple_of(3));
    if !padded_ok {
        return fail(LintKind::InvalidCset64Padding, data_len, padding.len());
    }
    Ok(())
}

/// The GS1 mod-10 check digit over any length (GTIN, SSCC, GLN, ...).
pub fn check_digit(data: &[u8]) -> LintResult {
    if data.is_empty() {
        return fail(LintKind::TooShortForCheckDigit, 0, 0);
    }
    digits_only(data)?;
    let last = data.len() - 1;
    if data[last] - b'0' != compute_check_digit(&data[..last]) {
        return fail(LintKind::IncorrectCheckDigit, last, 1);
    }
    Ok(())
}

/// Weights 3,1,3,... from the digit left of the check digit, moving left: core's
/// `gs1_check_digit`, the one definition of the GS1 mod-10 rule.
pub fn compute_check_digit(body: &[u8]) -> u8 {
    shelfsync_core::gs1_check_digit(body)
}

pub(super) const CSET82_BY_WEIGHT: &[u8] =
    b"!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
pub(super) const CSET32_BY_WEIGHT: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
pub(super) const PRIMES: [u32; 97] = [
    2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103,
    107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167, 173, 179, 181, 191, 193, 197, 199, 211, 223,
    227, 229, 233, 239, 241, 251, 257, 263, 269, 271, 277, 281, 283, 293, 307, 311, 313, 317, 331, 337, 347,
    349, 353, 359, 367, 373, 379, 383, 389, 397, 401, 409, 419, 421, 431, 433, 439, 443, 449, 457, 461, 463,
    467, 479, 487, 491, 499, 503, 509,
];

/// GS1 alphanumeric check-character pair (GMN, AI 8013).
pub(super) fn check_pair(data: &[u8]) -> LintResult {
    let len = data.len();
    if len < 2 {
        return fail(LintKind::TooShortForCheckPair, 0, len);
    }
    let body = &data[..len - 2];
    if body.len() > PRIMES.len() {
        return fail(LintKind::TooLongForCheckPairImplementation, 0, len);
    }
    let mut sum = 0u32;
    for (i, &b) in body.iter().enumerate() {
        let Some(weight) = CSET82_BY_WEIGHT.iter().position(|&c| c == b) else {
            return fail(LintKind::InvalidCset82Character, i, 1);
        };
        sum += weight as u32 * PRIMES[body.len() - 1 - i];
    }
    sum %= 1021;
    let expected = [CSET32_BY_WEIGHT[(sum >> 5) as usize], CSET32_BY_WEIGHT[(sum & 31) as usize]];
    if data[len - 2..] != expected {
        return fail(LintKind::IncorrectCheckPair, len - 2, 2);
    }
    Ok(())
}

/// The shortest GS1 Company Prefix is four digits; without an allocation database that is all
/// that can be checked offline.
pub(super) const GCP_MIN_LENGTH: usize = 4;

pub(crate) fn gcp_prefix(data: &[u8]) -> LintResult {
    if data.len() < GCP_MIN_LENGTH {
        return fail(LintKind::TooShortForGcp, 0, data.len());
    }
    match data[..GCP_MIN_LENGTH].iter().position(|b| !b.is_ascii_digit()) {
        Some(pos) => fail(LintKind::InvalidGcpPrefix, pos, 1),
        None => Ok(()),
    }
}

pub(super) fn gcp_prefix_at_second(data: &[u8]) -> LintResult {
    if data.is_empty() {
        return fail(LintKind::TooShortForGcp, 0, 0);
    }
    gcp_prefix(&data[1..]).map_err(|e| LintError { pos: e.pos + 1, ..e })
}

pub(super) fn percent_encoded(data: &[u8]) -> LintResult {
    let mut i = 0;
    while i < data.len() {
        if data[i] == b'%' {
            let hex_ok =
                data.len() >= i + 3 && data[i + 1].is_ascii_hexdigit() && data[i + 2].is_ascii_hexdigit();
            if !hex_ok {
                return fail(LintKind::InvalidPercentSequence, i, (data.len() - i).min(3));
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    Ok(())
}

pub(super) fn in_list(data: &[u8], sorted: &[&str], kind: LintKind) -> LintResult {
    let found = std::str::from_utf8(data).map(|s| sorted.binary_search(&s).is_ok()).unwrap_or(false);
    if found { Ok(()) } else { fail(kind, 0, data.len()) }
}

pub(super) fn iso3166_or_999(data: &[u8]) -> LintResult {
    if data == b"999" {
        return Ok(());
    }
    in_list(data, ISO3166_NUMERIC, LintKind::NotIso3166Or999)
}

pub(super) fn one_of(data: &[u8], allowed: &[&[u8]], kind: LintKind) -> LintResult {
    if allowed.contains(&data) { Ok(()) } else { fail(kind, 0, data.len()) }
}

pub(super) fn all_of(data: &[u8], wanted: u8, kind: LintKind) -> LintResult {
    if !data.is_empty() && data.iter().all(|&b| b == wanted) { Ok(()) } else { fail(kind, 0, data.len()) }
}

pub(super) fn number(digits: &[u8]) -> u64 {
    digits.iter().fold(0u64, |acc, &b| acc.saturating_mul(10).saturating_add(u64::from(b - b'0')))
}

pub(super) fn is_leap(year: u64, two_digit: bool) -> bool {
    // A two-digit year is read in the current century window, where 00 is 2000: a leap year.
    if two_digit {
        year.is_multiple_of(4)
    } else {
        (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
    }
}

pub(crate) fn days_in_month(year: u64, month: u64, two_digit_year: bool) -> u64 {
    match month {
        2 if is_leap(year, two_digit_year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// YYMMDD / YYYYMMDD; `day_zero_ok` is the `d0` form where day 00 means "end of month".
pub(super) fn date(data: &[u8], year_len: usize, day_zero_ok: bool) -> LintResult {
    let want = year_len + 4;
    if data.len() < want {
        return fail(LintKind::DateTooShort, 0, data.len());
    }
    if data.len() > want {
        return fail(LintKind::DateTooLong, 0, data.len());
    }
    digits_only(data)?;
    let year = number(&data[..year_len]);
    let month = number(&data[year_len..year_len + 2]);
    let day = number(&data[year_len + 2..]);
    if !(1..=12).contains(&month) {
        return fail(LintKind::IllegalMonth, year_len, 2);
    }
    let day_ok = (day == 0 && day_zero_ok) || (1..=days_in_month(year, month, year_len == 2)).contains(&day);
    if !day_ok {
        return fail(LintKind::IllegalDay, year_len + 2, 2);
    }
    Ok(())
}

pub(super) fn hour_minute(data: &[u8]) -> LintResult {
    if data.len() < 4 {
        return fail(LintKind::HourWithMinuteTooShort, 0, data.len());
    }
    if data.len() > 4 {
        return fail(LintKind::HourWithMinuteTooLong, 0, data.len());
    }
    digits_only(data)?;
    if number(&data[..2]) > 23 {
        return fail(LintKind::IllegalHour, 0, 2);
    }
    if number(&data[2..]) > 59 {
        return fail(LintKind::IllegalMinute, 2, 2);
    }
    Ok(())
}

#[derive(Clone, Copy)]
pub(super) enum TwoDigitField {
    Hour,
    Minute,
    Second,
}

pub(super) fn two_digit_bounded(data: &[u8], max: u64, field: TwoDigitField) -> LintResult {
    use LintKind::*;
    let (short, long, illegal) = match field {
        TwoDigitField::Hour => (HourTooShort, HourTooLong, IllegalHour),
        TwoDigitField::Minute => (MinuteTooShort, MinuteTooLong, IllegalMinute),
        TwoDigitField::Second => (SecondTooShort, SecondTooLong, IllegalSecond),
    };
    if data.len() < 2 {
        return fail(short, 0, data.len());
    }
    if data.len() > 2 {
        return fail(long, 0, data.len());
    }
    digits_only(data)?;
    if number(data) > max {
        return fail(illegal, 0, 2);
    }
    Ok(())
}

pub(super) fn non_zero(data: &[u8]) -> LintResult {
    digits_only(data)?;
    if data.iter().all(|&b| b == b'0') {
        return fail(LintKind::IllegalZeroValue, 0, data.len());
    }
    Ok(())
}

pub(super) fn no_zero_prefix(data: &[u8]) -> LintResult {
    digits_only(data)?;
    if data.first() == Some(&b'0') {
        return fail(LintKind::IllegalZeroPrefix, 0, 1);
    }
    Ok(())
}

pub(super) fn coordinate(data: &[u8], max: u64, latitude: bool) -> LintResult {
    let (bad_len, bad_value) = if latitude {
        (LintKind::LatitudeInvalidLength, LintKind::InvalidLatitude)
    } else {
        (LintKind::LongitudeInvalidLength, LintKind::InvalidLongitude)
    };
    if data.len() != 10 {
        return fail(bad_len, 0, data.len());
    }
    digits_only(data)?;
    if number(data) > max {
        return fail(bad_value, 0, 10);
    }
    Ok(())
}

pub(super) fn importer_index(data: &[u8]) -> LintResult {
    if data.len() != 1 {
        return fail(LintKind::ImporterIdxMustBeOneCharacter, 0, data.len());
    }
    let b = data[0];
    if b == b'-' || b == b'_' || b.is_ascii_alphanumeric() {
        Ok(())
    } else {
        fail(LintKind::InvalidImportIdxCharacter, 0, 1)
    }
}

pub(super) fn position_in_sequence(data: &[u8]) -> LintResult {
    let malformed = || fail(LintKind::PositionInSequenceMalformed, 0, data.len());
    let Some(slash) = data.iter().position(|&b| b == b'/') else {
        return malformed();
    };
    let (position, end) = (&data[..slash], &data[slash + 1..]);
    let well_formed = |part: &[u8]| !part.is_empty() && part.iter().all(u8::is_ascii_digit);
    if !well_formed(position) || !well_formed(end) {
        return malformed();
    }
    if position[0] == b'0' {
        return fail(LintKind::IllegalZeroPrefix, 0, position.len());
    }
    if end[0] == b'0' {
        return fail(LintKind::IllegalZeroPrefix, slash + 1, end.len());
    }
    if number(position) > number(end) {
        return fail(LintKind::PositionExceedsEnd, 0, data.len());
    }
    Ok(())
}

pub(super) fn piece_of_total(data: &[u8]) -> LintResult {
    if data.is_empty() || !data.len().is_multiple_of(2) {
        return fail(LintKind::InvalidLengthForPieceOfTotal, 0, data.len());
    }
    digits_only(data)?;
    let half = data.len() / 2;
    let (piece, total) = (number(&data[..half]), number(&data[half..]));
    if piece == 0 {
        return fail(LintKind::ZeroPieceNumber, 0, half);
    }
    if total == 0 {
        return fail(LintKind::ZeroTotalPieces, half, half);
    }
    if piece > total {
        return fail(LintKind::PieceNumberExceedsTotal, 0, data.len());
    }
    Ok(())
}

pub(super) fn has_non_digit(data: &[u8]) -> LintResult {
    if data.iter().all(u8::is_ascii_digit) {
        return fail(LintKind::RequiresNonDigitCharacter, 0, data.len());
    }
    Ok(())
}

/// IBANs have no fixed minimum; ten characters is enough to hold country, check and account.
pub(super) const IBAN_MIN_LENGTH: usize = 10;
pub(super) const IBAN_MAX_LENGTH: usize = 34;

pub(super) fn iban(data: &[u8]) -> LintResult {
    let len = data.len();
    if len < 4 {
        return fail(LintKind::IbanTooShort, 0, len);
    }
    if in_list(&data[..2], ISO3166_ALPHA2, LintKind::NotIso3166Alpha2).is_err() {
        return fail(LintKind::IllegalIbanCountryCode, 0, 2);
    }
    if len > IBAN_MAX_LENGTH {
        return fail(LintKind::IbanTooLong, 0, len);
    }
    if len <= IBAN_MIN_LENGTH {
        return fail(LintKind::IbanTooShort, 0, len);
    }
    // ISO 13616: move the first four characters to the end, letters count 10..35, mod 97 == 1.
    let mut remainder = 0u32;
    for step in 4..len + 4 {
        let pos = if step < len { step } else { step - len };
        let value = match data[pos] {
            b @ b'0'..=b'9' => u32::from(b - b'0'),
            b @ b'A'..=b'Z' => u32::from(b - b'A') + 10,
            _ => return fail(LintKind::InvalidIbanCharacter, pos, 1),
        };
        let scale = if value < 10 { 10 } else { 100 };
        remainder = (remainder * scale + value) % 97;
    }
    if remainder != 1 {
        return fail(LintKind::IncorrectIbanChecksum, 2, 2);
    }
    Ok(())
}
