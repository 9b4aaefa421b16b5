import { describe, expect, it } from "vitest";

import type { EventView } from "../bindings/EventView";
import type { TransferInTransitView } from "../bindings/TransferInTransitView";
import {
  buildAdjust,
  buildReceive,
  buildReturn,
  buildReverse,
  buildShip,
  buildWriteOff,
  eventSummary,
  outcomeLine,
  picksText,
  reasonLabel,
  shortBy,
  tabsFor,
  tagFrom,
  transferSummary,
  wholeNumber,
  type AdjustForm,
  type ReturnForm,
  type ShipForm,
  type WriteOffForm,
} from "./movements";

const CODES = ["damaged", "expired", "shrinkage", "theft", "vendor_return", "other"];

/** Each case: a form change and the request it gives (a partial match) or its message. */
function table<F, R>(name: string, base: F, build: (f: F) => { ok: true; request: R } | { ok: false; message: string }, cases: [string, Partial<F>, object | string][]) {
  describe(name, () => {
    for (const [label, change, want] of cases) {
      it(label, () => {
        const got = build({ ...base, ...change });
        if (typeof want === "string") expect(got).toEqual({ ok: false, message: want });
        else expect(got.ok && got.request).toMatchObject(want);
      });
    }
  });
}

const writeOff: WriteOffForm = { sku: " SS-00001 ", location: "WH1", qty: "2", from: "damaged", code: "damaged", note: "" };
table("write-off", writeOff, (f) => buildWriteOff(f, CODES), [
  ["from damaged, a code alone", {}, { sku: "SS-00001", location: "WH1", qty: 2, from: "damaged", code: "damaged", note: null }],
  ["from on hand, a code and a note", { from: "onHand", code: "theft", note: " aisle 4 " }, { from: "onHand", code: "theft", note: "aisle 4" }],
  ["other with a note", { code: "other", note: "pallet fell" }, { code: "other", note: "pallet fell" }],
  ["other without a note", { code: "other", note: "  " }, "The reason 'other' needs a note saying what happened."],
  ["a code that is not core's", { code: "crushed" }, "Choose a reason code."],
  ["no code chosen", { code: "" }, "Choose a reason code."],
  ["no SKU", { sku: " " }, "Enter a SKU."],
  ["no location", { location: "" }, "Choose a location."],
  ["zero", { qty: "0" }, "The quantity is a whole number from 1 to 1,000,000."],
  ["a fraction", { qty: "1.5" }, "The quantity is a whole number from 1 to 1,000,000."],
  ["too many", { qty: "1000001" }, "The quantity is a whole number from 1 to 1,000,000."],
  ["a note too long", { note: "x".repeat(201) }, "The note is at most 200 characters."],
]);

const adjust: AdjustForm = { sku: "SS-00001", location: "WH2", delta: "-3", reason: "shelf empty", overrideNegative: true };
describe("adjust", () => {
  const cases: [string, Partial<AdjustForm>, boolean, object | string][] = [
    ["down, a supervisor's override kept", {}, true, { delta: -3, reason: "shelf empty", overrideNegative: true }],
    ["staff: the override is never sent", {}, false, { overrideNegative: false }],
    ["up with a plus sign", { delta: "+5" }, true, { delta: 5 }],
    ["zero", { delta: "0" }, true, "Enter how many units up (+5) or down (-5), not 0."],
    ["words", { delta: "five" }, true, "Enter how many units up (+5) or down (-5), not 0."],
    ["past the limit", { delta: "-1000001" }, true, "Enter how many units up (+5) or down (-5), not 0."],
    ["no reason", { reason: "  " }, true, "Give a reason for an adjustment."],
  ];
  for (const [label, change, canOverride, want] of cases) {
    it(label, () => {
      const got = buildAdjust({ ...adjust, ...change }, canOverride);
      if (typeof want === "string") expect(got).toEqual({ ok: false, message: want });
      else expect(got.ok && got.request).toMatchObject(want);
    });
  }
});

const ship: ShipForm = { sku: "SS-00001", from: "WH1", to: "WH2", qty: "5" };
table("ship", ship, buildShip, [
  ["WH1 to WH2", {}, { sku: "SS-00001", from: "WH1", to: "WH2", qty: 5, reason: null }],
  ["to itself", { to: "WH1" }, "A transfer needs two different locations."],
  ["nowhere to go", { to: "" }, "Choose where the units go."],
  ["zero", { qty: "0" }, "The quantity is a whole number from 1 to 1,000,000."],
]);

const transfer: TransferInTransitView = { id: "t-1", sku: "SS-00001", from: "WH1", to: "WH2", qty: 5, shippedAt: "2026-12-04T10:00:00Z", shippedBy: "staff" };
describe("receive a transfer", () => {
  const cases: [string, string, string, object | string][] = [
    ["in full, no reason needed", "5", "", { transferId: "t-1", received: 5, reason: null }],
    ["short with a reason", "3", " two cases crushed ", { received: 3, reason: "two cases crushed" }],
    ["none arrived, with a reason", "0", "lost in transit", { received: 0 }],
    ["short without a reason", "3", " ", "2 short: give a reason for a short receipt."],
    ["more than shipped", "6", "", "Received is a whole number from 0 to the 5 shipped."],
    ["negative", "-1", "", "Received is a whole number from 0 to the 5 shipped."],
    ["empty", "", "", "Received is a whole number from 0 to the 5 shipped."],
  ];
  for (const [label, received, reason, want] of cases) {
    it(label, () => {
      const got = buildReceive(transfer, received, reason);
      if (typeof want === "string") expect(got).toEqual({ ok: false, message: want });
      else expect(got.ok && got.request).toMatchObject(want);
    });
  }
  it("says how short, only when short", () => {
    expect([shortBy(transfer, "5"), shortBy(transfer, "3"), shortBy(transfer, "0"), shortBy(transfer, "x")]).toEqual(["", "2 short", "5 short", ""]);
    expect(transferSummary(transfer)).toBe("SS-00001: 5 from WH1 to WH2");
  });
});

const customerReturn: ReturnForm = { sku: "SS-00003", location: "WH1", qty: "1", damaged: false, reason: "" };
table("customer return", customerReturn, buildReturn, [
  ["to stock", {}, { sku: "SS-00003", location: "WH1", qty: 1, damaged: false, reason: null }],
  ["to damaged with a reason", { damaged: true, reason: "box torn" }, { damaged: true, reason: "box torn" }],
  ["zero", { qty: "0" }, "The quantity is a whole number from 1 to 1,000,000."],
  ["a reason too long", { reason: "y".repeat(201) }, "The reason is at most 200 characters."],
]);

const event: EventView = {
  seq: 7,
  id: "e-7",
  kind: "write_off",
  sku: "SS-00001",
  occurredAt: "2026-12-04T10:00:00Z",
  recordedAt: "2026-12-04T10:00:00.120Z",
  actor: "staff",
  workstation: "ws",
  reason: "damaged",
  reference: null,
  changes: [
    { location: "WH1", bucket: "damaged", amount: -2 },
    { location: "WH1", bucket: "on_hand", amount: -2 },
    { location: "WH1", bucket: "reserved", amount: 0 },
  ],
};

describe("reverse", () => {
  it("needs an event and a reason", () => {
    expect(buildReverse(null, "keyed twice")).toEqual({ ok: false, message: "Pick the event to reverse." });
    expect(buildReverse(event, " ")).toEqual({ ok: false, message: "Give a reason for a reversal." });
    expect(buildReverse(event, " keyed twice ")).toEqual({ ok: true, request: { eventId: "e-7", reason: "keyed twice" } });
  });
  it("reads an event in one line, leaving out what did not change", () => {
    expect(eventSummary(event)).toBe("write off · \u22122 damaged at WH1, \u22122 on hand at WH1");
    expect(eventSummary({ ...event, kind: "receive", changes: [{ location: "WH2", bucket: "on_hand", amount: 4 }] })).toBe("receive · +4 on hand at WH2");
  });
});

describe("lots and serials (issue 21)", () => {
  // (case, lot typed, tracking learnt, required, the tag or the message)
  const cases: [string, string, "lot" | "serial" | null | undefined, boolean, object | string][] = [
    ["an untracked item, nothing typed", "", null, true, {}],
    ["tracking not known yet, nothing typed", "", undefined, true, {}],
    ["a lot-tracked write-off without its lot", "", "lot", true, "This item is tracked by lot: give the lot that moves."],
    ["a serial-tracked transfer without its serial", " ", "serial", true, "This item is tracked by serial: give the serial that moves."],
    ["a return may leave the lot out", "", "lot", false, {}],
    ["a lot", " L-7 ", "lot", true, { tag: { kind: "lot", code: "L-7" } }],
    ["a serial", "SN-9", "serial", true, { tag: { kind: "serial", code: "SN-9" } }],
    ["not known yet: sent as a lot, Rust decides", "L1", undefined, false, { tag: { kind: "lot", code: "L1" } }],
    ["a lot for an untracked item", "L1", null, false, "This item is not tracked by lot or serial: leave the lot empty."],
    ["a space inside", "L 1", "lot", true, "A lot or serial is 1 to 20 characters without spaces."],
    ["21 characters", "x".repeat(21), "lot", true, "A lot or serial is 1 to 20 characters without spaces."],
  ];
  for (const [label, text, tracking, required, want] of cases) {
    it(label, () => {
      const got = tagFrom(text, tracking, required);
      if (typeof want === "string") expect(got).toEqual({ message: want });
      else expect(got).toEqual(want);
    });
  }

  it("each form carries its tag, and refuses a tracked item's movement without one", () => {
    const lotted = buildWriteOff({ ...writeOff, lot: "L2" }, CODES, "lot");
    expect(lotted.ok && lotted.request.tag).toEqual({ kind: "lot", code: "L2" });
    expect(buildWriteOff(writeOff, CODES, "lot")).toEqual({ ok: false, message: "This item is tracked by lot: give the lot that moves." });
    expect(buildShip({ sku: "MILK", from: "WH1", to: "WH2", qty: "3" }, "lot").ok).toBe(false);
    const shipped = buildShip({ sku: "MILK", from: "WH1", to: "WH2", qty: "3", lot: "L1" }, "lot");
    expect(shipped.ok && shipped.request.tag).toEqual({ kind: "lot", code: "L1" });
    expect(buildReturn({ sku: "MILK", location: "WH1", qty: "1", damaged: false, reason: "" }, "lot").ok).toBe(true);
    const adjusted = buildAdjust({ sku: "TV", location: "WH1", delta: "1", reason: "found", overrideNegative: false, lot: "SN-1" }, false, "serial");
    expect(adjusted.ok && adjusted.request.tag).toEqual({ kind: "serial", code: "SN-1" });
    expect("tag" in (buildWriteOff(writeOff, CODES).ok ? (buildWriteOff(writeOff, CODES) as { request: object }).request : {})).toBe(false);
  });

  it("reads the suggestion and a shipment's lot", () => {
    expect(picksText([{ code: "L2", expiry: "2027-01-31", qty: 5 }, { code: "L1", expiry: null, qty: 1200 }])).toBe("L2 (2027-01-31) × 5, L1 × 1,200");
    const shipment: TransferInTransitView = { id: "t", sku: "MILK", from: "WH1", to: "WH2", qty: 3, shippedAt: "", shippedBy: "ada", lot: "L1" };
    expect(transferSummary(shipment)).toBe("MILK: 3 from WH1 to WH2 · lot L1");
  });
});

describe("the screen", () => {
  it("shows Reverse to supervisors only", () => {
    expect(tabsFor(false).map((t) => t.tab)).toEqual(["writeOff", "adjust", "transfers", "return"]);
    expect(tabsFor(true).map((t) => t.tab)).toEqual(["writeOff", "adjust", "transfers", "return", "reverse"]);
  });
  it("labels core's codes", () => {
    expect(CODES.map(reasonLabel)).toEqual(["Damaged", "Expired", "Shrinkage", "Theft", "Vendor return", "Other"]);
  });
  it("reads whole numbers only, within bounds", () => {
    const cases: [string, number | null][] = [["3", 3], [" +3 ", 3], ["-3", -3], ["3.0", null], ["1e3", null], ["", null], ["99999999999999999999", null]];
    for (const [raw, want] of cases) expect(wholeNumber(raw, -1_000_000, 1_000_000), raw).toBe(want);
  });
  it("tells a posted movement from one that waits", () => {
    const base = { eventId: "e", kind: "write_off", seq: null, approval: null, value: null, message: "m", sku: "SS-00001", at: "WH1" };
    expect(outcomeLine({ ...base, posted: true, seq: 9 }).tone).toBe("ok");
    expect(outcomeLine({ ...base, posted: false, approval: "a", value: "600.00" }).tone).toBe("warn");
  });
});
