//! "Re-push all listings" of one channel, and its progress bar.
//!
//! Marking goes through the sync crate's `requeue_bulk`, the same call a rule change or a
//! mappings import makes, so the re-push is bulk: a sale meanwhile still goes first. Progress
//! is the engine's own figure: how many outbox rows of the listings marked at the start are
//! still there. Listing ids only grow, so "marked at the start" is "id up to the largest one
//! then"; nothing per listing is kept here.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use rusqlite::Connection;
use shelfsync_store::require_supervisor;

use crate::commands::{acting_user, sync_error};
use crate::error::{AppError, Result};
use crate::ipc::RepushProgress;
use crate::state::AppState;

/// Channel names are at most this long (the sync crate's own rule), so a longer one is refused
/// before the database is asked.
const MAX_CHANNEL_LEN: usize = 64;

#[derive(Clone, Debug)]
struct Job {
    total: u32,
    /// The largest listing id of the channel when the re-push started.
    last_listing: i64,
    started_at: String,
    started_by: String,
}

/// The last re-push started per channel. Bounded by the number of channels: a new re-push of
/// a channel replaces its previous one.
#[derive(Debug, Default)]
pub struct Repushes(Mutex<BTreeMap<String, Job>>);

impl Repushes {
    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, Job>> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Marks every listing of `channel` for push (bulk), forgetting what the channel was last
/// acknowledged to hold so each one is sent even if we believe it unchanged. Supervisors only.
pub fn repush_channel(state: &AppState, channel: String) -> Result<RepushProgress> {
    let user = acting_user(state)?;
    require_supervisor(&user, "re-push a channel")?;
    let channel = check_channel(&channel)?;
    let store = state.store()?;
    let conn = store.connection();
    shelfsync_sync::config::require_channel(conn, &channel).map_err(sync_error)?;
    let started_at = shelfsync_capture::now();
    let (total, last_listing) = mark_all(conn, &channel, &started_at)?;
    let job = Job { total, last_listing, started_at, started_by: user.name.clone() };
    let progress = progress_of(conn, &channel, &job)?;
    state.repushes.lock().insert(channel, job);
    Ok(progress)
}

/// Every re-push started in this window, with the rows still waiting. Anyone signed in.
pub fn repush_progress(state: &AppState) -> Result<Vec<RepushProgress>> {
    acting_user(state)?;
    let jobs: Vec<(String, Job)> =
        state.repushes.lock().iter().map(|(c, j)| (c.clone(), j.clone())).collect();
    let store = state.store()?;
    jobs.iter().map(|(channel, job)| progress_of(store.connection(), channel, job)).collect()
}

fn check_channel(raw: &str) -> Result<String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(AppError::BadRequest("Choose a channel to re-push.".into()));
    }
    if name.len() > MAX_CHANNEL_LEN {
        return Err(AppError::BadRequest(format!("A channel name is at most {MAX_CHANNEL_LEN} characters.")));
    }
    Ok(name.to_string())
}

fn mark_all(conn: &Connection, channel: &str, since: &str) -> Result<(u32, i64)> {
    let tx = rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)
        .map_err(store_error)?;
    let ids: Vec<i64> = tx
        .prepare("SELECT id FROM listings WHERE channel = ?1 ORDER BY id")
        .and_then(|mut s| s.query_map([channel], |r| r.get(0))?.collect())
        .map_err(store_error)?;
    if ids.is_empty() {
        return Err(AppError::BadRequest(format!(
            "Channel '{channel}' has no listings to re-push. Map SKUs to it first."
        )));
    }
    // A full re-push overwrites whatever the channel holds: push without compare.
    tx.execute(
        "UPDATE listings SET acked_qty = NULL
         WHERE channel = ?1 AND NOT EXISTS (SELECT 1 FROM outbox WHERE outbox.listing_id = listings.id)",
        [channel],
    )
    .map_err(store_error)?;
    for id in &ids {
        shelfsync_sync::queue::requeue_bulk(&tx, *id, since).map_err(sync_error)?;
    }
    tx.commit().map_err(store_error)?;
    let total = u32::try_from(ids.len()).unwrap_or(u32::MAX);
    Ok((total, *ids.last().expect("not empty")))
}

fn progress_of(conn: &Connection, channel: &str, job: &Job) -> Result<RepushProgress> {
    let remaining: i64 = conn
        .query_row(
            "SELECT count(*) FROM outbox WHERE channel = ?1 AND listing_id <= ?2",
            rusqlite::params![channel, job.last_listing],
            |r| r.get(0),
        )
        .map_err(store_error)?;
    Ok(RepushProgress {
        channel: channel.to_string(),
        total: job.total,
        // A marked listing a sale made dirty again after its push is waiting again; the bar
        // never reads more than it started with.
        remaining: u32::try_from(remaining).unwrap_or(u32::MAX).min(job.total),
        started_at: job.started_at.clone(),
        started_by: job.started_by.clone(),
    })
}

fn store_error(error: rusqlite::Error) -> AppError {
    AppError::Store(error.into())
}
