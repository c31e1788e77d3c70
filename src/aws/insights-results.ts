import { GetQueryResultsCommand, StopQueryCommand, type ResultField } from '@aws-sdk/client-cloudwatch-logs';
import { ErrorCode, GofnError } from '../errors';
import type { CallOptions } from '../ports';
import { callAws, cancelled, type AwsCall } from './call';
import type { AwsClients } from './clients';

/** How often GetQueryResults is asked while a Logs Insights query runs. */
export interface PollPace {
  /** Wait before the first poll. */
  firstDelayMs: number;
  /** Each gap is the previous one times this, up to `maxGapMs`. */
  backoff: number;
  maxGapMs: number;
  /** Polls before the query is stopped. */
  maxPolls: number;
  /** Must reject when the signal aborts. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * Milliseconds on a monotonic clock. Given: a gap runs from one poll being sent to the next, so
   * the time a poll takes does not push later ones back. Absent: a gap runs from the last answer.
   */
  clock?: () => number;
}

/**
 * The rows of a started Logs Insights query once it completes. The query is stopped when the
 * caller's deadline or the poll budget runs out first, so an abandoned query does not hold one of
 * the account's concurrent query slots.
 */
export async function waitForQueryRows(
  clients: AwsClients,
  queryId: string,
  subject: string,
  pace: PollPace,
  opts: CallOptions | undefined,
): Promise<ResultField[][]> {
  const poll: AwsCall = { service: 'CloudWatchLogs', operation: 'GetQueryResults', subject };
  const { clock } = pace;
  let gap = pace.firstDelayMs;
  let lastSentAt = clock?.() ?? 0;
  for (let polls = 0; polls < pace.maxPolls; polls++) {
    let out;
    try {
      await pace.sleep(clock ? Math.max(0, lastSentAt + gap - clock()) : gap, opts?.signal);
      lastSentAt = clock?.() ?? 0;
      out = await callAws(poll, opts, clients.settings.callTimeoutMs, (abortSignal) =>
        clients.logs.send(new GetQueryResultsCommand({ queryId }), { abortSignal }),
      );
    } catch (error) {
      if (opts?.signal?.aborted) {
        stopQuietly(clients, queryId, subject);
        throw cancelled(poll, error);
      }
      throw error;
    }
    gap = Math.min(pace.maxGapMs, gap * pace.backoff);
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
  stopQuietly(clients, queryId, subject);
  throw new GofnError(
    ErrorCode.Timeout,
    `The Logs Insights query on ${subject} had not finished after ${pace.maxPolls} polls; it was stopped.`,
  );
}

/**
 * Sent without the caller's (already aborted) signal and not awaited: the caller is past its
 * deadline, and a failed StopQuery only means the query runs out on its own.
 */
function stopQuietly(clients: AwsClients, queryId: string, subject: string): void {
  callAws(
    { service: 'CloudWatchLogs', operation: 'StopQuery', subject },
    undefined,
    clients.settings.callTimeoutMs,
    (abortSignal) => clients.logs.send(new StopQueryCommand({ queryId }), { abortSignal }),
  ).catch(() => undefined);
}
