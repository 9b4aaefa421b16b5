//! The lease loop: takes and renews the sync lease, and keeps the engine running while it is held.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use shelfsync_store::Store;
use shelfsync_sync::config;
use shelfsync_sync::credentials::Secrets;
use shelfsync_sync::lease::{self, Lease};
use shelfsync_sync::{Engine, Mode};
use tokio::sync::watch;

use super::{ServiceConfig, StatusCell, wait_for_stop};
use crate::Result;

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
pub(super) async fn lead(
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
    lease::release(&Store::open(&leader.db_path)?, &leader.holder)?;
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
        let store = self.store.as_ref().expect("opened above");
        if !matches!(lease::acquire(store, &self.holder, self.config.lease_ttl)?, Lease::Held) {
            return Ok(None);
        }
        if !self.leading.swap(true, Ordering::SeqCst) {
            tracing::info!(holder = %self.holder, "took the sync lease: the engine and scheduled jobs run here");
        }
        self.status.update(|s| s.leading = true);
        if self.fingerprint.is_none() || self.last_reload.elapsed() >= self.config.reload_every {
            let channels = config::list_channels(store)?;
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
