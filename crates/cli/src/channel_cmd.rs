//! `shelfsync channel ...`: channels, mappings and allocation rules.

use shelfsync_channels::ChannelKind;
use shelfsync_store::By;
use shelfsync_sync::config::{
    self, EBAY_CLIENT_ID, EBAY_CLIENT_SECRET, EBAY_REFRESH_TOKEN, LWA_CLIENT_ID, LWA_CLIENT_SECRET,
    LWA_REFRESH_TOKEN, Mapping, NewChannel, RuleChange, SHOPIFY_TOKEN, SHOPIFY_WEBHOOK_SECRET,
};
use shelfsync_sync::credentials::{Secret, Secrets};
use shelfsync_sync::link::{self, LinkError, LinkOptions, LinkReport};

use crate::context::Context;
use crate::sync_args::{ChannelCommand, ChannelKindArg};
use crate::{CliError, output};

/// Sync errors print as their own one line.
pub fn run(ctx: &Context, command: ChannelCommand) -> Result<(), CliError> {
    match command {
        ChannelCommand::Add { kind, name, endpoint, shop, seller_id, marketplace, auth_endpoint } => {
            add(ctx, kind, name, endpoint, shop, seller_id, marketplace, auth_endpoint)
        }
        ChannelCommand::List => list(ctx),
        ChannelCommand::Notifications { name, queue_url, region } => {
            crate::capture_cmd::channel_notifications(ctx, &name, &queue_url, &region)
        }
        ChannelCommand::Test { name } => test(ctx, &name),
        ChannelCommand::Link { name, apply, location, remote_location } => {
            link(ctx, &name, LinkOptions { location, remote_location, apply })
        }
        ChannelCommand::Map { name, sku, location, item, remote_location } => {
            let store = ctx.open_existing()?;
            let mapping = Mapping { sku, location, remote_item: item, remote_location };
            let actor = ctx.actor();
            let id = config::map_one(&store, By::new(&actor, &ctx.workstation), &name, &mapping)?;
            done(
                ctx,
                serde_json::json!({ "channel": name, "listing": id.to_string() }),
                &format!("mapped listing {id}"),
            )
        }
        ChannelCommand::ImportMappings { name, file } => {
            let store = ctx.open_existing()?;
            let actor = ctx.actor();
            let count = config::import_mappings(&store, By::new(&actor, &ctx.workstation), &name, &file)?;
            done(
                ctx,
                serde_json::json!({ "channel": name, "imported": count }),
                &format!("imported {count} mappings"),
            )
        }
        ChannelCommand::Rule { name, locations, percent, buffer, cap, no_cap, conflict } => {
            let store = ctx.open_existing()?;
            let change = RuleChange {
                locations: locations.map(|l| l.into_iter().filter(|s| !s.trim().is_empty()).collect()),
                percent,
                buffer,
                cap: if no_cap { Some(None) } else { cap.map(Some) },
                conflict: conflict.map(|c| c.as_str().to_string()),
            };
            let actor = ctx.actor();
            let rule = config::set_rule(&store, By::new(&actor, &ctx.workstation), &name, &change)?;
            if ctx.json {
                output::json(&rule);
            } else {
                let locations =
                    if rule.locations.is_empty() { "all".into() } else { rule.locations.join(",") };
                let cap = rule.cap.map_or("none".into(), |c| c.to_string());
                output::line(&format!(
                    "{name}: locations {locations}, {}% of ATP, buffer {}, cap {cap}, conflict {}",
                    rule.percent, rule.buffer, rule.conflict
                ));
            }
            Ok(())
        }
    }
}

fn done(ctx: &Context, json: serde_json::Value, text: &str) -> Result<(), CliError> {
    if ctx.json {
        output::json(&json)
    } else {
        output::line(text)
    }
    Ok(())
}

fn env_secret(name: &str) -> Result<Option<Secret>, CliError> {
    match std::env::var(name) {
        Ok(value) if !value.is_empty() => Secret::new(value).map(Some).map_err(CliError::from),
        _ => Ok(None),
    }
}

#[allow(clippy::too_many_arguments)]
fn add(
    ctx: &Context,
    kind: ChannelKindArg,
    name: String,
    endpoint: String,
    shop: Option<String>,
    seller_id: Option<String>,
    marketplace: Option<String>,
    auth_endpoint: Option<String>,
) -> Result<(), CliError> {
    let kind = match kind {
        ChannelKindArg::Shopify => ChannelKind::Shopify,
        ChannelKindArg::Amazon => ChannelKind::Amazon,
        ChannelKindArg::Ebay => ChannelKind::Ebay,
    };
    let store = ctx.open_existing()?;
    let mut keys = Vec::new();
    let required: &[(&str, &str)] = match kind {
        ChannelKind::Shopify => &[],
        ChannelKind::Amazon => &[
            (LWA_CLIENT_ID, "SHELFSYNC_LWA_CLIENT_ID"),
            (LWA_CLIENT_SECRET, "SHELFSYNC_LWA_CLIENT_SECRET"),
            (LWA_REFRESH_TOKEN, "SHELFSYNC_LWA_REFRESH_TOKEN"),
        ],
        ChannelKind::Ebay => &[
            (EBAY_CLIENT_ID, "SHELFSYNC_EBAY_CLIENT_ID"),
            (EBAY_CLIENT_SECRET, "SHELFSYNC_EBAY_CLIENT_SECRET"),
            (EBAY_REFRESH_TOKEN, "SHELFSYNC_EBAY_REFRESH_TOKEN"),
        ],
    };
    let missing: Vec<&str> = required
        .iter()
        .filter(|(_, var)| std::env::var(var).map_or(true, |v| v.is_empty()))
        .map(|(_, var)| *var)
        .collect();
    if !missing.is_empty() {
        return Err(CliError::Usage(format!("set {} for a {} channel", missing.join(", "), kind.as_str())));
    }
    for (name, var) in required {
        if let Some(secret) = env_secret(var)? {
            keys.push((*name, secret));
        }
    }
    if kind == ChannelKind::Shopify {
        let token = env_secret("SHELFSYNC_SHOPIFY_TOKEN")?.ok_or_else(|| {
            CliError::Usage("set SHELFSYNC_SHOPIFY_TOKEN to the shop's Admin API access token".into())
        })?;
        keys.push((SHOPIFY_TOKEN, token));
        if let Some(secret) = env_secret("SHELFSYNC_SHOPIFY_WEBHOOK_SECRET")? {
            keys.push((SHOPIFY_WEBHOOK_SECRET, secret));
        }
    }
    let new = NewChannel { name: name.clone(), kind, endpoint, shop, seller_id, marketplace_id: marketplace };
    let secrets = Secrets::for_database(&ctx.db_path);
    let actor = ctx.actor();
    let by = By::new(&actor, &ctx.workstation);
    config::add_channel_with_auth(&store, by, &secrets, &new, auth_endpoint.as_deref(), &keys)?;
    let json = serde_json::json!({ "channel": name, "secrets": secrets.backend().as_str() });
    done(ctx, json, &format!("added channel {name} (secrets in the {})", secrets.backend().as_str()))
}

fn list(ctx: &Context) -> Result<(), CliError> {
    let store = ctx.open_existing()?;
    let channels = config::list_channels(&store)?;
    if ctx.json {
        output::json(&channels);
        return Ok(());
    }
    let rows: Vec<Vec<String>> = channels
        .iter()
        .map(|c| {
            vec![
                c.name.clone(),
                c.kind.clone(),
                c.endpoint.clone(),
                c.listings.to_string(),
                format!("{}%", c.rule.percent),
                if c.rule.locations.is_empty() { "all".into() } else { c.rule.locations.join(",") },
            ]
        })
        .collect();
    output::table(&["name", "kind", "endpoint", "listings", "share", "locations"], &rows);
    Ok(())
}

/// A test or link failure: local ones as their own line, the channel's prefixed with its name.
fn link_error(channel: &str, error: LinkError) -> CliError {
    match error {
        LinkError::Local(error) => error.into(),
        LinkError::Channel(failure) => CliError::Usage(format!("channel {channel}: {failure}")),
    }
}

/// `channel test NAME`: one real authenticated call with the stored secrets.
fn test(ctx: &Context, name: &str) -> Result<(), CliError> {
    let store = ctx.open_existing()?;
    let record = config::channel(&store, name)?;
    let secrets = Secrets::for_database(&ctx.db_path);
    let connected = link::test_channel_blocking(&record, &secrets, shelfsync_channels::Timeouts::default())
        .map_err(|e| link_error(name, e))?;
    let json = serde_json::json!({
        "channel": name,
        "kind": record.kind,
        "ok": true,
        "summary": connected.summary,
        "account": connected.account,
        "locations": connected.locations,
    });
    done(ctx, json, &format!("{name}: connected: {}", connected.summary))
}

/// `channel link NAME [--apply]`: match the channel's catalogue to our SKUs.
fn link(ctx: &Context, name: &str, options: LinkOptions) -> Result<(), CliError> {
    let store = ctx.open_existing()?;
    config::require_channel(&store, name)?;
    let secrets = Secrets::for_database(&ctx.db_path);
    let actor = ctx.actor();
    let by = By::new(&actor, &ctx.workstation);
    let report =
        link::link_blocking(&store, by, name, &secrets, &options, shelfsync_channels::Timeouts::default())
            .map_err(|e| link_error(name, e))?;
    if ctx.json {
        output::json(&report);
    } else {
        print_link(&report);
    }
    Ok(())
}

fn print_link(report: &LinkReport) {
    let plan = &report.plan;
    let at = match (&report.location, &report.remote_location) {
        (Some(ours), Some(theirs)) => format!(" ({ours} -> {} {})", theirs.id, theirs.name),
        _ => String::new(),
    };
    output::line(&format!(
        "{}{at}: {} matched, {} ambiguous, {} only here, {} only on the channel, {} already mapped ({} items read in {} pages)",
        report.channel,
        plan.matched.len(),
        plan.ambiguous.len(),
        plan.unmatched_ours.len(),
        plan.unmatched_theirs.len(),
        plan.already_mapped.len(),
        report.remote_items,
        report.pages,
    ));
    for m in &plan.matched {
        let location = m.remote_location.as_deref().map(|l| format!(" at {l}")).unwrap_or_default();
        let loose = if m.exact { "" } else { " (SKU differs in case or spaces)" };
        output::line(&format!("  match      {} -> {}{location}{loose}", m.sku, m.remote_item));
    }
    for a in &plan.ambiguous {
        let theirs: Vec<String> = a.theirs.iter().map(|e| format!("{} ({})", e.item, e.sku)).collect();
        output::line(&format!("  ambiguous  {} -> {}", a.ours.join(", "), theirs.join(", ")));
    }
    for sku in &plan.unmatched_ours {
        output::line(&format!("  only here  {sku}"));
    }
    for e in &plan.unmatched_theirs {
        output::line(&format!(
            "  only there {} ({})",
            e.item,
            if e.sku.is_empty() { "no SKU" } else { &e.sku }
        ));
    }
    for m in &plan.already_mapped {
        output::line(&format!("  mapped     {} -> {}", m.sku, m.remote_item));
    }
    if report.applied {
        output::line(&format!("wrote {} mappings; their push is queued", report.listings.len()));
    } else {
        output::line("dry run: nothing written (--apply writes the matches)");
    }
}
