import { GetMetricDataCommand, type MetricDataQuery, type MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { describeError, ErrorCode, isGofnError } from '../errors';
import {
  RECENT_PERIOD_HOURS,
  type CallOptions,
  type CostTarget,
  type CostUsage,
  type CostUsageEntry,
  type CostWindow,
  type DayUsage,
} from '../ports';
import { mapBounded } from './bounded';
import { callAws } from './call';
import type { AwsClients } from './clients';
import { planCostMetrics, type CostBatch, type CostStat } from './cost-metric-plan';

/** GetMetricData requests in flight at once: its quota is 50 a second per account and region. */
const IN_FLIGHT = 5;
/** Pagination guard: a request of 500 daily queries fits one page; 20 is far beyond any real answer. */
const maxPages = 20;
const DAY_MS = 86_400_000;

const missingNames: Record<CostStat, string> = {
  invocations: 'Invocations',
  duration: 'Duration',
  p99: 'Duration p99',
  provisioned: 'ProvisionedConcurrencyInvocations',
  logBytes: 'IncomingBytes',
};

interface Series {
  points: { at: number; value: number }[];
  served: boolean;
}

/**
 * The usage half of the cost read over CloudWatch: ⌈functions ÷ 100⌉ GetMetricData requests, a few
 * in flight at once. A request CloudWatch refuses leaves its functions unserved with the reason; a
 * query it answers Forbidden or InternalError is missing, not 0; a source that cannot serve the
 * percentile (the emulator) is asked again without it.
 */
export async function readCostUsage(
  clients: AwsClients,
  targets: CostTarget[],
  window: CostWindow,
  opts?: CallOptions,
): Promise<Map<string, CostUsageEntry>> {
  const unique = [...new Map(targets.map((t) => [t.functionName, t] as const)).values()];
  const entries = new Map<string, CostUsageEntry>();
  if (unique.length === 0) return entries;
  const plan = planCostMetrics(unique, window);
  const subject = `the cost of ${unique.length} functions`;
  const answers = await mapBounded(plan.batches, IN_FLIGHT, async (batch) => {
    try {
      return { batch, read: await readBatch(clients, batch, plan.startTime, plan.endTime, window, subject, opts) };
    } catch (error) {
      if (opts?.signal?.aborted) throw error;
      return { batch, refused: describeError(error) };
    }
  });
  for (const answer of answers) {
    if (answer.read) {
      for (const [name, usage] of answer.read) entries.set(name, { served: true, usage });
    } else {
      for (const name of answer.batch.functionNames) entries.set(name, { served: false, reason: answer.refused });
    }
  }
  return entries;
}

async function readBatch(
  clients: AwsClients,
  batch: CostBatch,
  startTime: Date,
  endTime: Date,
  window: CostWindow,
  subject: string,
  opts: CallOptions | undefined,
): Promise<Map<string, CostUsage>> {
  let results: Map<string, Series>;
  let percentileServed = true;
  try {
    results = await fetchSeries(clients, batch.queries, startTime, endTime, subject, opts);
  } catch (error) {
    if (!isGofnError(error, ErrorCode.Unsupported)) throw error;
    const without = batch.queries.filter((q) => batch.ids.get(q.Id ?? '')?.stat !== 'p99');
    results = await fetchSeries(clients, without, startTime, endTime, subject, opts);
    percentileServed = false;
  }

  const start = window.start.getTime();
  const recentFrom = endTime.getTime() - RECENT_PERIOD_HOURS * 3_600_000;
  const usage = new Map<string, CostUsage>(
    batch.functionNames.map((name) => [
      name,
      {
        days: Array.from({ length: window.days }, (): DayUsage => ({
          invocations: 0,
          durationMs: 0,
          provisionedInvocations: 0,
          logBytes: 0,
        })),
        durationP99Ms: undefined,
        recentInvocations: 0,
        missing: percentileServed ? [] : [missingNames.p99],
      },
    ]),
  );
  for (const [id, { functionName, stat }] of batch.ids) {
    const entry = usage.get(functionName);
    const series = results.get(id);
    if (!entry || (stat === 'p99' && !percentileServed)) continue;
    if (series && !series.served) {
      entry.missing.push(missingNames[stat]);
      continue;
    }
    for (const point of series?.points ?? []) {
      const day = entry.days[Math.floor((point.at - start) / DAY_MS)];
      if (!day) continue;
      switch (stat) {
        case 'invocations':
          day.invocations += point.value;
          if (point.at >= recentFrom) entry.recentInvocations += point.value;
          break;
        case 'duration':
          day.durationMs += point.value;
          break;
        case 'provisioned':
          day.provisionedInvocations += point.value;
          break;
        case 'logBytes':
          day.logBytes += point.value;
          break;
        case 'p99':
          entry.durationP99Ms = Math.max(entry.durationP99Ms ?? 0, point.value);
          break;
      }
    }
  }
  return usage;
}

/** One GetMetricData request, plus more only while CloudWatch returns a NextToken. */
async function fetchSeries(
  clients: AwsClients,
  queries: MetricDataQuery[],
  startTime: Date,
  endTime: Date,
  subject: string,
  opts: CallOptions | undefined,
): Promise<Map<string, Series>> {
  const results = new Map<string, Series>();
  let nextToken: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const out = await callAws(
      { service: 'CloudWatch', operation: 'GetMetricData', subject },
      opts,
      clients.settings.callTimeoutMs,
      (abortSignal) =>
        clients.cloudWatch.send(
          new GetMetricDataCommand({
            MetricDataQueries: queries,
            StartTime: startTime,
            EndTime: endTime,
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
  return results;
}

function addResult(results: Map<string, Series>, result: MetricDataResult): void {
  if (!result.Id) return;
  const series = results.get(result.Id) ?? { points: [], served: true };
  const values = result.Values ?? [];
  (result.Timestamps ?? []).forEach((at, i) => {
    const value = values[i];
    if (value !== undefined) series.points.push({ at: new Date(at).getTime(), value });
  });
  if (result.StatusCode === 'Forbidden' || result.StatusCode === 'InternalError') series.served = false;
  results.set(result.Id, series);
}
