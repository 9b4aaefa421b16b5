/**
 * The only place the UI talks to Rust. Each command has one typed wrapper; screens import
 * these, never `invoke` with a string. Types come from `./bindings` (generated from the Rust
 * wire types by ts-rs; do not edit them by hand).
 *
 * Errors: a command that fails rejects with a plain string, the message to show a person.
 * Who is acting is never sent: Rust holds the signed-in user (see `signIn`).
 */
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";

import type { AlertList } from "./bindings/AlertList";
import type { AlertView } from "./bindings/AlertView";
import type { AppInfo } from "./bindings/AppInfo";
import type { ChannelTestView } from "./bindings/ChannelTestView";
import type { ChannelView } from "./bindings/ChannelView";
import type { LinkReviewView } from "./bindings/LinkReviewView";
import type { LinkRowView } from "./bindings/LinkRowView";
import type { LinkStatusView } from "./bindings/LinkStatusView";
import type { DeviceView } from "./bindings/DeviceView";
import type { DriftReportView } from "./bindings/DriftReportView";
import type { ExportKind } from "./bindings/ExportKind";
import type { ExportResult } from "./bindings/ExportResult";
import type { ImportKind } from "./bindings/ImportKind";
import type { ImportStatus } from "./bindings/ImportStatus";
import type { IncidentView } from "./bindings/IncidentView";
import type { ManagedUser } from "./bindings/ManagedUser";
import type { NewChannelRequest } from "./bindings/NewChannelRequest";
import type { NewLocationRequest } from "./bindings/NewLocationRequest";
import type { ReconcileRunView } from "./bindings/ReconcileRunView";
import type { RepushProgress } from "./bindings/RepushProgress";
import type { RoleView } from "./bindings/RoleView";
import type { RuleView } from "./bindings/RuleView";
import type { ThresholdView } from "./bindings/ThresholdView";
import type { ToleranceView } from "./bindings/ToleranceView";
import type { DiagnosticsView } from "./bindings/DiagnosticsView";
import type { WorkstationSettingView } from "./bindings/WorkstationSettingView";
import type { ApprovalView } from "./bindings/ApprovalView";
import type { CommitRequest } from "./bindings/CommitRequest";
import type { CommitResult } from "./bindings/CommitResult";
import type { StationDraft } from "./bindings/StationDraft";
import type { StockSearchQuery } from "./bindings/StockSearchQuery";
import type { StockSearchView } from "./bindings/StockSearchView";
import type { CountSessionDetail } from "./bindings/CountSessionDetail";
import type { CountSessionRow } from "./bindings/CountSessionRow";
import type { DecisionView } from "./bindings/DecisionView";
import type { DueCountView } from "./bindings/DueCountView";
import type { BulkDecisionRequest } from "./bindings/BulkDecisionRequest";
import type { BulkDecisionResult } from "./bindings/BulkDecisionResult";
import type { CountStartRequest } from "./bindings/CountStartRequest";
import type { EventView } from "./bindings/EventView";
import type { ItemView } from "./bindings/ItemView";
import type { LocationView } from "./bindings/LocationView";
import type { ScannerView } from "./bindings/ScannerView";
import type { ScanOutcome } from "./bindings/ScanOutcome";
import type { SessionView } from "./bindings/SessionView";
import type { StockPage } from "./bindings/StockPage";
import type { StockQuery } from "./bindings/StockQuery";
import type { SyncDashboard } from "./bindings/SyncDashboard";
import type { HubView } from "./bindings/HubView";
import type { SkuSyncView } from "./bindings/SkuSyncView";

export type {
  ChannelTestView,
  LinkReviewView,
  LinkRowView,
  LinkStatusView,
  AlertList,
  AlertView,
  ChannelView,
  DeviceView,
  DriftReportView,
  ExportKind,
  ExportResult,
  ImportKind,
  ImportStatus,
  IncidentView,
  ManagedUser,
  NewChannelRequest,
  NewLocationRequest,
  ReconcileRunView,
  RepushProgress,
  RuleView,
  ThresholdView,
  ToleranceView,
  AppInfo,
  ApprovalView,
  CommitRequest,
  CommitResult,
  CountSessionDetail,
  CountSessionRow,
  DecisionView,
  DueCountView,
  EventView,
  ItemView,
  LocationView,
  ScannerView,
  ScanOutcome,
  SessionView,
  StockPage,
  StockQuery,
  SyncDashboard,
  HubView,
  SkuSyncView,
};
export type { AllocationView } from "./bindings/AllocationView";
export type { StationDraft } from "./bindings/StationDraft";
export type { StockSearchQuery } from "./bindings/StockSearchQuery";
export type { StockSearchRow } from "./bindings/StockSearchRow";
export type { StockSearchView } from "./bindings/StockSearchView";
export type { DraftLine } from "./bindings/DraftLine";
export type { LatencyPointView } from "./bindings/LatencyPointView";
export type { ListingWhyView } from "./bindings/ListingWhyView";
export type { PushView } from "./bindings/PushView";
export type { ChannelCard } from "./bindings/ChannelCard";
export type { DeadLetterView } from "./bindings/DeadLetterView";
export type { StockLevel } from "./bindings/StockLevel";
export type { Buckets } from "./bindings/Buckets";
export type { Phase } from "./bindings/Phase";
export type { StationMode } from "./bindings/StationMode";
export type { ScanKind } from "./bindings/ScanKind";
export type { RoleView };
export type { GapView } from "./bindings/GapView";
export type { DriftRowView } from "./bindings/DriftRowView";
export type { SecretField } from "./bindings/SecretField";
export type { CountLineRow } from "./bindings/CountLineRow";
export type { CommitLine } from "./bindings/CommitLine";
export type { HistoryLine } from "./bindings/HistoryLine";
export type { BulkDecisionRequest, BulkDecisionResult, CountStartRequest };
export type { BulkDecisionLine } from "./bindings/BulkDecisionLine";
export type { BulkOutcome } from "./bindings/BulkOutcome";
export type { ImportLineError } from "./bindings/ImportLineError";
export type { DiagnosticsView, WorkstationSettingView };
export type { SettingSource } from "./bindings/SettingSource";

/** The event serial and HID scanner listeners emit (see src-tauri/src/scanners.rs). */
export const SCAN_EVENT = "scan";

export const api = {
  /** Start-up phase, database path, demo flag and counts. Never waits for start-up. */
  appInfo: (): Promise<AppInfo> => invoke<AppInfo>("app_info"),

  /** Stock rows matching the filter, at most `query.limit` (the rest counted in `total`). */
  stockLevels: (query: StockQuery): Promise<StockPage> => invoke<StockPage>("stock_levels", { query }),

  /** Newest first. `sku: null` means every item. */
  recentEvents: (sku: string | null, limit: number): Promise<EventView[]> =>
    invoke<EventView[]>("recent_events", { sku, limit }),

  /** Resolves a SKU or any barcode (GTIN-8/12/13/14, internal code) to the item and its stock. */
  itemLookup: (code: string): Promise<ItemView> => invoke<ItemView>("item_lookup", { code }),

  locations: (): Promise<LocationView[]> => invoke<LocationView[]>("locations"),

  // ---- session ----
  sessionInfo: (): Promise<SessionView> => invoke<SessionView>("session_info"),
  /** Checks the PIN in Rust (wrong PINs count towards a lockout) and starts a session. */
  signIn: (name: string, pin: string): Promise<SessionView> => invoke<SessionView>("sign_in", { name, pin }),
  signOut: (): Promise<SessionView> => invoke<SessionView>("sign_out"),
  lockSession: (): Promise<SessionView> => invoke<SessionView>("lock_session"),
  sessionPing: (): Promise<SessionView> => invoke<SessionView>("session_ping"),

  // ---- first run: only while the database has no users (refused in Rust after that) ----
  /** Loads the demo catalogue and demo users into this empty database; then the sign-in. */
  tryDemo: (): Promise<AppInfo> => invoke<AppInfo>("try_demo"),
  /** Creates the first admin (the PIN typed twice) and signs them in for the rest of set-up. */
  createFirstAdmin: (name: string, pin: string, pinAgain: string): Promise<SessionView> =>
    invoke<SessionView>("create_first_admin", { name, pin, pinAgain }),

  // ---- scan station ----
  /** A keyboard-wedge scan: command label, item or error, resolved against the catalogue. */
  classifyScan: (data: string): Promise<ScanOutcome> => invoke<ScanOutcome>("classify_scan", { data }),
  commitScans: (request: CommitRequest): Promise<CommitResult> => invoke<CommitResult>("commit_scans", { request }),
  /** Stock rows whose SKU starts with, or whose name contains, the text; a page at a time. */
  searchStock: (query: StockSearchQuery): Promise<StockSearchView> => invoke<StockSearchView>("search_stock", { query }),
  /** Saves the signed-in user's uncommitted station lines (an empty draft removes it). */
  saveStationDraft: (draft: StationDraft): Promise<void> => invoke<void>("save_station_draft", { draft }),
  /** The signed-in user's saved station draft at this workstation, if any. */
  stationDraft: (): Promise<StationDraft | null> => invoke<StationDraft | null>("station_draft"),
  discardStationDraft: (): Promise<boolean> => invoke<boolean>("discard_station_draft"),
  /** Starts the serial/HID listeners once; their scans arrive through `onScannerScan`. */
  startScanners: (): Promise<ScannerView[]> => invoke<ScannerView[]>("start_scanners"),
  onScannerScan: (handler: (outcome: ScanOutcome) => void): Promise<UnlistenFn> =>
    listen<ScanOutcome>(SCAN_EVENT, (event) => handler(event.payload)),

  // ---- counts ----
  startCount: (location: string): Promise<CountSessionDetail> =>
    invoke<CountSessionDetail>("start_count", { location }),
  countSessions: (): Promise<CountSessionRow[]> => invoke<CountSessionRow[]>("count_sessions"),
  countSession: (id: string): Promise<CountSessionDetail> => invoke<CountSessionDetail>("count_session", { id }),
  submitCount: (id: string): Promise<CountSessionDetail> => invoke<CountSessionDetail>("submit_count", { id }),
  dueCounts: (): Promise<DueCountView[]> => invoke<DueCountView[]>("due_counts"),
  /** A count by location, SKU list, class, top N or full; blind or not (open needs a supervisor). */
  startCountScoped: (request: CountStartRequest): Promise<CountSessionDetail> =>
    invoke<CountSessionDetail>("start_count_scoped", { request }),
  /** Supervisors: starts one "Due by plan" row's count, as the plan defines it. */
  startDueCount: (location: string, plan: string): Promise<CountSessionDetail> =>
    invoke<CountSessionDetail>("start_due_count", { location, plan }),
  /** Submits a count; `confirmZero` counts a full count's uncounted SKUs as zero. */
  submitCountConfirmed: (id: string, confirmZero: boolean): Promise<CountSessionDetail> =>
    invoke<CountSessionDetail>("submit_count_confirmed", { id, confirmZero }),

  // ---- approvals (supervisors; refused in Rust for anyone else) ----
  approvals: (): Promise<ApprovalView[]> => invoke<ApprovalView[]>("approvals"),
  decide: (id: string, decision: DecisionView, reason: string, pin: string): Promise<void> =>
    invoke<void>("decide", { id, decision, reason, pin }),
  /** Several items, one reason, one PIN; the answer says per item what happened or why not. */
  decideMany: (request: BulkDecisionRequest): Promise<BulkDecisionResult> =>
    invoke<BulkDecisionResult>("decide_many", { request }),
  /** How many items wait in the inbox (the Approvals tab's badge). */
  approvalsWaiting: (): Promise<number> => invoke<number>("approvals_waiting"),

  // ---- sync ----
  /** One card per channel and the open dead letters, as the sync engine reports them. */
  syncStatus: (): Promise<SyncDashboard> => invoke<SyncDashboard>("sync_status"),
  /** This workstation's hub: joined or standalone, reachable, pending uploads, lease holder.
   *  Probes the hub for up to 2 s; a standalone database answers `workstation: null`. */
  hubStatus: (): Promise<HubView> => invoke<HubView>("hub_status"),
  /** "Why this number" for a SKU or barcode: buckets, each listing's derivation, its pushes. */
  skuSync: (code: string): Promise<SkuSyncView> => invoke<SkuSyncView>("sku_sync", { code }),
  /** Supervisors only. `id: null` retries every open dead letter. Returns how many. */
  retryDeadLetters: (id: string | null): Promise<number> => invoke<number>("retry_dead_letters", { id }),
  /** Supervisors only. Marks every listing of the channel for push (bulk: sales still go
   *  first) and returns the re-push's progress at its start. */
  repushChannel: (channel: string): Promise<RepushProgress> => invoke<RepushProgress>("repush_channel", { channel }),
  /** Every re-push started from this window: of the listings marked, how many still wait. */
  repushProgress: (): Promise<RepushProgress[]> => invoke<RepushProgress[]>("repush_progress"),

  // ---- monitoring ----
  /** Every alert, newest first; `check` evaluates the rules first (opens and resolves). */
  alerts: (check: boolean): Promise<AlertList> => invoke<AlertList>("alerts", { check }),
  /** Supervisors only. */
  ackAlert: (id: string): Promise<AlertView> => invoke<AlertView>("ack_alert", { id }),
  incidents: (openOnly: boolean): Promise<IncidentView[]> => invoke<IncidentView[]>("incidents", { openOnly }),
  incident: (id: string): Promise<IncidentView> => invoke<IncidentView>("incident", { id }),
  /** Supervisors only: records the root cause and closes the incident. */
  resolveIncident: (id: string, cause: string): Promise<IncidentView> =>
    invoke<IncidentView>("resolve_incident", { id, cause }),
  reconcileRuns: (limit: number): Promise<ReconcileRunView[]> => invoke<ReconcileRunView[]>("reconcile_runs", { limit }),
  /** Supervisors only: reads every Shopify channel now; returns the new runs. */
  runReconcile: (): Promise<ReconcileRunView[]> => invoke<ReconcileRunView[]>("run_reconcile"),
  /** Supervisors only: the top `top` SKUs by velocity against each channel, read live. */
  runDrift: (top: number): Promise<DriftReportView> => invoke<DriftReportView>("run_drift", { top }),
  lastDrift: (): Promise<DriftReportView | null> => invoke<DriftReportView | null>("last_drift"),
  /** Writes the list as CSV next to the database; returns the file's path. */
  exportCsv: (kind: ExportKind): Promise<ExportResult> => invoke<ExportResult>("export_csv", { kind }),

  // ---- settings (roles checked in Rust: see src-tauri/src/admin.rs) ----
  thresholds: (): Promise<ThresholdView[]> => invoke<ThresholdView[]>("thresholds"),
  setThreshold: (rule: string, value: number): Promise<ThresholdView[]> =>
    invoke<ThresholdView[]>("set_threshold", { rule, value }),
  users: (): Promise<ManagedUser[]> => invoke<ManagedUser[]>("users"),
  addUser: (name: string, role: RoleView, pin: string): Promise<ManagedUser[]> =>
    invoke<ManagedUser[]>("add_user", { name, role, pin }),
  /** Admins: clear a user's lockout and failed PINs. */
  unlockUser: (name: string): Promise<ManagedUser[]> => invoke<ManagedUser[]>("unlock_user", { name }),
  /** Admins: stop a user signing in (or let them again); nobody deactivates themselves. */
  setUserActive: (name: string, active: boolean): Promise<ManagedUser[]> =>
    invoke<ManagedUser[]>("set_user_active", { name, active }),
  /** Admins: set another user's PIN. */
  resetUserPin: (name: string, pin: string): Promise<ManagedUser[]> => invoke<ManagedUser[]>("reset_user_pin", { name, pin }),
  addLocation: (request: NewLocationRequest): Promise<LocationView[]> =>
    invoke<LocationView[]>("add_location", { request }),
  tolerance: (category: string | null): Promise<ToleranceView> => invoke<ToleranceView>("tolerance", { category }),
  setTolerance: (tolerance: ToleranceView): Promise<ToleranceView> =>
    invoke<ToleranceView>("set_tolerance", { tolerance }),
  channels: (): Promise<ChannelView[]> => invoke<ChannelView[]>("channels"),
  /** The secrets go to the keychain (or the 0600 file); they never come back. */
  addChannel: (request: NewChannelRequest): Promise<ChannelView[]> => invoke<ChannelView[]>("add_channel", { request }),
  /** Admins: one real authenticated call with the stored credentials; `ok: false` says in
   *  words what failed (wrong token, wrong shop, no network). */
  testChannel: (channel: string): Promise<ChannelTestView> => invoke<ChannelTestView>("test_channel", { channel }),
  /** Admins: reads the channel's catalogue and matches it to our SKUs; `apply` links the
   *  matched listings. `location`/`shopLocation` choose where (Shopify; null: the only one). */
  linkChannel: (channel: string, apply: boolean, location: string | null, shopLocation: string | null): Promise<LinkReviewView> =>
    invoke<LinkReviewView>("link_channel", { channel, apply, location, shopLocation }),
  setRule: (channel: string, rule: RuleView): Promise<ChannelView[]> => invoke<ChannelView[]>("set_rule", { channel, rule }),
  scannerDevices: (): Promise<DeviceView[]> => invoke<DeviceView[]>("scanner_devices"),
  /** Imports a CSV file's text (at most 32 MiB): items and locations for admins, stock for
   *  supervisors too. All or nothing; a refusal's bad lines are in `importProgress`. */
  importCsv: (kind: ImportKind, text: string): Promise<ImportStatus> =>
    invoke<ImportStatus>("import_csv", { kind, text }),
  /** The import running in this window, or the last one (`null` before the first). Answers
   *  while an import holds the database. */
  importProgress: (): Promise<ImportStatus | null> => invoke<ImportStatus | null>("import_progress"),

  // ---- this workstation (supervisors and admins, checked in Rust) ----
  /** Every setting of this workstation with where its value comes from (env, saved, default). */
  workstationSettings: (): Promise<WorkstationSettingView[]> => invoke<WorkstationSettingView[]>("workstation_settings"),
  /** Saves one setting; a refused value changes nothing and rejects with the reason. */
  setWorkstationSetting: (key: string, value: string): Promise<WorkstationSettingView[]> =>
    invoke<WorkstationSettingView[]>("set_workstation_setting", { key, value }),
  /** Stops and restarts the serial/HID listeners with the scanner settings saved now. */
  restartScanners: (): Promise<ScannerView[]> => invoke<ScannerView[]>("restart_scanners"),
  /** The keyboard-wedge key gap saved for this workstation, `null` when none is (anyone; read
   *  when the window loads). */
  wedgeMaxGapMs: (): Promise<number | null> => invoke<number | null>("wedge_max_gap_ms"),
  /** Writes logs, versions, health and settings (no secrets) into a folder next to the database. */
  saveDiagnostics: (): Promise<DiagnosticsView> => invoke<DiagnosticsView>("save_diagnostics"),
};

/** The message of a rejected command (a string), or of anything else that was thrown. */
export function errorMessage(error: unknown): string {
  if (typeof error === "string") return error;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** True when a command was refused because nobody is signed in or the session locked. */
export function isSessionError(message: string): boolean {
  return message === "Sign in first." || message.startsWith("The session is locked");
}
