import type { MetricPoint } from '../ports';

/**
 * Did errors rise because a version took traffic? Pure arithmetic over per-period Invocations and
 * Errors, so the recent-deploy step can be tested point by point.
 *
 * Rules, each from a way the simple "this window against the last" comparison blamed the wrong
 * deploy:
 * - the two sides are split at the moment the version took traffic, wherever it falls (a period
 *   that straddles it counts on neither side). Callers pass the earliest moment it can have
 *   happened (a deployment's creation, a version's publication), so a rise cannot be put before a
 *   deploy that caused it;
 * - both sides must have invocations, or there is nothing to compare;
 * - the newest minutes are left out: CloudWatch is still filling them in (a datapoint is stamped
 *   with the invocation's start and may arrive minutes later), so they read low;
 * - errors that were already elevated in a sustained stretch right before the moment began
 *   before the deploy and are not blamed on it.
 */

/** The newest minutes CloudWatch may still be filling in. */
export const INCOMPLETE_MS = 3 * 60_000;
/** A stretch shorter than this before the moment is noise, not "errors began before". */
const MIN_STRETCH_PERIODS = 3;

export interface ErrorRate {
  invocations: number;
  errors: number;
  /** Errors as a percentage of invocations. */
  percent: number;
}

export interface SideBySide {
  invocations: MetricPoint[];
  errors: MetricPoint[];
  periodSeconds: number;
}

export type Causation =
  | { kind: 'no-data'; missing: 'before' | 'after' }
  | {
      kind: 'compared';
      before: ErrorRate;
      after: ErrorRate;
      /** When the errors that make the difference began; undefined when errors did not rise. */
      onset: Date | undefined;
      /** True when that rise was already under way before the moment. */
      beganBefore: boolean;
    };

/** The end of the data that is complete at `now`: the newest minutes left out. */
export function completeUntil(now: Date, timeoutSeconds: number | undefined): Date {
  // A metric is stamped when the invocation started and sent when it ended: a long timeout delays it.
  const settle = Math.max(INCOMPLETE_MS, (timeoutSeconds ?? 0) * 1000);
  return new Date(now.getTime() - settle);
}

/** Sums of points whose whole period lies in [from, to). */
export function rateBetween(series: SideBySide, from: Date, to: Date): ErrorRate {
  const periodMs = series.periodSeconds * 1000;
  const inside = (p: MetricPoint) => p.at.getTime() >= from.getTime() && p.at.getTime() + periodMs <= to.getTime();
  const invocations = sumOf(series.invocations.filter(inside));
  const errors = sumOf(series.errors.filter(inside));
  return { invocations, errors, percent: invocations > 0 ? (errors / invocations) * 100 : 0 };
}

/** Compares [from, moment) with [moment, until), and dates the rise. */
export function compareAround(series: SideBySide, from: Date, moment: Date, until: Date): Causation {
  const before = rateBetween(series, from, moment);
  const after = rateBetween(series, moment, until);
  if (before.invocations === 0) return { kind: 'no-data', missing: 'before' };
  if (after.invocations === 0) return { kind: 'no-data', missing: 'after' };
  if (after.percent <= before.percent) return { kind: 'compared', before, after, onset: undefined, beganBefore: false };

  const threshold = (before.percent + after.percent) / 2;
  const earlier = sustainedBefore(series, from, moment, threshold);
  if (earlier) return { kind: 'compared', before, after, onset: earlier, beganBefore: true };
  return { kind: 'compared', before, after, onset: firstAbove(series, moment, until, threshold), beganBefore: false };
}

/**
 * The start of the longest stretch ending at the moment whose error rate is at least `threshold`,
 * if it spans a few periods: errors running since then did not wait for the deploy.
 */
function sustainedBefore(series: SideBySide, from: Date, moment: Date, threshold: number): Date | undefined {
  const periodMs = series.periodSeconds * 1000;
  const points = pairs(series).filter(
    (p) => p.at.getTime() >= from.getTime() && p.at.getTime() + periodMs <= moment.getTime(),
  );
  let invocations = 0;
  let errors = 0;
  let start: number | undefined;
  for (let i = points.length - 1; i >= 0; i--) {
    const p = points[i]!;
    invocations += p.invocations;
    errors += p.errors;
    if (points.length - i >= MIN_STRETCH_PERIODS && invocations > 0 && (errors / invocations) * 100 >= threshold) {
      start = i;
    }
  }
  if (start === undefined) return undefined;
  // The stretch may have taken in quiet periods that its busy end outweighs: it begins at the
  // first period that is itself above the threshold.
  const first = points.slice(start).find((p) => rateOf(p) >= threshold);
  return first && points.length - points.indexOf(first) >= MIN_STRETCH_PERIODS ? first.at : undefined;
}

function rateOf(p: { invocations: number; errors: number }): number {
  return p.invocations > 0 ? (p.errors / p.invocations) * 100 : 0;
}

/** The first period from `from` on whose own error rate reaches `threshold`. */
function firstAbove(series: SideBySide, from: Date, until: Date, threshold: number): Date | undefined {
  const periodMs = series.periodSeconds * 1000;
  return pairs(series).find(
    (p) =>
      p.at.getTime() + periodMs > from.getTime() &&
      p.at.getTime() < until.getTime() &&
      p.invocations > 0 &&
      p.errors > 0 &&
      (p.errors / p.invocations) * 100 >= threshold,
  )?.at;
}

/** Invocations and errors per period, oldest first (periods without invocations count zero). */
function pairs(series: SideBySide): { at: Date; invocations: number; errors: number }[] {
  const byTime = new Map<number, { at: Date; invocations: number; errors: number }>();
  const entry = (at: Date) => {
    let e = byTime.get(at.getTime());
    if (!e) byTime.set(at.getTime(), (e = { at, invocations: 0, errors: 0 }));
    return e;
  };
  for (const p of series.invocations) entry(p.at).invocations += p.value;
  for (const p of series.errors) entry(p.at).errors += p.value;
  return [...byTime.values()].sort((a, b) => a.at.getTime() - b.at.getTime());
}

function sumOf(points: MetricPoint[]): number {
  return points.reduce((total, p) => total + p.value, 0);
}
