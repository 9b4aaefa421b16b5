/**
 * The Reports screen's charts (issue 20), as pure data: what each report's rows become (a
 * label, a value, the value's text and a detail line), and where each bar or point goes in an
 * SVG of a fixed size. The chart components only draw what these return, and print the same
 * rows as a table for anyone who cannot see the chart; Vitest covers every rule here.
 */
import type { AccuracyPointView, DriftRunView, ShrinkView, VarianceBarView, VarianceGroupView } from "../api";
import { dateTime, num, t } from "./i18n/index.svelte";

/** One bar or point: `value` is what is drawn, `text` how it reads, `detail` the rest. */
export type Datum = { key: string; label: string; value: number; text: string; detail: string };

/** Bars drawn at most: the store sends 48 groups at most, and more would not read. */
export const MAX_BARS = 48;
/** Points drawn at most: two years of months, or the drift history's 200 runs. */
export const MAX_POINTS = 200;

export const CHART_WIDTH = 720;
export const BAR_ROW = 26;
export const BAR_LABEL_WIDTH = 200;
export const BAR_VALUE_WIDTH = 110;
export const LINE_HEIGHT = 240;
const LINE_PAD = { left: 48, right: 16, top: 12, bottom: 40 };

export type Bar = Datum & { x: number; y: number; width: number; negative: boolean };
export type BarLayout = { bars: Bar[]; width: number; height: number; zeroX: number; plotLeft: number; plotRight: number };

/**
 * Horizontal bars, one row each, from a zero line: negative values go left of it, positive
 * right, scaled so the largest reaches the edge. All zeros draw no bar but keep their rows.
 */
export function layoutBars(data: Datum[], width = CHART_WIDTH): BarLayout {
  const rows = data.slice(0, MAX_BARS);
  const plotLeft = BAR_LABEL_WIDTH;
  const plotRight = width - BAR_VALUE_WIDTH;
  const plot = plotRight - plotLeft;
  const min = Math.min(0, ...rows.map((d) => d.value));
  const max = Math.max(0, ...rows.map((d) => d.value));
  const span = max - min || 1;
  const zeroX = plotLeft + (-min / span) * plot;
  const bars = rows.map((d, i) => {
    const w = (Math.abs(d.value) / span) * plot;
    return { ...d, x: d.value < 0 ? zeroX - w : zeroX, y: i * BAR_ROW, width: w, negative: d.value < 0 };
  });
  return { bars, width, height: Math.max(1, rows.length) * BAR_ROW, zeroX, plotLeft, plotRight };
}

export type LinePoint = Datum & { x: number; y: number };
export type Tick = { y: number; text: string };
export type LineLayout = { points: LinePoint[]; path: string; width: number; height: number; ticks: Tick[]; baseline: number };

/**
 * A line over points in order, evenly spaced, on a scale from `min` to `max` (by default 0 to
 * the largest value, at least 1), with five ticks. One point draws a dot and no line.
 */
export function layoutLine(data: Datum[], scale: { min?: number; max?: number } = {}, width = CHART_WIDTH): LineLayout {
  const rows = data.slice(-MAX_POINTS);
  const min = scale.min ?? 0;
  const max = scale.max ?? Math.max(1, ...rows.map((d) => d.value));
  const span = max - min || 1;
  const left = LINE_PAD.left;
  const right = width - LINE_PAD.right;
  const top = LINE_PAD.top;
  const bottom = LINE_HEIGHT - LINE_PAD.bottom;
  const step = rows.length > 1 ? (right - left) / (rows.length - 1) : 0;
  const yOf = (v: number) => bottom - ((Math.min(max, Math.max(min, v)) - min) / span) * (bottom - top);
  const points = rows.map((d, i) => ({ ...d, x: rows.length > 1 ? left + i * step : (left + right) / 2, y: yOf(d.value) }));
  const path = points.length > 1 ? points.map((p, i) => `${i === 0 ? "M" : "L"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ") : "";
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const value = min + f * span;
    return { y: yOf(value), text: num(Math.round(value * 10) / 10) };
  });
  return { points, path, width, height: LINE_HEIGHT, ticks, baseline: bottom };
}

/** A signed amount of money from cents, as the rest of the app writes money: "−12.50", "+3.00". */
export function moneyText(cents: number): string {
  const text = (Math.abs(cents) / 100).toFixed(2);
  return cents < 0 ? `\u2212${text}` : cents > 0 ? `+${text}` : text;
}

/** Variance per group: the net value drawn (a shortfall to the left), lines and units beside. */
export function varianceData(rows: VarianceBarView[], group: VarianceGroupView): Datum[] {
  return rows.map((r) => ({
    key: r.key,
    label: group === "session" ? `${r.label} · ${r.at.slice(0, 10)}` : r.label,
    value: r.netValueCents / 100,
    text: moneyText(r.netValueCents),
    detail: t("reports.variance.detail", { lines: r.lines, units: r.netUnits, abs: moneyText(r.absValueCents).replace("+", "") }),
  }));
}

/** Accuracy per month, oldest first, as a percentage. */
export function accuracyData(points: AccuracyPointView[]): Datum[] {
  return [...points]
    .sort((a, b) => a.month.localeCompare(b.month))
    .map((p) => ({
      key: p.month,
      label: p.month,
      value: p.accuracyPct,
      text: t("reports.accuracy.pct", { pct: p.accuracyPct.toFixed(1) }),
      detail: t("reports.accuracy.detail", { within: p.withinTolerance, lines: p.lines }),
    }));
}

/** The reasons shrink is grouped under, in words; an unknown code reads as itself. */
export function reasonLabel(reason: string): string {
  switch (reason) {
    case "damaged":
      return t("reports.reason.damaged");
    case "expired":
      return t("reports.reason.expired");
    case "shrinkage":
      return t("reports.reason.shrinkage");
    case "theft":
      return t("reports.reason.theft");
    case "vendor_return":
      return t("reports.reason.vendor_return");
    case "other":
      return t("reports.reason.other");
    case "count_variance":
      return t("reports.reason.count_variance");
    case "transfer_short":
      return t("reports.reason.transfer_short");
    case "unspecified":
      return t("reports.reason.unspecified");
    default:
      return reason;
  }
}

/** Shrink per reason, largest value first (as Rust sends it). */
export function shrinkData(view: ShrinkView): Datum[] {
  return view.rows.map((r) => ({
    key: r.reason,
    label: reasonLabel(r.reason),
    value: r.valueCents / 100,
    text: moneyText(r.valueCents).replace("+", ""),
    detail: t("reports.shrink.detail", { units: r.units, events: r.events }),
  }));
}

/** Drift audits over time, oldest first: listings flagged per run. */
export function driftData(runs: DriftRunView[]): Datum[] {
  return [...runs]
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.id - b.id)
    .map((r) => ({
      key: String(r.id),
      label: dateTime(r.startedAt),
      value: r.flagged,
      text: num(r.flagged),
      detail: t("reports.drift.pointDetail", { checked: r.checked, scope: r.scope }),
    }));
}

/** What a chart says to a screen reader: its title and every value, the first 12 at most. */
export function chartSummary(title: string, data: Datum[]): string {
  if (data.length === 0) return t("reports.chart.emptySummary", { title });
  const shown = data.slice(0, 12).map((d) => `${d.label}: ${d.text}`);
  const more = data.length > 12 ? [t("reports.chart.more", { n: data.length - 12 })] : [];
  return `${title}. ${[...shown, ...more].join("; ")}`;
}

/** This month as YYYY-MM in UTC (the store groups counts by their UTC start). */
export function thisMonth(now: Date = new Date()): string {
  return now.toISOString().slice(0, 7);
}

/** Which count pack the form asks for, or why it cannot (Rust checks again). */
export function packRequest(session: string, month: string): { ok: true; session: string | null; month: string | null } | { ok: false; message: string } {
  const s = session.trim();
  const m = month.trim();
  if ((s === "") === (m === "")) return { ok: false, message: t("reports.pack.oneOf") };
  if (s !== "") return s.length > 64 ? { ok: false, message: t("reports.pack.oneOf") } : { ok: true, session: s, month: null };
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(m)) return { ok: false, message: t("reports.pack.badMonth", { month: m.slice(0, 20) }) };
  return { ok: true, session: null, month: m };
}

/** The shrink chart's periods: a month, a quarter (the default), a year. */
export const SHRINK_PERIODS = [30, 90, 365] as const;
