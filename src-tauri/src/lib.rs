//! ShelfSync's desktop shell.
//!
//! Architecture invariant: this is the only crate that knows Tauri, and it holds no business
//! logic. Commands (`commands.rs`) call `shelfsync_store` and `shelfsync_core` and convert the
//! results to wire types (`ipc.rs`) that are exported to TypeScript; the webview never sees a
//! database or a channel, only these commands, each granted by name in `capabilities/`.

pub mod admin;
pub mod approvals_bulk;
pub mod commands;
pub mod counts_scoped;
pub mod demo_channels;
pub mod diagnostics;
pub mod drafts;
pub mod error;
pub mod export;
pub mod first_run;
pub mod import;
pub mod instance;
pub mod ipc;
pub mod link;
pub mod logging;
pub mod ops;
pub mod repush;
pub mod scanners;
pub mod search;
pub mod service;
pub mod session;
pub mod state;
pub mod station;
pub mod why;
pub mod workstation_settings;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_drafts;
#[cfg(test)]
mod tests_first_run;
#[cfg(test)]
mod tests_supervisor;
#[cfg(test)]
mod tests_users;
#[cfg(test)]
mod tests_workstation;

use tauri::{Manager, State};

use crate::error::Result;
use crate::ipc::{
    AlertList, AlertView, AppInfo, ApprovalView, ChannelTestView, ChannelView, CommitRequest, CommitResult,
    CountSessionDetail, CountSessionRow, DecisionView, DeviceView, DiagnosticsView, DriftReportView,
    DueCountView, EventView, ExportKind, ExportResult, HubView, ImportStatus, IncidentView, ItemView,
    LinkReviewView, LocationView, ManagedUser, NewChannelRequest, NewLocationRequest, ReconcileRunView,
    RepushProgress, RoleView, RuleView, ScanOutcome, ScannerView, SessionView, SkuSyncView, StationDraft,
    StockPage, StockQuery, StockSearchQuery, StockSearchView, SyncDashboard, ThresholdView, ToleranceView,
    WorkstationSettingView,
};
use crate::scanners::Scanners;
use crate::state::{AppState, DemoPolicy};

// Async so they run on Tauri's worker pool, not the main thread that paints the window.

#[tauri::command]
async fn app_info(state: State<'_, AppState>) -> Result<AppInfo> {
    commands::app_info(&state)
}

#[tauri::command]
async fn stock_levels(state: State<'_, AppState>, query: StockQuery) -> Result<StockPage> {
    commands::stock_levels(&state, query)
}

#[tauri::command]
async fn recent_events(
    state: State<'_, AppState>,
    sku: Option<String>,
    limit: Option<u32>,
) -> Result<Vec<EventView>> {
    commands::recent_events(&state, sku, limit)
}

#[tauri::command]
async fn item_lookup(state: State<'_, AppState>, code: String) -> Result<ItemView> {
    commands::item_lookup(&state, code)
}

#[tauri::command]
async fn locations(state: State<'_, AppState>) -> Result<Vec<LocationView>> {
    commands::locations(&state)
}

#[tauri::command]
async fn session_info(state: State<'_, AppState>) -> Result<SessionView> {
    commands::session_info(&state)
}

#[tauri::command]
async fn sign_in(state: State<'_, AppState>, name: String, pin: String) -> Result<SessionView> {
    commands::sign_in(&state, name, pin)
}

#[tauri::command]
async fn sign_out(state: State<'_, AppState>) -> Result<SessionView> {
    commands::sign_out(&state)
}

#[tauri::command]
async fn lock_session(state: State<'_, AppState>) -> Result<SessionView> {
    commands::lock_session(&state)
}

#[tauri::command]
async fn session_ping(state: State<'_, AppState>) -> Result<SessionView> {
    commands::session_ping(&state)
}

#[tauri::command]
async fn classify_scan(state: State<'_, AppState>, data: String) -> Result<ScanOutcome> {
    commands::classify_scan(&state, data)
}

#[tauri::command]
async fn commit_scans(state: State<'_, AppState>, request: CommitRequest) -> Result<CommitResult> {
    commands::commit_scans(&state, request)
}

#[tauri::command]
async fn search_stock(state: State<'_, AppState>, query: StockSearchQuery) -> Result<StockSearchView> {
    search::search_stock(&state, query)
}

#[tauri::command]
async fn unlock_user(state: State<'_, AppState>, name: String) -> Result<Vec<ManagedUser>> {
    admin::unlock_user(&state, name)
}

#[tauri::command]
async fn set_user_active(state: State<'_, AppState>, name: String, active: bool) -> Result<Vec<ManagedUser>> {
    admin::set_user_active(&state, name, active)
}

#[tauri::command]
async fn reset_user_pin(state: State<'_, AppState>, name: String, pin: String) -> Result<Vec<ManagedUser>> {
    admin::reset_user_pin(&state, name, pin)
}

#[tauri::command]
async fn save_station_draft(state: State<'_, AppState>, draft: StationDraft) -> Result<()> {
    drafts::save(&state, draft)
}

#[tauri::command]
async fn station_draft(state: State<'_, AppState>) -> Result<Option<StationDraft>> {
    drafts::load(&state)
}

#[tauri::command]
async fn discard_station_draft(state: State<'_, AppState>) -> Result<bool> {
    drafts::discard(&state)
}

#[tauri::command]
async fn start_count(state: State<'_, AppState>, location: String) -> Result<CountSessionDetail> {
    commands::start_count(&state, location)
}

#[tauri::command]
async fn count_sessions(state: State<'_, AppState>) -> Result<Vec<CountSessionRow>> {
    commands::count_sessions(&state)
}

#[tauri::command]
async fn count_session(state: State<'_, AppState>, id: String) -> Result<CountSessionDetail> {
    commands::count_session(&state, id)
}

#[tauri::command]
async fn submit_count(state: State<'_, AppState>, id: String) -> Result<CountSessionDetail> {
    commands::submit_count(&state, id)
}

#[tauri::command]
async fn due_counts(state: State<'_, AppState>) -> Result<Vec<DueCountView>> {
    commands::due_counts(&state)
}

#[tauri::command]
async fn approvals(state: State<'_, AppState>) -> Result<Vec<ApprovalView>> {
    commands::approvals(&state)
}

#[tauri::command]
async fn decide(
    state: State<'_, AppState>,
    id: String,
    decision: DecisionView,
    reason: String,
    pin: String,
) -> Result<()> {
    commands::decide(&state, id, decision, reason, pin)
}

#[tauri::command]
async fn decide_many(
    state: State<'_, AppState>,
    request: crate::ipc::BulkDecisionRequest,
) -> Result<crate::ipc::BulkDecisionResult> {
    approvals_bulk::decide_many(&state, request)
}

#[tauri::command]
async fn approvals_waiting(state: State<'_, AppState>) -> Result<u32> {
    approvals_bulk::approvals_waiting(&state)
}

#[tauri::command]
async fn start_count_scoped(
    state: State<'_, AppState>,
    request: crate::ipc::CountStartRequest,
) -> Result<CountSessionDetail> {
    counts_scoped::start_count_scoped(&state, request)
}

#[tauri::command]
async fn start_due_count(
    state: State<'_, AppState>,
    location: String,
    plan: String,
) -> Result<CountSessionDetail> {
    counts_scoped::start_due_count(&state, location, plan)
}

#[tauri::command]
async fn submit_count_confirmed(
    state: State<'_, AppState>,
    id: String,
    confirm_zero: bool,
) -> Result<CountSessionDetail> {
    counts_scoped::submit_count_confirmed(&state, id, confirm_zero)
}

#[tauri::command]
async fn sync_status(state: State<'_, AppState>) -> Result<SyncDashboard> {
    commands::sync_status(&state)
}

#[tauri::command]
async fn retry_dead_letters(state: State<'_, AppState>, id: Option<String>) -> Result<u32> {
    commands::retry_dead_letters(&state, id)
}

#[tauri::command]
async fn repush_channel(state: State<'_, AppState>, channel: String) -> Result<RepushProgress> {
    repush::repush_channel(&state, channel)
}

#[tauri::command]
async fn repush_progress(state: State<'_, AppState>) -> Result<Vec<RepushProgress>> {
    repush::repush_progress(&state)
}

/// On a blocking thread: a large file holds the store for seconds, and the async workers
/// must stay free to answer `import_progress` meanwhile.
#[tauri::command]
async fn import_csv(app: tauri::AppHandle, kind: String, text: String) -> Result<ImportStatus> {
    blocking(app, move |state| import::import_csv(state, kind, text)).await
}

#[tauri::command]
async fn import_progress(state: State<'_, AppState>) -> Result<Option<ImportStatus>> {
    import::import_progress(&state)
}

#[tauri::command]
async fn sku_sync(state: State<'_, AppState>, code: String) -> Result<SkuSyncView> {
    why::sku_sync(&state, code)
}

/// Probes the hub (up to its status timeout): on a blocking thread, as the hub crate runs its
/// own small runtime and must not block an async worker.
#[tauri::command]
async fn hub_status(app: tauri::AppHandle) -> Result<HubView> {
    blocking(app, commands::hub_status).await
}

/// Starts the serial/HID listeners once (the scan station calls it when it opens).
#[tauri::command]
async fn start_scanners(app: tauri::AppHandle, scanners: State<'_, Scanners>) -> Result<Vec<ScannerView>> {
    Ok(scanners.start(&app))
}

/// Stops and restarts the serial/HID listeners with the scanner settings as saved now
/// (supervisors and admins, after changing them on Settings).
#[tauri::command]
async fn restart_scanners(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    scanners: State<'_, Scanners>,
) -> Result<Vec<ScannerView>> {
    scanners::may_restart(&state)?;
    Ok(scanners.restart(&app))
}

// ---- monitoring ----

#[tauri::command]
async fn alerts(state: State<'_, AppState>, check: bool) -> Result<AlertList> {
    ops::alerts(&state, check)
}

#[tauri::command]
async fn ack_alert(state: State<'_, AppState>, id: String) -> Result<AlertView> {
    ops::ack_alert(&state, id)
}

#[tauri::command]
async fn incidents(state: State<'_, AppState>, open_only: bool) -> Result<Vec<IncidentView>> {
    ops::incidents(&state, open_only)
}

#[tauri::command]
async fn incident(state: State<'_, AppState>, id: String) -> Result<IncidentView> {
    ops::incident(&state, id)
}

#[tauri::command]
async fn resolve_incident(state: State<'_, AppState>, id: String, cause: String) -> Result<IncidentView> {
    ops::resolve_incident(&state, id, cause)
}

#[tauri::command]
async fn reconcile_runs(state: State<'_, AppState>, limit: u32) -> Result<Vec<ReconcileRunView>> {
    ops::reconcile_runs(&state, limit)
}

/// Channel reads take seconds: on a blocking thread, so the async workers stay free.
#[tauri::command]
async fn run_reconcile(app: tauri::AppHandle) -> Result<Vec<ReconcileRunView>> {
    blocking(app, ops::run_reconcile).await
}

#[tauri::command]
async fn run_drift(app: tauri::AppHandle, top: u32) -> Result<DriftReportView> {
    blocking(app, move |state| ops::run_drift(state, top)).await
}

#[tauri::command]
async fn last_drift(state: State<'_, AppState>) -> Result<Option<DriftReportView>> {
    ops::last_drift(&state)
}

#[tauri::command]
async fn export_csv(state: State<'_, AppState>, kind: ExportKind) -> Result<ExportResult> {
    ops::export_csv(&state, kind)
}

async fn blocking<T: Send + 'static>(
    app: tauri::AppHandle,
    job: impl FnOnce(&AppState) -> Result<T> + Send + 'static,
) -> Result<T> {
    tauri::async_runtime::spawn_blocking(move || job(&app.state::<AppState>()))
        .await
        .map_err(|e| error::AppError::Unavailable(format!("the job stopped: {e}")))?
}

// ---- first run (no users yet) ----

/// Loading the demo takes seconds in a debug build: on a blocking thread.
#[tauri::command]
async fn try_demo(app: tauri::AppHandle) -> Result<AppInfo> {
    blocking(app, first_run::try_demo).await
}

/// Hashing the PIN (Argon2id, 19 MiB) takes a moment: on a blocking thread.
#[tauri::command]
async fn create_first_admin(
    app: tauri::AppHandle,
    name: String,
    pin: String,
    pin_again: String,
) -> Result<SessionView> {
    blocking(app, move |state| first_run::create_first_admin(state, name, pin, pin_again)).await
}

/// A real call to the channel (seconds at worst): on a blocking thread.
#[tauri::command]
async fn test_channel(app: tauri::AppHandle, channel: String) -> Result<ChannelTestView> {
    blocking(app, move |state| link::test_channel(state, channel)).await
}

/// Reads the channel's whole catalogue: on a blocking thread, on a connection of its own.
#[tauri::command]
async fn link_channel(
    app: tauri::AppHandle,
    channel: String,
    apply: bool,
    location: Option<String>,
    shop_location: Option<String>,
) -> Result<LinkReviewView> {
    blocking(app, move |state| link::link_channel(state, channel, apply, location, shop_location)).await
}

// ---- settings ----

#[tauri::command]
async fn thresholds(state: State<'_, AppState>) -> Result<Vec<ThresholdView>> {
    admin::thresholds(&state)
}

#[tauri::command]
async fn set_threshold(state: State<'_, AppState>, rule: String, value: f64) -> Result<Vec<ThresholdView>> {
    admin::set_threshold(&state, rule, value)
}

#[tauri::command]
async fn users(state: State<'_, AppState>) -> Result<Vec<ManagedUser>> {
    admin::users(&state)
}

#[tauri::command]
async fn add_user(
    state: State<'_, AppState>,
    name: String,
    role: RoleView,
    pin: String,
) -> Result<Vec<ManagedUser>> {
    admin::add_user(&state, name, role, pin)
}

#[tauri::command]
async fn add_location(state: State<'_, AppState>, request: NewLocationRequest) -> Result<Vec<LocationView>> {
    admin::add_location(&state, request)
}

#[tauri::command]
async fn tolerance(state: State<'_, AppState>, category: Option<String>) -> Result<ToleranceView> {
    admin::tolerance(&state, category)
}

#[tauri::command]
async fn set_tolerance(state: State<'_, AppState>, tolerance: ToleranceView) -> Result<ToleranceView> {
    admin::set_tolerance(&state, tolerance)
}

#[tauri::command]
async fn channels(state: State<'_, AppState>) -> Result<Vec<ChannelView>> {
    admin::channels(&state)
}

#[tauri::command]
async fn add_channel(state: State<'_, AppState>, request: NewChannelRequest) -> Result<Vec<ChannelView>> {
    admin::add_channel(&state, request)
}

#[tauri::command]
async fn set_rule(state: State<'_, AppState>, channel: String, rule: RuleView) -> Result<Vec<ChannelView>> {
    admin::set_rule(&state, channel, rule)
}

#[tauri::command]
async fn scanner_devices(state: State<'_, AppState>) -> Result<Vec<DeviceView>> {
    admin::scanner_devices(&state)
}

// ---- this workstation's settings and diagnostics (supervisors; checked in Rust) ----

#[tauri::command]
async fn workstation_settings(state: State<'_, AppState>) -> Result<Vec<WorkstationSettingView>> {
    workstation_settings::workstation_settings(&state)
}

#[tauri::command]
async fn set_workstation_setting(
    state: State<'_, AppState>,
    key: String,
    value: String,
) -> Result<Vec<WorkstationSettingView>> {
    workstation_settings::set_workstation_setting(&state, key, value)
}

/// The keyboard-wedge key gap, read by the window at start (before anyone signs in).
#[tauri::command]
async fn wedge_max_gap_ms(state: State<'_, AppState>) -> Result<Option<u32>> {
    workstation_settings::wedge_max_gap_ms(&state)
}

/// Reads logs and the health report: on a blocking thread, off the async workers.
#[tauri::command]
async fn save_diagnostics(app: tauri::AppHandle) -> Result<DiagnosticsView> {
    blocking(app, diagnostics::save_diagnostics).await
}

pub fn run() {
    let db_path = match state::db_path_from_env() {
        Ok(path) => path,
        Err(error) => {
            tracing::error!(%error, "no database path");
            eprintln!("shelfsync-app: {error}");
            std::process::exit(2);
        }
    };
    tauri::Builder::default()
        // First: a second start on this database must hand over before anything else starts.
        .plugin(instance::plugin(&db_path))
        .plugin(logging::plugin())
        .manage(AppState::with_idle(db_path, session::idle_from_env()))
        .manage(Scanners::default())
        .setup(|app| {
            let handle = app.handle().clone();
            std::thread::Builder::new().name("boot".into()).spawn(move || {
                let state = handle.state::<AppState>();
                state.boot(DemoPolicy::from_env());
                // The idle lock, and the values the service and the demo channels start from.
                workstation_settings::boot_snapshot(&state);
                // The demo's simulated channels first: the service's engine is their client.
                state.start_demo_channels();
                state.start_service();
            })?;
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            app_info,
            stock_levels,
            recent_events,
            item_lookup,
            locations,
            session_info,
            sign_in,
            sign_out,
            lock_session,
            session_ping,
            classify_scan,
            commit_scans,
            save_station_draft,
            unlock_user,
            set_user_active,
            reset_user_pin,
            search_stock,
            station_draft,
            discard_station_draft,
            start_count,
            count_sessions,
            count_session,
            submit_count,
            due_counts,
            approvals,
            decide,
            decide_many,
            approvals_waiting,
            start_count_scoped,
            start_due_count,
            submit_count_confirmed,
            start_scanners,
            sync_status,
            hub_status,
            sku_sync,
            retry_dead_letters,
            repush_channel,
            repush_progress,
            import_csv,
            import_progress,
            alerts,
            ack_alert,
            incidents,
            incident,
            resolve_incident,
            reconcile_runs,
            run_reconcile,
            run_drift,
            last_drift,
            export_csv,
            thresholds,
            set_threshold,
            users,
            add_user,
            add_location,
            tolerance,
            set_tolerance,
            channels,
            add_channel,
            set_rule,
            scanner_devices,
            try_demo,
            create_first_admin,
            test_channel,
            link_channel,
            workstation_settings,
            set_workstation_setting,
            wedge_max_gap_ms,
            save_diagnostics,
            restart_scanners
        ])
        .build(tauri::generate_context!())
        .expect("error while building the ShelfSync app")
        .run(|app, event| {
            // The engine finishes its round and hands the lease over before the process ends, so
            // another workstation's service takes over at once instead of after the lease expiry.
            if let tauri::RunEvent::Exit = event {
                app.state::<AppState>().shutdown();
            }
        });
}
