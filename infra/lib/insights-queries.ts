/**
 * The saved Logs Insights queries every managed workload gets, named `gofn/<function>/<slug>` so
 * the console groups them per function. The functions log in Lambda's JSON format, so the
 * platform's per-invocation report is a `platform.report` record whose `record.metrics` holds
 * durationMs, initDurationMs (cold starts only), memorySizeMB and maxMemoryUsedMB, and whose
 * `record.status` says how the invocation ended (success, failure, error, timeout). The Go
 * functions' own lines are JSON objects whose keys (level, requestId, error) Logs Insights
 * discovers by itself.
 */
export interface InsightsQuery {
  readonly slug: string;
  readonly query: string;
}

const lines = (...parts: string[]) => parts.join('\n| ');

const report = 'filter type = "platform.report"';

export const INSIGHTS_QUERIES: readonly InsightsQuery[] = [
  {
    // initDurationMs is there only when the invocation had to start an environment.
    slug: 'cold-starts-per-hour',
    query: lines(
      report,
      'stats count(*) as invocations, count(`record.metrics.initDurationMs`) as coldStarts, avg(`record.metrics.initDurationMs`) as initAvgMs, max(`record.metrics.initDurationMs`) as initMaxMs by bin(1h) as hour',
      'sort hour desc',
    ),
  },
  {
    slug: 'p99-duration',
    query: lines(
      report,
      'stats pct(`record.metrics.durationMs`, 50) as p50Ms, pct(`record.metrics.durationMs`, 95) as p95Ms, pct(`record.metrics.durationMs`, 99) as p99Ms, max(`record.metrics.durationMs`) as maxMs by bin(5m) as period',
      'sort period desc',
    ),
  },
  {
    // The functions' ERROR lines carry requestId; an invocation that ended otherwise than in
    // success (a timeout, a crash of the runtime) has the platform's report say so.
    slug: 'errors-with-request-ids',
    query: lines(
      'filter level = "ERROR" or (type = "platform.report" and `record.status` != "success")',
      'fields @timestamp, coalesce(requestId, `record.requestId`) as request, coalesce(error, message, `record.errorType`, `record.status`) as failure',
      'sort @timestamp desc',
      'limit 100',
    ),
  },
  {
    // Read against GOMEMLIMIT (90% of the memory size by default): a max near 90% means the Go
    // garbage collector is working hard to stay under the limit.
    slug: 'memory-utilisation',
    query: lines(
      report,
      'stats max(`record.metrics.memorySizeMB`) as memoryMb, avg(`record.metrics.maxMemoryUsedMB`) as avgUsedMb, max(`record.metrics.maxMemoryUsedMB`) as maxUsedMb, max(`record.metrics.maxMemoryUsedMB` / `record.metrics.memorySizeMB` * 100) as maxUtilisationPct by bin(1h) as hour',
      'sort hour desc',
    ),
  },
];
