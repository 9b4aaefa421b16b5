import { describe, expect, it } from "vitest";

import { count, printedGtin, signed } from "./format";

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
