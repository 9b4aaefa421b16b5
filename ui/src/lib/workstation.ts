/**
 * "This workstation" on the Settings screen: labels in plain words, where each value comes
 * from, and the keyboard-wedge timing read from the database when the window loads.
 *
 * Rust decides which values are valid (src-tauri/src/workstation_settings.rs) and says why a
 * value is refused; this file only presents.
 */
import type { SettingSource } from "../bindings/SettingSource";
import type { WorkstationSettingView } from "../bindings/WorkstationSettingView";
import { loadWedgeOptions } from "./settings";
import { wedgeOptions, type WedgeOptions } from "./wedge";

export interface SettingField {
  label: string;
  help: string;
  /** A fixed list of choices, or free text. */
  choices?: string[];
}

export const BAUD_RATES = ["1200", "2400", "4800", "9600", "19200", "38400", "57600", "115200"];

export const SETTING_FIELDS: Record<string, SettingField> = {
  serial_scanner: {
    label: "Serial scanner",
    help: "Device path such as /dev/ttyACM0 or COM3; several separated by commas; empty for none.",
  },
  serial_baud: { label: "Serial speed (baud)", help: "Most scanners ship set to 9600.", choices: BAUD_RATES },
  hid_scanner: {
    label: "USB (HID) scanner",
    help: "'auto' uses the first HID POS scanner, 'off' none, or VID:PID in hex such as 05e0:1200.",
  },
  idle_lock_secs: { label: "Lock after idle (seconds)", help: "10 to 43200 (12 hours)." },
  demo_channels: { label: "Demo channels", help: "Simulated shops on a demo database.", choices: ["on", "off"] },
  webhook_addr: {
    label: "Webhook address",
    help: "IP:PORT where this workstation receives Shopify webhooks, such as 0.0.0.0:8787; empty for none.",
  },
  wedge_max_gap_ms: {
    label: "Keyboard-wedge key gap (ms)",
    help: "Largest gap between the keys of one scan, 1 to 250. 30 suits most scanners; slow ones need about 100.",
  },
};

export function settingField(key: string): SettingField {
  return SETTING_FIELDS[key] ?? { label: key, help: "" };
}

/** Where the value comes from, in words. */
export function sourceText(view: Pick<WorkstationSettingView, "source" | "envVar">): string {
  const words: Record<SettingSource, string> = {
    env: `Set by ${view.envVar ?? "an environment variable"} on this machine; change it there.`,
    saved: "Saved for this workstation.",
    default: "Default.",
  };
  return words[view.source];
}

/** A field the screen cannot change: the environment overrides it. */
export function lockedByEnv(view: Pick<WorkstationSettingView, "source">): boolean {
  return view.source === "env";
}

/** How often, and how far apart, the window asks for the timing while the database opens. */
export const WEDGE_TIMING_ATTEMPTS = 20;
export const WEDGE_TIMING_RETRY_MS = 500;

/**
 * The wedge options for this window: the key gap saved in the database for this workstation,
 * the rest from local storage. With no gap saved (`null`), the one local storage has, if any:
 * a workstation tuned before the setting moved to the database keeps its timing. The command is refused while the database is still opening, so
 * it is asked again (up to `attempts` times); when it keeps failing, local storage alone (the
 * old place of the timing).
 */
export function loadWedgeTiming(
  fetchGap: () => Promise<number | null>,
  storage: Pick<Storage, "getItem"> | undefined = globalThis.localStorage,
  attempts = WEDGE_TIMING_ATTEMPTS,
  retryMs = WEDGE_TIMING_RETRY_MS,
): Promise<WedgeOptions> & { initial: WedgeOptions } {
  const local = loadWedgeOptions(storage);
  // `initial`: what the decoder uses until the database answers (local storage, read now).
  return Object.assign(fetchWedgeTiming(fetchGap, local, attempts, retryMs), { initial: local });
}

async function fetchWedgeTiming(
  fetchGap: () => Promise<number | null>,
  local: WedgeOptions,
  attempts: number,
  retryMs: number,
): Promise<WedgeOptions> {
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const gap = await fetchGap();
      return wedgeOptions({ maxGapMs: gap ?? local.maxGapMs, minLength: local.minLength });
    } catch (error) {
      if (attempt === attempts) console.warn("wedge timing from local storage:", error);
      else await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  }
  return local;
}
