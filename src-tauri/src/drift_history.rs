//! The drift audits' history (issue 20): every stored run, newest first, for the Reports
//! screen. The runs and their rows are kept by the capture crate (92 days, at most 500 runs);
//! this only reads them.

use shelfsync_capture::drift;

use crate::commands::looking_user;
use crate::error::{AppError, Result};
use crate::ipc::DriftRunView;
use crate::state::AppState;

/// Runs one call returns at most: a quarter of daily runs with the weekly ones fits.
pub const MAX_LIMIT: u32 = 200;

/// The newest `limit` runs (default 30). Anyone signed in may look, as at the last audit.
pub fn drift_history(state: &AppState, limit: Option<u32>) -> Result<Vec<DriftRunView>> {
    looking_user(state)?;
    let limit = limit.unwrap_or(30);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(AppError::BadRequest(format!("Show 1 to {MAX_LIMIT} drift audits, not {limit}.")));
    }
    let runs = drift::history(&*state.store()?, limit as usize)?;
    Ok(runs.into_iter().map(DriftRunView::from).collect())
}
