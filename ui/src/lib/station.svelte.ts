/**
 * The scan station's live state: the pure rules of station.ts plus the calls to Rust they ask
 * for. Kept outside the screen so a trip to another screen does not lose uncommitted lines.
 */
import { api, errorMessage, isSessionError, type CountSessionDetail, type ItemView, type ScannerView, type ScanOutcome, type StationMode } from "../api";
import { bad, type Feedback, good, info, ready } from "./feedback";
import { session } from "./session.svelte";
import { DEFAULT_FLOOR_SETTINGS } from "./floorSettings";
import { t } from "./i18n/index.svelte";
import { play } from "./sound";
import {
  afterCommit,
  appendedLine,
  applyOutcome,
  cancelPending,
  commitProblem,
  confirmPending,
  draftChanged,
  fefoNote,
  type FefoNote,
  fromDraft,
  initialStation,
  reasonLabel,
  setLocation,
  setMode,
  suggestsFefo,
  type StationRules,
  type StationState,
  type Step,
  toDraft,
  undo,
  valueBeforeScan,
  withLineIds,
} from "./station";

/** A line's event id: a random UUID (crypto.randomUUID is in every webview Tauri supports). */
const mintLineId = (): string => crypto.randomUUID();

/** Latency samples kept for the p99 shown on the scan screen. */
const LATENCY_SAMPLES = 1000;

/** The q-quantile (0..1) of samples, nearest rank; null when there are none. */
export function quantile(samples: number[], q: number): number | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** The draft's part of the state: what a failed save puts back. */
function draftPart(s: StationState): Pick<StationState, "mode" | "location" | "toLocation" | "session" | "reason" | "lines"> {
  return { mode: s.mode, location: s.location, toLocation: s.toLocation, session: s.session, reason: s.reason, lines: s.lines };
}

// Raw (not deeply proxied) state: every update replaces the value (station.ts is pure), and a
// deep proxy over up to 500 lines made each scan re-wrap and re-track every line.
class Station {
  state = $state.raw<StationState>(initialStation("count"));
  feedback = $state.raw<Feedback>(ready(t("fb.begin")));
  /** Bumped on every feedback, so the panel can flash even when the text repeats. */
  flashes = $state(0);
  busy = $state(false);
  lookup = $state.raw<ItemView | null>(null);
  /** Serial/HID listeners running (the keyboard wedge needs none). */
  scanners = $state<ScannerView[]>([]);
  count = $state.raw<CountSessionDetail | null>(null);

  /** This workstation's rules (the confirmation limit), from floorSettings.ts. */
  rules: StationRules = { confirmAbove: DEFAULT_FLOOR_SETTINGS.confirmAbove };

  /** Edits of the quantity box (event time, value before), to undo a scan typed into it. */
  private qtyEdits: { at: number; before: string }[] = [];

  recordQtyEdit(at: number): void {
    this.qtyEdits.push({ at, before: String(this.state.qty) });
    if (this.qtyEdits.length > 64) this.qtyEdits.shift();
  }

  private show(feedback: Feedback): void {
    this.feedback = feedback;
    this.flashes += 1;
    play(feedback.sound);
  }

  /** The state whose draft Rust holds: what a failed save goes back to. */
  private saved: StationState = initialStation("count");
  /** Draft saves, one after another in the order the scans came. */
  private saving: Promise<void> = Promise.resolve();
  /** Bumped when a save fails: the steps queued behind it lost their line with it. */
  private saveFailures = 0;
  /** Whose draft the station shows (see `restore`). */
  private restoredFor: string | null = null;

  /**
   * Applies a step. A step that changes the draft (a line scanned or undone, or where the lines
   * go) shows its feedback only once Rust has saved the draft: the "recorded" sound means the
   * line survives a crash. Saves run in order; each writes the station as it is then.
   */
  private take(result: Step): Promise<void> {
    const next = withLineIds(result.state, mintLineId);
    const persist = draftChanged(this.state, next);
    this.state = next;
    if (!persist) {
      this.finish(result);
      return Promise.resolve();
    }
    const generation = this.saveFailures;
    this.saving = this.saving.then(async () => {
      if (generation !== this.saveFailures) return; // an earlier save failed and said so
      const current = this.state;
      try {
        await this.saveDraft(current);
        this.saved = current;
        this.finish(result);
      } catch (error) {
        this.saveFailures += 1;
        const lost = Math.max(0, this.state.lines.length - this.saved.lines.length);
        this.state = { ...this.state, ...draftPart(this.saved) };
        const message = errorMessage(error);
        if (isSessionError(message)) void session.refresh();
        this.show(bad(t("fb.notSaved"), `${message} ${lost > 0 ? t("fb.notKept", { n: lost }) : ""}`.trim()));
      }
    });
    return this.saving;
  }

  /**
   * Saves `current` in Rust: a scanned line alone when it only adds a line to what Rust holds
   * (one line over IPC, not up to 500), else the whole draft. An append Rust refuses (its draft
   * is not the one this station last saved) is followed by a whole save.
   */
  private async saveDraft(current: StationState): Promise<void> {
    const append = appendedLine(this.saved, current);
    if (append) {
      try {
        await api.appendStationDraftLine(append);
        return;
      } catch {
        // The whole save below says what is wrong, if anything still is.
      }
    }
    await api.saveStationDraft(toDraft(current));
  }

  private finish(result: Step): void {
    this.show(result.feedback);
    if (result.action.kind === "commit") void this.commit();
    if (result.action.kind === "lookup") void this.showItem(result.action.sku);
  }

  /** A keyboard-wedge scan: Rust classifies and resolves it, then the rules apply. */
  async scanText(data: string, startedAt = Number.POSITIVE_INFINITY, endedAt: number | null = null): Promise<void> {
    const before = valueBeforeScan(this.qtyEdits, startedAt);
    this.qtyEdits = [];
    if (before !== null) this.setQty(Number(before) || 1);
    try {
      await this.apply(await api.classifyScan(data));
    } catch (error) {
      this.fail(error);
    }
    if (endedAt !== null) this.measure(endedAt);
  }

  /** Scan-to-feedback times (ms): from the scan's last key to the frame showing the result. */
  latencies = $state.raw<number[]>([]);

  private measure(endedAt: number): void {
    const record = () => {
      const ms = performance.now() - endedAt;
      this.latencies = [...this.latencies.slice(-(LATENCY_SAMPLES - 1)), ms];
    };
    if (typeof requestAnimationFrame === "function") requestAnimationFrame(record);
    else record();
  }

  /** The first-expiry-first-out note after a tracked item's scan (transfer and damage). */
  fefo = $state<FefoNote | null>(null);

  /** An outcome already classified (serial/HID event, or a wedge scan). */
  apply(outcome: ScanOutcome): Promise<void> {
    const location = this.state.location;
    const done = this.take(applyOutcome(this.state, outcome, this.rules));
    if (outcome.kind === "item") this.suggestLot(outcome, location);
    return done;
  }

  /** Asks Rust for the item's lots here and notes the first to expire. Never in the way of
   *  the scan: it runs after the feedback, and a failure only leaves the note out. */
  private suggestLot(outcome: ScanOutcome, location: string | null): void {
    this.fefo = null;
    if (!outcome.tracking || !outcome.sku || !location || !suggestsFefo(this.state.mode)) return;
    const asked = outcome;
    api.itemLots(outcome.sku, location, null).then(
      (view) => {
        if (this.lastItem === asked) this.fefo = fefoNote(asked.tag, view);
      },
      () => {},
    );
    this.lastItem = asked;
  }

  /** The item scan the note is for: a slow answer for an earlier scan is dropped. */
  private lastItem: ScanOutcome | null = null;

  /** "Confirm" on a line over the confirmation limit. */
  confirmPending(): Promise<void> {
    return this.take(confirmPending(this.state));
  }

  /** "Cancel" on a line over the confirmation limit. */
  cancelPending(): void {
    void this.take(cancelPending(this.state));
  }

  setMode(mode: StationMode): void {
    void this.take(setMode(this.state, mode));
    if (this.state.mode !== "count") this.count = null;
  }

  setLocation(code: string): void {
    void this.take(setLocation(this.state, code));
  }

  setQty(qty: number): void {
    this.state = { ...this.state, qty };
  }

  setReason(reason: string | null): void {
    const next = { ...this.state, reason };
    if (draftChanged(this.state, next)) void this.take({ state: next, feedback: info(reason ? t("fb.reason", { reason: reasonLabel(reason) }) : t("fb.noReason")), action: { kind: "none" } });
    else this.state = next;
  }

  undo(): void {
    void this.take(undo(this.state));
  }

  /** Waits until every scan so far is saved in the draft. */
  async flush(): Promise<void> {
    await this.saving;
  }

  async commit(): Promise<boolean> {
    await this.flush();
    const problem = commitProblem(this.state);
    if (problem) {
      this.show(bad(t("fb.notCommitted"), problem));
      return false;
    }
    const s = this.state;
    this.busy = true;
    try {
      const result = await api.commitScans({
        mode: s.mode,
        location: s.location ?? "",
        toLocation: s.toLocation,
        session: s.session,
        reason: s.reason,
        lines: s.lines.map((l) => ({ id: l.eventId, sku: l.sku, qty: l.qty, ...(l.tag ? { tag: l.tag } : {}) })),
      });
      // Rust has already taken the committed lines out of the draft; this keeps the two equal.
      this.state = afterCommit(this.state, result.committed);
      this.saved = this.state;
      if (result.error) {
        // The refusal in the workstation's language (Rust's English where it has no code yet).
        const why = result.refusal ? `${s.lines[result.failedIndex ?? 0]?.sku ?? ""}: ${errorMessage(result.refusal)}` : result.error;
        const before = t("fb.linesBefore", { n: result.committed });
        this.show(bad(t("fb.lineNotRecorded", { line: (result.failedIndex ?? 0) + 1 }), `${why}. ${before}`));
        return false;
      }
      const parked = result.awaitingApproval > 0 ? t("fb.parked", { n: result.awaitingApproval }) : "";
      const where = { location: s.location ?? "", parked };
      this.show(good(t("fb.committed", { n: result.committed }), s.mode === "count" ? t("fb.countedAt", where) : t("fb.recordedAt", where)));
      if (s.mode === "count" && s.session) await this.loadCount(s.session);
      return true;
    } catch (error) {
      this.fail(error);
      return false;
    } finally {
      this.busy = false;
    }
  }

  // ---- count sessions ----

  async startCount(): Promise<void> {
    const location = this.state.location;
    if (!location) return this.show(bad(t("fb.noLocation"), t("commit.location")));
    this.busy = true;
    try {
      const detail = await api.startCount(location);
      this.count = detail;
      this.state = { ...this.state, session: detail.id };
      this.show(good(t("fb.countStarted", { location }), t("fb.countStartedDetail")));
    } catch (error) {
      this.fail(error);
    } finally {
      this.busy = false;
    }
  }

  /** Continues an open session (from the counts screen or the list at this location). */
  async continueCount(id: string, location: string): Promise<void> {
    if (this.state.lines.length > 0 && (this.state.mode !== "count" || this.state.location !== location)) {
      return this.show(bad(t("fb.commitOrUndo"), t("fb.uncommittedLines")));
    }
    this.state = { ...this.state, mode: "count", location, toLocation: null, session: id };
    await this.loadCount(id);
    this.show(good(t("fb.countingAt", { location }), t("fb.scanIntoCount")));
  }

  async loadCount(id: string): Promise<void> {
    try {
      this.count = await api.countSession(id);
    } catch (error) {
      this.fail(error);
    }
  }

  /** Commits any lines still in the log, then closes counting. */
  async submitCount(): Promise<void> {
    const id = this.state.session;
    if (!id) return this.show(bad(t("fb.noCount"), t("commit.count")));
    if (this.state.lines.length > 0 && !(await this.commit())) return;
    this.busy = true;
    try {
      const detail = await api.submitCount(id);
      this.count = detail;
      this.state = { ...this.state, session: null };
      const pending = detail.lines.filter((l) => l.state === "pending").length;
      this.show(good(t("fb.countSubmitted"), t("fb.variances", { n: pending })));
    } catch (error) {
      this.fail(error);
    } finally {
      this.busy = false;
    }
  }

  private async showItem(sku: string): Promise<void> {
    try {
      this.lookup = await api.itemLookup(sku);
    } catch (error) {
      this.fail(error);
    }
  }

  private fail(error: unknown): void {
    const message = errorMessage(error);
    if (isSessionError(message)) void session.refresh();
    this.show(bad(message));
  }

  /** Clears what the station shows (the saved draft stays in Rust). */
  reset(): void {
    this.state = initialStation("count");
    this.saved = this.state;
    this.count = null;
    this.lookup = null;
    this.feedback = ready(t("fb.begin"));
  }

  /**
   * `user` is signed in (after start-up, a reload, or a user switch): shows their saved draft,
   * if any. Nothing happens when the station already shows theirs (unlocking after the idle
   * lock keeps the lines on screen).
   */
  async restore(user: string): Promise<void> {
    if (user === this.restoredFor) return;
    this.restoredFor = user;
    await this.flush();
    this.reset();
    try {
      const draft = await api.stationDraft();
      if (this.restoredFor !== user || !draft || draft.lines.length === 0) return;
      this.state = fromDraft(draft);
      this.saved = this.state;
      this.show(
        info(
          t("fb.restored", { n: draft.lines.length }),
          draft.location ? t("fb.restoredAt", { location: draft.location }) : t("fb.restoredNowhere"),
        ),
      );
      if (this.state.mode === "count" && this.state.session) await this.loadCount(this.state.session);
    } catch (error) {
      this.fail(error);
    }
  }

  /** Throws the signed-in user's uncommitted lines away, here and in Rust. */
  async discard(): Promise<void> {
    await this.flush();
    await api.discardStationDraft();
    this.reset();
  }

  note(text: string): void {
    this.show(info(text));
  }
}

export const station = new Station();
