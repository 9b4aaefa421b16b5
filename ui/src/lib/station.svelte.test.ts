/**
 * The station's commands against a mocked Rust side: bad input gives a clear message and
 * sends nothing; a good commit sends exactly the scan log.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";

const commitScans = vi.fn();
const classifyScan = vi.fn();
const saveStationDraft = vi.fn();
const appendStationDraftLine = vi.fn();
const stationDraft = vi.fn();
const discardStationDraft = vi.fn();
vi.mock("../api", () => ({
  api: {
    commitScans,
    classifyScan,
    saveStationDraft,
    appendStationDraftLine,
    stationDraft,
    discardStationDraft,
    sessionInfo: vi.fn(),
    countSession: vi.fn(),
    submitCount: vi.fn(),
    startCount: vi.fn(),
  },
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const item = (sku: string) => ({ source: "wedge", data: sku, kind: "item" as const, sku, name: "", location: null, quantity: null, mode: null, message: null });

describe("the station's draft", () => {
  beforeEach(() => {
    commitScans.mockReset();
    saveStationDraft.mockReset();
    appendStationDraftLine.mockReset();
    stationDraft.mockReset();
    discardStationDraft.mockReset();
    station.reset();
  });

  it("saves every scanned line with its id before the feedback shows", async () => {
    let saved!: () => void;
    saveStationDraft.mockImplementation(() => new Promise<void>((resolve) => (saved = resolve)));
    station.state = { ...initialStation("receive"), location: "WH1" };
    const scanned = station.apply(item("SS-1"));
    await vi.waitFor(() => expect(saveStationDraft).toHaveBeenCalledTimes(1));
    expect(station.feedback.title).not.toMatch(/SS-1/);
    const draft = saveStationDraft.mock.calls[0][0];
    expect(draft).toMatchObject({ mode: "receive", location: "WH1", lines: [{ sku: "SS-1", qty: 1 }] });
    expect(draft.lines[0].id).toMatch(UUID);
    saved();
    await scanned;
    expect(station.feedback).toMatchObject({ tone: "good", title: "+1  SS-1" });
    expect(station.state.lines[0].eventId).toBe(draft.lines[0].id);
  });

  it("a scan after the first sends its line alone, after the line Rust holds last", async () => {
    saveStationDraft.mockResolvedValue(undefined);
    appendStationDraftLine.mockResolvedValue(undefined);
    station.state = { ...initialStation("receive"), location: "WH1" };
    await station.apply(item("SS-1")); // the place is new to Rust: the whole draft
    await station.apply(item("SS-2"));
    await station.apply(item("SS-3"));
    expect(saveStationDraft).toHaveBeenCalledTimes(1);
    const [first, second, third] = station.state.lines.map((l) => l.eventId);
    expect(appendStationDraftLine.mock.calls.map((c) => [c[0].after, c[0].lastId, c[0].line.id, c[0].line.sku])).toEqual([
      [1, first, second, "SS-2"],
      [2, second, third, "SS-3"],
    ]);
    expect(appendStationDraftLine.mock.calls[0][0]).toMatchObject({ mode: "receive", location: "WH1", toLocation: null });
    expect(station.feedback).toMatchObject({ tone: "good", title: "+1  SS-3" });
  });

  it("an append Rust refuses is followed by the whole draft", async () => {
    saveStationDraft.mockResolvedValue(undefined);
    appendStationDraftLine.mockRejectedValue("The saved scan draft has 0 lines, not 1: save the whole draft.");
    station.state = { ...initialStation("receive"), location: "WH1" };
    await station.apply(item("SS-1"));
    await station.apply(item("SS-2"));
    expect(appendStationDraftLine).toHaveBeenCalledTimes(1);
    expect(saveStationDraft).toHaveBeenCalledTimes(2);
    expect(saveStationDraft.mock.calls[1][0].lines.map((l: { sku: string }) => l.sku)).toEqual(["SS-1", "SS-2"]);
    expect(station.feedback).toMatchObject({ tone: "good", title: "+1  SS-2" });
  });

  it("an undo is saved whole (the draft loses a line)", async () => {
    saveStationDraft.mockResolvedValue(undefined);
    appendStationDraftLine.mockResolvedValue(undefined);
    station.state = { ...initialStation("receive"), location: "WH1" };
    await station.apply(item("SS-1"));
    await station.apply(item("SS-2"));
    await station.apply({ ...item("CMD:UNDO"), kind: "undo" as const, sku: null });
    expect(appendStationDraftLine).toHaveBeenCalledTimes(1);
    expect(saveStationDraft).toHaveBeenCalledTimes(2);
    expect(saveStationDraft.mock.calls[1][0].lines.map((l: { sku: string }) => l.sku)).toEqual(["SS-1"]);
  });

  it("a scan whose draft cannot be saved is refused visibly and not kept", async () => {
    saveStationDraft.mockResolvedValueOnce(undefined).mockRejectedValueOnce("disk full: the change was not saved");
    appendStationDraftLine.mockRejectedValue("disk full: the change was not saved");
    station.state = { ...initialStation("receive"), location: "WH1" };
    await station.apply(item("SS-1"));
    await station.apply(item("SS-2"));
    expect(station.state.lines.map((l) => l.sku)).toEqual(["SS-1"]);
    expect(station.feedback.tone).toBe("bad");
    expect(station.feedback.title).toBe("Scan not saved");
    expect(station.feedback.detail).toMatch(/disk full.*1 line not kept: scan again/);
  });

  it("a commit sends each line's id, so sending it again records nothing twice", async () => {
    saveStationDraft.mockResolvedValue(undefined);
    commitScans.mockResolvedValue({ committed: 2, awaitingApproval: 0, failedIndex: null, error: null });
    station.state = { ...initialStation("receive"), location: "WH1" };
    await station.apply(item("SS-1"));
    await station.apply(item("SS-2"));
    const ids = station.state.lines.map((l) => l.eventId);
    expect(await station.commit()).toBe(true);
    expect(commitScans.mock.calls[0][0].lines).toEqual([
      { id: ids[0], sku: "SS-1", qty: 1 },
      { id: ids[1], sku: "SS-2", qty: 1 },
    ]);
    expect(new Set(ids).size).toBe(2);
    expect(station.feedback.title).toBe("Committed 2 lines");
  });

  it("signing in shows the user's saved draft, with the ids it was saved under", async () => {
    stationDraft.mockResolvedValue({
      mode: "damage",
      location: "WH2",
      toLocation: null,
      session: null,
      reason: "Wet",
      lines: [{ id: "0190d4c2-7a3e-7c1a-9f00-00000000000a", sku: "SS-9", name: "Nine", qty: 3, source: "hid" }],
    });
    await station.restore("ana");
    expect(station.state).toMatchObject({ mode: "damage", location: "WH2", reason: "Wet" });
    expect(station.state.lines).toEqual([expect.objectContaining({ eventId: "0190d4c2-7a3e-7c1a-9f00-00000000000a", sku: "SS-9", qty: 3 })]);
    expect(station.feedback.title).toBe("1 line not yet committed");
    // The same user again (unlocking after the idle lock) keeps what is on screen.
    await station.restore("ana");
    expect(stationDraft).toHaveBeenCalledTimes(1);
    // Another user sees their own (none).
    stationDraft.mockResolvedValue(null);
    await station.restore("ben");
    expect(station.state.lines).toEqual([]);
  });

  it("discarding throws the draft away in Rust and on screen", async () => {
    saveStationDraft.mockResolvedValue(undefined);
    discardStationDraft.mockResolvedValue(true);
    station.state = { ...initialStation("receive"), location: "WH1" };
    await station.apply(item("SS-1"));
    await station.discard();
    expect(discardStationDraft).toHaveBeenCalledTimes(1);
    expect(station.state.lines).toEqual([]);
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
