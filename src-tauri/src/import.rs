//! "Import from CSV" on the Settings screen, and its progress bar.
//!
//! The store does the import (all or nothing, every bad line by number); this module checks
//! who may run which import and the file's size, and keeps the progress where
//! `import_progress` reads it without the store: the import holds the store lock for its whole
//! transaction, and the bar must move meanwhile.
//!
//! Who may import: items, locations and packs change the catalogue, so admins only (as adding
//! a location by hand; packs need what items need, as the CLI's `import packs`); stock is received into on_hand, so supervisors and admins, who may
//! already correct stock by approving counts.

use std::sync::{Mutex, MutexGuard};

use shelfsync_core::Action;
use shelfsync_store::{StoreError, User};

use crate::commands::{acting_user, looking_user};
use crate::error::{AppError, Result};
use crate::ipc::{ImportKind, ImportLineError, ImportStatus};
use crate::state::AppState;

/// Largest file one import takes. The file crosses IPC as one JSON string and sits in memory
/// twice (the webview's and ours); 32 MiB is some 400,000 item lines, far past a catalogue this
/// app serves, and small enough that a wrong file (a video, a database) is refused at once.
pub const MAX_IMPORT_BYTES: usize = 32 * 1024 * 1024;

/// The import running, or the last one. One at a time: a second one would only wait for the
/// store lock, with a bar that does not move.
#[derive(Debug, Default)]
pub struct Imports(Mutex<Option<ImportStatus>>);

impl Imports {
    fn lock(&self) -> MutexGuard<'_, Option<ImportStatus>> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn begin(&self, kind: ImportKind, user: &str) -> Result<()> {
        let mut slot = self.lock();
        if let Some(running) = slot.as_ref().filter(|s| !s.finished) {
            return Err(AppError::BadRequest(format!(
                "An import is already running (started by {}). Wait for it to finish.",
                running.started_by
            )));
        }
        *slot = Some(ImportStatus {
            kind,
            done: 0,
            total: 0,
            finished: false,
            imported: None,
            error: None,
            bad_lines: Vec::new(),
            started_by: user.to_string(),
        });
        Ok(())
    }

    fn progress(&self, done: usize, total: usize) {
        if let Some(status) = self.lock().as_mut() {
            status.done = u32::try_from(done).unwrap_or(u32::MAX);
            status.total = u32::try_from(total).unwrap_or(u32::MAX);
        }
    }

    fn finish(&self, outcome: &Result<usize>) -> Option<ImportStatus> {
        let mut slot = self.lock();
        let status = slot.as_mut()?;
        status.finished = true;
        match outcome {
            Ok(rows) => status.imported = Some(u32::try_from(*rows).unwrap_or(u32::MAX)),
            Err(error) => {
                status.error = Some(error.user_message());
                if let AppError::Store(StoreError::Csv(lines)) = error {
                    status.bad_lines = lines
                        .iter()
                        .map(|l| ImportLineError { line: l.line, message: l.message.clone() })
                        .collect();
                }
            }
        }
        Some(status.clone())
    }
}

/// Marks the import finished even if it panics, so the next one is not refused forever.
struct Running<'a> {
    imports: &'a Imports,
    done: bool,
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.imports.finish(&Err(AppError::Unavailable("the import stopped unexpectedly".into())));
        }
    }
}

/// Imports one CSV file of `kind` (items, locations, stock or packs) from its text. Refused with a
/// clear message, writing nothing, for an unknown kind, a role that may not, an empty or
/// oversized file, a missing column or any bad line (the lines are in `import_progress`).
pub fn import_csv(state: &AppState, kind: String, text: String) -> Result<ImportStatus> {
    let user = acting_user(state)?;
    let kind = parse_kind(&kind)?;
    require_role(&user, &kind)?;
    check_text(&text)?;
    state.imports.begin(kind.clone(), &user.name)?;
    let mut running = Running { imports: &state.imports, done: false };
    let outcome = run(state, &kind, &text, &user);
    running.done = true;
    let status = state.imports.finish(&outcome);
    outcome.map(|_| status.expect("begin stored a status"))
}

/// The import running in this window, or the last one; `None` before the first. Anyone
/// signed in; never waits for the store.
pub fn import_progress(state: &AppState) -> Result<Option<ImportStatus>> {
    looking_user(state)?;
    Ok(state.imports.lock().clone())
}

fn parse_kind(raw: &str) -> Result<ImportKind> {
    match raw.trim() {
        "items" => Ok(ImportKind::Items),
        "locations" => Ok(ImportKind::Locations),
        "stock" => Ok(ImportKind::Stock),
        "packs" => Ok(ImportKind::Packs),
        other => Err(AppError::BadRequest(format!(
            "Unknown import '{other}': choose items, locations, stock or packs."
        ))),
    }
}

/// The policy's action for each kind of import.
pub fn action_of(kind: &ImportKind) -> Action {
    match kind {
        ImportKind::Items => Action::ImportItems,
        ImportKind::Locations => Action::ImportLocations,
        ImportKind::Stock => Action::ImportStock,
        // A pack is item master data: who may import items may load packs (the CLI's rule).
        ImportKind::Packs => Action::ImportItems,
    }
}

fn require_role(user: &User, kind: &ImportKind) -> Result<()> {
    Ok(shelfsync_store::require(user, action_of(kind))?)
}

fn check_text(text: &str) -> Result<()> {
    if text.len() > MAX_IMPORT_BYTES {
        return Err(AppError::BadRequest(format!(
            "The file is {:.1} MiB; one import takes at most {} MiB. Split it into smaller files.",
            text.len() as f64 / (1024.0 * 1024.0),
            MAX_IMPORT_BYTES / (1024 * 1024)
        )));
    }
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    if lines.next().is_none() {
        return Err(AppError::BadRequest("The file is empty. Choose a CSV file with a header line.".into()));
    }
    if lines.next().is_none() {
        return Err(AppError::BadRequest("The file has a header but no rows: nothing to import.".into()));
    }
    Ok(())
}

fn run(state: &AppState, kind: &ImportKind, text: &str, user: &User) -> Result<usize> {
    let store_kind = match kind {
        ImportKind::Items => {
            shelfsync_store::ImportKind::Items { actor: &user.name, workstation: state.workstation() }
        }
        ImportKind::Locations => {
            shelfsync_store::ImportKind::Locations { actor: &user.name, workstation: state.workstation() }
        }
        ImportKind::Stock => {
            shelfsync_store::ImportKind::Stock { actor: &user.name, workstation: state.workstation() }
        }
        ImportKind::Packs => {
            shelfsync_store::ImportKind::Packs { actor: &user.name, workstation: state.workstation() }
        }
    };
    let mut store = state.store()?;
    let summary =
        store.import(store_kind, text.as_bytes(), &mut |done, total| state.imports.progress(done, total))?;
    Ok(summary.rows)
}
