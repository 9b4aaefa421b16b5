import { describe, expect, it } from "vitest";

import type { CountLineRow } from "../bindings/CountLineRow";
import { buildStartRequest, counterProgress, parseSkuList, sessionPercent, uncountedInFull, type StartForm } from "./counts";

const base: StartForm = { location: "WH1", kind: "location", skus: "", klass: "", top: "", blind: true };

describe("start a count", () => {
  const cases: [string, Partial<StartForm>, object | string][] = [
    ["a location, blind", {}, { location: "WH1", skus: [], class: null, top: null, blind: true, full: false }],
    ["open (not blind)", { blind: false }, { blind: false, full: false }],
    ["full", { kind: "full" }, { full: true, skus: [], class: null, top: null }],
    ["a SKU list, any separators, once each", { kind: "skus", skus: "SS-1, SS-2\nSS-1;SS-3" }, { skus: ["SS-1", "SS-2", "SS-3"] }],
    ["class a", { kind: "class", klass: "a" }, { class: "A" }],
    ["top 20", { kind: "top", top: " 20 " }, { top: 20 }],
    ["no location", { location: "  " }, "Choose the location to count."],
    ["an empty SKU list", { kind: "skus", skus: " , " }, "Type the SKUs to count."],
    ["class D", { kind: "class", klass: "D" }, "Choose class A, B or C."],
    ["top 0", { kind: "top", top: "0" }, "Top N is a whole number from 1 to 10000."],
    ["top 1.5", { kind: "top", top: "1.5" }, "Top N is a whole number from 1 to 10000."],
    ["top too many", { kind: "top", top: "10001" }, "Top N is a whole number from 1 to 10000."],
  ];
  for (const [name, form, want] of cases) {
    it(name, () => {
      const got = buildStartRequest({ ...base, ...form });
      if (typeof want === "string") expect(got).toEqual({ ok: false, message: want });
      else expect(got.ok && got.request).toMatchObject(want);
    });
  }

  it("a SKU list longer than the limit is refused", () => {
    const skus = Array.from({ length: 1001 }, (_, i) => `S-${i}`).join(",");
    const got = buildStartRequest({ ...base, kind: "skus", skus });
    expect(got.ok).toBe(false);
  });

  it("parses SKU lists", () => expect(parseSkuList("  a b\tc,,a ")).toEqual(["a", "b", "c"]));
});

function line(sku: string, counted: number, counters: string[], state = "counting"): CountLineRow {
  return { id: null, sku, round: 1, counted, expected: null, variance: null, state, counters, reason: null };
}

describe("progress", () => {
  const cases: [number, number, number][] = [
    [0, 0, 0],
    [10, 0, 0],
    [10, 3, 30],
    [3, 2, 67],
    [10, 12, 100],
  ];
  for (const [scope, counted, want] of cases) {
    it(`${counted} of ${scope} → ${want}%`, () => expect(sessionPercent({ scopeSkus: scope, countedSkus: counted })).toBe(want));
  }

  it("per counter: SKUs and units, busiest first, shared SKUs to both", () => {
    const lines = [line("A", 5, ["cat"]), line("B", 2, ["cat", "dan"]), line("C", 7, ["dan"]), line("D", 1, ["cat"], "pending")];
    expect(counterProgress({ lines })).toEqual([
      { counter: "cat", skus: 3, units: 8 },
      { counter: "dan", skus: 2, units: 9 },
    ]);
  });

  it("nothing counted yet", () => expect(counterProgress({ lines: [] })).toEqual([]));

  const zero: [boolean, number, number, number][] = [
    [true, 10, 4, 6],
    [true, 10, 10, 0],
    [false, 10, 4, 0],
  ];
  for (const [full, scope, counted, want] of zero) {
    it(`uncounted in ${full ? "a full" : "a partial"} count: ${want}`, () =>
      expect(uncountedInFull({ full, scopeSkus: scope, countedSkus: counted })).toBe(want));
  }
});
