import { describe, expect, it } from "vitest";

import type { HubView } from "../api";
import { hubPanel, JOIN_COMMAND } from "./hub";

const NOW = Date.parse("2026-11-26T12:00:00Z");

function hub(partial: Partial<HubView>): HubView {
  return {
    workstation: "pack-1", connected: true, pendingUp: 0, lastPush: "2026-11-26T11:59:50Z",
    lastPull: "2026-11-26T11:59:55Z", lagEvents: 0, engine: "pack-1", hub: "postgres@hub.lan:5432/ledger",
    discrepancies: 0, refused: 0, lastError: null,
    ...partial,
  };
}

const value = (panel: ReturnType<typeof hubPanel>, key: string) => panel.rows.find((r) => r.key === key)?.value;

describe("hub panel", () => {
  it("says standalone, with the join command, when the database never joined a hub", () => {
    for (const h of [null, hub({ workstation: null, connected: false, hub: null, engine: null })]) {
      const panel = hubPanel(h, NOW);
      expect(panel).toMatchObject({ mode: "standalone", tone: "neutral", label: "Standalone", rows: [] });
      expect(panel.note).toBe(`standalone — \`${JOIN_COMMAND}\` to join`);
    }
  });

  const cases: [string, Partial<HubView>, string, string, string][] = [
    ["connected and caught up", {}, "connected", "good", "Connected"],
    ["fresh local changes are normal", { pendingUp: 12, lastPush: "2026-11-26T11:58:00Z" }, "connected", "good", "Connected"],
    ["changes waiting with an old push", { pendingUp: 12, lastPush: "2026-11-26T11:00:00Z" }, "connected", "warn", "Not replicating"],
    ["changes waiting, never pushed", { pendingUp: 3, lastPush: null }, "connected", "warn", "Not replicating"],
    ["a discrepancy to look at", { discrepancies: 1 }, "connected", "warn", "Connected, needs a look"],
    ["hub gone", { connected: false, engine: null, pendingUp: 40, lastError: "cannot reach the hub" }, "unreachable", "bad", "Hub unreachable"],
  ];
  for (const [name, partial, mode, tone, label] of cases) {
    it(name, () => expect(hubPanel(hub(partial), NOW)).toMatchObject({ mode, tone, label }));
  }

  it("shows the figures and who runs the sync engine", () => {
    const panel = hubPanel(hub({ pendingUp: 1234, lagEvents: 5, engine: "pack-2" }), NOW);
    expect(value(panel, "workstation")).toBe("pack-1");
    expect(value(panel, "pending")).toBe("1,234");
    expect(value(panel, "last-push")).toBe("10 s ago");
    expect(value(panel, "last-pull")).toBe("5 s ago");
    expect(value(panel, "lag")).toBe("5 events");
    expect(value(panel, "engine")).toBe("pack-2");
    expect(value(hubPanel(hub({}), NOW), "engine")).toBe("pack-1 (this workstation)");
    expect(value(hubPanel(hub({ engine: null }), NOW), "engine")).toBe("none: no workstation holds the lease");
  });

  it("while the hub is unreachable, says what is kept and does not guess the engine", () => {
    const panel = hubPanel(hub({ connected: false, engine: null, pendingUp: 40, lagEvents: 7, lastError: "timed out" }), NOW);
    expect(value(panel, "engine")).toBe("unknown (hub unreachable)");
    expect(panel.rows.find((r) => r.key === "lag")).toMatchObject({ label: "Lag (at last contact)", value: "7 events" });
    expect(panel.rows.find((r) => r.key === "pending")?.bad).toBe(true);
    expect(panel.note).toContain("40 local changes wait to go up");
    expect(panel.note).toContain("Last error: timed out");
    expect(panel.note).toContain("postgres@hub.lan:5432/ledger");
  });

  it("lists refused events and discrepancies only when there are some", () => {
    expect(hubPanel(hub({}), NOW).rows.map((r) => r.key)).not.toContain("refused");
    const panel = hubPanel(hub({ refused: 2, discrepancies: 1 }), NOW);
    expect(panel.rows.filter((r) => r.bad).map((r) => r.key)).toEqual(["discrepancies", "refused"]);
  });
});
