import type { StepStatus, ThresholdPair } from './types';

/**
 * No traffic ranks above unknown: it is a finding (nothing ran), where unknown is a missing
 * answer; both rank below a measured problem.
 */
const severity: Record<StepStatus, number> = { ok: 0, unknown: 1, 'no-traffic': 2, warn: 3, critical: 4 };

/** Orders statuses from best to worst, for sorting. */
export function statusRank(status: StepStatus): number {
  return severity[status];
}

/** The worse of the statuses: critical > warn > no-traffic > unknown > ok. */
export function worst(...statuses: StepStatus[]): StepStatus {
  return statuses.reduce<StepStatus>((a, b) => (severity[b] > severity[a] ? b : a), 'ok');
}

export function isAtLeastWarn(status: StepStatus): boolean {
  return status === 'warn' || status === 'critical';
}

/** Grades a value where bigger is worse; an absent value or pair grades ok. */
export function gradeAbove(value: number | undefined, pair: ThresholdPair | undefined): StepStatus {
  if (value === undefined || !pair || Number.isNaN(value)) return 'ok';
  if (pair.critical !== undefined && value >= pair.critical) return 'critical';
  if (pair.warn !== undefined && value >= pair.warn) return 'warn';
  return 'ok';
}

/** Grades a value where smaller is worse (for example minutes since a deploy). */
export function gradeBelow(value: number | undefined, pair: ThresholdPair | undefined): StepStatus {
  if (value === undefined || !pair || Number.isNaN(value)) return 'ok';
  if (pair.critical !== undefined && value <= pair.critical) return 'critical';
  if (pair.warn !== undefined && value <= pair.warn) return 'warn';
  return 'ok';
}

export function percentOf(part: number, whole: number): number {
  return whole > 0 ? (part / whole) * 100 : 0;
}

/** Rounds for the machine-readable evidence, so JSON does not carry float noise. */
export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
