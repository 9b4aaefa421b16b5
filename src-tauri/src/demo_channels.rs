//! The demo's channels: on a demo database the channel simulator (`shelfsync_sim`) runs inside
//! the app on 127.0.0.1 as a Shopify store, an Amazon seller account and an eBay account, and
//! the sync engine pushes the demo's first SKUs to it, so a new user sees the whole loop work
//! (scan, ledger, outbox, channel) before connecting anything real. Everything here is set-up:
//! the channels, mappings and credentials go through `shelfsync_sync::config` exactly as
//! `shelfsync channel add` would. The pushing is the app's live service (`crate::service`),
//! the same one that runs on a real database: this module only plays the channels.
//!
//! The simulator keeps its stock in memory, so on a later start it is seeded with what each
//! listing last acknowledged (`sync explain`'s channel quantity) and served on the same port the
//! channels were configured with: the engine's compare-and-set then finds what it left there
//! instead of reading a restart as sales on the channel.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use shelfsync_channels::ChannelKind;
use shelfsync_sim::amazon::AmazonSimConfig;
use shelfsync_sim::ebay::EbaySimConfig;
use shelfsync_sim::{Sim, SimConfig};
use shelfsync_store::Store;
use shelfsync_sync::config::{self, Mapping, NewChannel};
use shelfsync_sync::credentials::{Secret, Secrets};
use tokio::sync::watch;

/// Applied updates each demo channel keeps (the simulator's default is 2,000,000, for the
/// benchmarks' checkers). 1,000 is a few commits' worth, enough to look at by hand.
const DEMO_LOG_LIMIT: usize = 1_000;
/// Idempotency keys the demo shop remembers (the simulator's default is 200,000, each with
/// the request and the answer a retry replays: about 1 KiB a push, kept for a whole shift).
/// The engine retries a push within minutes; 1,000 keys are many minutes of the demo's pushes.
const DEMO_KEY_LIMIT: usize = 1_000;

use crate::error::{AppError, Result};

pub use crate::state::DEMO_CHANNELS_ENV;
/// SKUs listed on each demo channel: enough to fill the dashboard and the drill-down, few
/// enough that Amazon's 5 requests/s patch limit pushes them all within seconds of the start.
pub const DEMO_LISTED_SKUS: u32 = 50;
pub const SHOP: &str = "demo-shopify";
pub const AMAZON: &str = "demo-amazon";
pub const EBAY: &str = "demo-ebay";
const SHOPIFY_TOKEN: &str = "shpat_demo_simulator";
const SHOP_DOMAIN: &str = "demo.myshopify.com";
const MARKETPLACE: &str = "ATVPDKIKX0DER";
const LISTED_AT: &str = "WH1";
const SHOPIFY_LOCATION: &str = "gid://shopify/Location/1";
/// How long the start waits for the simulator to bind: it is a local socket.
const BIND_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a stop waits for the simulator to close its socket.
const STOP_TIMEOUT: Duration = Duration::from_secs(20);

/// `$SHELFSYNC_DEMO_CHANNELS` when set, else the workstation setting `demo_channels` as read at
/// start, else on.
pub fn enabled_from_env() -> bool {
    match std::env::var(DEMO_CHANNELS_ENV) {
        Ok(raw) => !matches!(raw.as_str(), "off" | "0" | "false" | "no"),
        Err(_) => crate::workstation_settings::boot_value(crate::workstation_settings::DEMO_CHANNELS)
            .is_none_or(|v| v != "off"),
    }
}

fn sku(n: u32) -> String {
    format!("SS-{n:05}")
}

fn shopify_item(n: u32) -> String {
    format!("gid://shopify/InventoryItem/{n}")
}

fn ebay_offer(n: u32) -> String {
    format!("{}", 900_000 + n)
}

/// The running simulator. Dropping it without [`DemoChannels::stop`] leaves it to end with the
/// process.
pub struct DemoChannels {
    /// `http://127.0.0.1:PORT`, the endpoint of the three demo channels.
    pub url: String,
    pub sim: Sim,
    stop: watch::Sender<bool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl DemoChannels {
    /// Configures the demo channels on first use and serves the simulator; the app's service
    /// (started after this) pushes to it.
    pub fn start(db_path: &Path) -> Result<DemoChannels> {
        let mut store = Store::open(db_path)?;
        let secrets = Secrets::for_database(db_path);
        // The demo's channels keep at most DEMO_LOG_LIMIT applied updates each (and the shop
        // DEMO_KEY_LIMIT idempotency keys): nothing in the
        // app reads that log, and a station stays open a whole shift (issue 19's memory study
        // found the unbounded Amazon and eBay logs growing with every push).
        let amazon = AmazonSimConfig {
            seed: crate::state::DEMO_SEED,
            log_limit: DEMO_LOG_LIMIT,
            ..AmazonSimConfig::default()
        };
        let ebay = EbaySimConfig {
            seed: crate::state::DEMO_SEED,
            log_limit: DEMO_LOG_LIMIT,
            ..EbaySimConfig::default()
        };
        let port = configured_port(&store)?;
        let sim = Sim::with_marketplaces(
            SimConfig {
                seed: crate::state::DEMO_SEED,
                access_token: Some(SHOPIFY_TOKEN.into()),
                log_limit: DEMO_LOG_LIMIT,
                key_limit: DEMO_KEY_LIMIT,
                ..SimConfig::default()
            },
            amazon.clone(),
            ebay.clone(),
        );
        seed(&store, &sim, port.is_some())?;
        let (ready_tx, ready_rx) = mpsc::channel();
        let (go, go_rx) = tokio::sync::oneshot::channel();
        let (stop, stopped) = watch::channel(false);
        let thread = spawn(sim.clone(), port.unwrap_or(0), stopped, ready_tx, go_rx)?;
        let url = ready_rx
            .recv_timeout(BIND_TIMEOUT)
            .map_err(|_| AppError::Unavailable("the demo channel simulator did not start".into()))??;
        // The port is known only once bound.
        if port.is_none() {
            configure(&mut store, &secrets, &url, &amazon, &ebay)?;
        }
        let _ = go.send(());
        tracing::info!(%url, "demo channels simulated");
        Ok(DemoChannels { url, sim, stop, thread: Some(thread) })
    }

    /// Stops the simulator (stop the service first: its engine is the simulator's client).
    pub fn stop(mut self) {
        let _ = self.stop.send(true);
        if let Some(thread) = self.thread.take() {
            let deadline = std::time::Instant::now() + STOP_TIMEOUT;
            while !thread.is_finished() && std::time::Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            if thread.is_finished() {
                let _ = thread.join();
            }
        }
    }
}

/// The port the demo channels were configured with, if they were.
fn configured_port(store: &Store) -> Result<Option<u16>> {
    let channels = config::list_channels(store)?;
    let Some(shop) = channels.iter().find(|c| c.name == SHOP) else { return Ok(None) };
    let port = shop.endpoint.rsplit(':').next().and_then(|p| p.trim_end_matches('/').parse().ok());
    port.map(Some).ok_or_else(|| AppError::Unavailable(format!("demo channel endpoint {}", shop.endpoint)))
}

/// Every listed SKU exists on the simulated channels, at what each listing last acknowledged
/// (0 before the first push).
fn seed(store: &Store, sim: &Sim, configured: bool) -> Result<()> {
    for n in 1..=DEMO_LISTED_SKUS {
        let acked = |channel: &str| -> Result<i64> {
            if !configured {
                return Ok(0);
            }
            let explained = shelfsync_sync::report::explain(store, &sku(n), channel)?;
            Ok(explained.first().and_then(|e| e.channel_qty).unwrap_or(0))
        };
        sim.set_level(&shopify_item(n), SHOPIFY_LOCATION, acked(SHOP)?);
        sim.amazon.set_listing(&sku(n), acked(AMAZON)?);
        sim.ebay.set_item(&sku(n), &ebay_offer(n), acked(EBAY)?);
    }
    Ok(())
}

/// The three channels and their listings, as `shelfsync channel add` and `channel map` make
/// them; the credentials are the simulator's and go to the secret store like real ones.
fn configure(
    store: &mut Store,
    secrets: &Secrets,
    url: &str,
    amazon: &AmazonSimConfig,
    ebay: &EbaySimConfig,
) -> Result<()> {
    let conn: &Store = store;
    let s = |v: &str| Secret::new(v).map_err(AppError::from);
    let channel = |name: &str, kind: ChannelKind| NewChannel {
        name: name.into(),
        kind,
        endpoint: url.into(),
        shop: (kind == ChannelKind::Shopify).then(|| SHOP_DOMAIN.to_string()),
        seller_id: (kind == ChannelKind::Amazon).then(|| amazon.seller_id.clone()),
        marketplace_id: (kind == ChannelKind::Amazon).then(|| MARKETPLACE.to_string()),
    };
    // The demo's own set-up, audited under its own name like any channel change.
    let by = shelfsync_store::By::new("system:demo", "demo");
    let add = |new: NewChannel, keys: &[(&str, Secret)]| config::add_channel(conn, by, secrets, &new, keys);
    add(channel(SHOP, ChannelKind::Shopify), &[(config::SHOPIFY_TOKEN, s(SHOPIFY_TOKEN)?)])?;
    add(
        channel(AMAZON, ChannelKind::Amazon),
        &[
            (config::LWA_CLIENT_ID, s(&amazon.client_id)?),
            (config::LWA_CLIENT_SECRET, s(&amazon.client_secret)?),
            (config::LWA_REFRESH_TOKEN, s(&amazon.refresh_token)?),
        ],
    )?;
    add(
        channel(EBAY, ChannelKind::Ebay),
        &[
            (config::EBAY_CLIENT_ID, s(&ebay.client_id)?),
            (config::EBAY_CLIENT_SECRET, s(&ebay.client_secret)?),
            (config::EBAY_REFRESH_TOKEN, s(&ebay.refresh_token)?),
        ],
    )?;
    for n in 1..=DEMO_LISTED_SKUS {
        let listings = [
            (SHOP, Some(LISTED_AT.to_string()), shopify_item(n), Some(SHOPIFY_LOCATION.to_string())),
            (AMAZON, None, sku(n), None),
            (EBAY, None, sku(n), Some(ebay_offer(n))),
        ];
        for (name, location, remote_item, remote_location) in listings {
            let mapping = Mapping { sku: sku(n), location, remote_item, remote_location };
            config::map_one(conn, by, name, &mapping)?;
        }
    }
    Ok(())
}

/// The simulator on a runtime of its own, on its own thread; the URL (or why it could not bind)
/// comes back through `ready`.
fn spawn(
    sim: Sim,
    port: u16,
    mut stopped: watch::Receiver<bool>,
    ready: mpsc::Sender<Result<String>>,
    go: tokio::sync::oneshot::Receiver<()>,
) -> Result<std::thread::JoinHandle<()>> {
    let thread = std::thread::Builder::new().name("demo-channels".into()).spawn(move || {
        let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()
        {
            Ok(runtime) => runtime,
            Err(e) => {
                let _ = ready.send(Err(AppError::Unavailable(e.to_string())));
                return;
            }
        };
        runtime.block_on(async move {
            let server = match sim.serve(port).await {
                Ok(server) => server,
                Err(e) => {
                    let why = format!("the demo channel simulator cannot listen on 127.0.0.1:{port}: {e}");
                    let _ = ready.send(Err(AppError::Unavailable(why)));
                    return;
                }
            };
            let _ = ready.send(Ok(server.url()));
            if go.await.is_err() {
                server.stop().await;
                return;
            }
            // Until stopped, or until the handle is gone (the app is ending).
            let _ = stopped.wait_for(|stop| *stop).await;
            server.stop().await;
        });
    });
    thread.map_err(|e| AppError::Unavailable(format!("cannot start the demo channels: {e}")))
}
