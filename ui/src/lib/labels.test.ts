import { describe, expect, it } from "vitest";

import { buildRequest, checkPrinter, isExpiry, pngSource, rememberPrinter, rememberedPrinter, PRINTER_KEY } from "./labels";

const form = (lot = "", expiry = "", copies = "1") => ({ lot, expiry, copies });

describe("buildRequest", () => {
  it.each([
    [form(), { lot: null, expiry: null, copies: 1 }],
    [form(" L-7 ", "2027-01-31", "3"), { lot: "L-7", expiry: "2027-01-31", copies: 3 }],
    [form("A/b.9", "", "100"), { lot: "A/b.9", expiry: null, copies: 100 }],
    [{ ...form("L-7"), symbology: "linear" as const }, { lot: "L-7", expiry: null, copies: 1 }],
    [{ ...form("L-7"), symbology: "dataMatrix" as const }, { lot: "L-7", expiry: null, copies: 1, symbology: "dataMatrix" }],
  ])("an item label from %j", (input, expected) => {
    expect(buildRequest("item", "SS-00001", input)).toEqual({ ok: true, request: { kind: "item", code: "SS-00001", ...expected } });
  });

  it.each([
    [form("bad lot!"), "A lot is"],
    [form("x".repeat(21)), "A lot is"],
    [form("", "31/01/2027"), "Give the expiry as a date"],
    [form("", "2027-02-30"), "Give the expiry as a date"],
    [form("", "1999-12-31"), "Give the expiry as a date"],
    [form("", "", "0"), "Copies: a whole number from 1 to 100."],
    [form("", "", "101"), "Copies: a whole number from 1 to 100."],
    [form("", "", "2.5"), "Copies: a whole number from 1 to 100."],
    [form("", "", ""), "Copies: a whole number from 1 to 100."],
  ])("refuses %j", (input, message) => {
    const built = buildRequest("item", "SS-00001", input);
    expect(built.ok).toBe(false);
    if (!built.ok) expect(built.message).toContain(message);
  });

  it("ignores the item fields for location labels and the command sheet", () => {
    expect(buildRequest("location", "WH1", form("bad lot!", "nope", "0"))).toEqual({
      ok: true,
      request: { kind: "location", code: "WH1", lot: null, expiry: null, copies: 1 },
    });
    expect(buildRequest("commands", "", form()).ok).toBe(true);
  });
});

describe("isExpiry", () => {
  it.each([
    ["2024-02-29", true],
    ["2023-02-29", false],
    ["2099-12-31", true],
    ["2100-01-01", false],
    ["2027-1-31", false],
  ])("%s is %s", (text, expected) => expect(isExpiry(text)).toBe(expected));
});

describe("checkPrinter", () => {
  it.each(["192.168.1.50:9100", "zebra-1.local:9100", "[fe80::1]:9100"])("accepts %s", (printer) => {
    expect(checkPrinter(printer)).toBeNull();
  });
  it.each(["", "zebra-1", "zebra-1:0", "zebra-1:70000", "http://zebra:9100"])("refuses %j", (printer) => {
    expect(checkPrinter(printer)).toContain("HOST:PORT");
  });
});

describe("the remembered printer", () => {
  it("is kept per workstation and survives a storage that refuses", () => {
    const map = new Map<string, string>();
    const storage = { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v) };
    expect(rememberedPrinter(storage)).toBe("");
    rememberPrinter(storage, " 10.0.0.9:9100 ");
    expect(map.get(PRINTER_KEY)).toBe("10.0.0.9:9100");
    expect(rememberedPrinter(storage)).toBe("10.0.0.9:9100");
    const refusing = {
      getItem: () => {
        throw new Error("denied");
      },
      setItem: () => {
        throw new Error("full");
      },
    };
    expect(rememberedPrinter(refusing)).toBe("");
    expect(() => rememberPrinter(refusing, "x:1")).not.toThrow();
    expect(rememberedPrinter(undefined)).toBe("");
  });
});

describe("pngSource", () => {
  it("makes a data URL, or nothing for the command sheet", () => {
    expect(pngSource("iVBOR")).toBe("data:image/png;base64,iVBOR");
    expect(pngSource("")).toBe("");
  });
});
