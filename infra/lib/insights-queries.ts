/**
 * The saved Logs Insights queries every managed workload gets, named `gofn/<function>/<slug>` so
 * the console groups them per function. The platform's REPORT lines (Lambda's text log format)
 * carry @duration, @initDuration, @memorySize and @maxMemoryUsed; the Go functions' own lines
 * are JSON objects, whose keys (level, requestId, error) Logs Insights discovers by itself.
 */
export interface InsightsQuery {
  readonly slug: string;
  readonly query: string;
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

const lines = (...parts: string[]) => parts.join('\n| ');

export const INSIGHTS_QUERIES: readonly InsightsQuery[] = [
  {
    // A REPORT line has @initDuration only when the invocation had to start an environment.
    slug: 'cold-starts-per-hour',
    query: lines(
      'filter @type = "REPORT"',
      'stats count(*) as invocations, count(@initDuration) as coldStarts, avg(@initDuration) as initAvgMs, max(@initDuration) as initMaxMs by bin(1h) as hour',
      'sort hour desc',
    ),
  },
  {
    slug: 'p99-duration',
    query: lines(
      'filter @type = "REPORT"',
      'stats pct(@duration, 50) as p50Ms, pct(@duration, 95) as p95Ms, pct(@duration, 99) as p99Ms, max(@duration) as maxMs by bin(5m) as period',
      'sort period desc',
    ),
  },
  {
    // The functions' ERROR lines carry requestId; the platform's own failure lines ("Task timed
    // out", "Runtime exited") carry the request ID in the text, so take it from there.
    slug: 'errors-with-request-ids',
    query: lines(
      `parse @message /(?<requestIdInText>${UUID})/`,
      'filter level = "ERROR" or @message like /Task timed out|Runtime exited|Runtime\\.ExitError|panic:/',
      'fields @timestamp, coalesce(requestId, @requestId, requestIdInText) as request, coalesce(error, message, @message) as failure',
      'sort @timestamp desc',
      'limit 100',
    ),
  },
  {
    // The platform counts 10^6 bytes per MB, as the REPORT line's "MB" does. Read against
    // GOMEMLIMIT (90% of the memory size by default): a max near 90% means the Go garbage
    // collector is working hard to stay under the limit.
    slug: 'memory-utilisation',
    query: lines(
      'filter @type = "REPORT"',
      'stats max(@memorySize / 1000000) as memoryMb, avg(@maxMemoryUsed / 1000000) as avgUsedMb, max(@maxMemoryUsed / 1000000) as maxUsedMb, max(@maxMemoryUsed / @memorySize * 100) as maxUtilisationPct by bin(1h) as hour',
      'sort hour desc',
    ),
  },
];
