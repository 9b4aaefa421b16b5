import { describe, expect, it } from "vitest";

import type { AppInfo, LinkReviewView } from "../api";
import { blockedBy, checkFirstAdmin, countOf, LINK_GROUPS, linkButtonLabel, linkOutcome, nextStep, plural, previousStep, rowsOf, startView, STEPS, type Progress } from "./firstRun";

function info(over: Partial<AppInfo>): AppInfo {
  return {
    phase: "ready",
    dbPath: "/tmp/x.db",
    demo: false,
    eventCount: 0,
    itemCount: 0,
    version: "0.1.0",
    error: null,
    demoChannels: null,
    needsSetup: false,
    demoOffered: false,
    systemLanguages: [],
    ...over,
  };
}

describe("which screen a start shows", () => {
  const cases: [string, AppInfo | null, boolean, string][] = [
    ["nothing yet", null, false, "loading"],
    ["still opening", info({ phase: "opening", needsSetup: true }), false, "loading"],
    ["loading the demo", info({ phase: "loadingDemo" }), false, "loading"],
    ["failed", info({ phase: "failed" }), false, "loading"],
    ["no users", info({ needsSetup: true }), false, "firstRun"],
    ["admin just created, wizard not finished", info({ needsSetup: false }), true, "firstRun"],
    ["users exist", info({ needsSetup: false }), false, "signIn"],
    ["demo", info({ demo: true }), false, "signIn"],
  ];
  it.each(cases)("%s", (_what, i, settingUp, want) => {
    expect(startView(i, settingUp)).toBe(want);
  });
});

describe("the first admin's form", () => {
  const cases: [string, string, string, string | null][] = [
    ["ada", "2468", "2468", null],
    ["  ada  ", "2468", "2468", null],
    ["j.smith@north", "123456", "123456", null],
    ["", "2468", "2468", "Enter the admin's user name: the name they will sign in with, like ada."],
    ["   ", "2468", "2468", "Enter the admin's user name: the name they will sign in with, like ada."],
    ["ada lovelace", "2468", "2468", "A user name has 1 to 64 letters or digits, and may use '.', '-', '_' or '@'; no spaces."],
    ["a".repeat(65), "2468", "2468", "A user name has 1 to 64 letters or digits, and may use '.', '-', '_' or '@'; no spaces."],
    ["ada", "", "", "Choose a PIN for the admin and type it in both PIN fields."],
    ["ada", "123", "123", "A PIN has 4 to 64 characters."],
    ["ada", "9".repeat(65), "9".repeat(65), "A PIN has 4 to 64 characters."],
    ["ada", "2468", "2469", "The two PINs are not the same. Type the same PIN in both fields."],
    ["ada", "2468", "", "The two PINs are not the same. Type the same PIN in both fields."],
  ];
  it.each(cases)("%j / %j / %j", (name, pin, again, want) => {
    const got = checkFirstAdmin(name, pin, again);
    if (want === null) {
      expect(got).toEqual({ ok: true, value: { name: name.trim(), pin, pinAgain: again } });
    } else {
      expect(got).toEqual({ ok: false, message: want });
    }
  });
});

describe("the wizard's steps", () => {
  const none: Progress = { adminCreated: false, locations: 0, items: 0, channel: null };
  const admin: Progress = { ...none, adminCreated: true };

  it("goes admin, locations, items, channel, finish and stays at finish", () => {
    expect(STEPS.map((s) => s.step)).toEqual(["admin", "locations", "items", "channel", "finish"]);
    expect(nextStep("admin")).toBe("locations");
    expect(nextStep("channel")).toBe("finish");
    expect(nextStep("finish")).toBe("finish");
  });

  it("needs the admin, then a location; items and the channel may be skipped", () => {
    expect(blockedBy("admin", none)).toBe("Create the admin user first.");
    expect(blockedBy("admin", admin)).toBeNull();
    expect(blockedBy("locations", admin)).toBe("Add at least one location: stock is always kept somewhere.");
    expect(blockedBy("locations", { ...admin, locations: 1 })).toBeNull();
    expect(blockedBy("items", admin)).toBeNull();
    expect(blockedBy("channel", admin)).toBeNull();
    expect(STEPS.filter((s) => s.optional).map((s) => s.step)).toEqual(["items", "channel"]);
  });

  it("never goes back to the admin once it exists", () => {
    expect(previousStep("admin", none)).toBeNull();
    expect(previousStep("locations", none)).toBe("admin");
    expect(previousStep("locations", admin)).toBeNull();
    expect(previousStep("items", admin)).toBe("locations");
    expect(previousStep("finish", admin)).toBe("channel");
  });
});

describe("counts in words", () => {
  it.each([
    [0, "location", "0 locations"],
    [1, "location", "1 location"],
    [2, "location", "2 locations"],
    [1200, "item", "1,200 items"],
  ] as [number, string, string][])("%d %s", (n, one, want) => {
    expect(plural(n, one)).toBe(want);
  });
});

describe("the link review", () => {
  function review(over: Partial<LinkReviewView>): LinkReviewView {
    return {
      channel: "shop",
      matched: 0,
      unmatchedOurs: 0,
      unmatchedTheirs: 0,
      ambiguous: 0,
      rows: [],
      linked: null,
      location: "WH1",
      shopLocation: null,
      alreadyLinked: 0,
      ...over,
    };
  }
  const mixed = review({
    matched: 2,
    unmatchedOurs: 1,
    unmatchedTheirs: 700,
    ambiguous: 1,
    rows: [
      { status: "matched", sku: "A-1", theirs: ["g1"] },
      { status: "matched", sku: "B-1", theirs: ["g2"] },
      { status: "ambiguous", sku: "C-1", theirs: ["g3 (C-1)", "g4 (C-1)"] },
      { status: "unmatchedOurs", sku: "D-1", theirs: [] },
      { status: "unmatchedTheirs", sku: "Z-9", theirs: ["g9"] },
    ],
  });

  it("groups rows by kind, matched first, and counts from Rust (rows may be cut)", () => {
    expect(LINK_GROUPS.map((g) => g.status)).toEqual(["matched", "ambiguous", "unmatchedOurs", "unmatchedTheirs"]);
    expect(rowsOf(mixed, "matched").map((r) => r.sku)).toEqual(["A-1", "B-1"]);
    expect(rowsOf(mixed, "ambiguous")[0].theirs).toHaveLength(2);
    expect(countOf(mixed, "unmatchedTheirs")).toBe(700);
    expect(rowsOf(mixed, "unmatchedTheirs")).toHaveLength(1);
  });

  const cases: [string, LinkReviewView, string | null, string][] = [
    ["two to link", mixed, "Link 2 listings", "2 listings ready to link."],
    ["one to link", review({ matched: 1 }), "Link 1 listing", "1 listing ready to link."],
    ["none matched", review({ unmatchedOurs: 3 }), null, "No SKU matched. Check that the channel's listings carry the same SKUs as your items."],
    ["all already linked", review({ alreadyLinked: 4 }), null, "Nothing new to link: 4 listings already linked."],
    ["linked", review({ matched: 2, linked: 2 }), null, "Linked 2 listings. ShelfSync now sends their stock to shop."],
  ];
  it.each(cases)("%s", (_what, r, button, outcome) => {
    expect(linkButtonLabel(r)).toBe(button);
    expect(linkOutcome(r)).toBe(outcome);
  });
});
