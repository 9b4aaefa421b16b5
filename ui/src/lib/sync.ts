/** The sync dashboard's reading of a channel's status: one light, never colour alone. */
import type { ChannelCard } from "../api";

export type Light = { tone: "good" | "warn" | "bad"; label: string };

/** Queue older than this (or this deep) turns a "pending" channel amber rather than green. */
export const STALE_QUEUE_MS = 5 * 60_000;

export function channelLight(card: ChannelCard, now: number = Date.now()): Light {
  if (card.offlineSince || card.state.startsWith("offline")) return { tone: "bad", label: "Offline" };
  if (card.deadLetters > 0) return { tone: "bad", label: "Dead letters" };
  if (card.errorsLastHour > 0) return { tone: "warn", label: "Errors" };
  if (card.queueDepth > 0) {
    const oldest = card.oldestDirty ? Date.parse(card.oldestDirty) : NaN;
    if (!Number.isNaN(oldest) && now - oldest > STALE_QUEUE_MS) return { tone: "warn", label: "Behind" };
    return { tone: "good", label: "Pushing" };
  }
  return { tone: "good", label: "In sync" };
}

/** "3 min ago" style age of an RFC 3339 time, or "never". */
export function age(iso: string | null, now: number = Date.now()): string {
  if (!iso) return "never";
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}
