import { describe, expect, it } from "vitest";

import type { FlashSaleView } from "../api";
import { flashSummary, parseFlashForm } from "./flashSale";

describe("flash-sale form", () => {
  const cases: [string, string, string, { windowSecs: number; triggerSales: number } | string][] = [
    ["the default", "10", "5", { windowSecs: 600, triggerSales: 5 }],
    ["a day", "1440", "1", { windowSecs: 86_400, triggerSales: 1 }],
    ["spaces", " 15 ", " 8 ", { windowSecs: 900, triggerSales: 8 }],
    ["no window", "", "5", "The window (minutes) must be a whole number, like 1."],
    ["zero window", "0", "5", "The window (minutes) must be 1 to 1,440."],
    ["more than a day", "1441", "5", "The window (minutes) must be 1 to 1,440."],
    ["a fraction", "7.5", "5", "The window (minutes) must be a whole number, like 1."],
    ["zero trigger", "10", "0", "The trigger (sales) must be 1 to 10,000."],
    ["a word", "10", "many", "The trigger (sales) must be a whole number, like 1."],
  ];
  it.each(cases)("%s", (_name, window, trigger, want) => {
    const got = parseFlashForm(window, trigger);
    expect(got).toEqual(typeof want === "string" ? { ok: false, message: want } : { ok: true, value: want });
  });
});

describe("flash-sale summary", () => {
  const view = (partial: Partial<FlashSaleView>): FlashSaleView => ({ on: true, windowSecs: 600, triggerSales: 5, sellingFast: [], ...partial });
  const listing = { sku: "S1", channel: "shop", listedNow: 3, share: 3, salesInWindow: 6 };
  it.each([
    ["off", view({ on: false }), "Off: every channel lists what its rule gives."],
    ["on, nothing fast", view({}), "On: 5 channel sales within 10 minutes make an item sell fast; no item sells fast now."],
    ["on, one", view({ triggerSales: 1, windowSecs: 60, sellingFast: [listing] }), "On: 1 channel sale within 1 minute makes an item sell fast; 1 listing shares its item's stock now."],
    ["odd window", view({ windowSecs: 90, sellingFast: [listing, listing] }), "On: 5 channel sales within 90 seconds make an item sell fast; 2 listings share their item's stock now."],
  ])("%s", (_name, v, want) => {
    expect(flashSummary(v as FlashSaleView)).toBe(want);
  });
});
