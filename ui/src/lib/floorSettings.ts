/**
 * This station's own preferences for the floor: sound volume and mute, and the quantity above
 * which a receipt, write-off or transfer line asks for confirmation. They belong to the
 * machine (a noisy dock wants it loud, an office quiet), so they live in the webview's storage
 * of this workstation, like the wedge timing; a supervisor sets them in Settings.
 */
import { t } from "./i18n/index.svelte";

export interface FloorSettings {
  /** 0 to 100; the sounds' loudness. */
  volume: number;
  muted: boolean;
  /** A line of more units than this asks "Confirm?" first (counts excepted). 1 to 100,000. */
  confirmAbove: number;
}

export const DEFAULT_FLOOR_SETTINGS: Readonly<FloorSettings> = Object.freeze({ volume: 80, muted: false, confirmAbove: 50 });

/** The quantity box's own limit: a larger confirmation threshold could never be reached. */
export const MAX_CONFIRM_ABOVE = 100_000;

const STORAGE_KEY = "shelfsync.floor";

/** Why a value cannot be used, or null when it can. */
export function floorSettingProblem(key: keyof FloorSettings, value: unknown): string | null {
  switch (key) {
    case "volume":
      return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 100 ? null : t("settings.floor.volumeRange");
    case "muted":
      return typeof value === "boolean" ? null : t("settings.floor.muteOnOff");
    case "confirmAbove":
      return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_CONFIRM_ABOVE
        ? null
        : t("settings.floor.confirmRange", { max: MAX_CONFIRM_ABOVE });
  }
}

/** Stored text to settings: each valid value kept, anything else back to its default. */
export function parseFloorSettings(raw: string | null): FloorSettings {
  let stored: Record<string, unknown> = {};
  try {
    const parsed: unknown = raw ? JSON.parse(raw) : {};
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) stored = parsed as Record<string, unknown>;
  } catch {
    stored = {};
  }
  const settings: FloorSettings = { ...DEFAULT_FLOOR_SETTINGS };
  for (const key of Object.keys(DEFAULT_FLOOR_SETTINGS) as (keyof FloorSettings)[]) {
    if (key in stored && floorSettingProblem(key, stored[key]) === null) (settings as unknown as Record<string, unknown>)[key] = stored[key];
  }
  return settings;
}

export function loadFloorSettings(storage: Pick<Storage, "getItem"> | undefined = globalThis.localStorage): FloorSettings {
  try {
    return parseFloorSettings(storage?.getItem(STORAGE_KEY) ?? null);
  } catch {
    return { ...DEFAULT_FLOOR_SETTINGS };
  }
}

/** Saves one value after checking it; returns the problem (and saves nothing) when it is bad. */
export function saveFloorSetting<K extends keyof FloorSettings>(
  current: FloorSettings,
  key: K,
  value: FloorSettings[K],
  storage: Pick<Storage, "setItem"> | undefined = globalThis.localStorage,
): { settings: FloorSettings; problem: string | null } {
  const problem = floorSettingProblem(key, value);
  if (problem) return { settings: current, problem };
  const settings = { ...current, [key]: value };
  storage?.setItem(STORAGE_KEY, JSON.stringify(settings));
  return { settings, problem: null };
}
