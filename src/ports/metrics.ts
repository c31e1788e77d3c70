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

export interface FleetMetrics {
  invocations: number;
  errors: number;
  throttles: number;
  durationP99Ms: number | undefined;
  /** The window before, from the same queries: enough to see a function getting slower. */
  previous: { invocations: number; durationP99Ms: number | undefined };
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
   * allows, sent concurrently. Functions with no data get zeros.
   */
  getFleetMetrics(functionNames: string[], window: TimeWindow, opts?: CallOptions): Promise<Map<string, FleetMetrics>>;
}
