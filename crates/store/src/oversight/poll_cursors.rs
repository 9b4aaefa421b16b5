//! `poll_cursors` (where each channel's order poll resumes) and `poll_schedule` (when each
//! channel was last polled).

use rusqlite::{OptionalExtension, params};

use super::Db;
use crate::Result;

/// When the channel's poll last started.
pub fn last_polled(db: &impl Db, channel: &str) -> Result<Option<String>> {
    Ok(db
        .conn()
        .query_row("SELECT last_polled_at FROM poll_schedule WHERE channel = ?1", [channel], |r| r.get(0))
        .optional()?)
}

pub fn set_last_polled(db: &impl Db, channel: &str, at: &str) -> Result<()> {
    db.conn().execute(
        "INSERT INTO poll_schedule (channel, last_polled_at) VALUES (?1, ?2)
         ON CONFLICT (channel) DO UPDATE SET last_polled_at = excluded.last_polled_at",
        params![channel, at],
    )?;
    Ok(())
}

/// The channel's stored cursor.
pub fn cursor(db: &impl Db, channel: &str) -> Result<Option<String>> {
    Ok(db
        .conn()
        .query_row("SELECT cursor FROM poll_cursors WHERE channel = ?1", [channel], |r| r.get(0))
        .optional()?)
}

/// When the channel's cursor was last stored (its last poll that finished).
pub fn polled_at(db: &impl Db, channel: &str) -> Result<Option<String>> {
    Ok(db
        .conn()
        .query_row("SELECT polled_at FROM poll_cursors WHERE channel = ?1", [channel], |r| r.get(0))
        .optional()?)
}

pub fn set_cursor(db: &impl Db, channel: &str, cursor: &str, polled_at: &str) -> Result<()> {
    db.conn().execute(
        "INSERT INTO poll_cursors (channel, cursor, polled_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (channel) DO UPDATE SET cursor = excluded.cursor, polled_at = excluded.polled_at",
        params![channel, cursor, polled_at],
    )?;
    Ok(())
}
