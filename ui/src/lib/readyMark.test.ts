import { describe, expect, it } from "vitest";

import { markReady } from "./readyMark";

describe("markReady", () => {
  it("keeps one mark per screen however often it is shown", () => {
    const calls: string[] = [];
    const perf = { mark: (n: string) => (calls.push(`mark ${n}`), undefined as never), clearMarks: (n?: string) => void calls.push(`clear ${n}`) };
    markReady("signin", perf);
    markReady("signin", perf);
    expect(calls).toEqual([
      "clear shelfsync:signin-ready", "mark shelfsync:signin-ready",
      "clear shelfsync:signin-ready", "mark shelfsync:signin-ready",
    ]);
  });
});
