/**
 * The Stock, Counts, Movements and shell areas in Spanish: plural forms, numbers by language,
 * and the words made from what Rust sends (event kinds, buckets), with Rust's own word when a
 * catalogue has none.
 */
import { describe, expect, it } from "vitest";

import { checkBulk, describeResult } from "../approvals";
import { buildStartRequest } from "../counts";
import { bucketLabel, count, kindLabel, qty } from "../format";
import { buildShip, buildWriteOff, eventSummary, outcomeLine, reasonLabel, shortBy, tabLabel, transferSummary } from "../movements";
import { setLanguage, t } from "./index.svelte";
import { format } from "./messages";

function inSpanish<T>(body: () => T): T {
  setLanguage("es", false);
  try {
    return body();
  } finally {
    setLanguage("en", false);
  }
}

describe("plural forms of the areas' messages", () => {
  // (key, arguments without n, English for n = 0, 1, 2, 1500, Spanish for the same)
  const cases: [Parameters<typeof format>[1], Record<string, string>, string[], string[]][] = [
    [
      "stock.showing",
      { shown: "200" },
      ["Showing 200 of 0 rows", "Showing 200 of 1 row", "Showing 200 of 2 rows", "Showing 200 of 1,500 rows"],
      ["Mostrando 200 de 0 filas", "Mostrando 200 de 1 fila", "Mostrando 200 de 2 filas", "Mostrando 200 de 1500 filas"],
    ],
    [
      "nav.signOutTitle",
      {},
      ["0 scanned lines are not committed", "1 scanned line is not committed", "2 scanned lines are not committed", "1,500 scanned lines are not committed"],
      ["0 líneas escaneadas no están registradas", "1 línea escaneada no está registrada", "2 líneas escaneadas no están registradas", "1500 líneas escaneadas no están registradas"],
    ],
    [
      "nav.export.done",
      { path: "/tmp/x.csv" },
      ["0 rows written to /tmp/x.csv", "1 row written to /tmp/x.csv", "2 rows written to /tmp/x.csv", "1,500 rows written to /tmp/x.csv"],
      ["0 filas escritas en /tmp/x.csv", "1 fila escrita en /tmp/x.csv", "2 filas escritas en /tmp/x.csv", "1500 filas escritas en /tmp/x.csv"],
    ],
  ];
  it.each(cases)("%s", (key, args, english, spanish) => {
    const ns = [0, 1, 2, 1500];
    expect(ns.map((n) => format("en", key, { ...args, n }))).toEqual(english);
    expect(ns.map((n) => format("es", key, { ...args, n }))).toEqual(spanish);
  });
});

describe("words from Rust's values", () => {
  it("event kinds and buckets in the language, Rust's word for one the catalogue lacks", () => {
    expect([kindLabel("write_off"), kindLabel("count_posting"), kindLabel("new_kind"), bucketLabel("on_hand")]).toEqual([
      "write off",
      "count posting",
      "new kind",
      "on hand",
    ]);
    expect(inSpanish(() => [kindLabel("write_off"), kindLabel("transfer_receive"), kindLabel("new_kind"), bucketLabel("on_hand"), bucketLabel("odd")])).toEqual([
      "baja",
      "entrada de traslado",
      "new kind",
      "en stock",
      "odd",
    ]);
  });

  it("numbers and hidden quantities by language", () => {
    expect([count(25000), count(-3), qty(null)]).toEqual(["25,000", "\u22123", "hidden"]);
    expect(inSpanish(() => [count(25000), count(-3), qty(null), t("stock.hiddenBlind")])).toEqual(["25.000", "\u22123", "oculto", "oculto (recuento ciego abierto)"]);
  });
});

describe("the Movements screen's words", () => {
  const event = { id: "e", seq: 1, kind: "write_off", occurredAt: "", actor: "sam", workstation: "ws", reason: null, reference: null, changes: [{ location: "WH1", bucket: "damaged", amount: -2 }] };
  const transfer = { id: "t", sku: "SS-00001", qty: 5, from: "WH1", to: "WH2", shippedBy: "sam", shippedAt: "" };
  it("in Spanish: tabs, reasons, form checks, summaries", () => {
    expect(
      inSpanish(() => [
        tabLabel("writeOff"),
        reasonLabel("vendor_return"),
        reasonLabel("new_code"),
        buildShip({ sku: "SS-00001", from: "WH1", to: "WH1", qty: "1" }),
        buildWriteOff({ sku: "SS-00001", location: "WH1", qty: "0", from: "damaged", code: "other", note: "" }, ["other"]),
        eventSummary(event as never),
        transferSummary(transfer as never),
        shortBy(transfer as never, "3"),
      ]),
    ).toEqual([
      "Baja",
      "Devolución a proveedor",
      "New code",
      { ok: false, message: "Un traslado necesita dos ubicaciones distintas." },
      { ok: false, message: "La cantidad es un número entero de 1 a 1.000.000." },
      "baja · \u22122 dañado en WH1",
      "SS-00001: 5 de WH1 a WH2",
      "faltan 2",
    ]);
    expect([tabLabel("writeOff"), reasonLabel("vendor_return")]).toEqual(["Write-off", "Vendor return"]);
  });

  it("Rust's outcome line: as Rust wrote it in English, from its parts in Spanish", () => {
    const posted = { eventId: "e", kind: "transfer_ship", posted: true, seq: 9, approval: null, value: null, sku: "SS-00002", at: "WH1 -> WH2", message: "Recorded transfer ship of SS-00002 at WH1 -> WH2." };
    const waits = { ...posted, kind: "write_off", posted: false, seq: null, approval: "a", value: "600.00", at: "WH1", message: "This write off is worth 600.00, above the approval value: it waits for another supervisor's approval." };
    expect(outcomeLine(posted).text).toBe(posted.message);
    // The catalogue's English says what Rust says (kept in step with src-tauri/src/movements.rs).
    expect(format("en", "movements.recorded", { kind: "transfer ship", sku: "SS-00002", at: "WH1 -> WH2" })).toBe(posted.message);
    expect(format("en", "movements.waits", { kind: "write off", value: "600.00" })).toBe(waits.message);
    expect(inSpanish(() => [outcomeLine(posted), outcomeLine(waits)])).toEqual([
      { tone: "ok", text: "Registrado: salida de traslado de SS-00002 en WH1 → WH2." },
      { tone: "warn", text: "Este movimiento (baja) vale 600,00, por encima del valor de aprobación: espera la aprobación de otro supervisor." },
    ]);
  });
});

describe("the Counts and Approvals screens' words", () => {
  it("in Spanish: the start form's checks, the bulk form's checks and the answer", () => {
    const result = { decided: 2, refused: 1, lines: [{ id: "zz", sku: null, outcome: "refused" as const, error: null }] };
    expect(
      inSpanish(() => [
        buildStartRequest({ location: " ", kind: "location", skus: "", klass: "A", top: "20", blind: true }),
        buildStartRequest({ location: "WH1", kind: "top", skus: "", klass: "A", top: "0", blind: true }),
        checkBulk(0, "approve", "ok", "2222", ""),
        checkBulk(1, "approve", "ok", "", ""),
        describeResult({ ...result, refused: 0, lines: [] }, "approve").summary,
        describeResult({ ...result, decided: 1, refused: 0, lines: [] }, "recount").summary,
        describeResult(result, "reject"),
        t("counts.submitted", { scope: "WH1", n: 0 }),
        t("counts.submitted", { scope: "WH1", n: 1 }),
      ]),
    ).toEqual([
      { ok: false, message: "Elija la ubicación que quiere contar." },
      { ok: false, message: "N es un número entero de 1 a 10000." },
      "Seleccione al menos un elemento.",
      "Introduzca su PIN para confirmar.",
      "2 elementos aprobados.",
      "1 elemento enviado a recontar.",
      { summary: "2 rechazados, 1 no admitidos (no cambió nada en esos).", refused: ["zz: no admitido"], allDone: false },
      "Enviado WH1: nada espera a un supervisor.",
      "Enviado WH1: 1 diferencia espera a un supervisor.",
    ]);
    expect(t("counts.submitted", { scope: "WH1", n: 2 })).toBe("Submitted WH1: 2 variances wait for a supervisor.");
    expect(t("counts.approvals.done.approve", { sku: "SS-00001", location: "WH1" })).toBe("Approved: SS-00001 at WH1");
  });
});
