/**
 * Form checks done before anything is sent: a clear message for a person, and no command
 * call at all when the input cannot be right. Rust checks everything again; these exist so a
 * worker learns what to fix at once, without a round trip or a wrong-PIN strike.
 */

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
  if (user === "") return fail("Enter your user name.");
  if (user.length > NAME_MAX || !/^[\p{L}\p{N}._@-]+$/u.test(user)) {
    return fail("A user name has only letters, digits, '.', '-', '_' or '@'.");
  }
  if (pin === "") return fail("Enter your PIN.");
  if (pin.length < PIN_MIN || pin.length > PIN_MAX) return fail(`A PIN has ${PIN_MIN} to ${PIN_MAX} characters.`);
  return ok;
}

export function checkDecision(reason: string, pin: string): Check {
  const why = reason.trim();
  if (why === "") return fail("Give a reason for the decision.");
  if ([...why].length > REASON_MAX) return fail(`Keep the reason under ${REASON_MAX} characters.`);
  if (pin === "") return fail("Enter your PIN to confirm.");
  if (pin.length < PIN_MIN || pin.length > PIN_MAX) return fail(`A PIN has ${PIN_MIN} to ${PIN_MAX} characters.`);
  return ok;
}

/** Parses a typed quantity: a whole number from 1 to QTY_MAX, nothing else. */
export function parseQty(text: string): { ok: true; qty: number } | { ok: false; message: string } {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return { ok: false, message: "Quantity is a whole number, like 1 or 12." };
  const qty = Number(t);
  if (qty < 1 || qty > QTY_MAX) return { ok: false, message: `Quantity must be 1 to ${QTY_MAX.toLocaleString("en-GB")}.` };
  return { ok: true, qty };
}

/** "user 'x' is locked out until 2026-11-26T16:40:00Z ..." gets a title and a local time. */
export function describeSignInError(message: string, localTime: (iso: string) => string = defaultLocalTime): {
  title: string;
  detail: string;
} {
  const m = /locked out until (\S+?Z)/.exec(message);
  if (m) {
    return {
      title: "Locked out",
      detail: `Too many wrong PINs. Try again after ${localTime(m[1])}, or ask a supervisor to reset your PIN.`,
    };
  }
  if (message.startsWith("wrong user or PIN")) {
    return { title: "Wrong user or PIN", detail: "Check both and try again. After 5 wrong PINs the user is locked out." };
  }
  if (message.includes("deactivated")) return { title: "User deactivated", detail: message };
  return { title: "Cannot sign in", detail: message };
}

/** Characters of a refused scan shown back: enough to recognise the label. */
const REFUSED_SCAN_SHOWN = 24;

/** What the sign-in or lock screen says about a scan it refused (nothing scanned counts there). */
export function refusedScanNotice(locked: boolean, data: string): { title: string; detail: string } {
  const chars = [...data];
  const shown = chars.length > REFUSED_SCAN_SHOWN ? `${chars.slice(0, REFUSED_SCAN_SHOWN - 1).join("")}…` : data;
  const what = shown ? `The scan ${shown} was not recorded` : "The scan was not recorded";
  return locked
    ? { title: "Locked: enter your PIN", detail: `${what}. Unlock, then scan it again.` }
    : { title: "Sign in first", detail: `${what}. Sign in, then scan it again.` };
}

function defaultLocalTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
}

export type Sent<T> = { sent: false; message: string } | { sent: true; value: T };

/** Runs `send` only when `check` passed: the one gate every form goes through. */
export async function sendIfValid<T>(check: Check, send: () => Promise<T>): Promise<Sent<T>> {
  if (!check.ok) return { sent: false, message: check.message };
  return { sent: true, value: await send() };
}
