//! Counts, tolerances and approvals. `main` has verified the user and asked the role policy
//! before any of these run; the store checks the roles again.

use serde_json::json;
use shelfsync_core::{Action, Tolerance, VelocityClass, may, parse_cents};
use shelfsync_store::{BlindCounts, CountScope, Decision, StockRow, Store};

use crate::args::{ApprovalsCommand, CountCommand, OnOff, PlanCommand, ReportCommand, ToleranceCommand};
use crate::auth::sign_in;
use crate::context::{Acting, Context};
use crate::{CliError, output};

pub fn tolerance(ctx: &Context, command: ToleranceCommand) -> Result<(), CliError> {
    let ToleranceCommand::Set { category, units, percent, value, auto_post } = command;
    let percent_bp = percent
        .map(|p| {
            if !(0.0..=100_000.0).contains(&p) {
                return Err(CliError::Usage(format!("--percent {p} must be between 0 and 100000")));
            }
            Ok((p * 100.0).round() as i64)
        })
        .transpose()?;
    if units.is_some_and(|u| u < 0) {
        return Err(CliError::Usage("--units must not be negative".into()));
    }
    let tolerance = Tolerance {
        units,
        percent_bp,
        value_cents: value.as_deref().map(parse_cents).transpose()?,
        auto_post: matches!(auto_post, OnOff::On),
    };
    let mut store = ctx.open_existing()?;
    let user = sign_in(ctx)?;
    store.set_tolerance(category.as_deref(), &tolerance, &user, &ctx.workstation)?;
    if ctx.json {
        output::json(&json!({ "category": category, "tolerance": tolerance }));
    } else {
        output::line(&format!("tolerance for {} set", category.as_deref().unwrap_or("the default")));
    }
    Ok(())
}

/// Whether the person acting may see a blind count's expected quantities: a verified user whose
/// role allows it (`--user` with the PIN), or anyone on a database with no users yet (no
/// counter to hide them from). Without `--user` a reading command shows nothing a blind count hides.
pub(crate) fn sees_expected(ctx: &Context) -> bool {
    match &ctx.acting {
        Acting::User(user) => may(user.role, Action::CountSeeExpected),
        Acting::SetUp => true,
        Acting::Nobody | Acting::Service => false,
    }
}

/// What open blind counts hide from the person acting (nothing from a supervisor).
pub(crate) fn blind_for(ctx: &Context, store: &Store) -> Result<BlindCounts, CliError> {
    Ok(if sees_expected(ctx) { BlindCounts::none() } else { store.blind_counts()? })
}

/// A stock row as the CLI shows it: quantities `null` and `blind: true` where an open blind
/// count covers the SKU at the location and the person may not see what it expects.
#[derive(serde::Serialize)]
pub(crate) struct ShownStock {
    pub sku: String,
    pub location: String,
    pub on_hand: Option<i64>,
    pub committed: Option<i64>,
    pub reserved: Option<i64>,
    pub damaged: Option<i64>,
    pub in_transit: Option<i64>,
    pub atp: Option<i64>,
    pub blind: bool,
}

/// What a hidden quantity reads as in text.
pub(crate) const HIDDEN: &str = "hidden (blind count open)";

pub(crate) fn shown(rows: Vec<StockRow>, blind: &BlindCounts) -> Vec<ShownStock> {
    rows.into_iter()
        .map(|r| {
            let hide = blind.hides(&r.sku, &r.location);
            let q = |v: i64| (!hide).then_some(v);
            ShownStock {
                on_hand: q(r.on_hand),
                committed: q(r.committed),
                reserved: q(r.reserved),
                damaged: q(r.damaged),
                in_transit: q(r.in_transit),
                atp: q(r.atp),
                blind: hide,
                sku: r.sku,
                location: r.location,
            }
        })
        .collect()
}

pub fn count(ctx: &Context, command: CountCommand) -> Result<(), CliError> {
    let mut store = ctx.open_existing()?;
    if let CountCommand::Show { session } = &command {
        let view = store.count_session(session, sees_expected(ctx))?;
        return show(ctx, &view);
    }
    let user = sign_in(ctx)?;
    let ws = ctx.workstation.clone();
    match command {
        CountCommand::Plan(PlanCommand::Due { location, generate }) => {
            let due = store.due_counts(&location, chrono::Utc::now(), generate.then_some(&user), &ws)?;
            if ctx.json {
                output::json(&due);
            } else {
                let rows: Vec<Vec<String>> = due
                    .iter()
                    .map(|d| {
                        vec![
                            d.plan.clone(),
                            if d.full { "full".into() } else { d.skus.len().to_string() },
                            d.session.clone().unwrap_or_default(),
                        ]
                    })
                    .collect();
                output::table(&["PLAN", "SKUS", "SESSION"], &rows);
            }
        }
        CountCommand::Start { location, skus, class, top, blind, full } => {
            let class = class
                .map(|c| {
                    VelocityClass::parse(&c)
                        .ok_or_else(|| CliError::Usage(format!("--class '{c}' must be A, B or C")))
                })
                .transpose()?;
            let scope = CountScope { location, skus, class, top };
            let id = store.start_count(&scope, blind, full, &user, &ws)?;
            if ctx.json {
                output::json(&json!({ "id": id }));
            } else {
                output::line(&id);
            }
        }
        CountCommand::Scan { session, code, qty, replace, lot } => {
            // A tracked item is counted by lot (issue 21): crates/cli/src/lot_cmd.rs.
            let sku =
                crate::lot_cmd::count_scan(&mut store, &session, &code, qty, replace, &lot, &user, &ws)?;
            // A pack's barcode counted qty x its units (issue 21): say how many units that was.
            let pack = store.resolve_units(&code)?;
            let units = qty * i64::from(pack.units);
            if ctx.json {
                output::json(
                    &json!({ "session": session, "sku": sku, "qty": qty, "units": units, "replace": replace }),
                );
            } else if let Some(barcode) = pack.pack {
                output::line(&format!("counted {units} x {sku} ({qty} x pack {barcode} of {})", pack.units));
            } else {
                output::line(&format!("counted {qty} x {sku}"));
            }
        }
        CountCommand::Submit { session, confirm_zero } => {
            store.submit_count(&session, confirm_zero, &user, &ws)?;
            let view = store.count_session(&session, may(user.role, Action::CountSeeExpected))?;
            return show(ctx, &view);
        }
        CountCommand::Pause { session } => store.set_count_paused(&session, true, &user, &ws)?,
        CountCommand::Resume { session } => store.set_count_paused(&session, false, &user, &ws)?,
        CountCommand::Show { .. } => unreachable!("handled before sign-in"),
    }
    Ok(())
}

fn show(ctx: &Context, view: &shelfsync_store::CountSessionView) -> Result<(), CliError> {
    if ctx.json {
        output::json(view);
        return Ok(());
    }
    output::line(&format!(
        "session {} ({}, {}), {} SKUs in scope",
        view.id, view.status, view.scope, view.scope_skus
    ));
    let opt = |v: Option<i64>| v.map_or_else(|| "-".to_string(), |v| v.to_string());
    let rows: Vec<Vec<String>> = view
        .lines
        .iter()
        .map(|l| {
            vec![
                l.sku.clone(),
                l.round.to_string(),
                l.counted.to_string(),
                opt(l.expected),
                opt(l.variance),
                l.state.clone(),
                l.id.clone().unwrap_or_default(),
            ]
        })
        .collect();
    output::table(&["SKU", "ROUND", "COUNTED", "EXPECTED", "VARIANCE", "STATE", "LINE"], &rows);
    Ok(())
}

pub fn approvals(ctx: &Context, command: ApprovalsCommand) -> Result<(), CliError> {
    let mut store = ctx.open_existing()?;
    let user = sign_in(ctx)?;
    let (id, reason, decision) = match command {
        ApprovalsCommand::List => {
            let pending = store.pending_approvals()?;
            let movements = store.pending_movements()?;
            if ctx.json {
                let mut items: Vec<serde_json::Value> = pending
                    .iter()
                    .map(|a| {
                        let mut v = serde_json::to_value(a).unwrap_or_default();
                        v["kind"] = json!("count");
                        v
                    })
                    .collect();
                items.extend(movements.iter().map(|m| {
                    let mut v = serde_json::to_value(m).unwrap_or_default();
                    v["session"] = serde_json::Value::Null;
                    v["variance"] = json!(-m.qty);
                    v
                }));
                output::json(&items);
            } else {
                let rows: Vec<Vec<String>> = pending
                    .iter()
                    .map(|a| {
                        vec![
                            a.id.clone(),
                            a.sku.clone(),
                            a.counted.to_string(),
                            a.expected.to_string(),
                            a.variance.to_string(),
                            format!("{:.2}", a.value),
                            a.counters.join(","),
                        ]
                    })
                    .collect();
                output::table(
                    &["ID", "SKU", "COUNTED", "EXPECTED", "VARIANCE", "VALUE", "COUNTED_BY"],
                    &rows,
                );
                let rows: Vec<Vec<String>> = movements
                    .iter()
                    .map(|m| {
                        vec![
                            m.id.clone(),
                            m.kind.clone(),
                            m.sku.clone(),
                            m.qty.to_string(),
                            format!("{:.2}", m.value),
                            m.requested_by.clone(),
                        ]
                    })
                    .collect();
                if !rows.is_empty() {
                    output::table(&["ID", "KIND", "SKU", "QTY", "VALUE", "REQUESTED_BY"], &rows);
                }
            }
            return Ok(());
        }
        ApprovalsCommand::Approve { id, reason } => (id, reason, Decision::Approve),
        ApprovalsCommand::Reject { id, reason } => (id, reason, Decision::Reject),
        ApprovalsCommand::Recount { id, reason } => (id, reason, Decision::Recount),
    };
    store.decide(&id, decision, &reason, &user, &ctx.workstation)?;
    if ctx.json {
        output::json(&json!({ "id": id, "decision": format!("{decision:?}").to_lowercase() }));
    } else {
        output::line(&format!("{id}: {decision:?}"));
    }
    Ok(())
}

pub fn report(ctx: &Context, command: ReportCommand) -> Result<(), CliError> {
    let store = ctx.open_existing()?;
    match command {
        ReportCommand::Variance { session, csv } => {
            let rows = store.variance_report(&session)?;
            emit(ctx, &rows, csv.as_deref())
        }
        ReportCommand::Accuracy { csv } => {
            let rows = store.accuracy_report()?;
            emit(ctx, &rows, csv.as_deref())
        }
        ReportCommand::Scorecard { days, at } => crate::scorecard_cmd::run(ctx, &store, days, at.as_deref()),
        ReportCommand::CountPack { session, month, out } => {
            crate::report_cmd::count_pack(ctx, &store, session.as_deref(), month.as_deref(), &out)
        }
        ReportCommand::Shrink { days, csv } => crate::report_cmd::shrink(ctx, &store, days, csv.as_deref()),
        ReportCommand::VarianceBy { by, csv } => {
            crate::report_cmd::variance_by(ctx, &store, by, csv.as_deref())
        }
    }
}

/// Prints rows as JSON or a table, and writes them to CSV when asked.
pub(crate) fn emit<T: serde::Serialize>(
    ctx: &Context,
    rows: &[T],
    csv: Option<&std::path::Path>,
) -> Result<(), CliError> {
    if let Some(path) = csv {
        let wrap = |e: csv::Error| CliError::WriteFile { path: path.display().to_string(), source: e.into() };
        let mut writer = csv::Writer::from_path(path).map_err(wrap)?;
        for row in rows {
            writer.serialize(row).map_err(wrap)?;
        }
        writer.flush()?;
    }
    if ctx.json {
        output::json(rows);
        return Ok(());
    }
    let values: Vec<serde_json::Value> =
        rows.iter().map(|r| serde_json::to_value(r).unwrap_or_default()).collect();
    let headers: Vec<String> = values
        .first()
        .and_then(|v| v.as_object())
        .map(|o| o.keys().map(|k| k.to_uppercase()).collect())
        .unwrap_or_default();
    let cells: Vec<Vec<String>> = values
        .iter()
        .filter_map(|v| v.as_object())
        .map(|o| o.values().map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string)).collect())
        .collect();
    output::table(&headers.iter().map(String::as_str).collect::<Vec<_>>(), &cells);
    Ok(())
}

pub fn settings(ctx: &Context, key: String, value: String) -> Result<(), CliError> {
    let mut store = ctx.open_existing()?;
    let user = sign_in(ctx)?;
    store.set_setting(&key, &value, &user, &ctx.workstation)?;
    output::line(&format!("{key} = {value}"));
    Ok(())
}
