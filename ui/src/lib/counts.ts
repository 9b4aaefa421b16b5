/**
 * The Counts screen's pure logic: the "Start a count" form turned into a request (or a clear
 * message), and progress per session and per counter. Rust checks the request again and
 * resolves the scope; this only spares a round trip for input that cannot be right.
 */
import type { CountSessionDetail } from "../bindings/CountSessionDetail";
import type { CountSessionRow } from "../bindings/CountSessionRow";
import type { CountStartRequest } from "../bindings/CountStartRequest";
import { t as msg } from "./i18n/index.svelte";

export type ScopeKind = "location" | "skus" | "class" | "top" | "full";

export type StartForm = {
  location: string;
  kind: ScopeKind;
  /** SKUs separated by commas, spaces or new lines. */
  skus: string;
  klass: string;
  top: string;
  blind: boolean;
};

/** Same limits as Rust (src-tauri/src/counts_scoped.rs). */
export const MAX_SCOPE_SKUS = 1_000;
export const MAX_TOP = 10_000;

export function parseSkuList(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).map((s) => s.trim()).filter((s) => s !== ""))];
}

export function buildStartRequest(
  form: StartForm,
): { ok: true; request: CountStartRequest } | { ok: false; message: string } {
  const location = form.location.trim();
  if (location === "") return { ok: false, message: msg("counts.chooseLocation") };
  const request: CountStartRequest = {
    location,
    skus: [],
    class: null,
    top: null,
    blind: form.blind,
    full: form.kind === "full",
  };
  switch (form.kind) {
    case "skus": {
      const skus = parseSkuList(form.skus);
      if (skus.length === 0) return { ok: false, message: msg("counts.typeSkus") };
      if (skus.length > MAX_SCOPE_SKUS) {
        return { ok: false, message: msg("counts.tooManySkus", { max: String(MAX_SCOPE_SKUS) }) };
      }
      request.skus = skus;
      break;
    }
    case "class": {
      const c = form.klass.trim().toUpperCase();
      if (!["A", "B", "C"].includes(c)) return { ok: false, message: msg("counts.chooseClass") };
      request.class = c;
      break;
    }
    case "top": {
      const t = form.top.trim();
      const n = /^\d+$/.test(t) ? Number(t) : NaN;
      if (!(n >= 1 && n <= MAX_TOP)) return { ok: false, message: msg("counts.topRange", { max: String(MAX_TOP) }) };
      request.top = n;
      break;
    }
    case "location":
    case "full":
      break;
  }
  return { ok: true, request };
}

/** Share of the session's SKUs scanned so far, 0 to 100. */
export function sessionPercent(s: Pick<CountSessionRow, "scopeSkus" | "countedSkus">): number {
  return s.scopeSkus === 0 ? 0 : Math.min(100, Math.round((s.countedSkus * 100) / s.scopeSkus));
}

export type CounterProgress = { counter: string; skus: number; units: number };

/**
 * Per counter: the SKUs they counted (a SKU two people counted is credited to both) and the
 * units on those lines, busiest first. Lines still being counted and submitted lines alike.
 */
export function counterProgress(detail: Pick<CountSessionDetail, "lines">): CounterProgress[] {
  const by = new Map<string, { skus: Set<string>; units: number }>();
  for (const line of detail.lines) {
    for (const counter of line.counters) {
      const p = by.get(counter) ?? { skus: new Set<string>(), units: 0 };
      p.skus.add(line.sku);
      p.units += line.counted;
      by.set(counter, p);
    }
  }
  return [...by.entries()]
    .map(([counter, p]) => ({ counter, skus: p.skus.size, units: p.units }))
    .sort((a, b) => b.skus - a.skus || a.counter.localeCompare(b.counter));
}

/** A full count with SKUs still uncounted needs "count the rest as zero" to submit. */
export function uncountedInFull(s: Pick<CountSessionRow, "full" | "scopeSkus" | "countedSkus">): number {
  return s.full ? Math.max(0, s.scopeSkus - s.countedSkus) : 0;
}
