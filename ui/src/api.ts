/**
 * The UI's door to Rust. The commands are generated: `./client` holds one typed function per
 * command of src-tauri/src/command_table.rs (do not edit it; a Rust test fails when it is
 * stale). This file adds what is not a command (the scanner event, error helpers) and
 * re-exports the wire types, so screens import everything from here and never call `invoke`
 * with a string. Types come from `./bindings` (generated from the Rust wire types by ts-rs; do
 * not edit them by hand).
 *
 * Errors: a command that fails rejects with an `IpcError` (a stable code, its values and Rust's
 * English sentence); `errorMessage` gives the text to show a person in their language, and
 * code matches codes (`errorCode`), never sentences.
 * Who is acting is never sent: Rust holds the signed-in user (see `signIn`).
 */
import { listen, type UnlistenFn } from "@tauri-apps/api/event";

import { commands } from "./client";
import type { ScanOutcome } from "./bindings/ScanOutcome";
import { i18n, LANGUAGES } from "./lib/i18n/index.svelte";
import { isIpcError, SESSION_CODES, translateError } from "./lib/i18n/errors";

export type { AlertList } from "./bindings/AlertList";
export type { AlertView } from "./bindings/AlertView";
export type { IpcError } from "./bindings/IpcError";
export type { BusinessHoursChange } from "./bindings/BusinessHoursChange";
export type { BusinessHoursView } from "./bindings/BusinessHoursView";
export type { CauseGroupView } from "./bindings/CauseGroupView";
export type { DayHoursInput } from "./bindings/DayHoursInput";
export type { DayHoursView } from "./bindings/DayHoursView";
export type { IncidentReviewView } from "./bindings/IncidentReviewView";
export type { PeakDayView } from "./bindings/PeakDayView";
export type { RootCauseView } from "./bindings/RootCauseView";
export type { AllocationView } from "./bindings/AllocationView";
export type { FlashShareView } from "./bindings/FlashShareView";
export type { ScoreLineView } from "./bindings/ScoreLineView";
export type { ScorecardView } from "./bindings/ScorecardView";
export type { FlashSaleView } from "./bindings/FlashSaleView";
export type { FlashListingView } from "./bindings/FlashListingView";
export type { LabelDelivered } from "./bindings/LabelDelivered";
export type { LabelFormat } from "./bindings/LabelFormat";
export type { LabelKind } from "./bindings/LabelKind";
export type { LabelPreviewView } from "./bindings/LabelPreviewView";
export type { LabelRequest } from "./bindings/LabelRequest";
export type { LabelSymbology } from "./bindings/LabelSymbology";
export type { AppInfo } from "./bindings/AppInfo";
export type { ApprovalView } from "./bindings/ApprovalView";
export type { AuditBreakView } from "./bindings/AuditBreakView";
export type { AuditEntryView } from "./bindings/AuditEntryView";
export type { AuditFilterInput } from "./bindings/AuditFilterInput";
export type { AuditPageView } from "./bindings/AuditPageView";
export type { AuditVerifyView } from "./bindings/AuditVerifyView";
export type { Buckets } from "./bindings/Buckets";
export type { BulkDecisionLine } from "./bindings/BulkDecisionLine";
export type { BulkDecisionRequest } from "./bindings/BulkDecisionRequest";
export type { BulkDecisionResult } from "./bindings/BulkDecisionResult";
export type { BulkOutcome } from "./bindings/BulkOutcome";
export type { ChannelCard } from "./bindings/ChannelCard";
export type { ChannelTestView } from "./bindings/ChannelTestView";
export type { ChannelView } from "./bindings/ChannelView";
export type { CommitLine } from "./bindings/CommitLine";
export type { CommitRequest } from "./bindings/CommitRequest";
export type { CommitResult } from "./bindings/CommitResult";
export type { CountLineRow } from "./bindings/CountLineRow";
export type { CountSessionDetail } from "./bindings/CountSessionDetail";
export type { CountSessionRow } from "./bindings/CountSessionRow";
export type { CountStartRequest } from "./bindings/CountStartRequest";
export type { DeadLetterView } from "./bindings/DeadLetterView";
export type { DecisionView } from "./bindings/DecisionView";
export type { DeviceView } from "./bindings/DeviceView";
export type { DiagnosticsView } from "./bindings/DiagnosticsView";
export type { DraftLine } from "./bindings/DraftLine";
export type { DriftReportView } from "./bindings/DriftReportView";
export type { DriftRunView } from "./bindings/DriftRunView";
export type { AccuracyPointView } from "./bindings/AccuracyPointView";
export type { CountPackRequest } from "./bindings/CountPackRequest";
export type { CountPackSaved } from "./bindings/CountPackSaved";
export type { ReportCsvKind } from "./bindings/ReportCsvKind";
export type { ShrinkBarView } from "./bindings/ShrinkBarView";
export type { ShrinkView } from "./bindings/ShrinkView";
export type { VarianceBarView } from "./bindings/VarianceBarView";
export type { VarianceGroupView } from "./bindings/VarianceGroupView";
export type { DriftRowView } from "./bindings/DriftRowView";
export type { DueCountView } from "./bindings/DueCountView";
export type { EventView } from "./bindings/EventView";
export type { ExportKind } from "./bindings/ExportKind";
export type { ExportResult } from "./bindings/ExportResult";
export type { GapView } from "./bindings/GapView";
export type { HistoryLine } from "./bindings/HistoryLine";
export type { HubView } from "./bindings/HubView";
export type { ImportKind } from "./bindings/ImportKind";
export type { ImportLineError } from "./bindings/ImportLineError";
export type { ImportStatus } from "./bindings/ImportStatus";
export type { IncidentView } from "./bindings/IncidentView";
export type { ItemView } from "./bindings/ItemView";
export type { LatencyPointView } from "./bindings/LatencyPointView";
export type { LinkReviewView } from "./bindings/LinkReviewView";
export type { LinkRowView } from "./bindings/LinkRowView";
export type { LinkStatusView } from "./bindings/LinkStatusView";
export type { ListingWhyView } from "./bindings/ListingWhyView";
export type { LocationView } from "./bindings/LocationView";
export type { ManagedUser } from "./bindings/ManagedUser";
export type { NewChannelRequest } from "./bindings/NewChannelRequest";
export type { NewLocationRequest } from "./bindings/NewLocationRequest";
export type { Phase } from "./bindings/Phase";
export type { PushView } from "./bindings/PushView";
export type { ReconcileRunView } from "./bindings/ReconcileRunView";
export type { RepushProgress } from "./bindings/RepushProgress";
export type { RoleView } from "./bindings/RoleView";
export type { RuleView } from "./bindings/RuleView";
export type { ScanKind } from "./bindings/ScanKind";
export type { ScanOutcome } from "./bindings/ScanOutcome";
export type { ScannerView } from "./bindings/ScannerView";
export type { SecretField } from "./bindings/SecretField";
export type { SessionView } from "./bindings/SessionView";
export type { SettingSource } from "./bindings/SettingSource";
export type { SkuSyncView } from "./bindings/SkuSyncView";
export type { StationDraft } from "./bindings/StationDraft";
export type { DraftAppend } from "./bindings/DraftAppend";
export type { TagKind } from "./bindings/TagKind";
export type { LineTag } from "./bindings/LineTag";
export type { ItemLotsView } from "./bindings/ItemLotsView";
export type { LotView } from "./bindings/LotView";
export type { LotPickView } from "./bindings/LotPickView";
export type { StationMode } from "./bindings/StationMode";
export type { StockLevel } from "./bindings/StockLevel";
export type { StockPage } from "./bindings/StockPage";
export type { StockQuery } from "./bindings/StockQuery";
export type { StockSearchQuery } from "./bindings/StockSearchQuery";
export type { StockSearchRow } from "./bindings/StockSearchRow";
export type { StockSearchView } from "./bindings/StockSearchView";
export type { SyncDashboard } from "./bindings/SyncDashboard";
export type { ThresholdView } from "./bindings/ThresholdView";
export type { ToleranceView } from "./bindings/ToleranceView";
export type { WorkstationSettingView } from "./bindings/WorkstationSettingView";
export type { AdjustRequest } from "./bindings/AdjustRequest";
export type { MovementOutcome } from "./bindings/MovementOutcome";
export type { ReceiveTransferRequest } from "./bindings/ReceiveTransferRequest";
export type { ReturnRequest } from "./bindings/ReturnRequest";
export type { ReverseRequest } from "./bindings/ReverseRequest";
export type { ReversibleEventView } from "./bindings/ReversibleEventView";
export type { ShipRequest } from "./bindings/ShipRequest";
export type { TransferInTransitView } from "./bindings/TransferInTransitView";
export type { WriteOffFromView } from "./bindings/WriteOffFromView";
export type { WriteOffRequest } from "./bindings/WriteOffRequest";

/** The event serial and HID scanner listeners emit (see src-tauri/src/scanners.rs). */
export const SCAN_EVENT = "scan";

export const api = {
  ...commands,
  /** Scans from the serial/HID listeners `startScanners` started. */
  onScannerScan: (handler: (outcome: ScanOutcome) => void): Promise<UnlistenFn> =>
    listen<ScanOutcome>(SCAN_EVENT, (event) => handler(event.payload)),
};

/**
 * The message of a rejected command in the workstation's language (Rust's `IpcError`: the
 * catalogue's message for its code, or Rust's English), or of anything else that was thrown.
 */
export function errorMessage(error: unknown): string {
  if (isIpcError(error)) return translateError(i18n.language, error);
  if (typeof error === "string") return error;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The stable code of a rejected command ("stock.notFound"), or null for anything else. */
export function errorCode(error: unknown): string | null {
  return isIpcError(error) ? error.code : null;
}

/**
 * True when a command was refused because nobody is signed in or the session locked: from the
 * error itself, or from its message in any language (screens that kept only the text).
 */
export function isSessionError(error: unknown): boolean {
  if (isIpcError(error)) return SESSION_CODES.includes(error.code);
  const message = errorMessage(error);
  if (message === "Sign in first." || message.startsWith("The session is locked")) return true;
  // English is Rust's own sentence (above); every other language's is its catalogue's.
  const others = LANGUAGES.filter((language) => language !== "en");
  return others.some((language) => SESSION_CODES.some((code) => message === translateError(language, { code, message: "\u0000", args: {} })));
}
