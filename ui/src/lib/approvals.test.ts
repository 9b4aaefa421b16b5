import { describe, expect, it } from "vitest";

import type { ApprovalView } from "../bindings/ApprovalView";
import type { BulkDecisionResult } from "../bindings/BulkDecisionResult";
import { setLanguage } from "./i18n/index.svelte";
import {
  MAX_SELECTED,
  NO_FILTERS,
  badgeText,
  checkBulk,
  describeResult,
  filterChoices,
  keepSelected,
  selectAll,
  selectionSummary,
  visibleApprovals,
} from "./approvals";

function item(id: string, location: string, counters: string[], variance: number, value: number, mine = false): ApprovalView {
  return {
    id,
    kind: "count",
    session: "s1",
    sku: `SKU-${id}`,
    name: "",
    location,
    counted: 10 + variance,
    expected: 10,
    variance,
    value,
    counters,
    movementsDuringCount: 0,
    round: 1,
    reason: null,
    history: [],
    mine,
  };
}

const inbox = [
  item("a", "WH1", ["staff"], -2, 10),
  item("b", "WH1", ["cat"], 5, 250.5),
  item("c", "WH2", ["staff", "cat"], -1, 0.99),
  item("d", "WH2", ["super"], 30, 99, true),
];

describe("filters and sort", () => {
  const cases: [string, Partial<typeof NO_FILTERS>, "oldest" | "value-desc" | "value-asc", string[] | string][] = [
    ["nothing filtered, inbox order", {}, "oldest", ["a", "b", "c", "d"]],
    ["by value, largest first", {}, "value-desc", ["b", "d", "a", "c"]],
    ["by value, smallest first", {}, "value-asc", ["c", "a", "d", "b"]],
    ["one location", { location: "WH2" }, "oldest", ["c", "d"]],
    ["one counter, any case", { counter: "CAT" }, "oldest", ["b", "c"]],
    ["value at least 10", { minValue: "10" }, "oldest", ["a", "b", "d"]],
    ["value at least 99.00", { minValue: "99.00" }, "value-desc", ["b", "d"]],
    ["variance at least 2 units either way", { minVariance: "2" }, "oldest", ["a", "b", "d"]],
    ["everything at once", { location: "WH1", counter: "staff", minVariance: "2" }, "oldest", ["a"]],
    ["a bad value", { minValue: "ten" }, "oldest", "Value at least is a number like 10 or 25.50."],
    ["a negative variance", { minVariance: "-3" }, "oldest", "Variance at least is a number like 10 or 25.50."],
  ];
  for (const [name, filters, order, want] of cases) {
    it(name, () => {
      const got = visibleApprovals(inbox, { ...NO_FILTERS, ...filters }, order);
      expect(got.ok ? got.items.map((a) => a.id) : got.message).toEqual(want);
    });
  }

  it("offers each location and counter once", () => {
    expect(filterChoices(inbox)).toEqual({ locations: ["WH1", "WH2"], counters: ["cat", "staff", "super"] });
  });
});

describe("selection", () => {
  it("select all leaves out the supervisor's own lines", () => {
    expect([...selectAll(inbox)]).toEqual(["a", "b", "c"]);
  });

  it("select all stops at the most one decision takes", () => {
    const many = Array.from({ length: MAX_SELECTED + 5 }, (_, i) => item(`x${i}`, "WH1", ["staff"], 1, 1));
    expect(selectAll(many).size).toBe(MAX_SELECTED);
  });

  it("keeps only items still shown and decidable", () => {
    const kept = keepSelected(new Set(["a", "d", "gone"]), inbox);
    expect([...kept]).toEqual(["a"]);
  });

  it("sums the value selected", () => {
    expect(selectionSummary(inbox, new Set(["a", "b", "c"]))).toEqual({ n: 3, value: 261.49 });
  });
});

describe("bulk decision form", () => {
  const cases: [number, "approve" | "reject" | "recount", string, string, string, string | null][] = [
    [3, "approve", "shelf matches", "2222", "", null],
    [3, "recount", "moves during count", "2222", "staff", null],
    [0, "approve", "ok", "2222", "", "Select at least one item."],
    [MAX_SELECTED + 1, "approve", "ok", "2222", "", "Select at most 200 items at once."],
    [1, "reject", "  ", "2222", "", "Give one reason for the decision."],
    [1, "reject", "r".repeat(201), "2222", "", "Keep the reason under 200 characters."],
    [1, "approve", "ok", "2222", "staff", "A counter is assigned only to a recount."],
    [1, "approve", "ok", "", "", "Enter your PIN to confirm."],
    [1, "approve", "ok", "12", "", "A PIN has 4 to 64 characters."],
  ];
  for (const [n, decision, reason, pin, counter, want] of cases) {
    it(`${n} ${decision} ${JSON.stringify(reason.slice(0, 12))} → ${want ?? "sent"}`, () => {
      expect(checkBulk(n, decision, reason, pin, counter)).toBe(want);
    });
  }
});

describe("the answer", () => {
  it("all decided", () => {
    const result: BulkDecisionResult = {
      decided: 3,
      refused: 0,
      lines: ["a", "b", "c"].map((id) => ({ id, sku: `SKU-${id}`, outcome: "approved", error: null })),
    };
    expect(describeResult(result, "approve")).toEqual({ summary: "3 items approved.", refused: [], allDone: true });
  });

  it("some refused, each with its reason", () => {
    const result: BulkDecisionResult = {
      decided: 1,
      refused: 2,
      lines: [
        { id: "a", sku: "SKU-a", outcome: "recount", error: null },
        { id: "d", sku: "SKU-d", outcome: "refused", error: "user 'super' (supervisor) may not decide a count they took part in" },
        { id: "zz", sku: null, outcome: "refused", error: null },
      ],
    };
    expect(describeResult(result, "recount")).toEqual({
      summary: "1 sent for recount, 2 refused (nothing changed for those).",
      refused: ["SKU-d: user 'super' (supervisor) may not decide a count they took part in", "zz: refused"],
      allDone: false,
    });
  });

  it("a refusal with its code reads in the workstation's language", () => {
    const refusal = { code: "approval.notPending", message: "approval a-1 is not pending (it is posted)", args: { id: "a-1", state: "posted" } };
    const result: BulkDecisionResult = {
      decided: 0,
      refused: 1,
      lines: [{ id: "a-1", sku: "SKU-a", outcome: "refused", error: refusal.message, refusal }],
    };
    expect(describeResult(result, "approve").refused).toEqual(["SKU-a: approval a-1 is not pending (it is posted)"]);
    setLanguage("es", false);
    try {
      const spanish = describeResult(result, "approve").refused[0];
      expect(spanish.startsWith("SKU-a: ")).toBe(true);
      expect(spanish).not.toContain("is not pending");
    } finally {
      setLanguage("en", false);
    }
  });
});

describe("tab badge", () => {
  const cases: [number | null, string][] = [
    [null, ""],
    [0, ""],
    [1, "1"],
    [99, "99"],
    [100, "99+"],
  ];
  for (const [n, want] of cases) it(`${n} → ${JSON.stringify(want)}`, () => expect(badgeText(n)).toBe(want));
});
