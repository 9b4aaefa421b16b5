/**
 * The scan station's rules, pure: a scan outcome (already classified and resolved in Rust)
 * and the station's state in, the next state, the feedback to show, and what to do next out.
 * No I/O and no clock, so every rule is a table in station.test.ts. The Svelte wrapper
 * (station.svelte.ts) holds the state and runs the returned actions against Rust.
 *
 * Lines stay here until they are committed (CMD:DONE or the Commit button): that is what
 * makes "undo the last line" possible without touching the ledger.
 */
import type { DraftAppend, ItemLotsView, LineTag, ScanOutcome, StationDraft, StationMode } from "../api";
import { bad, type Feedback, good, info, noted } from "./feedback";
import { translateError } from "./i18n/errors";
import { i18n, t } from "./i18n/index.svelte";

/** Most uncommitted lines: past this, commit first (the commit command takes 500 at most). */
export const MAX_LINES = 500;
/** Log entries kept on screen (newest first). */
export const MAX_LOG = 50;

export interface StationLine {
  id: number;
  /** The event id the line is committed under: given when the line is scanned (see
   * `withLineIds`), saved with the draft, and sent with the commit, so a commit sent twice
   * records the line once. */
  eventId?: string;
  sku: string;
  name: string;
  qty: number;
  source: string;
  /** Scanned by a pack's barcode: the units one scan books (the line shows "1 pack = 12"). */
  packUnits?: number;
  /** A lot- or serial-tracked item's lot or serial, from its GS1 label (AI 10 or 21). */
  tag?: LineTag;
}

export interface LogEntry {
  id: number;
  tone: Feedback["tone"];
  text: string;
  source: string;
}

export interface StationState {
  mode: StationMode;
  /** Where the work happens (transfer: where units leave). Set by scanning LOC:... */
  location: string | null;
  /** Transfer only: where units go (the second location scanned). */
  toLocation: string | null;
  /** Quantity for the next item scan; back to 1 after it. */
  qty: number;
  lines: StationLine[];
  log: LogEntry[];
  /** Count mode: the open session scans go into. */
  session: string | null;
  /** Damage mode: why (required before commit). */
  reason: string | null;
  nextId: number;
  /** A line over the confirmation limit, waiting for "Confirm" or the same item scanned again. */
  pending?: PendingLine | null;
}

/** A big line not recorded yet: QTY:400 then an item, in a receipt, asks first. */
export interface PendingLine {
  sku: string;
  name: string;
  qty: number;
  source: string;
  packUnits?: number;
  tag?: LineTag;
}

/** Rules the station's settings decide (floorSettings.ts). */
export interface StationRules {
  /** Lines of more units than this ask for confirmation (count mode excepted). */
  confirmAbove: number;
}

const NO_CONFIRMATION: StationRules = { confirmAbove: Number.POSITIVE_INFINITY };

export type Action = { kind: "commit" } | { kind: "lookup"; sku: string } | { kind: "none" };

export interface Step {
  state: StationState;
  feedback: Feedback;
  action: Action;
}

/** The modes in the order the station shows them; label and hint in the workstation's language
 *  (getters, so a screen showing them follows a change of language). */
export const MODES: readonly { readonly mode: StationMode; readonly label: string; readonly hint: string }[] = (
  ["count", "receive", "damage", "transfer", "lookup"] as const
).map((mode) => ({
  mode,
  get label() {
    return t(`mode.${mode}`);
  },
  get hint() {
    return t(`modeHint.${mode}`);
  },
}));

/** Why units are damaged: the values recorded with the events (English, whatever the screen's
 *  language, so reports and the CLI read the same); `reasonLabel` is what the screen shows. */
export const DAMAGE_REASONS = ["Broken", "Crushed", "Wet", "Expired", "Packaging torn"] as const;

export function reasonLabel(reason: string): string {
  return (DAMAGE_REASONS as readonly string[]).includes(reason) ? t(`reason.${reason as (typeof DAMAGE_REASONS)[number]}`) : reason;
}

export function initialStation(mode: StationMode = "count"): StationState {
  return { mode, location: null, toLocation: null, qty: 1, lines: [], log: [], session: null, reason: null, nextId: 1 };
}

const none: Action = { kind: "none" };

function logged(state: StationState, feedback: Feedback, source: string): StationState {
  const entry: LogEntry = {
    id: state.nextId,
    tone: feedback.tone,
    text: feedback.detail ? `${feedback.title} · ${feedback.detail}` : feedback.title,
    source,
  };
  return { ...state, log: [entry, ...state.log].slice(0, MAX_LOG), nextId: state.nextId + 1 };
}

function step(state: StationState, feedback: Feedback, source: string, action: Action = none): Step {
  return { state: logged(state, feedback, source), feedback, action };
}

function modeLabel(mode: StationMode): string {
  return MODES.find((m) => m.mode === mode)?.label ?? mode;
}

/** What the station still needs before an item scan can become a line, or null if ready. */
export function missingForItem(state: StationState): string | null {
  if (state.mode === "lookup") return null;
  if (!state.location) return t("fb.needLocation");
  if (state.mode === "transfer" && !state.toLocation) return t("fb.needDestination");
  if (state.mode === "count" && !state.session) return t("fb.needCount");
  return null;
}

export function applyOutcome(state: StationState, outcome: ScanOutcome, rules: StationRules = NO_CONFIRMATION): Step {
  const src = outcome.source;
  // Anything but the same item scanned again leaves a pending confirmation.
  if (state.pending && !(outcome.kind === "item" && (outcome.sku ?? outcome.data) === state.pending.sku)) {
    state = { ...state, pending: null };
  }
  switch (outcome.kind) {
    case "error":
      return step(state, bad(errorTitle(outcome), refusalText(outcome) ?? t("fb.scanned", { data: outcome.data })), src);
    case "location":
      return setLocation(state, outcome.location ?? "", src);
    case "quantity": {
      const qty = outcome.quantity ?? 1;
      return step({ ...state, qty }, info(t("fb.quantity", { qty }), t("fb.quantityFor")), src);
    }
    case "mode":
      return setMode(state, outcome.mode ?? state.mode, src);
    case "undo":
      return undo(state, src);
    case "done":
      if (state.lines.length === 0) return step(state, bad(t("fb.nothingToCommit"), t("fb.scanItemsFirst")), src);
      return { state, feedback: info(t("fb.committing", { n: state.lines.length })), action: { kind: "commit" } };
    case "item":
      return addItem(state, outcome, rules);
  }
}

/** The big panel's title for each refusal code Rust sends with a refused scan. */
const TITLE_BY_CODE: Readonly<Record<string, "fb.unknownCode" | "fb.unknownLocation" | "fb.badLabel" | "fb.unreadable">> = {
  "stock.notFound": "fb.unknownCode",
  "scan.unknownLocation": "fb.unknownLocation",
  "scan.badLabel": "fb.badLabel",
  "scan.unreadable": "fb.unreadable",
};

/** Rust's full sentence for a refused scan, in the worker's language (its English without a code). */
export function refusalText(outcome: Pick<ScanOutcome, "message" | "refusal">): string | undefined {
  if (outcome.refusal) return translateError(i18n.language, outcome.refusal);
  return outcome.message ?? undefined;
}

/** A few words for the big panel; Rust's full message goes underneath. */
export function errorTitle(outcome: Pick<ScanOutcome, "message" | "data" | "refusal">): string {
  const message = outcome.message ?? "";
  const code = outcome.data.length > 24 ? `${outcome.data.slice(0, 23)}…` : outcome.data;
  const byCode = outcome.refusal ? TITLE_BY_CODE[outcome.refusal.code] : undefined;
  if (byCode === "fb.unreadable") return t(byCode);
  if (byCode) return t(byCode, { code });
  if (outcome.refusal) return t("fb.notAccepted");
  // A refusal without a code (an older Rust, a test's outcome): the English sentence's start.
  if (message.startsWith("No item has")) return t("fb.unknownCode", { code });
  if (message.startsWith("No location")) return t("fb.unknownLocation", { code });
  if (message.startsWith("Bad command label")) return t("fb.badLabel", { code });
  if (message.startsWith("Unreadable barcode")) return t("fb.unreadable");
  return t("fb.notAccepted");
}

export function setLocation(state: StationState, code: string, source = "screen"): Step {
  if (state.mode === "transfer" && state.location && !state.toLocation && code !== state.location) {
    return step({ ...state, toLocation: code }, noted(t("fb.to", { location: code }), t("fb.transfer", { from: state.location, to: code })), source);
  }
  if (state.lines.length > 0 && code !== state.location) {
    return step(state, bad(t("fb.commitOrUndo"), t("fb.stillFor", { n: state.lines.length, location: state.location ?? "" })), source);
  }
  // A count session belongs to one location: moving elsewhere leaves it.
  const session = state.location === code ? state.session : null;
  const next = { ...state, location: code, toLocation: null, session };
  const hint = state.mode === "transfer" ? t("fb.scanDestination") : t("fb.scanItems");
  return step(next, noted(t("fb.location", { location: code }), hint), source);
}

export function setMode(state: StationState, mode: StationMode, source = "screen"): Step {
  if (mode === state.mode) return step(state, info(t("fb.mode", { mode: modeLabel(mode) })), source);
  if (state.lines.length > 0) {
    return step(state, bad(t("fb.commitOrUndo"), t("fb.modeLines", { n: state.lines.length, mode: modeLabel(state.mode) })), source);
  }
  const next = { ...state, mode, toLocation: null, session: mode === "count" ? state.session : null, reason: null };
  return step(next, noted(t("fb.mode", { mode: modeLabel(mode) }), MODES.find((m) => m.mode === mode)?.hint ?? ""), source);
}

export function undo(state: StationState, source = "screen"): Step {
  const last = state.lines.at(-1);
  if (!last) return step(state, bad(t("fb.nothingToUndo"), t("fb.noLines")), source);
  return step({ ...state, lines: state.lines.slice(0, -1) }, info(t("fb.removed", { qty: last.qty, sku: last.sku }), t("fb.undone")), source);
}

function addItem(state: StationState, outcome: ScanOutcome, rules: StationRules): Step {
  const sku = outcome.sku ?? outcome.data;
  const name = outcome.name ?? "";
  if (state.mode === "lookup") {
    return step(state, good(sku, name), outcome.source, { kind: "lookup", sku });
  }
  const missing = missingForItem(state);
  if (missing) return step(state, bad(t("fb.notRecorded", { sku }), missing), outcome.source);
  if (state.lines.length >= MAX_LINES) {
    return step(state, bad(t("fb.logFull"), t("fb.logFullDetail", { max: MAX_LINES })), outcome.source);
  }
  // A tracked item moves by lot or serial: its GS1 label carries it (AI 10 or 21).
  if (outcome.tracking && !outcome.tag) {
    return step(state, bad(t("fb.notRecorded", { sku }), t(outcome.tracking === "serial" ? "fb.needSerial" : "fb.needLot")), outcome.source);
  }
  // A GS1 count on the label (a case of 12, a pallet of 5 cases) is the line's quantity.
  const qty = outcome.quantity ?? state.qty;
  if (outcome.tag?.kind === "serial" && qty !== 1) {
    return step({ ...state, qty: 1 }, bad(t("fb.notRecorded", { sku }), t("fb.serialOne", { serial: outcome.tag.code })), outcome.source);
  }
  const confirming = state.pending?.sku === sku && state.pending.tag?.code === outcome.tag?.code;
  const extra = { ...(outcome.packUnits ? { packUnits: outcome.packUnits } : {}), ...(outcome.tag ? { tag: outcome.tag } : {}) };
  if (!confirming && state.mode !== "count" && qty > rules.confirmAbove) {
    const pending: PendingLine = { sku, name, qty, source: outcome.source, ...extra };
    return step(
      { ...state, pending },
      info(t("fb.confirmQty", { qty, sku }), t("fb.confirmQtyDetail", { limit: rules.confirmAbove })),
      outcome.source,
    );
  }
  return recordLine({ ...state, pending: null }, { sku, name, qty, source: outcome.source, ...extra });
}

/** A first-expiry-first-out note under the feedback, after a tracked item's scan. */
export interface FefoNote {
  tone: "ok" | "warn";
  text: string;
}

/** Modes that take stock off a shelf, where the first lot to expire should go first. */
export function suggestsFefo(mode: StationMode): boolean {
  return mode === "transfer" || mode === "damage";
}

/**
 * What the station says of the lots at the location after a tracked item's scan: the first to
 * expire (Rust's `item_lots`, lots listed first expiry first), and a warning when the scanned
 * lot is another. A suggestion only: the line is recorded either way. Nothing when the item has
 * no lots here, or a blind count hides them.
 */
export function fefoNote(tag: LineTag | null | undefined, view: ItemLotsView): FefoNote | null {
  if (!view.tracking || view.hidden) return null;
  const first = view.lots.find((l) => (l.onHand ?? 0) - (l.damaged ?? 0) > 0);
  if (!first) return null;
  const named = first.expiry ? `${first.code} (${first.expiry})` : first.code;
  if (tag && tag.code !== first.code) return { tone: "warn", text: t("scan.notFirst", { lot: tag.code, first: named }) };
  return { tone: "ok", text: t("scan.firstToExpire", { first: named }) };
}

/** "Lot L1 · expires 2027-03-31", "Serial SN-9", in the workstation's language. */
export function tagText(tag: LineTag): string {
  const code = t(tag.kind === "serial" ? "scan.serial" : "scan.lot", { code: tag.code });
  return tag.expiry ? `${code} · ${t("scan.expires", { date: tag.expiry })}` : code;
}

function recordLine(state: StationState, line: PendingLine): Step {
  const added: StationLine = { id: state.nextId, ...line };
  const next = { ...state, lines: [...state.lines, added], qty: 1, nextId: state.nextId + 1, pending: null };
  const detail = added.tag ? `${added.name} · ${tagText(added.tag)}` : added.name;
  return step(next, good(`+${added.qty}  ${added.sku}`, detail), line.source);
}

/** "Confirm" pressed: the pending line is recorded. */
export function confirmPending(state: StationState): Step {
  if (!state.pending) return step(state, bad(t("fb.nothingToConfirm")), "screen");
  return recordLine(state, state.pending);
}

/** "Cancel" pressed: the pending line is dropped and the quantity goes back to 1. */
export function cancelPending(state: StationState): Step {
  if (!state.pending) return step(state, bad(t("fb.nothingToCancel")), "screen");
  const { qty, sku } = state.pending;
  return step({ ...state, pending: null, qty: 1 }, info(t("fb.cancelled", { qty, sku }), t("fb.qtyBack")), "screen");
}

/** After a commit: drop the lines that were recorded (the first `committed`). */
export function afterCommit(state: StationState, committed: number): StationState {
  return { ...state, lines: state.lines.slice(committed) };
}

/** Why the station cannot commit now, or null. Checked before anything is sent. */
export function commitProblem(state: StationState): string | null {
  if (state.lines.length === 0) return t("commit.nothing");
  if (state.mode === "lookup") return t("commit.lookup");
  if (!state.location) return t("commit.location");
  if (state.mode === "transfer" && !state.toLocation) return t("commit.destination");
  if (state.mode === "count" && !state.session) return t("commit.count");
  if (state.mode === "damage" && !state.reason) return t("commit.reason");
  return null;
}

/** One row of the lines panel: a code's total, per lot or serial for a tracked item. */
export interface LineTotal {
  /** What keys the row: the code, and the lot or serial when there is one. */
  key: string;
  sku: string;
  name: string;
  qty: number;
  pack?: string;
  lot?: string;
}

/** Scans per code (and lot) in the uncommitted lines: what the log panel totals. A pack's
 *  barcode is its own code, so its total counts packs, and `pack` says what one is ("1 pack =
 *  12"); a tracked item's lots are rows of their own, as they are booked. */
export function totals(lines: StationLine[]): LineTotal[] {
  const by = new Map<string, LineTotal>();
  for (const l of lines) {
    const key = l.tag ? `${l.sku}\u0000${l.tag.kind}\u0000${l.tag.code}` : l.sku;
    const total = by.get(key) ?? {
      key,
      sku: l.sku,
      name: l.name,
      qty: 0,
      ...(l.packUnits ? { pack: packText(l.packUnits) } : {}),
      ...(l.tag ? { lot: tagText(l.tag) } : {}),
    };
    total.qty += l.qty;
    by.set(key, total);
  }
  return [...by.values()];
}

/** What one scan of a pack's barcode is, in the workstation's language: "1 pack = 12". */
export function packText(units: number): string {
  return t("scan.packLine", { units });
}

/**
 * A wedge scan typed into the focused quantity box leaves its characters there. Given the
 * box's edits (time, value before the edit) and when the scan started, returns the value the
 * box had before the scan's first key, or null when the scan did not touch it.
 */
export function valueBeforeScan(edits: { at: number; before: string }[], scanStartedAt: number): string | null {
  const first = edits.find((e) => e.at >= scanStartedAt - 1);
  return first ? first.before : null;
}

/**
 * Gives every line that has none the event id it will be committed under. `mint` makes one
 * (a UUID; this file has no randomness of its own).
 */
export function withLineIds(state: StationState, mint: () => string): StationState {
  if (state.lines.every((l) => l.eventId)) return state;
  return { ...state, lines: state.lines.map((l) => (l.eventId ? l : { ...l, eventId: mint() })) };
}

/** Whether going from `before` to `after` changes the draft Rust keeps (lines, or where they go). */
export function draftChanged(before: StationState, after: StationState): boolean {
  if (before.lines.length === 0 && after.lines.length === 0) return false;
  if (before.lines !== after.lines) return true;
  if (after.lines.length === 0) return false;
  return !samePlace(before, after);
}

/** Whether two states put their lines in the same mode and places (the draft's header). */
function samePlace(a: StationState, b: StationState): boolean {
  return a.mode === b.mode && a.location === b.location && a.toLocation === b.toLocation && a.session === b.session && a.reason === b.reason;
}

/** The draft Rust saves: the lines with their ids and where they go. */
export function toDraft(state: StationState): StationDraft {
  return {
    mode: state.mode,
    location: state.location,
    toLocation: state.toLocation,
    session: state.session,
    reason: state.reason,
    lines: state.lines.map((l) => ({ id: l.eventId ?? "", sku: l.sku, name: l.name, qty: l.qty, source: l.source, ...(l.packUnits ? { packUnits: l.packUnits } : {}), ...(l.tag ? { tag: l.tag } : {}) })),
  };
}

/**
 * What a scan usually changes, as Rust's append takes it: `after` is `saved` with one line more
 * at the end, in the same mode and places. Null for any other change (an undo, a quantity
 * set, a new location, a commit), which is saved whole.
 */
export function appendedLine(saved: StationState, after: StationState): DraftAppend | null {
  const n = saved.lines.length;
  if (after.lines.length !== n + 1 || !samePlace(saved, after)) return null;
  // Lines are replaced, never edited in place (station.ts is pure), so an unchanged line is
  // the same object.
  for (let i = 0; i < n; i++) if (after.lines[i] !== saved.lines[i]) return null;
  const {
    lines: [line],
    ...place
  } = toDraft({ ...after, lines: [after.lines[n]] });
  return { after: n, lastId: n > 0 ? (saved.lines[n - 1].eventId ?? null) : null, ...place, line };
}

/** The station as a saved draft left it (after a restart, a reload or signing in again). */
export function fromDraft(draft: StationDraft): StationState {
  const lines: StationLine[] = draft.lines.map((l, i) => ({ id: i + 1, eventId: l.id, sku: l.sku, name: l.name, qty: l.qty, source: l.source, ...(l.packUnits ? { packUnits: l.packUnits } : {}), ...(l.tag ? { tag: l.tag } : {}) }));
  return {
    ...initialStation(draft.mode),
    location: draft.location,
    toLocation: draft.toLocation,
    session: draft.session,
    reason: draft.reason,
    lines,
    nextId: lines.length + 1,
  };
}

/** "1 line", "2 lines" (in the workstation's language). */
export function linesText(n: number): string {
  return t("fb.lines", { n });
}
