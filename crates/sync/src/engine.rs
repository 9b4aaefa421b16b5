//! The engine: takes the lease, starts one worker per channel, renews the lease while they
//! run, and gives it back at the end.

use std::path::{Path, PathBuf};
use std::time::Duration;

use shelfsync_channels::shopify::{ShopifyClient, ShopifyConfig};
use shelfsync_channels::{ChannelKind, Timeouts};
use shelfsync_store::Store;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::config::{self, ChannelRecord, SHOPIFY_TOKEN};
use crate::credentials::Secrets;
use crate::lease::{self, Lease};
use crate::worker::{Mode, Worker, WorkerConfig, WorkerSummary};
use crate::{Result, SyncError};

#[derive(Clone, Debug)]
pub struct EngineConfig {
    pub worker: WorkerConfig,
    /// How long a lease lasts without renewal. Renewed every third of it, so one missed
    /// renewal (a slow disk) does not lose it; a dead engine is replaced within one TTL.
    pub lease_ttl: Duration,
    /// How long `Once` waits for another engine's lease before giving up.
    pub lease_wait: Duration,
    /// This engine's name in the lease (host and process id by default).
    pub holder: String,
    pub timeouts: Timeouts,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            worker: WorkerConfig::default(),
            lease_ttl: Duration::from_secs(30),
            lease_wait: Duration::from_secs(60),
            holder: format!("{}:{}", host_name(), std::process::id()),
            timeouts: Timeouts::default(),
        }
    }
}

fn host_name() -> String {
    std::fs::read_to_string("/etc/hostname").map(|s| s.trim().to_string()).unwrap_or_else(|_| "host".into())
}

#[derive(Clone, Debug, Default)]
pub struct RunReport {
    pub channels: Vec<WorkerSummary>,
    /// Channels that could not start, with the reason (no credentials, kind without client).
    pub skipped: Vec<(String, String)>,
}

pub struct Engine {
    db_path: PathBuf,
    secrets: Secrets,
    config: EngineConfig,
}

impl Engine {
    pub fn new(db_path: &Path, secrets: Secrets, config: EngineConfig) -> Engine {
        Engine { db_path: db_path.to_path_buf(), secrets, config }
    }

    pub async fn run(&self, mode: Mode, stop: watch::Receiver<bool>) -> Result<RunReport> {
        if !self.wait_for_lease(mode, stop.clone()).await? {
            return Ok(RunReport::default());
        }
        let (workers_stop, workers_stopped) = watch::channel(false);
        let renewer = self.spawn_lease_renewer(stop.clone(), workers_stop);
        let outcome = self.run_workers(mode, workers_stopped).await;
        renewer.abort();
        lease::release(Store::open(&self.db_path)?.connection(), &self.config.holder)?;
        outcome
    }

    /// True once the lease is ours; false when stopped while waiting.
    async fn wait_for_lease(&self, mode: Mode, mut stop: watch::Receiver<bool>) -> Result<bool> {
        let started = tokio::time::Instant::now();
        // The store stays out of the awaits below: a connection is Send but not Sync.
        let try_once = || -> Result<Lease> {
            lease::acquire(Store::open(&self.db_path)?.connection(), &self.config.holder, self.config.lease_ttl)
        };
        loop {
            match try_once()? {
                Lease::Held => return Ok(true),
                Lease::HeldByOther { holder, until } => {
                    if mode == Mode::Once && started.elapsed() >= self.config.lease_wait {
                        return Err(SyncError::LeaseHeld { holder, until });
                    }
                }
            }
            let pause = (self.config.lease_ttl / 4).clamp(Duration::from_millis(10), Duration::from_secs(5));
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = stop.changed() => if *stop.borrow() { return Ok(false) },
            }
        }
    }

    /// Renews the lease; stops the workers when asked to, or when the lease is lost (another
    /// engine took it after a stall: two must never push at once).
    fn spawn_lease_renewer(&self, mut stop: watch::Receiver<bool>, workers: watch::Sender<bool>) -> tokio::task::JoinHandle<()> {
        let db_path = self.db_path.clone();
        let holder = self.config.holder.clone();
        let ttl = self.config.lease_ttl;
        tokio::spawn(async move {
            let Ok(store) = Store::open(&db_path) else {
                let _ = workers.send(true);
                return;
            };
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(ttl / 3) => {}
                    _ = stop.changed() => {}
                }
                let lost = !matches!(lease::acquire(store.connection(), &holder, ttl), Ok(Lease::Held));
                if *stop.borrow() || lost {
                    let _ = workers.send(true);
                    return;
                }
            }
        })
    }

    async fn run_workers(&self, mode: Mode, stop: watch::Receiver<bool>) -> Result<RunReport> {
        let mut report = RunReport::default();
        let mut tasks = JoinSet::new();
        let channels = config::list_channels(Store::open(&self.db_path)?.connection())?;
        for (index, channel) in channels.into_iter().enumerate() {
            match self.start_worker(&channel, index as u64) {
                Ok(worker) => {
                    tasks.spawn(worker.run(mode, stop.clone()));
                }
                Err(reason) => report.skipped.push((channel.name.clone(), reason.to_string())),
            }
        }
        while let Some(joined) = tasks.join_next().await {
            let summary = joined.map_err(|e| SyncError::Invalid(format!("a worker stopped unexpectedly: {e}")))??;
            report.channels.push(summary);
        }
        report.channels.sort_by(|a, b| a.channel.cmp(&b.channel));
        Ok(report)
    }

    fn start_worker(&self, channel: &ChannelRecord, index: u64) -> Result<Worker<ShopifyClient>> {
        if ChannelKind::parse(&channel.kind) != Some(ChannelKind::Shopify) {
            return Err(SyncError::UnsupportedKind(channel.kind.clone()));
        }
        let token = self
            .secrets
            .get(&channel.name, SHOPIFY_TOKEN)?
            .ok_or_else(|| SyncError::Credentials(format!("no access token stored for channel '{}'", channel.name)))?;
        let client = ShopifyClient::new(ShopifyConfig {
            endpoint: channel.endpoint.clone(),
            access_token: token.expose().to_string(),
            timeouts: self.config.timeouts,
        })?;
        let mut worker_config = self.config.worker;
        worker_config.seed = worker_config.seed.wrapping_add(index);
        Ok(Worker::new(channel.name.clone(), client, Store::open(&self.db_path)?, worker_config))
    }
}

/// Runs the engine on its own runtime: `Once` until drained, `Daemon` until Ctrl-C. The CLI
/// comes here so it needs no async code of its own.
pub fn run_blocking(engine: &Engine, mode: Mode) -> Result<RunReport> {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    runtime.block_on(async {
        let (stop_tx, stop_rx) = watch::channel(false);
        if mode == Mode::Daemon {
            tokio::spawn(async move {
                if tokio::signal::ctrl_c().await.is_ok() {
                    let _ = stop_tx.send(true);
                }
            });
            engine.run(mode, stop_rx).await
        } else {
            let report = engine.run(mode, stop_rx).await;
            drop(stop_tx);
            report
        }
    })
}
