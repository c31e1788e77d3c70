/**
 * The one Logs Insights query of a diagnosis, shared by the AWS adapter (which runs it) and the
 * simulation (which shows it in the console link), so both name the same query. It reads, per
 * time bin, what Lambda and the Go runtime write about each invocation, in either log format:
 *
 * - Text: a `REPORT RequestId: … Duration: … Memory Size: 512 MB Max Memory Used: 87 MB Init
 *   Duration: 182.44 ms [Status: timeout | Status: error Error Type: Runtime.OutOfMemory]` line,
 *   from which Logs Insights discovers `@type` = "REPORT", `@duration`, `@initDuration`,
 *   `@maxMemoryUsed` and `@memorySize` (both in bytes: Lambda's MB × 1,000,000);
 * - JSON: a `platform.report` record, `{"type":"platform.report","record":{"requestId":…,
 *   "metrics":{"durationMs":…,"initDurationMs":…,"maxMemoryUsedMB":…,"memorySizeMB":…},
 *   "status":"timeout"}}`, whose keys Logs Insights discovers as `type` and `record.metrics.*`.
 *   The text fields are absent there, so a query on `@type = "REPORT"` alone sees nothing of a
 *   JSON function.
 *
 * and the lines an invocation that dies leaves behind:
 * - `<time> <request id> Task timed out after 10.01 seconds` (Text);
 * - `RequestId: <id> Error: Runtime exited with error: signal: killed` — the sandbox killed the
 *   process, which for a Go function is running out of memory;
 * - `RequestId: <id> Error: Runtime exited with error: exit status 2` — the process exited on its
 *   own, as Go does after a panic;
 * - `panic: <message>` — the Go runtime's own first line of an unrecovered panic (the goroutine's
 *   frames follow on later lines, which a per-bin query cannot join to it);
 * - `{"errorMessage":"…","errorType":"…","stackTrace":[{"path":"orders/handler.go","line":41,
 *   "label":"handle"},…]}` — a handler panic that aws-lambda-go recovered and logged; its first
 *   frame is where the panic happened. A returned error is logged without `stackTrace`.
 *
 * Each format keeps columns of its own (a function may switch format within the window), and
 * the adapter adds them up. Crashes seen two ways (a "Task timed out" line and a report with
 * status timeout for the same invocation) are counted once: per bin, the larger of the two.
 */

/** The columns the cold-start part of the query has always had; any of them marks a stats row. */
export const coldStartColumns = [
  'textColdStarts',
  'textInitSum',
  'textInitMax',
  'jsonColdStarts',
  'jsonInitSum',
  'jsonInitMax',
] as const;

/** The statistics columns of one result row, besides its bin. */
export const invocationLogColumns = [
  // one per invocation
  'textReports',
  'jsonReports',
  ...coldStartColumns,
  // memory (text in bytes, JSON in MB)
  'textMemoryMax',
  'textMemorySum',
  'textMemorySize',
  'jsonMemoryMax',
  'jsonMemorySum',
  'jsonMemorySize',
  // crashes
  'timeoutLines',
  'timeoutReports',
  'killedLines',
  'oomReports',
  'exitedLines',
  'panicLines',
  'recoveredPanics',
  // samples: request IDs (the newest and the oldest of the bin) and the newest panic
  'timeoutLatest',
  'timeoutEarliest',
  'oomLatest',
  'oomEarliest',
  'exitLatest',
  'exitEarliest',
  'panicLatest',
  'recoveredLatest',
  'panicPath',
  'panicLine',
  'panicLabel',
] as const;
export type InvocationLogColumn = (typeof invocationLogColumns)[number];

/** One row per bin keeps the answer ≤ 1,440 rows, under the 10,000 rows a query may return. */
const maxBins = 1440;
const binMinutesChoices = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440];

const textInit = '@initDuration';
const jsonInit = 'record.metrics.initDurationMs';
const uuid = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** The lines besides the reports that the filter lets through: how an invocation dies. */
const crashLines = String.raw`/Task timed out after|Runtime exited with error|^panic: |"stackTrace":\[\{"path"/`;

/** Ephemeral fields, each present only on the lines that carry its signal. */
const parses = [
  String.raw`parse @message /(?<timeoutId>${uuid}) Task timed out after/`,
  String.raw`parse @message /^REPORT RequestId: (?<timeoutReportId>\S+)\s.*Status: timeout/`,
  // A JSON record's keys may come in either order: one alternative each, a group each.
  String.raw`parse @message /"requestId":\s*"(?<jsonTimeoutId>[^"]+)".*"status":\s*"timeout"|"status":\s*"timeout".*"requestId":\s*"(?<jsonTimeoutIdAfter>[^"]+)"/`,
  String.raw`parse @message /RequestId: (?<killedId>\S+) Error: Runtime exited with error: signal: killed/`,
  String.raw`parse @message /^REPORT RequestId: (?<oomReportId>\S+)\s.*Error Type: Runtime\.OutOfMemory/`,
  String.raw`parse @message /"requestId":\s*"(?<jsonOomId>[^"]+)".*"errorType":\s*"Runtime\.OutOfMemory"|"errorType":\s*"Runtime\.OutOfMemory".*"requestId":\s*"(?<jsonOomIdAfter>[^"]+)"/`,
  String.raw`parse @message /RequestId: (?<exitedId>\S+) Error: Runtime exited with error: exit status/`,
  String.raw`parse @message /^panic: (?<panicMessage>.+)/`,
  String.raw`parse @message /"errorMessage":"(?<recoveredMessage>(?:[^"\\]|\\.)*)","errorType":"[^"]*","stackTrace":\[\{"path":"(?<framePath>[^"]+)","line":(?<frameLine>\d+),"label":"(?<frameLabel>[^"]+)"/`,
];

/** The query, with a bin size that keeps the rows ≤ 1,440 over `spanSeconds`. */
export function invocationLogQueryString(spanSeconds: number): { queryString: string; binMinutes: number } {
  const wanted = Math.ceil(spanSeconds / 60 / maxBins);
  const binMinutes = binMinutesChoices.find((m) => m >= wanted) ?? 1440;
  const stats = [
    'count(@duration) as textReports',
    'count(record.metrics.durationMs) as jsonReports',
    `count(${textInit}) as textColdStarts`,
    `sum(${textInit}) as textInitSum`,
    `max(${textInit}) as textInitMax`,
    `count(${jsonInit}) as jsonColdStarts`,
    `sum(${jsonInit}) as jsonInitSum`,
    `max(${jsonInit}) as jsonInitMax`,
    'max(@maxMemoryUsed) as textMemoryMax',
    'sum(@maxMemoryUsed) as textMemorySum',
    'max(@memorySize) as textMemorySize',
    'max(record.metrics.maxMemoryUsedMB) as jsonMemoryMax',
    'sum(record.metrics.maxMemoryUsedMB) as jsonMemorySum',
    'max(record.metrics.memorySizeMB) as jsonMemorySize',
    'count(timeoutId) as timeoutLines',
    'count(timeoutReportId) + count(jsonTimeoutId) + count(jsonTimeoutIdAfter) as timeoutReports',
    'count(killedId) as killedLines',
    'count(oomReportId) + count(jsonOomId) + count(jsonOomIdAfter) as oomReports',
    'count(exitedId) as exitedLines',
    'count(panicMessage) as panicLines',
    'count(recoveredMessage) as recoveredPanics',
    'latest(timeoutSample) as timeoutLatest',
    'earliest(timeoutSample) as timeoutEarliest',
    'latest(oomSample) as oomLatest',
    'earliest(oomSample) as oomEarliest',
    'latest(exitedId) as exitLatest',
    'earliest(exitedId) as exitEarliest',
    'latest(panicMessage) as panicLatest',
    'latest(recoveredMessage) as recoveredLatest',
    'latest(framePath) as panicPath',
    'latest(frameLine) as panicLine',
    'latest(frameLabel) as panicLabel',
  ];
  return {
    binMinutes,
    queryString:
      `filter @type = "REPORT" or type = "platform.report" or @message like ${crashLines}` +
      parses.map((p) => ` | ${p}`).join('') +
      ' | fields coalesce(timeoutId, timeoutReportId, jsonTimeoutId, jsonTimeoutIdAfter) as timeoutSample,' +
      ' coalesce(killedId, oomReportId, jsonOomId, jsonOomIdAfter) as oomSample' +
      ` | stats ${stats.join(', ')} by bin(${binMinutes}m)`,
  };
}

/** The query's former name: its cold-start columns are still what the cold-start step reads. */
export const coldStartQueryString = invocationLogQueryString;
