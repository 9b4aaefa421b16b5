/**
 * The Movements screen's pure logic (issue 20): each form turned into its request (or one clear
 * message), the tabs a user may see, and how an event, a shipment and an outcome read. Rust
 * checks every request again (role, reason codes, balances, the approval value); this only
 * spares a round trip for input that cannot be right.
 */
import type { AdjustRequest } from "../bindings/AdjustRequest";
import type { EventView } from "../bindings/EventView";
import type { LineTag } from "../bindings/LineTag";
import type { TagKind } from "../bindings/TagKind";
import type { MovementOutcome } from "../bindings/MovementOutcome";
import type { ReceiveTransferRequest } from "../bindings/ReceiveTransferRequest";
import type { ReturnRequest } from "../bindings/ReturnRequest";
import type { ReverseRequest } from "../bindings/ReverseRequest";
import type { ShipRequest } from "../bindings/ShipRequest";
import type { TransferInTransitView } from "../bindings/TransferInTransitView";
import type { WriteOffFromView } from "../bindings/WriteOffFromView";
import type { WriteOffRequest } from "../bindings/WriteOffRequest";
import { bucketLabel, kindLabel, signed } from "./format";
import { tOr } from "./i18n/dynamic";
import { i18n, num, t as msg } from "./i18n/index.svelte";
import { INTL_TAGS } from "./i18n/messages";

/** Same limits as Rust: core's MAX_QTY and MAX_TEXT_LEN. */
export const MAX_QTY = 1_000_000;
export const MAX_TEXT = 200;

export type Built<T> = { ok: true; request: T } | { ok: false; message: string };

export type Tab = "writeOff" | "adjust" | "transfers" | "return" | "reverse";

/** The tabs; a tab's name is `movements.tab.<tab>` in the catalogue. */
export const TABS: { tab: Tab; supervisorOnly?: boolean }[] = [
  { tab: "writeOff" },
  { tab: "adjust" },
  { tab: "transfers" },
  { tab: "return" },
  { tab: "reverse", supervisorOnly: true },
];

/** A tab's name in the workstation's language. */
export function tabLabel(tab: Tab): string {
  return msg(`movements.tab.${tab}`);
}

/** The tabs a user sees: reversing is a supervisor's (Rust refuses it to anyone else). */
export function tabsFor(canApprove: boolean): typeof TABS {
  return TABS.filter((t) => !t.supervisorOnly || canApprove);
}

/** "vendor_return" reads "Vendor return" (in the workstation's language when the catalogue
 *  knows the code; a code Rust added later reads as its words). */
export function reasonLabel(code: string): string {
  const words = code.replaceAll("_", " ");
  return tOr(`movements.reason.${code}`, words.charAt(0).toUpperCase() + words.slice(1));
}

/** A whole number from `min` to `max`, or null. */
export function wholeNumber(text: string, min: number, max: number): number | null {
  const t = text.trim();
  if (!/^[+-]?\d+$/.test(t)) return null;
  const n = Number(t);
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : null;
}

function text(value: string, what: string): string | { message: string } {
  const t = value.trim();
  if ([...t].length > MAX_TEXT) return { message: msg("movements.tooLong", { what, max: MAX_TEXT }) };
  return t;
}

function place(sku: string, location: string): { sku: string; location: string } | { message: string } {
  if (sku.trim() === "") return { message: msg("movements.enterSku") };
  if (location.trim() === "") return { message: msg("movements.chooseLocation") };
  return { sku: sku.trim(), location: location.trim() };
}

/** As Rust's core (`LotTag::new`): 1 to 20 characters, no spaces or control characters. */
const LOT_CODE = /^[^\s\p{Cc}]{1,20}$/u;

/** The item's tracking as the lot field learnt it: lot or serial, `null` for an untracked
 *  item, `undefined` while not known yet (Rust decides then). */
export type Tracking = TagKind | null | undefined;

/**
 * A form's lot field as the request's `tag`: nothing when empty, unless the item is tracked and
 * the movement needs its lot (`required`: write-off, transfer). A lot given for an item known
 * to be untracked is refused here, as Rust would.
 */
export function tagFrom(text: string | undefined, tracking: Tracking, required: boolean): { tag?: LineTag } | { message: string } {
  const code = (text ?? "").trim();
  if (code === "") {
    return tracking && required ? { message: msg(tracking === "serial" ? "movements.serialNeeded" : "movements.lotNeeded") } : {};
  }
  if (tracking === null) return { message: msg("movements.notTracked") };
  if (!LOT_CODE.test(code)) return { message: msg("movements.lotInvalid") };
  return { tag: { kind: tracking ?? "lot", code } };
}

/** Made when shown: the language may change while the screen is open. */
const qtyMessage = (): string => msg("movements.qtyRange", { max: num(MAX_QTY) });

export type WriteOffForm = { sku: string; location: string; qty: string; from: WriteOffFromView; code: string; note: string; lot?: string };

export function buildWriteOff(form: WriteOffForm, codes: string[], tracking?: Tracking): Built<WriteOffRequest> {
  const at = place(form.sku, form.location);
  if ("message" in at) return { ok: false, message: at.message };
  const qty = wholeNumber(form.qty, 1, MAX_QTY);
  if (qty === null) return { ok: false, message: qtyMessage() };
  if (!codes.includes(form.code)) return { ok: false, message: msg("movements.chooseCode") };
  const note = text(form.note, msg("movements.theNote"));
  if (typeof note !== "string") return { ok: false, message: note.message };
  if (form.code === "other" && note === "") return { ok: false, message: msg("movements.otherNeedsNote") };
  const tag = tagFrom(form.lot, tracking, true);
  if ("message" in tag) return { ok: false, message: tag.message };
  return { ok: true, request: { ...at, qty, from: form.from, code: form.code, note: note === "" ? null : note, ...tag } };
}

export type AdjustForm = { sku: string; location: string; delta: string; reason: string; overrideNegative: boolean; lot?: string };

export function buildAdjust(form: AdjustForm, canOverride: boolean, tracking?: Tracking): Built<AdjustRequest> {
  const at = place(form.sku, form.location);
  if ("message" in at) return { ok: false, message: at.message };
  const delta = wholeNumber(form.delta, -MAX_QTY, MAX_QTY);
  if (delta === null || delta === 0) {
    return { ok: false, message: msg("movements.deltaNeeded") };
  }
  const reason = text(form.reason, msg("movements.theReason"));
  if (typeof reason !== "string") return { ok: false, message: reason.message };
  if (reason === "") return { ok: false, message: msg("movements.adjustReason") };
  const tag = tagFrom(form.lot, tracking, false);
  if ("message" in tag) return { ok: false, message: tag.message };
  return { ok: true, request: { ...at, delta, reason, overrideNegative: canOverride && form.overrideNegative, ...tag } };
}

export type ShipForm = { sku: string; from: string; to: string; qty: string; lot?: string };

export function buildShip(form: ShipForm, tracking?: Tracking): Built<ShipRequest> {
  const at = place(form.sku, form.from);
  if ("message" in at) return { ok: false, message: at.message };
  if (form.to.trim() === "") return { ok: false, message: msg("movements.chooseTo") };
  if (form.to.trim() === at.location) return { ok: false, message: msg("movements.sameLocation") };
  const qty = wholeNumber(form.qty, 1, MAX_QTY);
  if (qty === null) return { ok: false, message: qtyMessage() };
  const tag = tagFrom(form.lot, tracking, true);
  if ("message" in tag) return { ok: false, message: tag.message };
  return { ok: true, request: { sku: at.sku, from: at.location, to: form.to.trim(), qty, reason: null, ...tag } };
}

/** Received is 0 to the shipped quantity; fewer than shipped is short and needs a reason. */
export function buildReceive(transfer: TransferInTransitView, received: string, reason: string): Built<ReceiveTransferRequest> {
  const n = wholeNumber(received, 0, transfer.qty);
  if (n === null) return { ok: false, message: msg("movements.receivedRange", { shipped: num(transfer.qty) }) };
  const why = text(reason, msg("movements.theReason"));
  if (typeof why !== "string") return { ok: false, message: why.message };
  if (n < transfer.qty && why === "") {
    return { ok: false, message: msg("movements.shortReason", { short: num(transfer.qty - n) }) };
  }
  return { ok: true, request: { transferId: transfer.id, received: n, reason: why === "" ? null : why } };
}

/** "3 short" when fewer than shipped are entered, "" when in full or not a number yet. */
export function shortBy(transfer: TransferInTransitView, received: string): string {
  const n = wholeNumber(received, 0, transfer.qty);
  return n === null || n === transfer.qty ? "" : msg("movements.short", { short: num(transfer.qty - n) });
}

export type ReturnForm = { sku: string; location: string; qty: string; damaged: boolean; reason: string; lot?: string };

export function buildReturn(form: ReturnForm, tracking?: Tracking): Built<ReturnRequest> {
  const at = place(form.sku, form.location);
  if ("message" in at) return { ok: false, message: at.message };
  const qty = wholeNumber(form.qty, 1, MAX_QTY);
  if (qty === null) return { ok: false, message: qtyMessage() };
  const reason = text(form.reason, msg("movements.theReason"));
  if (typeof reason !== "string") return { ok: false, message: reason.message };
  const tag = tagFrom(form.lot, tracking, false);
  if ("message" in tag) return { ok: false, message: tag.message };
  return { ok: true, request: { ...at, qty, damaged: form.damaged, reason: reason === "" ? null : reason, ...tag } };
}

export function buildReverse(event: EventView | null, reason: string): Built<ReverseRequest> {
  if (event === null) return { ok: false, message: msg("movements.pickEvent") };
  const why = text(reason, msg("movements.theReason"));
  if (typeof why !== "string") return { ok: false, message: why.message };
  if (why === "") return { ok: false, message: msg("movements.reverseReason") };
  return { ok: true, request: { eventId: event.id, reason: why } };
}

/** What an event did, in one line: "receive · +4 on hand at WH1". */
export function eventSummary(event: EventView): string {
  const changes = event.changes
    .filter((c) => c.amount !== 0)
    .map((c) => msg("movements.change.line", { amount: signed(c.amount), bucket: bucketLabel(c.bucket), location: c.location }));
  return [kindLabel(event.kind), ...(changes.length > 0 ? [changes.join(", ")] : [])].join(" · ");
}

/** "SS-00001: 5 from WH1 to WH2". */
export function transferSummary(t: TransferInTransitView): string {
  const line = msg("movements.transferLine", { sku: t.sku, qty: num(t.qty), from: t.from, to: t.to });
  return t.lot ? `${line} · ${msg("movements.lotOf", { code: t.lot })}` : line;
}

/** The first-expiry-first-out suggestion in one line: "L2 (2027-01-31) × 5, L1 × 2". */
export function picksText(picks: { code: string; expiry: string | null; qty: number }[]): string {
  return picks.map((p) => `${p.code}${p.expiry ? ` (${p.expiry})` : ""} × ${num(p.qty)}`).join(", ");
}

/** Rust's decimal amount ("600.00") as the workstation's language writes money ("600,00"). */
function amount(decimal: string): string {
  if (!/^\d+(\.\d+)?$/.test(decimal)) return decimal;
  return Number(decimal).toLocaleString(INTL_TAGS[i18n.language], { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

/** The line to show after a movement, and whether it is good news or a wait: Rust's sentence
 *  in English, the same sentence from its parts in another language. */
export function outcomeLine(outcome: MovementOutcome): { tone: "ok" | "warn"; text: string } {
  const tone = outcome.posted ? "ok" : "warn";
  if (i18n.language === "en") return { tone, text: outcome.message };
  const kind = kindLabel(outcome.kind);
  const text = outcome.posted
    ? msg("movements.recorded", { kind, sku: outcome.sku, at: outcome.at.replaceAll(" -> ", " → ") })
    : msg("movements.waits", { kind, value: amount(outcome.value ?? "") });
  return { tone, text };
}
