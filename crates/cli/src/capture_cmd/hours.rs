//! `shelfsync alerts hours|peak-add|peak-remove`: business hours in the warehouse's time zone
//! and its peak days, and the `--at` instant the alert commands take (the controllable clock
//! the CLI tests use, as `report scorecard --at` does).

use chrono::{DateTime, Utc};
use shelfsync_capture::hours::{self, HoursChange, HoursView};
use shelfsync_store::{By, Store};

use crate::context::Context;
use crate::{CliError, output};

/// `--at` as an instant (RFC 3339), or now.
pub fn parse_at(at: Option<&str>) -> Result<DateTime<Utc>, CliError> {
    match at {
        None => Ok(Utc::now()),
        Some(raw) => DateTime::parse_from_rfc3339(raw).map(|t| t.with_timezone(&Utc)).map_err(|_| {
            CliError::Usage(format!("invalid --at '{raw}': expected RFC 3339, e.g. 2026-11-25T20:00:00Z"))
        }),
    }
}

/// Shows the hours in force at `at`, after applying the change when there is one.
pub fn hours(
    ctx: &Context,
    store: &Store,
    by: By<'_>,
    change: HoursChange,
    at: Option<&str>,
) -> Result<(), CliError> {
    let at = parse_at(at)?;
    if change.reset || change.zone.is_some() || !change.days.is_empty() {
        hours::set(store, by, &change)?;
    }
    print(ctx, &hours::view(store, at)?);
    Ok(())
}

pub fn peak_add(ctx: &Context, store: &Store, by: By<'_>, date: &str, note: &str) -> Result<(), CliError> {
    hours::add_peak(store, by, date, note)?;
    print(ctx, &hours::view(store, Utc::now())?);
    Ok(())
}

pub fn peak_remove(ctx: &Context, store: &Store, by: By<'_>, date: &str) -> Result<(), CliError> {
    hours::remove_peak(store, by, date)?;
    print(ctx, &hours::view(store, Utc::now())?);
    Ok(())
}

fn print(ctx: &Context, view: &HoursView) {
    if ctx.json {
        output::json(view);
        return;
    }
    let source =
        if view.source == "calendar" { "" } else { " (the business_start_hour/business_end_hour UTC hours)" };
    output::line(&format!("business hours in {}{source}", view.zone));
    let rows: Vec<Vec<String>> = view
        .days
        .iter()
        .map(|d| {
            let hours = d.hours.clone().unwrap_or_else(|| "closed".into());
            let next = if d.crosses_midnight { "to the next day" } else { "" };
            vec![d.day.to_string(), hours, next.to_string()]
        })
        .collect();
    output::table(&["day", "hours", ""], &rows);
    let peaks: Vec<String> = view
        .peak_days
        .iter()
        .map(|p| if p.note.is_empty() { p.day.clone() } else { format!("{} ({})", p.day, p.note) })
        .collect();
    output::line(&format!("peak days: {}", if peaks.is_empty() { "none".into() } else { peaks.join(", ") }));
    let a = &view.at;
    output::line(&format!(
        "at {} ({} {}): {}{}",
        a.at,
        a.weekday,
        a.local,
        if a.open { "open" } else { "closed" },
        if a.peak { ", a peak day" } else { "" }
    ));
}
