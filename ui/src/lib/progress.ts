/**
 * Progress bars for long operations (design.md §8). A bar shows the engine's own figure or,
 * where the engine does not report one (a reconciliation run), runs indeterminate with what it
 * is doing: never a made-up percentage.
 */
import type { RepushProgress } from "../api";

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
