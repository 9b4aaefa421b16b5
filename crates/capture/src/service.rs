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
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use shelfsync_store::Store;
use shelfsync_sync::config;
use shelfsync_sync::credentials::{Backend, Secrets};
use shelfsync_sync::lease::{self, Lease};
use shelfsync_sync::queue::stamp;
use shelfsync_sync::{Engine, EngineConfig, Mode};
use tokio::sync::watch;

use crate::{CaptureError, Result, alerts, drift, fba, notifications, poll, reconcile, webhook};

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
}

impl Job {
    /// In the order a due round runs them: alerts first (cheap, and what people watch), then
    /// the order poll (sales before everything that reads quantities).
    pub const ALL: [Job; 6] =
        [Job::Alerts, Job::OrdersPoll, Job::Reconcile, Job::Fba, Job::DriftTop, Job::DriftFull];

    pub fn as_str(self) -> &'static str {
        match self {
            Job::OrdersPoll => "orders_poll",
            Job::Reconcile => "reconcile",
            Job::DriftTop => "drift_top",
            Job::DriftFull => "drift_full",
            Job::Fba => "fba",
            Job::Alerts => "alerts",
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

    fn secrets(&self, db_path: &Path) -> Secrets {
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

/// The engine as the lease loop runs it: its stop switch and its task.
struct RunningEngine {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
    fingerprint: u64,
}

impl RunningEngine {
    /// Asks the workers to finish their round and waits for them (bounded: a channel that
    /// hangs is cut off by the client's own timeouts well within this).
    async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = tokio::time::timeout(Duration::from_secs(60), self.task).await;
    }
}

/// Takes and renews the lease; while it is held, keeps an engine running over the current
/// channel set. On stop: the engine finishes its round, then the lease is released.
async fn lead(
    db_path: PathBuf,
    config: ServiceConfig,
    leading: Arc<AtomicBool>,
    mut stop: watch::Receiver<bool>,
    status: StatusCell,
) -> Result<()> {
    let mut leader = Leader {
        holder: config.holder(),
        db_path,
        config,
        leading,
        status,
        store: None,
        engine: None,
        fingerprint: None,
        last_reload: tokio::time::Instant::now(),
        secrets_digest: 0,
        turns_since_secrets: 0,
    };
    // Renewed at every turn (one small write): the turn is also how soon a new channel is seen.
    let turn = (leader.config.lease_ttl / 3).min(leader.config.reload_every).max(Duration::from_millis(50));
    loop {
        if let Err(error) = leader.turn().await {
            // A database that cannot be written (disk full, locked for longer than the busy
            // timeout) must not leave the jobs believing they lead: step down, try next turn.
            tracing::warn!(%error, "the sync lease could not be renewed; stepping down until it can");
            leader.step_down().await;
        }
        tokio::select! {
            _ = tokio::time::sleep(turn) => {}
            _ = wait_for_stop(&mut stop) => break,
        }
    }
    leader.step_down().await;
    lease::release(Store::open(&leader.db_path)?.connection(), &leader.holder)?;
    Ok(())
}

/// The lease loop's state: whether it leads, and the engine it runs while it does.
struct Leader {
    holder: String,
    db_path: PathBuf,
    config: ServiceConfig,
    leading: Arc<AtomicBool>,
    status: StatusCell,
    /// The loop's own connection, kept across turns (a turn every 2 s); dropped after an error
    /// so the next turn opens a fresh one.
    store: Option<Store>,
    engine: Option<RunningEngine>,
    /// The channel set the engine was (or will be) started with, and how many channels.
    fingerprint: Option<(u64, usize)>,
    last_reload: tokio::time::Instant,
    secrets_digest: u64,
    turns_since_secrets: u32,
}

impl Leader {
    async fn turn(&mut self) -> Result<()> {
        let turn = self.check();
        if turn.is_err() {
            self.store = None;
        }
        let Some((current, channels)) = turn? else {
            self.step_down().await;
            return Ok(());
        };
        let stale = self.engine.as_ref().is_some_and(|e| e.fingerprint != current || e.task.is_finished());
        if stale && let Some(running) = self.engine.take() {
            running.stop().await;
            self.status.update(|s| s.engine_running = false);
        }
        if self.engine.is_none() && channels > 0 {
            self.engine = Some(start_engine(&self.db_path, &self.config, &self.holder, current));
            self.status.update(|s| {
                s.engine_running = true;
                s.channels = channels;
            });
        }
        Ok(())
    }

    /// Renews the lease and, when a reload is due, reads the channel set. `None`: another
    /// process holds the lease. Otherwise the channel set's fingerprint and size.
    fn check(&mut self) -> Result<Option<(u64, usize)>> {
        if self.store.is_none() {
            self.store = Some(Store::open(&self.db_path)?);
        }
        let conn = self.store.as_ref().expect("opened above").connection();
        if !matches!(lease::acquire(conn, &self.holder, self.config.lease_ttl)?, Lease::Held) {
            return Ok(None);
        }
        if !self.leading.swap(true, Ordering::SeqCst) {
            tracing::info!(holder = %self.holder, "took the sync lease: the engine and scheduled jobs run here");
        }
        self.status.update(|s| s.leading = true);
        if self.fingerprint.is_none() || self.last_reload.elapsed() >= self.config.reload_every {
            let channels = config::list_channels(conn)?;
            // The channel rows at every check (a local read); the stored credentials, which may
            // mean keychain calls, only every SECRETS_RELOAD_TURNS checks.
            if self.fingerprint.is_none() || self.turns_since_secrets >= SECRETS_RELOAD_TURNS {
                self.secrets_digest = credentials_digest(&channels, &self.config.secrets(&self.db_path));
                self.turns_since_secrets = 0;
            } else {
                self.turns_since_secrets += 1;
            }
            self.fingerprint =
                Some((channel_fingerprint(&channels) ^ self.secrets_digest.rotate_left(1), channels.len()));
            self.last_reload = tokio::time::Instant::now();
        }
        Ok(self.fingerprint)
    }

    /// Stops the engine (its round finishes) and tells the jobs they no longer lead.
    async fn step_down(&mut self) {
        if self.leading.swap(false, Ordering::SeqCst) {
            tracing::info!(holder = %self.holder, "not holding the sync lease: the engine and scheduled jobs stop here");
        }
        if let Some(running) = self.engine.take() {
            running.stop().await;
        }
        self.status.update(|s| {
            s.leading = false;
            s.engine_running = false;
        });
    }
}

fn start_engine(db_path: &Path, config: &ServiceConfig, holder: &str, fingerprint: u64) -> RunningEngine {
    let mut engine_config = config.engine.clone();
    engine_config.holder = holder.to_string();
    engine_config.lease_ttl = config.lease_ttl;
    let engine = Engine::new(db_path, config.secrets(db_path), engine_config);
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(async move {
        // The engine's own errors (a database it cannot open) end its round; the lease loop
        // sees the task finished and starts a new one on its next turn.
        let _ = engine.run(Mode::Daemon, stopped).await;
    });
    RunningEngine { stop, task, fingerprint }
}

/// How many channel-set checks pass between two reads of the stored credentials: with the
/// default 2 s check, a changed token restarts the engine within 30 s.
const SECRETS_RELOAD_TURNS: u32 = 15;

/// The stored credentials a channel client is built from (the webhook secret is the receiver's,
/// which reads it per delivery).
const CLIENT_SECRETS: [&str; 7] = [
    config::SHOPIFY_TOKEN,
    config::LWA_CLIENT_ID,
    config::LWA_CLIENT_SECRET,
    config::LWA_REFRESH_TOKEN,
    config::EBAY_CLIENT_ID,
    config::EBAY_CLIENT_SECRET,
    config::EBAY_REFRESH_TOKEN,
];

/// A digest of what the engine's clients are built from in the database: each channel's kind,
/// endpoints and identifiers.
fn channel_fingerprint(channels: &[config::ChannelRecord]) -> u64 {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut hasher = DefaultHasher::new();
    for c in channels {
        (&c.name, &c.kind, &c.endpoint, &c.auth_endpoint, &c.shop, &c.seller_id, &c.marketplace_id)
            .hash(&mut hasher);
    }
    hasher.finish()
}

/// A digest of every channel's stored credentials. Kept in memory only; the credentials never
/// leave this function.
fn credentials_digest(channels: &[config::ChannelRecord], secrets: &Secrets) -> u64 {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut hasher = DefaultHasher::new();
    for channel in channels {
        channel.name.hash(&mut hasher);
        for key in CLIENT_SECRETS {
            // A keychain that cannot answer counts as "unchanged": the engine already running
            // keeps its clients rather than restarting on a keychain hiccup.
            if let Ok(secret) = secrets.get(&channel.name, key) {
                secret.map(|s| s.expose().to_string()).hash(&mut hasher);
            }
        }
    }
    hasher.finish()
}

/// Runs due jobs while this process leads, one at a time, until stopped.
async fn run_jobs(
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
        let Some(conn) = store.as_ref().map(Store::connection) else { continue };
        let due: Vec<Job> = Job::ALL
            .into_iter()
            .filter(|job| {
                last_started(conn, *job)
                    .is_ok_and(|last| is_due(last, job.period(&config.schedule), Utc::now()))
            })
            .collect();
        for job in due {
            if !leading.load(Ordering::SeqCst) || *stop.borrow() {
                break;
            }
            let started = Utc::now();
            let Some(conn) = store.as_ref().map(Store::connection) else { break };
            if mark_started(conn, job, started, &holder).is_err() {
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
            if store
                .as_ref()
                .is_none_or(|store| mark_finished(store.connection(), job, Utc::now(), error).is_err())
            {
                store = None;
            }
        }
    }
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
            let (report, scope) = if job == Job::DriftTop {
                (drift::report(db_path, secrets, drift::DEFAULT_TOP).await?, drift::DriftScope::Top)
            } else {
                (drift::report_full(db_path, secrets).await?, drift::DriftScope::Full)
            };
            let store = Store::open(db_path)?;
            drift::record(store.connection(), scope, &report, started, Utc::now(), &actor)?;
        }
        Job::Fba => {
            fba::refresh(db_path, secrets, Utc::now()).await?;
        }
        Job::Alerts => {
            let store = Store::open(db_path)?;
            alerts::evaluate(store.connection(), Utc::now())?;
            let http = poll::http_client()?;
            alerts::deliver(store.connection(), &http, Utc::now()).await?;
        }
    }
    Ok(())
}

fn last_started(conn: &Connection, job: Job) -> Result<Option<DateTime<Utc>>> {
    let text: Option<String> = conn
        .query_row("SELECT last_started_at FROM service_jobs WHERE job = ?1", [job.as_str()], |r| r.get(0))
        .optional()?;
    Ok(text.and_then(|t| DateTime::parse_from_rfc3339(&t).ok()).map(|t| t.with_timezone(&Utc)))
}

fn mark_started(conn: &Connection, job: Job, at: DateTime<Utc>, holder: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO service_jobs (job, last_started_at, last_finished_at, last_ok, last_error, holder, runs)
         VALUES (?1, ?2, NULL, NULL, NULL, ?3, 1)
         ON CONFLICT (job) DO UPDATE SET last_started_at = excluded.last_started_at, last_finished_at = NULL,
             last_ok = NULL, last_error = NULL, holder = excluded.holder, runs = runs + 1",
        params![job.as_str(), stamp(at), holder],
    )?;
    Ok(())
}

/// Longest failure text kept per job: enough for a channel's error message, bounded so a
/// chatty error page cannot grow the row.
const ERROR_TEXT_MAX: usize = 2_000;

fn mark_finished(conn: &Connection, job: Job, at: DateTime<Utc>, error: Option<String>) -> Result<()> {
    let error = error.map(|e| e.chars().take(ERROR_TEXT_MAX).collect::<String>());
    conn.execute(
        "UPDATE service_jobs SET last_finished_at = ?2, last_ok = ?3, last_error = ?4 WHERE job = ?1",
        params![job.as_str(), stamp(at), error.is_none(), error],
    )?;
    Ok(())
}

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

/// Every job that has run on this database, in [`Job::ALL`] order.
pub fn jobs(conn: &Connection) -> Result<Vec<JobRecord>> {
    let mut out = Vec::new();
    for job in Job::ALL {
        let record = conn
            .query_row(
                "SELECT job, last_started_at, last_finished_at, last_ok, last_error, holder, runs
                 FROM service_jobs WHERE job = ?1",
                [job.as_str()],
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
            .optional()?;
        out.extend(record);
    }
    Ok(out)
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
        // Shopify at the guide's 15 minutes; the job itself looks as often as eBay's 30 s poll.
        assert_eq!(s.poll_every, Duration::from_secs(15 * 60));
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
