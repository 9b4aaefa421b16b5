//! `shelfsync sync ...` and `shelfsync sim`.

use shelfsync_sim::{Faults, Sim, SimConfig};
use shelfsync_sync::credentials::Secrets;
use shelfsync_sync::{Engine, EngineConfig, Mode, report, run_blocking};

use crate::context::Context;
use crate::sync_args::{DlqCommand, SimArgs, SyncCommand};
use crate::{CliError, output};

pub fn run(ctx: &Context, command: SyncCommand) -> Result<(), CliError> {
    match command {
        SyncCommand::Run { once } => run_engine(ctx, if once { Mode::Once } else { Mode::Daemon }),
        SyncCommand::Status => status(ctx),
        SyncCommand::Explain { sku, channel } => explain(ctx, &sku, &channel),
        SyncCommand::Dlq(DlqCommand::List) => dlq_list(ctx),
        SyncCommand::FlashSale(command) => crate::flash_cmd::run(ctx, command),
        SyncCommand::Dlq(DlqCommand::Retry { id }) => {
            let store = ctx.open_existing()?;
            let actor = ctx.actor();
            let by = shelfsync_store::By::new(&actor, &ctx.workstation);
            let count = report::retry_dead_letters(&store, by, id.as_deref())?;
            if ctx.json {
                output::json(&serde_json::json!({ "retried": count }));
            } else {
                output::line(&format!("re-queued {count} dead letters"));
            }
            Ok(())
        }
    }
}

fn run_engine(ctx: &Context, mode: Mode) -> Result<(), CliError> {
    ctx.open_existing()?;
    let config = EngineConfig {
        holder: format!("cli:{}:{}", ctx.workstation, std::process::id()),
        ..EngineConfig::default()
    };
    let engine = Engine::new(&ctx.db_path, Secrets::for_database(&ctx.db_path), config);
    let report = run_blocking(&engine, mode)?;
    let channels: Vec<serde_json::Value> = report
        .channels
        .iter()
        .map(|c| {
            serde_json::json!({
                "channel": c.channel, "calls": c.calls, "pushed": c.pushed, "throttled": c.throttled,
                "failures": c.failures, "stale": c.stale, "offline": c.offline,
            })
        })
        .collect();
    let skipped: Vec<serde_json::Value> =
        report.skipped.iter().map(|(c, why)| serde_json::json!({ "channel": c, "reason": why })).collect();
    if ctx.json {
        output::json(&serde_json::json!({ "channels": channels, "skipped": skipped }));
        return Ok(());
    }
    for c in &report.channels {
        let offline = if c.offline { ", offline" } else { "" };
        output::line(&format!(
            "{}: pushed {} in {} calls, {} throttled, {} failures{offline}",
            c.channel, c.pushed, c.calls, c.throttled, c.failures
        ));
    }
    for (channel, why) in &report.skipped {
        output::line(&format!("{channel}: not started: {why}"));
    }
    Ok(())
}

fn status(ctx: &Context) -> Result<(), CliError> {
    let store = ctx.open_existing()?;
    let statuses = report::status(&store)?;
    if ctx.json {
        output::json(&statuses);
        return Ok(());
    }
    let text = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let rows: Vec<Vec<String>> = statuses
        .iter()
        .map(|s| {
            vec![
                s.channel.clone(),
                s.state.clone(),
                s.queue_depth.to_string(),
                text(&s.last_success),
                s.errors_last_hour.to_string(),
                s.p95_latency_ms.map_or("-".into(), |ms| ms.to_string()),
                s.dead_letters.to_string(),
            ]
        })
        .collect();
    output::table(
        &["channel", "state", "queue", "last success", "errors 1h", "p95 ms", "dead letters"],
        &rows,
    );
    Ok(())
}

fn explain(ctx: &Context, sku: &str, channel: &str) -> Result<(), CliError> {
    let store = ctx.open_existing()?;
    // The explanation works from each location's ATP: an open blind count's number by another road.
    if crate::count_cmd::blind_for(ctx, &store)?.hides_any(sku) {
        return Err(CliError::Usage(format!(
            "{sku} is in an open blind count: its sync figures are hidden until the count is submitted (a supervisor sees them with --user)"
        )));
    }
    let explanations = report::explain(&store, sku, channel)?;
    if ctx.json {
        output::json(&explanations);
        return Ok(());
    }
    for e in &explanations {
        let now = &e.now;
        output::line(&format!(
            "{} at {} on {}: push {} = pool {} - safety {} -> {}% = {} - buffer {} cap {} adj {}",
            e.sku,
            e.location.as_deref().unwrap_or("all"),
            e.channel,
            now["qty"],
            now["pool"],
            now["safety_stock"],
            now["percent"],
            now["after_percent"],
            now["buffer"],
            now["cap"],
            now["channel_adjustment"],
        ));
        if let Some(kit) = now["kit"].as_array() {
            for at in kit {
                output::line(&format!(
                    "  kit at {}: {} whole kits, limited by {}",
                    at["location"].as_str().unwrap_or("?"),
                    at["atp"],
                    at["limiting_component"].as_str().unwrap_or("none"),
                ));
            }
        }
        if let Some(flash) = now["flash"].as_object() {
            output::line(&format!(
                "  flash sale: {} channel sales in {} s; this listing's share is {} of {} units over {} listings",
                flash["sales_in_window"],
                flash["window_secs"],
                flash["share"],
                flash["shared_units"],
                flash["listings"],
            ));
        }
        output::line(&format!(
            "  channel holds (last acknowledged): {}",
            e.channel_qty.map_or("unknown".into(), |q| q.to_string())
        ));
    }
    Ok(())
}

fn dlq_list(ctx: &Context) -> Result<(), CliError> {
    let store = ctx.open_existing()?;
    let letters = report::dead_letters(&store)?;
    if ctx.json {
        output::json(&letters);
        return Ok(());
    }
    let rows: Vec<Vec<String>> = letters
        .iter()
        .map(|d| {
            vec![
                d.id.clone(),
                d.channel.clone(),
                d.sku.clone(),
                d.desired_qty.to_string(),
                d.last_error.clone(),
            ]
        })
        .collect();
    output::table(&["id", "channel", "sku", "qty", "last error"], &rows);
    Ok(())
}

/// The simulator with the cost bucket of `--shopify-plan`; an explicit `--bucket` or
/// `--restore-rate` takes precedence over the plan's.
pub fn sim(args: SimArgs) -> Result<(), CliError> {
    let plan = SimConfig::for_plan(args.shopify_plan);
    let bucket_size = args.bucket.unwrap_or(plan.bucket_size);
    let restore_rate = args.restore_rate.unwrap_or(plan.restore_rate);
    let positive = |x: f64| x.is_finite() && x > 0.0;
    if !(positive(bucket_size) && positive(restore_rate)) {
        return Err(CliError::Usage("--bucket and --restore-rate must be positive".into()));
    }
    let config = SimConfig { seed: args.seed, bucket_size, restore_rate, faults: Faults::none(), ..plan };
    shelfsync_sim::run_until_ctrl_c(Sim::new(config), args.port)?;
    Ok(())
}
