/**
 * Progress bars for long operations (design.md §8). A bar shows the engine's own figure or,
 * where the engine does not report one (a reconciliation run), runs indeterminate with what it
 * is doing: never a made-up percentage.
 */
import type { ImportKind, ImportStatus, RepushProgress } from "../api";

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
  const label = done
    ? `Re-push finished: ${total.toLocaleString("en")} listings sent`
    : `Re-pushing: ${sent.toLocaleString("en")} of ${total.toLocaleString("en")} listings sent, ${remaining.toLocaleString("en")} waiting`;
  return { kind: "determinate", percent, done, label };
}

/** A running job the engine reports no figure for: how long it has been running. */
export function runningBar(what: string, startedAt: number, now: number): Bar {
  const s = Math.max(0, Math.floor((now - startedAt) / 1000));
  return { kind: "indeterminate", label: `${what}… running for ${s} s` };
}

/** What an import's rows are, one and many. */
const IMPORT_NOUN: Record<ImportKind, [string, string]> = {
  items: ["item", "items"],
  locations: ["location", "locations"],
  stock: ["stock row", "stock rows"],
};

function rows(kind: ImportKind, n: number): string {
  const [one, many] = IMPORT_NOUN[kind];
  return `${n.toLocaleString("en")} ${n === 1 ? one : many}`;
}

/** A CSV import: rows written of the file's rows. Until the file has parsed there is no
 *  total, so the bar runs indeterminate; a refused import ends without reaching 100 %. */
export function importBar(s: ImportStatus): Bar {
  const total = Math.max(0, s.total);
  const done = Math.min(Math.max(0, s.done), total);
  if (s.finished && s.imported !== null) {
    return { kind: "determinate", percent: 100, done: true, label: `Imported ${rows(s.kind, s.imported)}` };
  }
  const percent = total === 0 ? 0 : Math.floor((done / total) * 100);
  if (s.finished) {
    return { kind: "determinate", percent, done: true, label: "Import refused: nothing was imported" };
  }
  if (total === 0) return { kind: "indeterminate", label: "Reading the file…" };
  return { kind: "determinate", percent, done: false, label: `Importing: ${done.toLocaleString("en")} of ${rows(s.kind, total)} written` };
}
