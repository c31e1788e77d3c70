import type { Dimension, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { ErrorCode, GofnError } from '../errors';
import type { ExtraMetricQuery, FunctionMetricsQuery, TimeWindow } from '../ports';

/**
 * What to ask CloudWatch GetMetricData for, as pure functions of the windows: periods, time range,
 * query ids and dimensions. Kept apart from the adapter so the arithmetic is testable alone.
 */

/** Keeps a series query at about a day of one-minute points, well under GetMetricData's 100,800 per request. */
export const maxPointsPerSeries = 1440;
/** GetMetricData accepts at most 500 queries per request. */
export const maxQueriesPerRequest = 500;

const minute = 60;
const day = 24 * 3600;

/**
 * CloudWatch keeps 1-minute data for 15 days, 5-minute data for 63 days and hourly data beyond,
 * and rejects periods finer than what it still has for the start of the range.
 */
export function coarsestRetention(oldest: Date, now: Date): number {
  const ageSeconds = (now.getTime() - oldest.getTime()) / 1000;
  if (ageSeconds > 63 * day) return 3600;
  if (ageSeconds > 15 * day) return 300;
  return minute;
}

/** A period (seconds) at least `wanted`, a multiple of the retention step (itself a multiple of 60). */
export function roundPeriod(wantedSeconds: number, retentionStep: number): number {
  return Math.max(retentionStep, Math.ceil(wantedSeconds / retentionStep) * retentionStep);
}

/** The series period for a span: 60 s up to a day, coarser beyond so a series stays ≤ 1,440 points. */
export function seriesPeriodFor(spanSeconds: number, retentionStep: number): number {
  return roundPeriod(Math.ceil(spanSeconds / maxPointsPerSeries / minute) * minute, retentionStep);
}

export function alignDown(date: Date, seconds: number): Date {
  const step = seconds * 1000;
  return new Date(Math.floor(date.getTime() / step) * step);
}

export function alignUp(date: Date, seconds: number): Date {
  const step = seconds * 1000;
  return new Date(Math.ceil(date.getTime() / step) * step);
}

export function windowSeconds(window: TimeWindow): number {
  return (window.end.getTime() - window.start.getTime()) / 1000;
}

export function assertWindow(window: TimeWindow, what: string): void {
  if (!(window.end.getTime() > window.start.getTime())) {
    throw new GofnError(
      ErrorCode.InvalidInput,
      `The ${what} window ends (${window.end.toISOString()}) before it starts (${window.start.toISOString()}).`,
    );
  }
}

const lambdaNamespace = 'AWS/Lambda';

function functionDimensions(functionName: string): Dimension[] {
  return [{ Name: 'FunctionName', Value: functionName }];
}

/**
 * Lambda publishes alias metrics under FunctionName plus Resource `<function>:<alias>`. A function
 * without aliases is diagnosed as `$LATEST`: its metrics are read under FunctionName alone, which
 * counts every invocation of the function.
 */
function aliasDimensions(functionName: string, alias: string): Dimension[] {
  if (alias === '$LATEST') return functionDimensions(functionName);
  return [
    { Name: 'FunctionName', Value: functionName },
    { Name: 'Resource', Value: `${functionName}:${alias}` },
  ];
}

/**
 * Invocations through an alias are also counted per version that ran them: FunctionName, Resource
 * `<function>:<alias>` and ExecutedVersion. During a canary that is how one version's errors show.
 */
function executedVersionDimensions(functionName: string, alias: string, version: string): Dimension[] {
  return [...aliasDimensions(functionName, alias), { Name: 'ExecutedVersion', Value: version }];
}

/** One GetMetricData query of a metric's statistic, its values returned. */
export function metricStat(
  id: string,
  namespace: string,
  metric: string,
  dimensions: Dimension[],
  period: number,
  stat: string,
): MetricDataQuery {
  return {
    Id: id,
    MetricStat: {
      Metric: { Namespace: namespace, MetricName: metric, Dimensions: dimensions },
      Period: period,
      Stat: stat,
    },
    ReturnData: true,
  };
}

function stat(
  id: string,
  metric: string,
  dimensions: Dimension[],
  period: number,
  statistic: string,
  namespace = lambdaNamespace,
): MetricDataQuery {
  return metricStat(id, namespace, metric, dimensions, period, statistic);
}

export const percentiles = ['p50', 'p95', 'p99'] as const;
export type Percentile = (typeof percentiles)[number];
export const seriesIds = ['invocations', 'errors', 'throttles', 'concurrency'] as const;
export type SeriesId = (typeof seriesIds)[number];

export type VersionStat = 'invocations' | 'errors' | 'p99';

export interface FunctionMetricsPlan {
  startTime: Date;
  endTime: Date;
  seriesPeriod: number;
  percentilePeriod: number;
  queries: MetricDataQuery[];
  /** Query id → the version and statistic it holds (`v<index>_<stat>`: a query id cannot be a number). */
  versionIds: Map<string, { version: string; stat: VersionStat }>;
  /** Query id (`x<index>`) → the extra metric asked for, and the period it is read at. */
  extraIds: Map<string, { query: ExtraMetricQuery; period: number }>;
}

/** A percentile statistic (p99, p99.9) is read once per window; the others as a series. */
export function isPercentileStat(statistic: string): boolean {
  return /^p\d/.test(statistic);
}

/**
 * One request for both windows: Sum series of Invocations/Errors/Throttles and Maximum of
 * ConcurrentExecutions at the series period, and Duration percentiles with Period = window length,
 * so the range holds exactly one previous and one current bucket per percentile. Each version in
 * `query.versions` adds its Invocations and Errors series and Duration p99 to the same request.
 */
export function planFunctionMetrics(query: FunctionMetricsQuery, now: Date): FunctionMetricsPlan {
  assertWindow(query.window, 'current');
  assertWindow(query.previous, 'previous');
  const start = new Date(Math.min(query.previous.start.getTime(), query.window.start.getTime()));
  const end = new Date(Math.max(query.previous.end.getTime(), query.window.end.getTime()));
  const retention = coarsestRetention(start, now);
  const startTime = alignDown(start, minute);
  const endTime = alignUp(end, minute);
  const seriesPeriod = seriesPeriodFor((endTime.getTime() - startTime.getTime()) / 1000, retention);
  const percentilePeriod = roundPeriod(windowSeconds(query.window), retention);
  const alias = aliasDimensions(query.functionName, query.alias);
  const queries: MetricDataQuery[] = [
    stat('invocations', 'Invocations', alias, seriesPeriod, 'Sum'),
    stat('errors', 'Errors', alias, seriesPeriod, 'Sum'),
    stat('throttles', 'Throttles', alias, seriesPeriod, 'Sum'),
    // Reserved concurrency and throttling are per function, so is the concurrency that matters.
    stat('concurrency', 'ConcurrentExecutions', functionDimensions(query.functionName), seriesPeriod, 'Maximum'),
    ...percentiles.map((p) => stat(p, 'Duration', alias, percentilePeriod, p)),
  ];
  const versionIds = new Map<string, { version: string; stat: VersionStat }>();
  [...new Set(query.versions ?? [])].forEach((version, index) => {
    const dimensions = executedVersionDimensions(query.functionName, query.alias, version);
    const specs: [VersionStat, string, number, string][] = [
      ['invocations', 'Invocations', seriesPeriod, 'Sum'],
      ['errors', 'Errors', seriesPeriod, 'Sum'],
      ['p99', 'Duration', percentilePeriod, 'p99'],
    ];
    for (const [versionStat, metric, period, statistic] of specs) {
      const id = `v${index}_${versionStat}`;
      queries.push(stat(id, metric, dimensions, period, statistic));
      versionIds.set(id, { version, stat: versionStat });
    }
  });
  const extraIds = new Map<string, { query: ExtraMetricQuery; period: number }>();
  (query.extra ?? []).forEach((extra, index) => {
    const id = `x${index}`;
    const period = isPercentileStat(extra.stat)
      ? percentilePeriod
      : extra.periodSeconds
        ? roundPeriod(extra.periodSeconds, retention)
        : seriesPeriod;
    const dimensions = extra.dimensions.map((d) => ({ Name: d.name, Value: d.value }));
    queries.push(stat(id, extra.metricName, dimensions, period, extra.stat, extra.namespace));
    extraIds.set(id, { query: extra, period });
  });
  return { startTime, endTime, seriesPeriod, percentilePeriod, queries, versionIds, extraIds };
}
