//! What the app's Movements screen lists before it acts (issue 20): the two-phase transfers
//! still in transit, and which of a page of events are already closed (a shipment received, an
//! event reversed), so a supervisor is not offered a reversal the append would refuse.
//!
//! Both read the `closes` column the append writes (one receipt per shipment, one reversal per
//! event; `events_by_closes` is unique). The rules themselves stay in the append
//! (`check_shipment`, `check_reversal`): these lists only save a pointless try.

use std::collections::HashSet;

use shelfsync_core::{Event, Movement};

use crate::{Result, Store, StoreError};

/// Most shipments one list returns: a screen shows a few dozen; more is a backlog to clear at
/// the CLI, not to render.
pub const MAX_IN_TRANSIT_LISTED: usize = 500;
/// Most ids one `closed_among` call takes: the Movements screen asks about one page of events
/// (at most the app's 500), and the query binds one parameter per id.
pub const MAX_CLOSED_IDS: usize = 500;

/// A shipment whose units are still in transit: shipped, neither received nor reversed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InTransit {
    pub seq: i64,
    pub recorded_at: String,
    pub event: Event,
}

impl Store {
    /// Shipments not yet received nor reversed, newest first, at most `limit` (1 to
    /// [`MAX_IN_TRANSIT_LISTED`]). Only SKUs with units in transit are looked at, through the
    /// events-by-SKU index, so the list costs the open transfers, not the whole ledger.
    pub fn transfers_in_transit(&self, limit: usize) -> Result<Vec<InTransit>> {
        if limit == 0 || limit > MAX_IN_TRANSIT_LISTED {
            return Err(StoreError::BadSearch(format!(
                "a transfer list is 1 to {MAX_IN_TRANSIT_LISTED} rows, not {limit}"
            )));
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT e.seq, e.recorded_at, e.body FROM events e
             WHERE e.sku IN (SELECT DISTINCT sku FROM balances WHERE in_transit != 0)
               AND e.kind = 'transfer_ship'
               AND NOT EXISTS (SELECT 1 FROM events c WHERE c.closes = e.id)
             ORDER BY e.seq DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?))
        })?;
        let mut open = Vec::new();
        for row in rows {
            let (seq, recorded_at, body) = row?;
            let event: Event = serde_json::from_str(&body)
                .map_err(|e| StoreError::CorruptEvent { seq, reason: e.to_string() })?;
            debug_assert!(matches!(event.movement, Movement::TransferShip { .. }));
            open.push(InTransit { seq, recorded_at, event });
        }
        Ok(open)
    }

    /// Which of `ids` another event already closes (a receipt of a shipment, a reversal).
    pub fn closed_among(&self, ids: &[String]) -> Result<HashSet<String>> {
        if ids.len() > MAX_CLOSED_IDS {
            return Err(StoreError::BadSearch(format!(
                "at most {MAX_CLOSED_IDS} events are checked at once, not {}",
                ids.len()
            )));
        }
        let mut stmt = self.conn.prepare_cached("SELECT 1 FROM events WHERE closes = ?1")?;
        let mut closed = HashSet::new();
        for id in ids {
            if stmt.exists([id])? {
                closed.insert(id.clone());
            }
        }
        Ok(closed)
    }
}

#[cfg(test)]
mod tests {
    use shelfsync_core::{Item, Location, LocationCode, Sku};

    use super::*;
    use crate::{ItemRecord, new_event};

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("t.db")).unwrap();
        let loc = |c: &str| Location { code: LocationCode::new(c).unwrap(), name: c.into(), parent: None };
        store.upsert_locations(&[loc("A"), loc("B")]).unwrap();
        let item = Item {
            sku: Sku::new("S1").unwrap(),
            name: "s1".into(),
            unit_cost_cents: 100,
            category: "c".into(),
            safety_stock: 0,
        };
        store.upsert_items(&[ItemRecord { item, barcodes: vec![] }]).unwrap();
        (dir, store)
    }

    #[test]
    fn a_shipment_is_in_transit_until_received_and_an_event_closed_once_reversed() {
        let (_dir, mut store) = store();
        let (sku, a, b) =
            (Sku::new("S1").unwrap(), LocationCode::new("A").unwrap(), LocationCode::new("B").unwrap());
        let receipt =
            new_event(Movement::Receive { sku: sku.clone(), location: a.clone(), qty: 10 }, "t", "ws");
        store.append(&receipt).unwrap();
        let ship = |qty| {
            new_event(
                Movement::TransferShip { sku: sku.clone(), from: a.clone(), to: b.clone(), qty },
                "t",
                "ws",
            )
        };
        let (first, second) = (ship(3), ship(4));
        store.append(&first).unwrap();
        store.append(&second).unwrap();
        let ids = |list: Vec<InTransit>| list.into_iter().map(|t| t.event.id).collect::<Vec<_>>();
        assert_eq!(ids(store.transfers_in_transit(10).unwrap()), vec![second.id, first.id], "newest first");
        assert_eq!(ids(store.transfers_in_transit(1).unwrap()), vec![second.id], "the limit holds");

        let received = Movement::TransferReceive {
            sku: sku.clone(),
            from: a.clone(),
            to: b.clone(),
            shipment: first.id,
            shipped: 3,
            received: 3,
        };
        store.append(&new_event(received, "t", "ws")).unwrap();
        assert_eq!(ids(store.transfers_in_transit(10).unwrap()), vec![second.id]);
        store.append(&new_event(second.reversal(), "t", "ws").with_reason("wrong truck")).unwrap();
        assert_eq!(
            ids(store.transfers_in_transit(10).unwrap()),
            Vec::<uuid::Uuid>::new(),
            "a reversed shipment is not in transit"
        );

        let asked = [receipt.id, first.id, second.id].map(|id| id.to_string());
        let closed = store.closed_among(&asked).unwrap();
        assert_eq!(closed, HashSet::from([first.id.to_string(), second.id.to_string()]));
        for limit in [0, MAX_IN_TRANSIT_LISTED + 1] {
            assert!(store.transfers_in_transit(limit).is_err(), "{limit}");
        }
        assert!(store.closed_among(&vec![String::new(); MAX_CLOSED_IDS + 1]).is_err());
    }
}
