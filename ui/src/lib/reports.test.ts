import { describe, expect, it } from "vitest";

import type { AccuracyPointView, DriftRunView, ShrinkView, VarianceBarView } from "../api";
import { format } from "./i18n/messages";
import {
  BAR_LABEL_WIDTH,
  BAR_ROW,
  BAR_VALUE_WIDTH,
  CHART_WIDTH,
  LINE_HEIGHT,
  MAX_BARS,
  type Datum,
  accuracyData,
  chartSummary,
  driftData,
  layoutBars,
  layoutLine,
  moneyText,
  packRequest,
  reasonLabel,
  shrinkData,
  thisMonth,
  varianceData,
} from "./reports";

const datum = (key: string, value: number): Datum => ({ key, label: key, value, text: String(value), detail: "" });

describe("bars", () => {
  const plot = CHART_WIDTH - BAR_VALUE_WIDTH - BAR_LABEL_WIDTH;

  // (values, zero line's x, each bar's [x, width, negative])
  const cases: [number[], number, [number, number, boolean][]][] = [
    [[10, 5], BAR_LABEL_WIDTH, [[BAR_LABEL_WIDTH, plot, false], [BAR_LABEL_WIDTH, plot / 2, false]]],
    [[-10, -5], BAR_LABEL_WIDTH + plot, [[BAR_LABEL_WIDTH, plot, true], [BAR_LABEL_WIDTH + plot / 2, plot / 2, true]]],
    [[-5, 15], BAR_LABEL_WIDTH + plot / 4, [[BAR_LABEL_WIDTH, plot / 4, true], [BAR_LABEL_WIDTH + plot / 4, (plot * 3) / 4, false]]],
    [[0, 0], BAR_LABEL_WIDTH, [[BAR_LABEL_WIDTH, 0, false], [BAR_LABEL_WIDTH, 0, false]]],
  ];
  it.each(cases)("values %j", (values, zeroX, want) => {
    const layout = layoutBars(values.map((v, i) => datum(`k${i}`, v)));
    expect(layout.zeroX).toBeCloseTo(zeroX);
    expect(layout.bars.map((b) => [b.x, b.width, b.negative])).toEqual(want.map(([x, w, n]) => [expect.closeTo(x), expect.closeTo(w), n]));
    expect(layout.bars.map((b) => b.y)).toEqual(values.map((_, i) => i * BAR_ROW));
    expect(layout.height).toBe(values.length * BAR_ROW);
  });

  it("draws at most MAX_BARS rows and keeps a row's height with none", () => {
    const many = Array.from({ length: MAX_BARS + 5 }, (_, i) => datum(`k${i}`, i));
    expect(layoutBars(many).bars).toHaveLength(MAX_BARS);
    expect(layoutBars([]).height).toBe(BAR_ROW);
  });
});

describe("lines", () => {
  it("spaces points evenly on the scale asked for, top is the maximum", () => {
    const layout = layoutLine([datum("a", 0), datum("b", 50), datum("c", 100)], { min: 0, max: 100 });
    const [a, b, c] = layout.points;
    expect(a.y).toBe(layout.baseline);
    expect(c.y).toBe(12);
    expect(b.y).toBeCloseTo((layout.baseline + 12) / 2);
    expect(b.x - a.x).toBeCloseTo(c.x - b.x);
    expect(layout.path).toMatch(/^M[\d.]+,[\d.]+ L[\d.]+,[\d.]+ L[\d.]+,[\d.]+$/);
    expect(layout.ticks.map((t) => t.text)).toEqual(["0", "25", "50", "75", "100"]);
    expect(layout.height).toBe(LINE_HEIGHT);
  });

  it("one point is a dot with no line; values off the scale stay on it", () => {
    const one = layoutLine([datum("a", 150)], { min: 0, max: 100 });
    expect(one.path).toBe("");
    expect(one.points[0].y).toBe(12);
    const auto = layoutLine([datum("a", 0), datum("b", 0)]);
    expect(auto.ticks.at(-1)?.text).toBe("1");
  });
});

describe("the reports' rows as chart data", () => {
  it("variance draws the net value, a shortfall negative, with lines and units beside", () => {
    const rows: VarianceBarView[] = [
      { key: "CNT-1", label: "all of WH1 at WH1", at: "2026-11-30T08:00:00.000Z", lines: 4, netUnits: -2, netValueCents: -500, absValueCents: 1000 },
    ];
    const [session] = varianceData(rows, "session");
    expect(session).toEqual({ key: "CNT-1", label: "all of WH1 at WH1 · 2026-11-30", value: -5, text: "\u22125.00", detail: "4 lines, -2 units net, 10.00 absolute" });
    expect(varianceData(rows, "location")[0].label).toBe("all of WH1 at WH1");
  });

  it("accuracy goes oldest first as a percentage", () => {
    const points: AccuracyPointView[] = [
      { month: "2026-11", lines: 40, withinTolerance: 39, accuracyPct: 97.5, netValueCents: 0, absValueCents: 0 },
      { month: "2026-10", lines: 2, withinTolerance: 1, accuracyPct: 50, netValueCents: 0, absValueCents: 0 },
    ];
    expect(accuracyData(points).map((d) => [d.label, d.value, d.text, d.detail])).toEqual([
      ["2026-10", 50, "50.0 %", "1 of 2 lines within tolerance"],
      ["2026-11", 97.5, "97.5 %", "39 of 40 lines within tolerance"],
    ]);
  });

  it("shrink names its reasons and prints value without a sign", () => {
    const view: ShrinkView = {
      days: 90,
      since: "",
      until: "",
      rows: [
        { reason: "theft", events: 1, units: 2, valueCents: 2000 },
        { reason: "count_variance", events: 2, units: 4, valueCents: 1000 },
        { reason: "mystery", events: 1, units: 1, valueCents: 5 },
      ],
    };
    expect(shrinkData(view).map((d) => [d.label, d.value, d.text, d.detail])).toEqual([
      ["Theft", 20, "20.00", "2 units in 1 event"],
      ["Count variance", 10, "10.00", "4 units in 2 events"],
      ["mystery", 0.05, "0.05", "1 unit in 1 event"],
    ]);
    expect(reasonLabel("unspecified")).toBe("No reason given");
  });

  it("drift history goes oldest first, flagged per run", () => {
    const run = (id: number, startedAt: string, flagged: number): DriftRunView => ({
      id, scope: "top", top: 50, startedAt, finishedAt: startedAt, checked: 100, flagged, rowsKept: "all", actor: "service",
    });
    const data = driftData([run(2, "2026-12-02T06:00:00Z", 3), run(1, "2026-12-01T06:00:00Z", 0)]);
    expect(data.map((d) => [d.key, d.value, d.detail])).toEqual([["1", 0, "100 checked, top"], ["2", 3, "100 checked, top"]]);
  });

  it("money reads with a real minus and a plus", () => {
    expect([moneyText(-1250), moneyText(300), moneyText(0)]).toEqual(["\u221212.50", "+3.00", "0.00"]);
  });
});

describe("what a screen reader hears", () => {
  it("the title and every value, the first 12", () => {
    expect(chartSummary("Accuracy", [])).toBe("Accuracy: nothing to draw yet.");
    const data = Array.from({ length: 14 }, (_, i) => datum(`m${i}`, i));
    const summary = chartSummary("Accuracy", data);
    expect(summary.startsWith("Accuracy. m0: 0; m1: 1;")).toBe(true);
    expect(summary.endsWith("m11: 11; and 2 more")).toBe(true);
  });
});

describe("which count pack", () => {
  const cases: [string, string, ReturnType<typeof packRequest>][] = [
    ["", "2026-11", { ok: true, session: null, month: "2026-11" }],
    ["CNT-7", "", { ok: true, session: "CNT-7", month: null }],
    ["", "", { ok: false, message: "Name one count session or one month (YYYY-MM) to pack." }],
    ["CNT-7", "2026-11", { ok: false, message: "Name one count session or one month (YYYY-MM) to pack." }],
    ["", "2026-13", { ok: false, message: "'2026-13' is not a month: write it as YYYY-MM (for example 2026-11)" }],
    ["", "Nov", { ok: false, message: "'Nov' is not a month: write it as YYYY-MM (for example 2026-11)" }],
  ];
  it.each(cases)("session %j month %j", (session, month, want) => {
    expect(packRequest(session, month)).toEqual(want);
  });

  it("this month is the UTC month", () => {
    expect(thisMonth(new Date("2026-12-31T23:30:00-02:00"))).toBe("2027-01");
  });
});

describe("the reports' words in Spanish (Spain)", () => {
  // (key, arguments, Spanish)
  const cases: [Parameters<typeof format>[1], Record<string, string | number>, string][] = [
    ["reports.shrink.detail", { units: 1, events: 1 }, "1 unidad en 1 movimiento"],
    ["reports.shrink.detail", { units: 1200, events: 3 }, "1200 unidades en 3 movimientos"],
    ["reports.pack.saved", { title: "Recuento CNT-7", lines: 2, path: "/r/p.pdf" }, "Recuento CNT-7: 2 líneas guardadas en /r/p.pdf"],
    ["reports.audit.intact", { count: "1234", n: 1234 }, "Cadena íntegra: 1234 entradas verificadas."],
    ["reports.pack.badMonth", { month: "2026-13" }, "'2026-13' no es un mes: escríbalo como AAAA-MM (por ejemplo 2026-11)"],
    ["reports.dead.retried", { n: 1 }, "1 mensaje fallido vuelve a la cola."],
  ];
  it.each(cases)("%s %j", (key, args, want) => {
    expect(format("es", key, args)).toBe(want);
  });
});
