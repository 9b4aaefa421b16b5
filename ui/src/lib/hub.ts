/**
 * How the sync dashboard reads this workstation's hub state (shelfsync_hub::status): one tone,
 * one label, the figures a person checks, and a note saying what to do. Pure, so Vitest covers
 * it; the screen only lays it out.
 */
import type { HubView } from "../api";
import { count } from "./format";
import { age } from "./sync";

export type HubTone = "good" | "warn" | "bad" | "neutral";
export type HubRow = { key: string; label: string; value: string; bad?: boolean };
export type HubPanel = {
  mode: "standalone" | "connected" | "unreachable";
  tone: HubTone;
  label: string;
  rows: HubRow[];
  note: string | null;
};

/** How a workstation joins a hub; the same words as the CLI reference. */
export const JOIN_COMMAND = "shelfsync hub connect URL --workstation NAME";

/** Local changes older than this still waiting to go up, while the hub answers, mean the
 *  replication loop (`shelfsync hub sync`) is not running here. */
export const STALE_PUSH_MS = 5 * 60_000;

export function hubPanel(h: HubView | null, now: number = Date.now()): HubPanel {
  if (!h || h.workstation === null) {
    return {
      mode: "standalone",
      tone: "neutral",
      label: "Standalone",
      rows: [],
      note: `standalone — \`${JOIN_COMMAND}\` to join`,
    };
  }
  const rows: HubRow[] = [
    { key: "workstation", label: "Workstation", value: h.workstation },
    { key: "pending", label: "Pending uploads", value: count(h.pendingUp), bad: !h.connected && h.pendingUp > 0 },
    { key: "last-push", label: "Last push", value: age(h.lastPush, now) },
    { key: "last-pull", label: "Last pull", value: age(h.lastPull, now) },
    { key: "lag", label: h.connected ? "Lag" : "Lag (at last contact)", value: `${count(h.lagEvents)} events` },
    { key: "engine", label: "Sync engine", value: engineHolder(h) },
  ];
  if (h.discrepancies > 0) rows.push({ key: "discrepancies", label: "Discrepancies", value: count(h.discrepancies), bad: true });
  if (h.refused > 0) rows.push({ key: "refused", label: "Refused events", value: count(h.refused), bad: true });
  const where = h.hub ? ` ${h.hub}` : "";
  if (!h.connected) {
    const waiting = h.pendingUp > 0 ? ` ${count(h.pendingUp)} local changes wait to go up.` : "";
    return {
      mode: "unreachable",
      tone: "bad",
      label: "Hub unreachable",
      rows,
      note: `Working offline: scans are kept here and go up when the hub${where} answers.${waiting}${h.lastError ? ` Last error: ${h.lastError}` : ""}`,
    };
  }
  const behind = h.pendingUp > 0 && olderThan(h.lastPush, STALE_PUSH_MS, now);
  if (behind) {
    return {
      mode: "connected",
      tone: "warn",
      label: "Not replicating",
      rows,
      note: `The hub${where} answers, but local changes have not gone up for a while: run \`shelfsync hub sync\` on this workstation.`,
    };
  }
  if (h.discrepancies > 0 || h.refused > 0) {
    return { mode: "connected", tone: "warn", label: "Connected, needs a look", rows, note: `Connected to${where}. See \`shelfsync hub discrepancies\`.` };
  }
  return { mode: "connected", tone: "good", label: "Connected", rows, note: `Connected to${where}.` };
}

function engineHolder(h: HubView): string {
  if (!h.connected) return "unknown (hub unreachable)";
  if (h.engine === null) return "none: no workstation holds the lease";
  return h.engine === h.workstation ? `${h.engine} (this workstation)` : h.engine;
}

/** True when `iso` is missing or further back than `ms`. */
function olderThan(iso: string | null, ms: number, now: number): boolean {
  if (!iso) return true;
  const t = Date.parse(iso);
  return Number.isNaN(t) || now - t > ms;
}
