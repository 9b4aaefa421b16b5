import { describe, expect, it } from "vitest";

import { DEFAULT_FLOOR_SETTINGS, floorSettingProblem, parseFloorSettings, saveFloorSetting } from "./floorSettings";

describe("floor settings", () => {
  const stored: [string, string | null, object][] = [
    ["nothing stored", null, DEFAULT_FLOOR_SETTINGS],
    ["not JSON", "{oops", DEFAULT_FLOOR_SETTINGS],
    ["an array", "[1,2]", DEFAULT_FLOOR_SETTINGS],
    ["all good", '{"volume":30,"muted":true,"confirmAbove":12}', { volume: 30, muted: true, confirmAbove: 12 }],
    ["bad values fall back one by one", '{"volume":130,"muted":"yes","confirmAbove":12}', { volume: 80, muted: false, confirmAbove: 12 }],
    ["fractions and zero", '{"volume":2.5,"confirmAbove":0}', DEFAULT_FLOOR_SETTINGS],
  ];
  for (const [what, raw, want] of stored) {
    it(`reads ${what}`, () => expect(parseFloorSettings(raw)).toEqual(want));
  }

  const values: [keyof typeof DEFAULT_FLOOR_SETTINGS, unknown, RegExp | null][] = [
    ["volume", 0, null],
    ["volume", 100, null],
    ["volume", -1, /0 to 100/],
    ["volume", "50", /0 to 100/],
    ["confirmAbove", 1, null],
    ["confirmAbove", 100_000, null],
    ["confirmAbove", 100_001, /1 to 100,000/],
    ["muted", 1, /on or off/],
  ];
  for (const [key, value, problem] of values) {
    it(`${key} = ${JSON.stringify(value)}`, () => {
      const found = floorSettingProblem(key, value);
      if (problem) expect(found).toMatch(problem);
      else expect(found).toBeNull();
    });
  }

  it("a bad value is not saved", () => {
    const writes: string[] = [];
    const storage = { setItem: (_k: string, v: string) => void writes.push(v) };
    const refused = saveFloorSetting({ ...DEFAULT_FLOOR_SETTINGS }, "confirmAbove", 0, storage);
    expect(refused.problem).toMatch(/1 to 100,000/);
    expect(refused.settings).toEqual(DEFAULT_FLOOR_SETTINGS);
    expect(writes).toEqual([]);
    const saved = saveFloorSetting({ ...DEFAULT_FLOOR_SETTINGS }, "volume", 20, storage);
    expect(saved.settings.volume).toBe(20);
    expect(JSON.parse(writes[0])).toEqual({ ...DEFAULT_FLOOR_SETTINGS, volume: 20 });
  });
});
