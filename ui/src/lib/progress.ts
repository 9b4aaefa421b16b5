/**
 * Progress bars for long operations (design.md §8). A bar shows the engine's own figure or,
 * where the engine does not report one (a reconciliation run), runs indeterminate with what it
 * is doing: never a made-up percentage.
 */
import type { ImportKind, ImportStatus, RepushProgress } from "../api";
import { t } from "./i18n/index.svelte";

export type Bar =
  | { kind: "determinate"; percent: number; done: boolean; label: string }
  | { kind: "indeterminate"; label: string };

/** A full re-push: of the listings marked at its start, how many the channel has taken. */
export function repushBar(p: RepushProgress): Bar {
  const total = Math.max(0, p.total);
  const remaining = Math.min(Math.max(0, p.remaining), total);
  const sent = total - remaining;
  // 0 of 0 is complete, not a division by zero.
  const percent = total === 0 ? 100 : Math.floor((sent / total) * 100);
  const done = remaining === 0;
  const label = done ? t("sync.progress.repushed", { total }) : t("sync.progress.repushing", { sent, total, remaining });
  return { kind: "determinate", percent, done, label };
}

/** A running job the engine reports no figure for: how long it has been running. */
export function runningBar(what: string, startedAt: number, now: number): Bar {
  const s = Math.max(0, Math.floor((now - startedAt) / 1000));
  return { kind: "indeterminate", label: t("sync.progress.running", { what, s }) };
}

/** An import's rows, counted in the language ("1 item", "1.234 artículos"). */
const IMPORT_ROWS: Record<ImportKind, "settings.progress.items" | "settings.progress.locations" | "settings.progress.stock" | "settings.progress.packs"> = {
  items: "settings.progress.items",
  locations: "settings.progress.locations",
  stock: "settings.progress.stock",
  packs: "settings.progress.packs",
};

function rows(kind: ImportKind, n: number): string {
  return t(IMPORT_ROWS[kind], { n });
}

/** A CSV import: rows written of the file's rows. Until the file has parsed there is no
 *  total, so the bar runs indeterminate; a refused import ends without reaching 100 %. */
export function importBar(s: ImportStatus): Bar {
  const total = Math.max(0, s.total);
  const done = Math.min(Math.max(0, s.done), total);
  if (s.finished && s.imported !== null) {
    return { kind: "determinate", percent: 100, done: true, label: t("settings.progress.imported", { rows: rows(s.kind, s.imported) }) };
  }
  const percent = total === 0 ? 0 : Math.floor((done / total) * 100);
  if (s.finished) {
    return { kind: "determinate", percent, done: true, label: t("settings.progress.refused") };
  }
  if (total === 0) return { kind: "indeterminate", label: t("settings.progress.reading") };
  return { kind: "determinate", percent, done: false, label: t("settings.progress.importing", { done, rows: rows(s.kind, total) }) };
}
