//! `smtp_settings`: the one SMTP relay alert e-mail goes through (never its password).

use rusqlite::{OptionalExtension, params};

use super::Db;
use crate::Result;

/// The relay as stored; `security` is `none`, `starttls` or `tls`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmtpRow {
    pub host: String,
    pub port: u16,
    pub security: String,
    pub from: String,
    pub username: Option<String>,
}

/// Stores the relay, replacing the previous one, with its `alert.smtp` audit entry (the relay
/// before, if any, and after; there is no password here to leak) in the same transaction.
pub fn set(db: &impl Db, by: crate::By<'_>, relay: &SmtpRow, updated_at: &str) -> Result<()> {
    crate::audit::atomic(db.conn(), |conn| set_in(conn, by, relay, updated_at))
}

fn set_in(conn: &rusqlite::Connection, by: crate::By<'_>, relay: &SmtpRow, updated_at: &str) -> Result<()> {
    let row = |r: &SmtpRow| {
        serde_json::json!({
            "host": r.host, "port": r.port, "security": r.security, "from": r.from, "username": r.username,
        })
    };
    let before = get_in(conn)?.map(|r| row(&r));
    conn.execute(
        "INSERT INTO smtp_settings (id, host, port, security, from_addr, username, updated_at)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (id) DO UPDATE SET host = excluded.host, port = excluded.port, security = excluded.security,
             from_addr = excluded.from_addr, username = excluded.username, updated_at = excluded.updated_at",
        params![relay.host, relay.port, relay.security, relay.from, relay.username, updated_at],
    )?;
    let detail = serde_json::json!({ "before": before, "after": row(relay) });
    crate::audit::record(conn, by, "alert.smtp", &relay.host, &detail)
}

pub fn get(db: &impl Db) -> Result<Option<SmtpRow>> {
    get_in(db.conn())
}

fn get_in(conn: &rusqlite::Connection) -> Result<Option<SmtpRow>> {
    Ok(conn
        .query_row(
            "SELECT host, port, security, from_addr, username FROM smtp_settings WHERE id = 1",
            [],
            |r| {
                Ok(SmtpRow {
                    host: r.get(0)?,
                    port: r.get(1)?,
                    security: r.get(2)?,
                    from: r.get(3)?,
                    username: r.get(4)?,
                })
            },
        )
        .optional()?)
}
