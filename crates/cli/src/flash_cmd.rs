//! `shelfsync sync flash-sale ...`: the flash-sale rule (core's `flash`), switched on and off
//! through the audited settings, and a dry run that shows what a rule would list.

use chrono::Utc;
use shelfsync_core::flash::FlashSaleRule;
use shelfsync_store::flash::{DryRunRow, FLASH_SALE_KEY};

use crate::auth::sign_in;
use crate::context::Context;
use crate::sync_args::FlashSaleCommand;
use crate::{CliError, output};

pub fn run(ctx: &Context, command: FlashSaleCommand) -> Result<(), CliError> {
    match command {
        FlashSaleCommand::Show => {
            let store = ctx.open_existing()?;
            let rule = store.flash_sale_rule()?;
            let rows = match rule {
                Some(rule) => selling_fast(store.flash_sale_dry_run(rule, Utc::now())?),
                None => Vec::new(),
            };
            report(ctx, rule, &rows, "lists");
            Ok(())
        }
        FlashSaleCommand::On { window, trigger } => {
            let rule = FlashSaleRule::new(parse_window(&window)?, trigger)?;
            set(ctx, Some(rule))
        }
        FlashSaleCommand::Off => set(ctx, None),
        FlashSaleCommand::DryRun { window, trigger } => {
            let rule = FlashSaleRule::new(parse_window(&window)?, trigger)?;
            let store = ctx.open_existing()?;
            let rows = store.flash_sale_dry_run(rule, Utc::now())?;
            report(ctx, Some(rule), &rows, "would list");
            Ok(())
        }
    }
}

fn set(ctx: &Context, rule: Option<FlashSaleRule>) -> Result<(), CliError> {
    let mut store = ctx.open_existing()?;
    let user = sign_in(ctx)?;
    store.set_setting(FLASH_SALE_KEY, &FlashSaleRule::to_setting(rule), &user, &ctx.workstation)?;
    match rule {
        Some(rule) => output::line(&format!(
            "flash-sale mode on: {} channel sales within {} s make an item sell fast",
            rule.trigger_sales, rule.window_secs
        )),
        None => output::line("flash-sale mode off"),
    }
    Ok(())
}

/// Only the listings whose item sells fast (a share applies).
fn selling_fast(rows: Vec<DryRunRow>) -> Vec<DryRunRow> {
    rows.into_iter().filter(|r| r.share.is_some()).collect()
}

fn report(ctx: &Context, rule: Option<FlashSaleRule>, rows: &[DryRunRow], verb: &str) {
    if ctx.json {
        output::json(&serde_json::json!({ "rule": rule, "listings": rows }));
        return;
    }
    match rule {
        None => output::line("flash-sale mode is off"),
        Some(rule) => output::line(&format!(
            "rule: {} channel sales within {} s; {} listings of items sold within the window",
            rule.trigger_sales,
            rule.window_secs,
            rows.len()
        )),
    }
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.sku.clone(),
                r.channel.clone(),
                r.listed_now.to_string(),
                r.under_rule.to_string(),
                r.share.as_ref().map_or("-".into(), |s| format!("{} of {}", s.share, s.shared_units.max(0))),
                r.share.as_ref().map_or("-".into(), |s| s.sales_in_window.to_string()),
            ]
        })
        .collect();
    if !cells.is_empty() {
        output::table(
            &["sku", "channel", "lists now", &format!("rule {verb}"), "share", "sales in window"],
            &cells,
        );
    }
}

/// Longest text read as a window: "86400s" and the like are far below it.
const MAX_WINDOW_TEXT: usize = 16;

/// A window as seconds: `600`, `90s`, `10m` or `1h`.
fn parse_window(raw: &str) -> Result<u64, CliError> {
    let bad = || {
        CliError::Usage(format!(
            "window '{}' is not a duration: use seconds (600) or a number with s, m or h (90s, 10m, 1h)",
            shelfsync_core::printable(raw)
        ))
    };
    if raw.len() > MAX_WINDOW_TEXT {
        return Err(bad());
    }
    let (digits, unit) = match raw.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((at, _)) => raw.split_at(at),
        None => (raw, "s"),
    };
    let number: u64 = digits.parse().map_err(|_| bad())?;
    let per = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        _ => return Err(bad()),
    };
    number.checked_mul(per).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_read_as_seconds_and_bad_ones_are_refused() {
        let cases = [
            ("600", Some(600)),
            ("90s", Some(90)),
            ("10m", Some(600)),
            ("1h", Some(3_600)),
            ("", None),
            ("m", None),
            ("10d", None),
            ("-5m", None),
            ("1.5h", None),
            ("99999999999999999h", None),
        ];
        for (raw, want) in cases {
            assert_eq!(parse_window(raw).ok(), want, "{raw}");
        }
    }
}
