//! `shelfsync`: the command line over the engine crates. Scripts and acceptance checks depend
//! on its forms (`shared/cli.md`); every failure prints one `error: ...` line and exits 1,
//! having changed nothing.

mod access;
mod args;
mod audit_cmd;
mod auth;
mod bench_cmd;
mod capture_args;
mod capture_cmd;
mod channel_cmd;
mod context;
mod count_cmd;
mod error;
mod flash_cmd;
mod hub_cmd;
mod kit_cmd;
mod label_cmd;
mod ledger_cmd;
mod lot_cmd;
mod output;
mod pack_cmd;
mod report_cmd;
mod scan_cmd;
mod scorecard_cmd;
mod sync_args;
mod sync_cmd;
mod user_cmd;

use clap::Parser;
use clap::error::ErrorKind;

use crate::args::{Cli, Command};
use crate::context::Context;
pub use crate::error::CliError;

fn main() {
    let cli = Cli::try_parse().unwrap_or_else(|error| exit_on_usage_error(error));
    if let Err(error) = run(cli) {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> Result<(), CliError> {
    let mut ctx = Context::from_globals(&cli.globals)?;
    // Every command is checked here, before it opens anything for writing: who acts and
    // whether the role policy lets them (crates/cli/src/access.rs has the table).
    ctx.acting = auth::authorize(&ctx, &access::access_of(&cli.command))?;
    // A sale, cancellation, reservation... of a kit is booked on its components.
    if kit_cmd::movement(&ctx, &cli.command)? {
        return Ok(());
    }
    match cli.command {
        Command::User(command) => user_cmd::run(&ctx, command),
        Command::Scan(command) => scan_cmd::run(&ctx, command),
        Command::Tolerance(command) => count_cmd::tolerance(&ctx, command),
        Command::Count(command) => count_cmd::count(&ctx, command),
        Command::Approvals(command) => count_cmd::approvals(&ctx, command),
        Command::Report(command) => count_cmd::report(&ctx, command),
        Command::Settings(args::SettingsCommand::Set { key, value }) => count_cmd::settings(&ctx, key, value),
        Command::Channel(command) => channel_cmd::run(&ctx, command),
        Command::Sync(command) => sync_cmd::run(&ctx, command),
        Command::Sim(args) => sync_cmd::sim(args),
        Command::Serve(args) => capture_cmd::live(&ctx, args),
        Command::Webhook(command) => capture_cmd::webhook(&ctx, command),
        Command::Orders(command) => capture_cmd::orders(&ctx, command),
        Command::Reconcile(args) => capture_cmd::reconcile(&ctx, args),
        Command::Drift(command) => capture_cmd::drift(&ctx, command),
        Command::Alerts(command) => capture_cmd::alerts(&ctx, command),
        Command::Incidents(command) => capture_cmd::incidents(&ctx, command),
        Command::Health => capture_cmd::health(&ctx),
        Command::Hub(command) => hub_cmd::run(&ctx, command),
        Command::Bench(command) => bench_cmd::run(&ctx, command),
        Command::Kit(command) => kit_cmd::run(&ctx, command),
        Command::Label(command) => label_cmd::run(&ctx, command),
        Command::Pack(command) => pack_cmd::run(&ctx, command),
        Command::Item(command) => lot_cmd::item(&ctx, command),
        Command::Lots(command) => lot_cmd::lots(&ctx, command),
        Command::Expiring(args) => lot_cmd::expiring(&ctx, args),
        Command::Audit(args::AuditCommand::List(args)) => audit_cmd::list(&ctx, args),
        Command::Stock { sku: Some(sku), location } if kit_cmd::is_kit(&ctx, &sku)? => {
            kit_cmd::stock(&ctx, &sku, location.as_deref())
        }
        command => ledger_cmd::run(&ctx, command),
    }
}

/// Help and version print as clap formats them; a usage error becomes the same one line as
/// every other error, so scripts read one format.
fn exit_on_usage_error(error: clap::Error) -> ! {
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        error.exit();
    }
    let rendered = error.render().to_string();
    let first = rendered.lines().next().unwrap_or("invalid arguments");
    eprintln!("error: {}", first.trim_start_matches("error: "));
    std::process::exit(2);
}
