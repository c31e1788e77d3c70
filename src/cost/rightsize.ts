import { formatCount, formatMs, plural } from '../format';
import type { LogGroupMemory } from '../ports';
import { formatUsd } from './money';
import type { RightSizing } from './report';

/**
 * The memory size gofn suggests, from the most memory any invocation used (the REPORT lines) and
 * the duration CloudWatch saw. Never below the observed peak plus headroom; the saving assumes the
 * duration stays the same, and the risk says what happens when it does not: Lambda gives a
 * function CPU in proportion to its memory (one full vCPU at 1,769 MB), so a CPU-bound Go handler
 * runs slower in a smaller size and its p99 moves toward the timeout.
 */

/** Kept above the peak: Go's heap grows in steps, and the peak of a week is not the peak of a year. */
export const HEADROOM = 0.3;
/** Sizes are suggested in these steps (Lambda takes any MB from 128 to 10,240). */
export const STEP_MB = 64;
export const MIN_MB = 128;
export const MAX_MB = 10_240;
/** Memory at which a function has one full vCPU. */
export const ONE_VCPU_MB = 1769;
/** Fewer reports than this say too little about the peak. */
export const MIN_REPORTS = 100;
/** A peak at or above this share of the size is close to running out. */
export const NEAR_LIMIT = 0.9;
/** A smaller size is suggested only when it is at most this share of the current one: less is noise. */
export const WORTH_SHRINKING = 0.8;

export interface RightSizeInput {
  memoryMb: number;
  timeoutSeconds: number;
  memory: LogGroupMemory | undefined;
  /** Why the REPORT lines were not read, when they were not. */
  memoryUnread: string | undefined;
  memoryDays: number;
  /** Highest daily Duration p99 of the window. */
  durationP99Ms: number | undefined;
  /** Compute cost of a month at the current size. */
  computeMonth: number;
}

export function rightSize(input: RightSizeInput): RightSizing {
  const { memoryMb, memory } = input;
  // No size to move to: too little data, or the size is right.
  const none = (basis: string, status: 'not-enough-data' | 'ok' = 'not-enough-data'): RightSizing => ({
    status,
    currentMb: memoryMb,
    suggestedMb: null,
    monthlySaving: null,
    risk: null,
    riskText: null,
    basis,
  });
  if (!memory || memory.maxUsedMb === undefined) {
    return none(input.memoryUnread ?? `no REPORT line in ${plural(input.memoryDays, 'day')}`);
  }
  if (memory.reports < MIN_REPORTS) {
    return none(`${plural(memory.reports, 'REPORT line')} in ${plural(input.memoryDays, 'day')}: too few to size by`);
  }
  const peak = memory.maxUsedMb;
  const floor = Math.max(MIN_MB, Math.min(MAX_MB, Math.ceil((peak * (1 + HEADROOM)) / STEP_MB) * STEP_MB));
  const basis = `peak ${formatCount(Math.round(peak))} MB over ${formatCount(memory.reports)} invocations in ${plural(input.memoryDays, 'day')}, + ${HEADROOM * 100}% headroom`;
  const perMb = input.computeMonth / memoryMb;

  if (peak >= NEAR_LIMIT * memoryMb && floor > memoryMb) {
    return {
      status: 'raise',
      currentMb: memoryMb,
      suggestedMb: floor,
      monthlySaving: -(floor - memoryMb) * perMb,
      risk: 'high',
      riskText: `max used ${Math.round((peak / memoryMb) * 100)}% of ${formatCount(memoryMb)} MB: an invocation that needs more is killed`,
      basis,
    };
  }
  if (floor > WORTH_SHRINKING * memoryMb) return none(basis, 'ok');
  const cpuFactor = Math.min(memoryMb, ONE_VCPU_MB) / Math.min(floor, ONE_VCPU_MB);
  const { risk, riskText } = riskOf(cpuFactor, input.durationP99Ms, input.timeoutSeconds);
  return {
    status: 'shrink',
    currentMb: memoryMb,
    suggestedMb: floor,
    monthlySaving: (memoryMb - floor) * perMb,
    risk,
    riskText,
    basis,
  };
}

function riskOf(
  cpuFactor: number,
  p99Ms: number | undefined,
  timeoutSeconds: number,
): { risk: 'low' | 'medium' | 'high'; riskText: string } {
  if (cpuFactor <= 1) {
    return { risk: 'low', riskText: `the CPU share stays the same above ${formatCount(ONE_VCPU_MB)} MB` };
  }
  const slower = `a CPU-bound handler gets ×${cpuFactor.toFixed(1)} less CPU`;
  if (p99Ms === undefined) {
    return { risk: 'medium', riskText: `${slower}; p99 unknown, so how close it gets to the timeout is not known` };
  }
  const timeoutMs = timeoutSeconds * 1000;
  const worst = p99Ms * cpuFactor;
  const text = `${slower}: p99 ${formatMs(p99Ms)} could reach ${formatMs(worst)} of the ${formatMs(timeoutMs)} timeout`;
  if (worst >= 0.8 * timeoutMs) return { risk: 'high', riskText: text };
  // Half the CPU or less is a risk of its own, whatever the timeout.
  if (worst >= 0.5 * timeoutMs || cpuFactor >= 2) return { risk: 'medium', riskText: text };
  return { risk: 'low', riskText: text };
}

/** The advice line of a sizing: "max used 212 MB → 512 MB saves $20.60/mo (risk low)". */
export function sizingAdvice(sizing: RightSizing, maxUsedMb: number | null): string | undefined {
  const used = maxUsedMb === null ? '' : `max used ${formatCount(Math.round(maxUsedMb))} MB → `;
  if (sizing.status === 'shrink' && sizing.suggestedMb !== null && sizing.monthlySaving !== null) {
    return `${used}${formatCount(sizing.suggestedMb)} MB saves up to ${formatUsd(sizing.monthlySaving)}/mo (risk ${sizing.risk})`;
  }
  if (sizing.status === 'raise' && sizing.suggestedMb !== null && sizing.monthlySaving !== null) {
    return `${used}raise to ${formatCount(sizing.suggestedMb)} MB (+${formatUsd(-sizing.monthlySaving)}/mo)`;
  }
  return undefined;
}
