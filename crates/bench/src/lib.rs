//! The guide's scenarios, ShelfSync beside periodic batch sync, each with a fixed seed
//! (`shelfsync bench scenario NAME [--quick] [--json]`).
//!
//! Two kinds of run, said plainly in every report:
//! - flash-sale, webhook-loss, sync-halt and offline-override span minutes to days, so they
//!   run as a discrete-event simulation on a virtual clock ([`world`]): the ledger is the real
//!   one (a SQLite file, the store's append, capture's event ids and deduplication, the store's
//!   allocation), the delays are stated parameters ([`timing`]);
//! - rate-limit runs for real: the sync engine against the channel simulator over loopback
//!   HTTP, with sales arriving while a whole catalogue is re-pushed ([`rate_limit`]).

pub mod demand;
pub mod flash;
pub mod halt;
pub mod ledger;
pub mod loss;
pub mod offline;
pub mod rate_limit;
pub mod report;
pub mod timing;
pub mod world;

pub use report::{Report, Row};

/// Every scenario's seed: fixed, so a run replays.
pub const SEED: u64 = 20_261_126;

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error(
        "unknown scenario '{0}': expected one of flash-sale, webhook-loss, sync-halt, offline-override, rate-limit"
    )]
    UnknownScenario(String),
    #[error("ledger: {0}")]
    Store(#[from] shelfsync_store::StoreError),
    #[error("sync: {0}")]
    Sync(#[from] shelfsync_sync::SyncError),
    #[error("capture: {0}")]
    Capture(#[from] shelfsync_capture::CaptureError),
    #[error("domain: {0}")]
    Domain(#[from] shelfsync_core::DomainError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Invalid(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    FlashSale,
    WebhookLoss,
    SyncHalt,
    OfflineOverride,
    RateLimit,
}

impl Scenario {
    pub const ALL: [Scenario; 5] = [
        Scenario::FlashSale,
        Scenario::WebhookLoss,
        Scenario::SyncHalt,
        Scenario::OfflineOverride,
        Scenario::RateLimit,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scenario::FlashSale => "flash-sale",
            Scenario::WebhookLoss => "webhook-loss",
            Scenario::SyncHalt => "sync-halt",
            Scenario::OfflineOverride => "offline-override",
            Scenario::RateLimit => "rate-limit",
        }
    }

    pub fn parse(name: &str) -> Result<Scenario, BenchError> {
        Scenario::ALL
            .into_iter()
            .find(|s| s.name() == name)
            .ok_or_else(|| BenchError::UnknownScenario(name.into()))
    }

    /// Runs the scenario; `quick` scales it down to seconds (CI), keeping every mode.
    pub fn run(self, quick: bool) -> Result<Report, BenchError> {
        self.run_with(&Options { quick, ..Options::default() })
    }

    pub fn run_with(self, options: &Options) -> Result<Report, BenchError> {
        options.check()?;
        let mut report = match self {
            Scenario::FlashSale => flash::run(options)?,
            Scenario::WebhookLoss => loss::run(options)?,
            Scenario::SyncHalt => halt::run(options)?,
            Scenario::OfflineOverride => offline::run(options)?,
            Scenario::RateLimit => rate_limit::run(options.quick)?,
        };
        report.quick = options.quick;
        Ok(report)
    }
}

/// Most extra batch intervals one run compares: each adds a full simulation per scenario.
pub const MAX_EXTRA_INTERVALS: usize = 5;

/// Longest batch interval: a day; anything longer never runs inside most scenarios.
pub const MAX_BATCH_SECONDS: u64 = 86_400;

#[derive(Clone, Debug, Default)]
pub struct Options {
    pub quick: bool,
    /// Batch intervals (seconds) compared besides the standard 15 min, 5 min and 30 s.
    pub batch_every: Vec<u64>,
    /// Another seed than [`SEED`], to see a scenario's spread over many runs (the simulated
    /// scenarios; rate-limit keeps [`SEED`]).
    pub seed: Option<u64>,
}

impl Options {
    /// The seed this run uses.
    pub fn seed(&self) -> u64 {
        self.seed.unwrap_or(SEED)
    }

    fn check(&self) -> Result<(), BenchError> {
        if self.batch_every.len() > MAX_EXTRA_INTERVALS {
            return Err(BenchError::Invalid(format!(
                "at most {MAX_EXTRA_INTERVALS} extra batch intervals, got {}",
                self.batch_every.len()
            )));
        }
        if let Some(bad) = self.batch_every.iter().find(|s| !(1..=MAX_BATCH_SECONDS).contains(*s)) {
            return Err(BenchError::Invalid(format!(
                "a batch interval must be 1 to {MAX_BATCH_SECONDS} seconds, got {bad}"
            )));
        }
        Ok(())
    }

    /// The batch modes to compare: the standard intervals, then the extra ones.
    pub fn batch_modes(&self) -> Vec<world::Mode> {
        let standard = timing::BATCH_INTERVALS.iter().map(|(name, every)| (name.to_string(), *every));
        let extra = self.batch_every.iter().map(|s| (format!("batch-{s}s"), *s as i64 * 1000));
        standard.chain(extra).map(|(name, every)| world::Mode::batch(name, every)).collect()
    }

    /// ShelfSync, then every batch mode.
    pub fn standard_modes(&self) -> Vec<world::Mode> {
        let mut modes = vec![world::Mode::shelfsync()];
        modes.extend(self.batch_modes());
        modes
    }
}
