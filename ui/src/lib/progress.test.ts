import { describe, expect, it } from "vitest";

import type { RepushProgress } from "../api";
import { repushBar, runningBar } from "./progress";

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
