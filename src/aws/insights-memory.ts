import { StartQueryCommand, type ResultField } from '@aws-sdk/client-cloudwatch-logs';
import { describeError, ErrorCode, GofnError, isGofnError } from '../errors';
import type { CallOptions, LogGroupMemory, MemoryUseAnswer, TimeWindow } from '../ports';
import {
  INSIGHTS_BYTES_PER_MB,
  LOG_GROUPS_PER_QUERY,
  logGroupOfLogField,
  memoryColumns,
  memoryQueryString,
} from '../memory-query';
import { mapBounded } from '../map-bounded';
import { callAws, sleep, type AwsCall } from './call';
import type { AwsClients } from './clients';
import { waitForQueryRows, type PollPace } from './insights-results';
import { assertWindow } from './metric-plan';

export interface InsightsMemoryOptions {
  /**
   * Queries running at once. Logs Insights runs 30 at a time per account and region; default 10
   * leaves room for the diagnoses' cold-start queries and the console.
   */
  inFlight?: number;
  /** Wait before the first GetQueryResults. Default 2,000 ms: a query over days of logs takes seconds. */
  firstPollDelayMs?: number;
  /** Each gap between polls is the previous one times this, up to maxPollGapMs. Default 1.5. */
  pollBackoff?: number;
  /** Default 5,000 ms: ten queries polling together settle near GetQueryResults' 5 requests a second. */
  maxPollGapMs?: number;
  /** GetQueryResults calls per query before it is stopped. Default 60. */
  maxPolls?: number;
  /** Replaceable for tests; must reject when the signal aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Max memory used and init time of many functions from their REPORT lines: one Logs Insights query
 * per 50 log groups (StartQuery's limit), grouped by `@log` so each log group is one row. A log
 * group that does not exist (ResourceNotFoundException) or may not be queried (AccessDenied) fails
 * its whole query, so such a query is split in halves until the group stands alone; any other
 * failure leaves its log groups unanswered and the other queries still answer.
 */
export class InsightsMemory {
  private readonly inFlight: number;
  private readonly pace: PollPace;

  constructor(
    private readonly clients: AwsClients,
    options: InsightsMemoryOptions = {},
  ) {
    this.inFlight = options.inFlight ?? 10;
    this.pace = {
      firstDelayMs: options.firstPollDelayMs ?? 2000,
      backoff: options.pollBackoff ?? 1.5,
      maxGapMs: options.maxPollGapMs ?? 5000,
      maxPolls: options.maxPolls ?? 60,
      sleep: options.sleep ?? sleep,
    };
  }

  async getMemoryUse(logGroups: string[], window: TimeWindow, opts?: CallOptions): Promise<MemoryUseAnswer> {
    assertWindow(window, 'memory');
    const unique = [...new Set(logGroups)];
    const batches: string[][] = [];
    for (let i = 0; i < unique.length; i += LOG_GROUPS_PER_QUERY)
      batches.push(unique.slice(i, i + LOG_GROUPS_PER_QUERY));
    const answer: MemoryUseAnswer = {
      byLogGroup: new Map(),
      unanswered: new Map(),
      queryString: memoryQueryString,
      window,
    };
    await mapBounded(batches, this.inFlight, (batch) => this.answerFor(batch, window, answer, opts));
    return answer;
  }

  private async answerFor(groups: string[], window: TimeWindow, answer: MemoryUseAnswer, opts?: CallOptions) {
    try {
      const rows = await this.run(groups, window, opts);
      const found = parseRows(rows, groups.length === 1 ? groups[0] : undefined);
      for (const group of groups) answer.byLogGroup.set(group, found.get(group) ?? noReports());
    } catch (error) {
      // A group that does not exist, or that the role may not query (gofn's grant covers
      // /aws/lambda/* only, a LoggingConfig may name another group), fails the whole query.
      if (isSplittable(error) && groups.length > 1 && !opts?.signal?.aborted) {
        const half = Math.ceil(groups.length / 2);
        await this.answerFor(groups.slice(0, half), window, answer, opts);
        await this.answerFor(groups.slice(half), window, answer, opts);
        return;
      }
      const reason = isGofnError(error, ErrorCode.NotFound)
        ? `log group ${groups[0]} does not exist`
        : describeError(error);
      for (const group of groups) answer.unanswered.set(group, reason);
    }
  }

  private async run(groups: string[], window: TimeWindow, opts?: CallOptions): Promise<ResultField[][]> {
    const subject = groups.length === 1 ? `log group ${groups[0]}` : `${groups.length} log groups`;
    const started = await this.call(
      { service: 'CloudWatchLogs', operation: 'StartQuery', subject },
      opts,
      (abortSignal) =>
        this.clients.logs.send(
          new StartQueryCommand({
            logGroupNames: groups,
            startTime: Math.floor(window.start.getTime() / 1000),
            endTime: Math.ceil(window.end.getTime() / 1000),
            queryString: memoryQueryString,
            limit: 10_000,
          }),
          { abortSignal },
        ),
    );
    const queryId = started.queryId;
    if (!queryId)
      throw new GofnError(ErrorCode.Upstream, `CloudWatch Logs StartQuery returned no query id for ${subject}.`);
    return waitForQueryRows(this.clients, queryId, subject, this.pace, opts);
  }

  private call<T>(call: AwsCall, opts: CallOptions | undefined, send: (abortSignal: AbortSignal) => Promise<T>) {
    return callAws(call, opts, this.clients.settings.callTimeoutMs, send);
  }
}

function isSplittable(error: unknown): boolean {
  return isGofnError(error, ErrorCode.NotFound) || isGofnError(error, ErrorCode.AccessDenied);
}

function noReports(): LogGroupMemory {
  return { reports: 0, maxUsedMb: undefined, memorySizeMb: undefined, initCount: 0, initMsSum: 0 };
}

/**
 * One row per log group. A statistic over no values (no JSON report in a Text group) is left out
 * of the row or empty. `only`: the group a single-group query is about, for a row without @log.
 */
export function parseRows(rows: ResultField[][], only: string | undefined): Map<string, LogGroupMemory> {
  const found = new Map<string, LogGroupMemory>();
  for (const row of rows) {
    const fields = new Map(row.map((f) => [f.field ?? '', f.value ?? '']));
    if (!memoryColumns.some((name) => fields.has(name))) {
      // The emulator ignores `stats` and answers with raw log rows; AWS never does.
      throw new GofnError(
        ErrorCode.Unsupported,
        `The Logs Insights memory query came back without its statistics (fields: ${[...fields.keys()].join(', ') || 'none'}): this log source does not run stats queries.`,
      );
    }
    const log = fields.get('@log');
    const group = log ? logGroupOfLogField(log) : only;
    if (!group) continue;
    const value = (name: string) => number(fields.get(name));
    const textUsed = value('textMaxUsedBytes');
    const textSize = value('textMemoryBytes');
    const maxOf = (...values: (number | undefined)[]) => {
      const known = values.filter((v): v is number => v !== undefined);
      return known.length > 0 ? Math.max(...known) : undefined;
    };
    found.set(group, {
      reports: value('reports') ?? 0,
      maxUsedMb: maxOf(textUsed === undefined ? undefined : textUsed / INSIGHTS_BYTES_PER_MB, value('jsonMaxUsedMb')),
      memorySizeMb: maxOf(textSize === undefined ? undefined : textSize / INSIGHTS_BYTES_PER_MB, value('jsonMemoryMb')),
      initCount: (value('textInits') ?? 0) + (value('jsonInits') ?? 0),
      initMsSum: (value('textInitMs') ?? 0) + (value('jsonInitMs') ?? 0),
    });
  }
  return found;
}

function number(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}
