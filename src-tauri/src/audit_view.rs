//! The audit viewer (issue 20): a filtered page of the audit chain and "Verify chain", for
//! supervisors and admins (`Action::AuditView`). The query, its filters and their limits are
//! the store's (`Store::audit_entries`, `Store::verify_audit`); this module checks the role and
//! shapes the answer for the screen. Both only look: a screen left open on them does not keep
//! an idle session alive.

use shelfsync_core::Action;
use shelfsync_store::{AUDIT_KINDS, AuditFilter, AuditRecord};

use crate::commands::allowed;
use crate::error::Result;
use crate::ipc::{AuditBreakView, AuditEntryView, AuditFilterInput, AuditPageView, AuditVerifyView};
use crate::state::AppState;

/// One page, newest first; a bad filter is the store's one-line refusal.
pub fn audit_entries(state: &AppState, filter: AuditFilterInput) -> Result<AuditPageView> {
    allowed(state, Action::AuditView)?;
    let filter = AuditFilter {
        actor: filter.actor,
        sku: filter.sku,
        kind: filter.kind,
        since: filter.since,
        until: filter.until,
        before: filter.before,
        limit: filter.limit,
    };
    let page = state.store()?.audit_entries(&filter)?;
    Ok(AuditPageView {
        entries: page.entries.into_iter().map(entry_view).collect(),
        next_before: page.next_before,
        limit: page.limit,
        kinds: kinds(),
    })
}

// Walks the whole chain: about a second per 200,000 entries in a release build, hence a
// blocking command.
/// The chain's verdict: intact, or the first entry that does not hold and why.
pub fn verify_audit(state: &AppState) -> Result<AuditVerifyView> {
    allowed(state, Action::AuditView)?;
    let report = state.store()?.verify_audit()?;
    Ok(AuditVerifyView {
        entries: report.entries,
        intact: report.first_break.is_none(),
        first_break: report.first_break.map(|b| AuditBreakView { seq: b.seq, reason: b.reason }),
    })
}

fn entry_view(e: AuditRecord) -> AuditEntryView {
    AuditEntryView {
        seq: e.seq,
        at: e.at,
        actor: e.actor,
        workstation: e.workstation,
        kind: e.kind,
        subject: e.subject,
        sku: e.sku,
        detail: e.detail,
        detail_truncated: e.detail_truncated,
    }
}

/// The families first (`event`), then every kind (`event.receive`).
fn kinds() -> Vec<String> {
    let mut families: Vec<String> =
        AUDIT_KINDS.iter().filter_map(|k| k.split('.').next()).map(String::from).collect();
    families.dedup();
    families.sort();
    families.dedup();
    families.into_iter().chain(AUDIT_KINDS.iter().map(|k| k.to_string())).collect()
}
