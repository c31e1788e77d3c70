import type {
  CallOptions,
  FleetMetrics,
  FunctionMetrics,
  FunctionMetricsQuery,
  MetricsPort,
  TimeWindow,
  VersionMetrics,
} from '../../ports';
import { periodSeries, versionMinutes, versionP99, versionSeries, windowMetrics } from '../aggregate';
import type { SimulatedFleet } from '../fleet';
import { MINUTE_MS } from '../time';
import { faultOf } from './requests';
import type { RequestSimulator } from './requests';

/** GetMetricData takes at most 500 queries a request. */
const QUERIES_PER_REQUEST = 500;
/** Fleet totals ask for Invocations, Errors, Throttles and Duration p99 of each function. */
const FLEET_QUERIES_PER_FUNCTION = 4;
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
    functionNames: string[],
    window: TimeWindow,
    opts?: CallOptions,
  ): Promise<Map<string, FleetMetrics>> {
    const perRequest = Math.floor(QUERIES_PER_REQUEST / FLEET_QUERIES_PER_FUNCTION);
    const batches: string[][] = [];
    for (let i = 0; i < functionNames.length; i += perRequest) batches.push(functionNames.slice(i, i + perRequest));

    const answers = await Promise.all(
      batches.map(async (batch) => {
        // One request carries the whole batch: a fault on any function in it fails the request.
        const fault = batch
          .map((name) => faultOf(this.fleet.findFunction(name), 'metrics', `the metrics of ${name}`))
          .find((f) => f !== undefined);
        await this.requests.send('CloudWatch', 'GetMetricData', opts, fault);
        return batch.map((name) => [name, this.fleetTotals(name, window)] as const);
      }),
    );
    return new Map(answers.flat());
  }

  private fleetTotals(name: string, window: TimeWindow): FleetMetrics {
    const signals = this.fleet.findFunction(name)?.signals;
    const length = window.end.getTime() - window.start.getTime();
    const before = { start: new Date(window.start.getTime() - length), end: window.start };
    const totals = windowMetrics(signals?.minutesIn(window) ?? []);
    const previous = windowMetrics(signals?.minutesIn(before) ?? []);
    return {
      invocations: totals.invocations,
      errors: totals.errors,
      throttles: totals.throttles,
      durationP99Ms: totals.durationP99Ms,
      previous: { invocations: previous.invocations, durationP99Ms: previous.durationP99Ms },
    };
  }
}

function periodFor(query: FunctionMetricsQuery): number {
  const start = Math.min(query.window.start.getTime(), query.previous.start.getTime());
  const end = Math.max(query.window.end.getTime(), query.previous.end.getTime());
  return Math.max(1, Math.ceil((end - start) / MINUTE_MS / MAX_POINTS_PER_SERIES));
}
