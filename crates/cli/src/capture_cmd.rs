//! `shelfsync webhook|orders|reconcile|drift|alerts|incidents|health`.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use serde_json::json;
use shelfsync_capture::{
    CaptureError, alerts, drift, email, health, incidents, notifications, poll, reconcile, service,
};
use shelfsync_sync::credentials::Secrets;

use crate::capture_args::{
    AlertsCommand, DriftCommand, IncidentsCommand, LiveServeArgs, OrdersCommand, ReconcileArgs, ServeArgs,
    WebhookCommand,
};
use crate::context::Context;
use crate::{CliError, output};

fn capture_error(error: CaptureError) -> CliError {
    match error {
        CaptureError::Store(store) => CliError::Store(store),
        other => CliError::Usage(other.to_string()),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    Ok(tokio::runtime::Builder::new_current_thread().enable_all().build()?)
}

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
    .map_err(capture_error)
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
    let report = runtime()?
        .block_on(notifications::configure(&ctx.db_path, &secrets, name, queue_url, region, &key_id, &secret))
        .map_err(capture_error)?;
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
fn listen(ctx: &Context, channel: Option<String>, once: bool) -> Result<(), CliError> {
    ctx.open_existing()?;
    let secrets = Secrets::for_database(&ctx.db_path);
    let runtime = runtime()?;
    if once {
        let reports = runtime
            .block_on(notifications::listen_once(
                &ctx.db_path,
                &secrets,
                channel.as_deref(),
                std::time::Duration::from_secs(20),
            ))
            .map_err(capture_error)?;
        print_listen(ctx, &reports);
        return Ok(());
    }
    // Checked once up front so a typo is one error line, not a silent loop.
    notifications::configured(ctx.open_existing()?.connection(), channel.as_deref())
        .map_err(capture_error)?;
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
                    shelfsync_sync::lease::acquire(
                        s.connection(),
                        &lease_holder,
                        std::time::Duration::from_secs(30),
                    )
                    .ok()
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
                let _ = shelfsync_sync::lease::release(store.connection(), &lease_holder);
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

pub fn orders(ctx: &Context, command: OrdersCommand) -> Result<(), CliError> {
    match command {
        OrdersCommand::Listen { channel, once } => listen(ctx, channel, once),
        OrdersCommand::Poll { channel } => {
            ctx.open_existing()?;
            let secrets = Secrets::for_database(&ctx.db_path);
            let reports = runtime()?
                .block_on(poll::poll(&ctx.db_path, &secrets, channel.as_deref()))
                .map_err(capture_error)?;
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
            let rates =
                poll::capture_rates(&store, channel.as_deref(), days.clamp(1, 366)).map_err(capture_error)?;
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
    let reports = runtime()?
        .block_on(reconcile::reconcile(&ctx.db_path, &secrets, args.channel.as_deref(), args.dry_run))
        .map_err(capture_error)?;
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
    }
    .map_err(capture_error)?;
    drift::record(
        store.connection(),
        drift::DriftScope::Manual,
        &report,
        started,
        chrono::Utc::now(),
        &ctx.actor(),
    )
    .map_err(capture_error)?;
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
    let runs = drift::history(store.connection(), limit).map_err(capture_error)?;
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
    let Some((record, report)) = drift::stored_run(store.connection(), run).map_err(capture_error)? else {
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

pub fn alerts(ctx: &Context, command: AlertsCommand) -> Result<(), CliError> {
    let store = ctx.open_existing()?;
    let conn = store.connection();
    match command {
        AlertsCommand::List { all } => {
            alerts::evaluate(conn, chrono::Utc::now()).map_err(capture_error)?;
            let list = alerts::list(conn, all).map_err(capture_error)?;
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
            let alert = alerts::ack(conn, &id, &ctx.actor()).map_err(capture_error)?;
            if ctx.json {
                output::json(&alert)
            } else {
                output::line(&format!("alert {} acknowledged", alert.id))
            }
        }
        AlertsCommand::Threshold { rule, value } => {
            alerts::set_threshold(conn, &rule, value).map_err(capture_error)?;
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
            let target = alerts::add_contact(conn, &kind, &target, from, to, &days).map_err(capture_error)?;
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
            let at = match at {
                None => chrono::Utc::now(),
                Some(raw) => chrono::DateTime::parse_from_rfc3339(&raw)
                    .map_err(|_| {
                        CliError::Usage(format!(
                            "invalid --at '{raw}': expected RFC 3339, e.g. 2026-11-25T20:00:00Z"
                        ))
                    })?
                    .with_timezone(&chrono::Utc),
            };
            let list = alerts::contacts_at(conn, at).map_err(capture_error)?;
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
                security: email::Security::parse(&security).map_err(capture_error)?,
                from,
                username,
            };
            email::set_smtp(conn, &settings).map_err(capture_error)?;
            if ctx.json {
                output::json(&settings)
            } else {
                output::line(&format!("SMTP relay {}:{} ({security})", settings.host, settings.port))
            }
        }
        AlertsCommand::Deliver => {
            let now = chrono::Utc::now();
            alerts::evaluate(conn, now).map_err(capture_error)?;
            let http = poll::http_client().map_err(capture_error)?;
            let outcome = runtime()?.block_on(alerts::deliver(conn, &http, now)).map_err(capture_error)?;
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
            let list = alerts::targets(conn).map_err(capture_error)?;
            if ctx.json {
                output::json(&list);
            } else {
                print_targets(&list);
            }
        }
        AlertsCommand::Thresholds => {
            let mut all = Vec::new();
            for (rule, _, meaning) in alerts::DEFAULTS {
                all.push(json!({ "rule": rule, "value": alerts::threshold(conn, rule).map_err(capture_error)?, "meaning": meaning }));
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
    let conn = store.connection();
    match command {
        IncidentsCommand::List { all } => {
            let list = incidents::list(conn, !all).map_err(capture_error)?;
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
            let incident = incidents::show(conn, &id).map_err(capture_error)?;
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
        IncidentsCommand::Resolve { id, cause } => {
            let incident = incidents::resolve(conn, &id, &cause, &ctx.actor()).map_err(capture_error)?;
            if ctx.json {
                output::json(&incident)
            } else {
                output::line(&format!("incident {} resolved", incident.id))
            }
        }
        IncidentsCommand::Report { month } => {
            let month = month.unwrap_or_else(|| chrono::Utc::now().format("%Y-%m").to_string());
            let report = incidents::monthly_report(conn, &month).map_err(capture_error)?;
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
    let report = health::health(&store).map_err(capture_error)?;
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
