/**
 * Workstation settings kept in the webview's local storage: they belong to this screen and
 * keyboard, not to the database. The keyboard-wedge timing (its key gap has moved to the
 * database, see workstation.ts) and the keyboard layout live here; the Settings screen edits
 * them and they apply the next time the window loads.
 *
 * Why the layout is here and not in the database: it describes this machine's keyboard, as the
 * language picked on the sign-in screen and the sound settings do (floorSettings.ts); it is
 * needed before anyone signs in (the sign-in screen refuses scans); and it changes nothing a
 * record depends on.
 */
import { t } from "./i18n/index.svelte";
import {
  decodeByForLayout,
  DEFAULT_KEYBOARD_LAYOUT,
  DEFAULT_WEDGE_OPTIONS,
  isKeyboardLayout,
  type KeyboardLayout,
  MAX_GAP_LIMIT_MS,
  type WedgeOptions,
  wedgeOptions,
} from "./wedge";

const WEDGE_KEY = "shelfsync.wedge";
export const LAYOUT_KEY = "shelfsync.keyboardLayout";

/** This workstation's keyboard layout; US when none is saved or the saved one is unknown. */
export function loadKeyboardLayout(storage: Pick<Storage, "getItem"> | undefined = globalThis.localStorage): KeyboardLayout {
  try {
    const raw = storage?.getItem(LAYOUT_KEY);
    return isKeyboardLayout(raw) ? raw : DEFAULT_KEYBOARD_LAYOUT;
  } catch {
    return DEFAULT_KEYBOARD_LAYOUT;
  }
}

/** Saves the layout (an unknown one is refused: nothing is written). */
export function saveKeyboardLayout(layout: string, storage: Pick<Storage, "setItem"> = globalThis.localStorage): boolean {
  if (!isKeyboardLayout(layout)) return false;
  storage.setItem(LAYOUT_KEY, layout);
  return true;
}

/** Wedge options from local storage (JSON timing and the layout), falling back to defaults
 *  when absent or invalid. */
export function loadWedgeOptions(storage: Pick<Storage, "getItem"> | undefined = globalThis.localStorage): WedgeOptions {
  const decodeBy = decodeByForLayout(loadKeyboardLayout(storage));
  try {
    const raw = storage?.getItem(WEDGE_KEY);
    const timing = raw ? (JSON.parse(raw) as Partial<WedgeOptions>) : {};
    return wedgeOptions({ ...timing, decodeBy });
  } catch (error) {
    console.warn("ignoring invalid wedge settings:", error);
    return { ...DEFAULT_WEDGE_OPTIONS, decodeBy };
  }
}

export type TimingCheck = { ok: true; options: WedgeOptions } | { ok: false; message: string };

/** Checks the timing typed on the Settings screen (gap in ms, shortest scan in characters). */
export function checkWedgeTiming(gapText: string, minLengthText: string): TimingCheck {
  const gap = gapText.trim();
  const min = minLengthText.trim();
  if (!/^\d+$/.test(gap) || Number(gap) < 1 || Number(gap) > MAX_GAP_LIMIT_MS) {
    return { ok: false, message: t("settings.wedge.gapRange", { max: MAX_GAP_LIMIT_MS }) };
  }
  if (!/^\d+$/.test(min) || Number(min) < 1 || Number(min) > 64) {
    return { ok: false, message: t("settings.wedge.minRange", { max: 64 }) };
  }
  return { ok: true, options: wedgeOptions({ maxGapMs: Number(gap), minLength: Number(min) }) };
}

/** Stores the timing part of the wedge options (the rest keep their defaults). */
export function saveWedgeTiming(options: Pick<WedgeOptions, "maxGapMs" | "minLength">, storage: Pick<Storage, "setItem"> = globalThis.localStorage): void {
  storage.setItem(WEDGE_KEY, JSON.stringify({ maxGapMs: options.maxGapMs, minLength: options.minLength }));
}
