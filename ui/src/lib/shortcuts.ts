/**
 * Browser shortcuts that make no sense in the app and lose work or confuse on the floor:
 * reload (F5, Ctrl+R: the page reloads; the draft survives, but the screen blinks away),
 * print (Ctrl+P), find (Ctrl+F, Ctrl+G, F3 is the Stock key and stays), zoom (Ctrl +/-/0),
 * save page (Ctrl+S), and the address/history keys (Alt+Left/Right). The app's own F-keys
 * are not touched.
 */
export interface ShortcutKey {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

const CTRL_KEYS = new Set(["r", "p", "f", "g", "s", "o", "u", "+", "=", "-", "_", "0"]);

export function isBlockedShortcut(event: ShortcutKey): boolean {
  if (event.key === "F5") return true;
  const command = event.ctrlKey || event.metaKey;
  if (command && CTRL_KEYS.has(event.key.toLowerCase())) return true;
  if (event.altKey && (event.key === "ArrowLeft" || event.key === "ArrowRight")) return true;
  return false;
}
