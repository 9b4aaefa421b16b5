//! Discrepancies mirrored from the hub (`hub_discrepancies`): conflicts the hub found between
//! workstations' events, kept here for a supervisor to read offline.

use rusqlite::params;

use super::immediate;
use crate::{Result, Store};

/// A discrepancy mirrored from the hub.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Discrepancy {
    pub id: i64,
    pub event_id: String,
    pub other_event_id: Option<String>,
    pub workstation: String,
    pub sku: String,
    pub location: String,
    pub detail: String,
    pub detected_at: String,
}

impl Store {
    /// Keeps a pulled batch (a row already here is left as it is) and moves the discrepancy
    /// watermark to its last id, in one transaction.
    pub fn hub_store_discrepancies(&self, rows: &[Discrepancy]) -> Result<()> {
        let Some(last) = rows.last() else { return Ok(()) };
        let tx = immediate(&self.conn)?;
        for d in rows {
            tx.execute(
                "INSERT OR IGNORE INTO hub_discrepancies
                     (id, event_id, other_event_id, workstation, sku, location, detail, detected_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    d.id,
                    d.event_id,
                    d.other_event_id,
                    d.workstation,
                    d.sku,
                    d.location,
                    d.detail,
                    d.detected_at
                ],
            )?;
        }
        tx.execute("UPDATE hub_config SET discrepancy_watermark = ?1", [last.id])?;
        tx.commit()?;
        Ok(())
    }

    /// Every mirrored discrepancy, in hub order.
    pub fn hub_discrepancies(&self) -> Result<Vec<Discrepancy>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, event_id, other_event_id, workstation, sku, location, detail, detected_at
             FROM hub_discrepancies ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Discrepancy {
                id: r.get(0)?,
                event_id: r.get(1)?,
                other_event_id: r.get(2)?,
                workstation: r.get(3)?,
                sku: r.get(4)?,
                location: r.get(5)?,
                detail: r.get(6)?,
                detected_at: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
