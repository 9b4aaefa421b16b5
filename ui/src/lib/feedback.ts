/**
 * What a worker sees and hears after a scan: one big panel, green or red, with a sound.
 * Status is never colour alone: every state also has an icon and words.
 */
export type Tone = "good" | "bad" | "info";

export interface Feedback {
  tone: Tone;
  /** Large, one line: what happened. */
  title: string;
  /** Smaller: what it means or what to do next. */
  detail: string;
  /** "good": a short high beep; "bad": a low buzz. */
  sound: "good" | "bad";
}

export const ICONS: Record<Tone, string> = { good: "✓", bad: "✕", info: "i" };

export function good(title: string, detail = ""): Feedback {
  return { tone: "good", title, detail, sound: "good" };
}

export function bad(title: string, detail = ""): Feedback {
  return { tone: "bad", title, detail, sound: "bad" };
}

export function info(title: string, detail = ""): Feedback {
  return { tone: "info", title, detail, sound: "good" };
}

/** The idle panel before any scan. */
export function ready(what: string): Feedback {
  return { tone: "info", title: "Ready to scan", detail: what, sound: "good" };
}
