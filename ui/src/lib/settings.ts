/**
 * Workstation settings kept in the webview's local storage: they belong to this screen and
 * keyboard, not to the database. Only the keyboard-wedge timing lives here; the Settings
 * screen edits it and it applies the next time the window loads.
 */
import { DEFAULT_WEDGE_OPTIONS, MAX_GAP_LIMIT_MS, type WedgeOptions, wedgeOptions } from "./wedge";

const WEDGE_KEY = "shelfsync.wedge";

/** Wedge options from local storage (JSON), falling back to defaults when absent or invalid. */
export function loadWedgeOptions(storage: Pick<Storage, "getItem"> | undefined = globalThis.localStorage): WedgeOptions {
  try {
    const raw = storage?.getItem(WEDGE_KEY);
    return wedgeOptions(raw ? (JSON.parse(raw) as Partial<WedgeOptions>) : {});
  } catch (error) {
    console.warn("ignoring invalid wedge settings:", error);
    return { ...DEFAULT_WEDGE_OPTIONS };
  }
}

export type TimingCheck = { ok: true; options: WedgeOptions } | { ok: false; message: string };

/** Checks the timing typed on the Settings screen (gap in ms, shortest scan in characters). */
export function checkWedgeTiming(gapText: string, minLengthText: string): TimingCheck {
  const gap = gapText.trim();
  const min = minLengthText.trim();
  if (!/^\d+$/.test(gap) || Number(gap) < 1 || Number(gap) > MAX_GAP_LIMIT_MS) {
    return { ok: false, message: `The key gap is a whole number of milliseconds, 1 to ${MAX_GAP_LIMIT_MS}.` };
  }
  if (!/^\d+$/.test(min) || Number(min) < 1 || Number(min) > 64) {
    return { ok: false, message: "The shortest scan is 1 to 64 characters." };
  }
  return { ok: true, options: wedgeOptions({ maxGapMs: Number(gap), minLength: Number(min) }) };
}

/** Stores the timing part of the wedge options (the rest keep their defaults). */
export function saveWedgeTiming(options: Pick<WedgeOptions, "maxGapMs" | "minLength">, storage: Pick<Storage, "setItem"> = globalThis.localStorage): void {
  storage.setItem(WEDGE_KEY, JSON.stringify({ maxGapMs: options.maxGapMs, minLength: options.minLength }));
}
