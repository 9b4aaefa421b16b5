//! `shelfsync hub ...`: join this workstation to the shared PostgreSQL ledger and replicate.

use clap::Subcommand;

use crate::CliError;
use crate::context::Context;

#[derive(Subcommand)]
pub enum HubCommand {
    /// Join this workstation's database to the shared ledger at URL (postgres://...)
    Connect {
        url: String,
        #[arg(long = "workstation")]
        workstation_name: String,
    },
    /// Ship local events up and pull the others' down
    Sync {
        /// Until caught up, then exit
        #[arg(long)]
        once: bool,
    },
    /// Connection state, pending uploads and lag
    Status,
}

pub fn run(_ctx: &Context, _command: HubCommand) -> Result<(), CliError> {
    Err(CliError::Usage("hub: replication is being built (issue #11)".into()))
}
