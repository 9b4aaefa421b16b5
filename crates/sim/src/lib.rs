//! A channel simulator: Shopify's Admin GraphQL endpoint for `inventorySetQuantities` and the
//! level read, with the cost bucket, THROTTLED-as-200, compare-and-set, idempotency keys, its
//! own stock that its own seeded orders sell, and seeded faults; Amazon SP-API ([`amazon`]) and
//! eBay Sell Inventory ([`ebay`]) on the same port. Tests, the demo and the benchmarks point the
//! engine at it over real loopback HTTP.
//!
//! Architecture invariant: binds 127.0.0.1 only; every fault and every order comes from one
//! seeded generator, so a run's faults replay from its seed (timing aside).

pub mod amazon;
pub mod ebay;
mod faults;
mod orders;
mod shopify;
pub mod sqs;
mod state;
pub mod traffic;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use faults::Faults;
pub use shopify::{ShopifyPlan, UnknownPlan};
pub use state::{AppliedEntry, LevelView, SimState, Stats};

/// How the simulated store behaves. Defaults: Shopify's Standard plan ([`ShopifyPlan`] for the
/// others).
#[derive(Clone, Debug)]
pub struct SimConfig {
    pub seed: u64,
    /// Cost-bucket size in points (Standard: 2,000).
    pub bucket_size: f64,
    /// Points restored per second (Standard: 100).
    pub restore_rate: f64,
    /// Points one `inventorySetQuantities` call costs, whatever its size (Shopify's default
    /// mutation cost; the real figure for 250 entries is undocumented).
    pub set_cost: f64,
    /// Points per level in a read (object + level + quantities).
    pub read_cost_per_level: f64,
    /// Refuse unknown inventory items (INVALID_INVENTORY_ITEM) instead of creating them at 0.
    pub strict_items: bool,
    /// When set, requests must carry this `X-Shopify-Access-Token`.
    pub access_token: Option<String>,
    /// What the `shop` query answers: the shop's name and `myshopifyDomain`.
    pub shop_name: String,
    pub shop_domain: String,
    pub faults: Faults,
    /// Applied updates kept for checkers ([`MAX_LOG`] unless set); beyond it the log stops
    /// growing (and says so).
    pub log_limit: usize,
    /// Idempotency keys remembered, with the answer a retry replays ([`MAX_KEYS`] unless set);
    /// the oldest is forgotten first.
    pub key_limit: usize,
}

/// Applied updates each simulated channel keeps for checkers by default: the largest benchmark
/// (100,000 listings re-pushed, with the sales during it) many times over, and a bound so a long
/// run cannot eat memory. The app's demo keeps far fewer (nothing there reads the log).
pub const MAX_LOG: usize = 2_000_000;

/// Idempotency keys each simulated shop remembers by default. Shopify's retention window is
/// undocumented; 200,000 covers the largest benchmark backlog many times over while bounding
/// memory. The app's demo keeps far fewer (a key matters only to a retry within minutes).
pub const MAX_KEYS: usize = 200_000;

impl SimConfig {
    /// The defaults with the cost bucket of a Shopify plan.
    pub fn for_plan(plan: ShopifyPlan) -> SimConfig {
        SimConfig::default().with_plan(plan)
    }

    /// This configuration with the cost bucket (restore rate, size) of `plan`.
    pub fn with_plan(self, plan: ShopifyPlan) -> SimConfig {
        let (restore_rate, bucket_size) = plan.limits();
        SimConfig { restore_rate, bucket_size, ..self }
    }
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 1,
            bucket_size: 2000.0,
            restore_rate: 100.0,
            set_cost: 10.0,
            read_cost_per_level: 3.0,
            strict_items: false,
            access_token: None,
            shop_name: "ShelfSync demo".into(),
            shop_domain: "demo.myshopify.com".into(),
            faults: Faults::default(),
            log_limit: MAX_LOG,
            key_limit: MAX_KEYS,
        }
    }
}

/// The simulator's state, shared by every server started over it (so a test can stop the
/// server, leaving the engine offline, and start it again with the same stock).
#[derive(Clone)]
pub struct Sim {
    pub(crate) state: Arc<Mutex<SimState>>,
    /// Amazon SP-API and eBay Sell Inventory, served on the same port.
    pub amazon: amazon::AmazonSim,
    pub ebay: ebay::EbaySim,
    /// Records the Amazon and eBay exchanges when started (schema checks).
    pub traffic: traffic::Traffic,
}

impl Sim {
    pub fn new(config: SimConfig) -> Sim {
        let amazon =
            amazon::AmazonSim::new(amazon::AmazonSimConfig { seed: config.seed, ..Default::default() });
        let ebay = ebay::EbaySim::new(ebay::EbaySimConfig { seed: config.seed, ..Default::default() });
        Sim {
            state: Arc::new(Mutex::new(SimState::new(config))),
            amazon,
            ebay,
            traffic: traffic::Traffic::default(),
        }
    }

    /// With Amazon and eBay configured (credentials, limits).
    pub fn with_marketplaces(
        config: SimConfig,
        amazon: amazon::AmazonSimConfig,
        ebay: ebay::EbaySimConfig,
    ) -> Sim {
        let mut sim = Sim::new(config);
        sim.amazon = amazon::AmazonSim::new(amazon);
        sim.ebay = ebay::EbaySim::new(ebay);
        sim
    }

    /// Serves on 127.0.0.1:`port` (0: any free port).
    pub async fn serve(&self, port: u16) -> std::io::Result<RunningSim> {
        self.serve_at(SocketAddr::from(([127, 0, 0, 1], port))).await
    }

    pub async fn serve_at(&self, addr: SocketAddr) -> std::io::Result<RunningSim> {
        if !addr.ip().is_loopback() {
            return Err(std::io::Error::other("the simulator binds loopback addresses only"));
        }
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let app = self.router();
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stop_rx.await;
                })
                .await;
        });
        let orders = self.spawn_order_loop();
        Ok(RunningSim { addr, stop: Some(stop_tx), server, orders })
    }

    fn router(&self) -> Router {
        Router::new()
            .route("/admin/api/{version}/graphql.json", post(shopify::graphql))
            .route("/admin/state", get(state::admin_state))
            .route("/admin/log", get(state::admin_log))
            .route("/admin/faults", post(state::admin_set_faults))
            .route("/admin/levels", post(state::admin_set_levels))
            .route("/admin/sell", post(state::admin_sell))
            .route("/admin/orders", post(state::admin_set_orders))
            .route("/admin/catalogue", post(state::admin_set_catalogue))
            .merge(orders::routes())
            .with_state(self.clone())
            .merge(
                self.amazon
                    .router()
                    .merge(self.ebay.router())
                    .layer(axum::middleware::from_fn_with_state(self.traffic.clone(), traffic::record)),
            )
    }

    /// Sells from the simulator's own stock on the configured schedule, until stopped.
    fn spawn_order_loop(&self) -> JoinHandle<()> {
        let sim = self.clone();
        tokio::spawn(async move {
            loop {
                let every = sim.with(|s| s.orders.map(|o| o.every));
                match every {
                    Some(every) => {
                        tokio::time::sleep(every).await;
                        sim.with(|s| s.place_random_order());
                    }
                    // Orders off: look again soon; cheap, and keeps the loop simple.
                    None => tokio::time::sleep(Duration::from_millis(50)).await,
                }
            }
        })
    }

    pub(crate) fn with<T>(&self, f: impl FnOnce(&mut SimState) -> T) -> T {
        let mut state = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut state)
    }

    /// Direct access for in-process tests and benchmarks (the admin endpoints do the same over
    /// HTTP).
    pub fn inspect<T>(&self, f: impl FnOnce(&SimState) -> T) -> T {
        self.with(|s| f(s))
    }

    pub fn set_faults(&self, faults: Faults) {
        self.with(|s| s.faults = faults);
    }

    pub fn set_level(&self, item: &str, location: &str, available: i64) {
        self.with(|s| s.set_level(item, location, available));
    }

    pub fn sell(&self, item: &str, location: &str, qty: i64) -> i64 {
        self.with(|s| s.sell(item, location, qty))
    }

    /// Simulated orders: one every `every`, of 1 to `max_qty` units, from a random level that
    /// has stock. `None` stops them.
    pub fn set_orders(&self, plan: Option<state::OrderPlan>) {
        self.with(|s| s.orders = plan);
    }
}

pub use state::OrderPlan;

/// A server started by [`Sim::serve`]. Dropping it stops the server too.
pub struct RunningSim {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    server: JoinHandle<()>,
    orders: JoinHandle<()>,
}

impl RunningSim {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, finishes requests in flight, closes every connection.
    pub async fn stop(mut self) {
        self.orders.abort();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        // Bounded: a hung request (a simulated timeout) holds the server at most this long.
        let _ = tokio::time::timeout(Duration::from_secs(10), &mut self.server).await;
        self.server.abort();
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        self.orders.abort();
        self.server.abort();
    }
}

/// Runs the simulator on its own runtime until Ctrl-C: the `shelfsync-sim` binary and
/// `shelfsync sim` both come here.
pub fn run_until_ctrl_c(sim: Sim, port: u16) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    runtime.block_on(async {
        let running = sim.serve(port).await?;
        // Written, not println!: a reader that closed our stdout after the first line (a test
        // reading the URL) must not kill the simulator with a broken-pipe panic.
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "shelfsync-sim: Shopify Admin GraphQL at {}/admin/api/2026-04/graphql.json",
            running.url()
        );
        let _ = writeln!(
            out,
            "shelfsync-sim: admin at {0}/admin/state, {0}/admin/faults, {0}/admin/levels",
            running.url()
        );
        let _ = writeln!(
            out,
            "shelfsync-sim: Amazon SP-API at {0} (LWA {0}/auth/o2/token, admin {0}/amazon/admin/state)",
            running.url()
        );
        let _ = writeln!(
            out,
            "shelfsync-sim: eBay Sell Inventory at {0}/sell/inventory/v1 (admin {0}/ebay/admin/state)",
            running.url()
        );
        drop(out);
        tokio::signal::ctrl_c().await?;
        running.stop().await;
        Ok(())
    })
}

impl Sim {
    /// An inventory item of the shop with its SKU (`None`: an item with no SKU), as the
    /// `inventoryItems` query lists it.
    pub fn add_inventory_item(&self, item: &str, sku: Option<&str>) {
        self.with(|s| {
            s.catalogue.insert(item.to_string(), sku.map(str::to_string));
        });
    }

    /// A location of the shop, as the `locations` query lists it. While none is added, the
    /// shop's locations are those its levels name (or one default location).
    pub fn add_location(&self, id: &str, name: &str) {
        self.with(|s| {
            s.locations.insert(id.to_string(), name.to_string());
        });
    }

    /// Forgets a level, so a strict simulator refuses it as an unknown item.
    pub fn with_levels_removed(&self, item: &str, location: &str) {
        self.with(|s| {
            s.levels.remove(&(item.to_string(), location.to_string()));
        });
    }
}

impl Sim {
    /// Another app spends the whole cost bucket: the next call is THROTTLED unless it waits.
    pub fn drain_bucket(&self) {
        self.with(|s| {
            s.bucket.refill();
            s.bucket.available = 0.0;
        });
    }
}
