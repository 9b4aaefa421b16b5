/**
 * Keyboard-wedge scanner decoding: tells a barcode scanner's keystrokes from a person typing.
 *
 * A wedge scanner pretends to be a keyboard and "types" the barcode, usually followed by Enter
 * or Tab. The only reliable difference from a person is speed: scanners send keys 1-20 ms apart
 * (some Zebra models up to ~100 ms), people rarely manage 30 ms between every key of a
 * six-character code. So a burst of at least `minLength` characters whose every gap is within
 * `maxGapMs`, ended by a suffix key (or by going quiet), is a scan.
 *
 * The decoder is pure: it takes key events with their timestamps and returns scans. It never
 * reads a clock, so tests replay recorded key timings exactly; `attachWedge` is the thin DOM
 * adapter that feeds it from `keydown` and runs the idle timer.
 *
 * Layouts: the scanner sends US scancodes. On an AZERTY host `event.key` turns "1" into "&",
 * while `event.code` still says "Digit1". `decodeBy: "code"` maps physical keys through a US
 * table so such hosts read the right characters. Which one a workstation needs is its keyboard
 * layout, a Settings choice (`KEYBOARD_LAYOUTS`, `decodeByForLayout`).
 */

/** The parts of a `KeyboardEvent` the decoder needs (so tests need no DOM). */
export interface KeyInput {
  key: string;
  code: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  altKey: boolean;
  metaKey: boolean;
  /** Milliseconds, monotonic (`event.timeStamp`). */
  timeStamp: number;
}

export interface WedgeOptions {
  /** Largest gap between two keys of one scan. 30 ms suits most scanners; slow ones need ~100. */
  maxGapMs: number;
  /** Fewest data characters (prefix excluded) a scan may have. */
  minLength: number;
  /** Most data characters; a longer burst is dropped rather than grown without bound. */
  maxLength: number;
  /** When set, a scan must start with this text (a sentinel programmed into the scanner). */
  prefix: string;
  /** Keys that end a scan; they are not part of the data. */
  suffixKeys: string[];
  /** When true, a burst that goes quiet without a suffix key is not a scan. */
  requireSuffix: boolean;
  /** Quiet time after which an unterminated burst is judged (ignored when requireSuffix). */
  idleMs: number;
  /** "key": trust the host layout; "code": decode physical keys with a US map. */
  decodeBy: "key" | "code";
}

/**
 * The host keyboard layouts the Settings screen offers. Scanners ship typing US scancodes: on a
 * US host the typed character (`event.key`) is the scanned one; on an AZERTY (French, Belgian)
 * or QWERTZ (German, Swiss, Polish programmers'...) host the digit row, the punctuation and Y/Z
 * type something else, so the physical key (`event.code`) is read through the US map instead.
 */
export const KEYBOARD_LAYOUTS = ["us", "azerty", "qwertz"] as const;
export type KeyboardLayout = (typeof KEYBOARD_LAYOUTS)[number];
export const DEFAULT_KEYBOARD_LAYOUT: KeyboardLayout = "us";

export function isKeyboardLayout(value: unknown): value is KeyboardLayout {
  return typeof value === "string" && (KEYBOARD_LAYOUTS as readonly string[]).includes(value);
}

/** How to decode on a host with `layout`: by the typed key on US, by the physical key else. */
export function decodeByForLayout(layout: KeyboardLayout): WedgeOptions["decodeBy"] {
  return layout === "us" ? "key" : "code";
}

/** Largest accepted `maxGapMs`: beyond this, fast typists start to look like scanners. */
export const MAX_GAP_LIMIT_MS = 250;

export const DEFAULT_WEDGE_OPTIONS: Readonly<WedgeOptions> = Object.freeze({
  maxGapMs: 30,
  minLength: 4,
  maxLength: 256,
  prefix: "",
  suffixKeys: ["Enter", "Tab"],
  requireSuffix: false,
  idleMs: 150,
  decodeBy: "key",
});

export const GS = "\x1d";

export interface Scan {
  /** The decoded data, prefix removed, suffix excluded. GS1 separators arrive as "\x1d". */
  data: string;
  /** How the scan ended. */
  endedBy: "suffix" | "idle";
  startedAt: number;
  endedAt: number;
  /** The slowest gap inside the burst: how close to the threshold this scanner runs. */
  maxGapMs: number;
}

export interface FeedResult {
  /** Scans completed by this key (at most two: a burst cut short by this key, and its own). */
  scans: Scan[];
  /** True when this key was the suffix of a scan: the caller should swallow it. */
  swallow: boolean;
}

/** Checks options and fills defaults; throws on settings that cannot work. */
export function wedgeOptions(partial: Partial<WedgeOptions> = {}): WedgeOptions {
  const options: WedgeOptions = { ...DEFAULT_WEDGE_OPTIONS, ...partial };
  if (partial.idleMs === undefined) {
    // Judge a burst only after a gap clearly longer than any gap inside a scan.
    options.idleMs = Math.max(DEFAULT_WEDGE_OPTIONS.idleMs, options.maxGapMs * 2);
  }
  if (!(options.maxGapMs > 0 && options.maxGapMs <= MAX_GAP_LIMIT_MS)) {
    throw new RangeError(`maxGapMs must be in (0, ${MAX_GAP_LIMIT_MS}], got ${options.maxGapMs}`);
  }
  if (!(options.minLength >= 1 && options.minLength <= options.maxLength)) {
    throw new RangeError(`minLength must be in [1, maxLength], got ${options.minLength}`);
  }
  if (!(options.idleMs > options.maxGapMs)) {
    throw new RangeError(`idleMs (${options.idleMs}) must exceed maxGapMs (${options.maxGapMs})`);
  }
  return options;
}

// US layout, physical key -> [unshifted, shifted].
const US_KEYS: Record<string, [string, string]> = {
  Backquote: ["`", "~"],
  Minus: ["-", "_"],
  Equal: ["=", "+"],
  BracketLeft: ["[", "{"],
  BracketRight: ["]", "}"],
  Backslash: ["\\", "|"],
  Semicolon: [";", ":"],
  Quote: ["'", '"'],
  Comma: [",", "<"],
  Period: [".", ">"],
  Slash: ["/", "?"],
  Space: [" ", " "],
  NumpadDivide: ["/", "/"],
  NumpadMultiply: ["*", "*"],
  NumpadSubtract: ["-", "-"],
  NumpadAdd: ["+", "+"],
  NumpadDecimal: [".", "."],
};
const US_SHIFTED_DIGITS = ")!@#$%^&*(";

/** The character a physical key types on a US layout, or null for a non-character key. */
export function usCharForCode(code: string, shift: boolean): string | null {
  let m = /^Digit([0-9])$/.exec(code);
  if (m) {
    const digit = Number(m[1]);
    return shift ? US_SHIFTED_DIGITS[digit] : m[1];
  }
  m = /^Numpad([0-9])$/.exec(code);
  if (m) return m[1];
  m = /^Key([A-Z])$/.exec(code);
  if (m) return shift ? m[1] : m[1].toLowerCase();
  const pair = US_KEYS[code];
  return pair ? pair[shift ? 1 : 0] : null;
}

const MODIFIER_KEYS = new Set(["Shift", "Control", "Alt", "AltGraph", "Meta", "CapsLock", "NumLock"]);

type Decoded = { kind: "char"; char: string } | { kind: "suffix" } | { kind: "ignore" } | { kind: "break" };

/** Streams key events in, scans out. One instance per input source. */
export class WedgeDecoder {
  readonly options: WedgeOptions;
  private chars = "";
  private firstAt = 0;
  private lastAt = 0;
  private slowestGap = 0;

  constructor(options: Partial<WedgeOptions> = {}) {
    this.options = wedgeOptions(options);
  }

  /** Characters held back so far (a burst in progress). */
  get pending(): string {
    return this.chars;
  }

  feed(event: KeyInput): FeedResult {
    const scans: Scan[] = [];
    const decoded = this.decode(event);
    if (decoded.kind === "ignore") return { scans, swallow: false };

    const t = event.timeStamp;
    const continues = this.chars.length > 0 && t - this.lastAt <= this.options.maxGapMs;
    if (this.chars.length > 0 && !continues) {
      // The burst went quiet before this key: judge it as an unterminated burst.
      const idle = this.finish("idle");
      if (idle) scans.push(idle);
    }

    switch (decoded.kind) {
      case "break":
        this.reset();
        return { scans, swallow: false };
      case "suffix": {
        const scan = continues ? this.finish("suffix", t) : null;
        this.reset();
        if (scan) scans.push(scan);
        return { scans, swallow: scan !== null };
      }
      case "char":
        if (this.chars.length === 0) {
          this.firstAt = t;
          this.slowestGap = 0;
        } else {
          this.slowestGap = Math.max(this.slowestGap, t - this.lastAt);
        }
        this.chars += decoded.char;
        this.lastAt = t;
        if (this.chars.length > this.options.maxLength + this.options.prefix.length) this.reset();
        return { scans, swallow: false };
    }
  }

  /**
   * Judges a burst that has been quiet since `now`: returns it as a scan when it qualifies and
   * no suffix is required. Call from an idle timer; a no-op while the burst may still continue.
   */
  flush(now: number): Scan | null {
    if (this.chars.length === 0 || now - this.lastAt < this.options.idleMs) return null;
    const scan = this.finish("idle");
    this.reset();
    return scan;
  }

  reset(): void {
    this.chars = "";
    this.slowestGap = 0;
  }

  private finish(endedBy: Scan["endedBy"], endedAt = this.lastAt): Scan | null {
    const { prefix, minLength, requireSuffix } = this.options;
    const raw = this.chars;
    const qualifies =
      (endedBy === "suffix" || !requireSuffix) &&
      raw.startsWith(prefix) &&
      raw.length - prefix.length >= minLength;
    const scan = qualifies
      ? { data: raw.slice(prefix.length), endedBy, startedAt: this.firstAt, endedAt, maxGapMs: this.slowestGap }
      : null;
    this.reset();
    return scan;
  }

  private decode(event: KeyInput): Decoded {
    if (MODIFIER_KEYS.has(event.key)) return { kind: "ignore" };
    if (event.ctrlKey && !event.altKey && (event.code === "BracketRight" || event.key === "]")) {
      // Scanners type the GS1 separator (FNC1 inside data) as Ctrl+].
      return { kind: "char", char: GS };
    }
    if (event.ctrlKey || event.altKey || event.metaKey) return { kind: "break" };
    if (this.options.suffixKeys.includes(event.key)) return { kind: "suffix" };
    if (this.options.decodeBy === "code") {
      const char = usCharForCode(event.code, event.shiftKey);
      if (char !== null) return { kind: "char", char };
    } else if (event.key.length === 1) {
      return { kind: "char", char: event.key };
    }
    return { kind: "break" };
  }
}

/**
 * Listens for wedge scans on `target` (capture phase, so scans are seen whatever has focus).
 * Swallows the suffix key of a recognised scan, so a form does not also submit the typed text.
 * Keys for which `skip` returns true bypass the decoder (and end any burst in progress).
 * Returns a function that detaches the listener.
 */
/** Options still being read, with what to decode by meanwhile. */
export type PendingWedgeOptions = PromiseLike<Partial<WedgeOptions>> & { initial?: Partial<WedgeOptions> };

export function attachWedge(
  target: Window,
  options: Partial<WedgeOptions> | PendingWedgeOptions,
  onScan: (scan: Scan) => void,
  skip: (event: KeyboardEvent) => boolean = () => false,
): () => void {
  // Options still being read (the database's timing, at window load): decode by their `initial`
  // part (or the defaults) until they arrive, usually a few milliseconds later.
  const pending = "then" in options && typeof options.then === "function";
  let decoder = new WedgeDecoder(pending ? ((options as PendingWedgeOptions).initial ?? {}) : (options as Partial<WedgeOptions>));
  if (pending) {
    (options as PendingWedgeOptions).then(
      (loaded) => { decoder = new WedgeDecoder(loaded); },
      () => {},
    );
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const onKey = (event: KeyboardEvent) => {
    if (skip(event)) {
      // Typing into a form field (a PIN, a reason) is never a scan, however fast it is.
      decoder.reset();
      return;
    }
    const result = decoder.feed(event);
    if (result.swallow) {
      event.preventDefault();
      event.stopPropagation();
    }
    result.scans.forEach(onScan);
    clearTimeout(timer);
    if (decoder.pending.length > 0) {
      timer = setTimeout(() => {
        // The timer only fires after idleMs without a key, so the burst is quiet by now.
        const scan = decoder.flush(Number.POSITIVE_INFINITY);
        if (scan) onScan(scan);
      }, decoder.options.idleMs + 5);
    }
  };
  target.addEventListener("keydown", onKey, { capture: true });
  return () => {
    clearTimeout(timer);
    target.removeEventListener("keydown", onKey, { capture: true });
  };
}

/**
 * True for keys typed into a form field that does not take scans: any input, textarea or
 * select unless it is marked `data-wedge="target"` (the stock search box, the quantity box).
 */
export function typingInFormField(event: Pick<KeyboardEvent, "target">): boolean {
  const el = event.target as { tagName?: string; dataset?: Record<string, string | undefined> } | null;
  const tag = el?.tagName?.toUpperCase();
  if (tag !== "INPUT" && tag !== "TEXTAREA" && tag !== "SELECT") return false;
  return el?.dataset?.wedge !== "target";
}
