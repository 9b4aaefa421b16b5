/**
 * Workstation settings kept in the webview's local storage until the settings screen and its
 * command exist. Only the keyboard-wedge tuning lives here for now.
 */
import { DEFAULT_WEDGE_OPTIONS, type WedgeOptions, wedgeOptions } from "./wedge";

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
