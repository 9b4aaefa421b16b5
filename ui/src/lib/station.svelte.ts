/**
 * The scan station's live state: the pure rules of station.ts plus the calls to Rust they ask
 * for. Kept outside the screen so a trip to another screen does not lose uncommitted lines.
 */
import { api, errorMessage, isSessionError, type CountSessionDetail, type ItemView, type ScannerView, type ScanOutcome, type StationMode } from "../api";
import { bad, type Feedback, good, info, ready } from "./feedback";
import { session } from "./session.svelte";
import { play } from "./sound";
import { afterCommit, applyOutcome, commitProblem, initialStation, setLocation, setMode, type StationState, type Step, undo, valueBeforeScan } from "./station";

/** Latency samples kept for the p99 shown on the scan screen. */
const LATENCY_SAMPLES = 1000;

/** The q-quantile (0..1) of samples, nearest rank; null when there are none. */
export function quantile(samples: number[], q: number): number | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

// Raw (not deeply proxied) state: every update replaces the value (station.ts is pure), and a
// deep proxy over up to 500 lines made each scan re-wrap and re-track every line.
class Station {
  state = $state.raw<StationState>(initialStation("count"));
  feedback = $state.raw<Feedback>(ready("Scan a location label to begin."));
  /** Bumped on every feedback, so the panel can flash even when the text repeats. */
  flashes = $state(0);
  busy = $state(false);
  lookup = $state.raw<ItemView | null>(null);
  /** Serial/HID listeners running (the keyboard wedge needs none). */
  scanners = $state<ScannerView[]>([]);
  count = $state.raw<CountSessionDetail | null>(null);

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

  private take(result: Step): void {
    this.state = result.state;
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
      this.apply(await api.classifyScan(data));
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

  /** An outcome already classified (serial/HID event, or a wedge scan). */
  apply(outcome: ScanOutcome): void {
    this.take(applyOutcome(this.state, outcome));
  }

  setMode(mode: StationMode): void {
    this.take(setMode(this.state, mode));
    if (this.state.mode !== "count") this.count = null;
  }

  setLocation(code: string): void {
    this.take(setLocation(this.state, code));
  }

  setQty(qty: number): void {
    this.state = { ...this.state, qty };
  }

  setReason(reason: string | null): void {
    this.state = { ...this.state, reason };
  }

  undo(): void {
    this.take(undo(this.state));
  }

  async commit(): Promise<boolean> {
    const problem = commitProblem(this.state);
    if (problem) {
      this.show(bad("Not committed", problem));
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
        lines: s.lines.map((l) => ({ sku: l.sku, qty: l.qty })),
      });
      this.state = afterCommit(this.state, result.committed);
      if (result.error) {
        this.show(bad(`Line ${(result.failedIndex ?? 0) + 1} not recorded`, `${result.error}. ${result.committed} lines before it were recorded.`));
        return false;
      }
      const parked = result.awaitingApproval > 0 ? ` · ${result.awaitingApproval} wait for a supervisor` : "";
      this.show(good(`Committed ${result.committed} lines`, `${s.mode === "count" ? "Counted" : "Recorded"} at ${s.location}${parked}`));
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
    if (!location) return this.show(bad("No location", "Scan a location label first."));
    this.busy = true;
    try {
      const detail = await api.startCount(location);
      this.count = detail;
      this.state = { ...this.state, session: detail.id };
      this.show(good(`Count started at ${location}`, "Scan each item; set a quantity with QTY labels or the box."));
    } catch (error) {
      this.fail(error);
    } finally {
      this.busy = false;
    }
  }

  /** Continues an open session (from the counts screen or the list at this location). */
  async continueCount(id: string, location: string): Promise<void> {
    if (this.state.lines.length > 0 && (this.state.mode !== "count" || this.state.location !== location)) {
      return this.show(bad("Commit or undo first", "There are uncommitted lines."));
    }
    this.state = { ...this.state, mode: "count", location, toLocation: null, session: id };
    await this.loadCount(id);
    this.show(good(`Counting at ${location}`, "Scan items into this count."));
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
    if (!id) return this.show(bad("No count", "Start or continue a count first."));
    if (this.state.lines.length > 0 && !(await this.commit())) return;
    this.busy = true;
    try {
      const detail = await api.submitCount(id);
      this.count = detail;
      this.state = { ...this.state, session: null };
      const pending = detail.lines.filter((l) => l.state === "pending").length;
      this.show(
        good(
          "Count submitted",
          pending === 1
            ? "1 variance waits for a supervisor."
            : pending > 1
              ? `${pending} variances wait for a supervisor.`
              : "Every line matched or was within tolerance.",
        ),
      );
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

  /** A different user signed in: their work starts clean. */
  reset(): void {
    this.state = initialStation("count");
    this.count = null;
    this.lookup = null;
    this.feedback = ready("Scan a location label to begin.");
  }

  note(text: string): void {
    this.show(info(text));
  }
}

export const station = new Station();
