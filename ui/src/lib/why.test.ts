import { describe, expect, it } from "vitest";

import type { AllocationView, ListingWhyView, PushView } from "../api";
import { derivationSteps, listingName, listingState, pushRows } from "./why";
import { ms, sparkData, sparkSummary } from "./sparkline";

function allocation(partial: Partial<AllocationView>): AllocationView {
  return {
    locations: [{ location: "WH1", atp: 406 }], pool: 406, safetyStock: 10, percent: 50, afterPercent: 198,
    buffer: 2, cap: null, channelAdjustment: 0, qty: 196, flash: null, ...partial,
  };
}

function listing(partial: Partial<ListingWhyView>): ListingWhyView {
  return {
    channel: "main", location: "WH1", remoteItem: "gid://shopify/InventoryItem/1", allocation: allocation({}),
    channelQty: 196, queuedQty: null, queuedSince: null, queuedError: null, openChannelChanges: 0, ...partial,
  };
}

describe("derivation steps", () => {
  it("lays the engine's figures out in its order, computing none", () => {
    const steps = derivationSteps(allocation({ locations: [{ location: "WH1", atp: 400 }, { location: "WH2", atp: 6 }], cap: 150, channelAdjustment: -3, qty: 147 }));
    expect(steps.map((s) => [s.label, s.value])).toEqual([
      ["ATP at WH1", "400"],
      ["ATP at WH2", "6"],
      ["Pool (2 locations)", "406"],
      ["Safety stock kept back", "\u221210"],
      ["Channel share 50 %", "198"],
      ["Buffer", "\u22122"],
      ["Cap", "150"],
      ["Sales on the channel not yet in the ledger", "\u22123"],
      ["Pushed quantity", "147"],
    ]);
    expect(steps.filter((s) => s.total).map((s) => s.key)).toEqual(["pool", "share", "qty"]);
  });

  it("shows flash-sale mode's share before the pushed quantity, only when there is one", () => {
    const flash = { windowSecs: 600, salesInWindow: 7, sharedUnits: 12, listings: 3, share: 4 };
    const steps = derivationSteps(allocation({ flash, qty: 4 }));
    expect(steps.slice(-2).map((s) => [s.key, s.label, s.value])).toEqual([
      ["flash", "Flash sale (7 sales in 10 min): this listing's share of 12 units over 3 listings, at most", "4"],
      ["qty", "Pushed quantity", "4"],
    ]);
    const odd = derivationSteps(allocation({ flash: { ...flash, windowSecs: 90, sharedUnits: -2, share: 0 }, qty: 0 }));
    expect(odd.find((s) => s.key === "flash")?.label).toBe("Flash sale (7 sales in 90 s): this listing's share of 0 units over 3 listings, at most");
    expect(derivationSteps(allocation({})).some((s) => s.key === "flash")).toBe(false);
  });

  it("says none and 0 where a rule term is unset", () => {
    const steps = derivationSteps(allocation({ safetyStock: 0, buffer: 0, cap: null }));
    const value = (key: string) => steps.find((s) => s.key === key)?.value;
    expect([value("safety"), value("buffer"), value("cap"), value("channel")]).toEqual(["0", "0", "none", "0"]);
    expect(steps.find((s) => s.key === "pool")?.label).toBe("Pool (one location)");
  });
});

describe("listing state", () => {
  const cases: [string, Partial<ListingWhyView>, string, string][] = [
    ["on the channel", {}, "good", "Channel shows 196"],
    ["queued", { queuedQty: 230, queuedSince: "2026-11-26T12:00:00Z" }, "warn", "Queued: 230 goes out next"],
    ["failing", { queuedQty: 230, queuedError: "connection refused" }, "bad", "Waiting to push 230: connection refused"],
    ["never pushed", { channelQty: null }, "warn", "Never pushed"],
    ["channel differs", { channelQty: 190 }, "warn", "Channel shows 190"],
  ];
  for (const [name, partial, tone, label] of cases) {
    it(name, () => expect(listingState(listing(partial))).toEqual({ tone, label }));
  }
  it("names listings", () => {
    expect(listingName({ channel: "web", location: null })).toBe("web · all locations");
    expect(listingName({ channel: "web", location: "WH2" })).toBe("web · WH2");
  });
});

describe("push rows", () => {
  const push = (channel: string, qty: number, version: number): PushView => ({
    channel, location: "WH1", qty, version, changeFrom: null, ackedAt: "2026-11-26T12:00:00Z", latencyMs: 300,
  });
  it("shows each push's change from the previous push of the same listing", () => {
    const rows = pushRows([push("main", 220, 3), push("web", 50, 9), push("main", 196, 2), push("main", 200, 1)]);
    expect(rows.map((r) => r.change)).toEqual(["+24", "", "\u22124", ""]);
  });
});

describe("sparkline", () => {
  const p = (ackedAt: string, latencyMs: number) => ({ ackedAt, latencyMs });
  it("makes ascending uPlot columns and skips what it cannot place", () => {
    const data = sparkData([p("2026-11-26T12:00:00Z", 400), p("not a time", 1), p("2026-11-26T12:00:02Z", 900), p("2026-11-26T11:00:00Z", 5)]);
    expect(data).toEqual([[Date.parse("2026-11-26T12:00:00Z") / 1000, Date.parse("2026-11-26T12:00:02Z") / 1000], [400, 900]]);
  });
  it("summarises in words", () => {
    expect(sparkSummary([])).toBeNull();
    expect(sparkSummary([p("2026-11-26T12:00:00Z", 460)])).toBe("last 460 ms · max 460 ms over 1 push");
    expect(sparkSummary([p("a", 1_200), p("b", 380)])).toBe("last 380 ms · max 1.2 s over 2 pushes");
    expect(ms(90_000)).toBe("1.5 min");
  });
});
