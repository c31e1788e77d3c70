import type { MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type {
  CallOptions,
  ExtraMetricResult,
  FleetEntry,
  FleetMetrics,
  FleetTarget,
  FunctionMetrics,
  FunctionMetricsQuery,
  MetricPoint,
  MetricsPort,
  TimeWindow,
  VersionMetrics,
  WindowMetrics,
} from '../ports';
import type { AwsClients } from './clients';
import { planFleetMetrics, type FleetBatch, type FleetMetricsPlan, type FleetStat } from './fleet-metric-plan';
import { getMetricDataSparingPercentiles, readFunctionBatches, type MetricSeries } from './metric-data';
import {
  isPercentileStat,
  percentiles,
  planFunctionMetrics,
  type FunctionMetricsPlan,
  type Percentile,
  type SeriesId,
} from './metric-plan';

export interface CloudWatchMetricsOptions {
  /** The clock the retention rules are applied against. */
  now?: () => Date;
  /** Fleet requests in flight at once; GetMetricData allows 50 a second per account. Default 5. */
  fleetConcurrency?: number;
}

/** How the fleet names a statistic CloudWatch could not serve. */
const fleetMissingNames: Record<FleetStat, string> = {
  invocations: 'Invocations',
  errors: 'Errors',
  throttles: 'Throttles',
  p99: 'Duration p99',
  concurrency: 'ConcurrentExecutions Maximum',
  dlq: 'DLQ ApproximateNumberOfMessagesVisible',
};

const missingNames: Record<Percentile | 'concurrency', string> = {
  p50: 'Duration p50',
  p95: 'Duration p95',
  p99: 'Duration p99',
  concurrency: 'ConcurrentExecutions Maximum',
};

/** MetricsPort over CloudWatch GetMetricData. */
export class CloudWatchMetrics implements MetricsPort {
  private readonly now: () => Date;
  private readonly fleetConcurrency: number;

  constructor(
    private readonly clients: AwsClients,
    options: CloudWatchMetricsOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.fleetConcurrency = options.fleetConcurrency ?? 5;
  }

  async getFunctionMetrics(query: FunctionMetricsQuery, opts?: CallOptions): Promise<FunctionMetrics> {
    const plan = planFunctionMetrics(query, this.now());
    const subject = `${query.functionName}:${query.alias}`;
    const missing: string[] = [];
    const { results, percentilesServed } = await getMetricDataSparingPercentiles(
      this.clients,
      { queries: plan.queries, startTime: plan.startTime, endTime: plan.endTime, subject },
      isPercentileQuery,
      opts,
    );
    if (!percentilesServed) missing.push(...percentiles.map((p) => missingNames[p]));

    const series = (id: SeriesId | Percentile) => results.get(id) ?? { points: [], served: true };
    const split = (id: SeriesId | Percentile, period: number) => splitByWindow(series(id).points, period, query);
    const sums = {
      invocations: split('invocations', plan.seriesPeriod),
      errors: split('errors', plan.seriesPeriod),
      throttles: split('throttles', plan.seriesPeriod),
    };
    const concurrency = split('concurrency', plan.seriesPeriod);
    const durations = Object.fromEntries(percentiles.map((p) => [p, split(p, plan.percentilePeriod)])) as Record<
      Percentile,
      ReturnType<typeof split>
    >;

    const invoked = sum(sums.invocations.current) + sum(sums.invocations.previous) > 0;
    for (const id of ['concurrency', ...percentiles] as const) {
      const name = missingNames[id];
      if (missing.includes(name)) continue;
      const { points, served } = series(id);
      // No datapoints while the function ran means the source cannot serve this statistic.
      if (!served || (invoked && points.length === 0)) missing.push(name);
    }

    const windowMetrics = (which: 'current' | 'previous'): WindowMetrics => ({
      invocations: sum(sums.invocations[which]),
      errors: sum(sums.errors[which]),
      throttles: sum(sums.throttles[which]),
      peakConcurrency: max(concurrency[which]),
      durationP50Ms: max(durations.p50[which]),
      durationP95Ms: max(durations.p95[which]),
      durationP99Ms: max(durations.p99[which]),
    });
    const byVersion: Record<string, VersionMetrics> = {};
    for (const version of new Set([...plan.versionIds.values()].map((v) => v.version))) {
      byVersion[version] = { invocations: [], errors: [], durationP99Ms: undefined };
    }
    for (const [id, { version, stat }] of plan.versionIds) {
      const entry = byVersion[version];
      const points = results.get(id)?.points ?? [];
      if (!entry) continue;
      if (stat === 'p99') entry.durationP99Ms = max(splitByWindow(points, plan.percentilePeriod, query).current);
      else entry[stat] = points;
    }
    return {
      current: windowMetrics('current'),
      previous: windowMetrics('previous'),
      series: {
        invocations: sums.invocations.current,
        errors: sums.errors.current,
        throttles: sums.throttles.current,
        concurrency: concurrency.current,
      },
      periodSeconds: plan.seriesPeriod,
      missing,
      timeline: { invocations: series('invocations').points, errors: series('errors').points },
      byVersion,
      extra: extraResults(plan, results, query),
    };
  }

  async getFleetMetrics(
    targets: FleetTarget[],
    window: TimeWindow,
    opts?: CallOptions,
  ): Promise<Map<string, FleetEntry>> {
    const unique = [...new Map(targets.map((t) => [t.functionName, t] as const)).values()];
    if (unique.length === 0) return new Map();
    const plan = planFleetMetrics(unique, window, this.now());
    // One refused request leaves its functions unknown; the rest of the fleet is still graded.
    return readFunctionBatches(
      plan.batches,
      this.fleetConcurrency,
      (batch) => this.fetchFleetBatch(batch, plan, `${unique.length} functions`, opts),
      (metrics): FleetEntry => ({ served: true, metrics }),
      opts,
    );
  }

  /**
   * One request of the fleet overview, summed per function. Like the single-function path, a
   * request the source cannot serve because of its percentiles (the emulator's crash) is asked once
   * more without them, and a query CloudWatch answers Forbidden or InternalError is missing, not 0.
   */
  private async fetchFleetBatch(
    batch: FleetBatch,
    plan: FleetMetricsPlan,
    subject: string,
    opts: CallOptions | undefined,
  ): Promise<Map<string, FleetMetrics>> {
    const { results, percentilesServed } = await getMetricDataSparingPercentiles(
      this.clients,
      { queries: batch.queries, startTime: plan.startTime, endTime: plan.endTime, subject },
      (query) => batch.ids.get(query.Id ?? '')?.stat === 'p99',
      opts,
    );

    const totals = new Map<string, FleetMetrics>(
      batch.functionNames.map((name) => [
        name,
        {
          invocations: 0,
          errors: 0,
          throttles: 0,
          durationP99Ms: undefined,
          peakConcurrency: undefined,
          deadLetterMessages: undefined,
          previous: { invocations: 0, durationP99Ms: undefined, peakConcurrency: undefined },
          missing: percentilesServed ? [] : [fleetMissingNames.p99],
        },
      ]),
    );
    const currentFrom = plan.currentFrom.getTime();
    for (const [id, { functionName, stat }] of batch.ids) {
      const entry = totals.get(functionName);
      const series = results.get(id);
      if (!entry || (stat === 'p99' && !percentilesServed)) continue;
      if (series && !series.served) {
        entry.missing.push(fleetMissingNames[stat]);
        continue;
      }
      const { now, before } = splitAt(series?.points ?? [], currentFrom);
      switch (stat) {
        case 'p99':
          entry.durationP99Ms = now.max;
          entry.previous.durationP99Ms = before.max;
          break;
        case 'concurrency':
          entry.peakConcurrency = now.max;
          entry.previous.peakConcurrency = before.max;
          break;
        case 'dlq':
          // SQS publishes a queue's metrics while it holds messages or is used: no datapoint in
          // the window is an idle, empty queue.
          entry.deadLetterMessages = now.last ?? 0;
          break;
        default:
          entry[stat] += now.sum;
          if (stat === 'invocations') entry.previous.invocations += before.sum;
      }
    }
    return totals;
  }
}

function isPercentileQuery(query: MetricDataQuery): boolean {
  return isPercentileStat(query.MetricStat?.Stat ?? '');
}

/**
 * Each extra metric over the two windows, by its statistic: a sum of sums, the maximum of maxima,
 * the minimum of minima, the mean of averages (periods of equal length), and a percentile's one
 * datapoint per window. A query CloudWatch refused is `served: false`, never 0.
 */
function extraResults(
  plan: FunctionMetricsPlan,
  results: Map<string, MetricSeries>,
  query: FunctionMetricsQuery,
): Record<string, ExtraMetricResult> {
  const out: Record<string, ExtraMetricResult> = {};
  for (const [id, { query: extra, period }] of plan.extraIds) {
    const series = results.get(id) ?? { points: [], served: true };
    const { current, previous } = splitByWindow(series.points, period, query);
    const combine = (points: MetricPoint[]) => combineStat(extra.stat, points);
    out[extra.id] = {
      current: combine(current),
      previous: combine(previous),
      latest: current.at(-1)?.value,
      peak: max(current),
      served: series.served,
    };
  }
  return out;
}

function combineStat(statistic: string, points: MetricPoint[]): number | undefined {
  if (points.length === 0) return undefined;
  switch (statistic) {
    case 'Sum':
    case 'SampleCount':
      return sum(points);
    case 'Minimum':
      return Math.min(...points.map((p) => p.value));
    case 'Average':
      return sum(points) / points.length;
    default:
      // Maximum, and a percentile (one datapoint per window).
      return max(points);
  }
}

/**
 * A datapoint stands for the period that starts at its timestamp; it belongs to the window that
 * holds the middle of that period, which tolerates CloudWatch aligning buckets differently.
 */
function splitByWindow(points: MetricPoint[], periodSeconds: number, query: FunctionMetricsQuery) {
  const current: MetricPoint[] = [];
  const previous: MetricPoint[] = [];
  const half = (periodSeconds * 1000) / 2;
  for (const point of points) {
    const middle = point.at.getTime() + half;
    if (middle >= query.window.start.getTime() && middle < query.window.end.getTime() + half) current.push(point);
    else if (middle >= query.previous.start.getTime() && middle < query.previous.end.getTime()) previous.push(point);
  }
  return { current, previous };
}

interface SideTotals {
  sum: number;
  max: number | undefined;
  /** The value of the newest point. */
  last: number | undefined;
}

/**
 * Sum, max and newest value of the points before `from` and from it on, in one pass: the fleet
 * reads 30,000 series at a time, and two filtered copies of each were most of its garbage.
 */
function splitAt(points: readonly MetricPoint[], from: number): { now: SideTotals; before: SideTotals } {
  const now: SideTotals = { sum: 0, max: undefined, last: undefined };
  const before: SideTotals = { sum: 0, max: undefined, last: undefined };
  for (const point of points) {
    const side = point.at.getTime() >= from ? now : before;
    side.sum += point.value;
    side.max = side.max === undefined ? point.value : Math.max(side.max, point.value);
    side.last = point.value;
  }
  return { now, before };
}

function sum(points: MetricPoint[]): number {
  return points.reduce((total, p) => total + p.value, 0);
}

function max(points: MetricPoint[]): number | undefined {
  return points.length === 0 ? undefined : Math.max(...points.map((p) => p.value));
}
