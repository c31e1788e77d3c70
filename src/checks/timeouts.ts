import { formatMs, formatPercent } from '../format';
import { gradeAbove, percentOf, round } from './grade';
import { metricsLink } from './links';
import type { CheckParams } from './params';
import type { CheckContext, CheckResult } from './types';

/**
 * Duration p99 against the configured timeout: a p99 within a tenth of the timeout means the
 * slowest invocations are about to be cut off (and those past it already were: see the memory
 * and crashes step for "Task timed out" lines). Reads the one GetMetricData.
 */
export async function timeoutsCheck(ctx: CheckContext, params: CheckParams<'timeouts'>): Promise<CheckResult> {
  const { fn, window } = ctx;
  const links = [metricsLink(fn.region, fn.name, window)];
  const timeoutMs = fn.timeoutSeconds !== undefined ? fn.timeoutSeconds * 1000 : undefined;
  if (timeoutMs === undefined) {
    const why = 'Lambda did not report the function’s timeout';
    return { status: 'unknown', summary: `cannot compare: ${why}`, reason: why, evidence: { timeoutMs: null }, links };
  }
  const metrics = await ctx.evidence.metrics();
  const { invocations, throttles, durationP99Ms } = metrics.current;
  if (invocations + throttles === 0) {
    return {
      status: 'no-traffic',
      summary: `no invocations of ${fn.alias} in the window; timeout ${formatMs(timeoutMs)}`,
      evidence: { timeoutMs, durationP99Ms: null },
      links,
    };
  }
  if (durationP99Ms === undefined) {
    const why = metrics.missing.includes('Duration p99')
      ? 'this metrics source does not serve Duration p99'
      : 'CloudWatch returned no Duration p99 for the window';
    return {
      status: 'unknown',
      summary: `cannot compare with the ${formatMs(timeoutMs)} timeout: ${why}`,
      reason: why,
      evidence: { timeoutMs, durationP99Ms: null },
      links,
    };
  }
  const timeoutPercent = percentOf(durationP99Ms, timeoutMs);
  const status = gradeAbove(timeoutPercent, params.thresholds.timeoutPercent);
  const summary = `duration p99 ${formatMs(durationP99Ms)} of the ${formatMs(timeoutMs)} timeout (${formatPercent(timeoutPercent)})`;
  return {
    status,
    summary,
    headline: `duration p99 ${formatMs(durationP99Ms)} is within ${formatPercent(Math.max(0, 100 - timeoutPercent))} of the ${formatMs(timeoutMs)} timeout`,
    evidence: { timeoutMs, durationP99Ms: Math.round(durationP99Ms), timeoutPercent: round(timeoutPercent) },
    links,
  };
}
