/**
 * The offline banner's rule (design.md §5 and §8: offline is normal, the queue grows, and the UI
 * says so). Pure, read from the sync engine's own per-channel status, so Vitest covers it.
 *
 * The banner shows when updates cannot reach a channel:
 *  - unreachable: the engine marked a channel offline (its last attempts failed to connect;
 *    `offlineSince` is cleared by the next successful push), whatever the queue holds; or
 *  - not pushing: updates have waited longer than `STALLED_MS` and no channel update succeeded
 *    in that time (no engine runs for this database, or it is stuck). A busy engine that keeps
 *    succeeding while a long queue drains is "behind" on its card, not offline.
 * The number shown is every update waiting in the outbox, across channels.
 */
import type { ChannelCard } from "../api";
import { t } from "./i18n/index.svelte";

/** Two minutes: far beyond the engine's idle poll and a few retries, short enough that staff
 *  learn quickly that the channels do not see their scans yet. */
export const STALLED_MS = 2 * 60_000;

export type OfflineBanner = {
  reason: "unreachable" | "not-pushing";
  /** Updates waiting in the outbox, all channels. */
  pending: number;
  channels: string[];
  title: string;
  detail: string;
};

export function offlineBanner(cards: ChannelCard[], now: number = Date.now()): OfflineBanner | null {
  const pending = cards.reduce((sum, c) => sum + c.queueDepth, 0);
  const waiting = t("offline.waiting", { n: pending });
  const offline = cards.filter((c) => c.offlineSince !== null || c.state.startsWith("offline"));
  if (offline.length > 0) {
    const names = offline.map((c) => c.channel);
    return {
      reason: "unreachable",
      pending,
      channels: names,
      title: t("offline.unreachable", { channels: names.join(", "), n: names.length }),
      detail: t("offline.unreachableDetail", { waiting }),
    };
  }
  if (pending === 0) return null;
  const stalled = cards.filter(
    (c) => c.queueDepth > 0 && olderThan(c.oldestDirty, STALLED_MS, now) && olderThan(c.lastSuccess, STALLED_MS, now),
  );
  const anySuccess = cards.some((c) => !olderThan(c.lastSuccess, STALLED_MS, now));
  if (stalled.length === 0 || anySuccess) return null;
  const names = stalled.map((c) => c.channel);
  return {
    reason: "not-pushing",
    pending,
    channels: names,
    title: t("offline.notSyncing", { channels: names.join(", "), minutes: Math.round(STALLED_MS / 60_000) }),
    // Staff read this on every screen: what happens and whom to tell, not how the engine works.
    detail: t("offline.notSyncingDetail", { waiting }),
  };
}

/** True when `iso` is missing, unreadable or further back than `ms`. */
function olderThan(iso: string | null, ms: number, now: number): boolean {
  if (!iso) return true;
  const t = Date.parse(iso);
  return Number.isNaN(t) || now - t > ms;
}
