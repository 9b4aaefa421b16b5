//! `shelfsync webhook serve|live` and Amazon notifications: the service's command-line front.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use serde_json::json;
use shelfsync_capture::{notifications, service};
use shelfsync_sync::credentials::Secrets;

use super::runtime;
use crate::capture_args::{LiveServeArgs, ServeArgs, WebhookCommand};
use crate::context::Context;
use crate::{CliError, output};

pub fn webhook(ctx: &Context, command: WebhookCommand) -> Result<(), CliError> {
    let WebhookCommand::Serve(args) = command;
    serve(ctx, args)
}

fn serve(ctx: &Context, args: ServeArgs) -> Result<(), CliError> {
    let ip: IpAddr =
        args.bind.parse().map_err(|_| CliError::Usage(format!("invalid --bind address '{}'", args.bind)))?;
    run_service(ctx, Some(SocketAddr::new(ip, args.port)), args.poll_minutes, args.reconcile_hours)
}

/// `shelfsync serve`.
pub fn live(ctx: &Context, args: LiveServeArgs) -> Result<(), CliError> {
    let ip: IpAddr =
        args.bind.parse().map_err(|_| CliError::Usage(format!("invalid --bind address '{}'", args.bind)))?;
    let webhook = args.port.map(|port| SocketAddr::new(ip, port));
    run_service(ctx, webhook, args.poll_minutes, args.reconcile_hours)
}

/// Longest schedule accepted: a week (beyond it the guide's safety nets stop meaning anything).
const MAX_POLL_MINUTES: u64 = 7 * 24 * 60;
const MAX_RECONCILE_HOURS: u64 = 7 * 24;

fn run_service(
    ctx: &Context,
    webhook: Option<SocketAddr>,
    poll_minutes: u64,
    reconcile_hours: u64,
) -> Result<(), CliError> {
    if !(1..=MAX_POLL_MINUTES).contains(&poll_minutes)
        || !(1..=MAX_RECONCILE_HOURS).contains(&reconcile_hours)
    {
        return Err(CliError::Usage(format!(
            "--poll-minutes must be 1 to {MAX_POLL_MINUTES} and --reconcile-hours 1 to {MAX_RECONCILE_HOURS}"
        )));
    }
    ctx.open_existing()?;
    // A long-running service logs to a rolling file as well as stderr (the journal under
    // systemd); without a usable log folder it still logs to stderr rather than not start.
    let _log =
        shelfsync_logging::init(None, "shelfsync-serve").or_else(|_| shelfsync_logging::init_stderr_only());
    let mut config = service::ServiceConfig::new(&ctx.workstation);
    config.webhook = webhook;
    config.schedule.poll_every = Duration::from_secs(poll_minutes * 60);
    config.schedule.reconcile_every = Duration::from_secs(reconcile_hours * 3600);
    let json = ctx.json;
    let db = ctx.db_path.display().to_string();
    service::run_until_signal(&ctx.db_path, config, |status| {
        if json {
            // `url` and `path` are `webhook serve`'s contract (shared/cli.md); the rest is new.
            // One line: a long-running command's output is read line by line.
            output::line(
                &json!({
                    "url": status.webhook_url,
                    "path": status.webhook_url.as_ref().map(|_| "/webhooks/shopify/CHANNEL_NAME"),
                    "holder": status.holder,
                    "database": db,
                })
                .to_string(),
            );
        } else {
            // The receiver's URL first: scripts read it from the first line.
            if let Some(url) = &status.webhook_url {
                output::line(&format!("shelfsync: Shopify webhooks at {url}/webhooks/shopify/CHANNEL_NAME"));
            }
            output::line(&format!("shelfsync: serving {db} as {}", status.holder));
        }
    })
    .map_err(CliError::from)
}

/// `shelfsync channel notifications NAME --queue-url URL --region R`.
pub fn channel_notifications(
    ctx: &Context,
    name: &str,
    queue_url: &str,
    region: &str,
) -> Result<(), CliError> {
    ctx.open_existing()?;
    let from_env = |var: &str| -> Result<shelfsync_sync::credentials::Secret, CliError> {
        let value = std::env::var(var).map_err(|_| {
            CliError::Usage(format!("{var} is not set (the AWS key pair that may read the queue)"))
        })?;
        shelfsync_sync::credentials::Secret::new(value).map_err(|e| CliError::Usage(format!("{var}: {e}")))
    };
    let key_id = from_env("SHELFSYNC_AWS_ACCESS_KEY_ID")?;
    let secret = from_env("SHELFSYNC_AWS_SECRET_ACCESS_KEY")?;
    let secrets = Secrets::for_database(&ctx.db_path);
    let report = runtime()?.block_on(notifications::configure(
        &ctx.db_path,
        &secrets,
        name,
        queue_url,
        region,
        &key_id,
        &secret,
    ))?;
    if ctx.json {
        output::json(&report);
    } else {
        let said = |reused: bool| if reused { "found" } else { "created" };
        output::line(&format!(
            "{name}: ORDER_CHANGE notifications to {} (destination {} {}, subscription {} {})",
            report.queue_arn,
            report.destination_id,
            said(report.destination_reused),
            report.subscription_id,
            said(report.subscription_reused)
        ));
    }
    Ok(())
}

fn print_listen(ctx: &Context, reports: &[notifications::ListenReport]) {
    if ctx.json {
        output::json(&reports);
        return;
    }
    for r in reports {
        output::line(&format!(
            "{}: {} messages, {} events booked, {} already booked, {} dropped, {} deleted, {} kept{}",
            r.channel,
            r.received,
            r.recorded,
            r.duplicates,
            r.rejected,
            r.deleted,
            r.kept,
            if r.errors.is_empty() { String::new() } else { format!(" ({})", r.errors.join("; ")) }
        ));
    }
}

/// `shelfsync orders listen [--channel NAME] [--once]`.
pub(super) fn listen(ctx: &Context, channel: Option<String>, once: bool) -> Result<(), CliError> {
    ctx.open_existing()?;
    let secrets = Secrets::for_database(&ctx.db_path);
    let runtime = runtime()?;
    if once {
        let reports = runtime.block_on(notifications::listen_once(
            &ctx.db_path,
            &secrets,
            channel.as_deref(),
            std::time::Duration::from_secs(20),
        ))?;
        print_listen(ctx, &reports);
        return Ok(());
    }
    // Checked once up front so a typo is one error line, not a silent loop.
    notifications::configured(&ctx.open_existing()?, channel.as_deref())?;
    let holder = format!("orders-listen (pid {})", std::process::id());
    let leading = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let db = ctx.db_path.clone();
    runtime.block_on(async {
        let (stop_tx, stop) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            let _ = tokio::signal::ctrl_c().await;
            let _ = stop_tx.send(true);
        });
        // The lease rule: this process listens only while it holds the sync lease (a running
        // service elsewhere keeps it; this command then waits).
        let lease_db = db.clone();
        let lease_flag = leading.clone();
        let lease_holder = holder.clone();
        let mut lease_stop = stop.clone();
        let lease = tokio::spawn(async move {
            loop {
                let held = shelfsync_store::Store::open(&lease_db).ok().and_then(|s| {
                    shelfsync_sync::lease::acquire(&s, &lease_holder, std::time::Duration::from_secs(30)).ok()
                });
                let now = matches!(held, Some(shelfsync_sync::lease::Lease::Held));
                if lease_flag.swap(now, std::sync::atomic::Ordering::SeqCst) != now {
                    output::line(if now {
                        "holding the sync lease: listening"
                    } else {
                        "another process holds the sync lease: waiting"
                    });
                }
                tokio::select! {
                    _ = tokio::time::sleep(std::time::Duration::from_secs(10)) => {}
                    _ = lease_stop.changed() => break,
                }
            }
            if let Ok(store) = shelfsync_store::Store::open(&lease_db) {
                let _ = shelfsync_sync::lease::release(&store, &lease_holder);
            }
        });
        notifications::run(&db, &secrets, channel.as_deref(), &leading, stop, |report| {
            if report.received > 0 || !report.errors.is_empty() {
                print_listen(ctx, std::slice::from_ref(report));
            }
        })
        .await;
        let _ = lease.await;
    });
    Ok(())
}
