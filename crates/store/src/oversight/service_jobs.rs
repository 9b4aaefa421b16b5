//! `service_jobs`: when each of the live service's scheduled jobs last ran, where, and how it
//! ended.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::Db;
use crate::Result;

/// One job's last run, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JobRecord {
    pub job: String,
    pub last_started_at: String,
    pub last_finished_at: Option<String>,
    pub last_ok: Option<bool>,
    pub last_error: Option<String>,
    pub holder: String,
    pub runs: i64,
}

pub fn last_started(db: &impl Db, job: &str) -> Result<Option<String>> {
    Ok(db
        .conn()
        .query_row("SELECT last_started_at FROM service_jobs WHERE job = ?1", [job], |r| r.get(0))
        .optional()?)
}

/// Records a start: the previous outcome is cleared and the run counted.
pub fn mark_started(db: &impl Db, job: &str, at: &str, holder: &str) -> Result<()> {
    db.conn().execute(
        "INSERT INTO service_jobs (job, last_started_at, last_finished_at, last_ok, last_error, holder, runs)
         VALUES (?1, ?2, NULL, NULL, NULL, ?3, 1)
         ON CONFLICT (job) DO UPDATE SET last_started_at = excluded.last_started_at, last_finished_at = NULL,
             last_ok = NULL, last_error = NULL, holder = excluded.holder, runs = runs + 1",
        params![job, at, holder],
    )?;
    Ok(())
}

/// Records the end: ok when there is no error.
pub fn mark_finished(db: &impl Db, job: &str, at: &str, error: Option<&str>) -> Result<()> {
    db.conn().execute(
        "UPDATE service_jobs SET last_finished_at = ?2, last_ok = ?3, last_error = ?4 WHERE job = ?1",
        params![job, at, error.is_none(), error],
    )?;
    Ok(())
}

pub fn get(db: &impl Db, job: &str) -> Result<Option<JobRecord>> {
    Ok(db
        .conn()
        .query_row(
            "SELECT job, last_started_at, last_finished_at, last_ok, last_error, holder, runs
             FROM service_jobs WHERE job = ?1",
            [job],
            |r| {
                Ok(JobRecord {
                    job: r.get(0)?,
                    last_started_at: r.get(1)?,
                    last_finished_at: r.get(2)?,
                    last_ok: r.get(3)?,
                    last_error: r.get(4)?,
                    holder: r.get(5)?,
                    runs: r.get(6)?,
                })
            },
        )
        .optional()?)
}
