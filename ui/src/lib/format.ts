/** Display helpers: numbers, money, dates and bucket names, the same on every screen. Numbers,
 *  dates and the words for buckets, event kinds and hidden quantities follow the workstation's
 *  language (i18n, read on every call so a screen follows a change of language); English under
 *  Vitest until a test sets another. */
import { tOr } from "./i18n/dynamic";
import { i18n, t } from "./i18n/index.svelte";
import { formatNumber, INTL_TAGS } from "./i18n/messages";

/** A whole number in the workstation's language, as i18n's `num`: "1,234" in English; "1234"
 *  and "12.345" in Spanish (Intl groups es-ES from five digits). */
export function count(n: number): string {
  // A real minus sign: a hyphen is easy to miss on a busy screen (formatNumber writes one).
  return formatNumber(i18n.language, n);
}

/** A quantity, or "hidden" where the app sent `null` (an open blind count covers it). */
export function qty(n: number | null): string {
  return n === null ? t("stock.hidden") : count(n);
}

export function signed(n: number): string {
  return n > 0 ? `+${count(n)}` : count(n);
}

export function money(cents: number): string {
  return (cents / 100).toFixed(2);
}

/** English plural categories ("one" for 1 only, "other" for 0, 2, 1.5, ...). */
const englishPlural = new Intl.PluralRules("en-GB");

/** A count and its noun in the right form: `plural(1, "line", "lines")` is "1 line", 0 or 2
 *  give "0 lines", "2 lines"; the number grouped as `count` groups it ("1,000 lines"). */
export function plural(n: number, one: string, other: string): string {
  return `${count(n)} ${englishPlural.select(n) === "one" ? one : other}`;
}

/** Formatters by language and time zone (`undefined`: the workstation's); a handful at most. */
const zoned = new Map<string, Intl.DateTimeFormat>();

function formatter(tag: string, timeZone: string | undefined): Intl.DateTimeFormat {
  const key = `${tag}|${timeZone ?? ""}`;
  let f = zoned.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(tag, {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    zoned.set(key, f);
  }
  return f;
}

function parts(d: Date, timeZone: string | undefined): Record<string, string> {
  return Object.fromEntries(formatter("en-GB", timeZone).formatToParts(d).map((p) => [p.type, p.value]));
}

/**
 * A time from Rust (RFC 3339 in UTC, "2026-12-04T11:05:00Z") in the workstation's time zone
 * (`timeZone` is for the tests) and language: "2026-12-04 12:05" in Warsaw in English (the
 * order the screens and their tests have always read), "04/12/2026, 12:05" in Spanish (day
 * first, as Intl writes es-ES). Text that is not a time comes back unchanged.
 */
export function dateTime(iso: string, timeZone?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const language = i18n.language;
  if (language !== "en") return formatter(INTL_TAGS[language], timeZone).format(d);
  const p = parts(d, timeZone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/**
 * A time of the coming hours for the floor (a lockout's end): "12:05" when it falls on the
 * same day as `now` in the workstation's time zone, else the date too ("2026-12-05 09:05";
 * "05/12/2026, 09:05" in Spanish).
 */
export function clockTime(iso: string, now: number = Date.now(), timeZone?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = parts(d, timeZone);
  const today = parts(new Date(now), timeZone);
  const sameDay = p.year === today.year && p.month === today.month && p.day === today.day;
  return sameDay ? `${p.hour}:${p.minute}` : dateTime(iso, timeZone);
}

const BUCKET_LABELS: Record<string, string> = {
  on_hand: "on hand",
  committed: "committed",
  reserved: "reserved",
  damaged: "damaged",
  in_transit: "in transit",
};

export function bucketLabel(bucket: string): string {
  return tOr(`stock.bucket.${bucket}`, BUCKET_LABELS[bucket] ?? bucket);
}

export function kindLabel(kind: string): string {
  return tOr(`stock.kind.${kind}`, kind.replaceAll("_", " "));
}

/** GTIN-14 with leading zeros dropped back to the printed GTIN-13/12/8 where they were padding. */
export function printedGtin(gtin14: string): string {
  for (const len of [8, 12, 13]) {
    if (gtin14.length === 14 && gtin14.slice(0, 14 - len) === "0".repeat(14 - len)) return gtin14.slice(14 - len);
  }
  return gtin14;
}
