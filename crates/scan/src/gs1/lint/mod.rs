//! Component linters: the per-field checks the GS1 Barcode Syntax Dictionary names
//! (`csum`, `yymmd0`, `iso3166`, ...).
//!
//! Each linter takes the raw bytes of one AI component and either accepts it or returns which rule
//! failed and where (`pos`, `len`), so a UI can underline the bad characters. Names and error
//! positions follow the GS1 Syntax Engine, whose vectors the tests replay. Linters work on bytes,
//! not `str`, because scanners deliver bytes and a non-ASCII byte must be reported as one
//! character.
//!
//! This module names the rules and dispatches to them; the checks themselves are in `checks`.

mod checks;

use super::code_lists::{ISO3166_ALPHA2, ISO3166_NUMERIC, ISO4217_NUMERIC, MEDIA_TYPES, PACKAGE_TYPES};
use checks::*;
pub use checks::{check_digit, compute_check_digit};
pub(crate) use checks::{digits_only, gcp_prefix, is_cset82};

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

pub(super) fn fail(kind: LintKind, pos: usize, len: usize) -> LintResult {
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
