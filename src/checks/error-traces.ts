import { describeError } from '../errors';
import { formatCount, formatPercent, shortTraceId } from '../format';
import type { ErrorTraceStats } from '../ports';
import { gradeAbove, percentOf, round } from './grade';
import { traceLink, tracesLink } from './links';
import type { CheckParams } from './params';
import type { CheckContext, CheckResult } from './types';

/** How many sample traces a one-line summary names. */
const TRACES_IN_SUMMARY = 2;

export async function errorTracesCheck(ctx: CheckContext, params: CheckParams<'error-traces'>): Promise<CheckResult> {
  const { fn, window } = ctx;
  const metrics = await ctx.evidence.metrics();
  const { errors, invocations } = metrics.current;
  const errorPercent = percentOf(errors, invocations);
  const status = gradeAbove(errorPercent, params.thresholds.errorPercent);

  // The error rate comes from metrics; traces only explain it, so a trace failure does not make
  // the step unknown.
  let traces: ErrorTraceStats | undefined;
  let tracesProblem: string | undefined;
  if (errors > 0) {
    try {
      traces = await ctx.evidence.errorTraces();
    } catch (error) {
      tracesProblem = describeError(error);
    }
  }

  const top = traces?.topMessages[0];
  const samples = traces?.samples ?? [];
  const parts = [
    errors > 0
      ? `${formatCount(errors)} errors of ${formatCount(invocations)} (${formatPercent(errorPercent)})`
      : 'no errors',
  ];
  if (top) parts.push(`top: "${top.message}" ×${formatCount(top.count)}`);
  if (samples.length > 0) {
    parts.push(
      `traces ${samples
        .slice(0, TRACES_IN_SUMMARY)
        .map((s) => shortTraceId(s.traceId))
        .join(', ')}`,
    );
  }
  if (tracesProblem) parts.push(`traces unavailable: ${tracesProblem}`);

  return {
    status,
    summary: parts.join(' · '),
    headline: top
      ? `${formatPercent(errorPercent)} of invocations fail, most with "${top.message}"`
      : `${formatPercent(errorPercent)} of invocations fail`,
    evidence: {
      errors,
      invocations,
      errorPercent: round(errorPercent),
      tracesWithError: traces?.tracesWithError ?? null,
      tracesWithFault: traces?.tracesWithFault ?? null,
      topMessage: top?.message ?? null,
      topMessageCount: top?.count ?? null,
      traceIds: samples.map((s) => s.traceId),
      requestIds: samples.flatMap((s) => (s.requestId ? [s.requestId] : [])),
      tracesUnavailable: tracesProblem ?? null,
    },
    links: [
      tracesLink(fn.region, fn.name, window, true),
      ...samples.slice(0, TRACES_IN_SUMMARY).map((s) => traceLink(fn.region, s.traceId)),
    ],
  };
}
