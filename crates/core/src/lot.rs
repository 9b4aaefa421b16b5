//! Lots, serials and expiry (issue 21): what an item's tracking asks of a movement, the GS1
//! date rule, the first-expiry-first-out pick order and when a lot has expired.
//!
//! A tracked item's units belong to a lot (a batch made together, sharing an expiry) or carry a
//! serial (one unit each). The lot or serial travels on the ledger event ([`crate::Event::lot`]),
//! so it is in the audit chain and replicates with the event; the store keeps a per-lot
//! projection of on_hand, damaged and in_transit next to the item's balances. Commercial
//! movements (a sale, its cancellation, a reservation) promise units of the item, not of a lot:
//! the lot is chosen when the units are picked ([`fefo`]).
//!
//! Pure: every rule here takes the date it needs as an argument and reads no clock.

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::{Bucket, Delta, Movement, printable};

/// Longest lot or serial: GS1 AIs (10) and (21) hold at most 20 characters, and a lot printed on
/// a label by anyone else fits in that.
pub const MAX_LOT_LEN: usize = 20;

/// Longest look-ahead for `expiring --within DAYS`: ten years covers any shelf life; a larger
/// figure is a typo.
pub const MAX_EXPIRY_WINDOW_DAYS: u32 = 3_650;

/// How an item's units are told apart.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tracking {
    /// Units of the item are interchangeable (the default).
    #[default]
    None,
    /// Units belong to a lot (batch), which may carry an expiry.
    Lot,
    /// Each unit carries its own serial.
    Serial,
}

impl Tracking {
    pub const ALL: [Tracking; 3] = [Tracking::None, Tracking::Lot, Tracking::Serial];

    pub fn as_str(self) -> &'static str {
        match self {
            Tracking::None => "none",
            Tracking::Lot => "lot",
            Tracking::Serial => "serial",
        }
    }

    /// `none`, `lot` or `serial`; an empty CSV cell is `none`.
    pub fn parse(raw: &str) -> Result<Tracking, LotError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(Tracking::None);
        }
        Tracking::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(raw))
            .ok_or_else(|| LotError::BadTracking(raw.to_string()))
    }
}

/// Whether a tag names a lot or a serial.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LotKind {
    Lot,
    Serial,
}

impl LotKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LotKind::Lot => "lot",
            LotKind::Serial => "serial",
        }
    }
}

/// The lot or serial an event's units belong to, with the lot's expiry when known.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LotTag {
    pub kind: LotKind,
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry: Option<NaiveDate>,
}

impl LotTag {
    /// A checked tag: the code 1 to [`MAX_LOT_LEN`] characters, none of them a space or a
    /// control character (it is printed on labels and typed back at the station).
    pub fn new(kind: LotKind, code: &str, expiry: Option<NaiveDate>) -> Result<LotTag, LotError> {
        let why = if code.is_empty() {
            Some("must not be empty")
        } else if code.chars().count() > MAX_LOT_LEN {
            Some("is longer than 20 characters (GS1 AIs 10 and 21 hold at most 20)")
        } else if code.chars().any(|c| c.is_whitespace() || c.is_control()) {
            Some("must not contain spaces or control characters")
        } else {
            None
        };
        match why {
            Some(why) => Err(LotError::BadCode { kind: kind.as_str(), raw: code.to_string(), why }),
            None => Ok(LotTag { kind, code: code.to_string(), expiry }),
        }
    }
}

/// Why a lot, a serial or an expiry was refused: one line naming the value.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum LotError {
    #[error("tracking '{}' is not one of none, lot, serial", printable(.0))]
    BadTracking(String),
    #[error("invalid {kind} '{}': {why}", printable(.raw))]
    BadCode { kind: &'static str, raw: String, why: &'static str },
    #[error("expiry '{}' is not a date (YYYY-MM-DD)", printable(.0))]
    BadExpiry(String),
    #[error("GS1 date (17) '{}' is not a date (YYMMDD, DD 00 for the month's end)", printable(.0))]
    BadGs1Date(String),
    #[error(
        "SKU '{sku}' is tracked by {tracking}: {movement} needs --{tracking} (or a GS1 scan that carries it)"
    )]
    Required { sku: String, tracking: &'static str, movement: &'static str },
    #[error("SKU '{sku}' is not tracked by lot or serial: drop --lot/--serial (or set its tracking first)")]
    NotTracked { sku: String },
    #[error("SKU '{sku}' is tracked by {tracking}, not {given}: give --{tracking}")]
    WrongKind { sku: String, tracking: &'static str, given: &'static str },
    #[error("a serial is one unit: serial '{serial}' of SKU '{sku}' cannot move {qty}")]
    SerialQty { sku: String, serial: String, qty: i64 },
    #[error(
        "{movement} carries no lot: the lot is chosen at pick (`shelfsync lots suggest SKU --qty N --location L`)"
    )]
    CommercialHasNoLot { movement: &'static str },
    #[error("an expiry belongs to a lot: give --lot or --serial with it")]
    ExpiryWithoutLot,
    #[error(
        "serial '{serial}' of SKU '{sku}' is already on hand at {location}: a serial is on hand at most once"
    )]
    SerialOnHand { sku: String, serial: String, location: String },
    #[error("{kind} '{code}' of SKU '{sku}' at {location} has {have} {bucket}, so it cannot go to {after}")]
    Short {
        sku: String,
        kind: &'static str,
        code: String,
        location: String,
        bucket: &'static str,
        have: i64,
        after: i64,
    },
    #[error("lot '{lot}' of SKU '{sku}' expires {known}, not {given}: one lot has one expiry")]
    ExpiryMismatch { sku: String, lot: String, known: NaiveDate, given: NaiveDate },
    #[error(
        "SKU '{sku}' has {units} units on hand or in transit: its tracking changes only at zero stock (their lots would be unknown)"
    )]
    TrackingWithStock { sku: String, units: i64 },
    #[error("--within must be 0 to {max} days, got {got}")]
    WindowOutOfRange { got: i64, max: u32 },
}

/// `YYYY-MM-DD`, as typed after `--expiry` or in a CSV cell.
pub fn parse_expiry(raw: &str) -> Result<NaiveDate, LotError> {
    let ok = raw.len() == 10 && raw.as_bytes()[4] == b'-' && raw.as_bytes()[7] == b'-';
    ok.then(|| NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| LotError::BadExpiry(raw.to_string()))
}

/// A GS1 date (AI 17, expiry; also 11, 13, 15): `YYMMDD`. DD `00` means the last day of the
/// month. The century follows the GS1 General Specifications (7.12): a year more than 50 years
/// ahead of `today` is in the past century, one 50 or more years behind is in the next, so a
/// two-digit year is read within a window around the date the scan is read on.
pub fn gs1_date(yymmdd: &str, today: NaiveDate) -> Result<NaiveDate, LotError> {
    let bad = || LotError::BadGs1Date(yymmdd.to_string());
    if yymmdd.len() != 6 || !yymmdd.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let field = |at: usize| yymmdd[at..at + 2].parse::<u32>().map_err(|_| bad());
    let (yy, month, day) = (field(0)? as i32, field(2)?, field(4)?);
    let current = today.year();
    let century = current - current.rem_euclid(100);
    let diff = yy - current.rem_euclid(100);
    let year = if diff >= 51 {
        century - 100 + yy
    } else if diff <= -50 {
        century + 100 + yy
    } else {
        century + yy
    };
    if day == 0 {
        let first = NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(bad)?;
        return first.checked_add_months(chrono::Months::new(1)).and_then(|d| d.pred_opt()).ok_or_else(bad);
    }
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(bad)
}

/// How a movement kind relates to lots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LotNeed {
    /// A warehouse movement: a tracked item's event must say which lot or serial moved.
    Required,
    /// Booked from a channel or as a correction (a return, a reconciliation adjustment, a count
    /// of the item's total): a lot when known, the item's total either way.
    Optional,
    /// A commercial promise (sale, cancel, reserve, release): units of the item, never a lot.
    Never,
}

/// What `movement` asks of a tracked item.
pub fn lot_need(movement: &Movement) -> LotNeed {
    match movement {
        Movement::Receive { .. }
        | Movement::Damage { .. }
        | Movement::WriteOff { .. }
        | Movement::Transfer { .. }
        | Movement::TransferShip { .. }
        | Movement::TransferReceive { .. }
        | Movement::Fulfil { .. } => LotNeed::Required,
        Movement::Return { .. }
        | Movement::Adjust { .. }
        | Movement::CountPosting { .. }
        | Movement::Reversal { .. } => LotNeed::Optional,
        Movement::Sale { .. }
        | Movement::Cancel { .. }
        | Movement::Reserve { .. }
        | Movement::Release { .. } => LotNeed::Never,
    }
}

/// Checks a movement's tag against the item's tracking before any balance is looked at: a
/// tracked item's warehouse movement names its lot or serial, an untracked item's names none,
/// the kinds agree, a serial moves one unit, and commercial movements carry no lot.
pub fn check_tag(tracking: Tracking, movement: &Movement, tag: Option<&LotTag>) -> Result<(), LotError> {
    let sku = || movement.sku().to_string();
    let need = lot_need(movement);
    match (tag, tracking) {
        (Some(_), _) if need == LotNeed::Never => {
            Err(LotError::CommercialHasNoLot { movement: movement.kind() })
        }
        (Some(_), Tracking::None) => Err(LotError::NotTracked { sku: sku() }),
        (None, Tracking::Lot | Tracking::Serial) if need == LotNeed::Required => {
            Err(LotError::Required { sku: sku(), tracking: tracking.as_str(), movement: movement.kind() })
        }
        (None, _) => Ok(()),
        (Some(tag), Tracking::Lot | Tracking::Serial) => {
            let wanted = if tracking == Tracking::Lot { LotKind::Lot } else { LotKind::Serial };
            if tag.kind != wanted {
                return Err(LotError::WrongKind {
                    sku: sku(),
                    tracking: tracking.as_str(),
                    given: tag.kind.as_str(),
                });
            }
            if tag.kind == LotKind::Serial {
                check_serial_units(movement, &tag.code)?;
            }
            Ok(())
        }
    }
}

/// A serial is one unit: every on_hand, damaged or in-transit change it makes is one.
fn check_serial_units(movement: &Movement, serial: &str) -> Result<(), LotError> {
    let too_many = lot_deltas(&movement.deltas()).into_iter().find(|d| d.amount.abs() > 1);
    let counted = match movement {
        Movement::CountPosting { counted, .. } if *counted > 1 => Some(*counted),
        _ => None,
    };
    match too_many.map(|d| d.amount.abs()).or(counted) {
        Some(qty) => {
            Err(LotError::SerialQty { sku: movement.sku().to_string(), serial: serial.to_string(), qty })
        }
        None => Ok(()),
    }
}

/// The deltas a lot's projection takes: the physical buckets. Committed and reserved are
/// promises of the item, not of a lot.
pub fn lot_deltas(deltas: &[Delta]) -> Vec<Delta> {
    deltas
        .iter()
        .filter(|d| matches!(d.bucket, Bucket::OnHand | Bucket::Damaged | Bucket::InTransit))
        .cloned()
        .collect()
}

/// One lot's (or serial's) stock at one location.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LotStock {
    pub lot: String,
    pub expiry: Option<NaiveDate>,
    pub on_hand: i64,
    pub damaged: i64,
}

impl LotStock {
    /// Units that can be picked: on the shelf and not damaged.
    pub fn available(&self) -> i64 {
        (self.on_hand - self.damaged).max(0)
    }
}

/// The first bucket a lot's balance would break: negative on_hand, damaged or in_transit, or
/// more damaged than on hand. `(bucket, value)`.
pub fn lot_violation(on_hand: i64, damaged: i64, in_transit: i64) -> Option<(&'static str, i64)> {
    [("on_hand", on_hand), ("damaged", damaged), ("in_transit", in_transit)]
        .into_iter()
        .find(|(_, v)| *v < 0)
        .or((damaged > on_hand).then_some(("on_hand (less than damaged)", on_hand - damaged)))
}

/// One line of a pick: take `qty` of `lot`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PickLine {
    pub lot: String,
    pub expiry: Option<NaiveDate>,
    pub qty: i64,
}

/// Which lots to take `qty` units from, first expiry first out: the earliest expiry first, lots
/// without an expiry last, ties by lot code so the order is the same everywhere. Lots with
/// nothing available are skipped. Also returns the units no lot covers (0 when enough).
pub fn fefo(lots: &[LotStock], qty: i64) -> (Vec<PickLine>, i64) {
    let mut order: Vec<&LotStock> = lots.iter().filter(|l| l.available() > 0).collect();
    order.sort_by(|a, b| (a.expiry.is_none(), a.expiry, &a.lot).cmp(&(b.expiry.is_none(), b.expiry, &b.lot)));
    let mut left = qty.max(0);
    let mut lines = Vec::new();
    for lot in order {
        if left == 0 {
            break;
        }
        let take = lot.available().min(left);
        lines.push(PickLine { lot: lot.lot.clone(), expiry: lot.expiry, qty: take });
        left -= take;
    }
    (lines, left)
}

/// A lot has expired once its date has passed: it is still good on its expiry date.
pub fn is_expired(expiry: NaiveDate, today: NaiveDate) -> bool {
    expiry < today
}

/// The last date `expiring --within days` reports on `today`: today plus the window.
pub fn expiring_until(today: NaiveDate, within_days: i64) -> Result<NaiveDate, LotError> {
    let bad = || LotError::WindowOutOfRange { got: within_days, max: MAX_EXPIRY_WINDOW_DAYS };
    let days = u32::try_from(within_days).ok().filter(|d| *d <= MAX_EXPIRY_WINDOW_DAYS).ok_or_else(bad)?;
    today.checked_add_days(Days::new(u64::from(days))).ok_or_else(bad)
}

/// The units of a lot the expiry job moves to damaged on `today`: every undamaged unit on hand
/// once the lot has expired, else none. Run again the same day, it finds nothing left to move.
pub fn units_to_expire(lot: &LotStock, today: NaiveDate) -> i64 {
    match lot.expiry {
        Some(expiry) if is_expired(expiry, today) => lot.available(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{LocationCode, Sku};

    fn date(raw: &str) -> NaiveDate {
        NaiveDate::parse_from_str(raw, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn gs1_dates_follow_the_general_specifications() {
        let today = date("2026-12-04");
        let cases: &[(&str, Result<&str, ()>)] = &[
            ("261231", Ok("2026-12-31")),
            ("270200", Ok("2027-02-28")),
            ("280200", Ok("2028-02-29")),
            ("261200", Ok("2026-12-31")),
            ("760101", Ok("2076-01-01")),
            ("770101", Ok("1977-01-01")),
            ("990101", Ok("1999-01-01")),
            ("261301", Err(())),
            ("260231", Err(())),
            ("26123", Err(())),
            ("26A231", Err(())),
        ];
        for (raw, want) in cases {
            let got = gs1_date(raw, today).map(|d| d.to_string()).map_err(|_| ());
            assert_eq!(got, want.map(str::to_string), "{raw}");
        }
        // Near the century's end the window reaches into the next one.
        assert_eq!(gs1_date("050101", date("2096-06-01")).unwrap(), date("2105-01-01"));
    }

    #[test]
    fn expiry_must_be_an_iso_date() {
        assert_eq!(parse_expiry("2027-01-31").unwrap(), date("2027-01-31"));
        for bad in ["2027-02-30", "31/01/2027", "2027-1-31", "soon", "", "20270131"] {
            assert_eq!(parse_expiry(bad), Err(LotError::BadExpiry(bad.into())), "{bad}");
        }
    }

    #[test]
    fn tags_follow_the_items_tracking() {
        let sku = Sku::new("S1").unwrap();
        let wh = LocationCode::new("WH1").unwrap();
        let receive = |qty| Movement::Receive { sku: sku.clone(), location: wh.clone(), qty };
        let sale = Movement::Sale { sku: sku.clone(), location: wh.clone(), qty: 1 };
        let ret = Movement::Return {
            sku: sku.clone(),
            location: wh.clone(),
            qty: 2,
            to: crate::ReturnDestination::Stock,
        };
        let lot = LotTag::new(LotKind::Lot, "L1", None).unwrap();
        let serial = LotTag::new(LotKind::Serial, "SN1", None).unwrap();
        // (tracking, movement, tag, Ok or a part of the refusal)
        type Case<'a> = (Tracking, Movement, Option<&'a LotTag>, Result<(), &'a str>);
        let cases: Vec<Case> = vec![
            (Tracking::None, receive(3), None, Ok(())),
            (Tracking::None, receive(3), Some(&lot), Err("not tracked")),
            (Tracking::Lot, receive(3), None, Err("tracked by lot")),
            (Tracking::Lot, receive(3), Some(&lot), Ok(())),
            (Tracking::Lot, receive(1), Some(&serial), Err("not serial")),
            (Tracking::Serial, receive(1), Some(&serial), Ok(())),
            (Tracking::Serial, receive(2), Some(&serial), Err("one unit")),
            (Tracking::Lot, sale.clone(), None, Ok(())),
            (Tracking::Lot, sale, Some(&lot), Err("carries no lot")),
            (Tracking::Lot, ret.clone(), None, Ok(())),
            (Tracking::Lot, ret, Some(&lot), Ok(())),
        ];
        for (tracking, movement, tag, want) in cases {
            let got = check_tag(tracking, &movement, tag).map_err(|e| e.to_string());
            match want {
                Ok(()) => assert_eq!(got, Ok(()), "{tracking:?} {movement:?}"),
                Err(part) => assert!(got.as_ref().is_err_and(|e| e.contains(part)), "{got:?} lacks {part}"),
            }
        }
    }

    #[test]
    fn fefo_takes_the_earliest_expiry_first_and_undated_lots_last() {
        let lot = |code: &str, expiry: Option<&str>, on_hand, damaged| LotStock {
            lot: code.into(),
            expiry: expiry.map(date),
            on_hand,
            damaged,
        };
        let lots = vec![
            lot("C", None, 10, 0),
            lot("B", Some("2027-03-01"), 4, 1),
            lot("A", Some("2027-05-01"), 5, 0),
            lot("D", Some("2027-03-01"), 2, 0),
            lot("E", Some("2027-01-01"), 3, 3),
        ];
        let (lines, short) = fefo(&lots, 9);
        let taken: Vec<(&str, i64)> = lines.iter().map(|l| (l.lot.as_str(), l.qty)).collect();
        assert_eq!(taken, vec![("B", 3), ("D", 2), ("A", 4)]);
        assert_eq!(short, 0);
        let (lines, short) = fefo(&lots, 30);
        assert_eq!(lines.last().map(|l| l.lot.as_str()), Some("C"));
        assert_eq!(short, 30 - 20);
    }

    #[test]
    fn a_lot_expires_the_day_after_its_date_once() {
        let lot = LotStock { lot: "L".into(), expiry: Some(date("2027-01-31")), on_hand: 5, damaged: 1 };
        assert_eq!(units_to_expire(&lot, date("2027-01-31")), 0);
        assert_eq!(units_to_expire(&lot, date("2027-02-01")), 4);
        let after = LotStock { damaged: 5, ..lot };
        assert_eq!(units_to_expire(&after, date("2027-02-01")), 0, "a second run books nothing");
        assert!(expiring_until(date("2027-01-01"), -1).is_err());
        assert_eq!(expiring_until(date("2027-01-01"), 30).unwrap(), date("2027-01-31"));
    }
}
