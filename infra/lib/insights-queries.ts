import type { QueryStringProps } from 'aws-cdk-lib/aws-logs';

/**
 * The saved Logs Insights queries every managed workload gets, named `gofn/<function>/<slug>` so
 * the console groups them per function. They read the platform's REPORT lines (Lambda's default
 * text log format), which carry @duration, @initDuration, @memorySize and @maxMemoryUsed.
 */
export interface InsightsQuery {
  readonly slug: string;
  readonly query: QueryStringProps;
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

export const INSIGHTS_QUERIES: readonly InsightsQuery[] = [
  {
    // A REPORT line has @initDuration only when the invocation had to start an environment.
    slug: 'cold-starts-per-hour',
    query: {
      filterStatements: ['@type = "REPORT"'],
      statsStatements: [
        'count(*) as invocations, count(@initDuration) as coldStarts, avg(@initDuration) as initAvgMs, max(@initDuration) as initMaxMs by bin(1h)',
      ],
      sort: 'bin(1h) desc',
    },
  },
  {
    slug: 'p99-duration',
    query: {
      filterStatements: ['@type = "REPORT"'],
      statsStatements: [
        'pct(@duration, 50) as p50Ms, pct(@duration, 95) as p95Ms, pct(@duration, 99) as p99Ms, max(@duration) as maxMs by bin(5m)',
      ],
      sort: 'bin(5m) desc',
    },
  },
  {
    // Go writes its own log lines without a request-ID prefix; the platform's "Task timed out"
    // lines and well-behaved structured logs carry one, so take it from either place.
    slug: 'errors-with-request-ids',
    query: {
      fields: ['@timestamp', '@requestId', '@message'],
      filterStatements: [
        '@message not like /^(START|END|REPORT) RequestId/',
        '@message like /(?i)(error|panic|fatal|timed out)/',
      ],
      parseStatements: [`@message /(?<requestIdInMessage>${UUID})/`],
      sort: '@timestamp desc',
      limit: 100,
    },
  },
  {
    // The platform reports memory in bytes of 10^6 per MB, as the REPORT line's "MB" means.
    // Set against GOMEMLIMIT (90% of the memory size by default): a max near 90% means the Go
    // garbage collector is working hard to stay under the limit.
    slug: 'memory-utilisation',
    query: {
      filterStatements: ['@type = "REPORT"'],
      statsStatements: [
        'max(@memorySize / 1000000) as memoryMb, avg(@maxMemoryUsed / 1000000) as avgUsedMb, max(@maxMemoryUsed / 1000000) as maxUsedMb, max(@maxMemoryUsed / @memorySize * 100) as maxUtilisationPct by bin(1h)',
      ],
      sort: 'bin(1h) desc',
    },
  },
];
