import {
  noUsage,
  RECENT_PERIOD_HOURS,
  type CallOptions,
  type CostTarget,
  type CostUsage,
  type CostUsageEntry,
  type CostWindow,
} from '../ports';
import type { AwsClients } from './clients';
import { planCostMetrics, type CostBatch, type CostStat } from './cost-metric-plan';
import { getMetricDataSparingPercentiles, readFunctionBatches, type MetricDataRead } from './metric-data';

/** GetMetricData requests in flight at once: its quota is 50 a second per account and region. */
const IN_FLIGHT = 5;
const DAY_MS = 86_400_000;

const missingNames: Record<CostStat, string> = {
  invocations: 'Invocations',
  duration: 'Duration',
  p99: 'Duration p99',
  provisioned: 'ProvisionedConcurrencyInvocations',
  logBytes: 'IncomingBytes',
};

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
  if (unique.length === 0) return new Map();
  const plan = planCostMetrics(unique, window);
  const read = { startTime: plan.startTime, endTime: plan.endTime, subject: `the cost of ${unique.length} functions` };
  return readFunctionBatches(
    plan.batches,
    IN_FLIGHT,
    (batch) => readBatch(clients, batch, { ...read, queries: batch.queries }, window, opts),
    (usage): CostUsageEntry => ({ served: true, usage }),
    opts,
  );
}

async function readBatch(
  clients: AwsClients,
  batch: CostBatch,
  read: MetricDataRead,
  window: CostWindow,
  opts: CallOptions | undefined,
): Promise<Map<string, CostUsage>> {
  const { results, percentilesServed } = await getMetricDataSparingPercentiles(
    clients,
    read,
    (query) => batch.ids.get(query.Id ?? '')?.stat === 'p99',
    opts,
  );

  const start = window.start.getTime();
  const recentFrom = read.endTime.getTime() - RECENT_PERIOD_HOURS * 3_600_000;
  const usage = new Map<string, CostUsage>(
    batch.functionNames.map((name) => [name, noUsage(window.days, percentilesServed ? [] : [missingNames.p99])]),
  );
  for (const [id, { functionName, stat }] of batch.ids) {
    const entry = usage.get(functionName);
    const series = results.get(id);
    if (!entry || (stat === 'p99' && !percentilesServed)) continue;
    if (series && !series.served) {
      entry.missing.push(missingNames[stat]);
      continue;
    }
    for (const point of series?.points ?? []) {
      const day = entry.days[Math.floor((point.at.getTime() - start) / DAY_MS)];
      if (!day) continue;
      switch (stat) {
        case 'invocations':
          day.invocations += point.value;
          if (point.at.getTime() >= recentFrom) entry.recentInvocations += point.value;
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
