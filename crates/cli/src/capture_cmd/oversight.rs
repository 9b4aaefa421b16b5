//! `shelfsync alerts|incidents|health`: what people watch.

use serde_json::json;
use shelfsync_capture::{alerts, email, health, incidents, poll};

use super::runtime;
use crate::capture_args::{AlertsCommand, IncidentsCommand};
use crate::context::Context;
use crate::{CliError, output};

pub fn alerts(ctx: &Context, command: AlertsCommand) -> Result<(), CliError> {
    let store = ctx.open_existing()?;
    let db = &store;
    let actor = ctx.actor();
    let by = shelfsync_store::By::new(&actor, &ctx.workstation);
    match command {
        AlertsCommand::List { all, at } => {
            alerts::evaluate(db, super::hours::parse_at(at.as_deref())?)?;
            let list = alerts::list(db, all)?;
            if ctx.json {
                output::json(&list);
            } else {
                let rows: Vec<Vec<String>> = list
                    .iter()
                    .map(|a| {
                        vec![
                            a.id.clone(),
                            a.rule.clone(),
                            a.opened_at.clone(),
                            if a.acked_at.is_some() { "acked".into() } else { String::new() },
                            a.message.clone(),
                        ]
                    })
                    .collect();
                output::table(&["id", "rule", "opened", "", "message"], &rows);
            }
        }
        AlertsCommand::Ack { id } => {
            let alert = alerts::ack(db, by, &id)?;
            if ctx.json {
                output::json(&alert)
            } else {
                output::line(&format!("alert {} acknowledged", alert.id))
            }
        }
        AlertsCommand::Threshold { rule, value } => {
            alerts::set_threshold(db, by, &rule, value)?;
            if ctx.json {
                output::json(&json!({ "rule": rule, "value": value }))
            } else {
                output::line(&format!("{rule} = {value}"))
            }
        }
        AlertsCommand::TargetAdd { target, kind, hours, days } => {
            let (from, to) = hours
                .split_once('-')
                .and_then(|(a, b)| Some((a.trim().parse::<u32>().ok()?, b.trim().parse::<u32>().ok()?)))
                .ok_or_else(|| {
                    CliError::Usage(format!("invalid --hours '{hours}': expected FROM-TO, e.g. 8-18"))
                })?;
            let kind = kind.unwrap_or_else(|| {
                let url = target.starts_with("http://") || target.starts_with("https://");
                if target.contains('@') && !url { "email".into() } else { "webhook".into() }
            });
            let target = alerts::add_contact(db, by, &kind, &target, from, to, &days)?;
            if ctx.json {
                output::json(&target)
            } else {
                output::line(&format!(
                    "alert {} contact {} added ({}-{} UTC, {})",
                    target.kind, target.id, from, to, target.days
                ))
            }
        }
        AlertsCommand::Contacts { at } => {
            let at = super::hours::parse_at(at.as_deref())?;
            let list = alerts::contacts_at(db, at)?;
            if ctx.json {
                output::json(&json!({ "at": at.to_rfc3339(), "contacts": list }));
            } else {
                print_targets(&list);
            }
        }
        AlertsCommand::Smtp { host, port, security, from, username } => {
            let settings = email::SmtpSettings {
                host,
                port,
                security: email::Security::parse(&security)?,
                from,
                username,
            };
            email::set_smtp(db, by, &settings)?;
            if ctx.json {
                output::json(&settings)
            } else {
                output::line(&format!("SMTP relay {}:{} ({security})", settings.host, settings.port))
            }
        }
        AlertsCommand::Deliver => {
            let now = chrono::Utc::now();
            alerts::evaluate(db, now)?;
            let http = poll::http_client()?;
            let outcome = runtime()?.block_on(alerts::deliver(db, &http, now))?;
            if ctx.json {
                output::json(&outcome)
            } else {
                output::line(&format!(
                    "{} alerts delivered, {} failed",
                    outcome.delivered.len(),
                    outcome.failed.len()
                ))
            }
        }
        AlertsCommand::Targets => {
            let list = alerts::targets(db)?;
            if ctx.json {
                output::json(&list);
            } else {
                print_targets(&list);
            }
        }
        AlertsCommand::Hours { zone, days, reset, at } => {
            let change = shelfsync_capture::hours::HoursChange { zone, days, reset };
            super::hours::hours(ctx, db, by, change, at.as_deref())?;
        }
        AlertsCommand::PeakAdd { date, note } => super::hours::peak_add(ctx, db, by, &date, &note)?,
        AlertsCommand::PeakRemove { date } => super::hours::peak_remove(ctx, db, by, &date)?,
        AlertsCommand::Thresholds => {
            let mut all = Vec::new();
            for (rule, _, meaning) in alerts::DEFAULTS {
                let value = alerts::threshold(db, rule)?;
                let peak = alerts::peak_tightened(rule, value);
                all.push(json!({ "rule": rule, "value": value, "peak_day_value": peak, "meaning": meaning }));
            }
            if ctx.json {
                output::json(&all);
            } else {
                for t in &all {
                    output::line(&format!(
                        "{} = {}  ({})",
                        t["rule"].as_str().unwrap_or(""),
                        t["value"],
                        t["meaning"].as_str().unwrap_or("")
                    ));
                }
            }
        }
    }
    Ok(())
}

fn print_targets(list: &[alerts::Target]) {
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|t| {
            vec![
                t.id.clone(),
                t.kind.clone(),
                t.days.clone(),
                format!("{}-{}", t.from_hour, t.to_hour),
                t.target.clone(),
            ]
        })
        .collect();
    output::table(&["id", "kind", "days", "hours", "target"], &rows);
}

pub fn incidents(ctx: &Context, command: IncidentsCommand) -> Result<(), CliError> {
    let store = ctx.open_existing()?;
    let db = &store;
    match command {
        IncidentsCommand::List { all } => {
            let list = incidents::list(db, !all)?;
            if ctx.json {
                output::json(&list);
            } else {
                let rows: Vec<Vec<String>> = list
                    .iter()
                    .map(|i| {
                        vec![
                            i.id.clone(),
                            i.channel.clone(),
                            i.sku.clone(),
                            i.oversold_units.to_string(),
                            i.opened_at.clone(),
                            if i.overdue { format!("{} OVERDUE", i.due_at) } else { i.due_at.clone() },
                            i.cause.clone().unwrap_or_default(),
                        ]
                    })
                    .collect();
                output::table(&["id", "channel", "sku", "oversold", "opened", "cause due", "cause"], &rows);
            }
        }
        IncidentsCommand::Show { id } => {
            let incident = incidents::show(db, &id)?;
            if ctx.json {
                output::json(&incident);
            } else {
                output::line(&format!(
                    "incident {}: {} oversold {} of {} ({} units)",
                    incident.id,
                    incident.channel,
                    incident.sku,
                    incident.location.as_deref().unwrap_or("-"),
                    incident.oversold_units
                ));
                output::line(&format!("  opened {}, root cause due {}", incident.opened_at, incident.due_at));
                output::line(&format!("  context: {}", incident.context));
                output::line(&format!("  cause: {}", incident.cause.as_deref().unwrap_or("(none yet)")));
            }
        }
        IncidentsCommand::Resolve { id, cause, category } => {
            let actor = ctx.actor();
            let by = shelfsync_store::By::new(&actor, &ctx.workstation);
            let incident = match category {
                Some(category) => incidents::resolve_categorised(db, by, &id, &category, &cause)?,
                None => incidents::resolve(db, by, &id, &cause)?,
            };
            if ctx.json {
                output::json(&incident)
            } else {
                output::line(&format!("incident {} resolved", incident.id))
            }
        }
        IncidentsCommand::Report { month, by_category: true } => {
            let month = month.unwrap_or_else(|| chrono::Utc::now().format("%Y-%m").to_string());
            let groups = incidents::monthly_by_category(db, &month)?;
            if ctx.json {
                output::json(&json!({ "month": month, "categories": groups }));
            } else {
                let rows: Vec<Vec<String>> = groups
                    .iter()
                    .map(|g| {
                        let name = match (&g.category, g.open) {
                            (Some(key), _) => key.clone(),
                            (None, true) => "(open)".into(),
                            (None, false) => "(uncategorised)".into(),
                        };
                        vec![name, g.incidents.to_string(), g.oversold_units.to_string()]
                    })
                    .collect();
                output::table(&["category", "incidents", "units"], &rows);
            }
        }
        IncidentsCommand::Report { month, by_category: false } => {
            let month = month.unwrap_or_else(|| chrono::Utc::now().format("%Y-%m").to_string());
            let report = incidents::monthly_report(db, &month)?;
            if ctx.json {
                output::json(&json!({ "month": month, "causes": report }));
            } else {
                let rows: Vec<Vec<String>> = report
                    .iter()
                    .map(|c| vec![c.cause.clone(), c.incidents.to_string(), c.oversold_units.to_string()])
                    .collect();
                output::table(&["cause", "incidents", "units"], &rows);
            }
        }
    }
    Ok(())
}

pub fn health(ctx: &Context) -> Result<(), CliError> {
    let store = ctx.open_existing()?;
    let report = health::health(&store)?;
    if ctx.json {
        output::json(&report);
        return Ok(());
    }
    output::line(&format!(
        "health: {} ({} open alerts, {} open incidents, {} overdue, {} webhooks waiting)",
        report.status,
        report.open_alerts.len(),
        report.open_incidents,
        report.overdue_incidents,
        report.inbox_pending
    ));
    for c in &report.channels {
        output::line(&format!(
            "{}: {}, queue {}, last success {}, errors 1h {}, p95 {} ms, dead letters {}, capture {}",
            c["channel"].as_str().unwrap_or(""),
            c["state"].as_str().unwrap_or(""),
            c["queue_depth"],
            c["last_success"].as_str().unwrap_or("-"),
            c["errors_last_hour"],
            c["p95_latency_ms"],
            c["dead_letters"],
            c["webhook_capture"]["rate_percent"].as_f64().map_or("-".into(), |r| format!("{r:.1}%")),
        ));
    }
    for a in &report.open_alerts {
        output::line(&format!("  alert {} [{}]: {}", a.id, a.rule, a.message));
    }
    output::line(&format!(
        "service: {}",
        report
            .lease_holder
            .as_deref()
            .map_or("no live service holds the sync lease".to_string(), |h| format!(
                "{h} holds the sync lease"
            ))
    ));
    for job in &report.service_jobs {
        let outcome = match (job.last_ok, &job.last_error) {
            (Some(true), _) => "ok".to_string(),
            (Some(false), Some(error)) => format!("failed: {error}"),
            _ => "running (or stopped during it)".to_string(),
        };
        output::line(&format!(
            "  {} last started {} by {}: {}",
            job.job, job.last_started_at, job.holder, outcome
        ));
    }
    Ok(())
}
