import { describe, expect, it } from "vitest";

import { loadWedgeTiming, lockedByEnv, settingField, sourceText } from "./workstation";

function storage(value: string | null) {
  return { getItem: () => value };
}

describe("workstation settings", () => {
  it("says where each value comes from", () => {
    expect(sourceText({ source: "env", envVar: "SHELFSYNC_SERIAL_SCANNER" })).toBe(
      "Set by SHELFSYNC_SERIAL_SCANNER on this machine; change it there.",
    );
    expect(sourceText({ source: "saved", envVar: null })).toBe("Saved for this workstation.");
    expect(sourceText({ source: "default", envVar: "X" })).toBe("Default.");
    expect(lockedByEnv({ source: "env" })).toBe(true);
    expect(lockedByEnv({ source: "saved" })).toBe(false);
  });

  it("labels every setting in words and offers the standard baud rates", () => {
    for (const key of ["serial_scanner", "serial_baud", "hid_scanner", "idle_lock_secs", "demo_channels", "webhook_addr", "wedge_max_gap_ms"]) {
      expect(settingField(key).label).not.toBe(key);
    }
    expect(settingField("serial_baud").choices).toContain("9600");
    expect(settingField("unknown").label).toBe("unknown");
  });

  it("takes the wedge gap from the database and the shortest scan from local storage", async () => {
    const pending = loadWedgeTiming(async () => 90, storage(JSON.stringify({ maxGapMs: 40, minLength: 6 })));
    expect(pending.initial.maxGapMs).toBe(40);
    const options = await pending;
    expect(options.maxGapMs).toBe(90);
    expect(options.minLength).toBe(6);
  });

  it("keeps local storage's gap while none is saved in the database", async () => {
    const options = await loadWedgeTiming(async () => null, storage(JSON.stringify({ maxGapMs: 100 })));
    expect(options.maxGapMs).toBe(100);
    const defaults = await loadWedgeTiming(async () => null, storage(null));
    expect(defaults.maxGapMs).toBe(30);
  });

  it("falls back to local storage when the command fails", async () => {
    let asked = 0;
    const failing = () => { asked++; return Promise.reject("Starting"); };
    const options = await loadWedgeTiming(failing, storage(JSON.stringify({ maxGapMs: 40, minLength: 6 })), 3, 1);
    expect(options.maxGapMs).toBe(40);
    expect(asked).toBe(3);
    const defaults = await loadWedgeTiming(() => Promise.reject("no"), storage(null), 1, 1);
    expect(defaults.maxGapMs).toBe(30);
  });

  it("keeps the keyboard layout's decoding once the database's gap arrives", async () => {
    const both = (key: string) => (key === "shelfsync.keyboardLayout" ? "azerty" : JSON.stringify({ maxGapMs: 40 }));
    const pending = loadWedgeTiming(async () => 90, { getItem: both });
    expect(pending.initial.decodeBy).toBe("code");
    const options = await pending;
    expect([options.maxGapMs, options.decodeBy]).toEqual([90, "code"]);
  });

  it("asks again while the database opens", async () => {
    let asked = 0;
    const opening = () => (++asked < 3 ? Promise.reject("Starting") : Promise.resolve(120));
    const options = await loadWedgeTiming(opening, storage(null), 5, 1);
    expect(options.maxGapMs).toBe(120);
    expect(asked).toBe(3);
  });
});
