import { describe, expect, it } from "vitest";

import type { ScanOutcome } from "../api";
import type { IpcError } from "./i18n/errors";
import samples from "./i18n/errorSamples.json";
import { setLanguage } from "./i18n/index.svelte";
import {
  applyOutcome,
  cancelPending,
  confirmPending,
  draftChanged,
  fromDraft,
  linesText,
  toDraft,
  withLineIds,
  afterCommit,
  commitProblem,
  initialStation,
  MAX_LOG,
  packText,
  type StationState,
  setMode,
  fefoNote,
  tagText,
  totals,
  undo,
  valueBeforeScan,
} from "./station";

function outcome(partial: Partial<ScanOutcome> & Pick<ScanOutcome, "kind">): ScanOutcome {
  return { source: "wedge", data: "x", sku: null, name: null, location: null, quantity: null, mode: null, message: null, ...partial };
}
const loc = (code: string) => outcome({ kind: "location", location: code, data: `LOC:${code}` });
const item = (sku: string) => outcome({ kind: "item", sku, name: `Name of ${sku}`, data: sku });
const qty = (n: number) => outcome({ kind: "quantity", quantity: n, data: `QTY:${n}` });

/** Runs scans through the station, returning the last step and every feedback tone. */
function run(start: StationState, scans: ScanOutcome[]) {
  let state = start;
  const tones: string[] = [];
  let last = null as ReturnType<typeof applyOutcome> | null;
  for (const scan of scans) {
    last = applyOutcome(state, scan);
    state = last.state;
    tones.push(last.feedback.tone);
  }
  return { state, tones, last: last! };
}

describe("feedback states", () => {
  const cases: { name: string; start: StationState; scans: ScanOutcome[]; tone: string; title: RegExp; sound: string }[] = [
    { name: "location label", start: initialStation("receive"), scans: [loc("WH1")], tone: "good", title: /^Location WH1$/, sound: "info" },
    { name: "item with location", start: initialStation("receive"), scans: [loc("WH1"), item("SS-1")], tone: "good", title: /^\+1 {2}SS-1$/, sound: "good" },
    { name: "item without location", start: initialStation("receive"), scans: [item("SS-1")], tone: "bad", title: /not recorded/, sound: "bad" },
    { name: "unknown code", start: initialStation("receive"), scans: [outcome({ kind: "error", data: "X", message: "No item has the SKU or barcode 'X'." })], tone: "bad", title: /^Unknown code X$/, sound: "bad" },
    { name: "unknown location", start: initialStation("receive"), scans: [outcome({ kind: "error", data: "LOC:MOON", message: "No location 'MOON' in this warehouse." })], tone: "bad", title: /^Unknown location LOC:MOON$/, sound: "bad" },
    { name: "bad label", start: initialStation("receive"), scans: [outcome({ kind: "error", data: "QTY:0", message: "Bad command label: quantity 0 is outside 1..=100000" })], tone: "bad", title: /^Bad label QTY:0$/, sound: "bad" },
    { name: "quantity label", start: initialStation("receive"), scans: [qty(12)], tone: "info", title: /^Quantity 12$/, sound: "info" },
    { name: "undo", start: initialStation("receive"), scans: [loc("WH1"), item("SS-1"), outcome({ kind: "undo" })], tone: "info", title: /^Removed 1 × SS-1$/, sound: "info" },
    { name: "count without session", start: initialStation("count"), scans: [loc("WH1"), item("SS-1")], tone: "bad", title: /not recorded/, sound: "bad" },
    { name: "done with nothing", start: initialStation("receive"), scans: [outcome({ kind: "done" })], tone: "bad", title: /Nothing to commit/, sound: "bad" },
    { name: "undo with nothing", start: initialStation("receive"), scans: [outcome({ kind: "undo" })], tone: "bad", title: /Nothing to undo/, sound: "bad" },
    { name: "look-up", start: initialStation("lookup"), scans: [item("SS-9")], tone: "good", title: /^SS-9$/, sound: "good" },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { last } = run(c.start, c.scans);
      expect(last.feedback.tone).toBe(c.tone);
      expect(last.feedback.title).toMatch(c.title);
      expect(last.feedback.sound).toBe(c.sound);
    });
  }
});

describe("a refused scan in the worker's language", () => {
  /** Rust's own refusals of scans (written by src-tauri's error_codes test). */
  const refusal = (code: string): IpcError => {
    const found = (samples as IpcError[]).find((e) => e.code === code);
    if (!found) throw new Error(`no sample for ${code}`);
    return found;
  };
  const refused = (data: string, code: string) => {
    const r = refusal(code);
    return outcome({ kind: "error", data, message: r.message, refusal: r });
  };
  const cases: { code: string; data: string; en: RegExp; es: RegExp; esDetail: RegExp }[] = [
    { code: "stock.notFound", data: "ZZ-1", en: /^Unknown code ZZ-1$/, es: /^Código desconocido ZZ-1$/, esDetail: /^Ningún artículo tiene el SKU/ },
    { code: "scan.unknownLocation", data: "LOC:MOON", en: /^Unknown location LOC:MOON$/, es: /^Ubicación desconocida LOC:MOON$/, esDetail: /^No hay ninguna ubicación «MOON»/ },
    { code: "scan.badLabel", data: "QTY:0", en: /^Bad label QTY:0$/, es: /^Etiqueta no válida QTY:0$/, esDetail: /^Etiqueta de comando no válida/ },
    { code: "scan.unreadable", data: "(01)x", en: /^Unreadable barcode$/, es: /^Código de barras ilegible$/, esDetail: /^Código de barras ilegible: the check digit .*\. Vuelva a escanear\.$/ },
    { code: "scan.empty", data: "", en: /^Scan not accepted$/, es: /^Escaneo no aceptado$/, esDetail: /^El escaneo llegó vacío/ },
    { code: "scan.noGtin", data: "(10)L1", en: /^Scan not accepted$/, es: /^Escaneo no aceptado$/, esDetail: /^Este código GS1 no lleva GTIN/ },
  ];
  it.each(cases)("$code: title and Rust's sentence, in English and in Spanish", ({ code, data, en, es, esDetail }) => {
    const outcomeOf = refused(data, code);
    const english = applyOutcome(initialStation("receive"), outcomeOf).feedback;
    expect(english.tone).toBe("bad");
    expect(english.title).toMatch(en);
    expect(english.detail).toBe(refusal(code).message);
    setLanguage("es", false);
    try {
      const spanish = applyOutcome(initialStation("receive"), outcomeOf).feedback;
      expect(spanish.title).toMatch(es);
      expect(spanish.detail).toMatch(esDetail);
      expect(spanish.detail).not.toBe(refusal(code).message);
    } finally {
      setLanguage("en", false);
    }
  });
});

describe("scan station rules", () => {
  it("a quantity applies to the next item only", () => {
    const { state } = run(initialStation("receive"), [loc("WH1"), qty(7), item("A"), item("B")]);
    expect(state.lines.map((l) => [l.sku, l.qty])).toEqual([["A", 7], ["B", 1]]);
    expect(state.qty).toBe(1);
  });

  it("undo removes only the last uncommitted line", () => {
    let { state } = run(initialStation("receive"), [loc("WH1"), item("A"), item("B")]);
    state = undo(state).state;
    expect(state.lines.map((l) => l.sku)).toEqual(["A"]);
    const scanned = run(state, [outcome({ kind: "undo" })]);
    expect(scanned.state.lines).toEqual([]);
    expect(scanned.last.feedback.tone).toBe("info");
  });

  it("transfer takes the second location as the destination", () => {
    const { state, last } = run(initialStation("transfer"), [loc("WH1"), loc("WH2"), item("A")]);
    expect([state.location, state.toLocation]).toEqual(["WH1", "WH2"]);
    expect(state.lines).toHaveLength(1);
    expect(last.feedback.tone).toBe("good");
  });

  it("will not switch mode or location with uncommitted lines", () => {
    const { state } = run(initialStation("receive"), [loc("WH1"), item("A")]);
    const switched = setMode(state, "damage");
    expect(switched.feedback.tone).toBe("bad");
    expect(switched.state.mode).toBe("receive");
    const moved = applyOutcome(state, loc("WH2"));
    expect(moved.feedback.tone).toBe("bad");
    expect(moved.state.location).toBe("WH1");
  });

  it("leaving the location leaves its count session", () => {
    const start = { ...initialStation("count"), location: "WH1", session: "s1" };
    expect(applyOutcome(start, loc("WH1")).state.session).toBe("s1");
    expect(applyOutcome(start, loc("WH2")).state.session).toBeNull();
  });

  it("CMD:DONE asks for a commit when there are lines", () => {
    const { last } = run({ ...initialStation("count"), location: "WH1", session: "s1" }, [item("A"), outcome({ kind: "done" })]);
    expect(last.action).toEqual({ kind: "commit" });
  });

  it("look-up asks to show the item and records nothing", () => {
    const { state, last } = run(initialStation("lookup"), [item("A")]);
    expect(last.action).toEqual({ kind: "lookup", sku: "A" });
    expect(state.lines).toEqual([]);
  });

  it("afterCommit drops the committed lines and keeps the failed rest", () => {
    const { state } = run(initialStation("receive"), [loc("WH1"), item("A"), item("B"), item("C")]);
    expect(afterCommit(state, 2).lines.map((l) => l.sku)).toEqual(["C"]);
  });

  it("the log is newest first and bounded", () => {
    const scans = Array.from({ length: MAX_LOG + 10 }, () => qty(2));
    const { state } = run(initialStation("receive"), scans);
    expect(state.log).toHaveLength(MAX_LOG);
    expect(state.log[0].id).toBeGreaterThan(state.log[1].id);
  });

  it("totals sums units per SKU", () => {
    const { state } = run(initialStation("receive"), [loc("WH1"), qty(3), item("A"), item("B"), item("A")]);
    expect(totals(state.lines)).toEqual([
      { key: "A", sku: "A", name: "Name of A", qty: 4 },
      { key: "B", sku: "B", name: "Name of B", qty: 1 },
    ]);
  });

  it("a pack's line says what one scan is: 1 pack = 12, in English and Spanish", () => {
    const pack = (code: string, units: number) =>
      outcome({ kind: "item", sku: code, name: `Mug · pack of ${units} (SS-3)`, data: code, packUnits: units });
    // Two cases, one inner of 3, then the item itself: the pack's total counts packs.
    const scans = [loc("WH1"), pack("CASE-12", 12), pack("INNER-3", 3), qty(2), pack("CASE-12", 12), item("SS-3")];
    const { state } = run(initialStation("receive"), scans);
    expect(state.lines.map((l) => [l.sku, l.qty, l.packUnits])).toEqual([
      ["CASE-12", 1, 12],
      ["INNER-3", 1, 3],
      ["CASE-12", 2, 12],
      ["SS-3", 1, undefined],
    ]);
    expect(totals(state.lines).map((l) => [l.sku, l.qty, l.pack])).toEqual([
      ["CASE-12", 3, "1 pack = 12"],
      ["INNER-3", 1, "1 pack = 3"],
      ["SS-3", 1, undefined],
    ]);
    // A pack past the confirmation limit keeps its units once confirmed.
    const big = applyOutcome({ ...initialStation("receive"), location: "WH1", qty: 60 }, pack("CASE-12", 12), { confirmAbove: 50 });
    expect(confirmPending(big.state).state.lines[0].packUnits).toBe(12);
    expect(packText(1200)).toBe("1 pack = 1,200");
    setLanguage("es", false);
    try {
      expect(totals(state.lines)[0].pack).toBe("1 paquete = 12");
      expect(packText(1200)).toBe("1 paquete = 1200");
      expect(packText(12000)).toBe("1 paquete = 12.000");
    } finally {
      setLanguage("en", false);
    }
  });
});

describe("lots, serials and GS1 counts at the station", () => {
  const tracked = (sku: string, tracking: "lot" | "serial", tag?: { code: string; expiry?: string }, quantity?: number) =>
    outcome({
      kind: "item",
      sku,
      name: `Name of ${sku}`,
      data: sku,
      tracking,
      ...(tag ? { tag: { kind: tracking, code: tag.code, ...(tag.expiry ? { expiry: tag.expiry } : {}) } } : {}),
      ...(quantity ? { quantity } : {}),
    });

  // (case, mode, scans, the lines as [sku, qty, lot], the last feedback's tone and title)
  const cases: [string, "receive" | "damage" | "count", ScanOutcome[], [string, number, string | undefined][], string, string][] = [
    ["a lot's label makes a line of that lot", "receive", [loc("WH1"), tracked("MILK", "lot", { code: "L1", expiry: "2027-03-31" })], [["MILK", 1, "L1"]], "good", "+1  MILK"],
    ["a tracked item without its lot is refused, nothing recorded", "receive", [loc("WH1"), tracked("MILK", "lot")], [], "bad", "MILK not recorded"],
    ["a serial-tracked item without its serial is refused", "damage", [loc("WH1"), tracked("TV", "serial")], [], "bad", "TV not recorded"],
    ["a serial moves one unit: QTY:3 then a serial is refused", "receive", [loc("WH1"), qty(3), tracked("TV", "serial", { code: "SN-1" })], [], "bad", "TV not recorded"],
    ["a serial, one unit", "receive", [loc("WH1"), tracked("TV", "serial", { code: "SN-1" })], [["TV", 1, "SN-1"]], "good", "+1  TV"],
    ["a GS1 count on the label is the line's quantity, not QTY", "receive", [loc("WH1"), qty(2), tracked("MILK", "lot", { code: "L2" }, 24)], [["MILK", 24, "L2"]], "good", "+24  MILK"],
    ["an untracked item's count label too", "receive", [loc("WH1"), outcome({ kind: "item", sku: "MUG", name: "Mug", data: "MUG", quantity: 12 })], [["MUG", 12, undefined]], "good", "+12  MUG"],
  ];
  for (const [name, mode, scans, lines, tone, title] of cases) {
    it(name, () => {
      const { state, last } = run({ ...initialStation(mode), session: mode === "count" ? "s1" : null }, scans);
      expect(state.lines.map((l) => [l.sku, l.qty, l.tag?.code])).toEqual(lines);
      expect([last.feedback.tone, last.feedback.title]).toEqual([tone, title]);
    });
  }

  it("says why a tracked line was refused, in English and Spanish", () => {
    const refused = run(initialStation("receive"), [loc("WH1"), tracked("MILK", "lot")]).last.feedback.detail;
    expect(refused).toBe("This item is tracked by lot: scan the label that carries its lot (GS1 AI 10).");
    const serial = run(initialStation("receive"), [loc("WH1"), qty(3), tracked("TV", "serial", { code: "SN-1" })]);
    expect(serial.last.feedback.detail).toBe("Serial SN-1 is one unit: the quantity is back to 1, scan it again.");
    expect(serial.state.qty).toBe(1);
    setLanguage("es", false);
    try {
      expect(tagText({ kind: "lot", code: "L1", expiry: "2027-03-31" })).toBe("Lote L1 · caduca 2027-03-31");
    } finally {
      setLanguage("en", false);
    }
  });

  it("each lot totals on its own row, and the tag goes through the draft", () => {
    const scans = [loc("WH1"), tracked("MILK", "lot", { code: "L1", expiry: "2027-03-31" }), tracked("MILK", "lot", { code: "L2" }), tracked("MILK", "lot", { code: "L1", expiry: "2027-03-31" })];
    const { state } = run(initialStation("receive"), scans);
    expect(totals(state.lines).map((l) => [l.sku, l.qty, l.lot])).toEqual([
      ["MILK", 2, "Lot L1 · expires 2027-03-31"],
      ["MILK", 1, "Lot L2"],
    ]);
    const draft = toDraft(withLineIds(state, () => crypto.randomUUID()));
    expect(draft.lines.map((l) => l.tag?.code)).toEqual(["L1", "L2", "L1"]);
    expect(fromDraft(draft).lines.map((l) => l.tag)).toEqual(state.lines.map((l) => l.tag));
  });

  it("notes the first lot to expire, and warns when another is scanned", () => {
    const view = (lots: [string, string | null, number, number][], hidden = false) => ({
      sku: "MILK",
      tracking: "lot" as const,
      hidden,
      lots: lots.map(([code, expiry, onHand, damaged]) => ({ code, expiry, onHand, damaged })),
      picks: [],
      uncovered: 0,
    });
    const here = view([["L0", "2027-01-31", 2, 2], ["L1", "2027-02-28", 5, 0], ["L2", null, 3, 0]]);
    // L0 is all damaged: L1 is the first that can go.
    expect(fefoNote({ kind: "lot", code: "L1" }, here)).toEqual({ tone: "ok", text: "First to expire here: L1 (2027-02-28)" });
    expect(fefoNote({ kind: "lot", code: "L2" }, here)).toEqual({ tone: "warn", text: "L2 is not the first to expire here: take L1 (2027-02-28) first if you can." });
    expect(fefoNote({ kind: "lot", code: "L2" }, view([["L2", null, 3, 0]]))).toEqual({ tone: "ok", text: "First to expire here: L2" });
    expect(fefoNote(null, view([]))).toBeNull();
    expect(fefoNote({ kind: "lot", code: "L1" }, view([["L1", null, 1, 0]], true))).toBeNull();
    expect(fefoNote(null, { ...here, tracking: null })).toBeNull();
  });

  it("look-up mode finds a tracked item without its lot", () => {
    const { last } = run(initialStation("lookup"), [tracked("MILK", "lot")]);
    expect(last.action).toEqual({ kind: "lookup", sku: "MILK" });
  });
});

describe("commit checks (nothing is sent when they fail)", () => {
  const base = { ...initialStation("receive"), location: "WH1" };
  const withLine = (s: StationState) => ({ ...s, lines: [{ id: 1, sku: "A", name: "", qty: 1, source: "wedge" }] });
  const cases: [string, StationState, RegExp | null][] = [
    ["no lines", base, /Nothing to commit/],
    ["receive ready", withLine(base), null],
    ["no location", withLine({ ...base, location: null }), /location label/],
    ["transfer without destination", withLine({ ...base, mode: "transfer" }), /destination/],
    ["count without session", withLine({ ...base, mode: "count" }), /count first/],
    ["damage without reason", withLine({ ...base, mode: "damage" }), /why/],
    ["damage with reason", withLine({ ...base, mode: "damage", reason: "Broken" }), null],
  ];
  for (const [name, state, want] of cases) {
    it(name, () => {
      const problem = commitProblem(state);
      if (want === null) expect(problem).toBeNull();
      else expect(problem).toMatch(want);
    });
  }
});

describe("quantity box restored after a wedge scan typed into it", () => {
  it("returns the value before the scan's first key", () => {
    const edits = [
      { at: 100, before: "1" }, // a person typed "2" -> "12"? no: before "1", now "12"
      { at: 5000, before: "12" }, // the scan's first key
      { at: 5003, before: "125" },
    ];
    expect(valueBeforeScan(edits, 5000)).toBe("12");
    expect(valueBeforeScan(edits, 9000)).toBeNull();
  });
});

describe("the draft's rules", () => {
  const lineOf = (id: number, sku: string, eventId?: string) => ({ id, eventId, sku, name: "", qty: 1, source: "wedge" });

  it("gives an id only to lines that have none, and keeps the state when all have one", () => {
    let n = 0;
    const mint = () => `id-${++n}`;
    const state = { ...initialStation("receive"), lines: [lineOf(1, "A", "kept"), lineOf(2, "B")] };
    const next = withLineIds(state, mint);
    expect(next.lines.map((l) => l.eventId)).toEqual(["kept", "id-1"]);
    expect(withLineIds(next, mint)).toBe(next);
  });

  const base = { ...initialStation("receive"), location: "WH1", lines: [lineOf(1, "A", "a")] };
  const changes: [string, StationState, StationState, boolean][] = [
    ["a line scanned", base, { ...base, lines: [...base.lines, lineOf(2, "B", "b")] }, true],
    ["the quantity box", base, { ...base, qty: 5 }, false],
    ["the reason, with lines", base, { ...base, reason: "Wet" }, true],
    ["the location, with no lines", { ...base, lines: [] }, { ...base, lines: [], location: "WH2" }, false],
    ["the log only", base, { ...base, log: [] }, false],
  ];
  for (const [what, before, after, saved] of changes) {
    it(`${what}: ${saved ? "saved" : "not saved"}`, () => {
      expect(draftChanged(before, after)).toBe(saved);
    });
  }

  it("a draft comes back as the state it was saved from", () => {
    const state = { ...initialStation("transfer"), location: "WH1", toLocation: "WH2", lines: [lineOf(1, "A", "a"), lineOf(2, "B", "b")] };
    const back = fromDraft(toDraft(state));
    expect(back).toMatchObject({ mode: "transfer", location: "WH1", toLocation: "WH2", nextId: 3 });
    expect(back.lines).toEqual(state.lines);
  });

  it("a pack's line keeps its units through the draft, and a plain line gets none", () => {
    const state = { ...initialStation("receive"), location: "WH1", lines: [{ ...lineOf(1, "CASE-12", "a"), packUnits: 12 }, lineOf(2, "B", "b")] };
    const draft = toDraft(state);
    expect(draft.lines.map((l) => l.packUnits)).toEqual([12, undefined]);
    expect("packUnits" in draft.lines[1]).toBe(false);
    expect(fromDraft(draft).lines).toEqual(state.lines);
  });

  it("plural forms", () => {
    expect([0, 1, 2].map(linesText)).toEqual(["0 lines", "1 line", "2 lines"]);
  });
});

describe("confirming big lines", () => {
  const rules = { confirmAbove: 50 };
  const run = (start: StationState, scans: ScanOutcome[]) =>
    scans.reduce<{ state: StationState; title: string }>((acc, scan) => {
      const next = applyOutcome(acc.state, scan, rules);
      return { state: next.state, title: next.feedback.title };
    }, { state: start, title: "" });
  const receiving = { ...initialStation("receive"), location: "WH1" };

  const cases: [string, StationState, ScanOutcome[], number[], RegExp][] = [
    ["at the limit: recorded", receiving, [qty(50), item("SS-1")], [50], /^\+50/],
    ["over: asks", receiving, [qty(400), item("SS-1")], [], /^Confirm 400 × SS-1\?$/],
    ["over, same item again: recorded once", receiving, [qty(400), item("SS-1"), item("SS-1")], [400], /^\+400/],
    ["over, another item: asks for that one", receiving, [qty(400), item("SS-1"), item("SS-2")], [], /^Confirm 400 × SS-2\?$/],
    ["over, then a location label: cancelled", receiving, [qty(400), item("SS-1"), loc("WH1"), item("SS-1")], [], /^Confirm 400/],
    ["counting: never asks", { ...initialStation("count"), location: "WH1", session: "c1" }, [qty(400), item("SS-1")], [400], /^\+400/],
  ];
  for (const [what, start, scans, lines, title] of cases) {
    it(what, () => {
      const { state, title: shown } = run(start, scans);
      expect(state.lines.map((l) => l.qty)).toEqual(lines);
      expect(shown).toMatch(title);
    });
  }

  it("Confirm records the pending line; Cancel drops it and resets the quantity", () => {
    const asked = run(receiving, [qty(400), item("SS-1")]).state;
    const confirmed = confirmPending(asked);
    expect(confirmed.state.lines.map((l) => [l.sku, l.qty])).toEqual([["SS-1", 400]]);
    expect(confirmed.state.pending).toBeNull();
    const cancelled = cancelPending(asked);
    expect(cancelled.state).toMatchObject({ lines: [], pending: null, qty: 1 });
    expect(cancelled.feedback.title).toBe("Not recorded: 400 × SS-1");
    expect(confirmPending(receiving).feedback.tone).toBe("bad");
  });
});
