import { describe, expect, it, vi } from "vitest";

import { sendIfValid } from "./forms";
import { checkChannel, checkImport, checkLocation, checkNewUser, checkRule, checkThreshold, checkTolerance, MAX_IMPORT_BYTES, type ChannelForm } from "./settingsForms";

const HOURS = { start: 8, end: 18 };

function messageOf(result: { ok: boolean; message?: string }): string | undefined {
  return result.ok ? undefined : result.message;
}

describe("thresholds", () => {
  const cases: [string, string, string | number][] = [
    ["queue_depth", "100", 100],
    ["latency", "2.5", 2.5],
    ["queue_depth", "", "A threshold is a number of 0 or more, like 100 or 2.5."],
    ["queue_depth", "-1", "A threshold is a number of 0 or more, like 100 or 2.5."],
    ["queue_depth", "abc", "A threshold is a number of 0 or more, like 100 or 2.5."],
    ["business_start_hour", "7", 7],
    ["business_start_hour", "7.5", "The start hour must be a whole number, like 0."],
    ["business_start_hour", "18", "Business hours must start before they end (18:00 to 18:00)."],
    ["business_end_hour", "25", "The end hour must be 1 to 24."],
    ["business_end_hour", "6", "Business hours must start before they end (8:00 to 6:00)."],
  ];
  for (const [rule, text, want] of cases) {
    it(`${rule} = ${JSON.stringify(text)}`, () => {
      const r = checkThreshold(rule, text, HOURS);
      if (typeof want === "number") expect(r).toEqual({ ok: true, value: want });
      else expect(messageOf(r)).toBe(want);
    });
  }
});

describe("new user", () => {
  it("accepts a good user and trims the name", () => {
    expect(checkNewUser(" ann ", "staff", "4321")).toEqual({ ok: true, value: { name: "ann", role: "staff", pin: "4321" } });
  });
  const bad: [string, string, string, string][] = [
    ["", "staff", "4321", "Enter the new user's name."],
    ["ann smith", "staff", "4321", "A user name has only letters, digits, '.', '-', '_' or '@'."],
    ["ann", "boss", "4321", "Choose a role: staff, supervisor or admin."],
    ["ann", "staff", "12", "A PIN has 4 to 64 characters."],
  ];
  for (const [name, role, pin, message] of bad) {
    it(`refuses ${JSON.stringify([name, role, pin])}`, () => expect(messageOf(checkNewUser(name, role, pin))).toBe(message));
  }
});

describe("locations", () => {
  it("accepts a bin under a warehouse", () => {
    expect(checkLocation("WH1-A01", "Aisle A bin 1", "WH1")).toEqual({ ok: true, value: { code: "WH1-A01", name: "Aisle A bin 1", parent: "WH1" } });
    expect(checkLocation("WH3", "Overflow", " ")).toEqual({ ok: true, value: { code: "WH3", name: "Overflow", parent: null } });
  });
  it("refuses bad codes and names", () => {
    expect(messageOf(checkLocation("", "x", ""))).toBe("Enter a location code, like WH3 or WH1-A01.");
    expect(messageOf(checkLocation("WH 3", "x", ""))).toBe("A location code has 1 to 64 characters and no spaces.");
    expect(messageOf(checkLocation("WH3", " ", ""))).toBe("Give the location a name (1 to 100 characters).");
    expect(messageOf(checkLocation("WH3", "x", "WH3"))).toBe("A location cannot be its own parent.");
  });
});

describe("tolerances", () => {
  it("converts percent to basis points and money to cents", () => {
    expect(checkTolerance("", "2", "2.5", "12.50", true)).toEqual({
      ok: true, value: { category: null, units: 2, percentBp: 250, valueCents: 1250, autoPost: true },
    });
    expect(checkTolerance("tools", "", "", "", false)).toEqual({
      ok: true, value: { category: "tools", units: null, percentBp: null, valueCents: null, autoPost: false },
    });
  });
  it("refuses what cannot be a limit", () => {
    expect(messageOf(checkTolerance("", "-2", "", "", true))).toBe("The units limit must be a whole number, like 0.");
    expect(messageOf(checkTolerance("", "", "150", "", true))).toBe("The percent limit is 0 to 100.");
    expect(messageOf(checkTolerance("", "", "", "12.345", true))).toBe("The value limit is an amount like 50 or 12.50.");
  });
});

function shopify(partial: Partial<ChannelForm> = {}): ChannelForm {
  return {
    name: "shop", kind: "shopify", endpoint: "https://demo.myshopify.com", shop: "demo.myshopify.com", sellerId: "", marketplaceId: "",
    secrets: { access_token: "shpat_x" }, ...partial,
  };
}

describe("channels", () => {
  it("builds a Shopify request with its one secret", () => {
    const r = checkChannel(shopify());
    expect(r).toEqual({
      ok: true,
      value: {
        name: "shop", kind: "shopify", endpoint: "https://demo.myshopify.com", shop: "demo.myshopify.com",
        sellerId: null, marketplaceId: null, secrets: [{ name: "access_token", value: "shpat_x" }],
      },
    });
  });
  const bad: [Partial<ChannelForm>, string][] = [
    [{ name: "my shop" }, "A channel name has 1 to 64 letters, digits, '.', '-' or '_'."],
    [{ kind: "etsy" }, "Choose the channel kind: shopify, amazon or ebay."],
    [{ endpoint: "demo.myshopify.com" }, "The endpoint is a URL like https://my-shop.myshopify.com."],
    [{ shop: "demo" }, "Enter the shop's domain, like my-shop.myshopify.com."],
    [{ secrets: {} }, "Enter the access token."],
    [{ kind: "amazon", sellerId: "seller", marketplaceId: "ATVPDKIKX0DER" }, "Enter the Amazon seller and marketplace ids (upper-case letters and digits)."],
    [{ kind: "ebay", secrets: { ebay_client_id: "a", ebay_client_secret: "b" } }, "Enter the ebay refresh token."],
  ];
  for (const [partial, message] of bad) {
    it(`refuses ${JSON.stringify(partial)}`, () => expect(messageOf(checkChannel(shopify(partial)))).toBe(message));
  }
  const ebay = (authEndpoint: string): ChannelForm => ({
    name: "eb", kind: "ebay", endpoint: "https://api.sandbox.ebay.com", shop: "", sellerId: "", marketplaceId: "", authEndpoint,
    secrets: { ebay_client_id: "a", ebay_client_secret: "b", ebay_refresh_token: "c" },
  });
  it("sends an eBay token endpoint when one is given", () => {
    const r = checkChannel(ebay(" https://api.sandbox.ebay.com/identity/v1/oauth2/token "));
    expect(r.ok && r.value.authEndpoint).toBe("https://api.sandbox.ebay.com/identity/v1/oauth2/token");
  });
  it("leaves the token endpoint out when empty", () => {
    const r = checkChannel(ebay(""));
    expect(r.ok && "authEndpoint" in r.value).toBe(false);
  });
  it("refuses a token endpoint that is not a URL", () =>
    expect(messageOf(checkChannel(ebay("api.ebay.com")))).toBe("The token endpoint is a URL like https://api.amazon.com/auth/o2/token, or empty."));
  it("refuses a token endpoint on Shopify", () =>
    expect(messageOf(checkChannel(shopify({ authEndpoint: "https://x.example/token" })))).toBe(
      "A Shopify channel has no separate token endpoint: leave it empty.",
    ));
});

describe("allocation rules", () => {
  it("parses a rule", () => {
    expect(checkRule("WH1, WH2", "80", "2", "", "central")).toEqual({
      ok: true, value: { locations: ["WH1", "WH2"], percent: 80, buffer: 2, cap: null, conflict: "central" },
    });
  });
  it("refuses out-of-range numbers and unknown conflict rules", () => {
    expect(messageOf(checkRule("", "120", "0", "", "central"))).toBe("The share must be 0 to 100.");
    expect(messageOf(checkRule("", "80", "x", "", "central"))).toBe("The buffer must be a whole number, like 0.");
    expect(messageOf(checkRule("", "80", "0", "", "mine"))).toBe("Choose what wins a conflict: central, channel or flag.");
  });
});

describe("nothing is sent on bad input", () => {
  it("does not call the command", async () => {
    const send = vi.fn(async () => []);
    const r = checkThreshold("queue_depth", "lots", HOURS);
    const check = r.ok ? { ok: true as const } : { ok: false as const, message: r.message };
    const result = await sendIfValid(check, send);
    expect(result).toEqual({ sent: false, message: "A threshold is a number of 0 or more, like 100 or 2.5." });
    expect(send).not.toHaveBeenCalled();
  });
});

describe("CSV import", () => {
  const file = (size: number) => ({ size });
  const cases: [string, string, { size: number } | null, boolean, string][] = [
    ["items as admin", "items", file(100), true, "items"],
    ["stock as a supervisor", "stock", file(100), false, "stock"],
    ["exactly the limit", "locations", file(MAX_IMPORT_BYTES), true, "locations"],
    ["unknown kind", "widgets", file(100), true, "Choose what to import: items, locations, stock or packs."],
    ["packs as admin", "packs", file(100), true, "packs"],
    ["packs as a supervisor", "packs", file(100), false, "Only an admin can import packs (a barcode for several units)."],
    ["items as a supervisor", "items", file(100), false, "Only an admin can import items."],
    ["locations as a supervisor", "locations", file(100), false, "Only an admin can import locations."],
    ["no file", "stock", null, true, "Choose a CSV file to import."],
    ["empty file", "stock", file(0), true, "The file is empty. Choose a CSV file with a header line."],
    ["too big", "items", file(MAX_IMPORT_BYTES + 1), true, "The file is 32.0 MiB; one import takes at most 32 MiB. Split it into smaller files."],
    ["far too big", "items", file(100 * 1024 * 1024), true, "The file is 100.0 MiB; one import takes at most 32 MiB. Split it into smaller files."],
  ];
  for (const [name, kind, f, admin, want] of cases) {
    it(name, () => {
      const r = checkImport(kind, f, admin);
      if (want === kind) expect(r).toEqual({ ok: true, value: kind });
      else expect(messageOf(r)).toBe(want);
    });
  }
  it("nothing is sent when the check fails", async () => {
    const send = vi.fn(async () => "sent");
    const r = await sendIfValid(checkImport("items", file(0), true), send);
    expect(r.sent).toBe(false);
    expect(send).not.toHaveBeenCalled();
  });
});
