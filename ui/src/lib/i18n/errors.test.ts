/**
 * Rust's refusals in the workstation's language. The samples are Rust's own (errorSamples.json,
 * written by src-tauri's error_codes test from AppError values): English shows Rust's sentence,
 * the English catalogue says the same, Spanish translates every code it has, and a code or a
 * word it lacks shows Rust's English.
 */
import { describe, expect, it } from "vitest";

import { errorCode, errorMessage, isSessionError } from "../../api";
import { describeSignInError } from "../forms";
import { worthSearching } from "../stock.svelte";
import { en } from "./en";
import { errorKey, type IpcError, isIpcError, translateError } from "./errors";
import samples from "./errorSamples.json";
import { setLanguage } from "./index.svelte";
import { format } from "./messages";

const all = samples as IpcError[];
/** Codes whose sentence is free text from Rust (a form's check, a store refusal): English only. */
const FREE_TEXT = ["request.refused", "auth.refused"];

describe("Rust's samples", () => {
  it("cover every code of the catalogue's sentences, and the free-text ones", () => {
    const sentences = Object.keys(en).filter((k) => k.startsWith("errors.") && !k.startsWith("errors.bucket.") && !k.startsWith("errors.action."));
    const sampled = new Set(all.map((e) => `errors.${e.code}`));
    expect(sentences.filter((k) => !sampled.has(k))).toEqual([]);
    for (const code of FREE_TEXT) expect(all.some((e) => e.code === code)).toBe(true);
  });

  it.each(all.map((e) => [e.code, e] as const))("%s: English is Rust's sentence, and the catalogue says the same", (_, error) => {
    expect(isIpcError(error)).toBe(true);
    expect(translateError("en", error)).toBe(error.message);
    const key = errorKey(error.code);
    if (FREE_TEXT.includes(error.code)) {
      expect(key).toBeNull();
      return;
    }
    expect(key).not.toBeNull();
    // Rust writes numbers bare ("10000"): formatted as text, the catalogue's English is Rust's.
    const asText = Object.fromEntries(Object.entries(error.args).map(([k, v]) => [k, String(v)]));
    expect(format("en", key!, asText)).toBe(error.message);
  });

  it.each(all.map((e) => [e.code, e] as const))("%s: Spanish translates, or shows Rust's English", (code, error) => {
    const text = translateError("es", error, Date.parse("2026-12-04T08:00:00Z"), "Europe/Madrid");
    expect(text.trim()).not.toBe("");
    expect(text).not.toContain("{");
    // The role "staff" is translated; "approve count variances" is no action the catalogue knows.
    if (FREE_TEXT.includes(code) || code === "auth.forbidden") expect(text).toBe(error.message);
    else expect(text).not.toBe(error.message);
  });
});

describe("Spanish sentences with their values", () => {
  const now = Date.parse("2026-12-04T08:00:00Z");
  const cases: [IpcError, string][] = [
    [{ code: "stock.notFound", message: "…", args: { code: "ZZ-1" } }, "Ningún artículo tiene el SKU o código de barras «ZZ-1». Revise la etiqueta y vuelva a escanear."],
    [{ code: "movement.qtyRange", message: "…", args: { max: 10000, got: 0 } }, "La cantidad debe estar entre 1 y 10.000; se indicó 0"],
    [{ code: "movement.insufficient", message: "…", args: { bucket: "on_hand", location: "WH1", current: 3, change: 7 } }, "En stock en WH1 quedaría en negativo (3 − 7)"],
    [
      { code: "auth.forbidden", message: "…", args: { user: "stu", role: "staff", action: "decide approvals" } },
      "El usuario «stu» (operario) no tiene permiso para decidir aprobaciones",
    ],
    [{ code: "signin.lockedOut", message: "…", args: { user: "sam", until: "2026-12-04T11:05:00Z" } }, "El usuario «sam» está bloqueado hasta las 12:05 por demasiados PIN incorrectos"],
    [{ code: "count.uncounted", message: "…", args: { n: 1 } }, "1 SKU de este recuento completo no se ha contado; envíelo con --confirm-zero para contarlos como cero"],
    // A bucket the catalogue does not know: the whole sentence stays Rust's English.
    [{ code: "movement.insufficient", message: "english", args: { bucket: "new_bucket", location: "WH1", current: 3, change: 7 } }, "english"],
    // A code the catalogue does not have.
    [{ code: "hub.error", message: "the hub refused the credentials", args: {} }, "the hub refused the credentials"],
  ];
  it.each(cases)("%j", (error, text) => {
    expect(translateError("es", error, now, "Europe/Madrid")).toBe(text);
  });
});

describe("what screens call", () => {
  const locked: IpcError = { code: "session.locked", message: "The session is locked after being idle. Enter your PIN to go on.", args: {} };
  const notFound: IpcError = { code: "stock.notFound", message: "No item has the SKU or barcode 'olive'. Check the label and scan again.", args: { code: "olive" } };

  it("errorMessage follows the language; codes and session refusals are read from any language", () => {
    expect(errorMessage(notFound)).toBe(notFound.message);
    expect(errorMessage("plain text")).toBe("plain text");
    expect(errorMessage(new Error("thrown"))).toBe("thrown");
    expect(errorCode(notFound)).toBe("stock.notFound");
    expect(errorCode("plain text")).toBeNull();
    setLanguage("es", false);
    try {
      expect(errorMessage(notFound)).toBe("Ningún artículo tiene el SKU o código de barras «olive». Revise la etiqueta y vuelva a escanear.");
      expect(isSessionError(locked)).toBe(true);
      expect(isSessionError(errorMessage(locked))).toBe(true);
      expect(isSessionError(errorMessage({ code: "session.signedOut", message: "Sign in first.", args: {} }))).toBe(true);
      expect(isSessionError(notFound)).toBe(false);
      expect(isSessionError(errorMessage(notFound))).toBe(false);
      // The Stock screen searches names after "not found", whatever the language shows.
      expect(worthSearching(notFound)).toBe(true);
      expect(worthSearching(locked)).toBe(false);
      expect(describeSignInError({ code: "signin.wrong", message: "wrong user or PIN for 'sam'", args: { user: "sam" } }).title).toBe("Usuario o PIN incorrectos");
      expect(describeSignInError({ code: "signin.deactivated", message: "user 'cat' is deactivated", args: { user: "cat" } })).toEqual({
        title: "Usuario desactivado",
        detail: "El usuario «cat» está desactivado",
      });
    } finally {
      setLanguage("en", false);
    }
    expect(isSessionError("Sign in first.")).toBe(true);
    expect(isSessionError("")).toBe(false);
    const d = describeSignInError({ code: "signin.lockedOut", message: "…", args: { user: "sam", until: "2026-12-04T11:05:00Z" } }, (iso) => `<${iso}>`);
    expect(d.title).toBe("Locked out");
    expect(d.detail).toContain("<2026-12-04T11:05:00Z>");
  });
});
