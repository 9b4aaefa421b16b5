//! One sync engine per database: a lease row (`sync_lease`) with an expiry. The holder renews
//! it well before it expires; another engine waits, and takes over once the holder has stopped
//! renewing (it died, or lost its disk). Two engines pushing at once would each be right and
//! together wrong: their versions and idempotency keys would interleave.

use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use rusqlite::{OptionalExtension, params};

use super::immediate;
use crate::{Result, Store};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lease {
    Held,
    HeldByOther { holder: String, until: String },
}

fn stamp(at: chrono::DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Takes or renews the lease for `holder` for `ttl`, unless another holder's lease is live.
pub fn acquire(store: &Store, holder: &str, ttl: Duration) -> Result<Lease> {
    let tx = immediate(&store.conn)?;
    let now = Utc::now();
    let current: Option<(String, String)> = tx
        .query_row("SELECT holder, expires_at FROM sync_lease WHERE id = 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    if let Some((other, until)) = current
        && other != holder
        && until > stamp(now)
    {
        return Ok(Lease::HeldByOther { holder: other, until });
    }
    let until = stamp(now + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::seconds(30)));
    tx.execute(
        "INSERT INTO sync_lease (id, holder, expires_at) VALUES (1, ?1, ?2)
         ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at",
        params![holder, until],
    )?;
    tx.commit()?;
    Ok(Lease::Held)
}

/// Gives the lease up at a clean stop, so the next engine need not wait for the expiry.
pub fn release(store: &Store, holder: &str) -> Result<()> {
    store.conn.execute("DELETE FROM sync_lease WHERE id = 1 AND holder = ?1", [holder])?;
    Ok(())
}

/// Who holds the lease now, if anyone live does: (holder, expiry).
pub fn holder(store: &Store) -> Result<Option<(String, String)>> {
    let now = stamp(Utc::now());
    Ok(store
        .conn
        .query_row("SELECT holder, expires_at FROM sync_lease WHERE id = 1 AND expires_at > ?1", [now], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?)
}
