import { describeError } from '../../errors';
import {
  FLEET_QUERIES_PER_REQUEST,
  fleetQueriesFor,
  type CallOptions,
  type FleetEntry,
  type FleetMetrics,
  type FleetTarget,
  type FunctionMetrics,
  type FunctionMetricsQuery,
  type MetricsPort,
  type TimeWindow,
  type VersionMetrics,
} from '../../ports';
import { periodSeries, versionMinutes, versionP99, versionSeries, windowMetrics } from '../aggregate';
import type { SimulatedFleet } from '../fleet';
import { MINUTE_MS } from '../time';
import { faultOf } from './requests';
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

    const answers = await Promise.all(
      batches.map(async (members) => {
        // One request carries the whole batch: a fault on any function in it fails the request,
        // and only its functions go unanswered.
        const fault = members
          .map((t) => faultOf(this.fleet.findFunction(t.functionName), 'metrics', `the metrics of ${t.functionName}`))
          .find((f) => f !== undefined);
        try {
          await this.requests.send('CloudWatch', 'GetMetricData', opts, fault);
        } catch (error) {
          if (opts?.signal?.aborted) throw error;
          const reason = describeError(error);
          return members.map((t) => [t.functionName, { served: false, reason }] as const);
        }
        return members.map((t) => [t.functionName, { served: true, metrics: this.fleetTotals(t, window) }] as const);
      }),
    );
    return new Map<string, FleetEntry>(answers.flat());
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

function periodFor(query: FunctionMetricsQuery): number {
  const start = Math.min(query.window.start.getTime(), query.previous.start.getTime());
  const end = Math.max(query.window.end.getTime(), query.previous.end.getTime());
  return Math.max(1, Math.ceil((end - start) / MINUTE_MS / MAX_POINTS_PER_SERIES));
}
