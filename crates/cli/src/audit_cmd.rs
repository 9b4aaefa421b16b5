//! `shelfsync audit list` (issue 20): a page of the audit chain, newest first, filtered by
//! user, item, kind and time, as the app's Audit screen shows it. The query and its limits are
//! the store's (`Store::audit_entries`); this module parses and prints. `audit verify` stays
//! in `ledger_cmd`.

use clap::Args;
use shelfsync_store::AuditFilter;

use crate::context::Context;
use crate::{CliError, output};

#[derive(Args, Debug)]
pub struct AuditListArgs {
    /// Entries made by this user, exactly as the chain names them (ana, service:WS1, hub:WS2).
    /// Not `--user`: that is who runs the command, and is needed here (a supervisor or admin)
    #[arg(long)]
    actor: Option<String>,
    /// Entries about this item: its stock events, count lines, held movements, kit and packs
    #[arg(long)]
    sku: Option<String>,
    /// A family (event, count, user, channel, ...) or one kind (event.receive, user.add)
    #[arg(long)]
    kind: Option<String>,
    /// From this time on: RFC 3339 (2026-12-04T09:30:00Z) or a date (its first instant, UTC)
    #[arg(long)]
    since: Option<String>,
    /// Before this time: RFC 3339, or a date (up to the end of that day, UTC)
    #[arg(long)]
    until: Option<String>,
    /// Entries older than this number: the `next_before` of the page before
    #[arg(long)]
    before: Option<i64>,
    /// Entries in the page, 1 to 500 (default 50)
    #[arg(long)]
    limit: Option<u32>,
}

pub fn list(ctx: &Context, args: AuditListArgs) -> Result<(), CliError> {
    let filter = AuditFilter {
        actor: args.actor,
        sku: args.sku,
        kind: args.kind,
        since: args.since,
        until: args.until,
        before: args.before,
        limit: args.limit,
    };
    let page = ctx.open_existing()?.audit_entries(&filter)?;
    if ctx.json {
        output::json(&page);
        return Ok(());
    }
    let rows: Vec<Vec<String>> = page
        .entries
        .iter()
        .map(|e| {
            vec![
                e.seq.to_string(),
                e.at.clone(),
                e.actor.clone(),
                e.kind.clone(),
                e.sku.clone().unwrap_or_default(),
                e.subject.clone(),
            ]
        })
        .collect();
    output::table(&["#", "at", "by", "kind", "sku", "subject"], &rows);
    if let Some(before) = page.next_before {
        output::line(&format!("more: --before {before}"));
    }
    Ok(())
}
