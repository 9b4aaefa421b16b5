// The one list of IPC commands the webview may call.
//
// Everything else about the IPC surface is generated from this table, so it cannot disagree:
// - `src/handler.rs` turns each line into a `#[tauri::command]` wrapper and the invoke handler,
//   and renders the typed TypeScript client `ui/src/client.ts` (a test fails when the committed
//   file is stale);
// - `build.rs` collects the names for tauri-build, which generates one allow/deny permission per
//   command;
// - a test fails when `capabilities/main.json` does not grant exactly these commands.
//
// A line reads `name(arg: Type, ...) -> Return => kind path::to::body;` where `kind` says how the
// body runs:
// - `state`: `body(&AppState, args...)` on an async worker: quick store reads and writes;
// - `blocking`: `body(&AppState, args...)` on a blocking thread, for work that takes seconds
//   (channel calls, hub probes, PIN hashing, large imports) so the async workers stay free;
// - `app`: `body(&AppHandle, args...)`, for the few commands that need the app itself.
// `///` lines become the client function's documentation; `//` lines stay here. Argument names
// cross IPC in camelCase (`pin_again` is `pinAgain`), as Tauri does by default.
//
// This file is `include!`d by `build.rs` too, which parses the types but never resolves them:
// keep it to the one `commands!` invocation.

commands! {
    // ---- read-only, and the session itself ----

    /// Start-up phase, database path, demo flag and counts. Never waits for start-up.
    app_info() -> AppInfo => state commands::app_info;
    /// Stock rows matching the filter, at most `query.limit` (the rest counted in `total`).
    stock_levels(query: StockQuery) -> StockPage => state commands::stock_levels;
    /// Newest first. `sku: null` means every item.
    recent_events(sku: Option<String>, limit: Option<u32>) -> Vec<EventView> => state commands::recent_events;
    /// Resolves a SKU or any barcode (GTIN-8/12/13/14, internal code) to the item and its stock.
    item_lookup(code: String) -> ItemView => state commands::item_lookup;
    /// Stock rows whose SKU starts with, or whose name contains, the text; a page at a time.
    search_stock(query: StockSearchQuery) -> StockSearchView => state search::search_stock;
    locations() -> Vec<LocationView> => state commands::locations;
    session_info() -> SessionView => state commands::session_info;
    /// Checks the PIN in Rust (wrong PINs count towards a lockout) and starts a session.
    sign_in(name: String, pin: String) -> SessionView => state commands::sign_in;
    sign_out() -> SessionView => state commands::sign_out;
    lock_session() -> SessionView => state commands::lock_session;
    session_ping() -> SessionView => state commands::session_ping;
    /// The signed-in user's own language ("es"; `null`: follow the workstation's), audited.
    set_user_language(language: Option<String>) -> SessionView => state user_language::set_user_language;

    // ---- first run: no session, and refused in Rust once the database has any user ----

    // Loading the demo takes seconds in a debug build.
    /// Loads the demo catalogue and demo users into this empty database; then the sign-in.
    try_demo() -> AppInfo => blocking first_run::try_demo;
    // Hashing the PIN (Argon2id, 19 MiB) takes a moment.
    /// Creates the first admin (the PIN typed twice) and signs them in for the rest of set-up.
    create_first_admin(name: String, pin: String, pin_again: String) -> SessionView
        => blocking first_run::create_first_admin;

    // ---- acting: each reads the signed-in user from Rust state ----

    /// A keyboard-wedge scan: command label, item or error, resolved against the catalogue.
    classify_scan(data: String) -> ScanOutcome => state commands::classify_scan;
    commit_scans(request: CommitRequest) -> CommitResult => state commands::commit_scans;
    /// Saves the signed-in user's uncommitted station lines (an empty draft removes it).
    save_station_draft(draft: StationDraft) -> () => state drafts::save;
    /// Adds one scanned line at the end of the saved draft (refused when the saved draft is
    /// not the one the station last saved; it then saves the whole draft).
    append_station_draft_line(append: DraftAppend) -> () => state drafts::append;
    /// The signed-in user's saved station draft at this workstation, if any.
    station_draft() -> Option<StationDraft> => state drafts::load;
    discard_station_draft() -> bool => state drafts::discard;
    start_count(location: String) -> CountSessionDetail => state commands::start_count;
    count_sessions() -> Vec<CountSessionRow> => state commands::count_sessions;
    count_session(id: String) -> CountSessionDetail => state commands::count_session;
    submit_count(id: String) -> CountSessionDetail => state commands::submit_count;
    due_counts() -> Vec<DueCountView> => state commands::due_counts;
    /// A count by location, SKU list, class, top N or full; blind or not (open needs a supervisor).
    start_count_scoped(request: CountStartRequest) -> CountSessionDetail
        => state counts_scoped::start_count_scoped;
    /// Submits a count; `confirmZero` counts a full count's uncounted SKUs as zero.
    submit_count_confirmed(id: String, confirm_zero: bool) -> CountSessionDetail
        => state counts_scoped::submit_count_confirmed;
    /// Starts the serial/HID listeners once; their scans arrive through `onScannerScan`.
    start_scanners() -> Vec<ScannerView> => app start_listeners;
    /// One card per channel and the open dead letters, as the sync engine reports them.
    sync_status() -> SyncDashboard => state commands::sync_status;
    // Probes the hub (up to its status timeout); the hub crate runs its own small runtime.
    /// This workstation's hub: joined or standalone, reachable, pending uploads, lease holder.
    /// Probes the hub for up to 2 s; a standalone database answers `workstation: null`.
    hub_status() -> HubView => blocking commands::hub_status;
    /// "Why this number" for a SKU or barcode: buckets, each listing's derivation, its pushes.
    sku_sync(code: String) -> SkuSyncView => state why::sku_sync;
    /// Every alert, newest first; `check` evaluates the rules first (opens and resolves).
    alerts(check: bool) -> AlertList => state ops::alerts;
    incidents(open_only: bool) -> Vec<IncidentView> => state ops::incidents;
    incident(id: String) -> IncidentView => state ops::incident;
    reconcile_runs(limit: u32) -> Vec<ReconcileRunView> => state ops::reconcile_runs;
    last_drift() -> Option<DriftReportView> => state ops::last_drift;
    /// Stored drift audits, newest first (default 30, at most 200): the service's daily and weekly runs and manual ones.
    drift_history(limit: Option<u32>) -> Vec<DriftRunView> => state drift_history::drift_history;
    /// The guide's Quick Reference over the last `days` (1 to 90): each measure with its
    /// target, red flag and verdict.
    scorecard(days: u32) -> ScorecardView => state ops::scorecard;
    /// A label's preview (issue 21): the barcode as the PDF prints it, and its text lines.
    label_preview(request: LabelRequest) -> LabelPreviewView => state labels::label_preview;
    /// Saves the label as PDF or ZPL into the labels folder next to the database.
    save_label(request: LabelRequest, format: LabelFormat) -> LabelDelivered => state labels::save_label;
    // A printer that does not answer takes its 3 s connect timeout.
    /// Sends the label's ZPL to a Zebra printer at HOST:PORT (raw TCP, usually port 9100).
    send_label(request: LabelRequest, printer: String) -> LabelDelivered => blocking labels::send_label;
    /// Writes the list as CSV next to the database; returns the file's path.
    export_csv(kind: ExportKind) -> ExportResult => state ops::export_csv;
    scanner_devices() -> Vec<DeviceView> => state admin::scanner_devices;
    /// Every re-push started from this window: of the listings marked, how many still wait.
    repush_progress() -> Vec<RepushProgress> => state repush::repush_progress;
    /// The import running in this window, or the last one (`null` before the first). Answers
    /// while an import holds the database.
    import_progress() -> Option<ImportStatus> => state import::import_progress;

    // ---- supervisors only, checked again in Rust ----

    approvals() -> Vec<ApprovalView> => state commands::approvals;
    decide(id: String, decision: DecisionView, reason: String, pin: String) -> () => state commands::decide;
    /// Several items, one reason, one PIN; the answer says per item what happened or why not.
    decide_many(request: BulkDecisionRequest) -> BulkDecisionResult => state approvals_bulk::decide_many;
    /// How many items wait in the inbox (the Approvals tab's badge).
    approvals_waiting() -> u32 => state approvals_bulk::approvals_waiting;
    /// Supervisors: a page of the audit chain, newest first, filtered by who, item, kind and time.
    audit_entries(filter: AuditFilterInput) -> AuditPageView => state audit_view::audit_entries;
    // Walks the whole chain: about a second per 200,000 entries.
    /// Supervisors: whether the audit chain holds, else its first broken entry and why.
    verify_audit() -> AuditVerifyView => blocking audit_view::verify_audit;
    /// Supervisors: starts one "Due by plan" row's count, as the plan defines it.
    start_due_count(location: String, plan: String) -> CountSessionDetail => state counts_scoped::start_due_count;
    /// Supervisors only. `id: null` retries every open dead letter. Returns how many.
    retry_dead_letters(id: Option<String>) -> u32 => state commands::retry_dead_letters;
    /// Supervisors only. Marks every listing of the channel for push (bulk: sales still go
    /// first) and returns the re-push's progress at its start.
    repush_channel(channel: String) -> RepushProgress => state repush::repush_channel;

    // ---- stock for supervisors; items and locations for admins (checked per kind in Rust) ----

    // A large file holds the store for seconds, and the async workers must stay free to answer
    // `import_progress` meanwhile. `kind` stays a string in Rust so an unknown kind is refused
    // in words ("Unknown import ...").
    /// Imports a CSV file's text (at most 32 MiB): items and locations for admins, stock for
    /// supervisors too. All or nothing; a refusal's bad lines are in `importProgress`.
    import_csv(kind: String, text: String) -> ImportStatus => blocking import::import_csv;
    /// Supervisors only.
    ack_alert(id: String) -> AlertView => state ops::ack_alert;
    /// Supervisors only: records the root cause and closes the incident.
    resolve_incident(id: String, cause: String) -> IncidentView => state ops::resolve_incident;
    // Channel reads take seconds.
    /// Supervisors only: reads every Shopify channel now; returns the new runs.
    run_reconcile() -> Vec<ReconcileRunView> => blocking ops::run_reconcile;
    /// Supervisors only: the top `top` SKUs by velocity against each channel, read live.
    run_drift(top: u32) -> DriftReportView => blocking ops::run_drift;
    thresholds() -> Vec<ThresholdView> => state admin::thresholds;
    /// Flash-sale mode: the rule, and the items selling fast with each listing's share.
    flash_sale() -> FlashSaleView => state flash_sale::flash_sale;
    tolerance(category: Option<String>) -> ToleranceView => state admin::tolerance;
    set_tolerance(tolerance: ToleranceView) -> ToleranceView => state admin::set_tolerance;
    channels() -> Vec<ChannelView> => state admin::channels;

    // ---- admins only, checked again in Rust ----

    set_threshold(rule: String, value: f64) -> Vec<ThresholdView> => state admin::set_threshold;
    /// Admins: flash-sale mode on (window in seconds, trigger in channel sales) or off.
    set_flash_sale(on: bool, window_secs: u32, trigger_sales: u32) -> FlashSaleView
        => state flash_sale::set_flash_sale;
    users() -> Vec<ManagedUser> => state admin::users;
    add_user(name: String, role: RoleView, pin: String) -> Vec<ManagedUser> => state admin::add_user;
    /// Admins: clear a user's lockout and failed PINs.
    unlock_user(name: String) -> Vec<ManagedUser> => state admin::unlock_user;
    /// Admins: stop a user signing in (or let them again); nobody deactivates themselves.
    set_user_active(name: String, active: bool) -> Vec<ManagedUser> => state admin::set_user_active;
    /// Admins: set another user's PIN.
    reset_user_pin(name: String, pin: String) -> Vec<ManagedUser> => state admin::reset_user_pin;
    add_location(request: NewLocationRequest) -> Vec<LocationView> => state admin::add_location;
    /// The secrets go to the keychain (or the 0600 file); they never come back.
    add_channel(request: NewChannelRequest) -> Vec<ChannelView> => state admin::add_channel;
    set_rule(channel: String, rule: RuleView) -> Vec<ChannelView> => state admin::set_rule;

    // ---- the channel step of the first run (and any admin): a real call, then the review ----

    // A real call to the channel (seconds at worst).
    /// Admins: one real authenticated call with the stored credentials; `ok: false` says in
    /// words what failed (wrong token, wrong shop, no network).
    test_channel(channel: String) -> ChannelTestView => blocking link::test_channel;
    // Reads the channel's whole catalogue, on a connection of its own.
    /// Admins: reads the channel's catalogue and matches it to our SKUs; `apply` links the
    /// matched listings. `location`/`shopLocation` choose where (Shopify; null: the only one).
    link_channel(channel: String, apply: bool, location: Option<String>, shop_location: Option<String>)
        -> LinkReviewView => blocking link::link_channel;

    // ---- this workstation: the wedge timing for anyone (read before sign-in); settings and
    // diagnostics for supervisors, checked again in Rust ----

    /// The keyboard-wedge key gap saved for this workstation, `null` when none is (anyone; read
    /// when the window loads).
    wedge_max_gap_ms() -> Option<u32> => state workstation_settings::wedge_max_gap_ms;
    /// Every setting of this workstation with where its value comes from (env, saved, default).
    workstation_settings() -> Vec<WorkstationSettingView> => state workstation_settings::workstation_settings;
    /// Saves one setting; a refused value changes nothing and rejects with the reason.
    set_workstation_setting(key: String, value: String) -> Vec<WorkstationSettingView>
        => state workstation_settings::set_workstation_setting;
    // Reads logs and the health report.
    /// Writes logs, versions, health and settings (no secrets) into a folder next to the database.
    save_diagnostics() -> DiagnosticsView => blocking diagnostics::save_diagnostics;
    /// Stops and restarts the serial/HID listeners with the scanner settings saved now.
    restart_scanners() -> Vec<ScannerView> => app restart_listeners;

    // ---- the Movements screen (issue 20): roles per movement checked in Rust (core's policy) ----

    /// Core's loss reason codes: the only reasons a write-off may carry.
    loss_reason_codes() -> Vec<String> => state movements::loss_reason_codes;
    /// From damaged or on hand under a reason code; above the approval value it waits.
    write_off(request: WriteOffRequest) -> MovementOutcome => state movements::write_off;
    /// On hand up or down with a reason; `overrideNegative` (supervisors) lets it go below zero.
    adjust_stock(request: AdjustRequest) -> MovementOutcome => state movements::adjust_stock;
    /// The first half of a two-phase transfer.
    ship_transfer(request: ShipRequest) -> MovementOutcome => state movements::ship_transfer;
    /// Shipments neither received nor reversed, newest first.
    transfers_in_transit() -> Vec<TransferInTransitView> => state movements::transfers_in_transit;
    /// Receives a shipment in full or short (a short receipt needs a reason).
    receive_transfer(request: ReceiveTransferRequest) -> MovementOutcome => state movements::receive_transfer;
    customer_return(request: ReturnRequest) -> MovementOutcome => state movements::customer_return;
    /// A tracked item's lots at a location, first expiry first, and which to take `qty` from.
    item_lots(code: String, location: String, qty: Option<u32>) -> ItemLotsView => state lots_view::item_lots;
    /// Supervisors: a SKU's last events, newest first, each with whether it may be reversed.
    reversible_events(sku: String, limit: Option<u32>) -> Vec<ReversibleEventView>
        => state movements::reversible_events;
    /// Supervisors: undoes a posted event; the new event names the one it undoes.
    reverse_event(request: ReverseRequest) -> MovementOutcome => state movements::reverse_event;

    // ---- the Reports screen's charts and the count pack (issue 20) ----

    /// Count variance per session (newest first), location or category (largest first).
    report_variance(by: VarianceGroupView) -> Vec<VarianceBarView> => state reports::report_variance;
    /// Inventory record accuracy per month: the monthly count's trend.
    report_accuracy() -> Vec<AccuracyPointView> => state reports::report_accuracy;
    /// Shrink over the last `days` (1 to 366) by reason, with units and value.
    report_shrink(days: u32) -> ShrinkView => state reports::report_shrink;
    /// Writes one report as CSV next to the database (`days`: the shrink period, default 90).
    export_report_csv(kind: ReportCsvKind, days: Option<u32>) -> ExportResult => state reports::export_report_csv;
    // A month's pack may hold thousands of lines: seconds to lay out in a debug build.
    /// Supervisors: the count pack (one session, or a month's full counts) as PDF next to the
    /// database, for a supervisor to sign.
    save_count_pack(request: CountPackRequest) -> CountPackSaved => blocking reports::save_count_pack;

    // ---- the playbook on screen (issue 20): looking for anyone signed in; changing hours and
    // peak days, and resolving, per core's policy (supervisors and admins), checked in Rust ----

    /// Business hours in the warehouse's zone, per weekday, the peak days, and now in that zone.
    business_hours() -> BusinessHoursView => state playbook::business_hours;
    /// Sets the zone and the weekdays given; one bad value refuses the whole change.
    set_business_hours(change: BusinessHoursChange) -> BusinessHoursView => state playbook::set_business_hours;
    /// Adds a peak day (a local date YYYY-MM-DD) on which the alert thresholds tighten.
    add_peak_day(day: String, note: String) -> BusinessHoursView => state playbook::add_peak_day;
    remove_peak_day(day: String) -> BusinessHoursView => state playbook::remove_peak_day;
    /// Core's root-cause categories of incidents, `other` last.
    root_causes() -> Vec<RootCauseView> => state playbook::root_causes;
    /// Records the root cause (a category and free text) and closes the incident.
    resolve_incident_categorised(id: String, category: String, cause: String) -> IncidentView
        => state playbook::resolve_incident_categorised;
    /// The month's incidents (YYYY-MM) grouped by root-cause category.
    incident_review(month: String) -> IncidentReviewView => state playbook::incident_review;
}
