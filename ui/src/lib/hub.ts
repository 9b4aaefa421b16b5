/**
 * How the sync dashboard reads this workstation's hub state (shelfsync_hub::status): one tone,
 * one label, the figures a person checks, and a note saying what to do. Pure, so Vitest covers
 * it; the screen only lays it out.
 */
import type { HubView } from "../api";
import { count } from "./format";
import { t } from "./i18n/index.svelte";
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
      label: t("sync.hub.standalone"),
      rows: [],
      note: t("sync.hub.standaloneNote", { command: JOIN_COMMAND }),
    };
  }
  const rows: HubRow[] = [
    { key: "workstation", label: t("sync.hub.workstation"), value: h.workstation },
    { key: "pending", label: t("sync.hub.pending"), value: count(h.pendingUp), bad: !h.connected && h.pendingUp > 0 },
    { key: "last-push", label: t("sync.hub.lastPush"), value: age(h.lastPush, now) },
    { key: "last-pull", label: t("sync.hub.lastPull"), value: age(h.lastPull, now) },
    { key: "lag", label: h.connected ? t("sync.hub.lag") : t("sync.hub.lagLast"), value: t("sync.hub.events", { n: count(h.lagEvents) }) },
    { key: "engine", label: t("sync.hub.engine"), value: engineHolder(h) },
  ];
  if (h.discrepancies > 0) rows.push({ key: "discrepancies", label: t("sync.hub.discrepancies"), value: count(h.discrepancies), bad: true });
  if (h.refused > 0) rows.push({ key: "refused", label: t("sync.hub.refused"), value: count(h.refused), bad: true });
  const where = h.hub ? ` ${h.hub}` : "";
  if (!h.connected) {
    const waiting = h.pendingUp > 0 ? ` ${t("sync.hub.waiting", { n: count(h.pendingUp) })}` : "";
    return {
      mode: "unreachable",
      tone: "bad",
      label: t("sync.hub.unreachable"),
      rows,
      note: t("sync.hub.offlineNote", { where }) + waiting + (h.lastError ? ` ${t("sync.hub.lastError", { error: h.lastError })}` : ""),
    };
  }
  const behind = h.pendingUp > 0 && olderThan(h.lastPush, STALE_PUSH_MS, now);
  if (behind) {
    return {
      mode: "connected",
      tone: "warn",
      label: t("sync.hub.notReplicating"),
      rows,
      note: t("sync.hub.behindNote", { where }),
    };
  }
  if (h.discrepancies > 0 || h.refused > 0) {
    return { mode: "connected", tone: "warn", label: t("sync.hub.needsLook"), rows, note: t("sync.hub.needsLookNote", { where }) };
  }
  return { mode: "connected", tone: "good", label: t("sync.hub.connected"), rows, note: t("sync.hub.connectedNote", { where }) };
}

function engineHolder(h: HubView): string {
  if (!h.connected) return t("sync.hub.engineUnknown");
  if (h.engine === null) return t("sync.hub.engineNone");
  return h.engine === h.workstation ? t("sync.hub.engineHere", { engine: h.engine }) : h.engine;
}

/** True when `iso` is missing or further back than `ms`. */
function olderThan(iso: string | null, ms: number, now: number): boolean {
  if (!iso) return true;
  const at = Date.parse(iso);
  return Number.isNaN(at) || now - at > ms;
}
