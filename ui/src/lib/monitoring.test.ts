import { describe, expect, it } from "vitest";

import type { AlertView, IncidentView } from "../api";
import { alertStatus, gapMeaning, gapSummary, incidentStatus, ruleLabel, visibleAlerts } from "./monitoring";

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
    resolvedAt: null, resolvedBy: null, ...partial,
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
