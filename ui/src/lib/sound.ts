/**
 * Scan sounds through the Web Audio API: nothing to load, no network, starts in ~1 ms.
 * Three sounds, told apart without looking across a noisy floor by pitch, length and timbre:
 * - good ("recorded"): one short high sine beep;
 * - info ("noted": a quantity set, a mode changed, a line undone): two soft mid triangle
 *   notes, falling;
 * - bad ("refused"): a long low square-wave buzz, twice.
 * Volume and mute are this workstation's (floorSettings.ts).
 */
type Ctx = AudioContext;

let ctx: Ctx | null = null;
let muted = false;
/** 0..1, scales every tone's gain. */
let volumeScale = 0.8;

function context(): Ctx | null {
  if (ctx) return ctx;
  const Ctor = (globalThis as { AudioContext?: typeof AudioContext }).AudioContext;
  if (!Ctor) return null;
  try {
    ctx = new Ctor();
  } catch {
    return null;
  }
  return ctx;
}

function tone(c: Ctx, type: OscillatorType, hz: number, startS: number, lengthS: number, volume: number) {
  const osc = c.createOscillator();
  const gain = c.createGain();
  osc.type = type;
  osc.frequency.value = hz;
  const t0 = c.currentTime + startS;
  gain.gain.setValueAtTime(volume, t0);
  gain.gain.exponentialRampToValueAtTime(0.001, t0 + lengthS);
  osc.connect(gain).connect(c.destination);
  osc.start(t0);
  osc.stop(t0 + lengthS + 0.02);
}

export function setMuted(value: boolean): void {
  muted = value;
}

/** 0 to 100 (out-of-range values are clamped). */
export function setVolume(percent: number): void {
  volumeScale = Math.min(100, Math.max(0, percent)) / 100;
}

export type SoundKind = "good" | "info" | "bad";

export function play(kind: SoundKind): void {
  if (muted || volumeScale === 0) return;
  const c = context();
  if (!c) return;
  if (c.state === "suspended") void c.resume();
  const v = volumeScale;
  if (kind === "good") {
    tone(c, "sine", 1760, 0, 0.08, 0.4 * v);
  } else if (kind === "info") {
    tone(c, "triangle", 880, 0, 0.07, 0.3 * v);
    tone(c, "triangle", 660, 0.09, 0.07, 0.3 * v);
  } else {
    tone(c, "square", 140, 0, 0.22, 0.5 * v);
    tone(c, "square", 110, 0.26, 0.3, 0.5 * v);
  }
}
