//! The commands the webview may call. Each one checks its input's size, asks the store, and
//! converts to wire types: no stock rule lives here (those are in `shelfsync_core`), so the CLI
//! and the app cannot disagree. The functions take `&AppState` and are tested without Tauri;
//! the `#[tauri::command]` wrappers in `lib.rs` only unwrap Tauri's state.

use std::time::Instant;

use chrono::Utc;
use shelfsync_core::{Action, may};
use shelfsync_store::{CountScope, Decision, EventFilter, StockFilter, User};

use crate::error::{AppError, Result};
use crate::floor_refusal::FloorRefusal;
use crate::ipc::{
    AppInfo, ApprovalView, ChannelCard, CommitRequest, CommitResult, CountSessionDetail, CountSessionRow,
    DeadLetterView, DecisionView, DemoUser, DueCountView, EventView, HistoryLine, HubView, ItemView,
    LocationView, ScanOutcome, SessionView, StockLevel, StockPage, StockQuery, SyncDashboard, UserView,
};
use crate::session::SessionState;
use crate::state::{AppState, DEMO_USERS};
use crate::station;

/// Rows the stock table gets when it does not say. A screen shows ~20; 200 lets it scroll.
pub const DEFAULT_STOCK_ROWS: u32 = 200;
/// Most rows one call returns: bounds the IPC message and the DOM the webview must build.
pub const MAX_STOCK_ROWS: u32 = 2_000;
/// Most events one call returns.
pub const MAX_EVENTS: u32 = 500;
/// Longest code accepted for a look-up: GS1 element strings top out near 100 characters.
pub const MAX_CODE_LEN: usize = 128;

pub fn app_info(state: &AppState) -> Result<AppInfo> {
    state.info()
}

pub fn stock_levels(state: &AppState, query: StockQuery) -> Result<StockPage> {
    let limit = query.limit.unwrap_or(DEFAULT_STOCK_ROWS);
    if limit == 0 || limit > MAX_STOCK_ROWS {
        return Err(AppError::BadRequest(format!(
            "limit must be between 1 and {MAX_STOCK_ROWS}, got {limit}"
        )));
    }
    let filter = StockFilter { sku: non_empty(query.sku), location: non_empty(query.location) };
    let store = state.store()?;
    let rows = store.stock(&filter)?;
    let blind = blind_for(state, &store)?;
    let total = u32::try_from(rows.len()).unwrap_or(u32::MAX);
    Ok(StockPage {
        rows: rows.into_iter().take(limit as usize).map(|r| StockLevel::shown(r, &blind)).collect(),
        total,
    })
}

/// What open blind counts hide from whoever is signed in: nothing from a user who may see a
/// blind count's expected quantities (`CountSeeExpected`), everything they cover from anyone
/// else, signed out or locked included (issue 17). Reads the session without touching it: a
/// screen refreshing its stock must not keep an idle session alive.
pub(crate) fn blind_for(
    state: &AppState,
    store: &shelfsync_store::Store,
) -> Result<shelfsync_store::BlindCounts> {
    let sees = match state.sessions.state(Instant::now()) {
        SessionState::Active(user) => may(user.role, Action::CountSeeExpected),
        SessionState::SignedOut | SessionState::Locked(_) => false,
    };
    Ok(if sees { shelfsync_store::BlindCounts::none() } else { store.blind_counts()? })
}

/// Newest first, at most `limit` (default 50).
pub fn recent_events(state: &AppState, sku: Option<String>, limit: Option<u32>) -> Result<Vec<EventView>> {
    let limit = limit.unwrap_or(50);
    if limit == 0 || limit > MAX_EVENTS {
        return Err(AppError::BadRequest(format!("limit must be between 1 and {MAX_EVENTS}, got {limit}")));
    }
    let store = state.store()?;
    let filter = EventFilter { sku: non_empty(sku), since: None, limit: Some(limit as usize) };
    let mut events = store.events(&filter)?;
    // History adds up to the quantity an open blind count is counting: withheld from counters.
    let blind = blind_for(state, &store)?;
    events.retain(|e| !blind.hides_movement(&e.event.movement));
    events.reverse();
    Ok(events.into_iter().map(EventView::from).collect())
}

/// Resolves a SKU or any barcode of an item (GTIN-8/12/13/14 or internal code).
pub fn item_lookup(state: &AppState, code: String) -> Result<ItemView> {
    let code = code.trim();
    if code.is_empty() {
        return Err(FloorRefusal::NoCode.into());
    }
    if code.len() > MAX_CODE_LEN {
        return Err(FloorRefusal::CodeTooLong { max: MAX_CODE_LEN }.into());
    }
    let store = state.store()?;
    let sku = item_sku(&store, code)?;
    let item = store.item(sku.as_str())?.ok_or_else(|| AppError::NotFound(code.to_string()))?;
    let barcodes = store.barcodes_of(sku.as_str())?;
    let rows = store.stock(&StockFilter { sku: Some(sku.to_string()), location: None })?;
    Ok(ItemView::new(item, barcodes, rows, &blind_for(state, &store)?))
}

/// The SKU a typed or scanned code names: the SKU itself, any of the item's barcodes, or a pack's
/// barcode (issue 21); a code that names no item is `NotFound` (the screens' "No item has ...").
pub(crate) fn item_sku(store: &shelfsync_store::Store, code: &str) -> Result<shelfsync_core::Sku> {
    match store.resolve_units(code) {
        Ok(resolved) => Ok(resolved.sku),
        Err(shelfsync_store::StoreError::UnknownBarcode(_) | shelfsync_store::StoreError::UnknownSku(_)) => {
            Err(AppError::NotFound(code.to_string()))
        }
        Err(other) => Err(other.into()),
    }
}

pub fn locations(state: &AppState) -> Result<Vec<LocationView>> {
    Ok(state.store()?.locations()?.into_iter().map(LocationView::from).collect())
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

// ---- session -----------------------------------------------------------------------------------

/// Longest user name or PIN accepted over IPC (the store's own limit is 64).
pub const MAX_CREDENTIAL_LEN: usize = 64;

/// Who is signed in, whether the session is locked, and (demo only) the demo accounts.
pub fn session_info(state: &AppState) -> Result<SessionView> {
    let (user, locked) = match state.sessions.state(Instant::now()) {
        SessionState::SignedOut => (None, false),
        SessionState::Active(user) => (Some(user), false),
        SessionState::Locked(user) => (Some(user), true),
    };
    let demo_users = if state.is_demo() {
        DEMO_USERS
            .iter()
            .map(|(name, role, pin)| DemoUser {
                name: name.to_string(),
                role: (*role).into(),
                pin: pin.to_string(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let language = match &user {
        Some(user) if !locked => state.store()?.user_language(&user.name)?,
        _ => None,
    };
    Ok(SessionView {
        language,
        can_approve: user.as_ref().is_some_and(|u| may(u.role, Action::ApprovalsDecide)),
        can_see_details: user.as_ref().is_some_and(|u| may(u.role, Action::DiagnosticsSave)),
        user: user.as_ref().map(UserView::from),
        locked,
        idle_lock_secs: u32::try_from(state.sessions.idle().as_secs()).unwrap_or(u32::MAX),
        demo_users,
    })
}

/// Checks the PIN in the store (lockout and all) and starts a session for that user.
pub fn sign_in(state: &AppState, name: String, pin: String) -> Result<SessionView> {
    let name = name.trim();
    if name.is_empty() || name.len() > MAX_CREDENTIAL_LEN {
        return Err(FloorRefusal::NoUserName.into());
    }
    if pin.is_empty() || pin.len() > MAX_CREDENTIAL_LEN {
        return Err(FloorRefusal::NoPin.into());
    }
    let user = state.store()?.authenticate(name, &pin, state.workstation(), Utc::now())?;
    state.sessions.start(user, Instant::now());
    session_info(state)
}

pub fn sign_out(state: &AppState) -> Result<SessionView> {
    state.sessions.end();
    session_info(state)
}

/// The UI saw no input for the idle time: lock now rather than wait for the next command.
pub fn lock_session(state: &AppState) -> Result<SessionView> {
    state.sessions.lock_now();
    session_info(state)
}

/// The UI saw input: keeps the session from locking while someone is at the screen.
pub fn session_ping(state: &AppState) -> Result<SessionView> {
    state.sessions.touch(Instant::now());
    session_info(state)
}

/// The signed-in user, or why nobody is (signed out, or locked after being idle). Every command
/// that acts asks here (or through `allowed`), so who acts is never taken from the webview.
pub(crate) fn acting_user(state: &AppState) -> Result<User> {
    state.sessions.act(Instant::now())
}

/// The signed-in user for a command that only looks (a list, a status a screen polls): the
/// same refusal when signed out or locked, but not activity, so polling never keeps an idle
/// session open (the idle lock is decided here, from the user's own actions).
pub(crate) fn looking_user(state: &AppState) -> Result<User> {
    state.sessions.user(Instant::now())
}

/// The signed-in user, if the role policy (`shelfsync_core::may`) lets them do `action`;
/// otherwise the refusal in the policy's words. Every role check of the app goes through here.
pub(crate) fn allowed(state: &AppState, action: Action) -> Result<User> {
    let user = if action.only_looks() { looking_user(state)? } else { acting_user(state)? };
    shelfsync_store::require(&user, action)?;
    Ok(user)
}

// ---- scan station ------------------------------------------------------------------------------

/// A keyboard-wedge scan, classified (command label, item or error) and resolved.
pub fn classify_scan(state: &AppState, data: String) -> Result<ScanOutcome> {
    acting_user(state)?;
    let store = state.store()?;
    Ok(station::classify_data(&store, "wedge", &data))
}

pub fn commit_scans(state: &AppState, request: CommitRequest) -> Result<CommitResult> {
    let user = acting_user(state)?;
    let mut store = state.store()?;
    station::commit(&mut store, &user, state.workstation(), request)
}

// ---- counts ------------------------------------------------------------------------------------

/// Starts a blind count of everything stocked at `location`: counters do not see what the
/// ledger expects, so they count what is there.
pub fn start_count(state: &AppState, location: String) -> Result<CountSessionDetail> {
    let user = acting_user(state)?;
    let mut store = state.store()?;
    let scope = CountScope { location: location.trim().to_string(), ..CountScope::default() };
    let id = store.start_count(&scope, true, false, &user, state.workstation())?;
    Ok(store.count_session(&id, may(user.role, Action::CountSeeExpected))?.into())
}

pub fn count_sessions(state: &AppState) -> Result<Vec<CountSessionRow>> {
    looking_user(state)?;
    let store = state.store()?;
    Ok(store.count_sessions_overview(50)?.into_iter().map(CountSessionRow::from).collect())
}

/// One session with its lines; expected quantities only for supervisors while it is blind.
pub fn count_session(state: &AppState, id: String) -> Result<CountSessionDetail> {
    let user = looking_user(state)?;
    Ok(state.store()?.count_session(id.trim(), may(user.role, Action::CountSeeExpected))?.into())
}

pub fn submit_count(state: &AppState, id: String) -> Result<CountSessionDetail> {
    let user = acting_user(state)?;
    let mut store = state.store()?;
    store.submit_count(id.trim(), false, &user, state.workstation())?;
    Ok(store.count_session(id.trim(), may(user.role, Action::CountSeeExpected))?.into())
}

/// Counts the plans say are due, at every location. Read-only: nothing is generated.
pub fn due_counts(state: &AppState) -> Result<Vec<DueCountView>> {
    looking_user(state)?;
    let mut store = state.store()?;
    let mut due = Vec::new();
    for location in store.locations()? {
        let found = store.due_counts(location.code.as_str(), Utc::now(), None, state.workstation())?;
        due.extend(found.into_iter().map(DueCountView::from));
    }
    Ok(due)
}

// ---- approvals ---------------------------------------------------------------------------------

/// Earlier counts shown with each variance.
pub const HISTORY_LINES: usize = 5;

/// The approvals inbox. Supervisors and admins only: refused here, not just hidden.
pub fn approvals(state: &AppState) -> Result<Vec<ApprovalView>> {
    let user = allowed(state, Action::ApprovalsView)?;
    let store = state.store()?;
    let mut out = Vec::new();
    for approval in store.pending_approvals()? {
        let history = store
            .count_history(&approval.sku, &approval.location, HISTORY_LINES + 1)?
            .into_iter()
            .filter(|h| h.state != "pending")
            .take(HISTORY_LINES)
            .map(HistoryLine::from)
            .collect();
        out.push(ApprovalView::from_count(approval, history));
    }
    for movement in store.pending_movements()? {
        let name = store.item(&movement.sku)?.map(|i| i.name).unwrap_or_default();
        out.push(ApprovalView::from_movement(movement, name));
    }
    crate::approvals_bulk::mark_mine(&store, &user, &mut out)?;
    Ok(out)
}

/// Approve, reject or recount one item of the inbox. The supervisor's PIN is checked again
/// (a wrong one counts towards their lockout), and the store checks the role, the reason and
/// that they did not take part in the count.
pub fn decide(
    state: &AppState,
    id: String,
    decision: DecisionView,
    reason: String,
    pin: String,
) -> Result<()> {
    let user = allowed(state, Action::ApprovalsDecide)?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > shelfsync_core::MAX_TEXT_LEN {
        return Err(FloorRefusal::NoReason { max: shelfsync_core::MAX_TEXT_LEN }.into());
    }
    if pin.is_empty() || pin.len() > MAX_CREDENTIAL_LEN {
        return Err(FloorRefusal::NoConfirmPin.into());
    }
    let mut store = state.store()?;
    store.authenticate(&user.name, &pin, state.workstation(), Utc::now())?;
    let decision = match decision {
        DecisionView::Approve => Decision::Approve,
        DecisionView::Reject => Decision::Reject,
        DecisionView::Recount => Decision::Recount,
    };
    store.decide(id.trim(), decision, reason, &user, state.workstation())?;
    Ok(())
}

// ---- sync dashboard ----------------------------------------------------------------------------

/// Most dead letters one dashboard shows; the rest are counted on the cards.
pub const MAX_DEAD_LETTERS_SHOWN: usize = 200;
/// Points in a card's latency sparkline: the last 60 pushes fill a card-wide chart legibly,
/// and the 3 s refresh stays a few kilobytes.
pub const SPARKLINE_POINTS: u32 = 60;

/// Per channel: status, last success, queue depth, errors in the last hour, p95 latency and
/// dead letters, as the sync engine reports them; plus the open dead letters.
pub fn sync_status(state: &AppState) -> Result<SyncDashboard> {
    looking_user(state)?;
    let store = state.store()?;
    let channels = shelfsync_sync::report::status(&store)?;
    let mut dead = shelfsync_sync::report::dead_letters(&store)?;
    dead.truncate(MAX_DEAD_LETTERS_SHOWN);
    Ok(SyncDashboard {
        channels: channels
            .into_iter()
            .map(|c| {
                let points = shelfsync_sync::history::recent_latencies(&store, &c.channel, SPARKLINE_POINTS)?;
                Ok(ChannelCard::new(c, points.into_iter().map(Into::into).collect()))
            })
            .collect::<Result<_>>()?,
        dead_letters: dead.into_iter().map(DeadLetterView::from).collect(),
    })
}

/// Puts one dead letter (or all, with `None`) back in the outbox. Supervisors only.
pub fn retry_dead_letters(state: &AppState, id: Option<String>) -> Result<u32> {
    let user = allowed(state, Action::DeadLetterRetry)?;
    let store = state.store()?;
    let id = id.as_deref().map(str::trim).filter(|i| !i.is_empty());
    let by = shelfsync_store::By::new(&user.name, state.workstation());
    let n = shelfsync_sync::report::retry_dead_letters(&store, by, id)?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// This workstation's hub panel: joined or standalone, reachable or not, what waits to go up,
/// and which workstation holds the sync-engine lease. A standalone database answers with
/// `workstation: None` rather than an error. Opens its own connection (the hub crate reads its
/// tables and the secret store), so the app's store lock is not held while the hub is probed;
/// the probe waits at most the hub crate's status timeout, so call it off the async workers.
pub fn hub_status(state: &AppState) -> Result<HubView> {
    looking_user(state)?;
    Ok(shelfsync_hub::hub_status(state.db_path())?.into())
}
