/**
 * Settings and Sync in Spanish (issue 19): the helpers those screens show, through the same
 * t() the screens call, with plural forms and numbers as Spain writes them. English is
 * covered by each helper's own test file.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { FlashSaleView, HubView, LinkReviewView } from "../api";
import { checkFirstAdmin, linkButtonLabel, linkOutcome } from "./firstRun";
import { flashSummary, parseFlashForm } from "./flashSale";
import { floorSettingProblem } from "./floorSettings";
import { hubPanel } from "./hub";
import { setLanguage } from "./i18n/index.svelte";
import { buildRequest } from "./labels";
import { importBar, repushBar } from "./progress";
import { ruleLabel } from "./monitoring";
import { checkImport, checkRule } from "./settingsForms";
import { age, channelLight } from "./sync";
import { settingField, sourceText } from "./workstation";

beforeAll(() => setLanguage("es", false));
afterAll(() => setLanguage("en", false));

const NOW = Date.parse("2026-11-26T12:00:00Z");

const review = (over: Partial<LinkReviewView>): LinkReviewView => ({
  channel: "tienda", matched: 0, unmatchedOurs: 0, unmatchedTheirs: 0, ambiguous: 0, rows: [], linked: null,
  location: "WH1", shopLocation: null, alreadyLinked: 0, ...over,
});

describe("Settings in Spanish", () => {
  it.each([
    ["a share that is not a number", () => checkRule("", "x", "0", "", "central"), "La cuota: debe ser un número entero, como 0."],
    ["a buffer past the limit", () => checkRule("", "10", "2000000", "", "central"), "El colchón: debe ser de 0 a 1.000.000."],
    ["an admin-only import", () => checkImport("items", { size: 10 }, false), "Solo un administrador puede importar artículos."],
    ["no file", () => checkImport("stock", null, true), "Elija un archivo CSV para importar."],
    ["a flash window of two days", () => parseFlashForm("2880", "5"), "La ventana (minutos): debe ser de 1 a 1440."],
  ] as const)("%s", (_name, check, message) => {
    expect(check()).toEqual({ ok: false, message });
  });

  it("words the flash-sale summary with Spanish plurals", () => {
    const v = (partial: Partial<FlashSaleView>): FlashSaleView => ({ on: true, windowSecs: 600, triggerSales: 5, sellingFast: [], ...partial });
    expect(flashSummary(v({ on: false }))).toBe("Desactivado: cada canal publica lo que da su regla.");
    expect(flashSummary(v({}))).toBe("Activado: 5 ventas en canales en 10 minutos hacen que un artículo se venda rápido; ahora ningún artículo se vende rápido.");
    const listing = { sku: "S1", channel: "shop", listedNow: 3, share: 3, salesInWindow: 6 };
    expect(flashSummary(v({ triggerSales: 1, windowSecs: 60, sellingFast: [listing] }))).toBe(
      "Activado: 1 venta en un canal en 1 minuto hace que un artículo se venda rápido; 1 publicación comparte ahora las existencias de su artículo.",
    );
  });

  it("the link review counts in Spanish", () => {
    expect(linkButtonLabel(review({ matched: 1 }))).toBe("Vincular 1 publicación");
    expect(linkButtonLabel(review({ matched: 1200 }))).toBe("Vincular 1200 publicaciones");
    expect(linkOutcome(review({ matched: 2, linked: 2 }))).toBe("2 publicaciones vinculadas. ShelfSync envía ahora sus existencias a tienda.");
    expect(linkOutcome(review({ alreadyLinked: 1 }))).toBe("Nada nuevo que vincular: 1 publicación ya vinculada.");
  });

  it("workstation settings, floor settings and labels", () => {
    expect(settingField("idle_lock_secs").label).toBe("Bloquear tras inactividad (segundos)");
    expect(sourceText({ source: "env", envVar: null })).toBe("Fijado por una variable de entorno en esta máquina; cámbielo allí.");
    expect(floorSettingProblem("confirmAbove", 0)).toBe("Confirmar por encima de es un número entero de 1 a 100.000.");
    expect(buildRequest("item", "SS-1", { lot: "", expiry: "", copies: "0" })).toEqual({ ok: false, message: "Copias: un número entero de 1 a 100." });
  });
});

describe("Sync and first run in Spanish", () => {
  it("reads channels, ages and the hub", () => {
    const card = { offlineSince: null, state: "ok", deadLetters: 0, errorsLastHour: 0, queueDepth: 0, oldestDirty: null };
    expect(channelLight(card as never, NOW).label).toBe("Sincronizado");
    expect(age("2026-11-26T11:55:00Z", NOW)).toBe("hace 5 min");
    expect(age(null, NOW)).toBe("nunca");
    const h: HubView = {
      workstation: "pack-1", connected: false, pendingUp: 3, lastPush: null, lastPull: null, lagEvents: 0, engine: null,
      hub: "hub.lan", discrepancies: 0, refused: 0, lastError: null,
    };
    const panel = hubPanel(h, NOW);
    expect(panel.label).toBe("Hub inaccesible");
    expect(panel.note).toBe("Trabajando sin conexión: los escaneos se guardan aquí y suben cuando el hub hub.lan responda. 3 cambios locales esperan para subir.");
    expect(ruleLabel("queue_depth")).toBe("Longitud de la cola");
  });

  it("words the import and re-push bars", () => {
    const imp = { kind: "items", total: 1234, done: 500, finished: false, imported: null, badLines: [] };
    expect(importBar(imp as never).label).toBe("Importando: 500 de 1234 artículos escritos");
    expect(importBar({ ...imp, kind: "stock", done: 1, total: 1, finished: true, imported: 1 } as never).label).toBe("Importado: 1 fila de existencias");
    expect(importBar({ ...imp, finished: true } as never).label).toBe("Importación rechazada: no se ha importado nada");
    expect(importBar({ ...imp, kind: "packs", done: 1, total: 1, finished: true, imported: 1 } as never).label).toBe("Importado: 1 paquete");
    expect(repushBar({ channel: "shop", total: 20000, remaining: 0 } as never).label).toBe("Reenvío terminado: 20.000 publicaciones enviadas");
  });

  it("checks the first admin in Spanish", () => {
    expect(checkFirstAdmin("ada", "1234", "4321")).toEqual({ ok: false, message: "Los dos PIN no son iguales. Escriba el mismo PIN en ambos campos." });
  });
});
