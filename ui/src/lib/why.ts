/**
 * "Why this number": the Sync drill-down's reading of the engine's derivation. Every figure
 * comes from Rust (the store's allocation, as `shelfsync sync explain` prints it); this only
 * lays the steps out in order with their labels, so a person can follow the arithmetic. No
 * step is computed here. Pure, so Vitest covers it.
 */
import type { AllocationView, ListingWhyView, PushView } from "../api";
import { count, signed } from "./format";
import { t } from "./i18n/index.svelte";

export type Step = { key: string; label: string; value: string; total?: boolean };

/** The steps from the feeding locations' ATP to the pushed quantity, in the engine's order:
 *  pool, safety stock kept back, the channel's share, buffer, cap, unseen channel sales, and
 *  flash-sale mode's share when the item sells fast. */
export function derivationSteps(a: AllocationView): Step[] {
  const steps: Step[] = a.locations.map((l) => ({ key: `atp-${l.location}`, label: t("sync.why.atpAt", { location: l.location }), value: count(l.atp) }));
  steps.push({ key: "pool", label: a.locations.length === 1 ? t("sync.why.poolOne") : t("sync.why.pool", { n: a.locations.length }), value: count(a.pool), total: true });
  steps.push({ key: "safety", label: t("sync.why.safety"), value: a.safetyStock === 0 ? "0" : `\u2212${count(a.safetyStock)}` });
  steps.push({ key: "share", label: t("sync.why.share", { percent: a.percent }), value: count(a.afterPercent), total: true });
  steps.push({ key: "buffer", label: t("sync.why.buffer"), value: a.buffer === 0 ? "0" : `\u2212${count(a.buffer)}` });
  steps.push({ key: "cap", label: t("sync.why.cap"), value: a.cap === null ? t("sync.why.none") : count(a.cap) });
  steps.push({ key: "channel", label: t("sync.why.channelSales"), value: signed(a.channelAdjustment) });
  if (a.flash) {
    const f = a.flash;
    const minutes = Math.round(f.windowSecs / 60);
    const window = f.windowSecs % 60 === 0 ? t("sync.why.minutes", { n: minutes }) : t("sync.why.seconds", { n: f.windowSecs });
    steps.push({
      key: "flash",
      label: t("sync.why.flash", { sales: count(f.salesInWindow), window, units: count(Math.max(f.sharedUnits, 0)), listings: f.listings }),
      value: count(f.share),
    });
  }
  steps.push({ key: "qty", label: t("sync.why.pushed"), value: count(a.qty), total: true });
  return steps;
}

export type ListingState = { tone: "good" | "warn" | "bad"; label: string };

/** Whether the channel shows what the ledger allocates now, and if not, why not yet. */
export function listingState(l: ListingWhyView): ListingState {
  if (l.queuedError) return { tone: "bad", label: t("sync.why.waiting", { qty: count(l.queuedQty ?? l.allocation.qty), error: l.queuedError }) };
  if (l.queuedQty !== null) return { tone: "warn", label: t("sync.why.queued", { qty: count(l.queuedQty) }) };
  if (l.channelQty === null) return { tone: "warn", label: t("sync.why.neverPushed") };
  if (l.channelQty !== l.allocation.qty) return { tone: "warn", label: t("sync.why.channelShows", { qty: count(l.channelQty) }) };
  return { tone: "good", label: t("sync.why.channelShows", { qty: count(l.channelQty) }) };
}

/** "shop · WH1" or "shop · all locations": one listing's name. */
export function listingName(l: { channel: string; location: string | null }): string {
  return `${l.channel} · ${l.location ?? t("sync.why.allLocations")}`;
}

/** Each push with the change from the one before it on the same listing (pushes come newest
 *  first; the oldest shown has nothing to compare with). */
export function pushRows(pushes: PushView[]): (PushView & { change: string })[] {
  return pushes.map((p, i) => {
    const older = pushes.slice(i + 1).find((q) => q.channel === p.channel && q.location === p.location);
    return { ...p, change: older ? signed(p.qty - older.qty) : "" };
  });
}
