//! Counts started from the Counts screen with a scope (issue 20): by location, a SKU list, a
//! velocity class, the top N, or full; blind or not; and a plan's due count started as is.
//! The store resolves scopes (`CountScope`) as the CLI's `count start` does; this module only
//! checks the request's shape and who may ask.

use std::collections::BTreeSet;

use chrono::Utc;
use shelfsync_core::{Action, VelocityClass, may};
use shelfsync_store::CountScope;

use crate::commands::{MAX_CODE_LEN, allowed};
use crate::error::{AppError, Result};
use crate::ipc::{CountSessionDetail, CountStartRequest};
use crate::state::AppState;
use crate::supervisor_refusal::SupervisorRefusal;

/// Most SKUs a typed list may name: a list longer than this is a class or a full count.
pub const MAX_SCOPE_SKUS: usize = 1_000;
/// Largest top-N: beyond it, count the class or the whole location.
pub const MAX_TOP: u32 = 10_000;

/// Starts a count over the requested scope. Anyone signed in may start a blind one; an open
/// (not blind) count shows what the ledger expects, so it needs `CountSeeExpected`.
pub fn start_count_scoped(state: &AppState, request: CountStartRequest) -> Result<CountSessionDetail> {
    let user = allowed(state, Action::CountStart)?;
    if !request.blind {
        allowed(state, Action::CountSeeExpected)?;
    }
    let scope = scope_of(&request)?;
    let mut store = state.store()?;
    let id = store.start_count(&scope, request.blind, request.full, &user, state.workstation())?;
    Ok(store.count_session(&id, may(user.role, Action::CountSeeExpected))?.into())
}

/// Starts the due count `plan` at `location`, as the plan defines it (open, and full for the
/// monthly count). Supervisors: it is generating a planned count.
pub fn start_due_count(state: &AppState, location: String, plan: String) -> Result<CountSessionDetail> {
    let user = allowed(state, Action::CountGenerate)?;
    let (location, plan) = (location.trim(), plan.trim());
    if location.is_empty() || plan.is_empty() || plan.len() > MAX_CODE_LEN {
        return Err(SupervisorRefusal::NoDueCountChosen.into());
    }
    let mut store = state.store()?;
    let id =
        store.start_due_count(location, plan, Utc::now(), &user, state.workstation())?.ok_or_else(|| {
            SupervisorRefusal::NotDue { plan: plan.to_string(), location: location.to_string() }
        })?;
    Ok(store.count_session(&id, may(user.role, Action::CountSeeExpected))?.into())
}

/// Submits a count; `confirm_zero` counts a full count's uncounted SKUs as zero (without it,
/// the store refuses and says how many are uncounted).
pub fn submit_count_confirmed(
    state: &AppState,
    id: String,
    confirm_zero: bool,
) -> Result<CountSessionDetail> {
    let user = allowed(state, Action::CountSubmit)?;
    let id = id.trim();
    let mut store = state.store()?;
    match store.submit_count(id, confirm_zero, &user, state.workstation()) {
        Err(shelfsync_store::StoreError::UncountedInFullCount(n)) => {
            return Err(SupervisorRefusal::UncountedInFullCount { uncounted: n }.into());
        }
        other => other?,
    }
    Ok(store.count_session(id, may(user.role, Action::CountSeeExpected))?.into())
}

fn scope_of(request: &CountStartRequest) -> Result<CountScope> {
    let location = request.location.trim();
    if location.is_empty() || location.len() > MAX_CODE_LEN {
        return Err(SupervisorRefusal::NoCountLocation.into());
    }
    let given = usize::from(!request.skus.is_empty())
        + usize::from(request.class.is_some())
        + usize::from(request.top.is_some());
    if given > 1 {
        return Err(SupervisorRefusal::OneScopeOnly.into());
    }
    if request.skus.len() > MAX_SCOPE_SKUS {
        return Err(
            SupervisorRefusal::TooManyScopeSkus { max: MAX_SCOPE_SKUS, given: request.skus.len() }.into()
        );
    }
    let mut skus = BTreeSet::new();
    for sku in &request.skus {
        let sku = sku.trim();
        if sku.is_empty() || sku.len() > MAX_CODE_LEN {
            return Err(AppError::BadRequest(format!("'{sku}' is not a SKU.")));
        }
        skus.insert(sku.to_string());
    }
    let class = request
        .class
        .as_deref()
        .map(|c| {
            VelocityClass::parse(c.trim()).ok_or_else(|| SupervisorRefusal::BadClass { class: c.to_string() })
        })
        .transpose()?;
    if let Some(top) = request.top.filter(|n| !(1..=MAX_TOP).contains(n)) {
        return Err(SupervisorRefusal::TopOutOfRange { max: MAX_TOP, top }.into());
    }
    Ok(CountScope {
        location: location.to_string(),
        skus: skus.into_iter().collect(),
        class,
        top: request.top.map(|n| n as usize),
    })
}
