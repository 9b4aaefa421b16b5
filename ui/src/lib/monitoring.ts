/**
 * How the monitoring screens read alerts, incidents and reconciliation gaps: one state, one
 * tone and one label each, never colour alone. Pure, so Vitest covers it.
 */
import type { AlertView, GapView, IncidentView } from "../api";

export type Tone = "good" | "warn" | "bad";
export type Status = { tone: Tone; label: string };

/** Open and unacknowledged is red; acknowledged but still firing is amber; resolved is green. */
export function alertStatus(a: AlertView): Status {
  if (a.resolvedAt) return { tone: "good", label: "Resolved" };
  if (a.ackedAt) return { tone: "warn", label: `Seen by ${a.ackedBy ?? "someone"}` };
  return { tone: "bad", label: "Open" };
}

export type AlertFilter = "open" | "all";

/** Open alerts (resolved ones hidden), unacknowledged first, newest first within each. */
export function visibleAlerts(list: AlertView[], filter: AlertFilter): AlertView[] {
  const shown = filter === "all" ? [...list] : list.filter((a) => !a.resolvedAt);
  const rank = (a: AlertView) => (a.resolvedAt ? 2 : a.ackedAt ? 1 : 0);
  return shown.sort((x, y) => rank(x) - rank(y) || Number(y.id) - Number(x.id));
}

/** Human names of the alert rules (capture crate's rule ids). */
const RULE_LABELS: Record<string, string> = {
  queue_depth: "Queue depth",
  no_success: "No successful update",
  failures: "Update failures",
  atp_below_safety: "ATP below safety stock",
  latency: "Sync latency",
  api_error_rate: "API error rate",
  webhook_capture: "Webhook capture rate",
  dead_letters: "Dead letters",
  incident_overdue: "Incident root cause overdue",
  discrepancy: "Reconciliation discrepancy",
  business_start_hour: "Business hours start (UTC hour)",
  business_end_hour: "Business hours end (UTC hour)",
};

export function ruleLabel(rule: string): string {
  return RULE_LABELS[rule] ?? rule.replaceAll("_", " ");
}

export function incidentStatus(i: IncidentView, now: number = Date.now()): Status {
  if (i.resolvedAt) return { tone: "good", label: "Resolved" };
  const due = Date.parse(i.dueAt);
  if (i.overdue || (!Number.isNaN(due) && due < now)) return { tone: "bad", label: "Root cause overdue" };
  if (!Number.isNaN(due)) {
    const hours = Math.max(0, Math.round((due - now) / 3_600_000));
    return { tone: "warn", label: `Root cause due in ${hours} h` };
  }
  return { tone: "warn", label: "Open" };
}

/** What each reconciliation class means, for the person reading the run. */
const GAP_CLASSES: Record<string, string> = {
  order_not_ingested: "An order the poll just booked explains it",
  channel_edit: "Someone changed the quantity on the channel",
  push_pending: "Our newer quantity is queued",
  push_stuck: "Our newer quantity has been queued too long",
  push_rejected: "The channel refused our quantity (dead letter)",
  unmapped_listing: "Orders name a listing we have no mapping for",
  listing_missing: "The channel does not know a mapped listing",
};

export function gapMeaning(gap: Pick<GapView, "class">): string {
  return GAP_CLASSES[gap.class] ?? gap.class.replaceAll("_", " ");
}

/** Gap counts by class, largest first: the run's summary line. */
export function gapSummary(gaps: Pick<GapView, "class">[]): { class: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const g of gaps) counts.set(g.class, (counts.get(g.class) ?? 0) + 1);
  return [...counts.entries()]
    .map(([cls, count]) => ({ class: cls, count }))
    .sort((a, b) => b.count - a.count || a.class.localeCompare(b.class));
}
