/**
 * The label panel's rules (issue 21): the request a form makes, checked before anything is
 * sent (Rust checks everything again: a label that previews is a label that prints), the
 * printer remembered for this workstation, and the preview's image.
 */
import type { LabelKind, LabelRequest, LabelSymbology } from "../api";
import { t } from "./i18n/index.svelte";

/** As Rust's `shelfsync_labels::MAX_COPIES`: a typo must not empty a roll of labels. */
export const MAX_COPIES = 100;
/** Where the Zebra printer's HOST:PORT is kept: per workstation, as the printer is. */
export const PRINTER_KEY = "shelfsync.labelPrinter";

/** An item label's fields as typed; `symbology` GS1-128 (linear) unless DataMatrix is chosen. */
export type LabelForm = { lot: string; expiry: string; copies: string; symbology?: LabelSymbology };

export type Built = { ok: true; request: LabelRequest } | { ok: false; message: string };

const LOT = /^[A-Za-z0-9.\/-]{1,20}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date YYYY-MM-DD in 2000-2099 (GS1's AI 17 holds two-digit years). */
export function isExpiry(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 2000 || year > 2099) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** The request for a label of `kind` on `code`; the form's fields apply to item labels. */
export function buildRequest(kind: LabelKind, code: string, form: LabelForm): Built {
  if (kind !== "item") return { ok: true, request: { kind, code, lot: null, expiry: null, copies: 1 } };
  const lot = form.lot.trim();
  const expiry = form.expiry.trim();
  if (lot !== "" && !LOT.test(lot)) {
    return { ok: false, message: t("settings.label.lot") };
  }
  if (expiry !== "" && !isExpiry(expiry)) {
    return { ok: false, message: t("settings.label.expiry") };
  }
  const copiesText = form.copies.trim();
  const copies = /^\d+$/.test(copiesText) ? Number(copiesText) : NaN;
  if (!Number.isInteger(copies) || copies < 1 || copies > MAX_COPIES) {
    return { ok: false, message: t("settings.label.copies", { max: MAX_COPIES }) };
  }
  const symbology = form.symbology === "dataMatrix" ? { symbology: form.symbology } : {};
  return { ok: true, request: { kind, code, lot: lot || null, expiry: expiry || null, copies, ...symbology } };
}

/** HOST:PORT with a port from 1 to 65535: what a Zebra printer on the network is. */
export function checkPrinter(text: string): string | null {
  const value = text.trim();
  const m = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\]):(\d{1,5})$/.exec(value);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) {
    return t("settings.label.printer");
  }
  return null;
}

/** The storage the printer is remembered in: localStorage in the app, a map in tests. */
export type PrinterMemory = Pick<Storage, "getItem" | "setItem">;

export function rememberedPrinter(storage: PrinterMemory | undefined): string {
  try {
    return storage?.getItem(PRINTER_KEY) ?? "";
  } catch {
    return "";
  }
}

export function rememberPrinter(storage: PrinterMemory | undefined, printer: string): void {
  try {
    storage?.setItem(PRINTER_KEY, printer.trim());
  } catch {
    // A storage that refuses (private mode, full) only costs typing it again.
  }
}

/** The preview PNG as an image source. */
export function pngSource(base64: string): string {
  return base64 === "" ? "" : `data:image/png;base64,${base64}`;
}
