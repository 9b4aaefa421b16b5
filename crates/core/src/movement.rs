//! Movements: what physically or commercially happened to stock, the bucket deltas each one
//! makes, and the checks a movement must pass on its own before any balance is looked at.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{Bucket, DomainError, LocationCode, Sku};

/// Largest quantity one event may move. A warehouse scan is 1 to a few hundred; a pallet
/// receipt a few thousand. A million is far past any real movement and far from overflow, so a
/// fat-fingered `10000000` is refused instead of silently booked.
pub const MAX_QTY: u32 = 1_000_000;

/// Longest free text (reason, reference, actor, workstation) kept on an event.
pub const MAX_TEXT_LEN: usize = 200;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnDestination {
    Stock,
    Damaged,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WriteOffSource {
    Damaged,
    OnHand,
}

/// What physically or commercially happened. Each variant maps to fixed bucket deltas in
/// [`Movement::deltas`]; nothing else in the system decides how an event moves stock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Movement {
    Receive {
        sku: Sku,
        location: LocationCode,
        qty: u32,
    },
    /// A sale on a channel: the units are promised, still on the shelf.
    Sale {
        sku: Sku,
        location: LocationCode,
        qty: u32,
    },
    /// The sold units leave the building.
    Fulfil {
        sku: Sku,
        location: LocationCode,
        qty: u32,
    },
    /// A sale cancelled before it shipped.
    Cancel {
        sku: Sku,
        location: LocationCode,
        qty: u32,
    },
    Return {
        sku: Sku,
        location: LocationCode,
        qty: u32,
        to: ReturnDestination,
    },
    Reserve {
        sku: Sku,
        location: LocationCode,
        qty: u32,
    },
    Release {
        sku: Sku,
        location: LocationCode,
        qty: u32,
    },
    /// A manual correction of on_hand, plus or minus.
    Adjust {
        sku: Sku,
        location: LocationCode,
        delta: i64,
    },
    /// Units found damaged: quarantined on the shelf, out of ATP.
    Damage {
        sku: Sku,
        location: LocationCode,
        qty: u32,
    },
    WriteOff {
        sku: Sku,
        location: LocationCode,
        qty: u32,
        from: WriteOffSource,
    },
    /// A one-step move: both legs in one event, so it is never half-done.
    Transfer {
        sku: Sku,
        from: LocationCode,
        to: LocationCode,
        qty: u32,
    },
    /// First half of a two-phase transfer: the units leave `from` and are in transit to `to`.
    TransferShip {
        sku: Sku,
        from: LocationCode,
        to: LocationCode,
        qty: u32,
    },
    /// Second half: `received` of the `shipped` units arrive. A shortfall is a loss booked with
    /// the event's reason; the in-transit units are cleared in full either way.
    TransferReceive {
        sku: Sku,
        from: LocationCode,
        to: LocationCode,
        shipment: Uuid,
        shipped: u32,
        received: u32,
    },
    /// A counted quantity against what the ledger expected at that moment; posts the variance.
    CountPosting {
        sku: Sku,
        location: LocationCode,
        session: String,
        counted: i64,
        expected: i64,
    },
    /// Undoes a mistaken event with the exact opposite deltas. Corrections are new events;
    /// nothing is ever edited.
    Reversal {
        sku: Sku,
        of: Uuid,
        legs: Vec<Leg>,
    },
}

/// One bucket change carried explicitly, for reversals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leg {
    pub location: LocationCode,
    pub bucket: Bucket,
    pub amount: i64,
}

/// Most legs an event has: a transfer or a fulfilment has two.
const MAX_LEGS: usize = 4;

/// One bucket change caused by an event.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Delta {
    pub sku: Sku,
    pub location: LocationCode,
    pub bucket: Bucket,
    pub amount: i64,
}

impl Movement {
    pub fn kind(&self) -> &'static str {
        match self {
            Movement::Receive { .. } => "receive",
            Movement::Sale { .. } => "sale",
            Movement::Fulfil { .. } => "fulfil",
            Movement::Cancel { .. } => "cancel",
            Movement::Return { .. } => "return",
            Movement::Reserve { .. } => "reserve",
            Movement::Release { .. } => "release",
            Movement::Adjust { .. } => "adjust",
            Movement::Damage { .. } => "damage",
            Movement::WriteOff { .. } => "write_off",
            Movement::Transfer { .. } => "transfer",
            Movement::TransferShip { .. } => "transfer_ship",
            Movement::TransferReceive { .. } => "transfer_receive",
            Movement::CountPosting { .. } => "count_posting",
            Movement::Reversal { .. } => "reversal",
        }
    }

    pub fn sku(&self) -> &Sku {
        match self {
            Movement::Receive { sku, .. }
            | Movement::Sale { sku, .. }
            | Movement::Fulfil { sku, .. }
            | Movement::Cancel { sku, .. }
            | Movement::Return { sku, .. }
            | Movement::Reserve { sku, .. }
            | Movement::Release { sku, .. }
            | Movement::Adjust { sku, .. }
            | Movement::Damage { sku, .. }
            | Movement::WriteOff { sku, .. }
            | Movement::Transfer { sku, .. }
            | Movement::TransferShip { sku, .. }
            | Movement::TransferReceive { sku, .. }
            | Movement::CountPosting { sku, .. }
            | Movement::Reversal { sku, .. } => sku,
        }
    }

    /// Every location the event touches, in leg order.
    pub fn locations(&self) -> Vec<&LocationCode> {
        match self {
            Movement::Transfer { from, to, .. }
            | Movement::TransferShip { from, to, .. }
            | Movement::TransferReceive { from, to, .. } => vec![from, to],
            Movement::Receive { location, .. }
            | Movement::Sale { location, .. }
            | Movement::Fulfil { location, .. }
            | Movement::Cancel { location, .. }
            | Movement::Return { location, .. }
            | Movement::Reserve { location, .. }
            | Movement::Release { location, .. }
            | Movement::Adjust { location, .. }
            | Movement::Damage { location, .. }
            | Movement::WriteOff { location, .. }
            | Movement::CountPosting { location, .. } => vec![location],
            Movement::Reversal { legs, .. } => {
                let mut locations: Vec<&LocationCode> = Vec::new();
                for leg in legs {
                    if !locations.contains(&&leg.location) {
                        locations.push(&leg.location);
                    }
                }
                locations
            }
        }
    }

    /// The bucket changes this movement makes. Pure and total: the projection, its rebuild and
    /// every replica compute balances through this one function, so they cannot disagree.
    pub fn deltas(&self) -> Vec<Delta> {
        let d = |location: &LocationCode, bucket, amount: i64| Delta {
            sku: self.sku().clone(),
            location: location.clone(),
            bucket,
            amount,
        };
        use Bucket::*;
        match self {
            Movement::Receive { location, qty, .. } => vec![d(location, OnHand, q(*qty))],
            Movement::Sale { location, qty, .. } => vec![d(location, Committed, q(*qty))],
            Movement::Fulfil { location, qty, .. } => {
                vec![d(location, OnHand, -q(*qty)), d(location, Committed, -q(*qty))]
            }
            Movement::Cancel { location, qty, .. } => vec![d(location, Committed, -q(*qty))],
            Movement::Return { location, qty, to, .. } => match to {
                ReturnDestination::Stock => vec![d(location, OnHand, q(*qty))],
                ReturnDestination::Damaged => {
                    vec![d(location, OnHand, q(*qty)), d(location, Damaged, q(*qty))]
                }
            },
            Movement::Reserve { location, qty, .. } => vec![d(location, Reserved, q(*qty))],
            Movement::Release { location, qty, .. } => vec![d(location, Reserved, -q(*qty))],
            Movement::Adjust { location, delta, .. } => vec![d(location, OnHand, *delta)],
            Movement::Damage { location, qty, .. } => vec![d(location, Damaged, q(*qty))],
            Movement::WriteOff { location, qty, from, .. } => match from {
                WriteOffSource::OnHand => vec![d(location, OnHand, -q(*qty))],
                WriteOffSource::Damaged => {
                    vec![d(location, OnHand, -q(*qty)), d(location, Damaged, -q(*qty))]
                }
            },
            Movement::Transfer { from, to, qty, .. } => {
                vec![d(from, OnHand, -q(*qty)), d(to, OnHand, q(*qty))]
            }
            Movement::TransferShip { from, to, qty, .. } => {
                vec![d(from, OnHand, -q(*qty)), d(to, InTransit, q(*qty))]
            }
            Movement::TransferReceive { to, shipped, received, .. } => {
                let mut legs = vec![d(to, InTransit, -q(*shipped))];
                if *received > 0 {
                    legs.push(d(to, OnHand, q(*received)));
                }
                legs
            }
            Movement::CountPosting { location, counted, expected, .. } => {
                vec![d(location, OnHand, counted - expected)]
            }
            Movement::Reversal { legs, .. } => {
                legs.iter().map(|leg| d(&leg.location, leg.bucket, leg.amount)).collect()
            }
        }
    }

    /// Checks the movement on its own, before any balance is looked at.
    pub fn validate(&self, reason: Option<&str>) -> Result<(), DomainError> {
        let has_reason = reason.is_some_and(|r| !r.trim().is_empty());
        let need_reason = |what| if has_reason { Ok(()) } else { Err(DomainError::ReasonRequired(what)) };
        match self {
            Movement::Adjust { delta, .. } => {
                check_amount(*delta)?;
                need_reason("an adjustment")
            }
            Movement::Damage { qty, .. } => {
                check_qty(*qty)?;
                need_reason("damage")
            }
            Movement::WriteOff { qty, .. } => {
                check_qty(*qty)?;
                need_reason("a write-off")
            }
            Movement::Transfer { from, to, qty, .. } | Movement::TransferShip { from, to, qty, .. } => {
                check_qty(*qty)?;
                check_distinct(from, to)
            }
            Movement::TransferReceive { from, to, shipped, received, .. } => {
                check_distinct(from, to)?;
                check_qty(*shipped)?;
                if received > shipped {
                    return Err(DomainError::OverReceipt { received: *received, shipped: *shipped });
                }
                if received < shipped { need_reason("a short receipt") } else { Ok(()) }
            }
            Movement::CountPosting { counted, expected, session, .. } => {
                check_text("session", session)?;
                check_count(*counted)?;
                check_count(*expected)
            }
            Movement::Reversal { legs, .. } => {
                if legs.is_empty() || legs.len() > MAX_LEGS {
                    return Err(DomainError::EmptyText { field: "reversal legs" });
                }
                legs.iter().try_for_each(|leg| check_amount(leg.amount))?;
                need_reason("a reversal")
            }
            Movement::Receive { qty, .. }
            | Movement::Sale { qty, .. }
            | Movement::Fulfil { qty, .. }
            | Movement::Cancel { qty, .. }
            | Movement::Return { qty, .. }
            | Movement::Reserve { qty, .. }
            | Movement::Release { qty, .. } => check_qty(*qty),
        }
    }
}

fn q(qty: u32) -> i64 {
    i64::from(qty)
}

fn check_qty(qty: u32) -> Result<(), DomainError> {
    if qty == 0 || qty > MAX_QTY {
        return Err(DomainError::QuantityOutOfRange { got: q(qty), max: q(MAX_QTY) });
    }
    Ok(())
}

fn check_amount(delta: i64) -> Result<(), DomainError> {
    if delta == 0 || delta.unsigned_abs() > u64::from(MAX_QTY) {
        return Err(DomainError::QuantityOutOfRange { got: delta, max: q(MAX_QTY) });
    }
    Ok(())
}

fn check_count(value: i64) -> Result<(), DomainError> {
    if !(0..=q(MAX_QTY)).contains(&value) {
        return Err(DomainError::QuantityOutOfRange { got: value, max: q(MAX_QTY) });
    }
    Ok(())
}

fn check_distinct(from: &LocationCode, to: &LocationCode) -> Result<(), DomainError> {
    if from == to {
        return Err(DomainError::SameLocation(from.to_string()));
    }
    Ok(())
}

pub(crate) fn check_text(field: &'static str, value: &str) -> Result<(), DomainError> {
    if value.trim().is_empty() {
        return Err(DomainError::EmptyText { field });
    }
    if value.chars().count() > MAX_TEXT_LEN {
        return Err(DomainError::TextTooLong { field, max: MAX_TEXT_LEN });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sku() -> Sku {
        Sku::new("S1").unwrap()
    }
    fn loc(code: &str) -> LocationCode {
        LocationCode::new(code).unwrap()
    }

    #[test]
    fn validation_refuses_bad_movements() {
        let wh1 = loc("WH1");
        let cases: Vec<(Movement, Option<&str>, Option<DomainError>)> = vec![
            (
                Movement::Receive { sku: sku(), location: wh1.clone(), qty: 0 },
                None,
                Some(DomainError::QuantityOutOfRange { got: 0, max: 1_000_000 }),
            ),
            (
                Movement::Receive { sku: sku(), location: wh1.clone(), qty: MAX_QTY + 1 },
                None,
                Some(DomainError::QuantityOutOfRange { got: 1_000_001, max: 1_000_000 }),
            ),
            (Movement::Receive { sku: sku(), location: wh1.clone(), qty: 5 }, None, None),
            (
                Movement::Adjust { sku: sku(), location: wh1.clone(), delta: -3 },
                None,
                Some(DomainError::ReasonRequired("an adjustment")),
            ),
            (Movement::Adjust { sku: sku(), location: wh1.clone(), delta: -3 }, Some("found"), None),
            (
                Movement::Adjust { sku: sku(), location: wh1.clone(), delta: 0 },
                Some("x"),
                Some(DomainError::QuantityOutOfRange { got: 0, max: 1_000_000 }),
            ),
            (
                Movement::Damage { sku: sku(), location: wh1.clone(), qty: 1 },
                Some("  "),
                Some(DomainError::ReasonRequired("damage")),
            ),
            (
                Movement::Transfer { sku: sku(), from: wh1.clone(), to: wh1.clone(), qty: 1 },
                None,
                Some(DomainError::SameLocation("WH1".into())),
            ),
            (
                Movement::TransferReceive {
                    sku: sku(),
                    from: loc("WH2"),
                    to: wh1.clone(),
                    shipment: Uuid::nil(),
                    shipped: 5,
                    received: 4,
                },
                None,
                Some(DomainError::ReasonRequired("a short receipt")),
            ),
            (
                Movement::TransferReceive {
                    sku: sku(),
                    from: loc("WH2"),
                    to: wh1.clone(),
                    shipment: Uuid::nil(),
                    shipped: 5,
                    received: 6,
                },
                Some("x"),
                Some(DomainError::OverReceipt { received: 6, shipped: 5 }),
            ),
            (
                Movement::TransferReceive {
                    sku: sku(),
                    from: loc("WH2"),
                    to: wh1.clone(),
                    shipment: Uuid::nil(),
                    shipped: 5,
                    received: 5,
                },
                None,
                None,
            ),
        ];
        for (movement, reason, want) in cases {
            assert_eq!(movement.validate(reason).err(), want, "{movement:?}");
        }
    }

    #[test]
    fn deltas_follow_the_bucket_rules() {
        let wh1 = loc("WH1");
        let wh2 = loc("WH2");
        let total = |m: Movement, bucket: Bucket| -> i64 {
            m.deltas().iter().filter(|d| d.bucket == bucket).map(|d| d.amount).sum()
        };
        let fulfil = Movement::Fulfil { sku: sku(), location: wh1.clone(), qty: 2 };
        assert_eq!(total(fulfil.clone(), Bucket::OnHand), -2);
        assert_eq!(total(fulfil, Bucket::Committed), -2);
        let write_off =
            Movement::WriteOff { sku: sku(), location: wh1.clone(), qty: 3, from: WriteOffSource::Damaged };
        assert_eq!(total(write_off.clone(), Bucket::Damaged), -3);
        assert_eq!(total(write_off, Bucket::OnHand), -3);
        let transfer = Movement::Transfer { sku: sku(), from: wh1.clone(), to: wh2.clone(), qty: 4 };
        assert_eq!(total(transfer, Bucket::OnHand), 0, "a transfer conserves on_hand");
        let ship = Movement::TransferShip { sku: sku(), from: wh1.clone(), to: wh2.clone(), qty: 4 };
        let ship_total: i64 = ship.deltas().iter().map(|d| d.amount).sum();
        assert_eq!(ship_total, 0, "units in transit still count");
        let count = Movement::CountPosting {
            sku: sku(),
            location: wh1,
            session: "c1".into(),
            counted: 7,
            expected: 10,
        };
        assert_eq!(total(count, Bucket::OnHand), -3);
    }
}
