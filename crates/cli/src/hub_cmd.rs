//! `shelfsync hub ...`: join this workstation to the shared PostgreSQL ledger and replicate.

use std::io::IsTerminal;
use std::time::Duration;

use clap::Subcommand;
use shelfsync_channels::ChannelKind;
use shelfsync_hub::{HubError, HubTarget, NodeConfig};
use shelfsync_sync::EngineConfig;
use shelfsync_sync::config::{self, required_secrets};
use shelfsync_sync::credentials::{Secret, Secrets};

use crate::context::Context;
use crate::{CliError, output};
use shelfsync_core::Action;

#[derive(Subcommand)]
pub enum HubCommand {
    /// Join this workstation's database to the shared ledger at URL (postgres://USER@HOST/DB,
    /// no password: it comes from SHELFSYNC_HUB_PASSWORD or a prompt), under the name given by
    /// the global --workstation NAME (default: the host name). USER is the hub's owner, which
    /// creates this workstation's own login (only that is kept), or that login itself. TLS is
    /// required unless the hub is on this machine; add ?sslrootcert=PATH for a private CA
    Connect { url: String },
    /// Ship local events up and pull the others' down; run the sync engine while this
    /// workstation holds the lease
    Sync {
        /// Until caught up, then exit (the engine does not run)
        #[arg(long)]
        once: bool,
        /// Lifetime of the engine lease in seconds: a dead holder is replaced within about 4/3 of it
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600))]
        lease_ttl: u64,
        /// Replicate only: never take the lease or run the engine here
        #[arg(long)]
        no_engine: bool,
    },
    /// Connection state, pending uploads, lag and the engine's workstation
    Status,
    /// Conflicts the hub found across workstations, for a supervisor
    Discrepancies,
    /// Store this workstation's secrets for a channel that arrived from the hub (read from the
    /// same environment variables as `channel add`)
    Credentials { channel: String },
}

pub fn run(ctx: &Context, command: HubCommand) -> Result<(), CliError> {
    match command {
        HubCommand::Connect { url } => connect(ctx, &url, &ctx.workstation),
        HubCommand::Sync { once, lease_ttl, no_engine } => sync(ctx, once, lease_ttl, no_engine),
        HubCommand::Status => status(ctx),
        HubCommand::Discrepancies => discrepancies(ctx),
        HubCommand::Credentials { channel } => credentials(ctx, &channel),
    }
}

/// Joining a hub and storing channel secrets are an admin's: on a database with users, the
/// `--user` (verified with their PIN before the command runs) must be allowed by the one role
/// policy. A database with no users is being set up, and whoever holds the file acts.
fn require(ctx: &Context, action: Action) -> Result<(), CliError> {
    match ctx.signed_in() {
        Some(user) => Ok(shelfsync_store::require(user, action)?),
        None => crate::auth::require(ctx, action).map(|_| ()),
    }
}

/// Where `hub connect` reads the hub password from; never argv.
const PASSWORD_ENV: &str = "SHELFSYNC_HUB_PASSWORD";

/// The hub password: `SHELFSYNC_HUB_PASSWORD`, else a prompt on a terminal, else none (a hub
/// on this machine with `trust` or peer authentication needs none).
fn hub_password(target: &HubTarget) -> Result<Option<String>, CliError> {
    if let Ok(password) = std::env::var(PASSWORD_ENV)
        && !password.is_empty()
    {
        return Ok(Some(password));
    }
    if std::io::stdin().is_terminal() {
        let password = rpassword::prompt_password(format!("password for {target} (empty for none): "))?;
        return Ok(Some(password).filter(|p| !p.is_empty()));
    }
    Ok(None)
}

fn connect(ctx: &Context, url: &str, workstation: &str) -> Result<(), CliError> {
    let target = HubTarget::parse(url)?;
    if target.has_password() {
        return Err(CliError::Usage(format!(
            "the hub password does not go on the command line, where other users of this computer \
             can read it: give the URL without it and set {PASSWORD_ENV}, or let `shelfsync hub \
             connect` ask for it"
        )));
    }
    ctx.open_existing()?;
    require(ctx, Action::HubConnect)?;
    let password = hub_password(&target)?;
    let joined = shelfsync_hub::connect_with_blocking(&ctx.db_path, url, password.as_deref(), workstation)
        .map_err(|error| match error {
            // The server wants a password and none was given: say where it comes from.
            HubError::Unreachable { ref reason, .. } if password.is_none() && reason.contains("password missing") => {
                CliError::Usage(format!(
                    "{error}: the hub wants a password; set {PASSWORD_ENV} or run `shelfsync hub connect` on a terminal"
                ))
            }
            other => other.into(),
        })?;
    if ctx.json {
        output::json(&joined);
    } else {
        output::line(&format!("joined hub {} as {}", joined.hub, joined.workstation));
    }
    Ok(())
}

fn sync(ctx: &Context, once: bool, lease_ttl: u64, no_engine: bool) -> Result<(), CliError> {
    ctx.open_existing()?;
    let lease_ttl = Duration::from_secs(lease_ttl);
    let engine = EngineConfig { lease_ttl, ..EngineConfig::default() };
    let config = NodeConfig {
        lease_ttl,
        engine: if no_engine { None } else { Some(engine) },
        once,
        ..NodeConfig::default()
    };
    let report = shelfsync_hub::run_blocking(&ctx.db_path, config)?;
    let json = serde_json::json!({
        "rounds": report.rounds, "pushed": report.pushed, "pulled": report.pulled, "refused": report.refused_up,
    });
    if ctx.json {
        output::json(&json);
    } else {
        output::line(&format!("pushed {} events, pulled {}", report.pushed, report.pulled));
        for id in &report.refused_up {
            output::line(&format!("refused by the hub: event {id} (the same id with a different body)"));
        }
    }
    Ok(())
}

fn status(ctx: &Context) -> Result<(), CliError> {
    ctx.open_existing()?;
    let status = shelfsync_hub::hub_status(&ctx.db_path)?;
    if ctx.json {
        output::json(&status);
        return Ok(());
    }
    let Some(workstation) = &status.workstation else {
        output::line("not connected to a hub");
        return Ok(());
    };
    let or_never = |v: &Option<String>| v.clone().unwrap_or_else(|| "never".into());
    output::line(&format!("workstation   {workstation}"));
    output::line(&format!("hub           {}", status.hub.clone().unwrap_or_default()));
    output::line(&format!("connected     {}", if status.connected { "yes" } else { "no" }));
    output::line(&format!("pending up    {}", status.pending_up));
    output::line(&format!("last push     {}", or_never(&status.last_push)));
    output::line(&format!("last pull     {}", or_never(&status.last_pull)));
    output::line(&format!("lag (events)  {}", status.lag_events));
    output::line(&format!("engine runs on {}", status.engine.clone().unwrap_or_else(|| "nobody".into())));
    if status.discrepancies > 0 || status.refused > 0 {
        output::line(&format!("discrepancies {}, refused events {}", status.discrepancies, status.refused));
    }
    Ok(())
}

fn discrepancies(ctx: &Context) -> Result<(), CliError> {
    let store = ctx.open_existing()?;
    let found = store.hub_discrepancies()?;
    if ctx.json {
        output::json(&found);
        return Ok(());
    }
    let rows: Vec<Vec<String>> = found
        .iter()
        .map(|d| {
            vec![
                d.detected_at.clone(),
                d.sku.clone(),
                d.location.clone(),
                d.workstation.clone(),
                d.event_id.clone(),
                d.other_event_id.clone().unwrap_or_default(),
                d.detail.clone(),
            ]
        })
        .collect();
    output::table(&["detected", "sku", "location", "workstation", "event", "other event", "detail"], &rows);
    Ok(())
}

/// The environment variable each secret comes from, as `channel add` reads them.
fn env_var(secret: &str) -> &'static str {
    match secret {
        config::SHOPIFY_TOKEN => "SHELFSYNC_SHOPIFY_TOKEN",
        config::LWA_CLIENT_ID => "SHELFSYNC_LWA_CLIENT_ID",
        config::LWA_CLIENT_SECRET => "SHELFSYNC_LWA_CLIENT_SECRET",
        config::LWA_REFRESH_TOKEN => "SHELFSYNC_LWA_REFRESH_TOKEN",
        config::EBAY_CLIENT_ID => "SHELFSYNC_EBAY_CLIENT_ID",
        config::EBAY_CLIENT_SECRET => "SHELFSYNC_EBAY_CLIENT_SECRET",
        _ => "SHELFSYNC_EBAY_REFRESH_TOKEN",
    }
}

fn credentials(ctx: &Context, channel: &str) -> Result<(), CliError> {
    let store = ctx.open_existing()?;
    require(ctx, Action::HubCredentials)?;
    let kind = config::require_channel(&store, channel)?;
    let needed = required_secrets(kind);
    let missing: Vec<&str> = needed
        .iter()
        .map(|name| env_var(name))
        .filter(|var| std::env::var(var).map_or(true, |v| v.is_empty()))
        .collect();
    if !missing.is_empty() {
        return Err(CliError::Usage(format!("set {} for a {} channel", missing.join(", "), kind_name(kind))));
    }
    let secrets = Secrets::for_database(&ctx.db_path);
    let mut values = Vec::new();
    for name in needed {
        let value = std::env::var(env_var(name)).unwrap_or_default();
        values.push((*name, Secret::new(value)?));
    }
    let actor = ctx.actor();
    let by = shelfsync_store::By::new(&actor, &ctx.workstation);
    config::change_credentials(&store, by, &secrets, channel, &values)?;
    let json = serde_json::json!({ "channel": channel, "secrets": secrets.backend().as_str() });
    if ctx.json {
        output::json(&json);
    } else {
        output::line(&format!("stored the secrets of {channel} (in the {})", secrets.backend().as_str()));
    }
    Ok(())
}

fn kind_name(kind: ChannelKind) -> &'static str {
    kind.as_str()
}
