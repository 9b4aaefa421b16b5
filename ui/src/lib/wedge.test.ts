import { describe, expect, it } from "vitest";

import { decodeByForLayout, GS, type KeyInput, type Scan, typingInFormField, WedgeDecoder, type WedgeOptions, usCharForCode, wedgeOptions } from "./wedge";

// --- recordings ---------------------------------------------------------------------------------
// A keystroke as captured from `keydown`: [key, code, gap in ms since the previous keystroke,
// modifiers]. Modifier keydowns themselves (Shift) were left out: the decoder ignores them.
type Stroke = [key: string, code: string, gapMs: number, mods?: "shift" | "ctrl"];

const US_CODES: Record<string, [string, boolean]> = {
  "-": ["Minus", false],
  ".": ["Period", false],
  "/": ["Slash", false],
  "~": ["Backquote", true],
  " ": ["Space", false],
};

/** What a US-layout host records when `text` is typed with the given gaps. */
function us(text: string, gaps: number | number[], suffix: "Enter" | "Tab" | null = "Enter"): Stroke[] {
  const gapAt = (i: number) => (typeof gaps === "number" ? gaps : gaps[i % gaps.length]);
  const strokes: Stroke[] = [...text].map((ch, i) => {
    const gap = i === 0 ? 0 : gapAt(i - 1);
    if (/[0-9]/.test(ch)) return [ch, `Digit${ch}`, gap];
    if (/[A-Z]/.test(ch)) return [ch, `Key${ch}`, gap, "shift"];
    if (/[a-z]/.test(ch)) return [ch, `Key${ch.toUpperCase()}`, gap];
    const [code, shift] = US_CODES[ch] ?? (() => { throw new Error(`no US code for ${ch}`); })();
    return [ch, code, gap, shift ? "shift" : undefined];
  });
  if (suffix) strokes.push([suffix, suffix, gapAt(text.length - 1)]);
  return strokes;
}

/** Turns strokes into key events starting at `startMs`. */
function events(strokes: Stroke[], startMs = 1000): KeyInput[] {
  let t = startMs;
  return strokes.map(([key, code, gap, mods]) => {
    t += gap;
    return { key, code, timeStamp: t, shiftKey: mods === "shift", ctrlKey: mods === "ctrl", altKey: false, metaKey: false };
  });
}

interface Replay {
  scans: Scan[];
  swallowed: string[];
}

/** Feeds every event, then lets the burst go quiet, as the idle timer would. */
function replay(strokes: Stroke[], options: Partial<WedgeOptions> = {}): Replay {
  const decoder = new WedgeDecoder(options);
  const out: Replay = { scans: [], swallowed: [] };
  const evs = events(strokes);
  for (const ev of evs) {
    const result = decoder.feed(ev);
    out.scans.push(...result.scans);
    if (result.swallow) out.swallowed.push(ev.key);
  }
  const quiet = (evs.at(-1)?.timeStamp ?? 0) + decoder.options.idleMs;
  const last = decoder.flush(quiet);
  if (last) out.scans.push(last);
  return out;
}

// A Honeywell-style scanner: 8-12 ms apart.
const HONEYWELL = [9, 11, 8, 10, 12, 9, 10];
// A person typing a SKU quickly but humanly.
const PERSON = [142, 95, 210, 118, 176, 88, 131, 240];
// A very fast typist: bursts around 40-60 ms, never a whole code under 30.
const FAST_TYPIST = [44, 38, 61, 29, 52, 47, 35];
// A Zebra-style slow scanner: ~80-95 ms apart.
const ZEBRA = [86, 91, 88, 94, 83, 90, 92, 87, 89, 93, 85, 90];

// AZERTY host, scanner sending US scancodes for "SS-00001" + Enter: Shift+S is still "S", but
// the Minus key types ")" and the digit row types "à" and "&" without Shift.
const AZERTY_SS00001: Stroke[] = [
  ["S", "KeyS", 0, "shift"],
  ["S", "KeyS", 7, "shift"],
  [")", "Minus", 8],
  ["à", "Digit0", 7],
  ["à", "Digit0", 9],
  ["à", "Digit0", 8],
  ["à", "Digit0", 7],
  ["&", "Digit1", 8],
  ["Enter", "Enter", 9],
];

// QWERTZ host (German), the same scanner sending US scancodes for "XYZ-1/2" + Enter: the Y and Z
// keys are swapped, Minus types "ß" and Slash types "-".
const QWERTZ_XYZ: Stroke[] = [
  ["X", "KeyX", 0, "shift"],
  ["Z", "KeyY", 7, "shift"],
  ["Y", "KeyZ", 8, "shift"],
  ["ß", "Minus", 7],
  ["1", "Digit1", 9],
  ["-", "Slash", 8],
  ["2", "Digit2", 7],
  ["Enter", "Enter", 8],
];

// GS1-128: (01)05901230000014 (10)LOT7, with FNC1 sent as Ctrl+].
const GS1_WITH_SEPARATOR: Stroke[] = (
  [...us("0105901230000014", 6, null), ["]", "BracketRight", 6, "ctrl"], ...us("10LOT7", 6)] as Stroke[]
).map((s, i): Stroke => (i === 0 ? s : [s[0], s[1], s[2] || 6, s[3]]));

// --- cases --------------------------------------------------------------------------------------
interface Case {
  name: string;
  strokes: Stroke[];
  options?: Partial<WedgeOptions>;
  scans: string[];
  endedBy?: Scan["endedBy"][];
  swallowed?: string[];
}

const cases: Case[] = [
  { name: "fast scan with Enter is recognised", strokes: us("SS-00001", HONEYWELL), scans: ["SS-00001"], endedBy: ["suffix"], swallowed: ["Enter"] },
  { name: "fast GTIN-13 with Tab is recognised", strokes: us("5901230000014", HONEYWELL, "Tab"), scans: ["5901230000014"], swallowed: ["Tab"] },
  { name: "person typing is ignored", strokes: us("SS-00001", PERSON), scans: [], swallowed: [] },
  { name: "fast typist is ignored at the default 30 ms", strokes: us("SS-00001", FAST_TYPIST), scans: [] },
  { name: "slow 90 ms scanner is missed at the default 30 ms", strokes: us("5901230000014", ZEBRA), scans: [] },
  {
    name: "slow 90 ms scanner is recognised with threshold 100",
    strokes: us("5901230000014", ZEBRA),
    options: { maxGapMs: 100 },
    scans: ["5901230000014"],
    swallowed: ["Enter"],
  },
  { name: "person typing is still ignored with threshold 100", strokes: us("SS-00001", PERSON), options: { maxGapMs: 100 }, scans: [] },
  {
    name: "AZERTY host decodes by event.code",
    strokes: AZERTY_SS00001,
    options: { decodeBy: "code" },
    scans: ["SS-00001"],
  },
  { name: "AZERTY host garbles by event.key", strokes: AZERTY_SS00001, scans: ["SS)àààà&"] },
  { name: "AZERTY layout setting decodes right", strokes: AZERTY_SS00001, options: { decodeBy: decodeByForLayout("azerty") }, scans: ["SS-00001"] },
  { name: "QWERTZ layout setting decodes right", strokes: QWERTZ_XYZ, options: { decodeBy: decodeByForLayout("qwertz") }, scans: ["XYZ-1/2"] },
  { name: "QWERTZ host garbles by event.key", strokes: QWERTZ_XYZ, scans: ["XZYß1-2"] },
  { name: "US layout setting reads the typed key", strokes: us("SS-00001", HONEYWELL), options: { decodeBy: decodeByForLayout("us") }, scans: ["SS-00001"] },
  { name: "prefix sentinel is stripped", strokes: us("~SS-00001", HONEYWELL), options: { prefix: "~" }, scans: ["SS-00001"] },
  { name: "burst without the prefix sentinel is ignored", strokes: us("SS-00001", HONEYWELL), options: { prefix: "~" }, scans: [] },
  { name: "too-short burst is rejected", strokes: us("123", HONEYWELL), scans: [], swallowed: [] },
  { name: "minimum length is configurable", strokes: us("12345", HONEYWELL), options: { minLength: 6 }, scans: [] },
  { name: "exactly the minimum length is accepted", strokes: us("1234", HONEYWELL), scans: ["1234"] },
  { name: "Ctrl+] becomes GS", strokes: GS1_WITH_SEPARATOR, scans: [`0105901230000014${GS}10LOT7`] },
  { name: "burst without suffix completes when quiet", strokes: us("SS-00001", HONEYWELL, null), scans: ["SS-00001"], endedBy: ["idle"] },
  { name: "burst without suffix is ignored when a suffix is required", strokes: us("SS-00001", HONEYWELL, null), options: { requireSuffix: true }, scans: [] },
  {
    name: "typed text before a scan is not glued to it",
    strokes: [...us("ab", PERSON, null), ...us("SS-00001", HONEYWELL).map((s, i): Stroke => (i === 0 ? [s[0], s[1], 400, s[3]] : s))],
    scans: ["SS-00001"],
  },
  {
    name: "Enter long after a burst is a person's Enter, not swallowed",
    strokes: [...us("SS-00001", HONEYWELL, null), ["Enter", "Enter", 600]],
    scans: ["SS-00001"],
    endedBy: ["idle"],
    swallowed: [],
  },
  {
    name: "two scans back to back",
    strokes: [...us("SS-00001", HONEYWELL), ...us("SS-00002", HONEYWELL).map((s, i): Stroke => (i === 0 ? [s[0], s[1], 300, s[3]] : s))],
    scans: ["SS-00001", "SS-00002"],
    swallowed: ["Enter", "Enter"],
  },
  {
    name: "an arrow key inside a burst breaks it",
    strokes: [...us("SS-0", HONEYWELL, null), ["ArrowLeft", "ArrowLeft", 9], ...us("0001", HONEYWELL).map((s, i): Stroke => (i === 0 ? [s[0], s[1], 9, s[3]] : s))],
    scans: ["0001"],
  },
  { name: "over-long burst is dropped", strokes: us("1234567890", 5), options: { maxLength: 8 }, scans: [] },
];

describe("WedgeDecoder on recorded key timings", () => {
  it.each(cases)("$name", ({ strokes, options, scans, endedBy, swallowed }) => {
    const got = replay(strokes, options);
    expect(got.scans.map((s) => s.data)).toEqual(scans);
    if (endedBy) expect(got.scans.map((s) => s.endedBy)).toEqual(endedBy);
    if (swallowed) expect(got.swallowed).toEqual(swallowed);
  });

  it("reports the slowest gap, so a slow scanner can be tuned", () => {
    const [scan] = replay(us("5901230000014", ZEBRA), { maxGapMs: 100 }).scans;
    expect(scan.maxGapMs).toBe(94);
    expect(scan.endedAt - scan.startedAt).toBeGreaterThan(1000);
  });

  it("flush waits for the idle time before judging a burst", () => {
    const decoder = new WedgeDecoder();
    for (const ev of events(us("SS-00001", HONEYWELL, null))) decoder.feed(ev);
    expect(decoder.flush(decoder["lastAt"] + 10)).toBeNull();
    expect(decoder.pending).toBe("SS-00001");
    expect(decoder.flush(decoder["lastAt"] + decoder.options.idleMs)?.data).toBe("SS-00001");
    expect(decoder.pending).toBe("");
  });
});

describe("US key map", () => {
  it.each([
    ["Digit7", false, "7"],
    ["Digit7", true, "&"],
    ["KeyQ", false, "q"],
    ["KeyQ", true, "Q"],
    ["Minus", false, "-"],
    ["Numpad4", false, "4"],
    ["BracketRight", false, "]"],
    ["F1", false, null],
  ] as const)("%s shift=%s -> %s", (code, shift, want) => {
    expect(usCharForCode(code, shift)).toBe(want);
  });
});

describe("options", () => {
  it("idle time follows a raised threshold", () => {
    expect(wedgeOptions({ maxGapMs: 100 }).idleMs).toBe(200);
    expect(wedgeOptions().idleMs).toBe(150);
  });

  it.each([
    [{ maxGapMs: 0 }, /maxGapMs/],
    [{ maxGapMs: 1000 }, /maxGapMs/],
    [{ minLength: 0 }, /minLength/],
    [{ maxGapMs: 50, idleMs: 40 }, /idleMs/],
  ] as const)("refuses %o", (options, message) => {
    expect(() => wedgeOptions(options)).toThrow(message);
  });
});

describe("form fields that do not take scans", () => {
  const field = (tagName: string, wedge?: string) => ({ target: { tagName, dataset: wedge ? { wedge } : {} } as unknown as EventTarget });
  it("skips inputs, textareas and selects unless marked as scan targets", () => {
    expect(typingInFormField(field("INPUT"))).toBe(true);
    expect(typingInFormField(field("textarea"))).toBe(true);
    expect(typingInFormField(field("SELECT"))).toBe(true);
    expect(typingInFormField(field("INPUT", "target"))).toBe(false);
    expect(typingInFormField(field("BODY"))).toBe(false);
    expect(typingInFormField(field("BUTTON"))).toBe(false);
    expect(typingInFormField({ target: null })).toBe(false);
  });
});
