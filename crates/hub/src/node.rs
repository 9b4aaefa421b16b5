//! A workstation's replication loop (`shelfsync hub sync`) and, beside it, the lease loop that
//! runs the sync engine here while this workstation holds the lease.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use shelfsync_channels::ChannelKind;
use shelfsync_store::Store;
use shelfsync_sync::config::{list_channels, required_secrets};
use shelfsync_sync::credentials::Secrets;
use shelfsync_sync::{Engine, EngineConfig, Mode};
use tokio::sync::watch;

use crate::lease::{self, LeaseState};
use crate::local::LocalStore;
use crate::pg::{self, HubConn, HubTarget};
use crate::{HubError, Result, replicate, secrets};

#[derive(Clone, Debug)]
pub struct NodeConfig {
    /// The engine lease's lifetime. A dead holder is replaced within about 4/3 of it; it must
    /// stay well above one channel request's timeout, so a request still in flight from a
    /// holder that just lost the lease cannot land after the next holder's.
    pub lease_ttl: Duration,
    /// How often the local file is checked for new events: the floor of replication lag.
    pub local_poll: Duration,
    /// A round runs at least this often even with no wake-up (a NOTIFY lost in a reconnect).
    pub idle_round: Duration,
    /// The sync engine's settings; None: replicate only, never run the engine.
    pub engine: Option<EngineConfig>,
    /// Stop once caught up (`hub sync --once`); the engine does not run.
    pub once: bool,
}

impl Default for NodeConfig {
    fn default() -> Self {
        NodeConfig {
            lease_ttl: Duration::from_secs(30),
            local_poll: Duration::from_millis(50),
            idle_round: Duration::from_secs(2),
            engine: Some(EngineConfig::default()),
            once: false,
        }
    }
}

/// Reconnect back-off: from 1 s, doubling, to 30 s. A hub down for a day costs a few thousand
/// connection attempts, and one back after a blip is noticed within a second.
const RETRY_MIN: Duration = Duration::from_secs(1);
const RETRY_MAX: Duration = Duration::from_secs(30);

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeReport {
    pub rounds: u64,
    pub pushed: u64,
    pub pulled: u64,
    pub refused_up: Vec<String>,
}

/// Waits until `stop` turns true; forever when nobody can send it any more.
async fn stopped(stop: &mut watch::Receiver<bool>) {
    loop {
        if *stop.borrow() {
            return;
        }
        if stop.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// Runs until `stop` (or, with `once`, until caught up). Offline is not an error: the loop
/// keeps retrying while the workstation keeps working on its own file. With `once`, an
/// unreachable hub is.
pub async fn run(db_path: &Path, config: NodeConfig, mut stop: watch::Receiver<bool>) -> Result<NodeReport> {
    let store = LocalStore::open(db_path)?;
    let workstation = store.lock().hub_config()?.ok_or(HubError::NotConnected)?.workstation;
    let target = secrets::hub_target(db_path)?;
    let caught_up = Arc::new(AtomicBool::new(false));
    let (lease_stop, lease_stopped) = watch::channel(false);
    let lease_task = match (&config.engine, config.once) {
        (Some(engine), false) => Some(tokio::spawn(lease_loop(LeaseLoop {
            db_path: db_path.to_path_buf(),
            target: target.clone(),
            workstation: workstation.clone(),
            ttl: config.lease_ttl,
            engine: engine.clone(),
            caught_up: caught_up.clone(),
            stop: lease_stopped,
        }))),
        _ => None,
    };
    let mut report = NodeReport::default();
    let mut backoff = RETRY_MIN;
    let outcome = loop {
        if *stop.borrow() {
            break Ok(());
        }
        let served = match pg::connect(&target).await {
            Ok(mut hub) => {
                backoff = RETRY_MIN;
                serve(&mut hub, &store, &workstation, &config, &caught_up, &mut report, &mut stop).await
            }
            Err(error) => Err(error),
        };
        match served {
            Ok(()) => break Ok(()),
            Err(error) => {
                let _ = store.lock().hub_record_error(&error.to_string());
                if config.once {
                    break Err(error);
                }
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = stopped(&mut stop) => {}
        }
        backoff = (backoff * 2).min(RETRY_MAX);
    };
    let _ = lease_stop.send(true);
    if let Some(task) = lease_task {
        let _ = task.await;
    }
    outcome.map(|()| report)
}

/// Rounds on one connection until stopped (or caught up, with `once`); an error means the
/// connection is gone or the hub refused something, and the caller reconnects.
async fn serve(
    hub: &mut HubConn,
    store: &LocalStore,
    workstation: &str,
    config: &NodeConfig,
    caught_up: &AtomicBool,
    report: &mut NodeReport,
    stop: &mut watch::Receiver<bool>,
) -> Result<()> {
    hub.listen().await?;
    loop {
        // Checked here too: a long catch-up runs round after round without waiting.
        if *stop.borrow() {
            return Ok(());
        }
        let marker = store.lock().hub_change_marker()?;
        let round = replicate::round(hub, store, workstation).await?;
        report.rounds += 1;
        report.pushed += round.pushed as u64;
        report.pulled += round.pulled as u64;
        report.refused_up.extend(round.refused_up);
        if round.caught_up {
            caught_up.store(true, Ordering::SeqCst);
            if config.once {
                return Ok(());
            }
        } else {
            continue;
        }
        if !wait_for_work(hub, store, marker, config, stop).await? {
            return Ok(());
        }
    }
}

/// Sleeps until there is something to do: a NOTIFY from the hub, a local change, the idle
/// round. False when stopped.
async fn wait_for_work(
    hub: &HubConn,
    store: &LocalStore,
    marker: (i64, i64),
    config: &NodeConfig,
    stop: &mut watch::Receiver<bool>,
) -> Result<bool> {
    let started = tokio::time::Instant::now();
    loop {
        tokio::select! {
            _ = hub.notified.notified() => return Ok(true),
            _ = tokio::time::sleep(config.local_poll) => {}
            _ = stopped(stop) => return Ok(false),
        }
        if hub.is_closed() {
            return Err(HubError::Unreachable {
                target: hub.target.clone(),
                reason: "connection closed".into(),
            });
        }
        if store.lock().hub_change_marker()? != marker || started.elapsed() >= config.idle_round {
            return Ok(true);
        }
    }
}

struct LeaseLoop {
    db_path: PathBuf,
    target: HubTarget,
    workstation: String,
    ttl: Duration,
    engine: EngineConfig,
    caught_up: Arc<AtomicBool>,
    stop: watch::Receiver<bool>,
}

/// The engine, on a thread with its own runtime (its futures hold the store across awaits).
struct EngineRun {
    stop: watch::Sender<bool>,
    thread: std::thread::JoinHandle<()>,
    channels: Vec<String>,
}

impl EngineRun {
    fn start(db_path: &Path, config: EngineConfig, channels: Vec<String>) -> Result<EngineRun> {
        let (stop, stopped) = watch::channel(false);
        let db_path = db_path.to_path_buf();
        let thread = std::thread::Builder::new().name("sync-engine".into()).spawn(move || {
            let Ok(runtime) =
                tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()
            else {
                return;
            };
            let engine = Engine::new(&db_path, Secrets::for_database(&db_path), config);
            let _ = runtime.block_on(engine.run(Mode::Daemon, stopped));
        })?;
        Ok(EngineRun { stop, thread, channels })
    }

    async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = tokio::task::spawn_blocking(move || self.thread.join()).await;
    }
}

/// The channels this workstation's engine would serve, when it holds every secret they need;
/// None otherwise: a workstation without them must not take the lease, or no engine would push
/// while it holds it.
fn engine_channels(db_path: &Path) -> Option<Vec<String>> {
    let store = Store::open(db_path).ok()?;
    let channels = list_channels(&store).ok()?;
    let secrets = Secrets::for_database(db_path);
    let complete = channels.iter().all(|channel| {
        ChannelKind::parse(&channel.kind).is_some_and(|kind| {
            required_secrets(kind).iter().all(|name| matches!(secrets.get(&channel.name, name), Ok(Some(_))))
        })
    });
    complete.then(|| channels.into_iter().map(|c| c.name).collect())
}

/// Takes and renews the lease on a connection of its own (a long catch-up on the replication
/// connection must not delay a renewal), runs the engine while held and caught up, and stops it
/// at once when a renewal fails: without a renewal it cannot know the lease is still its own.
async fn lease_loop(mut lease: LeaseLoop) {
    let mut conn: Option<HubConn> = None;
    let mut engine: Option<EngineRun> = None;
    let interval = lease.ttl / 3;
    loop {
        if engine.as_ref().is_some_and(|e| e.thread.is_finished()) {
            engine = None;
        }
        let channels = engine_channels(&lease.db_path);
        // The engine reads its channels when it starts: one that arrived from the hub since
        // (or whose secrets were just given) needs a restart to be served.
        if let Some(run) = engine.take_if(|run| Some(&run.channels) != channels.as_ref()) {
            run.stop().await;
        }
        let eligible = channels.is_some();
        let attempt = async {
            if conn.as_ref().is_none_or(HubConn::is_closed) {
                conn = Some(pg::connect(&lease.target).await?);
            }
            let hub = conn.as_mut().expect("connected above");
            if eligible {
                lease::acquire(hub, &lease.workstation, lease.ttl).await.map(Some)
            } else {
                lease::release(hub, &lease.workstation).await.map(|()| None)
            }
        };
        // Bounded: a renewal that hangs is a renewal that failed.
        match tokio::time::timeout(interval, attempt).await {
            Ok(Ok(Some(LeaseState::Held { .. }))) => {
                if engine.is_none()
                    && lease.caught_up.load(Ordering::SeqCst)
                    && let Some(channels) = &channels
                {
                    engine = start_engine(&lease.db_path, &lease.engine, channels.clone());
                }
            }
            Ok(Ok(_)) => {
                if let Some(run) = engine.take() {
                    run.stop().await;
                }
            }
            Ok(Err(_)) | Err(_) => {
                conn = None;
                if let Some(run) = engine.take() {
                    run.stop().await;
                }
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = stopped(&mut lease.stop) => break,
        }
    }
    if let Some(run) = engine.take() {
        run.stop().await;
    }
    if let Some(hub) = conn.as_mut() {
        let _ = tokio::time::timeout(interval, lease::release(hub, &lease.workstation)).await;
    }
}

fn start_engine(db_path: &Path, config: &EngineConfig, channels: Vec<String>) -> Option<EngineRun> {
    let store = Store::open(db_path).ok()?;
    store.hub_fence_engine_state().ok()?;
    EngineRun::start(db_path, config.clone(), channels).ok()
}

/// Runs [`run`] on a runtime of its own until Ctrl-C (or caught up, with `once`): the CLI's
/// entry, so it needs no async code.
pub fn run_blocking(db_path: &Path, config: NodeConfig) -> Result<NodeReport> {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    runtime.block_on(async {
        let (stop_tx, stop_rx) = watch::channel(false);
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                let _ = stop_tx.send(true);
            }
        });
        run(db_path, config, stop_rx).await
    })
}
