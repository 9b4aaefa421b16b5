//! "Re-push all listings" of one channel, and its progress bar.
//!
//! Marking is the sync crate's `repush_channel`, the same bulk requeue a rule change makes,
//! so the re-push is bulk: a sale meanwhile still goes first. Progress
//! is the engine's own figure: how many outbox rows of the listings marked at the start are
//! still there. Listing ids only grow, so "marked at the start" is "id up to the largest one
//! then"; nothing per listing is kept here.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use shelfsync_store::Store;

use crate::commands::looking_user;
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
    let user = crate::commands::allowed(state, shelfsync_core::Action::Repush)?;
    let channel = check_channel(&channel)?;
    let store = state.store()?;
    shelfsync_sync::config::require_channel(&store, &channel)?;
    let started_at = shelfsync_capture::now();
    let (total, last_listing) =
        mark_all(&store, shelfsync_store::By::new(&user.name, state.workstation()), &channel)?;
    let job = Job { total, last_listing, started_at, started_by: user.name.clone() };
    let progress = progress_of(&store, &channel, &job)?;
    state.repushes.lock().insert(channel, job);
    Ok(progress)
}

/// Every re-push started in this window, with the rows still waiting. Anyone signed in.
pub fn repush_progress(state: &AppState) -> Result<Vec<RepushProgress>> {
    looking_user(state)?;
    let jobs: Vec<(String, Job)> =
        state.repushes.lock().iter().map(|(c, j)| (c.clone(), j.clone())).collect();
    let store = state.store()?;
    jobs.iter().map(|(channel, job)| progress_of(&store, channel, job)).collect()
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

fn mark_all(store: &Store, by: shelfsync_store::By<'_>, channel: &str) -> Result<(u32, i64)> {
    let mark = shelfsync_sync::config::repush_channel(store, by, channel)?;
    let Some(last_listing) = mark.last_listing else {
        return Err(AppError::BadRequest(format!(
            "Channel '{channel}' has no listings to re-push. Map SKUs to it first."
        )));
    };
    Ok((u32::try_from(mark.listings).unwrap_or(u32::MAX), last_listing))
}

fn progress_of(store: &Store, channel: &str, job: &Job) -> Result<RepushProgress> {
    let remaining = shelfsync_sync::queue::repush_remaining(store, channel, job.last_listing)?;
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
