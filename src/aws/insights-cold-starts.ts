import { StartQueryCommand, type ResultField } from '@aws-sdk/client-cloudwatch-logs';
import { coldStartColumns, invocationLogQueryString } from '../cold-start-query';
import { ErrorCode, GofnError } from '../errors';
import type {
  CallOptions,
  ColdStartQuery,
  ColdStartStats,
  ColdStartWindow,
  CrashStats,
  InsightsQuery,
  InsightsRow,
  InvocationLogStats,
  LogsPort,
  MemoryUse,
} from '../ports';
import { callAws, sleep, type AwsCall } from './call';
import type { AwsClients } from './clients';
import { waitForQueryRows, type PollPace } from './insights-results';
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
  private readonly pace: PollPace;

  constructor(
    private readonly clients: AwsClients,
    options: InsightsColdStartsOptions = {},
  ) {
    let pacing: Pick<PollPace, 'sleep' | 'clock'>;
    if (options.sleep && !options.clock) {
      const replaced = options.sleep;
      let slept = 0;
      pacing = {
        sleep: async (ms, signal) => {
          await replaced(ms, signal);
          slept += ms;
        },
        clock: () => slept,
      };
    } else {
      pacing = { sleep: options.sleep ?? sleep, clock: options.clock ?? (() => performance.now()) };
    }
    this.pace = {
      firstDelayMs: options.firstPollDelayMs ?? 250,
      backoff: options.pollBackoff ?? 1.5,
      // No cap: at most 10 polls.
      maxGapMs: Infinity,
      maxPolls: Math.min(options.maxPolls ?? 10, 10),
      ...pacing,
    };
  }

  async getInvocationLogs(query: ColdStartQuery, opts?: CallOptions): Promise<InvocationLogStats> {
    assertWindow(query.window, 'current');
    assertWindow(query.previous, 'previous');
    const start = Math.min(query.previous.start.getTime(), query.window.start.getTime());
    const end = Math.max(query.previous.end.getTime(), query.window.end.getTime());
    const { queryString, binMinutes } = invocationLogQueryString((end - start) / 1000);
    const subject = `log group ${query.logGroup}`;
    const rows = await this.run(query.logGroup, start, end, queryString, 10_000, subject, opts);
    return { ...summarizeInvocationRows(rows, binMinutes, query, subject), queryString };
  }

  /** The cold-start part of `getInvocationLogs`, as it was read before memory and crashes joined it. */
  async getColdStarts(query: ColdStartQuery, opts?: CallOptions): Promise<ColdStartStats> {
    const { current, previous, queryString } = await this.getInvocationLogs(query, opts);
    return { current, previous, queryString };
  }

  async runQuery(query: InsightsQuery, opts?: CallOptions): Promise<InsightsRow[]> {
    assertWindow(query.window, 'current');
    const subject = `log group ${query.logGroup}`;
    const rows = await this.run(
      query.logGroup,
      query.window.start.getTime(),
      query.window.end.getTime(),
      query.queryString,
      1000,
      subject,
      opts,
    );
    return rows.map((row) => Object.fromEntries(row.map((f) => [f.field ?? '', f.value ?? ''])));
  }

  /** StartQuery, then its rows once complete. */
  private async run(
    logGroup: string,
    start: number,
    end: number,
    queryString: string,
    limit: number,
    subject: string,
    opts: CallOptions | undefined,
  ): Promise<ResultField[][]> {
    const started = await this.call(
      { service: 'CloudWatchLogs', operation: 'StartQuery', subject },
      opts,
      (abortSignal) =>
        this.clients.logs.send(
          new StartQueryCommand({
            logGroupName: logGroup,
            // Logs Insights takes epoch seconds; widen to whole seconds so no edge event is lost.
            startTime: Math.floor(start / 1000),
            endTime: Math.ceil(end / 1000),
            queryString,
            limit,
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

/**
 * Adds the per-bin rows up. A bin belongs to the window holding its middle. Cold starts are
 * summed per window (both log formats); memory and crashes are read over the current window only,
 * where samples are taken from the newest bins first.
 */
export function summarizeInvocationRows(
  rows: ResultField[][],
  binMinutes: number,
  query: ColdStartQuery,
  subject: string,
): { current: ColdStartWindow; previous: ColdStartWindow; memory: MemoryUse; crashes: CrashStats } {
  const windows = { current: emptyWindow(), previous: emptyWindow() };
  const initTotals = { current: 0, previous: 0 };
  const memory = { reports: 0, max: undefined as number | undefined, sum: 0, size: undefined as number | undefined };
  const currentBins: { start: number; value: (name: string) => number; text: (name: string) => string }[] = [];
  for (const row of rows) {
    const fields = new Map(row.map((f) => [f.field ?? '', f.value ?? '']));
    if (!coldStartColumns.some((name) => fields.has(name)) && !fields.has('textReports')) {
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
    // A column over no values (nothing of that kind in the bin) is empty or left out.
    const value = (name: string) => number(fields.get(name)) ?? 0;
    const reports = value('textReports') + value('jsonReports');
    const coldStarts = value('textColdStarts') + value('jsonColdStarts');
    w.invocations += reports;
    w.coldStarts += coldStarts;
    if (coldStarts > 0) initTotals[which] += value('textInitSum') + value('jsonInitSum');
    for (const name of ['textInitMax', 'jsonInitMax']) {
      const maxInit = number(fields.get(name));
      if (maxInit !== undefined) w.initMaxMs = Math.max(w.initMaxMs ?? 0, maxInit);
    }
    if (which !== 'current') continue;
    // Logs Insights reports @maxMemoryUsed and @memorySize in bytes (MB × 1,000,000); JSON in MB.
    const used = maxOf(megabytes(fields.get('textMemoryMax')), number(fields.get('jsonMemoryMax')));
    if (used !== undefined) memory.max = Math.max(memory.max ?? 0, used);
    const size = maxOf(megabytes(fields.get('textMemorySize')), number(fields.get('jsonMemorySize')));
    if (size !== undefined) memory.size = Math.max(memory.size ?? 0, size);
    memory.sum += (megabytes(fields.get('textMemorySum')) ?? 0) + value('jsonMemorySum');
    if (used !== undefined) memory.reports += reports;
    currentBins.push({ start: binStart, value, text: (name) => fields.get(name) ?? '' });
  }
  for (const which of ['current', 'previous'] as const) {
    const w = windows[which];
    if (w.coldStarts > 0) w.initAvgMs = initTotals[which] / w.coldStarts;
  }
  return {
    ...windows,
    memory: {
      reports: memory.reports,
      maxMemoryUsedMB: memory.max,
      avgMemoryUsedMB: memory.reports > 0 ? Math.round((memory.sum / memory.reports) * 10) / 10 : undefined,
      memorySizeMB: memory.size,
    },
    crashes: crashesOf(currentBins.sort((a, b) => b.start - a.start)),
  };
}

type Bin = { value: (name: string) => number; text: (name: string) => string };

/** Crash counts over the bins (newest first), each signal counted once, with up to three request IDs each. */
function crashesOf(bins: Bin[]): CrashStats {
  const sum = (pick: (bin: Bin) => number) => bins.reduce((total, bin) => total + pick(bin), 0);
  const samples = (latest: string, earliest: string) =>
    [...new Set(bins.flatMap((bin) => [bin.text(latest), bin.text(earliest)]).filter((id) => id !== ''))].slice(0, 3);
  const panicBin = bins.find((bin) => bin.value('panicLines') + bin.value('recoveredPanics') > 0);
  const path = panicBin?.text('panicPath');
  const label = panicBin?.text('panicLabel');
  const line = panicBin?.text('panicLine');
  return {
    timeouts: {
      count: sum((bin) => Math.max(bin.value('timeoutLines'), bin.value('timeoutReports'))),
      requestIds: samples('timeoutLatest', 'timeoutEarliest'),
    },
    outOfMemory: {
      count: sum((bin) => Math.max(bin.value('killedLines'), bin.value('oomReports'))),
      requestIds: samples('oomLatest', 'oomEarliest'),
    },
    panics: {
      count: sum((bin) => bin.value('panicLines') + bin.value('recoveredPanics')),
      requestIds: samples('exitLatest', 'exitEarliest'),
      message: (panicBin?.text('panicLatest') || panicBin?.text('recoveredLatest')) ?? undefined,
      topFrame: label && path ? `${label} (${path}${line ? `:${line}` : ''})` : undefined,
    },
  };
}

function maxOf(...values: (number | undefined)[]): number | undefined {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length > 0 ? Math.max(...known) : undefined;
}

function megabytes(value: string | undefined): number | undefined {
  const bytes = number(value);
  return bytes === undefined ? undefined : Math.round(bytes / 1000) / 1000;
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
