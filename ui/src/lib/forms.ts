/**
 * Form checks done before anything is sent: a clear message for a person, and no command
 * call at all when the input cannot be right. Rust checks everything again; these exist so a
 * worker learns what to fix at once, without a round trip or a wrong-PIN strike.
 */
import { isIpcError, translateError } from "./i18n/errors";
import { clock, i18n, num, t } from "./i18n/index.svelte";

export const PIN_MIN = 4;
export const PIN_MAX = 64;
export const NAME_MAX = 64;
export const REASON_MAX = 200;
/** Largest quantity one scan line may carry (QTY labels allow up to 100,000). */
export const QTY_MAX = 100_000;

export type Check = { ok: true } | { ok: false; message: string };

const ok: Check = { ok: true };
const fail = (message: string): Check => ({ ok: false, message });

export function checkSignIn(name: string, pin: string): Check {
  const user = name.trim();
  if (user === "") return fail(t("form.enterName"));
  if (user.length > NAME_MAX || !/^[\p{L}\p{N}._@-]+$/u.test(user)) {
    return fail(t("form.nameChars"));
  }
  if (pin === "") return fail(t("form.enterPin"));
  if (pin.length < PIN_MIN || pin.length > PIN_MAX) return fail(t("form.pinLength", { min: PIN_MIN, max: PIN_MAX }));
  return ok;
}

export function checkDecision(reason: string, pin: string): Check {
  const why = reason.trim();
  if (why === "") return fail(t("counts.approvals.decisionReason"));
  if ([...why].length > REASON_MAX) return fail(t("counts.approvals.reasonMax", { max: REASON_MAX }));
  if (pin === "") return fail(t("counts.approvals.enterPin"));
  if (pin.length < PIN_MIN || pin.length > PIN_MAX) return fail(t("form.pinLength", { min: PIN_MIN, max: PIN_MAX }));
  return ok;
}

/** Parses a typed quantity: a whole number from 1 to QTY_MAX, nothing else. */
export function parseQty(text: string): { ok: true; qty: number } | { ok: false; message: string } {
  const typed = text.trim();
  if (!/^\d+$/.test(typed)) return { ok: false, message: t("form.qtyWhole") };
  const qty = Number(typed);
  if (qty < 1 || qty > QTY_MAX) return { ok: false, message: t("form.qtyRange", { max: num(QTY_MAX) }) };
  return { ok: true, qty };
}

/**
 * What the sign-in or lock screen says about Rust's refusal: by its code (`IpcError`), with the
 * lockout's end as a local time; a bare English message (tests, older paths) is read by its
 * words. Anything else is shown as Rust's message in the workstation's language.
 */
export function describeSignInError(error: unknown, localTime: (iso: string) => string = defaultLocalTime): {
  title: string;
  detail: string;
} {
  if (isIpcError(error)) {
    const until = error.args.until;
    if (error.code === "signin.lockedOut" && typeof until === "string") {
      return { title: t("signin.lockedOut"), detail: t("signin.lockedOutDetail", { time: localTime(until) }) };
    }
    if (error.code === "signin.wrong") return { title: t("signin.wrong"), detail: t("signin.wrongDetail") };
    const detail = translateError(i18n.language, error);
    return { title: error.code === "signin.deactivated" ? t("signin.deactivated") : t("signin.cannot"), detail };
  }
  const message = typeof error === "string" ? error : String(error);
  const m = /locked out until (\S+?Z)/.exec(message);
  if (m) {
    return { title: t("signin.lockedOut"), detail: t("signin.lockedOutDetail", { time: localTime(m[1]) }) };
  }
  if (message.startsWith("wrong user or PIN")) return { title: t("signin.wrong"), detail: t("signin.wrongDetail") };
  if (message.includes("deactivated")) return { title: t("signin.deactivated"), detail: message };
  return { title: t("signin.cannot"), detail: message };
}

/** Characters of a refused scan shown back: enough to recognise the label. */
const REFUSED_SCAN_SHOWN = 24;

/** What the sign-in or lock screen says about a scan it refused (nothing scanned counts there). */
export function refusedScanNotice(locked: boolean, data: string): { title: string; detail: string } {
  const chars = [...data];
  const shown = chars.length > REFUSED_SCAN_SHOWN ? `${chars.slice(0, REFUSED_SCAN_SHOWN - 1).join("")}…` : data;
  const what = shown ? t("signin.scanRefused", { data: shown }) : t("signin.scanRefusedEmpty");
  return locked
    ? { title: t("signin.lockedScan"), detail: t("signin.lockedScanDetail", { what }) }
    : { title: t("signin.first"), detail: t("signin.firstDetail", { what }) };
}

/** The workstation's clock, with the date when the lockout (up to 24 h) ends on another day,
 *  as the workstation's language writes it. */
function defaultLocalTime(iso: string): string {
  return clock(iso);
}

export type Sent<T> = { sent: false; message: string } | { sent: true; value: T };

/** Runs `send` only when `check` passed: the one gate every form goes through. */
export async function sendIfValid<T>(check: Check, send: () => Promise<T>): Promise<Sent<T>> {
  if (!check.ok) return { sent: false, message: check.message };
  return { sent: true, value: await send() };
}
