/**
 * Which language shows (issue 19): the signed-in user's own choice first, then this
 * workstation's, then the system's, then English; the sign-in and lock screens keep the
 * workstation's. Rust is mocked: it answers `set_user_language` with the session it would send.
 */
import { afterEach, describe, expect, it, vi } from "vitest";

import type { SessionView } from "../../api";

const setUserLanguageRust = vi.fn();
vi.mock("../../api", () => ({
  api: { setUserLanguage: setUserLanguageRust },
  errorMessage: (e: unknown) => String(e),
}));

const { session } = await import("../session.svelte");
const { i18n, setLanguage, setUserLanguage, t, workstationLanguageNow } = await import("./index.svelte");
const { languageFor, pickLanguage } = await import("./language");

const view = (language: string | null, locked = false, signedIn = true): SessionView => ({
  user: signedIn ? { name: "ana", role: "staff" } : null,
  locked,
  idleLockSecs: 300,
  canApprove: false,
  canSeeDetails: false,
  demoUsers: [],
  language,
});

afterEach(() => {
  session.view = null;
  setLanguage("en", false);
  setUserLanguageRust.mockReset();
});

describe("precedence: the user's choice, then the workstation's, then the system's", () => {
  it.each([
    // user's (from Rust), workstation's stored choice, system languages, shown
    ["es", "en", ["en-GB"], "es"],
    ["en", "es", ["es-ES"], "en"],
    [null, "es", ["en-GB"], "es"],
    [null, null, ["es-MX", "en"], "es"],
    [null, null, ["de-DE"], "en"],
    ["fr", null, ["es-ES"], "es"],
    ["fr", "en", [], "en"],
    ["", null, [], "en"],
  ] as const)("user %j, workstation %j, system %j: %s", (user, stored, system, shown) => {
    expect(languageFor(user, pickLanguage(stored, system))).toBe(shown);
  });
});

describe("the UI follows the session Rust sends", () => {
  it("switches to the user's language at sign-in and back to the workstation's at the lock screen", () => {
    setLanguage("en", false);
    session.view = view("es");
    expect(i18n.language).toBe("es");
    expect(t("signin.title")).toBe("Iniciar sesión");

    session.view = view(null, true); // locked: Rust sends no language
    expect(i18n.language).toBe("en");
    session.view = view("es"); // the PIN again
    expect(i18n.language).toBe("es");
    session.view = view(null, false, false); // signed out
    expect(i18n.language).toBe("en");
  });

  it("a locked view is shown in the workstation's language even if it carried one", () => {
    setLanguage("es", false);
    session.view = view("en", true);
    expect(i18n.language).toBe("es");
  });

  it("a user who never chose follows the workstation, and the workstation's choice stays underneath", () => {
    setLanguage("es", false);
    session.view = view(null);
    expect(i18n.language).toBe("es");
    setUserLanguage("en");
    expect(i18n.language).toBe("en");
    expect(workstationLanguageNow()).toBe("es");
    setUserLanguage(null);
    expect(i18n.language).toBe("es");
  });

  it("the signed-in picker asks Rust and follows its answer; a refusal changes nothing", async () => {
    session.view = view(null);
    setUserLanguageRust.mockResolvedValueOnce(view("es"));
    await session.setLanguage("es");
    expect(setUserLanguageRust).toHaveBeenCalledWith("es");
    expect(i18n.language).toBe("es");
    expect(workstationLanguageNow()).toBe("en");

    setUserLanguageRust.mockRejectedValueOnce("locked");
    await expect(session.setLanguage("en")).rejects.toBe("locked");
    expect(i18n.language).toBe("es");
  });
});
