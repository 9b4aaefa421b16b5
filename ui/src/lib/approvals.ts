/**
 * The Approvals screen's pure logic: filters, sort by value, the selection for a bulk
 * decision, and the words for its per-item answer. Rust decides what may be decided (its
 * refusals are the rule); this only keeps a supervisor's own items out of a selection and says
 * what happened.
 */
import type { ApprovalView } from "../bindings/ApprovalView";
import type { BulkDecisionResult } from "../bindings/BulkDecisionResult";
import type { DecisionView } from "../bindings/DecisionView";
import { PIN_MAX, PIN_MIN, REASON_MAX } from "./forms";
import { translateError } from "./i18n/errors";
import { i18n, t as msg } from "./i18n/index.svelte";

/** Filters as typed: empty text means "any". */
export type ApprovalFilters = {
  location: string;
  counter: string;
  /** Smallest value (absolute, in money) to show. */
  minValue: string;
  /** Smallest variance (absolute, in units) to show. */
  minVariance: string;
};

export const NO_FILTERS: ApprovalFilters = { location: "", counter: "", minValue: "", minVariance: "" };

export type SortOrder = "oldest" | "value-desc" | "value-asc";

/** Most items the screen selects at once: Rust takes at most 200 per decision. */
export const MAX_SELECTED = 200;

type Parsed = { ok: true; value: number | null } | { ok: false; message: string };

/** A filter's number: empty is no limit; otherwise a non-negative number. */
export function parseLimit(text: string, what: string): Parsed {
  const t = text.trim();
  if (t === "") return { ok: true, value: null };
  if (!/^\d+(\.\d{1,2})?$/.test(t)) return { ok: false, message: msg("counts.approvals.notNumber", { what }) };
  return { ok: true, value: Number(t) };
}

/** The items that pass the filters, in the chosen order; or why a filter cannot be read. */
export function visibleApprovals(
  items: readonly ApprovalView[],
  filters: ApprovalFilters,
  order: SortOrder,
): { ok: true; items: ApprovalView[] } | { ok: false; message: string } {
  const value = parseLimit(filters.minValue, msg("counts.approvals.minValue"));
  if (!value.ok) return value;
  const variance = parseLimit(filters.minVariance, msg("counts.approvals.minVariance"));
  if (!variance.ok) return variance;
  const counter = filters.counter.trim().toLowerCase();
  const shown = items.filter(
    (a) =>
      (filters.location === "" || a.location === filters.location) &&
      (counter === "" || a.counters.some((c) => c.toLowerCase() === counter)) &&
      (value.value === null || Math.abs(a.value) >= value.value) &&
      (variance.value === null || Math.abs(a.variance) >= variance.value),
  );
  if (order !== "oldest") {
    const sign = order === "value-desc" ? -1 : 1;
    // Stable: equal values keep the inbox's oldest-first order.
    shown.sort((x, y) => sign * (Math.abs(x.value) - Math.abs(y.value)));
  }
  return { ok: true, items: shown };
}

/** The choices for the location and counter filters, sorted. */
export function filterChoices(items: readonly ApprovalView[]): { locations: string[]; counters: string[] } {
  const locations = new Set<string>();
  const counters = new Set<string>();
  for (const a of items) {
    locations.add(a.location);
    for (const c of a.counters) counters.add(c);
  }
  return { locations: [...locations].sort(), counters: [...counters].sort() };
}

/** "Select all shown": every visible item that is not the supervisor's own, up to the limit. */
export function selectAll(visible: readonly ApprovalView[]): Set<string> {
  return new Set(visible.filter((a) => !a.mine).slice(0, MAX_SELECTED).map((a) => a.id));
}

/** Drops selected ids that are no longer in the inbox (decided elsewhere) or are hidden. */
export function keepSelected(selected: ReadonlySet<string>, visible: readonly ApprovalView[]): Set<string> {
  const ids = new Set(visible.filter((a) => !a.mine).map((a) => a.id));
  return new Set([...selected].filter((id) => ids.has(id)));
}

/** Totals of a selection, for the bar above the decision form. */
export function selectionSummary(items: readonly ApprovalView[], selected: ReadonlySet<string>): { n: number; value: number } {
  let value = 0;
  let n = 0;
  for (const a of items) {
    if (selected.has(a.id)) {
      n += 1;
      value += Math.abs(a.value);
    }
  }
  return { n, value: Math.round(value * 100) / 100 };
}

/** Checks the bulk form before anything is sent; `null` when it may go. */
export function checkBulk(
  selected: number,
  decision: DecisionView,
  reason: string,
  pin: string,
  counter: string,
): string | null {
  if (selected === 0) return msg("counts.approvals.selectOne");
  if (selected > MAX_SELECTED) return msg("counts.approvals.selectMax", { max: MAX_SELECTED });
  const why = reason.trim();
  if (why === "") return msg("counts.approvals.giveReason");
  if ([...why].length > REASON_MAX) return msg("counts.approvals.reasonMax", { max: REASON_MAX });
  if (decision !== "recount" && counter.trim() !== "") return msg("counts.approvals.counterOnlyRecount");
  if (pin === "") return msg("counts.approvals.enterPin");
  if (pin.length < PIN_MIN || pin.length > PIN_MAX) return msg("counts.approvals.pinLength", { min: PIN_MIN, max: PIN_MAX });
  return null;
}

/** One sentence for the whole answer, and one line per refused item. */
export function describeResult(
  result: BulkDecisionResult,
  decision: DecisionView,
): { summary: string; refused: string[]; allDone: boolean } {
  const summary =
    result.refused === 0
      ? msg(`counts.approvals.allDone.${decision}`, { n: result.decided })
      : msg(`counts.approvals.someDone.${decision}`, { n: result.decided, refused: result.refused });
  const refused = result.lines
    .filter((l) => l.outcome === "refused")
    .map((l) => `${l.sku ?? l.id}: ${l.refusal ? translateError(i18n.language, l.refusal) : (l.error ?? msg("counts.approvals.refused"))}`);
  return { summary, refused, allDone: result.refused === 0 };
}

/** The badge's text on the Approvals tab: nothing at zero, "99+" past 99. */
export function badgeText(waiting: number | null): string {
  if (waiting === null || waiting <= 0) return "";
  return waiting > 99 ? "99+" : String(waiting);
}
