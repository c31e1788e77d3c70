import { describeError } from '../errors';
import { formatCount, formatPercent, shortTraceId } from '../format';
import type { ErrorTraceStats } from '../ports';
import { gradeAbove, percentOf, round, worst } from './grade';
import { traceLink, tracesLink } from './links';
import type { CheckParams } from './params';
import { untracedReason } from './tracing';
import type { CheckContext, CheckResult } from './types';

/** How many sample traces a one-line summary names. */
const TRACES_IN_SUMMARY = 2;

export async function errorTracesCheck(ctx: CheckContext, params: CheckParams<'error-traces'>): Promise<CheckResult> {
  const { fn, window } = ctx;
  const metrics = await ctx.evidence.metrics();
  const { errors, invocations, throttles } = metrics.current;
  if (invocations + throttles === 0) {
    return {
      status: 'no-traffic',
      summary: `no invocations of ${fn.alias} in the window`,
      evidence: { errors, invocations },
      links: [tracesLink(fn.region, fn.name, window, true)],
    };
  }
  const errorPercent = percentOf(errors, invocations);
  const untraced = untracedReason(fn);
  // The error rate comes from metrics; traces only explain it, so a trace failure does not make
  // the step unknown. A function X-Ray cannot trace is another matter: nothing could explain its
  // failures, so the step is unknown unless the rate alone is bad enough to say more.
  const status = worst(gradeAbove(errorPercent, params.thresholds.errorPercent), untraced ? 'unknown' : 'ok');

  let traces: ErrorTraceStats | undefined;
  let tracesProblem: string | undefined = untraced;
  if (errors > 0 && !untraced) {
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
  if (tracesProblem) parts.push(`${untraced ? 'not traced' : 'traces unavailable'}: ${tracesProblem}`);

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
      tracingMode: fn.tracingMode ?? null,
    },
    reason: status === 'unknown' ? untraced : undefined,
    links: [
      tracesLink(fn.region, fn.name, window, true),
      ...samples.slice(0, TRACES_IN_SUMMARY).map((s) => traceLink(fn.region, s.traceId)),
    ],
  };
}
