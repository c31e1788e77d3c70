import {
  FLEET_QUERIES_PER_REQUEST,
  fleetQueriesFor,
  type CallOptions,
  type ExtraMetricQuery,
  type ExtraMetricResult,
  type FleetEntry,
  type FleetMetrics,
  type FleetTarget,
  type FunctionMetrics,
  type FunctionMetricsQuery,
  type MetricsPort,
  type TimeWindow,
  type VersionMetrics,
} from '../../ports';
import { apiMetricNames } from '../../api-tag';
import { periodSeries, versionMinutes, versionP99, versionSeries, windowMetrics } from '../aggregate';
import type { SimulatedFleet, SimulatedFunction } from '../fleet';
import { rateAmount } from '../levels';
import type { Rate } from '../schema';
import type { MinuteSample } from '../signals';
import { MINUTE_MS } from '../time';
import { faultOf } from './requests';
import { readMetricBatches } from './metric-batches';
import type { RequestSimulator } from './requests';

/** As the AWS adapter asks: one-minute points until both windows together exceed 1,440 of them. */
const MAX_POINTS_PER_SERIES = 1440;

export class SimulatedMetrics implements MetricsPort {
  constructor(
    private readonly fleet: SimulatedFleet,
    private readonly requests: RequestSimulator,
  ) {}

  async getFunctionMetrics(query: FunctionMetricsQuery, opts?: CallOptions): Promise<FunctionMetrics> {
    const fn = this.fleet.findFunction(query.functionName);
    await this.requests.send(
      'CloudWatch',
      'GetMetricData',
      opts,
      faultOf(fn, 'metrics', `the metrics of ${query.functionName}`),
    );
    // CloudWatch answers an unknown function (or alias) with empty series, not an error.
    const current = fn ? fn.signals.minutesIn(query.window) : [];
    const previous = fn ? fn.signals.minutesIn(query.previous) : [];
    const periodMinutes = periodFor(query);
    const rangeStart = new Date(Math.min(query.window.start.getTime(), query.previous.start.getTime()));
    const rangeEnd = new Date(Math.max(query.window.end.getTime(), query.previous.end.getTime()));
    const all = fn ? fn.signals.minutesIn({ start: rangeStart, end: rangeEnd }) : [];
    const timeline = periodSeries(all, periodMinutes, rangeStart);
    const [primary = ''] = query.versions ?? [];
    const byVersion: Record<string, VersionMetrics> = {};
    for (const version of new Set(query.versions ?? [])) {
      const parts = versionMinutes(all, version, primary);
      byVersion[version] = {
        ...versionSeries(all, parts, periodMinutes, rangeStart),
        durationP99Ms: versionP99(versionMinutes(current, version, primary)),
      };
    }
    return {
      current: windowMetrics(current),
      previous: windowMetrics(previous),
      series: periodSeries(current, periodMinutes, query.window.start),
      periodSeconds: periodMinutes * 60,
      missing: [],
      timeline: { invocations: timeline.invocations, errors: timeline.errors },
      byVersion,
      extra: Object.fromEntries(
        (query.extra ?? []).map((q) => [
          q.id,
          fn
            ? extraMetric(this.fleet, fn, q, { current, previous })
            : { current: undefined, previous: undefined, latest: undefined, served: true },
        ]),
      ),
    };
  }

  async getFleetMetrics(
    targets: FleetTarget[],
    window: TimeWindow,
    opts?: CallOptions,
  ): Promise<Map<string, FleetEntry>> {
    // Packed as the AWS adapter packs them: a request closes when the next function's queries would not fit.
    const batches: FleetTarget[][] = [];
    let batch: FleetTarget[] = [];
    let queries = 0;
    for (const target of targets) {
      const cost = fleetQueriesFor(target);
      if (queries + cost > FLEET_QUERIES_PER_REQUEST) {
        batches.push(batch);
        batch = [];
        queries = 0;
      }
      batch.push(target);
      queries += cost;
    }
    if (batch.length > 0) batches.push(batch);

    return readMetricBatches(
      this.fleet,
      this.requests,
      batches,
      (t): FleetEntry => ({ served: true, metrics: this.fleetTotals(t, window) }),
      opts,
    );
  }

  private fleetTotals(target: FleetTarget, window: TimeWindow): FleetMetrics {
    const signals = this.fleet.findFunction(target.functionName)?.signals;
    const length = window.end.getTime() - window.start.getTime();
    const before = { start: new Date(window.start.getTime() - length), end: window.start };
    const totals = windowMetrics(signals?.minutesIn(window) ?? []);
    const previous = windowMetrics(signals?.minutesIn(before) ?? []);
    // The queue's depth now, as its newest ApproximateNumberOfMessagesVisible datapoint gives it; a
    // queue that does not exist publishes nothing.
    const queue = target.deadLetterQueue
      ? this.fleet.findQueue(this.fleet.queueArn(target.deadLetterQueue))
      : undefined;
    return {
      invocations: totals.invocations,
      errors: totals.errors,
      throttles: totals.throttles,
      durationP99Ms: totals.durationP99Ms,
      peakConcurrency: totals.peakConcurrency,
      deadLetterMessages: target.deadLetterQueue ? (queue?.visible ?? 0) : undefined,
      previous: {
        invocations: previous.invocations,
        durationP99Ms: previous.durationP99Ms,
        peakConcurrency: previous.peakConcurrency,
      },
      missing: [],
    };
  }
}

/**
 * A metric of another namespace (or a Lambda metric an alarm watches), as CloudWatch would answer
 * it for this function's simulated world; no data where the scenario describes none.
 */
function extraMetric(
  fleet: SimulatedFleet,
  fn: SimulatedFunction,
  query: ExtraMetricQuery,
  minutes: { current: MinuteSample[]; previous: MinuteSample[] },
): ExtraMetricResult {
  const dims = new Map(query.dimensions.map((d) => [d.name, d.value]));
  const constant = (value: number | undefined, previous = value): ExtraMetricResult => ({
    current: value,
    previous,
    latest: value,
    served: true,
  });
  const perWindow = (read: (window: MinuteSample[]) => number | undefined): ExtraMetricResult => {
    const current = read(minutes.current);
    const lastMinute = minutes.current.at(-1);
    const perMinute = minutes.current.map((m) => read([m])).filter((v): v is number => v !== undefined);
    return {
      current,
      previous: read(minutes.previous),
      latest: lastMinute ? read([lastMinute]) : undefined,
      peak: perMinute.length > 0 ? Math.max(...perMinute) : undefined,
      served: true,
    };
  };
  const custom = fn.customMetrics.find(
    (m) =>
      m.namespace === query.namespace &&
      m.metricName === query.metricName &&
      Object.entries(m.dimensions).every(([name, value]) => dims.get(name) === value),
  );
  if (custom) return constant(custom.value, custom.previous ?? custom.value);

  if (query.namespace === 'AWS/SQS') {
    const source = fn.eventSources.find((s) => s.service === 'sqs' && s.queueArn.endsWith(`:${dims.get('QueueName')}`));
    if (!source) return constant(undefined);
    if (query.metricName === 'ApproximateAgeOfOldestMessage') return constant(source.oldestMessageAgeSeconds);
    if (query.metricName === 'ApproximateNumberOfMessagesVisible') {
      return constant(fleet.findQueue(source.queueArn)?.visible);
    }
    return constant(undefined);
  }
  if (query.namespace === 'AWS/ApiGateway') {
    const api = fn.api;
    const names = api ? apiMetricNames(api.type) : undefined;
    if (!api || !names || dims.get(names.dimension) !== api.name || (api.stage && dims.get('Stage') !== api.stage)) {
      return constant(undefined);
    }
    const requestsIn = (window: MinuteSample[]) => window.reduce((n, m) => n + (api.requests ?? m.invocations), 0);
    const perRequestRate = (rate: Rate) => (window: MinuteSample[]) =>
      window.reduce((n, m) => n + rateAmount(rate, api.requests ?? m.invocations), 0);
    switch (query.metricName) {
      case names.count:
        return perWindow(requestsIn);
      case names.errors4xx:
        return perWindow(perRequestRate(api.errors4xx));
      case names.errors5xx:
        return perWindow(perRequestRate(api.errors5xx));
      case 'Latency':
        return perWindow((w) => (requestsIn(w) > 0 ? api.latencyP99Ms : undefined));
      case 'IntegrationLatency':
        return perWindow((w) => (requestsIn(w) > 0 ? api.integrationLatencyP99Ms : undefined));
      default:
        return constant(undefined);
    }
  }
  if (query.namespace === 'AWS/Lambda' && dims.get('FunctionName') === fn.name) {
    if (query.metricName === 'IteratorAge') {
      const streams = fn.eventSources.filter((s) => s.service !== 'sqs');
      return constant(streams.length > 0 ? Math.max(...streams.map((s) => s.iteratorAgeMs)) : undefined);
    }
    return perWindow((window) => lambdaStatistic(window, query.metricName, query.stat));
  }
  return constant(undefined);
}

/** A Lambda metric over some minutes, for the alarm that opened a thread. */
function lambdaStatistic(window: MinuteSample[], metricName: string, stat: string): number | undefined {
  if (window.length === 0) return undefined;
  const totals = windowMetrics(window);
  switch (metricName) {
    case 'Invocations':
      return totals.invocations;
    case 'Errors':
      return stat === 'Average' ? totals.errors / Math.max(1, totals.invocations) : totals.errors;
    case 'Throttles':
      return totals.throttles;
    case 'ConcurrentExecutions':
      return totals.peakConcurrency;
    case 'Duration':
      return stat === 'p50' ? totals.durationP50Ms : stat === 'p95' ? totals.durationP95Ms : totals.durationP99Ms;
    default:
      return undefined;
  }
}

function periodFor(query: FunctionMetricsQuery): number {
  const start = Math.min(query.window.start.getTime(), query.previous.start.getTime());
  const end = Math.max(query.window.end.getTime(), query.previous.end.getTime());
  return Math.max(1, Math.ceil((end - start) / MINUTE_MS / MAX_POINTS_PER_SERIES));
}
