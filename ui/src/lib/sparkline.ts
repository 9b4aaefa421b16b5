/**
 * The per-channel latency sparkline's data: uPlot wants columns (x in seconds, then y), and
 * the card prints the figures beside the line so it never relies on the chart alone.
 */
import type { LatencyPointView } from "../api";

export type SparkData = [number[], number[]];

/** x: acknowledgement time in Unix seconds; y: event-to-channel latency in ms. Points with an
 *  unreadable time are skipped (uPlot needs ascending x). */
export function sparkData(points: LatencyPointView[]): SparkData {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const p of points) {
    const t = Date.parse(p.ackedAt);
    if (Number.isNaN(t)) continue;
    if (xs.length > 0 && t / 1000 < xs[xs.length - 1]) continue;
    xs.push(t / 1000);
    ys.push(p.latencyMs);
  }
  return [xs, ys];
}

/** "last 412 ms · max 1.2 s over 60 pushes", or null with nothing to draw. */
export function sparkSummary(points: LatencyPointView[]): string | null {
  if (points.length === 0) return null;
  const last = points[points.length - 1].latencyMs;
  const max = Math.max(...points.map((p) => p.latencyMs));
  const n = points.length;
  return `last ${ms(last)} · max ${ms(max)} over ${n} ${n === 1 ? "push" : "pushes"}`;
}

export function ms(value: number): string {
  if (value < 1_000) return `${Math.round(value)} ms`;
  if (value < 60_000) return `${(value / 1_000).toFixed(1)} s`;
  return `${(value / 60_000).toFixed(1)} min`;
}
