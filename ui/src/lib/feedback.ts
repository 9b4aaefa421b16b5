/**
 * What a worker sees and hears after a scan: one big panel, green or red, with a sound.
 * Status is never colour alone: every state also has an icon and words.
 */
import { t } from "./i18n/index.svelte";

export type Tone = "good" | "bad" | "info";

export interface Feedback {
  tone: Tone;
  /** Large, one line: what happened. */
  title: string;
  /** Smaller: what it means or what to do next. */
  detail: string;
  /** "good" (recorded): a short high beep; "info" (noted): two soft notes; "bad" (refused): a low buzz. */
  sound: "good" | "info" | "bad";
}

export const ICONS: Record<Tone, string> = { good: "✓", bad: "✕", info: "i" };

export function good(title: string, detail = ""): Feedback {
  return { tone: "good", title, detail, sound: "good" };
}

export function bad(title: string, detail = ""): Feedback {
  return { tone: "bad", title, detail, sound: "bad" };
}

/** Green, but not a record: a location or mode set. Sounds "info", so "recorded" stays unique. */
export function noted(title: string, detail = ""): Feedback {
  return { tone: "good", title, detail, sound: "info" };
}

export function info(title: string, detail = ""): Feedback {
  return { tone: "info", title, detail, sound: "info" };
}

/** The idle panel before any scan. */
export function ready(what: string): Feedback {
  return { tone: "info", title: t("fb.ready"), detail: what, sound: "info" };
}
