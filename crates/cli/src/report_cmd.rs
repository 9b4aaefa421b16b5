//! `shelfsync report count-pack | shrink | variance-by` (issue 20): the Reports screen's figures
//! from the command line, and the count pack a supervisor signs as PDF. The store reads, core
//! decides what the figures mean, the labels crate writes the PDF; this only wires them.

use std::path::Path;

use chrono::Utc;
use clap::ValueEnum;
use shelfsync_store::{Store, VarianceGroup};

use crate::CliError;
use crate::auth::sign_in;
use crate::context::Context;
use crate::output;

/// How `report variance-by` groups the lines.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum GroupBy {
    Session,
    Location,
    Category,
}

/// Writes the pack of `session`, or of the month's full counts, to `out`. Nothing is written
/// when the pack cannot be made (an unknown session, a month with no full count).
pub fn count_pack(
    ctx: &Context,
    store: &Store,
    session: Option<&str>,
    month: Option<&str>,
    out: &Path,
) -> Result<(), CliError> {
    let user = sign_in(ctx)?;
    let now = Utc::now();
    let pack = match (session, month) {
        (Some(session), None) => store.count_pack_session(session, &user.name, now)?,
        (None, Some(month)) => store.count_pack_month(month, &user.name, now)?,
        _ => return Err(CliError::Usage("name a count session or --month YYYY-MM, not both".into())),
    };
    let pdf = shelfsync_labels::pdf_count_pack(&pack);
    std::fs::write(out, &pdf)
        .map_err(|source| CliError::WriteFile { path: out.display().to_string(), source })?;
    let lines: usize = pack.sessions.iter().map(|s| s.lines.len()).sum();
    if ctx.json {
        output::json(&serde_json::json!({
            "path": out.display().to_string(),
            "title": pack.title,
            "sessions": pack.sessions.len(),
            "lines": lines,
            "figures": pack.figures(),
        }));
    } else {
        output::line(&format!(
            "{}: {} session(s), {lines} lines -> {} ({} bytes)",
            pack.title,
            pack.sessions.len(),
            out.display(),
            pdf.len()
        ));
        output::line(&shelfsync_labels::figures_line(&pack.figures()));
    }
    Ok(())
}

pub fn shrink(ctx: &Context, store: &Store, days: u32, csv: Option<&Path>) -> Result<(), CliError> {
    let report = store.shrink_report(days, Utc::now())?;
    crate::count_cmd::emit(ctx, &report.rows, csv)
}

pub fn variance_by(ctx: &Context, store: &Store, by: GroupBy, csv: Option<&Path>) -> Result<(), CliError> {
    let group = match by {
        GroupBy::Session => VarianceGroup::Session,
        GroupBy::Location => VarianceGroup::Location,
        GroupBy::Category => VarianceGroup::Category,
    };
    crate::count_cmd::emit(ctx, &store.variance_by(group)?, csv)
}
