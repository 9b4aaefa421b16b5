/**
 * The UI's view of the session Rust holds. Signing in, out and locking are Rust commands; this
 * only mirrors the result so screens know what to show. Idle lock: input anywhere counts as
 * activity; after `idleLockSecs` without any, the UI asks Rust to lock. While there is input,
 * Rust is told at most every PING_MS so its own idle clock (which refuses commands) agrees.
 */
import { api, errorMessage, type SessionView } from "../api";
import { type Language, setUserLanguage } from "./i18n/index.svelte";

const PING_MS = 20_000;
const CHECK_MS = 1_000;

class SessionStore {
  #view = $state<SessionView | null>(null);

  /** The session as Rust last said; setting it also switches the UI to the signed-in user's own
   *  language (Rust sends none while locked: the lock screen keeps the workstation's). */
  get view(): SessionView | null {
    return this.#view;
  }

  set view(view: SessionView | null) {
    this.#view = view;
    setUserLanguage(view && !view.locked ? view.language : null);
  }

  error = $state<string | null>(null);
  private lastInput = Date.now();
  private lastPing = 0;

  get signedIn(): boolean {
    return !!this.view?.user && !this.view.locked;
  }

  get canApprove(): boolean {
    return this.signedIn && !!this.view?.canApprove;
  }

  /** Supervisors and admins (whoever may save diagnostics, decided in Rust) may open the
   *  "Details" on the floor screens: scan latency, device and database paths. */
  get canSeeDetails(): boolean {
    return this.signedIn && !!this.view?.canSeeDetails;
  }

  /** Admins see the settings that change users, locations, channels and thresholds. */
  get isAdmin(): boolean {
    return this.signedIn && this.view?.user?.role === "admin";
  }

  /**
   * The last scan that arrived while nobody could use it (locked, or nobody signed in), and a
   * counter so the same code scanned twice is refused twice. The sign-in screen shows it.
   */
  refusedScan = $state<{ data: string; count: number } | null>(null);

  /** A scan on the sign-in or lock screen: refused visibly, never a PIN attempt, never lost silently. */
  refuseScan(data: string): void {
    this.refusedScan = { data, count: (this.refusedScan?.count ?? 0) + 1 };
  }

  async refresh(): Promise<void> {
    try {
      this.view = await api.sessionInfo();
    } catch (error) {
      this.error = errorMessage(error);
    }
  }

  /** Rejects with Rust's message (wrong PIN, locked out, ...). */
  async signIn(name: string, pin: string): Promise<SessionView> {
    const view = await api.signIn(name.trim(), pin);
    this.view = view;
    this.lastInput = Date.now();
    return view;
  }

  /** Sets the signed-in user's own language in Rust (audited); the UI follows the answer.
   *  Rejects with Rust's message (signed out, locked, no such language). */
  async setLanguage(language: Language): Promise<void> {
    this.view = await api.setUserLanguage(language);
  }

  async signOut(): Promise<void> {
    this.view = await api.signOut();
  }

  async lock(): Promise<void> {
    this.view = await api.lockSession();
  }

  /** Call on any key or pointer input. */
  activity(): void {
    this.lastInput = Date.now();
    if (this.signedIn && this.lastInput - this.lastPing > PING_MS) {
      this.lastPing = this.lastInput;
      api.sessionPing().then((v) => (this.view = v)).catch(() => {});
    }
  }

  /** Starts the idle check; returns a function that stops it. */
  watchIdle(): () => void {
    const timer = setInterval(() => {
      const limit = (this.view?.idleLockSecs ?? 300) * 1000;
      if (this.signedIn && Date.now() - this.lastInput > limit) void this.lock();
    }, CHECK_MS);
    return () => clearInterval(timer);
  }
}

export const session = new SessionStore();
