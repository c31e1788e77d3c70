import { formatCount, formatMs, formatPercent, formatRatio } from '../format';
import { gradeAbove, percentOf, round, worst } from './grade';
import { logsInsightsLink } from './links';
import type { CheckParams } from './params';
import type { CheckContext, CheckResult } from './types';

/** Log formats the cold-start query reads (LoggingConfig.LogFormat); Lambda reports no others today. */
const READABLE_FORMATS: ReadonlySet<string> = new Set(['Text', 'JSON']);
/** System log levels at which Lambda writes platform.report, an INFO record, in the JSON format. */
const REPORTING_LEVELS: ReadonlySet<string> = new Set(['DEBUG', 'INFO']);

export async function coldStartsCheck(ctx: CheckContext, params: CheckParams<'cold-starts'>): Promise<CheckResult> {
  const { fn, window } = ctx;
  const unreadable = unreadableFormat(fn);
  if (unreadable) {
    return {
      status: 'unknown',
      summary: `cannot count cold starts: ${unreadable}`,
      reason: unreadable,
      evidence: { logFormat: fn.logFormat ?? null, systemLogLevel: fn.systemLogLevel ?? null },
      links: [],
    };
  }

  const stats = await ctx.evidence.coldStarts();
  const { current, previous } = stats;
  const links = [logsInsightsLink(fn.region, fn.logGroup, stats.queryString, window)];
  const formatEvidence = { logFormat: fn.logFormat ?? null, logGroup: fn.logGroup };
  if (current.invocations === 0) {
    // Only an empty log group needs the metrics (shared with the other steps, one request): they
    // say whether the alias ran at all. Waiting for them otherwise would tie this step to them.
    const metrics = await ctx.evidence.metrics().catch(() => undefined);
    if (metrics && metrics.current.invocations + metrics.current.throttles === 0) {
      return {
        status: 'no-traffic',
        summary: `no invocations of ${fn.alias} in the window`,
        evidence: { invocations: 0, coldStarts: 0, ...formatEvidence },
        links,
      };
    }
    const why = metrics
      ? `${fn.logGroup} holds no REPORT line or platform.report record for the ${formatCount(metrics.current.invocations)} invocations CloudWatch counted`
      : `${fn.logGroup} holds no REPORT line or platform.report record in the window, and the metrics that would say whether the function ran could not be read`;
    return {
      status: 'unknown',
      summary: `cannot count cold starts: ${why}`,
      reason: why,
      evidence: { invocations: 0, metricInvocations: metrics?.current.invocations ?? null, ...formatEvidence },
      links,
    };
  }

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
      ...formatEvidence,
    },
    links,
  };
}

/**
 * Why the function's logs cannot hold what the query counts, if they cannot: a log format other
 * than the two it reads, or JSON logs with a system log level above INFO, where Lambda writes no
 * platform.report records at all.
 */
function unreadableFormat(fn: CheckContext['fn']): string | undefined {
  if (fn.logFormat !== undefined && !READABLE_FORMATS.has(fn.logFormat)) {
    return `the function logs in the ${fn.logFormat} format, which the Logs Insights query does not read`;
  }
  if (fn.logFormat === 'JSON' && fn.systemLogLevel !== undefined && !REPORTING_LEVELS.has(fn.systemLogLevel)) {
    return (
      `the function logs JSON with system log level ${fn.systemLogLevel}, so Lambda writes no platform.report records; ` +
      'set LoggingConfig.SystemLogLevel to INFO'
    );
  }
  return undefined;
}
