//! Component linters: the per-field checks the GS1 Barcode Syntax Dictionary names
//! (`csum`, `yymmd0`, `iso3166`, ...).
//!
//! Each linter takes the raw bytes of one AI component and either accepts it or returns which rule
//! failed and where (`pos`, `len`), so a UI can underline the bad characters. Names and error
//! positions follow the GS1 Syntax Engine, whose vectors the tests replay. Linters work on bytes,
//! not `str`, because scanners deliver bytes and a non-ASCII byte must be reported as one
//! character.

use super::code_lists::{ISO3166_ALPHA2, ISO3166_NUMERIC, ISO4217_NUMERIC, MEDIA_TYPES, PACKAGE_TYPES};

/// Every way a component can fail. `name()` gives the syntax engine's identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LintKind {
    NonDigitCharacter,
    InvalidCset82Character,
    InvalidCset39Character,
    InvalidCset64Character,
    InvalidCset64Padding,
    TooShortForCheckDigit,
    IncorrectCheckDigit,
    TooShortForCheckPair,
    TooLongForCheckPairImplementation,
    IncorrectCheckPair,
    TooShortForGcp,
    InvalidGcpPrefix,
    InvalidPercentSequence,
    NotIso3166,
    NotIso3166Or999,
    NotIso3166Alpha2,
    NotIso4217,
    InvalidBiologicalSexCode,
    DateTooShort,
    DateTooLong,
    IllegalMonth,
    IllegalDay,
    HourWithMinuteTooShort,
    HourWithMinuteTooLong,
    HourTooShort,
    HourTooLong,
    MinuteTooShort,
    MinuteTooLong,
    SecondTooShort,
    SecondTooLong,
    IllegalHour,
    IllegalMinute,
    IllegalSecond,
    NotHyphen,
    NotZeroOrOne,
    InvalidWindingDirection,
    NotZero,
    IllegalZeroValue,
    IllegalZeroPrefix,
    LatitudeInvalidLength,
    InvalidLatitude,
    LongitudeInvalidLength,
    InvalidLongitude,
    ImporterIdxMustBeOneCharacter,
    InvalidImportIdxCharacter,
    InvalidPackageType,
    InvalidMediaType,
    PositionInSequenceMalformed,
    PositionExceedsEnd,
    InvalidLengthForPieceOfTotal,
    ZeroPieceNumber,
    ZeroTotalPieces,
    PieceNumberExceedsTotal,
    RequiresNonDigitCharacter,
    IbanTooShort,
    IbanTooLong,
    InvalidIbanCharacter,
    IllegalIbanCountryCode,
    IncorrectIbanChecksum,
    CouponMissingFormatCode,
    CouponInvalidFormatCode,
    CouponMissingFunderVli,
    CouponInvalidFunderLength,
    CouponTruncatedFunder,
    CouponTruncatedOfferCode,
    CouponMissingSerialNumberVli,
    CouponTruncatedSerialNumber,
    CouponExcessData,
    CouponMissingGcpVli,
    CouponInvalidGcpLength,
    CouponTruncatedGcp,
    CouponMissingSaveValueVli,
    CouponInvalidSaveValueLength,
    CouponTruncatedSaveValue,
    CouponMissing1stPurchaseRequirementVli,
    CouponInvalid1stPurchaseRequirementLength,
    CouponTruncated1stPurchaseRequirement,
    CouponMissing1stPurchaseRequirementCode,
    CouponInvalid1stPurchaseRequirementCode,
    CouponTruncated1stPurchaseFamilyCode,
    CouponMissingAdditionalPurchaseRulesCode,
    CouponInvalidAdditionalPurchaseRulesCode,
    CouponMissing2ndPurchaseRequirementVli,
    CouponInvalid2ndPurchaseRequirementLength,
    CouponTruncated2ndPurchaseRequirement,
    CouponMissing2ndPurchaseRequirementCode,
    CouponInvalid2ndPurchaseRequirementCode,
    CouponTruncated2ndPurchaseFamilyCode,
    CouponMissing2ndPurchaseGcpVli,
    CouponInvalid2ndPurchaseGcpLength,
    CouponTruncated2ndPurchaseGcp,
    CouponMissing3rdPurchaseRequirementVli,
    CouponInvalid3rdPurchaseRequirementLength,
    CouponTruncated3rdPurchaseRequirement,
    CouponMissing3rdPurchaseRequirementCode,
    CouponInvalid3rdPurchaseRequirementCode,
    CouponTruncated3rdPurchaseFamilyCode,
    CouponMissing3rdPurchaseGcpVli,
    CouponInvalid3rdPurchaseGcpLength,
    CouponTruncated3rdPurchaseGcp,
    CouponTooShortForExpirationDate,
    CouponInvalidExpirationDate,
    CouponTooShortForStartDate,
    CouponInvalidStartDate,
    CouponExpirationBeforeStart,
    CouponMissingRetailerGcpOrGlnVli,
    CouponInvalidRetailerGcpOrGlnLength,
    CouponTruncatedRetailerGcpOrGln,
    CouponMissingSaveValueCode,
    CouponInvalidSaveValueCode,
    CouponMissingSaveValueAppliesToItem,
    CouponInvalidSaveValueAppliesToItem,
    CouponMissingStoreCouponFlag,
    CouponMissingDontMultiplyFlag,
    CouponInvalidDontMultiplyFlag,
}

impl LintKind {
    /// The syntax engine's name for this error (`GS1_LINTER_...`), used by conformance tests and
    /// handy when comparing with the engine's own output.
    pub fn name(self) -> String {
        let debug = format!("{self:?}");
        let mut out = String::from("GS1_LINTER_");
        for (i, ch) in debug.chars().enumerate() {
            let boundary = ch.is_ascii_uppercase() && i > 0;
            let after_digit_word = ch.is_ascii_digit() && i > 0 && !debug.as_bytes()[i - 1].is_ascii_digit();
            if boundary || after_digit_word {
                out.push('_');
            }
            out.push(ch.to_ascii_uppercase());
        }
        // The engine spells these with its own words; keep them identical.
        out.replace("CSET_82", "CSET82")
            .replace("CSET_39", "CSET39")
            .replace("CSET_64", "CSET64")
            .replace("ISO_3166", "ISO3166")
            .replace("ISO_4217", "ISO4217")
            .replace("ALPHA_2", "ALPHA2")
            .replace("EXPIRATION_DATE", "EXIPIRATION_DATE")
            .replace("MISSING_EXIPIRATION", "MISSING_EXPIRATION")
            .replace("TOO_SHORT_FOR_EXIPIRATION", "TOO_SHORT_FOR_EXPIRATION")
    }
}

/// A failed component check: what failed and which bytes are at fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LintError {
    pub kind: LintKind,
    pub pos: usize,
    pub len: usize,
}

impl std::fmt::Display for LintError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = self.kind.name();
        let readable = name.trim_start_matches("GS1_LINTER_").replace('_', " ").to_lowercase();
        write!(f, "{readable} (at position {})", self.pos + 1)
    }
}

pub type LintResult = Result<(), LintError>;

fn fail(kind: LintKind, pos: usize, len: usize) -> LintResult {
    Err(LintError { kind, pos, len })
}

/// The linters the dictionary can name. Character-set linters are included because every
/// component runs one first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Linter {
    CsetNumeric,
    Cset82,
    Cset39,
    Cset64,
    Csum,
    CsumAlpha,
    GcpPos1,
    GcpPos2,
    PercentEncoded,
    Iso3166,
    Iso3166Or999,
    Iso3166Alpha2,
    Iso4217,
    Iso5218,
    Yymmd0,
    Yymmdd,
    Yyyymmd0,
    Yyyymmdd,
    Hhmi,
    Hh,
    Mi,
    Ss,
    Hyphen,
    YesNo,
    Winding,
    Zero,
    NonZero,
    NoZeroPrefix,
    Latitude,
    Longitude,
    ImporterIndex,
    PackageType,
    MediaType,
    PositionInSequence,
    PieceOfTotal,
    HasNonDigit,
    Iban,
    CouponCode,
    CouponPositiveOffer,
}

impl Linter {
    /// Map the dictionary's linter name; `None` for a name this build does not know, which the
    /// table loader treats as a broken table.
    pub fn from_name(name: &str) -> Option<Linter> {
        use Linter::*;
        Some(match name {
            "csetnumeric" => CsetNumeric,
            "cset82" => Cset82,
            "cset39" => Cset39,
            "cset64" => Cset64,
            "csum" => Csum,
            "csumalpha" => CsumAlpha,
            "gcppos1" => GcpPos1,
            "gcppos2" => GcpPos2,
            "pcenc" => PercentEncoded,
            "iso3166" => Iso3166,
            "iso3166999" => Iso3166Or999,
            "iso3166alpha2" => Iso3166Alpha2,
            "iso4217" => Iso4217,
            "iso5218" => Iso5218,
            "yymmd0" => Yymmd0,
            "yymmdd" => Yymmdd,
            "yyyymmd0" => Yyyymmd0,
            "yyyymmdd" => Yyyymmdd,
            "hhmi" => Hhmi,
            "hh" => Hh,
            "mi" => Mi,
            "ss" => Ss,
            "hyphen" => Hyphen,
            "yesno" => YesNo,
            "winding" => Winding,
            "zero" => Zero,
            "nonzero" => NonZero,
            "nozeroprefix" => NoZeroPrefix,
            "latitude" => Latitude,
            "longitude" => Longitude,
            "importeridx" => ImporterIndex,
            "packagetype" => PackageType,
            "mediatype" => MediaType,
            "posinseqslash" => PositionInSequence,
            "pieceoftotal" => PieceOfTotal,
            "hasnondigit" => HasNonDigit,
            "iban" => Iban,
            "couponcode" => CouponCode,
            "couponposoffer" => CouponPositiveOffer,
            _ => return None,
        })
    }

    pub fn check(self, data: &[u8]) -> LintResult {
        use Linter::*;
        match self {
            CsetNumeric => digits_only(data),
            Cset82 => charset(data, is_cset82, LintKind::InvalidCset82Character),
            Cset39 => charset(data, is_cset39, LintKind::InvalidCset39Character),
            Cset64 => cset64(data),
            Csum => check_digit(data),
            CsumAlpha => check_pair(data),
            GcpPos1 => gcp_prefix(data),
            GcpPos2 => gcp_prefix_at_second(data),
            PercentEncoded => percent_encoded(data),
            Iso3166 => in_list(data, ISO3166_NUMERIC, LintKind::NotIso3166),
            Iso3166Or999 => iso3166_or_999(data),
            Iso3166Alpha2 => in_list(data, ISO3166_ALPHA2, LintKind::NotIso3166Alpha2),
            Iso4217 => in_list(data, ISO4217_NUMERIC, LintKind::NotIso4217),
            Iso5218 => one_of(data, &[b"0", b"1", b"2", b"9"], LintKind::InvalidBiologicalSexCode),
            Yymmd0 => date(data, 2, true),
            Yymmdd => date(data, 2, false),
            Yyyymmd0 => date(data, 4, true),
            Yyyymmdd => date(data, 4, false),
            Hhmi => hour_minute(data),
            Hh => two_digit_bounded(data, 23, TwoDigitField::Hour),
            Mi => two_digit_bounded(data, 59, TwoDigitField::Minute),
            Ss => two_digit_bounded(data, 59, TwoDigitField::Second),
            Hyphen => all_of(data, b'-', LintKind::NotHyphen),
            YesNo => one_of(data, &[b"0", b"1"], LintKind::NotZeroOrOne),
            Winding => one_of(data, &[b"0", b"1", b"9"], LintKind::InvalidWindingDirection),
            Zero => all_of(data, b'0', LintKind::NotZero),
            NonZero => non_zero(data),
            NoZeroPrefix => no_zero_prefix(data),
            Latitude => coordinate(data, 1_800_000_000, true),
            Longitude => coordinate(data, 3_600_000_000, false),
            ImporterIndex => importer_index(data),
            PackageType => in_list(data, PACKAGE_TYPES, LintKind::InvalidPackageType),
            MediaType => in_list(data, MEDIA_TYPES, LintKind::InvalidMediaType),
            PositionInSequence => position_in_sequence(data),
            PieceOfTotal => piece_of_total(data),
            HasNonDigit => has_non_digit(data),
            Iban => iban(data),
            CouponCode => super::coupon::coupon_code(data),
            CouponPositiveOffer => super::coupon::coupon_positive_offer(data),
        }
    }
}

pub(crate) fn is_cset82(b: u8) -> bool {
    matches!(b, b'!' | b'"' | b'%'..=b'?' | b'A'..=b'Z' | b'_' | b'a'..=b'z')
}

fn is_cset39(b: u8) -> bool {
    matches!(b, b'#' | b'-' | b'/' | b'0'..=b'9' | b'A'..=b'Z')
}

fn is_base64url(b: u8) -> bool {
    matches!(b, b'-' | b'_' | b'0'..=b'9' | b'A'..=b'Z' | b'a'..=b'z')
}

pub(crate) fn digits_only(data: &[u8]) -> LintResult {
    charset(data, |b| b.is_ascii_digit(), LintKind::NonDigitCharacter)
}

fn charset(data: &[u8], allowed: impl Fn(u8) -> bool, kind: LintKind) -> LintResult {
    match data.iter().position(|&b| !allowed(b)) {
        Some(pos) => fail(kind, pos, 1),
        None => Ok(()),
    }
}

/// Base64url with optional `=` padding; the padded length must be a multiple of three.
fn cset64(data: &[u8]) -> LintResult {
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

/// Weights 3,1,3,... from the digit left of the check digit, moving left.
pub fn compute_check_digit(body: &[u8]) -> u8 {
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

const CSET82_BY_WEIGHT: &[u8] =
    b"!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
const CSET32_BY_WEIGHT: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
const PRIMES: [u32; 97] = [
    2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103,
    107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167, 173, 179, 181, 191, 193, 197, 199, 211, 223,
    227, 229, 233, 239, 241, 251, 257, 263, 269, 271, 277, 281, 283, 293, 307, 311, 313, 317, 331, 337, 347,
    349, 353, 359, 367, 373, 379, 383, 389, 397, 401, 409, 419, 421, 431, 433, 439, 443, 449, 457, 461, 463,
    467, 479, 487, 491, 499, 503, 509,
];

/// GS1 alphanumeric check-character pair (GMN, AI 8013).
fn check_pair(data: &[u8]) -> LintResult {
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
const GCP_MIN_LENGTH: usize = 4;

pub(crate) fn gcp_prefix(data: &[u8]) -> LintResult {
    if data.len() < GCP_MIN_LENGTH {
        return fail(LintKind::TooShortForGcp, 0, data.len());
    }
    match data[..GCP_MIN_LENGTH].iter().position(|b| !b.is_ascii_digit()) {
        Some(pos) => fail(LintKind::InvalidGcpPrefix, pos, 1),
        None => Ok(()),
    }
}

fn gcp_prefix_at_second(data: &[u8]) -> LintResult {
    if data.is_empty() {
        return fail(LintKind::TooShortForGcp, 0, 0);
    }
    gcp_prefix(&data[1..]).map_err(|e| LintError { pos: e.pos + 1, ..e })
}

fn percent_encoded(data: &[u8]) -> LintResult {
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

fn in_list(data: &[u8], sorted: &[&str], kind: LintKind) -> LintResult {
    let found = std::str::from_utf8(data).map(|s| sorted.binary_search(&s).is_ok()).unwrap_or(false);
    if found { Ok(()) } else { fail(kind, 0, data.len()) }
}

fn iso3166_or_999(data: &[u8]) -> LintResult {
    if data == b"999" {
        return Ok(());
    }
    in_list(data, ISO3166_NUMERIC, LintKind::NotIso3166Or999)
}

fn one_of(data: &[u8], allowed: &[&[u8]], kind: LintKind) -> LintResult {
    if allowed.contains(&data) { Ok(()) } else { fail(kind, 0, data.len()) }
}

fn all_of(data: &[u8], wanted: u8, kind: LintKind) -> LintResult {
    if !data.is_empty() && data.iter().all(|&b| b == wanted) { Ok(()) } else { fail(kind, 0, data.len()) }
}

fn number(digits: &[u8]) -> u64 {
    digits.iter().fold(0u64, |acc, &b| acc.saturating_mul(10).saturating_add(u64::from(b - b'0')))
}

fn is_leap(year: u64, two_digit: bool) -> bool {
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
fn date(data: &[u8], year_len: usize, day_zero_ok: bool) -> LintResult {
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

fn hour_minute(data: &[u8]) -> LintResult {
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
enum TwoDigitField {
    Hour,
    Minute,
    Second,
}

fn two_digit_bounded(data: &[u8], max: u64, field: TwoDigitField) -> LintResult {
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

fn non_zero(data: &[u8]) -> LintResult {
    digits_only(data)?;
    if data.iter().all(|&b| b == b'0') {
        return fail(LintKind::IllegalZeroValue, 0, data.len());
    }
    Ok(())
}

fn no_zero_prefix(data: &[u8]) -> LintResult {
    digits_only(data)?;
    if data.first() == Some(&b'0') {
        return fail(LintKind::IllegalZeroPrefix, 0, 1);
    }
    Ok(())
}

fn coordinate(data: &[u8], max: u64, latitude: bool) -> LintResult {
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

fn importer_index(data: &[u8]) -> LintResult {
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

fn position_in_sequence(data: &[u8]) -> LintResult {
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

fn piece_of_total(data: &[u8]) -> LintResult {
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

fn has_non_digit(data: &[u8]) -> LintResult {
    if data.iter().all(u8::is_ascii_digit) {
        return fail(LintKind::RequiresNonDigitCharacter, 0, data.len());
    }
    Ok(())
}

/// IBANs have no fixed minimum; ten characters is enough to hold country, check and account.
const IBAN_MIN_LENGTH: usize = 10;
const IBAN_MAX_LENGTH: usize = 34;

fn iban(data: &[u8]) -> LintResult {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_the_syntax_engine_spelling() {
        let cases = [
            (LintKind::InvalidCset82Character, "GS1_LINTER_INVALID_CSET82_CHARACTER"),
            (LintKind::NotIso3166Or999, "GS1_LINTER_NOT_ISO3166_OR_999"),
            (LintKind::NotIso3166Alpha2, "GS1_LINTER_NOT_ISO3166_ALPHA2"),
            (
                LintKind::CouponMissing1stPurchaseRequirementVli,
                "GS1_LINTER_COUPON_MISSING_1ST_PURCHASE_REQUIREMENT_VLI",
            ),
            (LintKind::CouponInvalidExpirationDate, "GS1_LINTER_COUPON_INVALID_EXIPIRATION_DATE"),
            (LintKind::CouponTooShortForExpirationDate, "GS1_LINTER_COUPON_TOO_SHORT_FOR_EXPIRATION_DATE"),
            (LintKind::IncorrectIbanChecksum, "GS1_LINTER_INCORRECT_IBAN_CHECKSUM"),
        ];
        for (kind, name) in cases {
            assert_eq!(kind.name(), name);
        }
    }

    #[test]
    fn check_digit_examples() {
        assert_eq!(compute_check_digit(b"9501234567890"), 3);
        assert!(check_digit(b"95012345678903").is_ok());
        assert_eq!(check_digit(b"95012345678904").unwrap_err().kind, LintKind::IncorrectCheckDigit);
    }
}
