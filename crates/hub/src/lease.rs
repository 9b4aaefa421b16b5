//! The sync-engine lease, in PostgreSQL: one row with an expiry in the server's clock (the
//! workstations' clocks may disagree), renewed by its holder every third of its lifetime. A
//! dead holder stops renewing; any other workstation takes the row once it has expired, so the
//! engine moves within one lifetime plus one renewal interval. `epoch` rises at every change of
//! holder and every tenure is kept in `lease_history`.

use std::time::Duration;

use crate::Result;
use crate::pg::HubConn;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LeaseState {
    Held { epoch: i64 },
    HeldBy { holder: String, epoch: i64 },
}

/// Takes or renews the lease for `holder` unless another holder's lease is still live.
pub async fn acquire(hub: &mut HubConn, holder: &str, ttl: Duration) -> Result<LeaseState> {
    let ttl_ms = ttl.as_millis() as f64;
    let fail = hub.fail();
    let tx = hub.client.transaction().await.map_err(&fail)?;
    let taken = tx
        .query_opt(
            "INSERT INTO lease (id, holder, epoch, acquired_at, expires_at)
             VALUES (1, $1, 1, now(), now() + $2 * interval '1 millisecond')
             ON CONFLICT (id) DO UPDATE SET
                 epoch = CASE WHEN lease.holder = excluded.holder AND lease.expires_at >= now()
                              THEN lease.epoch ELSE lease.epoch + 1 END,
                 acquired_at = CASE WHEN lease.holder = excluded.holder AND lease.expires_at >= now()
                                    THEN lease.acquired_at ELSE now() END,
                 holder = excluded.holder,
                 expires_at = excluded.expires_at
             WHERE lease.holder = excluded.holder OR lease.expires_at < now()
             RETURNING epoch",
            &[&holder, &ttl_ms],
        )
        .await
        .map_err(&fail)?;
    let state = match taken {
        Some(row) => {
            let epoch: i64 = row.get(0);
            tx.execute(
                "INSERT INTO lease_history (epoch, holder, acquired_at) VALUES ($1, $2, now())
                 ON CONFLICT (epoch) DO NOTHING",
                &[&epoch, &holder],
            )
            .await
            .map_err(&fail)?;
            LeaseState::Held { epoch }
        }
        None => {
            let row =
                tx.query_one("SELECT holder, epoch FROM lease WHERE id = 1", &[]).await.map_err(&fail)?;
            LeaseState::HeldBy { holder: row.get(0), epoch: row.get(1) }
        }
    };
    tx.commit().await.map_err(&fail)?;
    Ok(state)
}

/// Gives the lease up at a clean stop, so the next workstation need not wait for the expiry.
/// The row stays (expired), so the epoch keeps counting.
pub async fn release(hub: &mut HubConn, holder: &str) -> Result<()> {
    hub.client
        .execute(
            "UPDATE lease SET expires_at = now() - interval '1 millisecond' WHERE id = 1 AND holder = $1",
            &[&holder],
        )
        .await
        .map_err(hub.fail())?;
    Ok(())
}

/// The workstation whose lease is live now, if any.
pub async fn holder(hub: &HubConn) -> Result<Option<String>> {
    Ok(hub
        .client
        .query_opt("SELECT holder FROM lease WHERE id = 1 AND expires_at > now()", &[])
        .await
        .map_err(hub.fail())?
        .map(|row| row.get(0)))
}

/// Every tenure so far: (epoch, holder), oldest first.
pub async fn history(hub: &HubConn) -> Result<Vec<(i64, String)>> {
    Ok(hub
        .client
        .query("SELECT epoch, holder FROM lease_history ORDER BY epoch", &[])
        .await
        .map_err(hub.fail())?
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect())
}
