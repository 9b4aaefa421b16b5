//! Reports' rules (issue 20): what counts as shrink and the reason it is grouped under, and the
//! figures of a count pack (the monthly count's lines, decisions and accuracy a supervisor
//! signs). The store reads the rows; what they mean is decided here, with plain values.

use serde::Serialize;

use crate::{LOSS_REASON_CODES, Movement};

/// The reason a count that found fewer units than expected is grouped under.
pub const COUNT_VARIANCE_REASON: &str = "count_variance";
/// The reason a two-phase transfer received short is grouped under.
pub const TRANSFER_SHORT_REASON: &str = "transfer_short";
/// The reason a loss booked with no reason at all is grouped under.
pub const UNSPECIFIED_REASON: &str = "unspecified";

/// The units this movement lost for good, if it lost any: a write-off (from damaged or from
/// on hand), on hand adjusted down, a count that found fewer than expected, a transfer
/// received short. Damage alone is not shrink: the units are quarantined on the shelf, and
/// their write-off is the loss (counting both would count them twice).
pub fn shrink_units(movement: &Movement) -> Option<i64> {
    let units = match movement {
        Movement::WriteOff { qty, .. } => i64::from(*qty),
        Movement::Adjust { delta, .. } => delta.saturating_neg(),
        Movement::CountPosting { counted, expected, .. } => expected.saturating_sub(*counted),
        Movement::TransferReceive { shipped, received, .. } => i64::from(*shipped) - i64::from(*received),
        _ => return None,
    };
    (units > 0).then_some(units)
}

/// The reason code a shrink is grouped under: a count's and a short transfer's own, else the
/// loss reason code the event carries (`theft: aisle 4` is `theft`), `other` for free text
/// that names no code, and `unspecified` when there is no reason.
pub fn shrink_reason(movement: &Movement, reason: Option<&str>) -> &'static str {
    match movement {
        Movement::CountPosting { .. } => return COUNT_VARIANCE_REASON,
        Movement::TransferReceive { .. } => return TRANSFER_SHORT_REASON,
        _ => {}
    }
    let Some(reason) = reason.map(str::trim).filter(|r| !r.is_empty()) else {
        return UNSPECIFIED_REASON;
    };
    let head = reason
        .split_once(':')
        .map_or(reason, |(h, _)| h)
        .trim()
        .to_ascii_lowercase()
        .replace([' ', '-'], "_");
    LOSS_REASON_CODES.iter().find(|c| **c == head).copied().unwrap_or("other")
}

/// One line of a count as the pack prints it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PackLine {
    pub sku: String,
    pub name: String,
    pub round: i64,
    pub counted: i64,
    pub expected: i64,
    pub variance: i64,
    /// variance x unit cost, signed.
    pub value_cents: i64,
    /// `posted`, `pending`, `rejected` or `recount`.
    pub state: String,
    pub counters: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub reason: Option<String>,
}

/// One count session in a pack, with its lines.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PackSession {
    pub id: String,
    pub location: String,
    pub scope_label: String,
    pub full_count: bool,
    pub blind: bool,
    pub status: String,
    pub started_by: String,
    pub started_at: String,
    pub plan: Option<String>,
    pub lines: Vec<PackLine>,
}

/// What a supervisor signs: one count session, or every full count of a month.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CountPack {
    /// `Count SESSION` or `Monthly count YYYY-MM`.
    pub title: String,
    pub generated_at: String,
    pub generated_by: String,
    pub sessions: Vec<PackSession>,
}

/// The accuracy figures of a set of lines, by the accuracy report's rule: recounted lines are
/// left out (their recount is the line that counts), and a line is accurate when it posted
/// with no decision needed (within tolerance).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct PackFigures {
    pub lines: i64,
    pub within_tolerance: i64,
    /// Tenths of a percent, rounded: 987 is 98.7 %. Zero lines is 0.
    pub accuracy_permille: i64,
    pub posted: i64,
    pub pending: i64,
    pub rejected: i64,
    pub recounted: i64,
    pub net_value_cents: i64,
    pub abs_value_cents: i64,
}

/// The figures over `lines`; see [`PackFigures`].
pub fn pack_figures<'a>(lines: impl IntoIterator<Item = &'a PackLine>) -> PackFigures {
    let mut f = PackFigures::default();
    for line in lines {
        match line.state.as_str() {
            "recount" => {
                f.recounted += 1;
                continue;
            }
            "posted" => f.posted += 1,
            "pending" => f.pending += 1,
            _ => f.rejected += 1,
        }
        f.lines += 1;
        if line.state == "posted" && line.decided_by.is_none() {
            f.within_tolerance += 1;
        }
        f.net_value_cents = f.net_value_cents.saturating_add(line.value_cents);
        f.abs_value_cents = f.abs_value_cents.saturating_add(line.value_cents.saturating_abs());
    }
    if f.lines > 0 {
        f.accuracy_permille = (f.within_tolerance * 2000 + f.lines) / (2 * f.lines);
    }
    f
}

impl CountPack {
    /// The figures over every session's lines.
    pub fn figures(&self) -> PackFigures {
        pack_figures(self.sessions.iter().flat_map(|s| &s.lines))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{LocationCode, Sku, WriteOffSource};

    fn sku() -> Sku {
        Sku::new("A-1").unwrap()
    }
    fn loc() -> LocationCode {
        LocationCode::new("WH1").unwrap()
    }

    #[test]
    fn shrink_is_what_left_for_good() {
        let write_off =
            Movement::WriteOff { sku: sku(), location: loc(), qty: 3, from: WriteOffSource::Damaged };
        let cases = [
            (write_off.clone(), Some(3)),
            (Movement::Adjust { sku: sku(), location: loc(), delta: -4 }, Some(4)),
            (Movement::Adjust { sku: sku(), location: loc(), delta: 4 }, None),
            (Movement::Damage { sku: sku(), location: loc(), qty: 2 }, None),
            (
                Movement::CountPosting {
                    sku: sku(),
                    location: loc(),
                    session: "s".into(),
                    counted: 7,
                    expected: 10,
                },
                Some(3),
            ),
            (
                Movement::CountPosting {
                    sku: sku(),
                    location: loc(),
                    session: "s".into(),
                    counted: 12,
                    expected: 10,
                },
                None,
            ),
            (Movement::Receive { sku: sku(), location: loc(), qty: 5 }, None),
        ];
        for (movement, want) in cases {
            assert_eq!(shrink_units(&movement), want, "{movement:?}");
        }
    }

    #[test]
    fn shrink_reasons_are_codes() {
        let write_off =
            Movement::WriteOff { sku: sku(), location: loc(), qty: 3, from: WriteOffSource::OnHand };
        let count = Movement::CountPosting {
            sku: sku(),
            location: loc(),
            session: "s".into(),
            counted: 1,
            expected: 2,
        };
        let cases = [
            (&write_off, Some("theft: aisle 4"), "theft"),
            (&write_off, Some("Vendor Return"), "vendor_return"),
            (&write_off, Some("crushed by forklift"), "other"),
            (&write_off, Some("  "), "unspecified"),
            (&write_off, None, "unspecified"),
            (&count, Some("theft"), "count_variance"),
        ];
        for (movement, reason, want) in cases {
            assert_eq!(shrink_reason(movement, reason), want, "{reason:?}");
        }
    }

    fn line(state: &str, decided: bool, value_cents: i64) -> PackLine {
        PackLine {
            sku: "A-1".into(),
            name: "A".into(),
            round: 1,
            counted: 1,
            expected: 1,
            variance: 0,
            value_cents,
            state: state.into(),
            counters: "ada".into(),
            decided_by: decided.then(|| "sam".into()),
            decided_at: None,
            reason: None,
        }
    }

    #[test]
    fn figures_follow_the_accuracy_rule() {
        let lines = [
            line("posted", false, 0),
            line("posted", false, 0),
            line("posted", true, -500),
            line("recount", false, -900),
            line("pending", false, 200),
            line("rejected", true, -100),
        ];
        let f = pack_figures(&lines);
        assert_eq!((f.lines, f.within_tolerance, f.recounted), (5, 2, 1));
        assert_eq!((f.posted, f.pending, f.rejected), (3, 1, 1));
        assert_eq!(f.accuracy_permille, 400);
        assert_eq!((f.net_value_cents, f.abs_value_cents), (-400, 800));
        assert_eq!(pack_figures(&[]).accuracy_permille, 0);
        let two_of_three = [line("posted", false, 0), line("posted", false, 0), line("pending", false, 0)];
        assert_eq!(pack_figures(&two_of_three).accuracy_permille, 667);
    }
}
