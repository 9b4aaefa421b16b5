/**
 * The Audit screen's pure logic (issue 20): the filter form turned into the command's filter,
 * the pages walked back and forth, and the words for "Verify chain". Rust checks every filter
 * again and its refusal is the rule (`Store::audit_entries`); the checks here only answer at
 * once, in the same words, for the mistakes a person makes while typing.
 */
import type { AuditEntryView } from "../bindings/AuditEntryView";
import type { AuditFilterInput } from "../bindings/AuditFilterInput";
import type { AuditVerifyView } from "../bindings/AuditVerifyView";
import { t } from "./i18n/index.svelte";

/** Entries in a page unless asked otherwise, and the most Rust gives in one (a screenful). */
export const PAGE_DEFAULT = 50;
export const PAGE_MAX = 500;
/** Pages remembered for "Newer": bounded, as everything is. A person pages back a few. */
export const PAGES_REMEMBERED = 100;

/** The form as typed: empty text is no filter. */
export type AuditForm = {
  actor: string;
  sku: string;
  kind: string;
  since: string;
  until: string;
  limit: string;
};

export const EMPTY_FORM: AuditForm = { actor: "", sku: "", kind: "", since: "", until: "", limit: String(PAGE_DEFAULT) };

export type Checked = { ok: true; filter: AuditFilterInput } | { ok: false; message: string };

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A time as Rust reads it, in milliseconds since 1970: a date's first instant (UTC), or RFC 3339. */
function instant(text: string, endOfDay: boolean): number | null {
  if (DATE.test(text)) {
    const ms = Date.parse(`${text}T00:00:00Z`);
    if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text) return null;
    return endOfDay ? ms + 86_400_000 : ms;
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

function optional(text: string): string | null {
  const t = text.trim();
  return t === "" ? null : t;
}

/** The command's filter for the page before `before` (null: the newest), or why not. */
export function toFilter(form: AuditForm, before: number | null = null): Checked {
  const limitText = form.limit.trim();
  const limit = limitText === "" ? PAGE_DEFAULT : Number(limitText);
  if (!/^\d+$/.test(limitText || "0") || limit < 1 || limit > PAGE_MAX) {
    return { ok: false, message: t("reports.audit.badLimit", { limit: limitText, max: PAGE_MAX }) };
  }
  const since = optional(form.since);
  const until = optional(form.until);
  const sinceAt = since === null ? null : instant(since, false);
  const untilAt = until === null ? null : instant(until, true);
  if (since !== null && sinceAt === null) return { ok: false, message: t("reports.audit.badSince", { since }) };
  if (until !== null && untilAt === null) return { ok: false, message: t("reports.audit.badUntil", { until }) };
  if (sinceAt !== null && untilAt !== null && sinceAt >= untilAt) {
    return { ok: false, message: t("reports.audit.badOrder", { since: since ?? "", until: until ?? "" }) };
  }
  return {
    ok: true,
    filter: {
      actor: optional(form.actor),
      sku: optional(form.sku),
      kind: optional(form.kind)?.toLowerCase() ?? null,
      since,
      until,
      before,
      limit,
    },
  };
}

/**
 * Where the screen is in the chain: the `before` of each page shown so far (null for the
 * newest). "Older" pushes the page's `nextBefore`; "Newer" pops.
 */
export type Pages = { stack: (number | null)[] };

export const FIRST_PAGE: Pages = { stack: [null] };

export function currentBefore(pages: Pages): number | null {
  return pages.stack[pages.stack.length - 1] ?? null;
}

export function older(pages: Pages, nextBefore: number | null): Pages {
  if (nextBefore === null) return pages;
  const stack = [...pages.stack, nextBefore];
  // Bounded: the oldest remembered page falls off; "Newer" then stops there.
  return { stack: stack.length > PAGES_REMEMBERED ? stack.slice(stack.length - PAGES_REMEMBERED) : stack };
}

export function newer(pages: Pages): Pages {
  return pages.stack.length > 1 ? { stack: pages.stack.slice(0, -1) } : pages;
}

export function canGoNewer(pages: Pages): boolean {
  return pages.stack.length > 1;
}

/** "Page 3", counted from the newest. */
export function pageLabel(pages: Pages): string {
  return t("reports.audit.page", { n: pages.stack.length });
}

/** The verdict in one line: intact with its length, or the first broken entry by number and why. */
export function verdictText(verdict: AuditVerifyView): string {
  const n = verdict.entries;
  if (verdict.intact || verdict.firstBreak === null) {
    return t("reports.audit.intact", { n, count: String(n) });
  }
  return t("reports.audit.broken", { seq: String(verdict.firstBreak.seq), reason: verdict.firstBreak.reason });
}

/** The filter that shows the broken entry at the top of a page: everything up to it, no other filter. */
export function showEntry(seq: number, limit: number = PAGE_DEFAULT): AuditFilterInput {
  return { actor: null, sku: null, kind: null, since: null, until: null, before: seq + 1, limit };
}

/** True for the row the verdict names, so the list can mark it. */
export function isBroken(entry: AuditEntryView, verdict: AuditVerifyView | null): boolean {
  return verdict?.firstBreak?.seq === entry.seq;
}

/** A detail as one short line for the table; the whole detail is shown when the row is opened. */
export function detailPreview(entry: AuditEntryView, max = 80): string {
  const flat = entry.detail.replace(/\s+/g, " ").trim();
  const cut = flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
  return entry.detailTruncated && cut === flat ? `${cut}…` : cut;
}

/** What an empty page means: nothing at all, or nothing that matches. */
export function emptyText(form: AuditForm): string {
  const filtered = [form.actor, form.sku, form.kind, form.since, form.until].some((f) => f.trim() !== "");
  return filtered ? t("reports.audit.noMatch") : t("reports.audit.empty");
}
