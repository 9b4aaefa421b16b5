//! `shelfsync bench scenario NAME`: the guide's scenarios, ShelfSync beside batch sync.

use clap::Subcommand;

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
    },
}

pub fn run(_ctx: &Context, _command: BenchCommand) -> Result<(), CliError> {
    Err(CliError::Usage("bench: the scenario runner is being built (issue #9)".into()))
}
