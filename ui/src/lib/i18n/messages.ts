/**
 * The message catalogues and how a message becomes text: pure (the language is an argument),
 * so Vitest covers every rule. index.svelte.ts holds the workstation's language and calls in.
 *
 * Messages are ICU MessageFormat, formatted by intl-messageformat (FormatJS): plurals through
 * `Intl.PluralRules` of the language, numbers through `Intl.NumberFormat`. Dates and times go
 * through `Intl.DateTimeFormat` here, with the language's own tag.
 */
import { IntlMessageFormat } from "intl-messageformat";

import { en, type Key } from "./en";
import { es } from "./es";

export type { Key };

/** A catalogue: one message for every English key, nothing else. */
export type Catalogue = { readonly [K in Key]: string };

/** The languages with a catalogue, in the order the selector lists them. */
export const LANGUAGES = ["en", "es"] as const;
export type Language = (typeof LANGUAGES)[number];

export const CATALOGUES: Record<Language, Catalogue> = { en, es };

/** What the selector shows: each language in its own words, so anyone finds theirs. */
export const LANGUAGE_NAMES: Record<Language, string> = { en: "English", es: "Español" };

/** The tag `Intl` formats with: English as format.ts writes it (day-month, 24 h), Spanish
 *  as Spain writes it. */
export const INTL_TAGS: Record<Language, string> = { en: "en-GB", es: "es-ES" };

export function isLanguage(value: unknown): value is Language {
  return typeof value === "string" && (LANGUAGES as readonly string[]).includes(value);
}

// ---- the arguments a message takes, read from its English text at compile time ----

type Before<S extends string, C extends string> = S extends `${infer H}${C}${string}` ? H : S;
/** `{n, plural, ...`: a number; `{name}`: any value. */
type Kind<Seg extends string> = Before<Seg, "}"> extends `${string},${" " | ""}${"plural" | "number" | "selectordinal"}${string}` ? "number" : "any";
type NameOf<Seg extends string> = Before<Before<Before<Seg, "}">, ",">, "{">;
/** An argument name: an identifier (a plural branch such as `{# line}` or `{The line}` is not). */
type Valid<N extends string> = N extends "" ? never : N extends `${string}${" " | "#" | "." | "'" | "-"}${string}` ? never : N extends Capitalize<N> ? never : N;
type Pairs<S extends string> = S extends `${string}{${infer Rest}` ? (Valid<NameOf<Rest>> extends never ? Pairs<Rest> : [Valid<NameOf<Rest>>, Kind<Rest>] | Pairs<Rest>) : never;

export type Value = string | number;
/** The arguments of `key`'s English message: `{ n: number; location: Value }` and so on. */
export type ArgsOf<K extends Key> = {
  [P in Pairs<(typeof en)[K]> as P[0]]: Extract<Pairs<(typeof en)[K]>, [P[0], "number"]> extends never ? Value : number;
};
/** The rest parameters of `t(key, ...)`: none for a message without arguments. */
export type ArgList<K extends Key> = keyof ArgsOf<K> extends never ? [] : [ArgsOf<K>];
/** A key whose message takes no arguments: what a table of labels holds (`t(label)`). */
export type PlainKey = { [K in Key]: ArgList<K> extends [] ? K : never }[Key];

// ---- formatting ----

/** One formatter per language and key, made when first used: at most LANGUAGES x keys. */
const compiled = new Map<string, IntlMessageFormat>();

function formatter(language: Language, key: Key): IntlMessageFormat {
  const id = `${language}\u0000${key}`;
  let f = compiled.get(id);
  if (!f) {
    f = new IntlMessageFormat(CATALOGUES[language][key], INTL_TAGS[language]);
    compiled.set(id, f);
  }
  return f;
}

/**
 * `key`'s message in `language` with `args`. A message that cannot be formatted (a catalogue
 * mistake the tests missed) falls back to English, then to the key itself: a screen never
 * shows nothing, and never throws.
 */
export function format(language: Language, key: Key, args?: Record<string, Value>): string {
  for (const lang of language === "en" ? ["en" as const] : [language, "en" as const]) {
    try {
      return String(formatter(lang, key).format(args));
    } catch {
      // try the next
    }
  }
  return key;
}

/** A whole number as `language` writes it, with a real minus sign (as format.ts's `count`). */
export function formatNumber(language: Language, n: number): string {
  return new Intl.NumberFormat(INTL_TAGS[language], { maximumFractionDigits: 0 }).format(n).replace("-", "\u2212");
}

/**
 * A time from Rust (RFC 3339, UTC) as `language` writes a date and time, in the workstation's
 * time zone (`timeZone` is for the tests): "4 Dec 2026, 12:05", "4 dic 2026, 12:05". Text that
 * is not a time comes back unchanged.
 */
export function formatDateTime(language: Language, iso: string, timeZone?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(INTL_TAGS[language], { dateStyle: "medium", timeStyle: "short", hourCycle: "h23", timeZone }).format(d);
}

/**
 * A time of the coming hours (a lockout's end): only the time when it falls on the day of
 * `now` in the workstation's time zone ("12:05"), else the date too.
 */
export function formatClock(language: Language, iso: string, now: number, timeZone?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const day = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
  if (day.format(d) !== day.format(new Date(now))) return formatDateTime(language, iso, timeZone);
  return new Intl.DateTimeFormat(INTL_TAGS[language], { timeStyle: "short", hourCycle: "h23", timeZone }).format(d);
}
