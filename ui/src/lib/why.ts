/**
 * "Why this number": the Sync drill-down's reading of the engine's derivation. Every figure
 * comes from Rust (the store's allocation, as `shelfsync sync explain` prints it); this only
 * lays the steps out in order with their labels, so a person can follow the arithmetic. No
 * step is computed here. Pure, so Vitest covers it.
 */
import type { AllocationView, ListingWhyView, PushView } from "../api";
import { count, signed } from "./format";

export type Step = { key: string; label: string; value: string; total?: boolean };

/** The steps from the feeding locations' ATP to the pushed quantity, in the engine's order:
 *  pool, safety stock kept back, the channel's share, buffer, cap, unseen channel sales. */
export function derivationSteps(a: AllocationView): Step[] {
  const steps: Step[] = a.locations.map((l) => ({ key: `atp-${l.location}`, label: `ATP at ${l.location}`, value: count(l.atp) }));
  steps.push({ key: "pool", label: a.locations.length === 1 ? "Pool (one location)" : `Pool (${a.locations.length} locations)`, value: count(a.pool), total: true });
  steps.push({ key: "safety", label: "Safety stock kept back", value: a.safetyStock === 0 ? "0" : `\u2212${count(a.safetyStock)}` });
  steps.push({ key: "share", label: `Channel share ${a.percent} %`, value: count(a.afterPercent), total: true });
  steps.push({ key: "buffer", label: "Buffer", value: a.buffer === 0 ? "0" : `\u2212${count(a.buffer)}` });
  steps.push({ key: "cap", label: "Cap", value: a.cap === null ? "none" : count(a.cap) });
  steps.push({ key: "channel", label: "Sales on the channel not yet in the ledger", value: signed(a.channelAdjustment) });
  steps.push({ key: "qty", label: "Pushed quantity", value: count(a.qty), total: true });
  return steps;
}

export type ListingState = { tone: "good" | "warn" | "bad"; label: string };

/** Whether the channel shows what the ledger allocates now, and if not, why not yet. */
export function listingState(l: ListingWhyView): ListingState {
  if (l.queuedError) return { tone: "bad", label: `Waiting to push ${count(l.queuedQty ?? l.allocation.qty)}: ${l.queuedError}` };
  if (l.queuedQty !== null) return { tone: "warn", label: `Queued: ${count(l.queuedQty)} goes out next` };
  if (l.channelQty === null) return { tone: "warn", label: "Never pushed" };
  if (l.channelQty !== l.allocation.qty) return { tone: "warn", label: `Channel shows ${count(l.channelQty)}` };
  return { tone: "good", label: `Channel shows ${count(l.channelQty)}` };
}

/** "shop · WH1" or "shop · all locations": one listing's name. */
export function listingName(l: { channel: string; location: string | null }): string {
  return `${l.channel} · ${l.location ?? "all locations"}`;
}

/** Each push with the change from the one before it on the same listing (pushes come newest
 *  first; the oldest shown has nothing to compare with). */
export function pushRows(pushes: PushView[]): (PushView & { change: string })[] {
  return pushes.map((p, i) => {
    const older = pushes.slice(i + 1).find((q) => q.channel === p.channel && q.location === p.location);
    return { ...p, change: older ? signed(p.qty - older.qty) : "" };
  });
}
