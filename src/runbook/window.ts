import { ErrorCode, GofnError } from '../errors';
import type { TimeWindow } from '../ports';

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };
const MIN_MS = 5 * 60_000;
const MAX_MS = 7 * 86_400_000;

/** "15m", "1h", "3h", "1d" → milliseconds. Anything else is an InvalidInput with a sentence. */
export function parseDuration(text: string, option = '--window'): number {
  const match = /^(\d{1,4})([mhd])$/.exec(text.trim());
  const ms = match ? Number(match[1]) * UNIT_MS[match[2]!]! : NaN;
  if (!match) {
    throw new GofnError(ErrorCode.InvalidInput, `${option} "${text}" is not a duration; use 15m, 1h, 3h or 1d.`);
  }
  if (ms < MIN_MS || ms > MAX_MS) {
    throw new GofnError(ErrorCode.InvalidInput, `${option} "${text}" is out of range; use between 5m and 7d.`);
  }
  return ms;
}

export interface Windows {
  window: TimeWindow;
  previous: TimeWindow;
}

/** The window ending at `now` rounded down to the minute (metrics are per minute), and the one before it. */
export function windowsEndingAt(now: Date, durationMs: number): Windows {
  const end = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  const start = new Date(end.getTime() - durationMs);
  return { window: { start, end }, previous: { start: new Date(start.getTime() - durationMs), end: start } };
}
