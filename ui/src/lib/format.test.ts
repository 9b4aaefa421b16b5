import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { setLanguage } from "./i18n/index.svelte";
import { clockTime, count, dateTime, plural, printedGtin, qty, signed } from "./format";

describe("format", () => {
  it.each([
    ["00000096385074", "96385074"],
    ["00036000291452", "036000291452"],
    ["05901230000014", "5901230000014"],
    ["10614141000415", "10614141000415"],
  ])("GTIN-14 %s prints as %s", (gtin14, printed) => {
    expect(printedGtin(gtin14)).toBe(printed);
  });

  it.each([
    [0, "0"],
    [6000, "6,000"],
    [-3, "\u22123"],
  ])("count(%d) = %s", (n, text) => {
    expect(count(n)).toBe(text);
  });

  it("signs changes", () => {
    expect(signed(2)).toBe("+2");
    expect(signed(-2)).toBe("\u22122");
  });
});

describe("quantities an open blind count hides", () => {
  it("reads null as hidden and a number as a count", () => {
    // (what the app sent, what the screen shows)
    const cases: [number | null, string][] = [
      [null, "hidden"],
      [0, "0"],
      [-3, "\u22123"],
    ];
    for (const [sent, shown] of cases) expect(qty(sent)).toBe(shown);
  });
});

describe("plural forms", () => {
  // (n, one, other, shown)
  const cases: [number, string, string, string][] = [
    [0, "line", "lines", "0 lines"],
    [1, "line", "lines", "1 line"],
    [2, "line", "lines", "2 lines"],
    [1000, "line", "lines", "1,000 lines"],
    [-1, "unit", "units", "\u22121 unit"],
    [1.5, "scan", "scans", "2 scans"],
    [21, "SKU", "SKUs", "21 SKUs"],
  ];
  it.each(cases)("plural(%d, %s, %s) = %s", (n, one, other, shown) => {
    expect(plural(n, one, other)).toBe(shown);
  });
});

describe("times in the workstation's time zone", () => {
  // (what Rust sent, time zone, shown)
  const cases: [string, string, string][] = [
    ["2026-12-04T11:05:00Z", "UTC", "2026-12-04 11:05"],
    ["2026-12-04T11:05:00Z", "Europe/Warsaw", "2026-12-04 12:05"],
    ["2026-07-04T11:05:00Z", "Europe/Warsaw", "2026-07-04 13:05"],
    ["2026-12-04T02:30:00Z", "America/Chicago", "2026-12-03 20:30"],
    ["2026-12-04T23:59:59+00:00", "Europe/Madrid", "2026-12-05 00:59"],
    ["2026-12-04T11:05:00.123456Z", "Asia/Kolkata", "2026-12-04 16:35"],
    ["not a time", "UTC", "not a time"],
    ["", "UTC", ""],
  ];
  it.each(cases)("dateTime(%s) in %s = %s", (iso, zone, shown) => {
    expect(dateTime(iso, zone)).toBe(shown);
  });

  it("shows the clock alone for today and the date for another day", () => {
    const now = Date.parse("2026-12-04T10:00:00Z");
    // (until, time zone, shown)
    const lockouts: [string, string, string][] = [
      ["2026-12-04T10:05:00Z", "Europe/Warsaw", "11:05"],
      ["2026-12-04T22:30:00Z", "UTC", "22:30"],
      // Still the 4th in UTC, already the 5th in Warsaw.
      ["2026-12-04T23:30:00Z", "Europe/Warsaw", "2026-12-05 00:30"],
      ["2026-12-05T09:05:00Z", "UTC", "2026-12-05 09:05"],
      ["garbage", "UTC", "garbage"],
    ];
    for (const [until, zone, shown] of lockouts) expect(clockTime(until, now, zone), `${until} ${zone}`).toBe(shown);
  });
});

describe("numbers and times in Spanish", () => {
  beforeAll(() => setLanguage("es", false));
  afterAll(() => setLanguage("en", false));

  // es-ES groups from five digits (Intl's minimumGroupingDigits 2): 1234, then 12.345.
  it.each([
    [0, "0"],
    [999, "999"],
    [1234, "1234"],
    [9999, "9999"],
    [10000, "10.000"],
    [1234567, "1.234.567"],
    [-12345, "\u221212.345"],
    [2.5, "3"],
  ])("count(%d) = %s", (n, text) => {
    expect(count(n)).toBe(text);
  });

  it("quantities and changes follow", () => {
    expect(qty(12345)).toBe("12.345");
    expect(signed(12345)).toBe("+12.345");
    expect(signed(-3)).toBe("\u22123");
  });

  // (what Rust sent, time zone, shown): day first, as Intl writes es-ES.
  const cases: [string, string, string][] = [
    ["2026-12-04T11:05:00Z", "UTC", "04/12/2026, 11:05"],
    ["2026-12-04T11:05:00Z", "Europe/Madrid", "04/12/2026, 12:05"],
    ["2026-07-04T11:05:00Z", "Europe/Madrid", "04/07/2026, 13:05"],
    ["2026-12-04T23:59:59+00:00", "Europe/Madrid", "05/12/2026, 00:59"],
    ["2026-12-04T02:30:00Z", "America/Chicago", "03/12/2026, 20:30"],
    ["not a time", "UTC", "not a time"],
  ];
  it.each(cases)("dateTime(%s) in %s = %s", (iso, zone, shown) => {
    expect(dateTime(iso, zone)).toBe(shown);
  });

  it("shows the clock alone for today and the date, day first, for another day", () => {
    const now = Date.parse("2026-12-04T10:00:00Z");
    expect(clockTime("2026-12-04T10:05:00Z", now, "Europe/Madrid")).toBe("11:05");
    expect(clockTime("2026-12-04T23:30:00Z", now, "Europe/Madrid")).toBe("05/12/2026, 00:30");
    expect(clockTime("garbage", now, "UTC")).toBe("garbage");
  });

  it("goes back to English byte for byte", () => {
    setLanguage("en", false);
    try {
      expect([count(12345), dateTime("2026-12-04T11:05:00Z", "UTC")]).toEqual(["12,345", "2026-12-04 11:05"]);
    } finally {
      setLanguage("es", false);
    }
  });
});
