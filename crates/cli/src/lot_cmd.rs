//! Lots, serials and expiry (issue 21) at the command line: `--lot/--expiry/--serial/--scan` on
//! the warehouse movements and count scans, `item set SKU --tracking`, `lots suggest` (first
//! expiry first out), `lots expire` (the expiry job, once), `expiring --within DAYS`, and the
//! `lots` of a tracked item's `stock` rows. The rules are core's; the store checks them again
//! where it appends.

use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;
use shelfsync_core::lot::{self, MAX_EXPIRY_WINDOW_DAYS};
use shelfsync_core::{LotError, LotKind, LotTag, MAX_QTY, Tracking};
use shelfsync_store::{By, Store};

use crate::context::Context;
use crate::{CliError, output};

/// The lot or serial of a movement, typed or from a GS1 scan.
#[derive(Args, Clone, Default, Debug)]
pub struct LotArgs {
    /// The lot (batch) of a lot-tracked item
    #[arg(long, conflicts_with = "serial")]
    pub lot: Option<String>,
    /// The lot's expiry date, YYYY-MM-DD
    #[arg(long)]
    pub expiry: Option<String>,
    /// The serial of a serial-tracked item (one unit)
    #[arg(long)]
    pub serial: Option<String>,
    /// A GS1 scan that carries the lot (10), expiry (17) or serial (21), e.g. '(01)...(17)271231(10)L1'
    #[arg(long)]
    pub scan: Option<String>,
}

impl LotArgs {
    /// The tag these flags name for `sku`, read on `today` (a GS1 date's century depends on
    /// it). A scan's GTIN must be `sku`'s; a flag and a scan that disagree are refused.
    pub fn tag(&self, store: &Store, sku: &str, today: NaiveDate) -> Result<Option<LotTag>, CliError> {
        let (mut lot, mut serial, mut expiry) = (self.lot.clone(), self.serial.clone(), None);
        if let Some(raw) = &self.expiry {
            expiry = Some(lot::parse_expiry(raw)?);
        }
        if let Some(scan) = &self.scan {
            let parsed = shelfsync_scan::parse_cli(scan.as_bytes())?;
            let ai = |code: &str| parsed.elements.iter().find(|e| e.ai == code).map(|e| e.value.clone());
            if let Some(gtin) = &parsed.gtin {
                let owner = store.resolve_code(gtin)?;
                if owner.as_str() != sku {
                    return Err(CliError::Usage(format!(
                        "the scan's GTIN {gtin} is SKU '{owner}', not '{sku}'"
                    )));
                }
            }
            merge(&mut lot, ai("10"), "lot")?;
            merge(&mut serial, ai("21"), "serial")?;
            if let Some(date) = ai("17") {
                let date = lot::gs1_date(&date, today)?;
                if expiry.is_some_and(|given| given != date) {
                    return Err(CliError::Usage(format!("--expiry differs from the scan's expiry {date}")));
                }
                expiry = Some(date);
            }
        }
        let tag = match (lot, serial) {
            (Some(_), Some(_)) => {
                return Err(CliError::Usage("give a lot or a serial, not both".into()));
            }
            (Some(code), None) => LotTag::new(LotKind::Lot, &code, expiry)?,
            (None, Some(code)) => LotTag::new(LotKind::Serial, &code, expiry)?,
            (None, None) if expiry.is_some() => return Err(LotError::ExpiryWithoutLot.into()),
            (None, None) => return Ok(None),
        };
        Ok(Some(tag))
    }
}

fn merge(flag: &mut Option<String>, scanned: Option<String>, what: &str) -> Result<(), CliError> {
    match (flag.as_ref(), scanned) {
        (Some(given), Some(scanned)) if *given != scanned => {
            Err(CliError::Usage(format!("--{what} '{given}' differs from the scan's {what} '{scanned}'")))
        }
        (None, Some(scanned)) => {
            *flag = Some(scanned);
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Today's date where the CLI runs (UTC): the one place this module reads the clock.
pub fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

#[derive(Subcommand)]
pub enum ItemCommand {
    /// Change an item: its tracking (none, lot or serial; only while it holds no stock)
    Set {
        sku: String,
        #[arg(long, value_enum)]
        tracking: TrackingArg,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum TrackingArg {
    None,
    Lot,
    Serial,
}

impl From<TrackingArg> for Tracking {
    fn from(arg: TrackingArg) -> Tracking {
        match arg {
            TrackingArg::None => Tracking::None,
            TrackingArg::Lot => Tracking::Lot,
            TrackingArg::Serial => Tracking::Serial,
        }
    }
}

#[derive(Subcommand)]
pub enum LotsCommand {
    /// Which lots to pick QTY units from at a location, first expiry first out
    Suggest {
        sku: String,
        #[arg(long, allow_negative_numbers = true)]
        qty: i64,
        #[arg(long)]
        location: String,
    },
    /// Run the expiry job once: lots past their expiry go to damaged, reason `expired`
    Expire {
        /// The day to expire as of, YYYY-MM-DD [default: today, UTC]
        #[arg(long)]
        date: Option<String>,
    },
}

/// `expiring --within DAYS`: lots expiring within DAYS with units still sellable.
#[derive(Args)]
pub struct ExpiringArgs {
    /// Days ahead (0: expiring today or already past)
    #[arg(long, allow_negative_numbers = true)]
    pub within: i64,
    /// Count the days from this date, YYYY-MM-DD [default: today, UTC]
    #[arg(long)]
    pub date: Option<String>,
}

fn day(raw: Option<&str>) -> Result<NaiveDate, CliError> {
    raw.map_or_else(|| Ok(today()), |raw| lot::parse_expiry(raw).map_err(|_| date_error(raw)))
}

fn date_error(raw: &str) -> CliError {
    CliError::Usage(format!("--date '{}' is not a date (YYYY-MM-DD)", shelfsync_core::printable(raw)))
}

pub fn item(ctx: &Context, command: ItemCommand) -> Result<(), CliError> {
    let ItemCommand::Set { sku, tracking } = command;
    let mut store = ctx.open_existing()?;
    let tracking = Tracking::from(tracking);
    let actor = ctx.actor();
    let before = store.set_tracking(By::new(&actor, &ctx.workstation), &sku, tracking)?;
    if ctx.json {
        output::json(&json!({ "sku": sku, "tracking": tracking.as_str(), "before": before.as_str() }));
    } else {
        output::line(&format!("{sku} is tracked by {} (was {})", tracking.as_str(), before.as_str()));
    }
    Ok(())
}

pub fn lots(ctx: &Context, command: LotsCommand) -> Result<(), CliError> {
    match command {
        LotsCommand::Suggest { sku, qty, location } => {
            if !(1..=i64::from(MAX_QTY)).contains(&qty) {
                return Err(shelfsync_core::DomainError::QuantityOutOfRange {
                    got: qty,
                    max: i64::from(MAX_QTY),
                }
                .into());
            }
            let store = ctx.open_existing()?;
            let (lines, short) = store.suggest_lots(&sku, &location, qty)?;
            if ctx.json {
                output::json(
                    &json!({ "sku": sku, "location": location, "qty": qty, "take": lines, "short": short }),
                );
                return Ok(());
            }
            let cells: Vec<Vec<String>> = lines
                .iter()
                .map(|l| {
                    vec![
                        l.lot.clone(),
                        l.expiry.map(|d| d.to_string()).unwrap_or_default(),
                        l.qty.to_string(),
                    ]
                })
                .collect();
            output::table(&["LOT", "EXPIRY", "TAKE"], &cells);
            if short > 0 {
                output::line(&format!("{short} units short: no lot at {location} covers them"));
            }
        }
        LotsCommand::Expire { date } => {
            let today = day(date.as_deref())?;
            let mut store = ctx.open_existing()?;
            let run = store.expire_lots(today, &ctx.actor(), &ctx.workstation)?;
            if ctx.json {
                output::json(&run);
            } else {
                for lot in &run.expired {
                    output::line(&format!(
                        "expired {} x {} lot {} at {} (expiry {}; event {})",
                        lot.qty, lot.sku, lot.lot, lot.location, lot.expiry, lot.event
                    ));
                }
                output::line(&format!("{} lots expired as of {today}", run.expired.len()));
            }
            if !run.failed.is_empty() {
                return Err(CliError::Usage(run.failed.join("; ")));
            }
        }
    }
    Ok(())
}

pub fn expiring(ctx: &Context, args: ExpiringArgs) -> Result<(), CliError> {
    let today = day(args.date.as_deref())?;
    if !(0..=i64::from(MAX_EXPIRY_WINDOW_DAYS)).contains(&args.within) {
        return Err(LotError::WindowOutOfRange { got: args.within, max: MAX_EXPIRY_WINDOW_DAYS }.into());
    }
    let until = lot::expiring_until(today, args.within)?;
    let store = ctx.open_existing()?;
    let rows = store.expiring(until)?;
    if ctx.json {
        output::json(&rows);
        return Ok(());
    }
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.sku.clone(),
                r.location.clone(),
                r.lot.clone(),
                r.expiry.to_string(),
                r.available.to_string(),
            ]
        })
        .collect();
    output::table(&["SKU", "LOCATION", "LOT", "EXPIRY", "AVAILABLE"], &cells);
    Ok(())
}

/// `stock --json` rows of tracked items gain `"lots": [{"lot","expiry","on_hand","damaged"}]`
/// (serials likewise) and `"unassigned"`: the units the item holds beyond its lots (a return or
/// a correction booked without a lot). Rows hidden by a blind count stay hidden.
pub fn with_lots(store: &Store, rows: &[impl serde::Serialize]) -> Result<serde_json::Value, CliError> {
    let mut values = Vec::with_capacity(rows.len());
    for row in rows {
        let mut value = serde_json::to_value(row).map_err(|e| CliError::Usage(e.to_string()))?;
        let (Some(sku), Some(location)) = (value["sku"].as_str(), value["location"].as_str()) else {
            values.push(value);
            continue;
        };
        let tracking = store.item_tracking(sku)?;
        if tracking != Tracking::None && value["blind"] != json!(true) {
            let lots = store.lot_rows(sku, Some(location))?;
            let in_lots: i64 = lots.iter().map(|l| l.stock.on_hand).sum();
            let on_hand = value["on_hand"].as_i64().unwrap_or(0);
            let listed: Vec<serde_json::Value> = lots
                .iter()
                .map(|l| {
                    let mut lot = json!({ "lot": l.stock.lot, "expiry": l.stock.expiry,
                        "on_hand": l.stock.on_hand, "damaged": l.stock.damaged });
                    if l.in_transit != 0 {
                        lot["in_transit"] = json!(l.in_transit);
                    }
                    lot
                })
                .collect();
            value["tracking"] = json!(tracking.as_str());
            value["lots"] = json!(listed);
            value["unassigned"] = json!(on_hand - in_lots);
        }
        values.push(value);
    }
    Ok(serde_json::Value::Array(values))
}

/// `count scan`: a tracked item's lot or serial is counted on its own line (the store keeps the
/// item's total the sum of its lots); an untracked item's scan is the plain one.
#[allow(clippy::too_many_arguments)] // the scan's own fields
pub fn count_scan(
    store: &mut Store,
    session: &str,
    code: &str,
    qty: i64,
    replace: bool,
    lot: &LotArgs,
    user: &shelfsync_store::User,
    workstation: &str,
) -> Result<String, CliError> {
    let sku = store.resolve_units(code)?.sku.to_string();
    let tag = lot.tag(store, &sku, today())?;
    Ok(store.count_scan_lot(session, code, qty, replace, tag.as_ref(), user, workstation)?)
}
