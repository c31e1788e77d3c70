/**
 * Deterministic pseudo-randomness. Every random-looking value of the simulation (noise, trace IDs,
 * request IDs, which error a trace carries) is drawn from a generator seeded by what it describes
 * (function, signal, minute), so the same `now` always gives the same output, and a minute looks
 * the same whichever window includes it.
 */

export type Random = () => number;

/** 32-bit FNV-1a over the parts, separated so ("ab","c") and ("a","bc") differ. */
function hashParts(parts: readonly (string | number)[]): number {
  let hash = 0x811c9dc5;
  for (const part of parts) {
    const text = `${String(part)}\u0000`;
    for (let i = 0; i < text.length; i++) {
      hash ^= text.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193);
    }
  }
  return hash >>> 0;
}

/** mulberry32: small, fast and good enough for simulated telemetry. */
export function seededRandom(...parts: readonly (string | number)[]): Random {
  let state = hashParts(parts);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomHex(random: Random, digits: number): string {
  let out = '';
  for (let i = 0; i < digits; i++) out += Math.floor(random() * 16).toString(16);
  return out;
}

/** A version-4 UUID, the shape of a Lambda request ID. */
export function randomUuid(random: Random): string {
  const variant = (8 + Math.floor(random() * 4)).toString(16);
  return `${randomHex(random, 8)}-${randomHex(random, 4)}-4${randomHex(random, 3)}-${variant}${randomHex(random, 3)}-${randomHex(random, 12)}`;
}

/** An X-Ray trace ID: `1-` + epoch seconds in 8 hex digits + `-` + 24 random hex digits. */
export function traceIdAt(at: Date, random: Random): string {
  const seconds = Math.floor(at.getTime() / 1000);
  return `1-${seconds.toString(16).padStart(8, '0').slice(-8)}-${randomHex(random, 24)}`;
}

/** Picks an index with probability proportional to its weight. */
export function pickWeighted(random: Random, weights: readonly number[]): number {
  const total = weights.reduce((sum, w) => sum + w, 0);
  let remaining = random() * total;
  for (let i = 0; i < weights.length; i++) {
    remaining -= weights[i] ?? 0;
    if (remaining < 0) return i;
  }
  return Math.max(0, weights.length - 1);
}
