import { describe, expect, it } from "vitest";

import { isBlockedShortcut, type ShortcutKey } from "./shortcuts";

const key = (k: string, mods: Partial<ShortcutKey> = {}): ShortcutKey => ({ key: k, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods });

describe("browser shortcuts", () => {
  const cases: [string, ShortcutKey, boolean][] = [
    ["F5 reload", key("F5"), true],
    ["Ctrl+R reload", key("r", { ctrlKey: true }), true],
    ["Ctrl+Shift+R reload", key("R", { ctrlKey: true, shiftKey: true }), true],
    ["Cmd+P print", key("p", { metaKey: true }), true],
    ["Ctrl+F find", key("f", { ctrlKey: true }), true],
    ["Ctrl++ zoom", key("+", { ctrlKey: true }), true],
    ["Ctrl+0 zoom reset", key("0", { ctrlKey: true }), true],
    ["Alt+Left back", key("ArrowLeft", { altKey: true }), true],
    ["F2 scan screen", key("F2"), false],
    ["F3 stock screen", key("F3"), false],
    ["plain r (a scan's letter)", key("r"), false],
    ["0 (a digit)", key("0"), false],
    ["Ctrl+C copy", key("c", { ctrlKey: true }), false],
    ["Ctrl+V paste", key("v", { ctrlKey: true }), false],
  ];
  for (const [what, event, blocked] of cases) {
    it(`${what}: ${blocked ? "blocked" : "allowed"}`, () => expect(isBlockedShortcut(event)).toBe(blocked));
  }
});
