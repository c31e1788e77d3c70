/**
 * The Logs Insights query behind right-sizing, shared by the AWS adapter (which runs it over many
 * log groups at once) and the simulation (which shows it), so both name the same query.
 *
 * Lambda's report of each invocation carries the memory size and the most memory used, in either
 * log format (see cold-start-query.ts for how the two formats are read in one query):
 * - Text: `REPORT … Memory Size: 512 MB	Max Memory Used: 212 MB …`, from which Logs Insights
 *   discovers `@memorySize` and `@maxMemoryUsed`, in bytes (AWS's own sample queries divide them
 *   by 1000 twice to get MB), and `@initDuration` on a cold start;
 * - JSON: `platform.report` with `record.metrics.memorySizeMB`, `maxMemoryUsedMB` and, on a cold
 *   start, `initDurationMs`.
 * The query groups by `@log` (`<account>:<log group>`), so one query answers for up to 50 log
 * groups, one row each.
 */

export const memoryColumns = [
  'reports',
  'textMaxUsedBytes',
  'textMemoryBytes',
  'jsonMaxUsedMb',
  'jsonMemoryMb',
  'textInits',
  'textInitMs',
  'jsonInits',
  'jsonInitMs',
] as const;
export type MemoryColumn = (typeof memoryColumns)[number];

/** StartQuery takes at most 50 log group names. */
export const LOG_GROUPS_PER_QUERY = 50;

/** Logs Insights turns "512 MB" of a REPORT line into 512,000,000 bytes. */
export const INSIGHTS_BYTES_PER_MB = 1_000_000;

export const memoryQueryString =
  'filter @type = "REPORT" or type = "platform.report"' +
  ' | stats count(*) as reports,' +
  ' max(@maxMemoryUsed) as textMaxUsedBytes, max(@memorySize) as textMemoryBytes,' +
  ' max(record.metrics.maxMemoryUsedMB) as jsonMaxUsedMb, max(record.metrics.memorySizeMB) as jsonMemoryMb,' +
  ' count(@initDuration) as textInits, sum(@initDuration) as textInitMs,' +
  ' count(record.metrics.initDurationMs) as jsonInits, sum(record.metrics.initDurationMs) as jsonInitMs' +
  ' by @log';

/** The log group of an `@log` value: `123456789012:/aws/lambda/orders-api` → `/aws/lambda/orders-api`. */
export function logGroupOfLogField(value: string): string {
  const colon = value.indexOf(':');
  return colon >= 0 && /^\d{12}$/.test(value.slice(0, colon)) ? value.slice(colon + 1) : value;
}
