/**
 * The playbook's screens (issue 20), the parts that are plain data: the business-hours form
 * (a draft of the seven weekdays, and the change Rust gets from it), the months of the
 * incident review, and the words for a root-cause group. Rust checks every value (zone, times,
 * dates, categories) and refuses in one line; nothing here decides what is valid, so the app
 * and the CLI cannot disagree.
 */
import type { BusinessHoursChange } from "../bindings/BusinessHoursChange";
import type { BusinessHoursView } from "../bindings/BusinessHoursView";
import type { CauseGroupView } from "../bindings/CauseGroupView";
import type { RootCauseView } from "../bindings/RootCauseView";

/** The weekdays as Rust names them, Monday first. */
export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** The form's text per weekday: `08:00-18:00`, or empty for closed. */
export type HoursDraft = Record<Weekday, string>;

/** The form filled from the hours in force. */
export function hoursDraft(view: BusinessHoursView): HoursDraft {
  const draft = Object.fromEntries(WEEKDAYS.map((d) => [d, ""])) as HoursDraft;
  for (const d of view.days) {
    if ((WEEKDAYS as readonly string[]).includes(d.day)) draft[d.day as Weekday] = d.hours ?? "";
  }
  return draft;
}

/** What Rust gets: the zone and every weekday (empty or "closed" is closed). */
export function hoursChange(zone: string, draft: HoursDraft): BusinessHoursChange {
  return {
    zone: zone.trim(),
    days: WEEKDAYS.map((day) => {
      const text = draft[day].trim();
      return { day, hours: text === "" || text.toLowerCase() === "closed" ? null : text };
    }),
  };
}

/** True when the hours text ends on the next day (`22:00-06:00`), as Rust reads it. */
export function crossesMidnight(text: string): boolean {
  const m = /^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$/.exec(text);
  if (!m) return false;
  const open = Number(m[1]) * 60 + Number(m[2]);
  const close = Number(m[3]) * 60 + Number(m[4]);
  return close < open;
}

/** The zones this window knows, for the zone field's suggestions (Rust decides what is valid). */
export function knownZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  try {
    return intl.supportedValuesOf ? intl.supportedValuesOf("timeZone") : [];
  } catch {
    return [];
  }
}

/** `YYYY-MM` of a date, in UTC (incidents' opened_at is UTC, and so is the review's month). */
export function monthOf(date: Date): string {
  return date.toISOString().slice(0, 7);
}

/** The month `delta` months from `month` (`YYYY-MM`). */
export function shiftMonth(month: string, delta: number): string {
  const [y, m] = month.split("-").map(Number);
  const index = y * 12 + (m - 1) + delta;
  const year = Math.floor(index / 12);
  return `${String(year).padStart(4, "0")}-${String((index % 12) + 1).padStart(2, "0")}`;
}

/** Today's date `YYYY-MM-DD` in local time: the peak-day field's default. */
export function today(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** The zone's wall clock as Rust wrote it (`2026-12-04T07:00:00-05:00` is "2026-12-04 07:00"):
 *  the warehouse's time, not this window's. */
export function wallClock(localRfc3339: string): string {
  return localRfc3339.length >= 16 ? localRfc3339.slice(0, 16).replace("T", " ") : localRfc3339;
}

/** Which kind of group a review row is. */
export type GroupKind = "category" | "open" | "uncategorised";

export function groupKind(group: CauseGroupView): GroupKind {
  if (group.category !== null) return "category";
  return group.open ? "open" : "uncategorised";
}

/** A category's label from core's list, or its key when the list lacks it. */
export function causeLabel(key: string, causes: readonly RootCauseView[]): string {
  return causes.find((c) => c.key === key)?.label ?? key;
}

/** The review's total incidents and units. */
export function reviewTotals(groups: readonly CauseGroupView[]): { incidents: number; units: number } {
  return groups.reduce((sum, g) => ({ incidents: sum.incidents + g.incidents, units: sum.units + g.oversoldUnits }), { incidents: 0, units: 0 });
}
