/**
 * How the monitoring screens read alerts, incidents and reconciliation gaps: one state, one
 * tone and one label each, never colour alone. Pure, so Vitest covers it.
 */
import type { AlertView, GapView, IncidentView, ScoreLineView } from "../api";
import { type PlainKey, t } from "./i18n/index.svelte";

export type Tone = "good" | "warn" | "bad";
export type Status = { tone: Tone; label: string };

/** Open and unacknowledged is red; acknowledged but still firing is amber; resolved is green. */
export function alertStatus(a: AlertView): Status {
  if (a.resolvedAt) return { tone: "good", label: t("sync.mon.resolved") };
  if (a.ackedAt) return { tone: "warn", label: t("sync.mon.seenBy", { who: a.ackedBy ?? t("sync.mon.someone") }) };
  return { tone: "bad", label: t("sync.mon.open") };
}

export type AlertFilter = "open" | "all";

/** Open alerts (resolved ones hidden), unacknowledged first, newest first within each. */
export function visibleAlerts(list: AlertView[], filter: AlertFilter): AlertView[] {
  const shown = filter === "all" ? [...list] : list.filter((a) => !a.resolvedAt);
  const rank = (a: AlertView) => (a.resolvedAt ? 2 : a.ackedAt ? 1 : 0);
  return shown.sort((x, y) => rank(x) - rank(y) || Number(y.id) - Number(x.id));
}

/** Human names of the alert rules (capture crate's rule ids). */
const RULE_LABELS: Record<string, PlainKey> = {
  queue_depth: "sync.rule.queue_depth",
  no_success: "sync.rule.no_success",
  failures: "sync.rule.failures",
  atp_below_safety: "sync.rule.atp_below_safety",
  latency: "sync.rule.latency",
  api_error_rate: "sync.rule.api_error_rate",
  webhook_capture: "sync.rule.webhook_capture",
  dead_letters: "sync.rule.dead_letters",
  incident_overdue: "sync.rule.incident_overdue",
  discrepancy: "sync.rule.discrepancy",
  business_start_hour: "sync.rule.business_start_hour",
  business_end_hour: "sync.rule.business_end_hour",
};

export function ruleLabel(rule: string): string {
  const key = RULE_LABELS[rule];
  return key ? t(key) : rule.replaceAll("_", " ");
}

export function incidentStatus(i: IncidentView, now: number = Date.now()): Status {
  if (i.resolvedAt) return { tone: "good", label: t("sync.mon.resolved") };
  const due = Date.parse(i.dueAt);
  if (i.overdue || (!Number.isNaN(due) && due < now)) return { tone: "bad", label: t("sync.mon.overdue") };
  if (!Number.isNaN(due)) {
    const hours = Math.max(0, Math.round((due - now) / 3_600_000));
    return { tone: "warn", label: t("sync.mon.dueIn", { hours }) };
  }
  return { tone: "warn", label: t("sync.mon.open") };
}

/** What each reconciliation class means, for the person reading the run. */
const GAP_CLASSES: Record<string, PlainKey> = {
  order_not_ingested: "sync.gap.order_not_ingested",
  channel_edit: "sync.gap.channel_edit",
  push_pending: "sync.gap.push_pending",
  push_stuck: "sync.gap.push_stuck",
  push_rejected: "sync.gap.push_rejected",
  unmapped_listing: "sync.gap.unmapped_listing",
  listing_missing: "sync.gap.listing_missing",
};

export function gapMeaning(gap: Pick<GapView, "class">): string {
  const key = GAP_CLASSES[gap.class];
  return key ? t(key) : gap.class.replaceAll("_", " ");
}

/** Gap counts by class, largest first: the run's summary line. */
export function gapSummary(gaps: Pick<GapView, "class">[]): { class: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const g of gaps) counts.set(g.class, (counts.get(g.class) ?? 0) + 1);
  return [...counts.entries()]
    .map(([cls, count]) => ({ class: cls, count }))
    .sort((a, b) => b.count - a.count || a.class.localeCompare(b.class));
}

/** One scorecard line as the table shows it: the value, the target and red flag with the side
 *  that is good ("at most 30", "under 97"), and the verdict in words and tone. Every figure
 *  and the verdict come from Rust; this only words them. */
export type ScoreRow = { value: string; target: string; redFlag: string; status: Status | { tone: "muted"; label: string } };

export function scoreRow(l: ScoreLineView): ScoreRow {
  const n = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2).replace(/0$/, ""));
  const lower = l.better === "lower";
  const status =
    l.verdict === "met"
      ? { tone: "good" as const, label: t("sync.score.met") }
      : l.verdict === "missed"
        ? { tone: "warn" as const, label: t("sync.score.missed") }
        : l.verdict === "red_flag"
          ? { tone: "bad" as const, label: t("sync.score.redFlag") }
          : { tone: "muted" as const, label: t("sync.score.noData") };
  return {
    value: l.value === null ? (l.detail === "never run" ? t("sync.age.never") : "—") : n(l.value),
    target: lower ? t("sync.score.atMost", { n: n(l.target) }) : t("sync.score.atLeast", { n: n(l.target) }),
    redFlag: lower ? t("sync.score.over", { n: n(l.redFlag) }) : t("sync.score.under", { n: n(l.redFlag) }),
    status,
  };
}
