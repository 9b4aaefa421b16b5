//! Several approvals decided at once, with one reason and one PIN (issue 20).
//!
//! The PIN is checked once, then every item goes through the store's own `decide`, exactly as
//! if decided one by one: the store keeps every rule (the role, "not a count you took part in",
//! "not your own request", still pending), so a bulk decision cannot do what a single one may
//! not. Each item is its own transaction; one refused item changes nothing for itself and
//! does not stop the others. The answer says, per item, what happened or why not.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Utc;
use shelfsync_core::Action;
use shelfsync_store::{Decision, Store, User};

use crate::commands::{MAX_CREDENTIAL_LEN, allowed};
use crate::error::{AppError, Result};
use crate::floor_refusal::FloorRefusal;
use crate::ipc::{
    ApprovalView, BulkDecisionLine, BulkDecisionRequest, BulkDecisionResult, BulkOutcome, DecisionView,
};
use crate::state::AppState;
use crate::supervisor_refusal::SupervisorRefusal;

/// Most items one bulk decision takes: a screenful a supervisor can have looked at, and it
/// bounds how long the store is held (each item is a transaction, ~ms).
pub const MAX_BULK_ITEMS: usize = 200;
/// Longest inbox id accepted: ids are UUIDs (36 characters).
pub const MAX_ID_LEN: usize = 64;

/// Approve, reject or send for recount every item in `request.ids`.
pub fn decide_many(state: &AppState, request: BulkDecisionRequest) -> Result<BulkDecisionResult> {
    let user = allowed(state, Action::ApprovalsDecide)?;
    let ids = check_ids(&request.ids)?;
    let reason = request.reason.trim();
    if reason.is_empty() || reason.chars().count() > shelfsync_core::MAX_TEXT_LEN {
        return Err(SupervisorRefusal::NoBulkReason { max: shelfsync_core::MAX_TEXT_LEN }.into());
    }
    if request.pin.is_empty() || request.pin.len() > MAX_CREDENTIAL_LEN {
        return Err(FloorRefusal::NoConfirmPin.into());
    }
    let counter = request.counter.as_deref().map(str::trim).filter(|c| !c.is_empty());
    let decision = match request.decision {
        DecisionView::Approve => Decision::Approve,
        DecisionView::Reject => Decision::Reject,
        DecisionView::Recount => Decision::Recount,
    };
    let mut store = state.store()?;
    let reason = match (decision, counter) {
        (Decision::Recount, Some(name)) => {
            check_counter(&store, name)?;
            format!("{reason} (recount by {name})")
        }
        (Decision::Recount, None) => reason.to_string(),
        (_, Some(_)) => {
            return Err(SupervisorRefusal::CounterOnlyForRecount.into());
        }
        (_, None) => reason.to_string(),
    };
    // Once, for all of them; a wrong PIN counts towards the lockout like any other.
    store.authenticate(&user.name, &request.pin, state.workstation(), Utc::now())?;
    let skus = inbox_skus(&store)?;
    let done = match decision {
        Decision::Approve => BulkOutcome::Approved,
        Decision::Reject => BulkOutcome::Rejected,
        Decision::Recount => BulkOutcome::Recount,
    };
    let mut result = BulkDecisionResult { lines: Vec::with_capacity(ids.len()), decided: 0, refused: 0 };
    for id in ids {
        let sku = skus.get(&id).cloned();
        match store.decide(&id, decision, &reason, &user, state.workstation()) {
            Ok(()) => {
                result.decided += 1;
                result.lines.push(BulkDecisionLine {
                    id,
                    sku,
                    outcome: done.clone(),
                    error: None,
                    refusal: None,
                });
            }
            Err(error) => {
                result.refused += 1;
                let error = AppError::from(error);
                result.lines.push(BulkDecisionLine {
                    id,
                    sku,
                    outcome: BulkOutcome::Refused,
                    error: Some(error.user_message()),
                    refusal: Some(error.to_ipc()),
                });
            }
        }
    }
    Ok(result)
}

/// How many items wait in the inbox: the Approvals tab's badge.
pub fn approvals_waiting(state: &AppState) -> Result<u32> {
    allowed(state, Action::ApprovalsView)?;
    let store = state.store()?;
    let n = store.pending_approvals()?.len() + store.pending_movements()?.len();
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// Marks the items `user` may not decide: counts they took part in (any SKU of the session,
/// as the store checks) and movements they asked for. Only for the screen; the store refuses
/// them whatever the screen shows.
pub(crate) fn mark_mine(store: &Store, user: &User, items: &mut [ApprovalView]) -> Result<()> {
    let mut counted_by: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for item in items.iter_mut() {
        item.mine = match &item.session {
            Some(session) => {
                if !counted_by.contains_key(session) {
                    let people = store
                        .count_session(session, true)?
                        .lines
                        .into_iter()
                        .flat_map(|l| l.counters)
                        .collect();
                    counted_by.insert(session.clone(), people);
                }
                counted_by[session].contains(&user.name)
            }
            None => item.counters.contains(&user.name),
        };
    }
    Ok(())
}

fn check_ids(ids: &[String]) -> Result<Vec<String>> {
    if ids.is_empty() {
        return Err(SupervisorRefusal::NothingSelected.into());
    }
    if ids.len() > MAX_BULK_ITEMS {
        return Err(SupervisorRefusal::TooManySelected { max: MAX_BULK_ITEMS, selected: ids.len() }.into());
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let id = id.trim();
        if id.is_empty() || id.len() > MAX_ID_LEN {
            return Err(AppError::BadRequest(format!("'{id}' is not an approval id.")));
        }
        if !seen.insert(id) {
            return Err(AppError::BadRequest(format!("{id} is selected twice.")));
        }
        out.push(id.to_string());
    }
    Ok(out)
}

/// The assigned counter must be someone who can sign in here and count.
fn check_counter(store: &Store, name: &str) -> Result<()> {
    if name.len() > MAX_CREDENTIAL_LEN {
        return Err(SupervisorRefusal::CounterNameTooLong.into());
    }
    let user = store.users()?.into_iter().find(|u| u.name == name);
    match user {
        Some(u) if u.active && shelfsync_core::may(u.role, Action::CountScan) => Ok(()),
        Some(_) => Err(SupervisorRefusal::CounterDeactivated { name: name.to_string() }.into()),
        None => Err(SupervisorRefusal::NoSuchCounter { name: name.to_string() }.into()),
    }
}

/// Each inbox item's SKU, to name it in the per-item answer.
fn inbox_skus(store: &Store) -> Result<BTreeMap<String, String>> {
    let mut skus: BTreeMap<String, String> =
        store.pending_approvals()?.into_iter().map(|a| (a.id, a.sku)).collect();
    skus.extend(store.pending_movements()?.into_iter().map(|m| (m.id, m.sku)));
    Ok(skus)
}
