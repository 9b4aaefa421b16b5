//! `shelfsync webhook serve`: the receiver, its inbox processor, and the schedules beside it
//! (order polling every 15 minutes, reconciliation every 4 hours, alert evaluation every
//! minute), until Ctrl-C.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use shelfsync_store::Store;
use shelfsync_sync::credentials::Secrets;

use crate::{Result, alerts, poll, reconcile, webhook};

#[derive(Clone, Copy, Debug)]
pub struct Schedule {
    pub poll_every: Duration,
    pub reconcile_every: Duration,
    pub alerts_every: Duration,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule {
            poll_every: poll::POLL_EVERY,
            reconcile_every: reconcile::RECONCILE_EVERY,
            alerts_every: Duration::from_secs(60),
        }
    }
}

/// Runs until Ctrl-C on its own runtime; `ready` is called with the bound address.
pub fn run_blocking(
    db_path: &Path,
    addr: SocketAddr,
    schedule: Schedule,
    ready: impl FnOnce(SocketAddr),
) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    runtime.block_on(async {
        let secrets = Secrets::for_database(db_path);
        let receiver = webhook::serve(db_path, &secrets, addr).await?;
        ready(receiver.addr);
        let path = db_path.to_path_buf();
        // On this task, not spawned: the jobs hold a store, which is Send but not Sync.
        let scheduler = async move {
            let mut poll_tick = tokio::time::interval(schedule.poll_every);
            let mut reconcile_tick = tokio::time::interval(schedule.reconcile_every);
            let mut alert_tick = tokio::time::interval(schedule.alerts_every);
            let secrets = Secrets::for_database(&path);
            loop {
                // Failures here are reported by the alert rules and the health check; the
                // schedule itself keeps going.
                tokio::select! {
                    _ = poll_tick.tick() => { let _ = poll::poll(&path, &secrets, None).await; }
                    _ = reconcile_tick.tick() => { let _ = reconcile::reconcile(&path, &secrets, None, false).await; }
                    _ = alert_tick.tick() => {
                        if let Ok(store) = Store::open(&path) {
                            let _ = alerts::evaluate(store.connection(), chrono::Utc::now());
                            if let Ok(http) = poll::http_client() {
                                let _ = alerts::deliver(store.connection(), &http, chrono::Utc::now()).await;
                            }
                        }
                    }
                }
            }
        };
        tokio::select! {
            stopped = tokio::signal::ctrl_c() => stopped?,
            () = scheduler => {}
        }
        receiver.stop().await;
        Ok(())
    })
}
