//! `shelfsync drift`: audits against the channels, their history and stored runs.

use serde_json::json;
use shelfsync_capture::drift;
use shelfsync_sync::credentials::Secrets;

use super::runtime;
use crate::capture_args::DriftCommand;
use crate::context::Context;
use crate::{CliError, output};

pub fn drift(ctx: &Context, command: DriftCommand) -> Result<(), CliError> {
    let (top, all, csv) = match command {
        DriftCommand::Report { top, all, csv } => (top, all, csv),
        DriftCommand::History { limit } => return drift_history(ctx, limit),
        DriftCommand::Show { run } => return drift_show(ctx, run),
    };
    if !all && (top == 0 || top > drift::MAX_TOP) {
        return Err(CliError::Usage(format!("--top must be 1 to {}", drift::MAX_TOP)));
    }
    let store = ctx.open_existing()?;
    let secrets = Secrets::for_database(&ctx.db_path);
    let started = chrono::Utc::now();
    let report = if all {
        runtime()?.block_on(drift::report_full(&ctx.db_path, &secrets))
    } else {
        runtime()?.block_on(drift::report(&ctx.db_path, &secrets, top))
    }?;
    drift::record(&store, drift::DriftScope::Manual, &report, started, chrono::Utc::now(), &ctx.actor())?;
    if let Some(path) = csv {
        std::fs::write(&path, drift::to_csv(&report))
            .map_err(|source| CliError::WriteFile { path: path.display().to_string(), source })?;
    }
    if ctx.json {
        output::json(&report);
        return Ok(());
    }
    print_drift_rows(&report);
    Ok(())
}

fn print_drift_rows(report: &drift::DriftReport) {
    let rows: Vec<Vec<String>> = report
        .rows
        .iter()
        .map(|r| {
            vec![
                r.sku.clone(),
                r.channel.clone(),
                r.velocity_30d.to_string(),
                r.expected.to_string(),
                r.channel_qty.map_or("-".into(), |q| q.to_string()),
                r.variance.map_or("-".into(), |v| v.to_string()),
                if r.flagged { "FLAG".into() } else { String::new() },
            ]
        })
        .collect();
    output::table(&["sku", "channel", "sold 30d", "expected", "channel", "variance", ""], &rows);
}

fn drift_history(ctx: &Context, limit: usize) -> Result<(), CliError> {
    if !(1..=1_000).contains(&limit) {
        return Err(CliError::Usage("--limit must be 1 to 1000".into()));
    }
    let store = ctx.open_existing()?;
    let runs = drift::history(&store, limit)?;
    if ctx.json {
        output::json(&runs);
        return Ok(());
    }
    let rows: Vec<Vec<String>> = runs
        .iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                r.scope.as_str().to_string(),
                r.started_at.clone(),
                r.checked.to_string(),
                r.flagged.to_string(),
                r.actor.clone(),
            ]
        })
        .collect();
    output::table(&["run", "scope", "started", "checked", "flagged", "by"], &rows);
    Ok(())
}

fn drift_show(ctx: &Context, run: i64) -> Result<(), CliError> {
    let store = ctx.open_existing()?;
    let Some((record, report)) = drift::stored_run(&store, run)? else {
        return Err(CliError::Usage(format!("no drift audit {run}: `shelfsync drift history` lists them")));
    };
    if ctx.json {
        output::json(&json!({ "run": record, "report": report }));
        return Ok(());
    }
    output::line(&format!(
        "run {} ({}, {}): {} checked, {} flagged, {} rows kept",
        record.id,
        record.scope.as_str(),
        record.started_at,
        record.checked,
        record.flagged,
        record.rows_kept
    ));
    print_drift_rows(&report);
    Ok(())
}
