//! `shelfsync webhook|orders|reconcile|drift|alerts|incidents|health`.

use shelfsync_capture::{poll, reconcile};
use shelfsync_sync::credentials::Secrets;

use crate::capture_args::{OrdersCommand, ReconcileArgs};
use crate::context::Context;
use crate::{CliError, output};

fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    Ok(tokio::runtime::Builder::new_current_thread().enable_all().build()?)
}

mod audit;
mod hours;
mod live;
mod oversight;

pub use audit::drift;
use live::listen;
pub use live::{channel_notifications, live, webhook};
pub use oversight::{alerts, health, incidents};

pub fn orders(ctx: &Context, command: OrdersCommand) -> Result<(), CliError> {
    match command {
        OrdersCommand::Listen { channel, once } => listen(ctx, channel, once),
        OrdersCommand::Poll { channel } => {
            ctx.open_existing()?;
            let secrets = Secrets::for_database(&ctx.db_path);
            let reports = runtime()?.block_on(poll::poll(&ctx.db_path, &secrets, channel.as_deref()))?;
            if ctx.json {
                output::json(&reports);
            } else {
                for r in &reports {
                    output::line(&format!(
                        "{}: {} orders read, {} events booked, {} already booked, {} unmapped lines, {} errors",
                        r.channel,
                        r.fetched,
                        r.recorded,
                        r.duplicates,
                        r.unmapped,
                        r.errors.len()
                    ));
                }
            }
            Ok(())
        }
        OrdersCommand::CaptureRate { channel, days } => {
            let store = ctx.open_existing()?;
            let rates = poll::capture_rates(&store, channel.as_deref(), days.clamp(1, 366))?;
            if ctx.json {
                output::json(&rates);
            } else {
                let rows: Vec<Vec<String>> = rates
                    .iter()
                    .map(|r| {
                        vec![
                            r.channel.clone(),
                            r.day.clone(),
                            r.webhook_orders.to_string(),
                            r.channel_orders.to_string(),
                            format!("{:.1}%", r.rate_percent),
                        ]
                    })
                    .collect();
                output::table(&["channel", "day", "webhook", "orders", "rate"], &rows);
            }
            Ok(())
        }
    }
}

pub fn reconcile(ctx: &Context, args: ReconcileArgs) -> Result<(), CliError> {
    ctx.open_existing()?;
    let secrets = Secrets::for_database(&ctx.db_path);
    let reports = runtime()?.block_on(reconcile::reconcile(
        &ctx.db_path,
        &secrets,
        args.channel.as_deref(),
        args.dry_run,
    ))?;
    if ctx.json {
        // One channel: the object of shared/cli.md; several: a list of them.
        match reports.as_slice() {
            [one] => output::json(one),
            many => output::json(many),
        }
        return Ok(());
    }
    for report in &reports {
        output::line(&format!(
            "{}: {} listings checked, {} gaps (rule: {})",
            report.channel,
            report.checked,
            report.gaps.len(),
            report.rule
        ));
        for g in &report.gaps {
            output::line(&format!(
                "  {} at {}: expected {}, channel {} -> {} ({})",
                g.sku,
                g.location.as_deref().unwrap_or("-"),
                g.expected,
                g.channel_qty.map_or("missing".into(), |q| q.to_string()),
                g.class,
                g.action
            ));
        }
    }
    Ok(())
}
