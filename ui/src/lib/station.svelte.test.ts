/**
 * The station's commands against a mocked Rust side: bad input gives a clear message and
 * sends nothing; a good commit sends exactly the scan log.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";

const commitScans = vi.fn();
const classifyScan = vi.fn();
vi.mock("../api", () => ({
  api: { commitScans, classifyScan, sessionInfo: vi.fn(), countSession: vi.fn(), submitCount: vi.fn(), startCount: vi.fn() },
  errorMessage: (e: unknown) => String(e),
  isSessionError: () => false,
}));

const { quantile, station } = await import("./station.svelte");
const { initialStation } = await import("./station");

const line = (sku: string, qty = 1) => ({ id: 1, sku, name: "", qty, source: "wedge" });

describe("station commit", () => {
  beforeEach(() => {
    commitScans.mockReset();
    station.reset();
  });

  const refused: [string, Partial<ReturnType<typeof initialStation>>, RegExp][] = [
    ["no lines", { location: "WH1" }, /Nothing to commit/],
    ["no location", { lines: [line("A")] }, /location label/],
    ["damage without a reason", { mode: "damage", location: "WH1", lines: [line("A")] }, /why the items are damaged/],
    ["transfer without destination", { mode: "transfer", location: "WH1", lines: [line("A")] }, /destination/],
    ["count without a session", { mode: "count", location: "WH1", lines: [line("A")] }, /count first/],
  ];
  for (const [name, partial, message] of refused) {
    it(`refuses ${name} without calling Rust`, async () => {
      station.state = { ...initialStation("receive"), ...partial };
      expect(await station.commit()).toBe(false);
      expect(commitScans).not.toHaveBeenCalled();
      expect(station.feedback.tone).toBe("bad");
      expect(station.feedback.detail).toMatch(message);
    });
  }

  it("sends the scan log and drops what was recorded", async () => {
    commitScans.mockResolvedValue({ committed: 1, awaitingApproval: 0, failedIndex: 1, error: "B: unknown SKU 'B'" });
    station.state = { ...initialStation("damage"), location: "WH1", reason: "Wet", lines: [line("A", 2), line("B")] };
    expect(await station.commit()).toBe(false);
    expect(commitScans).toHaveBeenCalledWith({
      mode: "damage",
      location: "WH1",
      toLocation: null,
      session: null,
      reason: "Wet",
      lines: [{ sku: "A", qty: 2 }, { sku: "B", qty: 1 }],
    });
    expect(station.state.lines.map((l) => l.sku)).toEqual(["B"]);
    expect(station.feedback.title).toBe("Line 2 not recorded");
  });

  it("a wedge scan typed into the quantity box gives the box its old value back", async () => {
    classifyScan.mockResolvedValue({ source: "wedge", data: "SS-1", kind: "item", sku: "SS-1", name: "", location: null, quantity: null, mode: null, message: null });
    station.state = { ...initialStation("receive"), location: "WH1", qty: 5 };
    station.recordQtyEdit(1000); // the scan's first key landed in the box...
    station.setQty(1); // ...and its digits made it parse as something else
    await station.scanText("SS-1", 999);
    expect(station.state.lines).toEqual([expect.objectContaining({ sku: "SS-1", qty: 5 })]);
  });
});

describe("latency quantiles", () => {
  it("nearest rank", () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(samples, 0.99)).toBe(99);
    expect(quantile(samples, 0.5)).toBe(50);
    expect(quantile([7], 0.99)).toBe(7);
    expect(quantile([], 0.99)).toBeNull();
  });
});
