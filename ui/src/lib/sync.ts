/** The sync dashboard's reading of a channel's status: one light, never colour alone. */
import type { ChannelCard } from "../api";
import { t } from "./i18n/index.svelte";

export type Light = { tone: "good" | "warn" | "bad"; label: string };

/** Queue older than this (or this deep) turns a "pending" channel amber rather than green. */
export const STALE_QUEUE_MS = 5 * 60_000;

export function channelLight(card: ChannelCard, now: number = Date.now()): Light {
  if (card.offlineSince || card.state.startsWith("offline")) return { tone: "bad", label: t("sync.light.offline") };
  if (card.deadLetters > 0) return { tone: "bad", label: t("sync.light.deadLetters") };
  if (card.errorsLastHour > 0) return { tone: "warn", label: t("sync.light.errors") };
  if (card.queueDepth > 0) {
    const oldest = card.oldestDirty ? Date.parse(card.oldestDirty) : NaN;
    if (!Number.isNaN(oldest) && now - oldest > STALE_QUEUE_MS) return { tone: "warn", label: t("sync.light.behind") };
    return { tone: "good", label: t("sync.light.pushing") };
  }
  return { tone: "good", label: t("sync.light.inSync") };
}

/** "3 min ago" style age of an RFC 3339 time, or "never". */
export function age(iso: string | null, now: number = Date.now()): string {
  if (!iso) return t("sync.age.never");
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 60) return t("sync.age.s", { n: s });
  if (s < 3600) return t("sync.age.min", { n: Math.round(s / 60) });
  if (s < 86_400) return t("sync.age.h", { n: Math.round(s / 3600) });
  return t("sync.age.d", { n: Math.round(s / 86_400) });
}
