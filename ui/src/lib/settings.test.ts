import { describe, expect, it } from "vitest";

import { checkWedgeTiming, loadWedgeOptions, saveWedgeTiming } from "./settings";

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
