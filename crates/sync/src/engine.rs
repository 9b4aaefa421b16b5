//! The engine: takes the lease, starts one worker per channel, renews the lease while they
//! run, and gives it back at the end.

use std::path::{Path, PathBuf};
use std::time::Duration;

use shelfsync_channels::amazon::{AmazonClient, AmazonConfig};
use shelfsync_channels::ebay::{EbayClient, EbayConfig};
use shelfsync_channels::shopify::{ShopifyClient, ShopifyConfig};
use shelfsync_channels::{
    Answer, BulkOutcome, Channel, ChannelError, ChannelKind, Limits, PushOutcome, PushRequest,
    QuantityUpdate, RemoteListing, Timeouts,
};
use shelfsync_store::Store;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::config::{
    self, ChannelRecord, EBAY_CLIENT_ID, EBAY_CLIENT_SECRET, EBAY_REFRESH_TOKEN, LWA_CLIENT_ID,
    LWA_CLIENT_SECRET, LWA_REFRESH_TOKEN, SHOPIFY_TOKEN,
};
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
    pub tuning: ChannelTuning,
}

/// Per-channel-kind pacing: the documented defaults, lowered in tests and benchmarks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChannelTuning {
    /// Amazon patchListingsItem token bucket (5/s, burst 5).
    pub amazon_patch_rate: f64,
    pub amazon_patch_burst: f64,
    /// eBay's per-second budget: the daily call quota spread evenly.
    pub ebay_calls_per_second: f64,
    pub ebay_burst: f64,
    pub ebay_revisions_per_day: u32,
    /// Amazon backlogs at least this deep go by JSON_LISTINGS_FEED (None: never).
    pub amazon_feed_threshold: Option<usize>,
    pub amazon_feed_poll: Duration,
    pub amazon_feed_stuck_after: Duration,
}

impl Default for ChannelTuning {
    fn default() -> Self {
        ChannelTuning {
            amazon_patch_rate: shelfsync_channels::amazon::PATCH_RATE,
            amazon_patch_burst: shelfsync_channels::amazon::PATCH_BURST,
            ebay_calls_per_second: shelfsync_channels::ebay::DAILY_CALLS / 86_400.0,
            ebay_burst: 5.0,
            ebay_revisions_per_day: shelfsync_channels::ebay::REVISIONS_PER_DAY,
            amazon_feed_threshold: Some(shelfsync_channels::amazon::FEED_THRESHOLD),
            amazon_feed_poll: Duration::from_secs(30),
            amazon_feed_stuck_after: shelfsync_channels::amazon::feed::STUCK_AFTER,
        }
    }
}

/// Any channel client, so one worker type serves every kind. One per worker, made once: the
/// size difference between variants costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
pub enum AnyClient {
    Shopify(ShopifyClient),
    Amazon(AmazonClient),
    Ebay(EbayClient),
}

impl Channel for AnyClient {
    fn kind(&self) -> ChannelKind {
        match self {
            AnyClient::Shopify(c) => c.kind(),
            AnyClient::Amazon(c) => c.kind(),
            AnyClient::Ebay(c) => c.kind(),
        }
    }

    fn limits(&self) -> Limits {
        match self {
            AnyClient::Shopify(c) => c.limits(),
            AnyClient::Amazon(c) => c.limits(),
            AnyClient::Ebay(c) => c.limits(),
        }
    }

    fn push_cost(&self, entries: usize) -> f64 {
        match self {
            AnyClient::Shopify(c) => c.push_cost(entries),
            AnyClient::Amazon(c) => c.push_cost(entries),
            AnyClient::Ebay(c) => c.push_cost(entries),
        }
    }

    fn read_cost(&self, entries: usize) -> f64 {
        match self {
            AnyClient::Shopify(c) => c.read_cost(entries),
            AnyClient::Amazon(c) => c.read_cost(entries),
            AnyClient::Ebay(c) => c.read_cost(entries),
        }
    }

    async fn push(&self, request: PushRequest<'_>) -> std::result::Result<Answer<PushOutcome>, ChannelError> {
        match self {
            AnyClient::Shopify(c) => c.push(request).await,
            AnyClient::Amazon(c) => c.push(request).await,
            AnyClient::Ebay(c) => c.push(request).await,
        }
    }

    fn reads_before_urgent_push(&self) -> bool {
        match self {
            AnyClient::Shopify(c) => c.reads_before_urgent_push(),
            AnyClient::Amazon(c) => c.reads_before_urgent_push(),
            AnyClient::Ebay(c) => c.reads_before_urgent_push(),
        }
    }

    fn bulk_threshold(&self) -> Option<usize> {
        match self {
            AnyClient::Shopify(c) => c.bulk_threshold(),
            AnyClient::Amazon(c) => c.bulk_threshold(),
            AnyClient::Ebay(c) => c.bulk_threshold(),
        }
    }

    fn bulk_max(&self) -> usize {
        match self {
            AnyClient::Shopify(c) => c.bulk_max(),
            AnyClient::Amazon(c) => c.bulk_max(),
            AnyClient::Ebay(c) => c.bulk_max(),
        }
    }

    async fn bulk_push(&self, updates: &[QuantityUpdate]) -> std::result::Result<BulkOutcome, ChannelError> {
        match self {
            AnyClient::Shopify(c) => c.bulk_push(updates).await,
            AnyClient::Amazon(c) => c.bulk_push(updates).await,
            AnyClient::Ebay(c) => c.bulk_push(updates).await,
        }
    }

    async fn read_levels(
        &self,
        listings: &[RemoteListing],
    ) -> std::result::Result<Answer<Vec<Option<i64>>>, ChannelError> {
        match self {
            AnyClient::Shopify(c) => c.read_levels(listings).await,
            AnyClient::Amazon(c) => c.read_levels(listings).await,
            AnyClient::Ebay(c) => c.read_levels(listings).await,
        }
    }
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            worker: WorkerConfig::default(),
            lease_ttl: Duration::from_secs(30),
            lease_wait: Duration::from_secs(60),
            holder: format!("{}:{}", host_name(), std::process::id()),
            timeouts: Timeouts::default(),
            tuning: ChannelTuning::default(),
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

/// Aborts the lease renewer when `run` returns or is dropped half-way (cancelled by a timeout
/// or a `select!`): a renewer outliving its engine would hold the lease for nobody, and no
/// other engine could ever take over.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
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
        let renewer = AbortOnDrop(self.spawn_lease_renewer(stop.clone(), workers_stop));
        let outcome = self.run_workers(mode, workers_stopped).await;
        drop(renewer);
        lease::release(&Store::open(&self.db_path)?, &self.config.holder)?;
        outcome
    }

    /// True once the lease is ours; false when stopped while waiting.
    async fn wait_for_lease(&self, mode: Mode, mut stop: watch::Receiver<bool>) -> Result<bool> {
        let started = tokio::time::Instant::now();
        // The store stays out of the awaits below: a connection is Send but not Sync.
        let try_once = || -> Result<Lease> {
            Ok(lease::acquire(&Store::open(&self.db_path)?, &self.config.holder, self.config.lease_ttl)?)
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
    fn spawn_lease_renewer(
        &self,
        mut stop: watch::Receiver<bool>,
        workers: watch::Sender<bool>,
    ) -> tokio::task::JoinHandle<()> {
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
                    changed = stop.changed() => if changed.is_err() {
                        // The stop sender is gone, so no stop can come: renew on the timer
                        // rather than spin on the closed channel (a write transaction a turn).
                        tokio::time::sleep(ttl / 3).await;
                    }
                }
                let lost = !matches!(lease::acquire(&store, &holder, ttl), Ok(Lease::Held));
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
        let channels = config::list_channels(&Store::open(&self.db_path)?)?;
        for (index, channel) in channels.into_iter().enumerate() {
            match self.start_worker(&channel, index as u64) {
                Ok(worker) => {
                    tasks.spawn(worker.run(mode, stop.clone()));
                }
                Err(reason) => report.skipped.push((channel.name.clone(), reason.to_string())),
            }
        }
        while let Some(joined) = tasks.join_next().await {
            let summary =
                joined.map_err(|e| SyncError::Invalid(format!("a worker stopped unexpectedly: {e}")))??;
            report.channels.push(summary);
        }
        report.channels.sort_by(|a, b| a.channel.cmp(&b.channel));
        Ok(report)
    }

    fn secret(&self, channel: &ChannelRecord, name: &str) -> Result<String> {
        Ok(self
            .secrets
            .get(&channel.name, name)?
            .ok_or_else(|| {
                SyncError::Credentials(format!("no {name} stored for channel '{}'", channel.name))
            })?
            .expose()
            .to_string())
    }

    /// The client for one channel record, from its stored secrets.
    pub fn client(&self, channel: &ChannelRecord) -> Result<AnyClient> {
        let timeouts = self.config.timeouts;
        let tuning = self.config.tuning;
        Ok(match ChannelKind::parse(&channel.kind) {
            Some(ChannelKind::Shopify) => AnyClient::Shopify(ShopifyClient::new(ShopifyConfig {
                endpoint: channel.endpoint.clone(),
                access_token: self.secret(channel, SHOPIFY_TOKEN)?,
                timeouts,
                shop: channel.shop.clone(),
            })?),
            Some(ChannelKind::Amazon) => {
                let mut config = AmazonConfig::new(
                    &channel.endpoint,
                    channel.seller_id.as_deref().unwrap_or_default(),
                    channel.marketplace_id.as_deref().unwrap_or_default(),
                    &self.secret(channel, LWA_CLIENT_ID)?,
                    &self.secret(channel, LWA_CLIENT_SECRET)?,
                    &self.secret(channel, LWA_REFRESH_TOKEN)?,
                );
                // The user's token endpoint, or the rule's (Login with Amazon for SP-API hosts).
                config.auth_endpoint = channel.auth_endpoint.clone();
                config.timeouts = timeouts;
                config.patch_rate = tuning.amazon_patch_rate;
                config.patch_burst = tuning.amazon_patch_burst;
                config.feed_threshold = tuning.amazon_feed_threshold;
                config.feed_poll = tuning.amazon_feed_poll;
                config.feed_stuck_after = tuning.amazon_feed_stuck_after;
                AnyClient::Amazon(AmazonClient::new(config)?)
            }
            Some(ChannelKind::Ebay) => {
                let mut config = EbayConfig::new(
                    &channel.endpoint,
                    &self.secret(channel, EBAY_CLIENT_ID)?,
                    &self.secret(channel, EBAY_CLIENT_SECRET)?,
                    &self.secret(channel, EBAY_REFRESH_TOKEN)?,
                );
                config.auth_endpoint = channel.auth_endpoint.clone();
                config.timeouts = timeouts;
                config.calls_per_second = tuning.ebay_calls_per_second;
                config.burst = tuning.ebay_burst;
                config.revisions_per_day = tuning.ebay_revisions_per_day;
                let client = EbayClient::new(config)?;
                client.seed_revisions(revisions_today(&self.db_path, &channel.name)?);
                AnyClient::Ebay(client)
            }
            None => return Err(SyncError::UnsupportedKind(channel.kind.clone())),
        })
    }

    fn start_worker(&self, channel: &ChannelRecord, index: u64) -> Result<Worker<AnyClient>> {
        let client = self.client(channel)?;
        let mut worker_config = self.config.worker;
        worker_config.seed = worker_config.seed.wrapping_add(index);
        // Bookkeeping durability (see `Store::open_for_sync_bookkeeping`): the attempt group is
        // committed just before each request, and an fsync there is the one in the path from a
        // scan's commit to the channel.
        let store = Store::open_for_sync_bookkeeping(&self.db_path)?;
        Ok(Worker::new(channel.name.clone(), client, store, worker_config)
            .with_watch_tuning(&self.config.tuning))
    }
}

/// Pushes acknowledged per eBay SKU since the start of eBay's day (00:00 Pacific; standard
/// time, as the client counts): what a fresh client must count against the 250-a-day cap.
fn revisions_today(db_path: &Path, channel: &str) -> Result<Vec<(String, u32)>> {
    let pacific = chrono::Utc::now() - chrono::Duration::hours(8);
    let midnight = pacific.date_naive().and_hms_opt(0, 0, 0).expect("midnight exists").and_utc()
        + chrono::Duration::hours(8);
    let since = crate::queue::stamp(midnight);
    Ok(shelfsync_store::channels::history::pushes_per_item_since(&Store::open(db_path)?, channel, &since)?)
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
