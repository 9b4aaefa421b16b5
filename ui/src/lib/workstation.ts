/**
 * "This workstation" on the Settings screen: labels in plain words, where each value comes
 * from, and the keyboard-wedge timing read from the database when the window loads.
 *
 * Rust decides which values are valid (src-tauri/src/workstation_settings.rs) and says why a
 * value is refused; this file only presents.
 */
import type { SettingSource } from "../bindings/SettingSource";
import type { WorkstationSettingView } from "../bindings/WorkstationSettingView";
import { type PlainKey, t } from "./i18n/index.svelte";
import { loadWedgeOptions } from "./settings";
import { wedgeOptions, type WedgeOptions } from "./wedge";

export interface SettingField {
  label: string;
  help: string;
  /** A fixed list of choices, or free text. */
  choices?: string[];
}

export const BAUD_RATES = ["1200", "2400", "4800", "9600", "19200", "38400", "57600", "115200"];

/** Each setting's words, read in the language of the moment (getters: the catalogue is asked
 *  when the screen shows them, not when this module loads). */
function field(label: PlainKey, help: PlainKey, choices?: string[]): SettingField {
  return {
    get label() {
      return t(label);
    },
    get help() {
      return t(help);
    },
    ...(choices ? { choices } : {}),
  };
}

export const SETTING_FIELDS: Record<string, SettingField> = {
  serial_scanner: field("settings.ws.serial_scanner", "settings.ws.serial_scanner.help"),
  serial_baud: field("settings.ws.serial_baud", "settings.ws.serial_baud.help", BAUD_RATES),
  hid_scanner: field("settings.ws.hid_scanner", "settings.ws.hid_scanner.help"),
  idle_lock_secs: field("settings.ws.idle_lock_secs", "settings.ws.idle_lock_secs.help"),
  demo_channels: field("settings.ws.demo_channels", "settings.ws.demo_channels.help", ["on", "off"]),
  webhook_addr: field("settings.ws.webhook_addr", "settings.ws.webhook_addr.help"),
  wedge_max_gap_ms: field("settings.ws.wedge_max_gap_ms", "settings.ws.wedge_max_gap_ms.help"),
};

export function settingField(key: string): SettingField {
  return SETTING_FIELDS[key] ?? { label: key, help: "" };
}

/** Where the value comes from, in words. */
export function sourceText(view: Pick<WorkstationSettingView, "source" | "envVar">): string {
  const words: Record<SettingSource, () => string> = {
    env: () => t("settings.ws.fromEnv", { envVar: view.envVar ?? t("settings.ws.anEnvVar") }),
    saved: () => t("settings.ws.saved"),
    default: () => t("settings.ws.default"),
  };
  return words[view.source]();
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
      return wedgeOptions({ maxGapMs: gap ?? local.maxGapMs, minLength: local.minLength, decodeBy: local.decodeBy });
    } catch (error) {
      if (attempt === attempts) console.warn("wedge timing from local storage:", error);
      else await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  }
  return local;
}
