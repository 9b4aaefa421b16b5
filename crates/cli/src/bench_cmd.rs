//! `shelfsync bench scenario NAME`: the guide's scenarios, ShelfSync beside batch sync.
//!
//! Scenarios make their own ledgers in temporary directories: `--db` is never touched, so a
//! benchmark cannot disturb a real warehouse's data.

use clap::Subcommand;
use shelfsync_bench::{Options, Scenario};

use crate::CliError;
use crate::context::Context;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Run one scenario and print its table: flash-sale | webhook-loss | sync-halt |
    /// offline-override | rate-limit
    Scenario {
        name: String,
        /// A scaled-down run that keeps the scenario working in CI (no timings are checked)
        #[arg(long)]
        quick: bool,
        /// Also compare a batch sync running every SECONDS (repeatable; the 15 min, 5 min and
        /// 30 s batches always run). Not used by rate-limit.
        #[arg(long = "batch-every", value_name = "SECONDS")]
        batch_every: Vec<u64>,
        /// Another seed than the fixed one (flash-sale, webhook-loss, sync-halt,
        /// offline-override), to see the spread over many runs
        #[arg(long)]
        seed: Option<u64>,
    },
}

pub fn run(ctx: &Context, command: BenchCommand) -> Result<(), CliError> {
    let BenchCommand::Scenario { name, quick, batch_every, seed } = command;
    // Parsed before anything runs, so a wrong name fails at once.
    let scenario = Scenario::parse(&name).map_err(|e| CliError::Usage(e.to_string()))?;
    if seed.is_some() && scenario == Scenario::RateLimit {
        return Err(CliError::Usage(
            "bench rate-limit: --seed applies to the simulated scenarios only".into(),
        ));
    }
    let options = Options { quick, batch_every, seed };
    let report = scenario.run_with(&options).map_err(|e| CliError::Usage(format!("bench {name}: {e}")))?;
    if ctx.json {
        let text = serde_json::to_string_pretty(&report.json_rows())
            .map_err(|e| CliError::Usage(format!("bench {name}: {e}")))?;
        println!("{text}");
    } else {
        print!("{}", report.markdown());
    }
    Ok(())
}
