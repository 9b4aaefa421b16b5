import { IntlMessageFormat } from "intl-messageformat";
import { describe, expect, it } from "vitest";

import { en } from "./en";
import { es } from "./es";
import { i18n, setLanguage, t } from "./index.svelte";
import { languageWithSystem, loadLanguage, pickLanguage, saveLanguage, STORAGE_KEY, systemLanguages } from "./language";
import { CATALOGUES, format, formatClock, formatDateTime, formatNumber, type Key, LANGUAGES } from "./messages";

const keys = Object.keys(en) as Key[];

type Element = ReturnType<IntlMessageFormat["getAst"]>[number];
/** The parser's element kinds that name an argument: argument, number, date, time, select, plural. */
const ARGUMENT_TYPES = new Set([1, 2, 3, 4, 5, 6]);

/** Every argument a message takes, as the ICU parser reads it (with nested plural branches). */
function argsOf(elements: Element[], into = new Set<string>()): Set<string> {
  for (const el of elements) {
    if (ARGUMENT_TYPES.has(el.type) && "value" in el && typeof el.value === "string") into.add(el.value);
    if ("options" in el) for (const option of Object.values(el.options)) argsOf(option.value, into);
    if ("children" in el) argsOf(el.children, into);
  }
  return into;
}

const parse = (message: string): Element[] => new IntlMessageFormat(message, "en").getAst();

/** What messages.ts's `ArgsOf` type reads from an English message (its naming rule, at run time). */
function typedArgs(message: string): Set<string> {
  const names = new Set<string>();
  for (const segment of message.split("{").slice(1)) {
    const name = segment.split(/[},{]/, 1)[0];
    if (name !== "" && !/[ #.'-]/.test(name) && name[0] !== name[0].toUpperCase()) names.add(name);
  }
  return names;
}

describe("the catalogues", () => {
  it("Spanish has every English key and no other", () => {
    expect(Object.keys(es).sort()).toEqual([...keys].sort());
  });

  it.each(LANGUAGES.flatMap((lang) => keys.map((key) => [lang, key] as const)))("%s %s parses and takes English's arguments", (lang, key) => {
    const message = CATALOGUES[lang][key];
    expect(message.trim(), "not empty").not.toBe("");
    const args = argsOf(parse(message));
    expect([...args].sort()).toEqual([...argsOf(parse(en[key]))].sort());
    // The compile-time argument types see the same names (the naming rule in en.ts holds).
    if (lang === "en") expect([...typedArgs(message)].sort()).toEqual([...args].sort());
  });

  it("no Spanish message is left in English, but for words that read the same", () => {
    expect(keys.filter((key) => es[key] === en[key])).toEqual(["signin.pin", "signin.demoPin", "role.supervisor",
      // Stock: "GTIN" and "SKU" read the same.
      "stock.gtin", "stock.colSku",
      // Counts: "Plan" reads the same.
      "counts.colPlan",
      // Movements: "SKU" reads the same.
      "movements.sku",
      // Settings and Sync: "no", "SKU", "Error", "Hub" and the units "min", "s" read the same.
      "settings.no", "settings.col.sku", "sync.dead.error", "sync.hub.title", "sync.why.minutes", "sync.why.seconds",
      // Reports: "SKU", "Error" and a percentage read the same.
      "reports.col.sku", "reports.col.error", "reports.accuracy.pct",
      // Oversight: "SKU" and "Total" read the same.
      "oversight.incidents.colSku", "oversight.review.total",
    ]);
  });
});

describe("plural forms through Intl.PluralRules", () => {
  // (language, key, arguments, n = 0, 1, 2, 5)
  const cases: [string, Key, string[]][] = [
    ["en", "fb.lines", ["0 lines", "1 line", "2 lines", "5 lines"]],
    ["es", "fb.lines", ["0 líneas", "1 línea", "2 líneas", "5 líneas"]],
    ["en", "fb.stillFor", ["0 lines are still for WH1.", "1 line is still for WH1.", "2 lines are still for WH1.", "5 lines are still for WH1."]],
    ["es", "fb.stillFor", ["0 líneas siguen pendientes para WH1.", "1 línea sigue pendiente para WH1.", "2 líneas siguen pendientes para WH1.", "5 líneas siguen pendientes para WH1."]],
    ["en", "fb.variances", ["Every line matched or was within tolerance.", "1 variance waits for a supervisor.", "2 variances wait for a supervisor.", "5 variances wait for a supervisor."]],
    ["es", "fb.variances", ["Todas las líneas coincidieron o quedaron dentro de la tolerancia.", "1 diferencia espera a un supervisor.", "2 diferencias esperan a un supervisor.", "5 diferencias esperan a un supervisor."]],
    ["en", "offline.waiting", ["0 updates wait in the queue", "1 update waits in the queue", "2 updates wait in the queue", "5 updates wait in the queue"]],
    ["es", "offline.waiting", ["0 actualizaciones esperan en la cola", "1 actualización espera en la cola", "2 actualizaciones esperan en la cola", "5 actualizaciones esperan en la cola"]],
  ];
  it.each(cases)("%s %s", (lang, key, texts) => {
    expect([0, 1, 2, 5].map((n) => format(lang as "en" | "es", key, { n, location: "WH1" }))).toEqual(texts);
  });

  it("numbers inside a message are written as the language writes them", () => {
    expect(format("en", "fb.lines", { n: 1234567 })).toBe("1,234,567 lines");
    expect(format("es", "fb.lines", { n: 1234567 })).toBe("1.234.567 líneas");
    expect(format("es", "fb.lines", { n: 1234 })).toBe("1234 líneas"); // Spain groups from five digits
    expect(formatNumber("en", -1500)).toBe("\u22121,500");
    expect(formatNumber("es", 25000)).toBe("25.000");
  });
});

describe("dates and times by language, in the workstation's time zone", () => {
  const iso = "2026-12-04T11:05:00Z";
  it.each([
    ["en", "Europe/Madrid", "4 Dec 2026, 12:05"],
    ["es", "Europe/Madrid", "4 dic 2026, 12:05"],
    ["es", "UTC", "4 dic 2026, 11:05"],
  ] as const)("%s in %s", (lang, zone, text) => {
    expect(formatDateTime(lang, iso, zone)).toBe(text);
  });

  it("a lockout's end: the time alone today, the date too on another day; other text unchanged", () => {
    const now = Date.parse("2026-12-04T08:00:00Z");
    expect(formatClock("es", iso, now, "Europe/Madrid")).toBe("12:05");
    expect(formatClock("es", "2026-12-05T08:05:00Z", now, "Europe/Madrid")).toBe("5 dic 2026, 9:05");
    expect(formatDateTime("es", "not a time")).toBe("not a time");
  });
});

describe("which language a workstation speaks", () => {
  // (stored choice, system languages, language)
  const cases: [string | null, string[], string][] = [
    [null, [], "en"],
    [null, ["es-ES"], "es"],
    [null, ["es-MX", "en-US"], "es"],
    [null, ["es_ES.UTF-8"], "es"],
    [null, ["pl-PL", "es-ES"], "es"],
    [null, ["pl-PL", "de-DE"], "en"],
    [null, ["C"], "en"],
    ["en", ["es-ES"], "en"],
    ["es", ["en-GB"], "es"],
    ["fr", ["es-ES"], "es"],
    ["", ["de"], "en"],
  ];
  it.each(cases)("stored %j, system %j: %s", (stored, system, language) => {
    expect(pickLanguage(stored, system)).toBe(language);
  });

  it("reads the system's languages most preferred first", () => {
    expect(systemLanguages({ language: "es-ES", languages: ["es-ES", "en"] })).toEqual(["es-ES", "en"]);
    expect(systemLanguages({ language: "C", languages: [] })).toEqual(["C"]);
    expect(systemLanguages(undefined)).toEqual([]);
  });

  it("remembers the choice per workstation, and survives a storage that refuses", () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    expect(loadLanguage(storage)).toBeNull();
    saveLanguage("es", storage);
    expect(store.get(STORAGE_KEY)).toBe("es");
    expect(pickLanguage(loadLanguage(storage), ["en-GB"])).toBe("es");
    const broken = {
      getItem: () => {
        throw new Error("SecurityError");
      },
      setItem: () => {
        throw new Error("QuotaExceededError");
      },
    };
    expect(loadLanguage(broken)).toBeNull();
    expect(() => saveLanguage("es", broken)).not.toThrow();
    expect(loadLanguage(undefined)).toBeNull();
  });
});

describe("t() follows the workstation's language", () => {
  it("is English under Vitest, then Spanish once chosen", () => {
    expect(i18n.language).toBe("en");
    expect(t("fb.committed", { n: 2 })).toBe("Committed 2 lines");
    setLanguage("es", false);
    try {
      expect(t("fb.committed", { n: 2 })).toBe("2 líneas registradas");
      expect(t("fb.ready")).toBe("Listo para escanear");
    } finally {
      setLanguage("en", false);
    }
  });

  it("a message that cannot be formatted falls back, never throws", () => {
    // A missing argument (what a catalogue mistake would look like at run time).
    expect(format("es", "fb.lines", {})).toBe("fb.lines");
    expect(format("es", "fb.ready", {})).toBe("Listo para escanear");
  });
});

// Compile-time checks (svelte-check): a key that does not exist, or a missing or wrong argument.
export function typeChecks(): void {
  // @ts-expect-error: no such key
  t("fb.nope");
  // @ts-expect-error: the plural needs n
  t("fb.lines");
  // @ts-expect-error: n is a number
  t("fb.lines", { n: "2" });
  // @ts-expect-error: the message takes no arguments
  t("fb.ready", { n: 1 });
  t("fb.location", { location: "WH1" });
  t("fb.countedAt", { location: "WH1", parked: "" });
}

describe("the operating system's languages, from Rust", () => {
  it.each([
    // stored, from Rust, from the webview, expected
    [null, ["es-ES", "en-US"], ["en-US"], "es"],
    [null, ["pl-PL", "es-MX"], ["en-US"], "es"],
    [null, [], ["en-US"], "en"],
    [null, ["de-DE"], ["es"], "es"],
    ["en", ["es-ES"], ["en-US"], "en"],
    ["xx", ["es_ES.UTF-8"], [], "es"],
  ] as const)("stored %j, Rust %j, webview %j gives %s", (stored, fromRust, fromWebview, expected) => {
    expect(languageWithSystem(stored, fromRust, fromWebview)).toBe(expected);
  });
});
