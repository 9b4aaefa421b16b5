//! The ledger event: a movement plus who, where and when, and its canonical body.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::DomainError;
use crate::lot::LotTag;
use crate::movement::{Delta, Leg, Movement, check_text};

/// An immutable ledger event: a movement plus who, where and when. The id is a UUIDv7 made
/// where the change happened and reused on every retry, which is what makes appends idempotent
/// and lets several workstations merge their events in any order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub id: Uuid,
    #[serde(flatten)]
    pub movement: Movement,
    pub actor: String,
    pub workstation: String,
    pub occurred_at: DateTime<Utc>,
    pub reason: Option<String>,
    pub reference: Option<String>,
    /// The supervisor who allowed a bucket to go negative, when one did.
    pub override_by: Option<String>,
    /// The lot or serial the units belong to (issue 21). Absent from the body when none, so
    /// every event recorded before lots keeps its canonical body and its hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lot: Option<LotTag>,
}

impl Event {
    /// An event with the identity it is given: `id` (a UUIDv7 minted where the change happened,
    /// reused on every retry) and `occurred_at`. Core reads no clock and no random source, so
    /// whoever records the event passes both in; `shelfsync_store::new_event` mints them.
    pub fn with_identity(
        id: Uuid,
        occurred_at: DateTime<Utc>,
        movement: Movement,
        actor: impl Into<String>,
        workstation: impl Into<String>,
    ) -> Event {
        Event {
            id,
            movement,
            actor: actor.into(),
            workstation: workstation.into(),
            occurred_at,
            reason: None,
            reference: None,
            override_by: None,
            lot: None,
        }
    }

    pub fn with_lot(mut self, lot: Option<LotTag>) -> Event {
        self.lot = lot;
        self
    }

    pub fn with_reason(mut self, reason: impl Into<String>) -> Event {
        self.reason = Some(reason.into());
        self
    }

    pub fn with_reference(mut self, reference: impl Into<String>) -> Event {
        self.reference = Some(reference.into());
        self
    }

    pub fn validate(&self) -> Result<(), DomainError> {
        check_text("actor", &self.actor)?;
        check_text("workstation", &self.workstation)?;
        for (field, value) in
            [("reason", &self.reason), ("reference", &self.reference), ("override_by", &self.override_by)]
        {
            if let Some(value) = value {
                check_text(field, value)?;
            }
        }
        self.movement.validate(self.reason.as_deref())
    }

    pub fn deltas(&self) -> Vec<Delta> {
        self.movement.deltas()
    }

    /// The movement that undoes this event: every delta negated, the original named.
    pub fn reversal(&self) -> Movement {
        let legs = self
            .deltas()
            .into_iter()
            .filter(|d| d.amount != 0)
            .map(|d| Leg { location: d.location, bucket: d.bucket, amount: -d.amount })
            .collect();
        Movement::Reversal { sku: self.movement.sku().clone(), of: self.id, legs }
    }

    /// The canonical body: what "the same event" means for idempotency. serde_json writes
    /// struct fields in declaration order, so equal events give byte-equal bodies.
    pub fn canonical_body(&self) -> String {
        serde_json::to_string(self).expect("an event always serialises")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{LocationCode, Sku};

    fn sku() -> Sku {
        Sku::new("S1").unwrap()
    }
    fn loc(code: &str) -> LocationCode {
        LocationCode::new(code).unwrap()
    }
    /// A fixed identity: core's tests read no clock either.
    fn id() -> Uuid {
        Uuid::parse_str("0190a5f2-7c3e-7000-8000-000000000001").unwrap()
    }
    fn at() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-01T09:30:00.250Z").unwrap().with_timezone(&Utc)
    }

    #[test]
    fn with_identity_keeps_the_identity_it_is_given() {
        let movement = Movement::Receive { sku: sku(), location: loc("WH1"), qty: 3 };
        let event = Event::with_identity(id(), at(), movement.clone(), "alice", "ws-1");
        assert_eq!((event.id, event.occurred_at), (id(), at()));
        assert_eq!(event.movement, movement);
        assert_eq!((event.actor.as_str(), event.workstation.as_str()), ("alice", "ws-1"));
        assert_eq!((event.reason, event.reference, event.override_by), (None, None, None));
        let body = Event::with_identity(id(), at(), movement, "alice", "ws-1").canonical_body();
        assert!(body.contains(r#""occurred_at":"2026-03-01T09:30:00.250Z""#), "{body}");
    }

    #[test]
    fn canonical_body_is_stable_and_round_trips() {
        let movement = Movement::Receive { sku: sku(), location: loc("WH1"), qty: 3 };
        let event = Event::with_identity(id(), at(), movement, "alice", "ws-1").with_reason("po 17");
        let body = event.canonical_body();
        let back: Event = serde_json::from_str(&body).unwrap();
        assert_eq!(back, event);
        assert_eq!(back.canonical_body(), body);
        assert!(body.contains(r#""kind":"receive""#));
    }
}
