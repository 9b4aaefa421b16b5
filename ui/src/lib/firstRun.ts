/**
 * The first-run screen's rules, pure so Vitest covers them: which screen a start shows, the
 * wizard's steps and what lets a person move on, and the first admin's form. Rust checks every
 * value again and holds the rule that set-up ends once an admin exists (src-tauri/src/first_run.rs).
 */
import type { AppInfo, LinkReviewView, LinkRowView, LinkStatusView } from "../api";
import { NAME_MAX, PIN_MAX, PIN_MIN } from "./forms";
import { t } from "./i18n/index.svelte";
import type { Parsed } from "./settingsForms";

/** What the main area shows once the database is open. */
export type StartView = "loading" | "firstRun" | "signIn";

/**
 * The first-run screen shows while the database has no users, and also after the wizard has
 * created the first admin until the person finishes it (`settingUp`): Rust then reports
 * `needsSetup: false`, but the wizard's later steps are still to come.
 */
export function startView(info: AppInfo | null, settingUp: boolean): StartView {
  if (info?.phase !== "ready") return "loading";
  if (info.needsSetup || settingUp) return "firstRun";
  return "signIn";
}

export type Step = "admin" | "locations" | "items" | "channel" | "finish";

export const STEPS: { step: Step; readonly title: string; optional: boolean }[] = [
  { step: "admin", get title() { return t("sync.first.stepAdmin"); }, optional: false },
  { step: "locations", get title() { return t("sync.first.stepLocations"); }, optional: false },
  { step: "items", get title() { return t("sync.first.stepItems"); }, optional: true },
  { step: "channel", get title() { return t("sync.first.stepChannel"); }, optional: true },
  { step: "finish", get title() { return t("sync.first.stepFinish"); }, optional: false },
];

/** What the wizard has done so far, as far as the steps' rules care. */
export interface Progress {
  adminCreated: boolean;
  locations: number;
  /** Items in the database (after an import, or already there). */
  items: number;
  /** The channel added in the channel step, if any. */
  channel: string | null;
}

/** Why a step cannot be left forwards yet, or null when it can. */
export function blockedBy(step: Step, p: Progress): string | null {
  switch (step) {
    case "admin":
      return p.adminCreated ? null : t("sync.first.blockedAdmin");
    case "locations":
      return p.locations > 0 ? null : t("sync.first.blockedLocations");
    default:
      return null;
  }
}

/** The step after `step`; the last step stays. */
export function nextStep(step: Step): Step {
  const i = STEPS.findIndex((s) => s.step === step);
  return STEPS[Math.min(i + 1, STEPS.length - 1)].step;
}

/** The step before, never back past the admin once created (it cannot be created twice). */
export function previousStep(step: Step, p: Progress): Step | null {
  const i = STEPS.findIndex((s) => s.step === step);
  if (i <= 0) return null;
  const prev = STEPS[i - 1].step;
  if (prev === "admin" && p.adminCreated) return null;
  return prev;
}

const USER_NAME = /^[\p{L}\p{N}._@-]+$/u;

/** The first admin's form: a user name and the same PIN twice. */
export function checkFirstAdmin(name: string, pin: string, pinAgain: string): Parsed<{ name: string; pin: string; pinAgain: string }> {
  const n = name.trim();
  if (n === "") return { ok: false, message: t("sync.first.enterName") };
  if (n.length > NAME_MAX || !USER_NAME.test(n)) {
    return { ok: false, message: t("sync.first.nameChars") };
  }
  if (pin === "") return { ok: false, message: t("sync.first.choosePin") };
  if ([...pin].length < PIN_MIN || [...pin].length > PIN_MAX) {
    return { ok: false, message: t("form.pinLength", { min: PIN_MIN, max: PIN_MAX }) };
  }
  if (pin !== pinAgain) return { ok: false, message: t("sync.first.pinsDiffer") };
  return { ok: true, value: { name: n, pin, pinAgain } };
}

/** "1 location", "3 locations": counts said the way a person says them. */
export function plural(n: number, one: string, many: string = `${one}s`): string {
  return `${n.toLocaleString("en-GB")} ${n === 1 ? one : many}`;
}

/** The link review's kinds, in the order shown, with what each means in words. */
export const LINK_GROUPS: { status: LinkStatusView; readonly title: string; readonly meaning: string }[] = [
  { status: "matched", get title() { return t("settings.link.matched"); }, get meaning() { return t("settings.link.matchedMeaning"); } },
  { status: "ambiguous", get title() { return t("settings.link.ambiguous"); }, get meaning() { return t("settings.link.ambiguousMeaning"); } },
  { status: "unmatchedOurs", get title() { return t("settings.link.ours"); }, get meaning() { return t("settings.link.oursMeaning"); } },
  { status: "unmatchedTheirs", get title() { return t("settings.link.theirs"); }, get meaning() { return t("settings.link.theirsMeaning"); } },
];

/** The review's rows of one kind. */
export function rowsOf(review: LinkReviewView, status: LinkStatusView): LinkRowView[] {
  return review.rows.filter((r) => r.status === status);
}

/** How many of one kind the review counted (the rows may be fewer). */
export function countOf(review: LinkReviewView, status: LinkStatusView): number {
  switch (status) {
    case "matched":
      return review.matched;
    case "ambiguous":
      return review.ambiguous;
    case "unmatchedOurs":
      return review.unmatchedOurs;
    case "unmatchedTheirs":
      return review.unmatchedTheirs;
  }
}

/** The link button: "Link 1 listing", "Link 12 listings", or null when nothing would link. */
export function linkButtonLabel(review: LinkReviewView): string | null {
  if (review.linked !== null || review.matched === 0) return null;
  return t("settings.link.button", { n: review.matched });
}

/** The line under the review once it has been applied, or what blocks it. */
export function linkOutcome(review: LinkReviewView): string {
  if (review.linked !== null) {
    return t("settings.link.linked", { n: review.linked, channel: review.channel });
  }
  if (review.matched === 0) {
    return review.alreadyLinked > 0
      ? t("settings.link.nothingNew", { n: review.alreadyLinked })
      : t("settings.link.noneMatched");
  }
  return t("settings.link.ready", { n: review.matched });
}
