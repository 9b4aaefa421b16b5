//! The movement a scan station mode makes for one scanned line: the same movement the CLI
//! records for the same scan. The app routes scans and reports outcomes; what a line means in
//! a mode is decided here.

use crate::{LocationCode, Movement, Sku};

/// A scan station's mode, with what the mode needs beyond the scanned line (a transfer's
/// destination).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StationMode {
    Receive,
    /// Units found damaged: needs a reason (the loss reason code) before anything is recorded.
    Damage,
    Transfer {
        to: LocationCode,
    },
    /// A count session's entry, not a movement: the count posts its variance when it is decided.
    Count,
    /// Look-up only: records nothing.
    Lookup,
}

/// What one scanned line records in a mode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StationRecord {
    Movement(Movement),
    /// An entry in the open count session.
    CountEntry,
    Nothing,
}

impl StationMode {
    /// Whether the mode can be committed without a reason.
    pub fn needs_reason(&self) -> bool {
        matches!(self, StationMode::Damage)
    }

    /// What `qty` units of `sku` scanned at `location` record in this mode.
    pub fn record(&self, sku: Sku, location: &LocationCode, qty: u32) -> StationRecord {
        let location = location.clone();
        match self {
            StationMode::Receive => StationRecord::Movement(Movement::Receive { sku, location, qty }),
            StationMode::Damage => StationRecord::Movement(Movement::Damage { sku, location, qty }),
            StationMode::Transfer { to } => {
                StationRecord::Movement(Movement::Transfer { sku, from: location, to: to.clone(), qty })
            }
            StationMode::Count => StationRecord::CountEntry,
            StationMode::Lookup => StationRecord::Nothing,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(raw: &str) -> LocationCode {
        LocationCode::new(raw).unwrap()
    }

    #[test]
    fn each_mode_records_its_movement() {
        let sku = || Sku::new("S1").unwrap();
        // (mode, needs a reason, what 4 units of S1 scanned at WH1 record)
        let cases = [
            (
                StationMode::Receive,
                false,
                StationRecord::Movement(Movement::Receive { sku: sku(), location: code("WH1"), qty: 4 }),
            ),
            (
                StationMode::Damage,
                true,
                StationRecord::Movement(Movement::Damage { sku: sku(), location: code("WH1"), qty: 4 }),
            ),
            (
                StationMode::Transfer { to: code("WH2") },
                false,
                StationRecord::Movement(Movement::Transfer {
                    sku: sku(),
                    from: code("WH1"),
                    to: code("WH2"),
                    qty: 4,
                }),
            ),
            (StationMode::Count, false, StationRecord::CountEntry),
            (StationMode::Lookup, false, StationRecord::Nothing),
        ];
        for (mode, needs_reason, want) in cases {
            assert_eq!(mode.needs_reason(), needs_reason, "{mode:?}");
            assert_eq!(mode.record(sku(), &code("WH1"), 4), want, "{mode:?}");
        }
    }
}
