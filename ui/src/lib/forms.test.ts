import { describe, expect, it, vi } from "vitest";

import { checkDecision, checkSignIn, describeSignInError, parseQty, refusedScanNotice, sendIfValid } from "./forms";

describe("sign-in form", () => {
  const cases: [string, string, string | null][] = [
    ["staff", "1111", null],
    ["  staff ", "1111", null],
    ["", "1111", "Enter your user name."],
    ["   ", "1111", "Enter your user name."],
    ["staff", "", "Enter your PIN."],
    ["staff", "12", "A PIN has 4 to 64 characters."],
    ["staff", "1".repeat(65), "A PIN has 4 to 64 characters."],
    ["st aff", "1111", "A user name has only letters, digits, '.', '-', '_' or '@'."],
    ["x".repeat(65), "1111", "A user name has only letters, digits, '.', '-', '_' or '@'."],
  ];
  for (const [name, pin, want] of cases) {
    it(`${JSON.stringify(name)} / ${pin.length} digits`, () => {
      const check = checkSignIn(name, pin);
      expect(check.ok ? null : check.message).toBe(want);
    });
  }
});

describe("approval decision form", () => {
  const cases: [string, string, string | null][] = [
    ["recounted the shelf", "2222", null],
    ["", "2222", "Give a reason for the decision."],
    ["   ", "2222", "Give a reason for the decision."],
    ["r".repeat(201), "2222", "Keep the reason under 200 characters."],
    ["ok", "", "Enter your PIN to confirm."],
    ["ok", "22", "A PIN has 4 to 64 characters."],
  ];
  for (const [reason, pin, want] of cases) {
    it(`${reason.slice(0, 20)} / ${pin}`, () => {
      const check = checkDecision(reason, pin);
      expect(check.ok ? null : check.message).toBe(want);
    });
  }
});

describe("quantity entry", () => {
  const cases: [string, number | string][] = [
    ["1", 1],
    [" 12 ", 12],
    ["100000", 100000],
    ["0", "Quantity must be 1 to 100,000."],
    ["100001", "Quantity must be 1 to 100,000."],
    ["", "Quantity is a whole number, like 1 or 12."],
    ["1.5", "Quantity is a whole number, like 1 or 12."],
    ["-3", "Quantity is a whole number, like 1 or 12."],
    ["SS-0001", "Quantity is a whole number, like 1 or 12."],
  ];
  for (const [text, want] of cases) {
    it(JSON.stringify(text), () => {
      const parsed = parseQty(text);
      expect(parsed.ok ? parsed.qty : parsed.message).toBe(want);
    });
  }
});

describe("sign-in errors from Rust", () => {
  it("a lockout gets a title and the local time", () => {
    const d = describeSignInError(
      "user 'staff' is locked out until 2026-11-26T16:40:00Z after too many wrong PINs",
      (iso) => `<${iso}>`,
    );
    expect(d.title).toBe("Locked out");
    expect(d.detail).toContain("<2026-11-26T16:40:00Z>");
  });
  it("a wrong PIN", () => {
    expect(describeSignInError("wrong user or PIN for 'staff'").title).toBe("Wrong user or PIN");
  });
  it("anything else is shown as is", () => {
    expect(describeSignInError("disk full")).toEqual({ title: "Cannot sign in", detail: "disk full" });
  });
});

describe("bad input is never sent", () => {
  it("a sign-in without a PIN does not call Rust", async () => {
    const signIn = vi.fn();
    const result = await sendIfValid(checkSignIn("staff", ""), signIn);
    expect(result).toEqual({ sent: false, message: "Enter your PIN." });
    expect(signIn).not.toHaveBeenCalled();
  });
  it("a decision without a reason does not call Rust", async () => {
    const decide = vi.fn();
    expect((await sendIfValid(checkDecision(" ", "2222"), decide)).sent).toBe(false);
    expect(decide).not.toHaveBeenCalled();
  });
  it("good input is sent once", async () => {
    const decide = vi.fn().mockResolvedValue(undefined);
    expect(await sendIfValid(checkDecision("recounted", "2222"), decide)).toEqual({ sent: true, value: undefined });
    expect(decide).toHaveBeenCalledTimes(1);
  });
});

describe("a scan on the sign-in or lock screen", () => {
  const cases: [string, boolean, string, string, RegExp][] = [
    ["locked", true, "SS-00001", "Locked: enter your PIN", /^The scan SS-00001 was not recorded\. Unlock/],
    ["signed out", false, "LOC:WH1", "Sign in first", /^The scan LOC:WH1 was not recorded\. Sign in/],
    ["long, multi-byte", true, "📦".repeat(40), "Locked: enter your PIN", /^The scan (📦){23}… was not/],
    ["empty", false, "", "Sign in first", /^The scan was not recorded/],
  ];
  for (const [what, locked, data, title, detail] of cases) {
    it(what, () => {
      const notice = refusedScanNotice(locked, data);
      expect(notice.title).toBe(title);
      expect(notice.detail).toMatch(detail);
    });
  }
});
