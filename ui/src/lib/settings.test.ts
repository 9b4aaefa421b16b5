import { describe, expect, it } from "vitest";

import { setLanguage } from "./i18n/index.svelte";
import { checkWedgeTiming, LAYOUT_KEY, loadKeyboardLayout, loadWedgeOptions, saveKeyboardLayout, saveWedgeTiming } from "./settings";

function memory(): Storage {
  const data = new Map<string, string>();
  return {
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    removeItem: (k: string) => void data.delete(k),
    clear: () => data.clear(),
    key: () => null,
    get length() {
      return data.size;
    },
  };
}

describe("wedge timing", () => {
  it("round-trips through storage", () => {
    const storage = memory();
    const checked = checkWedgeTiming("80", "6");
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    saveWedgeTiming(checked.options, storage);
    const loaded = loadWedgeOptions(storage);
    expect([loaded.maxGapMs, loaded.minLength, loaded.idleMs]).toEqual([80, 6, 160]);
  });

  const bad: [string, string, string][] = [
    ["", "4", "The key gap is a whole number of milliseconds, 1 to 250."],
    ["0", "4", "The key gap is a whole number of milliseconds, 1 to 250."],
    ["300", "4", "The key gap is a whole number of milliseconds, 1 to 250."],
    ["30.5", "4", "The key gap is a whole number of milliseconds, 1 to 250."],
    ["30", "0", "The shortest scan is 1 to 64 characters."],
    ["30", "x", "The shortest scan is 1 to 64 characters."],
  ];
  for (const [gap, min, message] of bad) {
    it(`refuses gap ${JSON.stringify(gap)}, min ${JSON.stringify(min)}`, () => {
      expect(checkWedgeTiming(gap, min)).toEqual({ ok: false, message });
    });
  }

  it("falls back to defaults on broken storage", () => {
    const storage = memory();
    storage.setItem("shelfsync.wedge", "{not json");
    expect(loadWedgeOptions(storage).maxGapMs).toBe(30);
  });
});

describe("keyboard layout (this workstation)", () => {
  // (stored layout, what the decoder reads by)
  it.each([
    [null, "us", "key"],
    ["us", "us", "key"],
    ["azerty", "azerty", "code"],
    ["qwertz", "qwertz", "code"],
    ["dvorak", "us", "key"],
    ["AZERTY", "us", "key"],
  ] as const)("stored %j reads as %s, decoding by %s", (stored, layout, decodeBy) => {
    const storage = memory();
    if (stored !== null) storage.setItem(LAYOUT_KEY, stored);
    expect(loadKeyboardLayout(storage)).toBe(layout);
    expect(loadWedgeOptions(storage).decodeBy).toBe(decodeBy);
  });

  it("saves a known layout and refuses anything else, writing nothing", () => {
    const storage = memory();
    expect(saveKeyboardLayout("qwertz", storage)).toBe(true);
    expect(saveKeyboardLayout("dvorak", storage)).toBe(false);
    expect(storage.getItem(LAYOUT_KEY)).toBe("qwertz");
  });

  it("the layout and the timing are kept apart: saving one leaves the other", () => {
    const storage = memory();
    saveKeyboardLayout("azerty", storage);
    const checked = checkWedgeTiming("80", "6");
    if (!checked.ok) throw new Error(checked.message);
    saveWedgeTiming(checked.options, storage);
    const loaded = loadWedgeOptions(storage);
    expect([loaded.maxGapMs, loaded.minLength, loaded.decodeBy]).toEqual([80, 6, "code"]);
    storage.setItem("shelfsync.wedge", "{not json");
    expect(loadWedgeOptions(storage).decodeBy).toBe("code");
  });

  it("the timing's refusals in Spanish", () => {
    setLanguage("es", false);
    try {
      expect(checkWedgeTiming("0", "4")).toEqual({ ok: false, message: "La pausa entre teclas es un número entero de milisegundos, de 1 a 250." });
    } finally {
      setLanguage("en", false);
    }
  });
});
