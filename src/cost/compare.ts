import { formatCount, plural } from '../format';
import type { MemoryRecommendation } from '../ports';
import { formatUsd } from './money';
import type { OptimizerComparison, RightSizing } from './report';
import { HEADROOM } from './rightsize';

/**
 * Compute Optimizer's recommendation beside gofn's, and why they differ. They answer different
 * questions: gofn sizes by the peak memory of the REPORT lines plus headroom and states the CPU
 * risk; Compute Optimizer models the duration at each size from its own lookback (14 days by
 * default) and recommends where it expects the function to stay fast.
 */
export function compareWithOptimizer(
  ours: RightSizing,
  theirs: MemoryRecommendation | undefined,
  memoryDays: number,
): OptimizerComparison {
  if (!theirs) {
    return {
      status: 'absent',
      memoryMb: null,
      monthlySavings: null,
      text: 'Compute Optimizer has no recommendation for it (it covers the $LATEST version of functions it has analysed)',
    };
  }
  const savings = theirs.monthlySavings?.amount ?? null;
  if (theirs.finding === 'Unavailable') {
    const why = theirs.reasons.includes('InsufficientData')
      ? 'too few invocations for Compute Optimizer to judge (InsufficientData)'
      : theirs.reasons.includes('Inconclusive')
        ? 'Compute Optimizer could not judge it with confidence (Inconclusive)'
        : 'Compute Optimizer has no recommendation for it yet';
    return { status: 'unavailable', memoryMb: null, monthlySavings: null, text: why };
  }
  const current = theirs.currentMemoryMb ?? ours.currentMb;
  const lookback =
    theirs.lookbackDays && Math.round(theirs.lookbackDays) !== memoryDays
      ? `; it looked at ${plural(Math.round(theirs.lookbackDays), 'day')}, gofn at ${plural(memoryDays, 'day')}`
      : '';
  if (theirs.finding === 'Optimized' || theirs.recommendedMemoryMb === undefined) {
    const text =
      ours.status === 'shrink' && ours.suggestedMb !== null
        ? `Compute Optimizer finds ${formatCount(current)} MB optimized: it expects a smaller size to run slower ` +
          `(less CPU), where gofn sizes by peak memory + ${HEADROOM * 100}% and leaves that risk to you${lookback}`
        : `Compute Optimizer agrees: ${formatCount(current)} MB is right${lookback}`;
    return { status: 'optimized', memoryMb: current, monthlySavings: null, text };
  }
  const theirMb = theirs.recommendedMemoryMb;
  const ourMb = ours.suggestedMb ?? ours.currentMb;
  const saving = savings !== null && savings > 0 ? ` (saves ${formatUsd(savings)}/mo by its estimate)` : '';
  let why: string;
  if (theirMb === ourMb) {
    why = `Compute Optimizer agrees: ${formatCount(theirMb)} MB${saving}`;
  } else if (theirMb > current) {
    why =
      `Compute Optimizer suggests raising to ${formatCount(theirMb)} MB${saving}: it sees duration or memory held back ` +
      `by the current size, which peak memory alone does not show${lookback}`;
  } else if (theirMb > ourMb) {
    why =
      `Compute Optimizer suggests ${formatCount(theirMb)} MB${saving}, more than gofn's ${formatCount(ourMb)} MB: ` +
      `it keeps the CPU a Go handler gets at more memory, gofn only the memory it used${lookback}`;
  } else {
    why =
      `Compute Optimizer suggests ${formatCount(theirMb)} MB${saving}, less than gofn's ${formatCount(ourMb)} MB: ` +
      `gofn keeps ${HEADROOM * 100}% above the peak memory it saw${lookback}`;
  }
  return { status: 'recommends', memoryMb: theirMb, monthlySavings: savings, text: why };
}
