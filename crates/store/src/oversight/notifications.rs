//! `amazon_notifications` (each channel's SQS queue and subscription) and
//! `notification_rejects` (messages dropped as unreadable or not ours).

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::Db;
use crate::Result;

/// How one channel's notifications are set up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NotificationSettings {
    pub channel: String,
    pub queue_url: String,
    pub region: String,
    pub destination_id: String,
    pub subscription_id: String,
    pub configured_at: String,
}

/// A message dropped as unreadable or not ours.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rejection {
    pub channel: String,
    pub message_id: String,
    pub reason: String,
    pub received_at: String,
}

/// Stores a channel's settings, replacing earlier ones.
pub fn save(db: &impl Db, s: &NotificationSettings) -> Result<()> {
    db.conn().execute(
        "INSERT INTO amazon_notifications (channel, queue_url, region, destination_id, subscription_id, configured_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (channel) DO UPDATE SET queue_url = excluded.queue_url, region = excluded.region,
             destination_id = excluded.destination_id, subscription_id = excluded.subscription_id,
             configured_at = excluded.configured_at",
        params![s.channel, s.queue_url, s.region, s.destination_id, s.subscription_id, s.configured_at],
    )?;
    Ok(())
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<NotificationSettings> {
    Ok(NotificationSettings {
        channel: r.get(0)?,
        queue_url: r.get(1)?,
        region: r.get(2)?,
        destination_id: r.get(3)?,
        subscription_id: r.get(4)?,
        configured_at: r.get(5)?,
    })
}

/// Every channel's settings, by channel.
pub fn all(db: &impl Db) -> Result<Vec<NotificationSettings>> {
    Ok(db
        .conn()
        .prepare(
            "SELECT channel, queue_url, region, destination_id, subscription_id, configured_at
             FROM amazon_notifications ORDER BY channel",
        )?
        .query_map([], row)?
        .collect::<Result<_, _>>()?)
}

/// One channel's settings, if set up.
pub fn get(db: &impl Db, channel: &str) -> Result<Option<NotificationSettings>> {
    Ok(db
        .conn()
        .query_row(
            "SELECT channel, queue_url, region, destination_id, subscription_id, configured_at
             FROM amazon_notifications WHERE channel = ?1",
            [channel],
            row,
        )
        .optional()?)
}

/// Rejections, newest first, at most `limit`.
pub fn rejections(db: &impl Db, limit: i64) -> Result<Vec<Rejection>> {
    Ok(db
        .conn()
        .prepare("SELECT channel, message_id, reason, received_at FROM notification_rejects ORDER BY id DESC LIMIT ?1")?
        .query_map([limit], |r| {
            Ok(Rejection { channel: r.get(0)?, message_id: r.get(1)?, reason: r.get(2)?, received_at: r.get(3)? })
        })?
        .collect::<Result<_, _>>()?)
}

pub fn record_rejection(
    db: &impl Db,
    channel: &str,
    message_id: &str,
    reason: &str,
    body: &str,
    received_at: &str,
) -> Result<()> {
    db.conn().execute(
        "INSERT INTO notification_rejects (channel, message_id, reason, body, received_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![channel, message_id, reason, body, received_at],
    )?;
    Ok(())
}
