/**
 * The workstation's language, and `t()`: what every screen and floor module calls for text.
 * Reading `i18n.language` inside `t()` makes a Svelte template that calls it follow a change
 * of language at once; text already made (a feedback panel, a log line) keeps its language.
 *
 * Outside a page (Vitest under Node) the language is English until `setLanguage`, whatever the
 * machine's locale: the tests read English text.
 */
import { languageFor, languageWithSystem, loadLanguage, pickLanguage, saveLanguage, systemLanguages } from "./language";
import { type ArgList, format, formatClock, formatDateTime, formatNumber, INTL_TAGS, isLanguage, type Key, type Language } from "./messages";

export { LANGUAGES, LANGUAGE_NAMES, type Key, type Language, type PlainKey } from "./messages";

const inPage = typeof document !== "undefined" && typeof window !== "undefined";

class I18n {
  language = $state<Language>(inPage ? pickLanguage(loadLanguage(globalThis.localStorage), systemLanguages(globalThis.navigator)) : "en");
}

export const i18n = new I18n();

/** This workstation's language (what the sign-in and lock screens show), and the signed-in
 *  user's own, which goes first while their session is open (`languageFor`). */
let workstationLanguage: Language = i18n.language;
let userLanguage: Language | null = null;

function applyToDocument(language: Language): void {
  if (inPage) document.documentElement.lang = INTL_TAGS[language];
}
applyToDocument(i18n.language);

function apply(): void {
  const language = languageFor(userLanguage, workstationLanguage);
  if (i18n.language !== language) i18n.language = language;
  applyToDocument(language);
}

/** Switches this workstation's language and, when `remember`, keeps it for this workstation.
 *  While a user with a language of their own is signed in, theirs still shows. */
export function setLanguage(language: Language, remember = true): void {
  workstationLanguage = language;
  if (remember) saveLanguage(language, globalThis.localStorage);
  apply();
}

/** The signed-in user's own language from Rust (`SessionView.language`): null when nobody is
 *  signed in, the session is locked, or they follow the workstation's. */
export function setUserLanguage(language: string | null | undefined): void {
  userLanguage = isLanguage(language) ? language : null;
  apply();
}

/** This workstation's language, whatever the signed-in user chose (for the tests and the
 *  sign-in screen's picker). */
export function workstationLanguageNow(): Language {
  return workstationLanguage;
}

/**
 * Rust's word on the operating system's languages (`AppInfo.systemLanguages`): applied unless
 * this workstation chose a language; never saved, so a later choice or system change counts.
 */
let systemAdopted = false;

export function adoptSystemLanguages(fromRust: readonly string[]): void {
  // Once: App polls app_info every few seconds, and the system's languages do not change.
  if (!inPage || systemAdopted) return;
  systemAdopted = true;
  const stored = loadLanguage(globalThis.localStorage);
  const language = languageWithSystem(stored, fromRust, systemLanguages(globalThis.navigator));
  if (language !== workstationLanguage) setLanguage(language, false);
}

/** `key`'s message in the workstation's language: `t("fb.lines", { n: 2 })` is "2 lines". */
export function t<K extends Key>(key: K, ...args: ArgList<K>): string {
  return format(i18n.language, key, args[0] as Record<string, string | number> | undefined);
}

/** A whole number in the workstation's language ("1,234" or "1234"; "12.345" in Spanish). */
export function num(n: number): string {
  return formatNumber(i18n.language, n);
}

/** A date and time from Rust in the workstation's language and time zone. */
export function dateTime(iso: string): string {
  return formatDateTime(i18n.language, iso);
}

/** A time of the coming hours (a lockout's end): the time, with the date when not today. */
export function clock(iso: string, now: number = Date.now()): string {
  return formatClock(i18n.language, iso, now);
}
