//! The scheduled jobs: the loop that runs the due ones while this process leads, and their records.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Utc};
use shelfsync_store::Store;
use shelfsync_store::oversight::{Db, service_jobs};
use shelfsync_sync::credentials::Secrets;
use shelfsync_sync::queue::stamp;
use tokio::sync::watch;

use super::{Job, ServiceConfig, StatusCell, is_due, wait_for_stop};
use crate::{CaptureError, Result, alerts, drift, fba, poll, reconcile};

/// Runs due jobs while this process leads, one at a time, until stopped.
pub(super) async fn run_jobs(
    db_path: &Path,
    config: &ServiceConfig,
    leading: &AtomicBool,
    mut stop: watch::Receiver<bool>,
    status: &StatusCell,
) {
    let secrets = config.secrets(db_path);
    let holder = config.holder();
    let mut store: Option<Store> = None;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(config.tick) => {}
            _ = wait_for_stop(&mut stop) => return,
        }
        if !leading.load(Ordering::SeqCst) {
            continue;
        }
        // The loop's own connection, kept across ticks (a check every second) and reopened after
        // an error; a job that cannot be read is simply not due this tick.
        if store.is_none() {
            store = Store::open(db_path).ok();
        }
        let Some(open) = store.as_ref() else { continue };
        let due = due_jobs(open, &config.schedule, Utc::now()).unwrap_or_default();
        for job in due {
            if !leading.load(Ordering::SeqCst) || *stop.borrow() {
                break;
            }
            let started = Utc::now();
            let Some(open) = store.as_ref() else { break };
            if mark_started(open, job, started, &holder).is_err() {
                store = None;
                break;
            }
            status.update(|s| s.running_job = Some(job.as_str().to_string()));
            let outcome = tokio::select! {
                outcome = run_job(db_path, &secrets, config, job, started) => outcome,
                // A stop cuts a long job short: each of its writes is its own transaction, so
                // nothing is left half-done, and the job is due again at the next start.
                _ = wait_for_stop(&mut stop) => Err(CaptureError::Invalid("stopped before it finished".into())),
            };
            status.update(|s| s.running_job = None);
            if let Err(error) = &outcome {
                // The alert rules and the health check report failures to people; the log
                // keeps the detail.
                tracing::warn!(job = job.as_str(), %error, "scheduled job failed");
            }
            let error = outcome.as_ref().err().map(ToString::to_string);
            if store.as_ref().is_none_or(|store| mark_finished(store, job, Utc::now(), error).is_err()) {
                store = None;
            }
        }
    }
}

/// The jobs due at `at` by `schedule`, in [`Job::ALL`] order: never run, or their period has
/// passed since their last start. The loop asks with the time now; tests with their own clock.
pub fn due_jobs(db: &impl Db, schedule: &super::Schedule, at: DateTime<Utc>) -> Result<Vec<Job>> {
    let mut due = Vec::new();
    for job in Job::ALL {
        if is_due(last_started(db, job)?, job.period(schedule), at) {
            due.push(job);
        }
    }
    Ok(due)
}

/// Runs one job as the loop does, started at `at` (the loop passes now; tests their own clock):
/// its start and finish (`at` plus the time it took) recorded in `service_jobs`, with its error.
pub async fn run_job_at(
    db_path: &Path,
    secrets: &Secrets,
    config: &ServiceConfig,
    job: Job,
    at: DateTime<Utc>,
) -> Result<()> {
    let store = Store::open(db_path)?;
    mark_started(&store, job, at, &config.holder())?;
    let clock = std::time::Instant::now();
    let outcome = run_job(db_path, secrets, config, job, at).await;
    let finished = at + chrono::Duration::from_std(clock.elapsed()).unwrap_or_default();
    mark_finished(&store, job, finished, outcome.as_ref().err().map(ToString::to_string))?;
    outcome
}

async fn run_job(
    db_path: &Path,
    secrets: &Secrets,
    config: &ServiceConfig,
    job: Job,
    started: DateTime<Utc>,
) -> Result<()> {
    let actor = config.identity();
    match job {
        Job::OrdersPoll => {
            let reports = poll::poll_due(db_path, secrets, &config.schedule.polls(), Utc::now()).await?;
            let errors: Vec<String> = reports.iter().flat_map(|r| r.errors.iter().cloned()).collect();
            if !errors.is_empty() {
                return Err(CaptureError::Invalid(errors.join("; ")));
            }
        }
        Job::Reconcile => {
            reconcile::reconcile(db_path, secrets, None, false).await?;
        }
        Job::DriftTop | Job::DriftFull => {
            let clock = std::time::Instant::now();
            let (report, scope) = if job == Job::DriftTop {
                (
                    drift::report_at(db_path, secrets, drift::DEFAULT_TOP, started).await?,
                    drift::DriftScope::Top,
                )
            } else {
                (drift::report_full_at(db_path, secrets, started).await?, drift::DriftScope::Full)
            };
            let store = Store::open(db_path)?;
            // Finished: its start plus the time it took, so a run stamped by a test's clock
            // stays in that clock's time.
            let finished = started + chrono::Duration::from_std(clock.elapsed()).unwrap_or_default();
            drift::record(&store, scope, &report, started, finished, &actor)?;
        }
        Job::Fba => {
            fba::refresh(db_path, secrets, Utc::now()).await?;
        }
        Job::FlashRelease => {
            Store::open(db_path)?.release_ended_flash_sales(Utc::now())?;
        }
        Job::ExpireLots => {
            // As at the job's start: its date decides what has expired.
            crate::expiry::run(&mut Store::open(db_path)?, started, &actor, &config.workstation)?;
        }
        Job::Alerts => {
            let store = Store::open(db_path)?;
            // As at the job's start: business hours and peak days are read for that instant.
            alerts::evaluate(&store, started)?;
            let http = poll::http_client()?;
            alerts::deliver(&store, &http, started).await?;
        }
    }
    Ok(())
}

fn last_started(db: &impl Db, job: Job) -> Result<Option<DateTime<Utc>>> {
    let text = service_jobs::last_started(db, job.as_str())?;
    Ok(text.and_then(|t| DateTime::parse_from_rfc3339(&t).ok()).map(|t| t.with_timezone(&Utc)))
}

fn mark_started(db: &impl Db, job: Job, at: DateTime<Utc>, holder: &str) -> Result<()> {
    service_jobs::mark_started(db, job.as_str(), &stamp(at), holder)?;
    Ok(())
}

/// Longest failure text kept per job: enough for a channel's error message, bounded so a
/// chatty error page cannot grow the row.
const ERROR_TEXT_MAX: usize = 2_000;

fn mark_finished(db: &impl Db, job: Job, at: DateTime<Utc>, error: Option<String>) -> Result<()> {
    let error = error.map(|e| e.chars().take(ERROR_TEXT_MAX).collect::<String>());
    service_jobs::mark_finished(db, job.as_str(), &stamp(at), error.as_deref())?;
    Ok(())
}

pub use shelfsync_store::oversight::service_jobs::JobRecord;

/// Every job that has run on this database, in [`Job::ALL`] order.
pub fn jobs(db: &impl Db) -> Result<Vec<JobRecord>> {
    let mut out = Vec::new();
    for job in Job::ALL {
        out.extend(service_jobs::get(db, job.as_str())?);
    }
    Ok(out)
}
