import { formatCount, formatMs, formatPercent, formatRatio } from '../format';
import { gradeAbove, percentOf, round, worst } from './grade';
import { logsInsightsLink } from './links';
import type { CheckParams } from './params';
import type { CheckContext, CheckResult } from './types';

export async function coldStartsCheck(ctx: CheckContext, params: CheckParams<'cold-starts'>): Promise<CheckResult> {
  const { fn, window } = ctx;
  const stats = await ctx.evidence.coldStarts();
  const { current, previous } = stats;
  const rate = percentOf(current.coldStarts, current.invocations);
  const previousRate = percentOf(previous.coldStarts, previous.invocations);
  const comparable = previous.invocations >= params.minInvocations;
  // A previous window with no cold starts at all would make any cold start an infinite spike;
  // compare against one cold start instead.
  const spike = comparable ? rate / Math.max(previousRate, percentOf(1, previous.invocations)) : undefined;
  const enough = current.invocations >= params.minInvocations;
  const status = enough
    ? worst(gradeAbove(rate, params.thresholds.coldStartPercent), gradeAbove(spike, params.thresholds.spikeRatio))
    : 'ok';

  const parts = enough
    ? [
        `${formatPercent(rate)} of invocations` +
          (comparable
            ? ` (prev. ${formatPercent(previousRate)}${spike !== undefined && spike >= 1.5 ? `, ${formatRatio(spike)}` : ''})`
            : ''),
      ]
    : [`only ${formatCount(current.invocations)} invocations; too few to judge`];
  if (current.initAvgMs !== undefined) {
    parts.push(
      `init avg ${formatMs(current.initAvgMs)}${current.initMaxMs !== undefined ? `, max ${formatMs(current.initMaxMs)}` : ''}`,
    );
  }

  return {
    status,
    summary: parts.join(' · '),
    headline:
      spike !== undefined && spike >= 1.5
        ? `cold starts jumped to ${formatPercent(rate)} of invocations (${formatRatio(spike)})`
        : `${formatPercent(rate)} of invocations are cold starts`,
    evidence: {
      invocations: current.invocations,
      coldStarts: current.coldStarts,
      coldStartPercent: round(rate),
      previousInvocations: previous.invocations,
      previousColdStarts: previous.coldStarts,
      previousColdStartPercent: round(previousRate),
      spikeRatio: spike === undefined ? null : round(spike),
      initAvgMs: current.initAvgMs === undefined ? null : Math.round(current.initAvgMs),
      initMaxMs: current.initMaxMs === undefined ? null : Math.round(current.initMaxMs),
    },
    links: [logsInsightsLink(fn.region, fn.logGroup, stats.queryString, window)],
  };
}
