import { GetMetricDataCommand, type MetricDataQuery, type MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { describeError, ErrorCode, isGofnError } from '../errors';
import type { CallOptions, MetricPoint } from '../ports';
import { mapBounded } from '../map-bounded';
import { callAws } from './call';
import type { AwsClients } from './clients';

/** Pagination guard: GetMetricData pages while it has points left, a few pages at most in practice. */
const maxPages = 20;

/** What GetMetricData returned for one query, its points oldest first. */
export interface MetricSeries {
  points: MetricPoint[];
  /** False when CloudWatch could not serve the query (StatusCode Forbidden or InternalError). */
  served: boolean;
}

/** The queries of one GetMetricData read and their time range. */
export interface MetricDataRead {
  queries: MetricDataQuery[];
  startTime: Date;
  endTime: Date;
  /** What the read is about, for the error a refusal becomes. */
  subject: string;
}

/** One GetMetricData request, plus more only while CloudWatch returns a NextToken; series by query ID. */
export async function getMetricData(
  clients: AwsClients,
  read: MetricDataRead,
  opts: CallOptions | undefined,
): Promise<Map<string, MetricSeries>> {
  const results = new Map<string, MetricSeries>();
  let nextToken: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const out = await callAws(
      { service: 'CloudWatch', operation: 'GetMetricData', subject: read.subject },
      opts,
      clients.settings.callTimeoutMs,
      (abortSignal) =>
        clients.cloudWatch.send(
          new GetMetricDataCommand({
            MetricDataQueries: read.queries,
            StartTime: read.startTime,
            EndTime: read.endTime,
            ScanBy: 'TimestampAscending',
            NextToken: nextToken,
          }),
          { abortSignal },
        ),
    );
    for (const result of out.MetricDataResults ?? []) addResult(results, result);
    nextToken = out.NextToken;
    if (!nextToken) break;
  }
  // Asked TimestampAscending; pages of one query may still interleave, so order what is not in order.
  for (const series of results.values()) {
    if (!ascending(series.points)) series.points.sort((a, b) => a.at.getTime() - b.at.getTime());
  }
  return results;
}

/**
 * GetMetricData, asked once more without the percentile queries when the source cannot serve them:
 * the emulator answers a percentile query over real Duration data with a crash page (Unsupported).
 * Rather than losing every number, the rest is read; AWS never takes this path.
 */
export async function getMetricDataSparingPercentiles(
  clients: AwsClients,
  read: MetricDataRead,
  isPercentile: (query: MetricDataQuery) => boolean,
  opts: CallOptions | undefined,
): Promise<{ results: Map<string, MetricSeries>; percentilesServed: boolean }> {
  try {
    return { results: await getMetricData(clients, read, opts), percentilesServed: true };
  } catch (error) {
    if (!isGofnError(error, ErrorCode.Unsupported)) throw error;
    const queries = read.queries.filter((query) => !isPercentile(query));
    return { results: await getMetricData(clients, { ...read, queries }, opts), percentilesServed: false };
  }
}

/**
 * Reads batches of functions, `inFlight` requests at once. A request refused leaves its batch's
 * functions unserved with the reason, and the rest are still read; a deadline is the caller's to
 * report, for everything still outstanding.
 */
export async function readFunctionBatches<B extends { functionNames: string[] }, V, E>(
  batches: readonly B[],
  inFlight: number,
  read: (batch: B) => Promise<Map<string, V>>,
  served: (value: V) => E,
  opts: CallOptions | undefined,
): Promise<Map<string, E | { served: false; reason: string }>> {
  const answers = await mapBounded(batches, inFlight, async (batch) => {
    try {
      return { batch, read: await read(batch) };
    } catch (error) {
      if (opts?.signal?.aborted) throw error;
      return { batch, refused: describeError(error) };
    }
  });
  const entries = new Map<string, E | { served: false; reason: string }>();
  for (const answer of answers) {
    if (answer.read) {
      for (const [name, value] of answer.read) entries.set(name, served(value));
    } else {
      for (const name of answer.batch.functionNames) entries.set(name, { served: false, reason: answer.refused });
    }
  }
  return entries;
}

function addResult(results: Map<string, MetricSeries>, result: MetricDataResult): void {
  if (!result.Id) return;
  const series = results.get(result.Id) ?? { points: [], served: true };
  const timestamps = result.Timestamps ?? [];
  const values = result.Values ?? [];
  timestamps.forEach((at, i) => {
    const value = values[i];
    // The SDK parses Timestamps into Dates already: no copy of 60,000 of them for a big fleet.
    if (value !== undefined) series.points.push({ at: at instanceof Date ? at : new Date(at), value });
  });
  if (result.StatusCode === 'Forbidden' || result.StatusCode === 'InternalError') series.served = false;
  results.set(result.Id, series);
}

function ascending(points: readonly { at: Date }[]): boolean {
  for (let i = 1; i < points.length; i++) if (points[i - 1]!.at.getTime() > points[i]!.at.getTime()) return false;
  return true;
}
