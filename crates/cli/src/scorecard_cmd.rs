//! `shelfsync report scorecard`: capture's scorecard (the guide's Quick Reference) as a table
//! or JSON.

use chrono::{DateTime, Utc};
use shelfsync_capture::scorecard::scorecard;
use shelfsync_core::scorecard::Verdict;
use shelfsync_store::Store;

use crate::context::Context;
use crate::{CliError, output};

pub fn run(ctx: &Context, store: &Store, days: u32, at: Option<&str>) -> Result<(), CliError> {
    let at = match at {
        None => Utc::now(),
        Some(raw) => DateTime::parse_from_rfc3339(raw).map(|t| t.with_timezone(&Utc)).map_err(|_| {
            CliError::Usage(format!(
                "--at '{}' is not a time: use RFC 3339, such as 2026-12-04T09:00:00Z",
                shelfsync_core::printable(raw)
            ))
        })?,
    };
    let card = scorecard(store, at, days)?;
    if ctx.json {
        output::json(&card);
        return Ok(());
    }
    output::line(&format!("scorecard for the {} days to {}", card.days, card.at));
    let rows: Vec<Vec<String>> = card
        .lines
        .iter()
        .map(|l| {
            let verdict = match l.verdict {
                Verdict::Met => "met",
                Verdict::Missed => "missed",
                Verdict::RedFlag => "RED FLAG",
                Verdict::NoData => "no data",
            };
            vec![
                l.label.to_string(),
                l.value.map_or("-".into(), |v| format!("{v}")),
                format!("{}", l.target),
                format!("{}", l.red_flag),
                verdict.into(),
                l.detail.clone(),
            ]
        })
        .collect();
    output::table(&["measure", "value", "target", "red flag", "verdict", "from"], &rows);
    Ok(())
}
