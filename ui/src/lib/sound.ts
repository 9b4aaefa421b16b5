/**
 * Scan sounds through the Web Audio API: nothing to load, no network, starts in ~1 ms.
 * Good: one short high sine beep. Bad: a long low square-wave buzz, twice: different in pitch,
 * length and timbre, so it is recognised across a noisy floor without looking.
 */
type Ctx = AudioContext;

let ctx: Ctx | null = null;
let muted = false;

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

export function play(kind: "good" | "bad"): void {
  if (muted) return;
  const c = context();
  if (!c) return;
  if (c.state === "suspended") void c.resume();
  if (kind === "good") {
    tone(c, "sine", 1760, 0, 0.08, 0.4);
  } else {
    tone(c, "square", 140, 0, 0.22, 0.5);
    tone(c, "square", 110, 0.26, 0.3, 0.5);
  }
}
