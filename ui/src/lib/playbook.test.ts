import { describe, expect, it } from "vitest";

import type { BusinessHoursView } from "../bindings/BusinessHoursView";
import type { CauseGroupView } from "../bindings/CauseGroupView";
import { causeLabel, crossesMidnight, groupKind, hoursChange, hoursDraft, monthOf, reviewTotals, shiftMonth, today, wallClock } from "./playbook";

const view: BusinessHoursView = {
  source: "calendar",
  zone: "America/New_York",
  days: [
    { day: "mon", hours: "08:00-18:00", crossesMidnight: false },
    { day: "tue", hours: "08:00-18:00", crossesMidnight: false },
    { day: "wed", hours: null, crossesMidnight: false },
    { day: "thu", hours: "08:00-18:00", crossesMidnight: false },
    { day: "fri", hours: "22:00-06:00", crossesMidnight: true },
    { day: "sat", hours: null, crossesMidnight: false },
    { day: "sun", hours: null, crossesMidnight: false },
  ],
  peakDays: [{ day: "2026-11-27", note: "Black Friday" }],
  localNow: "2026-12-04T07:00:00-05:00",
  openNow: false,
  peakNow: false,
};

describe("business-hours form", () => {
  it("fills every weekday from the hours in force, closed as empty", () => {
    expect(hoursDraft(view)).toEqual({ mon: "08:00-18:00", tue: "08:00-18:00", wed: "", thu: "08:00-18:00", fri: "22:00-06:00", sat: "", sun: "" });
  });

  it("sends every weekday, empty and 'closed' as closed, text as typed for Rust to check", () => {
    const draft = { ...hoursDraft(view), wed: " Closed ", sat: " 09:00-13:00 ", sun: "25:00-26:00" };
    expect(hoursChange(" Europe/Madrid ", draft)).toEqual({
      zone: "Europe/Madrid",
      days: [
        { day: "mon", hours: "08:00-18:00" },
        { day: "tue", hours: "08:00-18:00" },
        { day: "wed", hours: null },
        { day: "thu", hours: "08:00-18:00" },
        { day: "fri", hours: "22:00-06:00" },
        { day: "sat", hours: "09:00-13:00" },
        { day: "sun", hours: "25:00-26:00" },
      ],
    });
  });

  const midnight: [string, boolean][] = [
    ["22:00-06:00", true],
    ["08:00-18:00", false],
    ["00:00-24:00", false],
    ["18:00-08:00", true],
    [" 23:30 - 00:15 ", true],
    ["nonsense", false],
    ["", false],
  ];
  it.each(midnight)("%s crosses midnight: %s", (text, want) => {
    expect(crossesMidnight(text)).toBe(want);
  });
});

describe("the incident review's months and groups", () => {
  const shifts: [string, number, string][] = [
    ["2026-12", -1, "2026-11"],
    ["2026-01", -1, "2025-12"],
    ["2026-12", 1, "2027-01"],
    ["2026-06", -13, "2025-05"],
    ["2026-06", 0, "2026-06"],
  ];
  it.each(shifts)("%s shifted by %i is %s", (month, delta, want) => {
    expect(shiftMonth(month, delta)).toBe(want);
  });

  it("shows the zone's wall clock as Rust wrote it", () => {
    expect(wallClock("2026-12-04T07:00:00-05:00")).toBe("2026-12-04 07:00");
    expect(wallClock("odd")).toBe("odd");
  });

  it("reads months in UTC and today's date in local time", () => {
    expect(monthOf(new Date("2026-12-01T00:30:00Z"))).toBe("2026-12");
    expect(today(new Date(2026, 10, 27, 23, 59))).toBe("2026-11-27");
  });

  const groups: CauseGroupView[] = [
    { category: "rate_limit", open: false, incidents: 2, oversoldUnits: 4 },
    { category: null, open: false, incidents: 1, oversoldUnits: 2 },
    { category: null, open: true, incidents: 1, oversoldUnits: 3 },
  ];
  it("tells categories, open and uncategorised apart and totals them", () => {
    expect(groups.map(groupKind)).toEqual(["category", "uncategorised", "open"]);
    expect(reviewTotals(groups)).toEqual({ incidents: 4, units: 9 });
    expect(reviewTotals([])).toEqual({ incidents: 0, units: 0 });
  });

  it("labels a category from core's list, or by its key", () => {
    const causes = [{ key: "rate_limit", label: "API rate limiting", guide: "" }];
    expect(causeLabel("rate_limit", causes)).toBe("API rate limiting");
    expect(causeLabel("gone", causes)).toBe("gone");
  });
});
