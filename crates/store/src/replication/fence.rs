//! Fencing the sync engine's state when this workstation takes the hub's engine lease. It
//! writes the outbox and listings (channel tables) but only on the hub's account, so it lives
//! with replication.

use super::immediate;
use crate::outbox::{now, requeue_listing};
use crate::{Result, Store};

impl Store {
    /// Before this workstation's engine starts pushing: what it believed about the channels
    /// may be stale (another workstation pushed meanwhile), so every belief is dropped and
    /// every listing requeued from the converged balances. An attempt group left from an
    /// earlier tenure is dropped too: resending its old values under its old key could put an
    /// older quantity after a newer one. Returns how many listings were queued.
    pub fn hub_fence_engine_state(&self) -> Result<usize> {
        let tx = immediate(&self.conn)?;
        tx.execute(
            "UPDATE outbox SET group_key = NULL, group_qty = NULL, group_from = NULL, group_version = NULL,
                 attempts = 0, next_attempt_at = ?1, last_error = NULL",
            [now()],
        )?;
        tx.execute("UPDATE listings SET acked_qty = NULL", [])?;
        let ids: Vec<i64> = tx
            .prepare("SELECT id FROM listings ORDER BY id")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let stamp = now();
        let mut queued = 0;
        for id in ids {
            if requeue_listing(&tx, id, &stamp)?.is_some() {
                queued += 1;
            }
        }
        tx.commit()?;
        Ok(queued)
    }
}
