/**
 * A refusal from Rust in the workstation's language. Rust sends an `IpcError`: a stable code,
 * the values its sentence names, and the English sentence. English shows Rust's sentence as it
 * is (the words the tests read); another language shows the catalogue's message for
 * "errors." + code, and Rust's English when the catalogue has none, or when a word inside it
 * (a role, a bucket, an action) has no translation: never half a sentence in each language.
 *
 * Pure (the language is an argument): api.ts's `errorMessage` passes the workstation's.
 */
import type { IpcError } from "../../bindings/IpcError";
import { en } from "./en";
import { format, formatClock, type Key, type Language, type Value } from "./messages";

export type { IpcError };

/** True for what a rejected command carries: `{ code, message, args }`. */
export function isIpcError(value: unknown): value is IpcError {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === "string" && typeof v.message === "string" && typeof v.args === "object" && v.args !== null;
}

/** The catalogue key of a code, when the catalogue has one. */
export function errorKey(code: string): Key | null {
  const key = `errors.${code}`;
  return Object.hasOwn(en, key) ? (key as Key) : null;
}

/** Arguments Rust sends as English words, and the keys whose English is those words. */
const WORDS: Readonly<Record<string, string>> = { role: "role.", bucket: "errors.bucket.", action: "errors.action." };

/** The key under `prefix` whose English message is `english`: at most one per word. */
function wordKey(prefix: string, english: string): Key | null {
  for (const [key, message] of Object.entries(en)) {
    if (key.startsWith(prefix) && message === english) return key as Key;
  }
  return null;
}

/**
 * `error` as `language` says it. `now` and `timeZone` are for a lockout's end ("until"), shown
 * as a time of day (with the date when not today) in the workstation's zone.
 */
export function translateError(language: Language, error: IpcError, now: number = Date.now(), timeZone?: string): string {
  if (language === "en") return error.message;
  const key = errorKey(error.code);
  if (!key) return error.message;
  const args: Record<string, Value> = {};
  for (const [name, value] of Object.entries(error.args)) {
    const prefix = WORDS[name];
    if (prefix !== undefined) {
      const word = typeof value === "string" ? wordKey(prefix, value) : null;
      if (!word) return error.message;
      args[name] = format(language, word);
    } else if (name === "until" && typeof value === "string") {
      args[name] = formatClock(language, value, now, timeZone);
    } else {
      args[name] = value;
    }
  }
  const text = format(language, key, args);
  return text === key ? error.message : text;
}

/** The codes of "nobody is signed in" and "the session is locked". */
export const SESSION_CODES: readonly string[] = ["session.signedOut", "session.locked"];
