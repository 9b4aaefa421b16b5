import { describe, expect, it } from "vitest";

import { FALLBACK_LANGUAGE, guardNavigatorLanguage, usableLanguage } from "./locale";

describe("navigator language guard", () => {
  it("keeps a valid tag and replaces the POSIX locale names WebKitGTK passes on", () => {
    expect(usableLanguage("de-DE")).toBe("de-DE");
    for (const bad of ["C", "en_US.UTF-8", "", undefined]) expect(usableLanguage(bad)).toBe(FALLBACK_LANGUAGE);
  });

  it("patches only a navigator whose language Intl refuses", () => {
    const posix = { language: "C" } as Navigator;
    guardNavigatorLanguage(posix);
    expect(posix.language).toBe(FALLBACK_LANGUAGE);
    expect(() => new Intl.NumberFormat(posix.language)).not.toThrow();
    const fine = { language: "fr-FR" } as Navigator;
    guardNavigatorLanguage(fine);
    expect(fine.language).toBe("fr-FR");
  });
});
