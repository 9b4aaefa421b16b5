import { describe, expect, it } from "vitest";

import type { AlertView, IncidentView, ScoreLineView } from "../api";
import { alertStatus, gapMeaning, gapSummary, incidentStatus, ruleLabel, scoreRow, visibleAlerts } from "./monitoring";

function alert(partial: Partial<AlertView>): AlertView {
  return {
    id: "1", rule: "queue_depth", subject: "shop", message: "m", value: 1, threshold: 0,
    openedAt: "2026-11-26T10:00:00Z", lastSeenAt: "2026-11-26T10:00:00Z", ackedAt: null, ackedBy: null, resolvedAt: null,
    ...partial,
  };
}

const NOW = Date.parse("2026-11-26T12:00:00Z");

function incident(partial: Partial<IncidentView>): IncidentView {
  return {
    id: "1", kind: "oversell", channel: "shop", sku: "SS-00001", location: "WH1", orderId: "o1", oversoldUnits: 2,
    context: "{}", openedAt: "2026-11-26T10:00:00Z", dueAt: "2026-11-28T10:00:00Z", overdue: false, cause: null,
    resolvedAt: null, resolvedBy: null, causeCategory: null, ...partial,
  };
}

describe("alerts", () => {
  it("reads open, seen and resolved", () => {
    expect(alertStatus(alert({}))).toEqual({ tone: "bad", label: "Open" });
    expect(alertStatus(alert({ ackedAt: "x", ackedBy: "super" }))).toEqual({ tone: "warn", label: "Seen by super" });
    expect(alertStatus(alert({ ackedAt: "x", resolvedAt: "y" }))).toEqual({ tone: "good", label: "Resolved" });
  });

  it("shows unacknowledged first and hides resolved unless asked", () => {
    const list = [
      alert({ id: "3", resolvedAt: "r" }),
      alert({ id: "2", ackedAt: "a", ackedBy: "super" }),
      alert({ id: "1" }),
      alert({ id: "4" }),
    ];
    expect(visibleAlerts(list, "open").map((a) => a.id)).toEqual(["4", "1", "2"]);
    expect(visibleAlerts(list, "all").map((a) => a.id)).toEqual(["4", "1", "2", "3"]);
    expect(list.map((a) => a.id)).toEqual(["3", "2", "1", "4"]);
  });

  it("names rules for people", () => {
    expect(ruleLabel("atp_below_safety")).toBe("ATP below safety stock");
    expect(ruleLabel("some_new_rule")).toBe("some new rule");
  });
});

describe("incidents", () => {
  it("counts down to the root-cause deadline, then says overdue", () => {
    expect(incidentStatus(incident({}), NOW)).toEqual({ tone: "warn", label: "Root cause due in 46 h" });
    expect(incidentStatus(incident({ dueAt: "2026-11-26T11:00:00Z" }), NOW)).toEqual({ tone: "bad", label: "Root cause overdue" });
    expect(incidentStatus(incident({ overdue: true }), NOW).label).toBe("Root cause overdue");
    expect(incidentStatus(incident({ resolvedAt: "x", overdue: true }), NOW)).toEqual({ tone: "good", label: "Resolved" });
  });
});

describe("reconciliation gaps", () => {
  it("explains classes and summarises a run", () => {
    expect(gapMeaning({ class: "channel_edit" })).toContain("changed the quantity on the channel");
    expect(gapMeaning({ class: "new_class" })).toBe("new class");
    const summary = gapSummary([{ class: "push_pending" }, { class: "channel_edit" }, { class: "push_pending" }]);
    expect(summary).toEqual([{ class: "push_pending", count: 2 }, { class: "channel_edit", count: 1 }]);
  });
});

describe("scorecard rows", () => {
  const line = (partial: Partial<ScoreLineView>): ScoreLineView => ({
    key: "api_error_rate_pct", label: "API error rate (%)", value: 0.4, target: 1, redFlag: 3,
    better: "lower", verdict: "met", detail: "2 failed of 500 calls", ...partial,
  });
  const cases: [string, Partial<ScoreLineView>, [string, string, string, string, string]][] = [
    ["met, lower is better", {}, ["0.4", "at most 1", "over 3", "good", "Met"]],
    ["missed", { value: 1.25, verdict: "missed" }, ["1.25", "at most 1", "over 3", "warn", "Missed"]],
    ["red flag", { value: 4.76, verdict: "red_flag" }, ["4.76", "at most 1", "over 3", "bad", "Red flag"]],
    ["higher is better", { value: 98, target: 99, redFlag: 97, better: "higher", verdict: "missed" }, ["98", "at least 99", "under 97", "warn", "Missed"]],
    ["no data", { value: null, verdict: "no_data", detail: "0 failed of 0 calls" }, ["—", "at most 1", "over 3", "muted", "No data yet"]],
    ["a job that never ran", { value: null, verdict: "red_flag", detail: "never run" }, ["never", "at most 1", "over 3", "bad", "Red flag"]],
  ];
  it.each(cases)("%s", (_name, partial, [value, target, redFlag, tone, label]) => {
    const row = scoreRow(line(partial));
    expect([row.value, row.target, row.redFlag, row.status.tone, row.status.label]).toEqual([value, target, redFlag, tone, label]);
  });
});
