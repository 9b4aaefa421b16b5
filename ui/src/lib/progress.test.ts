import { describe, expect, it } from "vitest";

import type { ImportKind, ImportStatus, RepushProgress } from "../api";
import { importBar, repushBar, runningBar } from "./progress";

function job(total: number, remaining: number): RepushProgress {
  return { channel: "shop", total, remaining, startedAt: "2026-11-27T00:00:00Z", startedBy: "super" };
}

describe("repushBar", () => {
  const cases: [number, number, number, boolean, string][] = [
    [200, 200, 0, false, "Re-pushing: 0 of 200 listings sent, 200 waiting"],
    [200, 150, 25, false, "Re-pushing: 50 of 200 listings sent, 150 waiting"],
    [3, 1, 66, false, "Re-pushing: 2 of 3 listings sent, 1 waiting"],
    // One row left never reads 100 %.
    [1000, 1, 99, false, "Re-pushing: 999 of 1,000 listings sent, 1 waiting"],
    [1000, 0, 100, true, "Re-push finished: 1,000 listings sent"],
    [0, 0, 100, true, "Re-push finished: 0 listings sent"],
    // More waiting than marked (re-dirtied rows) or a negative figure stays within the bar.
    [10, 12, 0, false, "Re-pushing: 0 of 10 listings sent, 10 waiting"],
    [10, -1, 100, true, "Re-push finished: 10 listings sent"],
  ];
  for (const [total, remaining, percent, done, label] of cases) {
    it(`${remaining} of ${total} waiting`, () => {
      expect(repushBar(job(total, remaining))).toEqual({ kind: "determinate", percent, done, label });
    });
  }
});

describe("runningBar", () => {
  it("says how long, with no percentage", () => {
    expect(runningBar("Reconciling", 1_000, 13_900)).toEqual({ kind: "indeterminate", label: "Reconciling… running for 12 s" });
  });
  it("a clock behind the start reads 0 s", () => {
    expect(runningBar("Reconciling", 5_000, 4_000)).toEqual({ kind: "indeterminate", label: "Reconciling… running for 0 s" });
  });
});

function imp(kind: ImportKind, done: number, total: number, finished: boolean, imported: number | null): ImportStatus {
  const error = finished && imported === null ? "line 7: qty 'x' must be a whole number" : null;
  return { kind, done, total, finished, imported, error, badLines: [], startedBy: "admin" };
}

describe("importBar", () => {
  const cases: [string, ImportStatus, ReturnType<typeof importBar>][] = [
    ["before the file has parsed", imp("items", 0, 0, false, null), { kind: "indeterminate", label: "Reading the file…" }],
    ["parsed, nothing written", imp("items", 0, 1234, false, null),
      { kind: "determinate", percent: 0, done: false, label: "Importing: 0 of 1,234 items written" }],
    ["half way", imp("stock", 500, 1000, false, null),
      { kind: "determinate", percent: 50, done: false, label: "Importing: 500 of 1,000 stock rows written" }],
    // Written but not yet committed: never 100 %.
    ["all written, not committed", imp("locations", 999, 1000, false, null),
      { kind: "determinate", percent: 99, done: false, label: "Importing: 999 of 1,000 locations written" }],
    ["committed", imp("items", 1234, 1234, true, 1234),
      { kind: "determinate", percent: 100, done: true, label: "Imported 1,234 items" }],
    ["one row", imp("stock", 1, 1, true, 1), { kind: "determinate", percent: 100, done: true, label: "Imported 1 stock row" }],
    ["packs", imp("packs", 2, 2, true, 2), { kind: "determinate", percent: 100, done: true, label: "Imported 2 packs" }],
    ["one pack being written", imp("packs", 0, 1, false, null),
      { kind: "determinate", percent: 0, done: false, label: "Importing: 0 of 1 pack written" }],
    ["refused at parse", imp("stock", 0, 0, true, null),
      { kind: "determinate", percent: 0, done: true, label: "Import refused: nothing was imported" }],
    ["refused while writing", imp("items", 500, 2000, true, null),
      { kind: "determinate", percent: 25, done: true, label: "Import refused: nothing was imported" }],
    ["a figure past the total stays within the bar", imp("items", 12, 10, false, null),
      { kind: "determinate", percent: 100, done: false, label: "Importing: 10 of 10 items written" }],
  ];
  for (const [name, status, bar] of cases) {
    it(name, () => expect(importBar(status)).toEqual(bar));
  }
});
