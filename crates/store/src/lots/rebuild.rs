//! The lot projection checked against the events (`shelfsync check`), as the balances are: every
//! event that carries a lot, replayed through the same deltas, must give the rows kept.

use std::collections::BTreeMap;

use shelfsync_core::lot::lot_deltas;
use shelfsync_core::{Bucket, Event};

use crate::{Result, Store, StoreError};

/// (sku, location, code) -> [on_hand, damaged, in_transit], zero rows left out.
type LotTable = BTreeMap<(String, String, String), [i64; 3]>;

impl Store {
    /// True when `lot_balances` equals a replay of every event that carries a lot.
    pub fn lots_match_rebuild(&self) -> Result<bool> {
        Ok(self.lot_projection()? == self.lot_replay()?)
    }

    fn lot_projection(&self) -> Result<LotTable> {
        let rows = self
            .conn
            .prepare("SELECT sku, location, code, on_hand, damaged, in_transit FROM lot_balances")?
            .query_map([], |r| Ok(((r.get(0)?, r.get(1)?, r.get(2)?), [r.get(3)?, r.get(4)?, r.get(5)?])))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows.into_iter().filter(|(_, v)| *v != [0, 0, 0]).collect())
    }

    /// Reads only the events whose body names a lot (a `"lot":{` key appears in no other body:
    /// the field is left out when empty), in arrival order.
    fn lot_replay(&self) -> Result<LotTable> {
        let mut table = LotTable::new();
        let mut stmt = self
            .conn
            .prepare("SELECT seq, body FROM events WHERE instr(body, '\"lot\":{') > 0 ORDER BY seq")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let (seq, body): (i64, String) = (row.get(0)?, row.get(1)?);
            let event: Event = serde_json::from_str(&body)
                .map_err(|e| StoreError::CorruptEvent { seq, reason: e.to_string() })?;
            let Some(tag) = &event.lot else { continue };
            for delta in lot_deltas(&event.deltas()) {
                let key = (delta.sku.to_string(), delta.location.to_string(), tag.code.clone());
                let slot = match delta.bucket {
                    Bucket::OnHand => 0,
                    Bucket::Damaged => 1,
                    _ => 2,
                };
                table.entry(key).or_insert([0; 3])[slot] += delta.amount;
            }
        }
        table.retain(|_, v| *v != [0, 0, 0]);
        Ok(table)
    }
}
