//! The live service: everything a workstation needs to keep the channels true, in one process.
//! `shelfsync serve` runs it alone (a back-office PC, the systemd unit); the desktop app runs
//! the same thing in-process on every database, so a scan reaches the channels with no other
//! program running.
//!
//! What runs where:
//! - The webhook receiver runs wherever it is configured, lease or not: a delivery is stored in
//!   the inbox and booked through the ledger's idempotent append, so two receivers cannot book
//!   an order twice.
//! - Everything that calls a channel on a schedule (the sync engine, order polls,
//!   reconciliation, drift audits, FBA reads) and the alert rules (whose deliveries would go out
//!   twice) run only while this process holds the database's sync lease. Two workstations then
//!   never reconcile the same edit twice or spend the API quota twice.
//! - The lease is renewed every third of its lifetime; a holder that stops renewing (killed,
//!   disk gone) is replaced within one lifetime. A clean stop hands it over at once.
//!
//! The service acts under its own identity, `service:<workstation>`: it needs no PIN and carries
//! only channel data (orders, reads) and the rules an admin set.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use shelfsync_store::Store;
use shelfsync_sync::EngineConfig;
use shelfsync_sync::credentials::{Backend, Secrets};
use tokio::sync::watch;

use crate::{CaptureError, Result, notifications, poll, reconcile, webhook};

mod jobs;
mod leader;

use jobs::run_jobs;
pub use jobs::{JobRecord, due_jobs, jobs, run_job_at};
use leader::lead;

/// The jobs the service runs on a schedule while it holds the lease.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Job {
    /// Orders since each channel's cursor, per kind at its own pace (`poll::PollSchedule`):
    /// the safety net under webhooks and notifications. The job looks as often as the fastest
    /// kind's period; `poll::poll_due` polls only the channels that are due.
    OrdersPoll,
    /// Every channel read back and compared (the guide: every 4 hours).
    Reconcile,
    /// The top 50 SKUs by velocity against every channel (daily).
    DriftTop,
    /// The whole catalogue against every channel (weekly).
    DriftFull,
    /// Amazon FBA inventory summaries (every 2-4 hours).
    Fba,
    /// The alert rules and their delivery to the contacts on duty.
    Alerts,
    /// Flash-sale shares lifted once an item's sale is over (`Store::release_ended_flash_sales`):
    /// without it a listing keeps its share until the item's next event.
    FlashRelease,
    /// Lots past their expiry go to damaged, reason `expired` (issue 21): idempotent per date,
    /// so an hourly look books each lot once, within an hour of its date passing.
    ExpireLots,
}

impl Job {
    /// In the order a due round runs them: alerts first (cheap, and what people watch), then
    /// the order poll (sales before everything that reads quantities).
    pub const ALL: [Job; 8] = [
        Job::Alerts,
        Job::OrdersPoll,
        Job::FlashRelease,
        Job::Reconcile,
        Job::Fba,
        Job::DriftTop,
        Job::DriftFull,
        Job::ExpireLots,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Job::OrdersPoll => "orders_poll",
            Job::Reconcile => "reconcile",
            Job::DriftTop => "drift_top",
            Job::DriftFull => "drift_full",
            Job::Fba => "fba",
            Job::Alerts => "alerts",
            Job::FlashRelease => "flash_release",
            Job::ExpireLots => "expire_lots",
        }
    }

    pub fn period(self, schedule: &Schedule) -> Duration {
        match self {
            Job::OrdersPoll => schedule.polls().shortest(),
            Job::Reconcile => schedule.reconcile_every,
            Job::DriftTop => schedule.drift_top_every,
            Job::DriftFull => schedule.drift_full_every,
            Job::Fba => schedule.fba_every,
            Job::Alerts => schedule.alerts_every,
            Job::FlashRelease => schedule.flash_release_every,
            Job::ExpireLots => schedule.expire_lots_every,
        }
    }
}

/// How often each job runs. The defaults are the guide's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Schedule {
    /// Shopify's order poll (behind its webhooks).
    pub poll_every: Duration,
    /// Amazon's and eBay's order polls (issue 16: as often as their limits allow).
    pub amazon_poll_every: Duration,
    pub ebay_poll_every: Duration,
    pub reconcile_every: Duration,
    pub drift_top_every: Duration,
    pub drift_full_every: Duration,
    pub fba_every: Duration,
    pub alerts_every: Duration,
    /// A minute: a share outlives its sale by at most this (the window is ten minutes).
    pub flash_release_every: Duration,
    /// An hour: the expiry job books a lot within an hour of its date passing (UTC).
    pub expire_lots_every: Duration,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule {
            poll_every: poll::POLL_EVERY,
            amazon_poll_every: poll::AMAZON_POLL_EVERY,
            ebay_poll_every: poll::EBAY_POLL_EVERY,
            reconcile_every: reconcile::RECONCILE_EVERY,
            drift_top_every: Duration::from_secs(24 * 3600),
            drift_full_every: Duration::from_secs(7 * 24 * 3600),
            fba_every: Duration::from_secs(3 * 3600),
            alerts_every: Duration::from_secs(60),
            flash_release_every: Duration::from_secs(60),
            expire_lots_every: Duration::from_secs(3600),
        }
    }
}

impl Schedule {
    /// The per-kind order-poll periods.
    pub fn polls(&self) -> poll::PollSchedule {
        poll::PollSchedule {
            shopify: self.poll_every,
            amazon: self.amazon_poll_every,
            ebay: self.ebay_poll_every,
        }
    }
}

/// Whether a job whose last run started at `last_started` is due at `now`. A job that never ran
/// is due; a clock that went backwards (a last start in the future) makes it due too, rather
/// than silent until the clock catches up.
pub fn is_due(last_started: Option<DateTime<Utc>>, period: Duration, now: DateTime<Utc>) -> bool {
    let Some(last) = last_started else { return true };
    if last > now {
        return true;
    }
    let elapsed = (now - last).to_std().unwrap_or(Duration::ZERO);
    elapsed >= period
}

#[derive(Clone, Debug)]
pub struct ServiceConfig {
    /// This workstation's name: the service acts as `service:<workstation>`.
    pub workstation: String,
    /// Where the Shopify webhook receiver listens, if this workstation receives webhooks.
    pub webhook: Option<SocketAddr>,
    pub schedule: Schedule,
    /// The engine's settings; its lease holder is replaced by the service's own.
    pub engine: EngineConfig,
    /// How long the lease lasts without renewal (renewed every third of it).
    pub lease_ttl: Duration,
    /// How often the channel set is compared with what the running engine was started with
    /// (a channel added or its credentials changed restarts the engine's workers).
    pub reload_every: Duration,
    /// How often the job loop looks for due jobs.
    pub tick: Duration,
    /// Where channel secrets are read from; `None`: the keychain when one answers, else the
    /// database's 0600 file (`Secrets::for_database`).
    pub secrets_backend: Option<Backend>,
}

impl ServiceConfig {
    pub fn new(workstation: &str) -> ServiceConfig {
        ServiceConfig {
            workstation: workstation.to_string(),
            webhook: None,
            schedule: Schedule::default(),
            engine: EngineConfig::default(),
            lease_ttl: Duration::from_secs(30),
            reload_every: Duration::from_secs(2),
            tick: Duration::from_secs(1),
            secrets_backend: None,
        }
    }

    /// Where this service reads channel secrets for the database at `db_path`.
    pub fn secrets(&self, db_path: &Path) -> Secrets {
        match self.secrets_backend {
            Some(backend) => Secrets::with_backend(db_path, backend),
            None => Secrets::for_database(db_path),
        }
    }

    /// What the service records as its actor: `service:<workstation>`.
    pub fn identity(&self) -> String {
        format!("service:{}", self.workstation)
    }

    /// The lease holder: the identity and the process, so the app and a `shelfsync serve` on
    /// the same workstation are two holders, not one that both believe they are.
    pub fn holder(&self) -> String {
        format!("{} (pid {})", self.identity(), std::process::id())
    }
}

/// What the service is doing now, for the Sync screen and `--json` output.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ServiceStatus {
    pub holder: String,
    /// This process holds the lease (so its engine and jobs run).
    pub leading: bool,
    /// The engine's workers are running.
    pub engine_running: bool,
    /// Channels the running engine serves.
    pub channels: usize,
    /// `http://ADDR` of the webhook receiver, when one runs here.
    pub webhook_url: Option<String>,
    /// The job running now, if any.
    pub running_job: Option<String>,
}

/// The shared view of the service's state (cheap to clone).
#[derive(Clone, Default)]
pub struct StatusCell(Arc<Mutex<ServiceStatus>>);

impl StatusCell {
    pub fn get(&self) -> ServiceStatus {
        self.0.lock().map(|s| s.clone()).unwrap_or_default()
    }

    fn update(&self, change: impl FnOnce(&mut ServiceStatus)) {
        if let Ok(mut status) = self.0.lock() {
            change(&mut status);
        }
    }
}

/// Runs the service until `stop` turns true; `ready` gets the status once the receiver (if any)
/// is bound, before anything else starts. On return the engine has finished its round and the
/// lease is released.
pub async fn run(
    db_path: &Path,
    config: ServiceConfig,
    mut stop: watch::Receiver<bool>,
    status: StatusCell,
    ready: impl FnOnce(&ServiceStatus),
) -> Result<()> {
    // Opening the store here applies any pending migration before anything else runs.
    drop(Store::open(db_path)?);
    let holder = config.holder();
    status.update(|s| s.holder = holder.clone());
    let receiver = match config.webhook {
        Some(addr) => {
            let receiver = webhook::serve(db_path, &config.secrets(db_path), addr)
                .await
                .map_err(|e| CaptureError::Invalid(format!("cannot receive webhooks on {addr}: {e}")))?;
            let url = format!("http://{}", receiver.addr);
            status.update(|s| s.webhook_url = Some(url));
            Some(receiver)
        }
        None => None,
    };
    // Running: the receiver (if any) is bound and nothing has taken the lease yet.
    ready(&status.get());
    let leading = Arc::new(AtomicBool::new(false));
    let lease_task = tokio::spawn(lead(
        db_path.to_path_buf(),
        config.clone(),
        leading.clone(),
        stop.clone(),
        status.clone(),
    ));
    // The jobs run on this task: they hold a SQLite connection across awaits, which is Send but
    // not Sync, so their futures cannot be spawned.
    let jobs = run_jobs(db_path, &config, &leading, stop.clone(), &status);
    // Issue 16: Amazon ORDER_CHANGE notifications, long-polled from each configured SQS queue
    // beside the jobs, under the same lease rule (it listens only while `leading`).
    let listener_secrets = config.secrets(db_path);
    let listener = notifications::run(db_path, &listener_secrets, None, &leading, stop.clone(), |_| {});
    tokio::select! {
        _ = async { tokio::join!(jobs, listener) } => {}
        _ = wait_for_stop(&mut stop) => {}
    }
    let led = lease_task.await.map_err(|e| CaptureError::Invalid(format!("the lease task failed: {e}")))?;
    if let Some(receiver) = receiver {
        receiver.stop().await;
    }
    led
}

async fn wait_for_stop(stop: &mut watch::Receiver<bool>) {
    while !*stop.borrow() {
        if stop.changed().await.is_err() {
            // The sender is gone: nobody can ask for a stop any more, so run on.
            std::future::pending::<()>().await;
        }
    }
}

/// The service on a thread and runtime of its own, for the desktop app: [`ServiceHandle::stop`]
/// ends it cleanly (the engine's round, then the lease).
pub struct ServiceHandle {
    stop: watch::Sender<bool>,
    thread: Option<std::thread::JoinHandle<Result<()>>>,
    status: StatusCell,
}

impl ServiceHandle {
    pub fn status(&self) -> ServiceStatus {
        self.status.get()
    }

    /// Stops the service and waits up to `timeout` for it to hand the lease over. Returns the
    /// service's own error, if it ended with one.
    pub fn stop(mut self, timeout: Duration) -> Result<()> {
        let _ = self.stop.send(true);
        let Some(thread) = self.thread.take() else { return Ok(()) };
        let deadline = std::time::Instant::now() + timeout;
        while !thread.is_finished() && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        if !thread.is_finished() {
            return Err(CaptureError::Invalid(format!(
                "the service did not stop within {} s; its lease expires by itself",
                timeout.as_secs()
            )));
        }
        thread.join().map_err(|_| CaptureError::Invalid("the service thread panicked".into()))?
    }
}

/// Starts the service on its own thread. Binding the webhook receiver happens before this
/// returns, so a port in use is reported here rather than lost on the thread.
pub fn spawn(db_path: &Path, config: ServiceConfig) -> Result<ServiceHandle> {
    let (stop, stopped) = watch::channel(false);
    let status = StatusCell::default();
    // The first message wins: `ready` once the service runs, or the error it stopped with first.
    let (started_tx, started_rx) = std::sync::mpsc::channel::<Result<()>>();
    let path = db_path.to_path_buf();
    let thread_status = status.clone();
    let thread = std::thread::Builder::new().name("shelfsync-service".into()).spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
        let ready_tx = started_tx.clone();
        let outcome = runtime.block_on(run(&path, config, stopped, thread_status, move |_| {
            let _ = ready_tx.send(Ok(()));
        }));
        if let Err(error) = &outcome {
            let _ = started_tx.send(Err(CaptureError::Invalid(error.to_string())));
        }
        outcome
    })?;
    match started_rx.recv_timeout(Duration::from_secs(10)) {
        Ok(Ok(())) => Ok(ServiceHandle { stop, thread: Some(thread), status }),
        Ok(Err(error)) => Err(error),
        Err(_) => Err(CaptureError::Invalid("the service did not start within 10 s".into())),
    }
}

/// Runs the service on this thread until SIGTERM or SIGINT (Ctrl-C; on Windows, Ctrl-C or the
/// console closing), then stops cleanly. `ready` is called once it runs, with its status.
pub fn run_until_signal(
    db_path: &Path,
    config: ServiceConfig,
    ready: impl FnOnce(&ServiceStatus),
) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    runtime.block_on(async {
        let (stop, stopped) = watch::channel(false);
        tokio::spawn(async move {
            shutdown_signal().await;
            let _ = stop.send(true);
        });
        run(db_path, config, stopped, StatusCell::default(), ready).await
    })
}

#[cfg(unix)]
async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (signal(SignalKind::terminate()), signal(SignalKind::interrupt()))
    else {
        // Without signal handlers the service could not stop cleanly; Ctrl-C is the fallback.
        let _ = tokio::signal::ctrl_c().await;
        return;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
}

#[cfg(windows)]
async fn shutdown_signal() {
    use tokio::signal::windows::{ctrl_break, ctrl_c, ctrl_close, ctrl_shutdown};
    let (Ok(mut c), Ok(mut brk), Ok(mut close), Ok(mut shutdown)) =
        (ctrl_c(), ctrl_break(), ctrl_close(), ctrl_shutdown())
    else {
        let _ = tokio::signal::ctrl_c().await;
        return;
    };
    tokio::select! {
        _ = c.recv() => {}
        _ = brk.recv() => {}
        _ = close.recv() => {}
        _ = shutdown.recv() => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_job_is_due_when_its_period_has_passed_since_it_last_started() {
        let hour = Duration::from_secs(3600);
        // (last started, period, now, due)
        let cases = [
            (None, hour, "2026-12-03T12:00:00Z", true),
            (Some("2026-12-03T11:00:00Z"), hour, "2026-12-03T12:00:00Z", true),
            (Some("2026-12-03T11:00:01Z"), hour, "2026-12-03T12:00:00Z", false),
            (Some("2026-12-03T12:00:00Z"), hour, "2026-12-03T12:00:00Z", false),
            // A clock set back: due now, not silent for the hours until it catches up.
            (Some("2026-12-04T12:00:00Z"), hour, "2026-12-03T12:00:00Z", true),
            (Some("2026-11-26T12:00:00Z"), Duration::from_secs(7 * 86_400), "2026-12-03T11:59:59Z", false),
            (Some("2026-11-26T12:00:00Z"), Duration::from_secs(7 * 86_400), "2026-12-03T12:00:00Z", true),
        ];
        for (last, period, now, due) in cases {
            assert_eq!(is_due(last.map(at), period, at(now)), due, "{last:?} + {period:?} at {now}");
        }
    }

    #[test]
    fn the_default_schedule_is_the_guides() {
        let s = Schedule::default();
        // Shopify's net every minute; the job itself looks as often as eBay's 30 s poll.
        assert_eq!(s.poll_every, Duration::from_secs(60));
        assert_eq!(s.polls(), poll::PollSchedule::default());
        assert_eq!(Job::OrdersPoll.period(&s), Duration::from_secs(30));
        assert_eq!(Job::Reconcile.period(&s), Duration::from_secs(4 * 3600));
        assert_eq!(Job::DriftTop.period(&s), Duration::from_secs(86_400));
        assert_eq!(Job::DriftFull.period(&s), Duration::from_secs(7 * 86_400));
        assert!((2 * 3600..=4 * 3600).contains(&Job::Fba.period(&s).as_secs()));
    }

    #[test]
    fn the_holder_names_the_workstation_and_the_process() {
        let config = ServiceConfig::new("packing-1");
        assert_eq!(config.identity(), "service:packing-1");
        assert_eq!(config.holder(), format!("service:packing-1 (pid {})", std::process::id()));
    }
}
