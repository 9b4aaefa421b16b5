// Generated from src-tauri/src/command_table.rs by src-tauri/src/handler.rs: do not edit.
// `cargo test -p shelfsync-app client_is_committed` rewrites it when the table changes.
// Screens import `api` from ./api, which adds the event listeners to these commands.
import { invoke } from "@tauri-apps/api/core";

import type { AccuracyPointView } from "./bindings/AccuracyPointView";
import type { AdjustRequest } from "./bindings/AdjustRequest";
import type { AlertList } from "./bindings/AlertList";
import type { AlertView } from "./bindings/AlertView";
import type { AppInfo } from "./bindings/AppInfo";
import type { ApprovalView } from "./bindings/ApprovalView";
import type { AuditFilterInput } from "./bindings/AuditFilterInput";
import type { AuditPageView } from "./bindings/AuditPageView";
import type { AuditVerifyView } from "./bindings/AuditVerifyView";
import type { BulkDecisionRequest } from "./bindings/BulkDecisionRequest";
import type { BulkDecisionResult } from "./bindings/BulkDecisionResult";
import type { BusinessHoursChange } from "./bindings/BusinessHoursChange";
import type { BusinessHoursView } from "./bindings/BusinessHoursView";
import type { ChannelTestView } from "./bindings/ChannelTestView";
import type { ChannelView } from "./bindings/ChannelView";
import type { CommitRequest } from "./bindings/CommitRequest";
import type { CommitResult } from "./bindings/CommitResult";
import type { CountPackRequest } from "./bindings/CountPackRequest";
import type { CountPackSaved } from "./bindings/CountPackSaved";
import type { CountSessionDetail } from "./bindings/CountSessionDetail";
import type { CountSessionRow } from "./bindings/CountSessionRow";
import type { CountStartRequest } from "./bindings/CountStartRequest";
import type { DecisionView } from "./bindings/DecisionView";
import type { DeviceView } from "./bindings/DeviceView";
import type { DiagnosticsView } from "./bindings/DiagnosticsView";
import type { DraftAppend } from "./bindings/DraftAppend";
import type { DriftReportView } from "./bindings/DriftReportView";
import type { DriftRunView } from "./bindings/DriftRunView";
import type { DueCountView } from "./bindings/DueCountView";
import type { EventView } from "./bindings/EventView";
import type { ExportKind } from "./bindings/ExportKind";
import type { ExportResult } from "./bindings/ExportResult";
import type { FlashSaleView } from "./bindings/FlashSaleView";
import type { HubView } from "./bindings/HubView";
import type { ImportStatus } from "./bindings/ImportStatus";
import type { IncidentReviewView } from "./bindings/IncidentReviewView";
import type { IncidentView } from "./bindings/IncidentView";
import type { ItemLotsView } from "./bindings/ItemLotsView";
import type { ItemView } from "./bindings/ItemView";
import type { LabelDelivered } from "./bindings/LabelDelivered";
import type { LabelFormat } from "./bindings/LabelFormat";
import type { LabelPreviewView } from "./bindings/LabelPreviewView";
import type { LabelRequest } from "./bindings/LabelRequest";
import type { LinkReviewView } from "./bindings/LinkReviewView";
import type { LocationView } from "./bindings/LocationView";
import type { ManagedUser } from "./bindings/ManagedUser";
import type { MovementOutcome } from "./bindings/MovementOutcome";
import type { NewChannelRequest } from "./bindings/NewChannelRequest";
import type { NewLocationRequest } from "./bindings/NewLocationRequest";
import type { ReceiveTransferRequest } from "./bindings/ReceiveTransferRequest";
import type { ReconcileRunView } from "./bindings/ReconcileRunView";
import type { ReportCsvKind } from "./bindings/ReportCsvKind";
import type { RepushProgress } from "./bindings/RepushProgress";
import type { ReturnRequest } from "./bindings/ReturnRequest";
import type { ReverseRequest } from "./bindings/ReverseRequest";
import type { ReversibleEventView } from "./bindings/ReversibleEventView";
import type { RoleView } from "./bindings/RoleView";
import type { RootCauseView } from "./bindings/RootCauseView";
import type { RuleView } from "./bindings/RuleView";
import type { ScanOutcome } from "./bindings/ScanOutcome";
import type { ScannerView } from "./bindings/ScannerView";
import type { ScorecardView } from "./bindings/ScorecardView";
import type { SessionView } from "./bindings/SessionView";
import type { ShipRequest } from "./bindings/ShipRequest";
import type { ShrinkView } from "./bindings/ShrinkView";
import type { SkuSyncView } from "./bindings/SkuSyncView";
import type { StationDraft } from "./bindings/StationDraft";
import type { StockPage } from "./bindings/StockPage";
import type { StockQuery } from "./bindings/StockQuery";
import type { StockSearchQuery } from "./bindings/StockSearchQuery";
import type { StockSearchView } from "./bindings/StockSearchView";
import type { SyncDashboard } from "./bindings/SyncDashboard";
import type { ThresholdView } from "./bindings/ThresholdView";
import type { ToleranceView } from "./bindings/ToleranceView";
import type { TransferInTransitView } from "./bindings/TransferInTransitView";
import type { VarianceBarView } from "./bindings/VarianceBarView";
import type { VarianceGroupView } from "./bindings/VarianceGroupView";
import type { WorkstationSettingView } from "./bindings/WorkstationSettingView";
import type { WriteOffRequest } from "./bindings/WriteOffRequest";

/** Every command of the table. A rejected call rejects with a string: the message to show a person. */
export const commands = {
  /** Start-up phase, database path, demo flag and counts. Never waits for start-up. */
  appInfo: (): Promise<AppInfo> => invoke<AppInfo>("app_info"),
  /** Stock rows matching the filter, at most `query.limit` (the rest counted in `total`). */
  stockLevels: (query: StockQuery): Promise<StockPage> => invoke<StockPage>("stock_levels", { query }),
  /** Newest first. `sku: null` means every item. */
  recentEvents: (sku: string | null, limit: number | null): Promise<Array<EventView>> => invoke<Array<EventView>>("recent_events", { sku, limit }),
  /** Resolves a SKU or any barcode (GTIN-8/12/13/14, internal code) to the item and its stock. */
  itemLookup: (code: string): Promise<ItemView> => invoke<ItemView>("item_lookup", { code }),
  /** Stock rows whose SKU starts with, or whose name contains, the text; a page at a time. */
  searchStock: (query: StockSearchQuery): Promise<StockSearchView> => invoke<StockSearchView>("search_stock", { query }),
  locations: (): Promise<Array<LocationView>> => invoke<Array<LocationView>>("locations"),
  sessionInfo: (): Promise<SessionView> => invoke<SessionView>("session_info"),
  /** Checks the PIN in Rust (wrong PINs count towards a lockout) and starts a session. */
  signIn: (name: string, pin: string): Promise<SessionView> => invoke<SessionView>("sign_in", { name, pin }),
  signOut: (): Promise<SessionView> => invoke<SessionView>("sign_out"),
  lockSession: (): Promise<SessionView> => invoke<SessionView>("lock_session"),
  sessionPing: (): Promise<SessionView> => invoke<SessionView>("session_ping"),
  /** The signed-in user's own language ("es"; `null`: follow the workstation's), audited. */
  setUserLanguage: (language: string | null): Promise<SessionView> => invoke<SessionView>("set_user_language", { language }),
  /** Loads the demo catalogue and demo users into this empty database; then the sign-in. */
  tryDemo: (): Promise<AppInfo> => invoke<AppInfo>("try_demo"),
  /** Creates the first admin (the PIN typed twice) and signs them in for the rest of set-up. */
  createFirstAdmin: (name: string, pin: string, pinAgain: string): Promise<SessionView> => invoke<SessionView>("create_first_admin", { name, pin, pinAgain }),
  /** A keyboard-wedge scan: command label, item or error, resolved against the catalogue. */
  classifyScan: (data: string): Promise<ScanOutcome> => invoke<ScanOutcome>("classify_scan", { data }),
  commitScans: (request: CommitRequest): Promise<CommitResult> => invoke<CommitResult>("commit_scans", { request }),
  /** Saves the signed-in user's uncommitted station lines (an empty draft removes it). */
  saveStationDraft: (draft: StationDraft): Promise<void> => invoke<void>("save_station_draft", { draft }),
  /**
   * Adds one scanned line at the end of the saved draft (refused when the saved draft is
   * not the one the station last saved; it then saves the whole draft).
   */
  appendStationDraftLine: (append: DraftAppend): Promise<void> => invoke<void>("append_station_draft_line", { append }),
  /** The signed-in user's saved station draft at this workstation, if any. */
  stationDraft: (): Promise<StationDraft | null> => invoke<StationDraft | null>("station_draft"),
  discardStationDraft: (): Promise<boolean> => invoke<boolean>("discard_station_draft"),
  startCount: (location: string): Promise<CountSessionDetail> => invoke<CountSessionDetail>("start_count", { location }),
  countSessions: (): Promise<Array<CountSessionRow>> => invoke<Array<CountSessionRow>>("count_sessions"),
  countSession: (id: string): Promise<CountSessionDetail> => invoke<CountSessionDetail>("count_session", { id }),
  submitCount: (id: string): Promise<CountSessionDetail> => invoke<CountSessionDetail>("submit_count", { id }),
  dueCounts: (): Promise<Array<DueCountView>> => invoke<Array<DueCountView>>("due_counts"),
  /** A count by location, SKU list, class, top N or full; blind or not (open needs a supervisor). */
  startCountScoped: (request: CountStartRequest): Promise<CountSessionDetail> => invoke<CountSessionDetail>("start_count_scoped", { request }),
  /** Submits a count; `confirmZero` counts a full count's uncounted SKUs as zero. */
  submitCountConfirmed: (id: string, confirmZero: boolean): Promise<CountSessionDetail> => invoke<CountSessionDetail>("submit_count_confirmed", { id, confirmZero }),
  /** Starts the serial/HID listeners once; their scans arrive through `onScannerScan`. */
  startScanners: (): Promise<Array<ScannerView>> => invoke<Array<ScannerView>>("start_scanners"),
  /** One card per channel and the open dead letters, as the sync engine reports them. */
  syncStatus: (): Promise<SyncDashboard> => invoke<SyncDashboard>("sync_status"),
  /**
   * This workstation's hub: joined or standalone, reachable, pending uploads, lease holder.
   * Probes the hub for up to 2 s; a standalone database answers `workstation: null`.
   */
  hubStatus: (): Promise<HubView> => invoke<HubView>("hub_status"),
  /** "Why this number" for a SKU or barcode: buckets, each listing's derivation, its pushes. */
  skuSync: (code: string): Promise<SkuSyncView> => invoke<SkuSyncView>("sku_sync", { code }),
  /** Every alert, newest first; `check` evaluates the rules first (opens and resolves). */
  alerts: (check: boolean): Promise<AlertList> => invoke<AlertList>("alerts", { check }),
  incidents: (openOnly: boolean): Promise<Array<IncidentView>> => invoke<Array<IncidentView>>("incidents", { openOnly }),
  incident: (id: string): Promise<IncidentView> => invoke<IncidentView>("incident", { id }),
  reconcileRuns: (limit: number): Promise<Array<ReconcileRunView>> => invoke<Array<ReconcileRunView>>("reconcile_runs", { limit }),
  lastDrift: (): Promise<DriftReportView | null> => invoke<DriftReportView | null>("last_drift"),
  /** Stored drift audits, newest first (default 30, at most 200): the service's daily and weekly runs and manual ones. */
  driftHistory: (limit: number | null): Promise<Array<DriftRunView>> => invoke<Array<DriftRunView>>("drift_history", { limit }),
  /**
   * The guide's Quick Reference over the last `days` (1 to 90): each measure with its
   * target, red flag and verdict.
   */
  scorecard: (days: number): Promise<ScorecardView> => invoke<ScorecardView>("scorecard", { days }),
  /** A label's preview (issue 21): the barcode as the PDF prints it, and its text lines. */
  labelPreview: (request: LabelRequest): Promise<LabelPreviewView> => invoke<LabelPreviewView>("label_preview", { request }),
  /** Saves the label as PDF or ZPL into the labels folder next to the database. */
  saveLabel: (request: LabelRequest, format: LabelFormat): Promise<LabelDelivered> => invoke<LabelDelivered>("save_label", { request, format }),
  /** Sends the label's ZPL to a Zebra printer at HOST:PORT (raw TCP, usually port 9100). */
  sendLabel: (request: LabelRequest, printer: string): Promise<LabelDelivered> => invoke<LabelDelivered>("send_label", { request, printer }),
  /** Writes the list as CSV next to the database; returns the file's path. */
  exportCsv: (kind: ExportKind): Promise<ExportResult> => invoke<ExportResult>("export_csv", { kind }),
  scannerDevices: (): Promise<Array<DeviceView>> => invoke<Array<DeviceView>>("scanner_devices"),
  /** Every re-push started from this window: of the listings marked, how many still wait. */
  repushProgress: (): Promise<Array<RepushProgress>> => invoke<Array<RepushProgress>>("repush_progress"),
  /**
   * The import running in this window, or the last one (`null` before the first). Answers
   * while an import holds the database.
   */
  importProgress: (): Promise<ImportStatus | null> => invoke<ImportStatus | null>("import_progress"),
  approvals: (): Promise<Array<ApprovalView>> => invoke<Array<ApprovalView>>("approvals"),
  decide: (id: string, decision: DecisionView, reason: string, pin: string): Promise<void> => invoke<void>("decide", { id, decision, reason, pin }),
  /** Several items, one reason, one PIN; the answer says per item what happened or why not. */
  decideMany: (request: BulkDecisionRequest): Promise<BulkDecisionResult> => invoke<BulkDecisionResult>("decide_many", { request }),
  /** How many items wait in the inbox (the Approvals tab's badge). */
  approvalsWaiting: (): Promise<number> => invoke<number>("approvals_waiting"),
  /** Supervisors: a page of the audit chain, newest first, filtered by who, item, kind and time. */
  auditEntries: (filter: AuditFilterInput): Promise<AuditPageView> => invoke<AuditPageView>("audit_entries", { filter }),
  /** Supervisors: whether the audit chain holds, else its first broken entry and why. */
  verifyAudit: (): Promise<AuditVerifyView> => invoke<AuditVerifyView>("verify_audit"),
  /** Supervisors: starts one "Due by plan" row's count, as the plan defines it. */
  startDueCount: (location: string, plan: string): Promise<CountSessionDetail> => invoke<CountSessionDetail>("start_due_count", { location, plan }),
  /** Supervisors only. `id: null` retries every open dead letter. Returns how many. */
  retryDeadLetters: (id: string | null): Promise<number> => invoke<number>("retry_dead_letters", { id }),
  /**
   * Supervisors only. Marks every listing of the channel for push (bulk: sales still go
   * first) and returns the re-push's progress at its start.
   */
  repushChannel: (channel: string): Promise<RepushProgress> => invoke<RepushProgress>("repush_channel", { channel }),
  /**
   * Imports a CSV file's text (at most 32 MiB): items and locations for admins, stock for
   * supervisors too. All or nothing; a refusal's bad lines are in `importProgress`.
   */
  importCsv: (kind: string, text: string): Promise<ImportStatus> => invoke<ImportStatus>("import_csv", { kind, text }),
  /** Supervisors only. */
  ackAlert: (id: string): Promise<AlertView> => invoke<AlertView>("ack_alert", { id }),
  /** Supervisors only: records the root cause and closes the incident. */
  resolveIncident: (id: string, cause: string): Promise<IncidentView> => invoke<IncidentView>("resolve_incident", { id, cause }),
  /** Supervisors only: reads every Shopify channel now; returns the new runs. */
  runReconcile: (): Promise<Array<ReconcileRunView>> => invoke<Array<ReconcileRunView>>("run_reconcile"),
  /** Supervisors only: the top `top` SKUs by velocity against each channel, read live. */
  runDrift: (top: number): Promise<DriftReportView> => invoke<DriftReportView>("run_drift", { top }),
  thresholds: (): Promise<Array<ThresholdView>> => invoke<Array<ThresholdView>>("thresholds"),
  /** Flash-sale mode: the rule, and the items selling fast with each listing's share. */
  flashSale: (): Promise<FlashSaleView> => invoke<FlashSaleView>("flash_sale"),
  tolerance: (category: string | null): Promise<ToleranceView> => invoke<ToleranceView>("tolerance", { category }),
  setTolerance: (tolerance: ToleranceView): Promise<ToleranceView> => invoke<ToleranceView>("set_tolerance", { tolerance }),
  channels: (): Promise<Array<ChannelView>> => invoke<Array<ChannelView>>("channels"),
  setThreshold: (rule: string, value: number): Promise<Array<ThresholdView>> => invoke<Array<ThresholdView>>("set_threshold", { rule, value }),
  /** Admins: flash-sale mode on (window in seconds, trigger in channel sales) or off. */
  setFlashSale: (on: boolean, windowSecs: number, triggerSales: number): Promise<FlashSaleView> => invoke<FlashSaleView>("set_flash_sale", { on, windowSecs, triggerSales }),
  users: (): Promise<Array<ManagedUser>> => invoke<Array<ManagedUser>>("users"),
  addUser: (name: string, role: RoleView, pin: string): Promise<Array<ManagedUser>> => invoke<Array<ManagedUser>>("add_user", { name, role, pin }),
  /** Admins: clear a user's lockout and failed PINs. */
  unlockUser: (name: string): Promise<Array<ManagedUser>> => invoke<Array<ManagedUser>>("unlock_user", { name }),
  /** Admins: stop a user signing in (or let them again); nobody deactivates themselves. */
  setUserActive: (name: string, active: boolean): Promise<Array<ManagedUser>> => invoke<Array<ManagedUser>>("set_user_active", { name, active }),
  /** Admins: set another user's PIN. */
  resetUserPin: (name: string, pin: string): Promise<Array<ManagedUser>> => invoke<Array<ManagedUser>>("reset_user_pin", { name, pin }),
  addLocation: (request: NewLocationRequest): Promise<Array<LocationView>> => invoke<Array<LocationView>>("add_location", { request }),
  /** The secrets go to the keychain (or the 0600 file); they never come back. */
  addChannel: (request: NewChannelRequest): Promise<Array<ChannelView>> => invoke<Array<ChannelView>>("add_channel", { request }),
  setRule: (channel: string, rule: RuleView): Promise<Array<ChannelView>> => invoke<Array<ChannelView>>("set_rule", { channel, rule }),
  /**
   * Admins: one real authenticated call with the stored credentials; `ok: false` says in
   * words what failed (wrong token, wrong shop, no network).
   */
  testChannel: (channel: string): Promise<ChannelTestView> => invoke<ChannelTestView>("test_channel", { channel }),
  /**
   * Admins: reads the channel's catalogue and matches it to our SKUs; `apply` links the
   * matched listings. `location`/`shopLocation` choose where (Shopify; null: the only one).
   */
  linkChannel: (channel: string, apply: boolean, location: string | null, shopLocation: string | null): Promise<LinkReviewView> => invoke<LinkReviewView>("link_channel", { channel, apply, location, shopLocation }),
  /**
   * The keyboard-wedge key gap saved for this workstation, `null` when none is (anyone; read
   * when the window loads).
   */
  wedgeMaxGapMs: (): Promise<number | null> => invoke<number | null>("wedge_max_gap_ms"),
  /** Every setting of this workstation with where its value comes from (env, saved, default). */
  workstationSettings: (): Promise<Array<WorkstationSettingView>> => invoke<Array<WorkstationSettingView>>("workstation_settings"),
  /** Saves one setting; a refused value changes nothing and rejects with the reason. */
  setWorkstationSetting: (key: string, value: string): Promise<Array<WorkstationSettingView>> => invoke<Array<WorkstationSettingView>>("set_workstation_setting", { key, value }),
  /** Writes logs, versions, health and settings (no secrets) into a folder next to the database. */
  saveDiagnostics: (): Promise<DiagnosticsView> => invoke<DiagnosticsView>("save_diagnostics"),
  /** Stops and restarts the serial/HID listeners with the scanner settings saved now. */
  restartScanners: (): Promise<Array<ScannerView>> => invoke<Array<ScannerView>>("restart_scanners"),
  /** Core's loss reason codes: the only reasons a write-off may carry. */
  lossReasonCodes: (): Promise<Array<string>> => invoke<Array<string>>("loss_reason_codes"),
  /** From damaged or on hand under a reason code; above the approval value it waits. */
  writeOff: (request: WriteOffRequest): Promise<MovementOutcome> => invoke<MovementOutcome>("write_off", { request }),
  /** On hand up or down with a reason; `overrideNegative` (supervisors) lets it go below zero. */
  adjustStock: (request: AdjustRequest): Promise<MovementOutcome> => invoke<MovementOutcome>("adjust_stock", { request }),
  /** The first half of a two-phase transfer. */
  shipTransfer: (request: ShipRequest): Promise<MovementOutcome> => invoke<MovementOutcome>("ship_transfer", { request }),
  /** Shipments neither received nor reversed, newest first. */
  transfersInTransit: (): Promise<Array<TransferInTransitView>> => invoke<Array<TransferInTransitView>>("transfers_in_transit"),
  /** Receives a shipment in full or short (a short receipt needs a reason). */
  receiveTransfer: (request: ReceiveTransferRequest): Promise<MovementOutcome> => invoke<MovementOutcome>("receive_transfer", { request }),
  customerReturn: (request: ReturnRequest): Promise<MovementOutcome> => invoke<MovementOutcome>("customer_return", { request }),
  /** A tracked item's lots at a location, first expiry first, and which to take `qty` from. */
  itemLots: (code: string, location: string, qty: number | null): Promise<ItemLotsView> => invoke<ItemLotsView>("item_lots", { code, location, qty }),
  /** Supervisors: a SKU's last events, newest first, each with whether it may be reversed. */
  reversibleEvents: (sku: string, limit: number | null): Promise<Array<ReversibleEventView>> => invoke<Array<ReversibleEventView>>("reversible_events", { sku, limit }),
  /** Supervisors: undoes a posted event; the new event names the one it undoes. */
  reverseEvent: (request: ReverseRequest): Promise<MovementOutcome> => invoke<MovementOutcome>("reverse_event", { request }),
  /** Count variance per session (newest first), location or category (largest first). */
  reportVariance: (by: VarianceGroupView): Promise<Array<VarianceBarView>> => invoke<Array<VarianceBarView>>("report_variance", { by }),
  /** Inventory record accuracy per month: the monthly count's trend. */
  reportAccuracy: (): Promise<Array<AccuracyPointView>> => invoke<Array<AccuracyPointView>>("report_accuracy"),
  /** Shrink over the last `days` (1 to 366) by reason, with units and value. */
  reportShrink: (days: number): Promise<ShrinkView> => invoke<ShrinkView>("report_shrink", { days }),
  /** Writes one report as CSV next to the database (`days`: the shrink period, default 90). */
  exportReportCsv: (kind: ReportCsvKind, days: number | null): Promise<ExportResult> => invoke<ExportResult>("export_report_csv", { kind, days }),
  /**
   * Supervisors: the count pack (one session, or a month's full counts) as PDF next to the
   * database, for a supervisor to sign.
   */
  saveCountPack: (request: CountPackRequest): Promise<CountPackSaved> => invoke<CountPackSaved>("save_count_pack", { request }),
  /** Business hours in the warehouse's zone, per weekday, the peak days, and now in that zone. */
  businessHours: (): Promise<BusinessHoursView> => invoke<BusinessHoursView>("business_hours"),
  /** Sets the zone and the weekdays given; one bad value refuses the whole change. */
  setBusinessHours: (change: BusinessHoursChange): Promise<BusinessHoursView> => invoke<BusinessHoursView>("set_business_hours", { change }),
  /** Adds a peak day (a local date YYYY-MM-DD) on which the alert thresholds tighten. */
  addPeakDay: (day: string, note: string): Promise<BusinessHoursView> => invoke<BusinessHoursView>("add_peak_day", { day, note }),
  removePeakDay: (day: string): Promise<BusinessHoursView> => invoke<BusinessHoursView>("remove_peak_day", { day }),
  /** Core's root-cause categories of incidents, `other` last. */
  rootCauses: (): Promise<Array<RootCauseView>> => invoke<Array<RootCauseView>>("root_causes"),
  /** Records the root cause (a category and free text) and closes the incident. */
  resolveIncidentCategorised: (id: string, category: string, cause: string): Promise<IncidentView> => invoke<IncidentView>("resolve_incident_categorised", { id, category, cause }),
  /** The month's incidents (YYYY-MM) grouped by root-cause category. */
  incidentReview: (month: string): Promise<IncidentReviewView> => invoke<IncidentReviewView>("incident_review", { month }),
};
