/**
 * Times in a scenario are written relative to the simulation's `now` (`-38m`, `-3d`, `now`) so a
 * scenario tells the same story whenever it runs; absolute ISO timestamps are accepted for the
 * rare case that needs them.
 */

export const MINUTE_MS = 60_000;
const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: MINUTE_MS, s: 1000 };

/** The longest duration a scenario may name: a year is far beyond any window gofn asks for. */
const MAX_DURATION_MS = 366 * 86_400_000;

/** A time as written in a scenario, resolved against `now` only when the fleet is built. */
export type TimeRef = { readonly offsetMs: number } | { readonly at: Date };

const DURATION = /^(?:\d+[dhms])+$/;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** `90s`, `38m`, `1h30m`, `3d` → milliseconds; undefined when the text is not such a duration. */
export function parseDuration(text: string): number | undefined {
  if (!DURATION.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+)([dhms])/g)) {
    total += Number(amount) * (UNIT_MS[unit ?? ''] ?? Number.NaN);
  }
  return Number.isFinite(total) && total > 0 && total <= MAX_DURATION_MS ? total : undefined;
}

/** `now`, `-38m`, `-1h30m` or an ISO timestamp with a zone; undefined for anything else. */
export function parseTimeRef(text: string): TimeRef | undefined {
  if (text === 'now') return { offsetMs: 0 };
  if (text.startsWith('-')) {
    const duration = parseDuration(text.slice(1));
    return duration === undefined ? undefined : { offsetMs: -duration };
  }
  if (ISO_TIMESTAMP.test(text)) {
    const at = new Date(text);
    return Number.isNaN(at.getTime()) ? undefined : { at };
  }
  return undefined;
}

export function resolveTime(ref: TimeRef, now: Date): Date {
  return 'at' in ref ? new Date(ref.at.getTime()) : new Date(now.getTime() + ref.offsetMs);
}

/**
 * The minutes whose start lies in [start, end): exactly N of them for any N-minute window, which
 * is what makes a 15-minute and a 3-hour window add up consistently.
 */
export function minutesIn(start: Date, end: Date): { first: number; count: number } {
  const first = Math.ceil(start.getTime() / MINUTE_MS);
  const afterLast = Math.ceil(end.getTime() / MINUTE_MS);
  return { first, count: Math.max(0, afterLast - first) };
}
