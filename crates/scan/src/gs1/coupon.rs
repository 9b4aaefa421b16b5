//! Linters for the North American coupon codes: AI (8110) and the positive-offer form AI (8112).
//!
//! Both are digit strings of variable-length fields, each announced by a length indicator (VLI).
//! The walk below mirrors the field order of the GS1 US coupon guideline; every field has its
//! own error so a misprinted coupon says which field is wrong.

use super::lint::{LintError, LintKind, LintResult, digits_only, gcp_prefix};

/// A cursor over the coupon digits that produces engine-compatible error positions.
struct Fields<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Fields<'a> {
    fn at_end(&self) -> bool {
        self.pos == self.data.len()
    }

    fn peek(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    fn err(&self, kind: LintKind, pos: usize, len: usize) -> LintError {
        LintError { kind, pos, len }
    }

    /// A missing field is reported over the whole data, as the engine does.
    fn missing(&self, kind: LintKind) -> LintError {
        self.err(kind, 0, self.data.len())
    }

    /// A field shorter than announced: point at what is there, or at everything if nothing is.
    fn truncated(&self, kind: LintKind) -> LintError {
        if self.at_end() {
            self.err(kind, 0, self.data.len())
        } else {
            self.err(kind, self.pos, self.data.len() - self.pos)
        }
    }

    /// Read one digit that must be present and accepted by `valid`.
    fn digit(
        &mut self,
        missing: LintKind,
        invalid: LintKind,
        valid: impl Fn(u8) -> bool,
    ) -> Result<u8, LintError> {
        let Some(d) = self.peek() else {
            return Err(self.missing(missing));
        };
        if !valid(d) {
            return Err(self.err(invalid, self.pos, 1));
        }
        self.pos += 1;
        Ok(d - b'0')
    }

    /// Skip a field of `len` digits or report it truncated.
    fn take(&mut self, len: usize, truncated: LintKind) -> Result<usize, LintError> {
        if self.data.len() - self.pos < len {
            return Err(self.truncated(truncated));
        }
        let start = self.pos;
        self.pos += len;
        Ok(start)
    }

    /// A GS1 Company Prefix field of `len` digits.
    fn gcp(&mut self, len: usize, truncated: LintKind) -> LintResult {
        let start = self.take(len, truncated)?;
        gcp_prefix(&self.data[start..start + len]).map_err(|e| self.err(e.kind, start, len))
    }
}

fn in_range(lo: u8, hi: u8) -> impl Fn(u8) -> bool {
    move |d| (lo..=hi).contains(&d)
}

/// AI (8112): format, funder, offer code, serial number, nothing more.
pub fn coupon_positive_offer(data: &[u8]) -> LintResult {
    use LintKind::*;
    digits_only(data)?;
    let mut f = Fields { data, pos: 0 };
    f.digit(CouponMissingFormatCode, CouponInvalidFormatCode, in_range(b'0', b'1'))?;
    let funder = f.digit(CouponMissingFunderVli, CouponInvalidFunderLength, in_range(b'0', b'6'))?;
    f.take(usize::from(funder) + 6, CouponTruncatedFunder)?;
    f.take(6, CouponTruncatedOfferCode)?;
    let serial = f.digit(CouponMissingSerialNumberVli, CouponMissingSerialNumberVli, in_range(b'0', b'9'))?;
    f.take(usize::from(serial) + 6, CouponTruncatedSerialNumber)?;
    if !f.at_end() {
        return Err(f.err(CouponExcessData, f.pos, data.len() - f.pos));
    }
    Ok(())
}

fn requirement_code(d: u8) -> bool {
    d <= b'4' || d == b'9'
}

/// AI (8110): mandatory fields, then optional fields 1, 2, 3, 4, 5, 6 and 9 in that order.
pub fn coupon_code(data: &[u8]) -> LintResult {
    use LintKind::*;
    digits_only(data)?;
    let mut f = Fields { data, pos: 0 };
    let gcp = f.digit(CouponMissingGcpVli, CouponInvalidGcpLength, in_range(b'0', b'6'))?;
    f.gcp(usize::from(gcp) + 6, CouponTruncatedGcp)?;
    f.take(6, CouponTruncatedOfferCode)?;
    let save = f.digit(CouponMissingSaveValueVli, CouponInvalidSaveValueLength, in_range(b'1', b'5'))?;
    f.take(usize::from(save), CouponTruncatedSaveValue)?;
    let req = f.digit(
        CouponMissing1stPurchaseRequirementVli,
        CouponInvalid1stPurchaseRequirementLength,
        in_range(b'1', b'5'),
    )?;
    f.take(usize::from(req), CouponTruncated1stPurchaseRequirement)?;
    f.digit(
        CouponMissing1stPurchaseRequirementCode,
        CouponInvalid1stPurchaseRequirementCode,
        requirement_code,
    )?;
    f.take(3, CouponTruncated1stPurchaseFamilyCode)?;
    if f.peek() == Some(b'1') {
        f.pos += 1;
        second_purchase(&mut f)?;
    }
    if f.peek() == Some(b'2') {
        f.pos += 1;
        third_purchase(&mut f)?;
    }
    let expiry = if f.peek() == Some(b'3') {
        f.pos += 1;
        Some(coupon_date(&mut f, CouponTooShortForExpirationDate, CouponInvalidExpirationDate)?)
    } else {
        None
    };
    if f.peek() == Some(b'4') {
        f.pos += 1;
        let start = coupon_date(&mut f, CouponTooShortForStartDate, CouponInvalidStartDate)?;
        if let Some(expiry) = expiry
            && data[start..start + 6] > data[expiry..expiry + 6]
        {
            return Err(f.err(CouponExpirationBeforeStart, start - 8, 14));
        }
    }
    if f.peek() == Some(b'5') {
        f.pos += 1;
        let serial =
            f.digit(CouponMissingSerialNumberVli, CouponMissingSerialNumberVli, in_range(b'0', b'9'))?;
        f.take(usize::from(serial) + 6, CouponTruncatedSerialNumber)?;
    }
    if f.peek() == Some(b'6') {
        f.pos += 1;
        let retailer = f.digit(
            CouponMissingRetailerGcpOrGlnVli,
            CouponInvalidRetailerGcpOrGlnLength,
            in_range(b'1', b'7'),
        )?;
        f.gcp(usize::from(retailer) + 6, CouponTruncatedRetailerGcpOrGln)?;
    }
    if f.peek() == Some(b'9') {
        f.pos += 1;
        miscellaneous(&mut f)?;
    }
    if !f.at_end() {
        return Err(f.err(CouponExcessData, f.pos, data.len() - f.pos));
    }
    Ok(())
}

fn second_purchase(f: &mut Fields) -> LintResult {
    use LintKind::*;
    f.digit(
        CouponMissingAdditionalPurchaseRulesCode,
        CouponInvalidAdditionalPurchaseRulesCode,
        in_range(b'0', b'3'),
    )?;
    let req = f.digit(
        CouponMissing2ndPurchaseRequirementVli,
        CouponInvalid2ndPurchaseRequirementLength,
        in_range(b'1', b'5'),
    )?;
    f.take(usize::from(req), CouponTruncated2ndPurchaseRequirement)?;
    f.digit(
        CouponMissing2ndPurchaseRequirementCode,
        CouponInvalid2ndPurchaseRequirementCode,
        requirement_code,
    )?;
    f.take(3, CouponTruncated2ndPurchaseFamilyCode)?;
    let gcp = f.digit(CouponMissing2ndPurchaseGcpVli, CouponInvalid2ndPurchaseGcpLength, |d| {
        d <= b'6' || d == b'9'
    })?;
    // VLI 9 means "no GCP": the purchase applies to the first GCP.
    if gcp != 9 {
        f.gcp(usize::from(gcp) + 6, CouponTruncated2ndPurchaseGcp)?;
    }
    Ok(())
}

fn third_purchase(f: &mut Fields) -> LintResult {
    use LintKind::*;
    let req = f.digit(
        CouponMissing3rdPurchaseRequirementVli,
        CouponInvalid3rdPurchaseRequirementLength,
        in_range(b'1', b'5'),
    )?;
    f.take(usize::from(req), CouponTruncated3rdPurchaseRequirement)?;
    f.digit(
        CouponMissing3rdPurchaseRequirementCode,
        CouponInvalid3rdPurchaseRequirementCode,
        requirement_code,
    )?;
    f.take(3, CouponTruncated3rdPurchaseFamilyCode)?;
    let gcp = f.digit(CouponMissing3rdPurchaseGcpVli, CouponInvalid3rdPurchaseGcpLength, |d| {
        d <= b'6' || d == b'9'
    })?;
    if gcp != 9 {
        f.gcp(usize::from(gcp) + 6, CouponTruncated3rdPurchaseGcp)?;
    }
    Ok(())
}

/// A YYMMDD date inside a coupon; returns where it starts.
fn coupon_date(f: &mut Fields, too_short: LintKind, invalid: LintKind) -> Result<usize, LintError> {
    let start = f.take(6, too_short)?;
    if super::lint::Linter::Yymmdd.check(&f.data[start..start + 6]).is_err() {
        return Err(f.err(invalid, start, 6));
    }
    Ok(start)
}

fn miscellaneous(f: &mut Fields) -> LintResult {
    use LintKind::*;
    f.digit(CouponMissingSaveValueCode, CouponInvalidSaveValueCode, |d| {
        matches!(d, b'0' | b'1' | b'2' | b'5' | b'6')
    })?;
    f.digit(CouponMissingSaveValueAppliesToItem, CouponInvalidSaveValueAppliesToItem, in_range(b'0', b'2'))?;
    f.digit(CouponMissingStoreCouponFlag, CouponMissingStoreCouponFlag, in_range(b'0', b'9'))?;
    f.digit(CouponMissingDontMultiplyFlag, CouponInvalidDontMultiplyFlag, in_range(b'0', b'1'))?;
    Ok(())
}
