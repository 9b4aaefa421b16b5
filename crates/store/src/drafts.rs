//! The scan station's drafts (issue 19): each user's uncommitted lines at a workstation, written
//! on every scan before its feedback shows, so a crash, a reload or a sign-out loses nothing.
//!
//! The store keeps a draft as the station's own document (JSON the app has validated) and does
//! not interpret it; what it owns is where the draft lives, its limits, and whether a draft line
//! has already been recorded under its id (so a retried commit records nothing twice).

use chrono::{SecondsFormat, Utc};
use rusqlite::{OptionalExtension, params};

use crate::{Result, Store, StoreError};

/// As many lines as one commit takes (the station refuses a 501st scan).
pub const MAX_DRAFT_LINES: u32 = 500;
/// The draft document's size bound (the table's CHECK says the same): 500 lines of at most
/// ~300 bytes each, with room to spare.
pub const MAX_DRAFT_BYTES: usize = 256 * 1024;

/// One stored draft.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StationDraftRow {
    pub draft: String,
    pub line_count: u32,
    pub updated_at: String,
}

/// Whether a draft line (by the event id it will be committed under) is already recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineRecord {
    /// Not recorded: commit it.
    New,
    /// In the ledger already.
    Posted,
    /// Waiting for a supervisor already (a write-off above the value threshold).
    AwaitingApproval,
}

impl Store {
    /// Replaces the draft of `user` at `workstation`; an empty draft (no lines) is removed, so
    /// signing in again starts clean.
    pub fn save_station_draft(
        &mut self,
        user: &str,
        workstation: &str,
        draft: &str,
        line_count: u32,
    ) -> Result<()> {
        if line_count > MAX_DRAFT_LINES {
            return Err(StoreError::DraftTooLarge(format!("{line_count} lines, at most {MAX_DRAFT_LINES}")));
        }
        if draft.len() > MAX_DRAFT_BYTES {
            return Err(StoreError::DraftTooLarge(format!(
                "{} bytes, at most {MAX_DRAFT_BYTES}",
                draft.len()
            )));
        }
        if line_count == 0 {
            self.discard_station_draft(user, workstation)?;
            return Ok(());
        }
        let at = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
        self.conn
            .prepare_cached(
                "INSERT INTO station_drafts (user_name, workstation, draft, line_count, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (user_name, workstation)
                 DO UPDATE SET draft = excluded.draft, line_count = excluded.line_count, updated_at = excluded.updated_at",
            )?
            .execute(params![user, workstation, draft, line_count, at])?;
        Ok(())
    }

    pub fn station_draft(&self, user: &str, workstation: &str) -> Result<Option<StationDraftRow>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT draft, line_count, updated_at FROM station_drafts WHERE user_name = ?1 AND workstation = ?2",
            )?
            .query_row(params![user, workstation], |r| {
                Ok(StationDraftRow { draft: r.get(0)?, line_count: r.get(1)?, updated_at: r.get(2)? })
            })
            .optional()?)
    }

    /// Removes the draft; true when there was one.
    pub fn discard_station_draft(&mut self, user: &str, workstation: &str) -> Result<bool> {
        let removed = self
            .conn
            .prepare_cached("DELETE FROM station_drafts WHERE user_name = ?1 AND workstation = ?2")?
            .execute(params![user, workstation])?;
        Ok(removed > 0)
    }

    /// Where the movement with this event id already is, if anywhere.
    pub fn line_record(&self, event_id: &str) -> Result<LineRecord> {
        let posted = self
            .conn
            .prepare_cached("SELECT 1 FROM events WHERE id = ?1")?
            .query_row([event_id], |_| Ok(()))
            .optional()?;
        if posted.is_some() {
            return Ok(LineRecord::Posted);
        }
        let waiting = self
            .conn
            .prepare_cached("SELECT 1 FROM pending_movements WHERE id = ?1")?
            .query_row([event_id], |_| Ok(()))
            .optional()?;
        Ok(if waiting.is_some() { LineRecord::AwaitingApproval } else { LineRecord::New })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("drafts.db")).unwrap();
        (dir, store)
    }

    #[test]
    fn a_draft_is_per_user_and_workstation_and_survives_reopening() {
        let (dir, mut store) = store();
        store.save_station_draft("ana", "ws1", r#"{"lines":[1]}"#, 1).unwrap();
        store.save_station_draft("ben", "ws1", r#"{"lines":[1,2]}"#, 2).unwrap();
        store.save_station_draft("ana", "ws2", r#"{"lines":[1,2,3]}"#, 3).unwrap();
        store.save_station_draft("ana", "ws1", r#"{"lines":[1,4]}"#, 2).unwrap();
        drop(store);

        let mut store = Store::open(dir.path().join("drafts.db")).unwrap();
        let cases =
            [("ana", "ws1", Some(2)), ("ben", "ws1", Some(2)), ("ana", "ws2", Some(3)), ("ben", "ws2", None)];
        for (user, ws, lines) in cases {
            let found = store.station_draft(user, ws).unwrap().map(|d| d.line_count);
            assert_eq!(found, lines, "{user}@{ws}");
        }
        assert_eq!(store.station_draft("ana", "ws1").unwrap().unwrap().draft, r#"{"lines":[1,4]}"#);

        // No lines left: the draft goes, and so does a discarded one.
        store.save_station_draft("ana", "ws1", r#"{"lines":[]}"#, 0).unwrap();
        assert_eq!(store.station_draft("ana", "ws1").unwrap(), None);
        assert!(store.discard_station_draft("ben", "ws1").unwrap());
        assert!(!store.discard_station_draft("ben", "ws1").unwrap());
        assert_eq!(store.station_draft("ana", "ws2").unwrap().map(|d| d.line_count), Some(3));
    }

    #[test]
    fn an_oversized_draft_is_refused_and_the_stored_one_kept() {
        let (_dir, mut store) = store();
        store.save_station_draft("ana", "ws1", "{}", 1).unwrap();
        let too_big = "x".repeat(MAX_DRAFT_BYTES + 1);
        let cases: [(&str, &str, u32, &str); 2] = [
            ("too many lines", "{}", MAX_DRAFT_LINES + 1, "501 lines, at most 500"),
            ("too many bytes", &too_big, 2, "bytes"),
        ];
        for (case, draft, lines, says) in cases {
            let error = store.save_station_draft("ana", "ws1", draft, lines).unwrap_err().to_string();
            assert!(error.contains(says), "{case}: {error}");
            assert_eq!(store.station_draft("ana", "ws1").unwrap().map(|d| d.line_count), Some(1), "{case}");
        }
    }
}
