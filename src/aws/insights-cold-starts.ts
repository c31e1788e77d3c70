import {
  GetQueryResultsCommand,
  StartQueryCommand,
  StopQueryCommand,
  type ResultField,
} from '@aws-sdk/client-cloudwatch-logs';
import { coldStartColumns, coldStartQueryString } from '../cold-start-query';
import { ErrorCode, GofnError } from '../errors';
import type { CallOptions, ColdStartQuery, ColdStartStats, ColdStartWindow, LogsPort } from '../ports';
import { callAws, cancelled, sleep, type AwsCall } from './call';
import type { AwsClients } from './clients';
import { assertWindow } from './metric-plan';

export interface InsightsColdStartsOptions {
  /** Wait before the first GetQueryResults. Default 250 ms. */
  firstPollDelayMs?: number;
  /**
   * Each gap between two polls is the previous gap times this. Default 1.5. A gap runs from one
   * GetQueryResults being sent to the next, so the time a poll takes does not push later ones back.
   */
  pollBackoff?: number;
  /** GetQueryResults calls before giving up (and stopping the query). Default 10, the most allowed. */
  maxPolls?: number;
  /** Replaceable for tests; must reject when the signal aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * Milliseconds on a monotonic clock, for the gaps. Default `performance.now`; when only `sleep`
   * is replaced, a clock that only the sleeps advance (a replaced sleep takes no real time).
   */
  clock?: () => number;
}

/**
 * LogsPort over CloudWatch Logs Insights: StartQuery over both windows, GetQueryResults at
 * growing gaps (at most `maxPolls`), and StopQuery when the caller's deadline or the poll budget
 * runs out first, so an abandoned query does not hold one of the account's concurrent query slots.
 */
export class InsightsColdStarts implements LogsPort {
  private readonly firstPollDelayMs: number;
  private readonly pollBackoff: number;
  private readonly maxPolls: number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly clock: () => number;

  constructor(
    private readonly clients: AwsClients,
    options: InsightsColdStartsOptions = {},
  ) {
    this.firstPollDelayMs = options.firstPollDelayMs ?? 250;
    this.pollBackoff = options.pollBackoff ?? 1.5;
    this.maxPolls = Math.min(options.maxPolls ?? 10, 10);
    if (options.sleep && !options.clock) {
      const replaced = options.sleep;
      let slept = 0;
      this.sleep = async (ms, signal) => {
        await replaced(ms, signal);
        slept += ms;
      };
      this.clock = () => slept;
    } else {
      this.sleep = options.sleep ?? sleep;
      this.clock = options.clock ?? (() => performance.now());
    }
  }

  async getColdStarts(query: ColdStartQuery, opts?: CallOptions): Promise<ColdStartStats> {
    assertWindow(query.window, 'current');
    assertWindow(query.previous, 'previous');
    const start = Math.min(query.previous.start.getTime(), query.window.start.getTime());
    const end = Math.max(query.previous.end.getTime(), query.window.end.getTime());
    const { queryString, binMinutes } = coldStartQueryString((end - start) / 1000);
    const subject = `log group ${query.logGroup}`;

    const started = await this.call(
      { service: 'CloudWatchLogs', operation: 'StartQuery', subject },
      opts,
      (abortSignal) =>
        this.clients.logs.send(
          new StartQueryCommand({
            logGroupName: query.logGroup,
            // Logs Insights takes epoch seconds; widen to whole seconds so no edge event is lost.
            startTime: Math.floor(start / 1000),
            endTime: Math.ceil(end / 1000),
            queryString,
            limit: 10_000,
          }),
          { abortSignal },
        ),
    );
    const queryId = started.queryId;
    if (!queryId)
      throw new GofnError(ErrorCode.Upstream, `CloudWatch Logs StartQuery returned no query id for ${subject}.`);

    const rows = await this.waitForRows(queryId, subject, opts);
    return { ...sumBins(rows, binMinutes, query, subject), queryString };
  }

  private async waitForRows(queryId: string, subject: string, opts: CallOptions | undefined): Promise<ResultField[][]> {
    const signal = opts?.signal;
    const poll: AwsCall = { service: 'CloudWatchLogs', operation: 'GetQueryResults', subject };
    // Gaps run from one poll being sent to the next: a GetQueryResults that takes 100 ms must not
    // add 100 ms to every later wait, or a query that completes just after a poll is seen late.
    let gap = this.firstPollDelayMs;
    let lastSentAt = this.clock();
    for (let polls = 0; polls < this.maxPolls; polls++) {
      let out;
      try {
        await this.sleep(Math.max(0, lastSentAt + gap - this.clock()), signal);
        lastSentAt = this.clock();
        out = await this.call(poll, opts, (abortSignal) =>
          this.clients.logs.send(new GetQueryResultsCommand({ queryId }), { abortSignal }),
        );
      } catch (error) {
        if (signal?.aborted) {
          this.stopQuietly(queryId, subject);
          throw cancelled(poll, error);
        }
        throw error;
      }
      gap *= this.pollBackoff;
      switch (out.status) {
        case 'Complete':
          return out.results ?? [];
        case 'Scheduled':
        case 'Running':
        case undefined:
          continue;
        case 'Timeout':
          throw new GofnError(ErrorCode.Timeout, `The Logs Insights query on ${subject} timed out in CloudWatch Logs.`);
        default:
          throw new GofnError(
            ErrorCode.Upstream,
            `The Logs Insights query on ${subject} ended with status ${out.status}.`,
          );
      }
    }
    this.stopQuietly(queryId, subject);
    throw new GofnError(
      ErrorCode.Timeout,
      `The Logs Insights query on ${subject} had not finished after ${this.maxPolls} polls; it was stopped.`,
    );
  }

  /**
   * Sent without the caller's (already aborted) signal and not awaited: the caller is past its
   * deadline, and a failed StopQuery only means the query runs out on its own.
   */
  private stopQuietly(queryId: string, subject: string): void {
    this.call({ service: 'CloudWatchLogs', operation: 'StopQuery', subject }, undefined, (abortSignal) =>
      this.clients.logs.send(new StopQueryCommand({ queryId }), { abortSignal }),
    ).catch(() => undefined);
  }

  private call<T>(call: AwsCall, opts: CallOptions | undefined, send: (abortSignal: AbortSignal) => Promise<T>) {
    return callAws(call, opts, this.clients.settings.callTimeoutMs, send);
  }
}

/**
 * Adds the per-bin rows up into the two windows; a bin belongs to the window holding its middle.
 * Cold starts and init durations of both log formats are summed; the init average of a window is
 * its total init time over its cold starts.
 */
export function sumBins(
  rows: ResultField[][],
  binMinutes: number,
  query: ColdStartQuery,
  subject: string,
): { current: ColdStartWindow; previous: ColdStartWindow } {
  const windows = { current: emptyWindow(), previous: emptyWindow() };
  const initTotals = { current: 0, previous: 0 };
  for (const row of rows) {
    const fields = new Map(row.map((f) => [f.field ?? '', f.value ?? '']));
    if (!coldStartColumns.some((name) => fields.has(name))) {
      // The emulator ignores `stats` and answers with raw log rows (only @ptr); AWS never does.
      throw new GofnError(
        ErrorCode.Unsupported,
        `The Logs Insights query on ${subject} came back without its statistics (fields: ${[...fields.keys()].join(', ') || 'none'}): this log source does not run stats queries.`,
      );
    }
    const binValue = [...fields.entries()].find(([name]) => name.startsWith('bin('))?.[1];
    const binStart = binValue ? parseInsightsTime(binValue) : undefined;
    if (binStart === undefined) continue;
    const middle = binStart + (binMinutes * 60_000) / 2;
    const which =
      middle >= query.window.start.getTime()
        ? 'current'
        : middle >= query.previous.start.getTime() && middle < query.previous.end.getTime()
          ? 'previous'
          : undefined;
    if (!which) continue;
    const w = windows[which];
    // A column over no values (no cold start of that format in the bin) is empty or left out.
    const value = (name: string) => number(fields.get(name)) ?? 0;
    const coldStarts = value('textColdStarts') + value('jsonColdStarts');
    w.invocations += value('invocations');
    w.coldStarts += coldStarts;
    if (coldStarts > 0) initTotals[which] += value('textInitSum') + value('jsonInitSum');
    for (const name of ['textInitMax', 'jsonInitMax']) {
      const maxInit = number(fields.get(name));
      if (maxInit !== undefined) w.initMaxMs = Math.max(w.initMaxMs ?? 0, maxInit);
    }
  }
  for (const which of ['current', 'previous'] as const) {
    const w = windows[which];
    if (w.coldStarts > 0) w.initAvgMs = initTotals[which] / w.coldStarts;
  }
  return windows;
}

function emptyWindow(): ColdStartWindow {
  return { invocations: 0, coldStarts: 0, initAvgMs: undefined, initMaxMs: undefined };
}

function number(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** Logs Insights prints times as `2024-05-01 12:34:00.000`, in UTC. */
export function parseInsightsTime(value: string): number | undefined {
  const iso = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}/.test(value) ? `${value.replace(' ', 'T')}Z` : value;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}
