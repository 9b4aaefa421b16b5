//! `shelfsync`: the command line over the engine crates. Scripts and acceptance checks depend
//! on its forms (`shared/cli.md`); every failure prints one `error: ...` line and exits 1,
//! having changed nothing.

mod args;
mod auth;
mod context;
mod error;
mod ledger_cmd;
mod output;

use clap::Parser;

use crate::args::Cli;
use crate::context::Context;
pub use crate::error::CliError;

fn main() {
    let cli = Cli::parse();
    if let Err(error) = run(cli) {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> Result<(), CliError> {
    let ctx = Context::from_globals(&cli.globals)?;
    ledger_cmd::run(&ctx, cli.command)
}
