/** CloudWatch metrics of one function and of the fleet. */
import type { CallOptions, TimeWindow } from './common';

export interface MetricPoint {
  at: Date;
  value: number;
}

export interface WindowMetrics {
  invocations: number;
  errors: number;
  throttles: number;
  /** Maximum of ConcurrentExecutions over the window. */
  peakConcurrency: number | undefined;
  durationP50Ms: number | undefined;
  durationP95Ms: number | undefined;
  durationP99Ms: number | undefined;
}

export interface FunctionMetrics {
  current: WindowMetrics;
  previous: WindowMetrics;
  /** Per-period series over the current window, oldest first. */
  series: {
    invocations: MetricPoint[];
    errors: MetricPoint[];
    throttles: MetricPoint[];
    concurrency: MetricPoint[];
  };
  periodSeconds: number;
  /** Statistics the source could not serve (for example percentiles on the emulator). */
  missing: string[];

  // Deploy causation and canaries (recent-deploy step), from the same single request.
  /**
   * Invocations and Errors of the alias over both windows, oldest first, at `periodSeconds`: to
   * compare before and after the moment a version took traffic, wherever it falls.
   */
  timeline: { invocations: MetricPoint[]; errors: MetricPoint[] };
  /** Per version asked for in `FunctionMetricsQuery.versions` (dimension ExecutedVersion). */
  byVersion: Record<string, VersionMetrics>;
}

/** One version's share of the alias's invocations (FunctionName + Resource + ExecutedVersion). */
export interface VersionMetrics {
  /** Both windows, oldest first, at `periodSeconds`. */
  invocations: MetricPoint[];
  errors: MetricPoint[];
  /** Duration p99 over the current window; undefined without data or where percentiles are missing. */
  durationP99Ms: number | undefined;
}

/** One function of the fleet overview, as the metrics port is asked about it. */
export interface FleetTarget {
  functionName: string;
  /** The alias whose requests are counted (dimension Resource `<function>:<alias>`), as the report counts them. */
  alias: string;
  /** Name of the SQS queue the function names as its dead-letter queue (tag `gofn:dlq`), if it names one. */
  deadLetterQueue: string | undefined;
}

/** One function's window in the fleet overview, from the batched GetMetricData. */
export interface FleetMetrics {
  invocations: number;
  errors: number;
  throttles: number;
  durationP99Ms: number | undefined;
  /** Maximum of ConcurrentExecutions of the function over the window. */
  peakConcurrency: number | undefined;
  /**
   * ApproximateNumberOfMessagesVisible of the dead-letter queue at its newest datapoint; 0 when
   * SQS published none (it publishes for a queue while it holds messages or is used); undefined
   * when the function names no DLQ or CloudWatch could not serve the query.
   */
  deadLetterMessages: number | undefined;
  /** The window before, from the same queries: enough to see a function getting slower or busier. */
  previous: { invocations: number; durationP99Ms: number | undefined; peakConcurrency: number | undefined };
  /** Statistics CloudWatch could not serve for this function, e.g. "Duration p99". */
  missing: string[];
}

/** What the fleet overview learnt of one function: its metrics, or why the request holding it failed. */
export type FleetEntry = { served: true; metrics: FleetMetrics } | { served: false; reason: string };

/** GetMetricData accepts at most 500 queries per request. */
export const FLEET_QUERIES_PER_REQUEST = 500;

/**
 * The queries one function costs the fleet overview: Invocations, Errors and Throttles (Sum),
 * Duration p99 and ConcurrentExecutions (Maximum), and its DLQ's depth when it names one. A
 * function's queries always travel in one request.
 */
export function fleetQueriesFor(target: FleetTarget): number {
  return target.deadLetterQueue ? 6 : 5;
}

export interface FunctionMetricsQuery {
  functionName: string;
  alias: string;
  window: TimeWindow;
  previous: TimeWindow;
  /** Versions to break the alias's metrics down by (a canary's stable and new version); none by default. */
  versions?: string[] | undefined;
}

export interface MetricsPort {
  /** ONE GetMetricData request covering both windows and every version asked for. */
  getFunctionMetrics(query: FunctionMetricsQuery, opts?: CallOptions): Promise<FunctionMetrics>;
  /**
   * Window totals for many functions, in as few requests as the 500-queries-per-request limit
   * allows (a request closes when the next function's queries would not fit), sent concurrently.
   * Functions with no data get zeros. A request CloudWatch refuses makes its functions
   * `served: false` with the reason, and the others are still answered; only the caller's signal
   * aborting rejects.
   */
  getFleetMetrics(targets: FleetTarget[], window: TimeWindow, opts?: CallOptions): Promise<Map<string, FleetEntry>>;
}
