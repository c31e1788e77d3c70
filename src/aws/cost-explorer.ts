import { GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import { ErrorCode, isGofnError } from '../errors';
import { BILLED_SERVICES, type BilledAnswer, type BilledRow, type CallOptions, type CostWindow } from '../ports';
import { callAws } from './call';
import type { AwsClients } from './clients';
import { awsErrorName } from './errors';

const maxPages = 20;

/**
 * Billed cost (UnblendedCost) of Lambda, CloudWatch and X-Ray usage in one region over the window,
 * by value of a cost allocation tag and by service: one GetCostAndUsage request (each costs
 * $0.01), more only while Cost Explorer hands out a NextPageToken. Groups come back keyed
 * `<tag>$<value>` (an empty value for untagged usage) and the service name. Cost Explorer never
 * enabled, or a caller without the permission, is an answer saying so.
 */
export async function readBilledCost(
  clients: AwsClients,
  window: CostWindow,
  tagKey: string,
  region: string,
  opts?: CallOptions,
): Promise<BilledAnswer> {
  const rows: BilledRow[] = [];
  let currency = 'USD';
  let estimated = false;
  let token: string | undefined;
  try {
    for (let page = 0; page < maxPages; page++) {
      const out = await callAws(
        { service: 'CostExplorer', operation: 'GetCostAndUsage', subject: `the ${tagKey} tag in ${region}` },
        opts,
        clients.settings.callTimeoutMs,
        (abortSignal) =>
          clients.costExplorer.send(
            new GetCostAndUsageCommand({
              // End is exclusive: the window's last day is the one before it.
              TimePeriod: { Start: day(window.start), End: day(window.end) },
              Granularity: 'MONTHLY',
              Metrics: ['UnblendedCost'],
              Filter: {
                And: [
                  { Dimensions: { Key: 'SERVICE', Values: [...BILLED_SERVICES] } },
                  { Dimensions: { Key: 'REGION', Values: [region] } },
                ],
              },
              GroupBy: [
                { Type: 'TAG', Key: tagKey },
                { Type: 'DIMENSION', Key: 'SERVICE' },
              ],
              NextPageToken: token,
            }),
            { abortSignal },
          ),
      );
      for (const period of out.ResultsByTime ?? []) {
        if (period.Estimated) estimated = true;
        for (const group of period.Groups ?? []) {
          const [tag = '', service = ''] = group.Keys ?? [];
          const metric = group.Metrics?.UnblendedCost;
          const amount = Number(metric?.Amount ?? 0);
          if (metric?.Unit) currency = metric.Unit;
          if (!Number.isFinite(amount)) continue;
          rows.push({ tagValue: tagValueOf(tag, tagKey), service, amount });
        }
      }
      token = out.NextPageToken;
      if (!token) break;
    }
  } catch (error) {
    if (opts?.signal?.aborted) throw error;
    const name = awsErrorName(error);
    const message =
      error instanceof Error ? `${error.message} ${String((error.cause as Error | undefined)?.message ?? '')}` : '';
    if (/not enabled for cost explorer/i.test(message)) {
      return { available: false, reason: 'Cost Explorer is not enabled for this account' };
    }
    if (isGofnError(error, ErrorCode.AccessDenied)) {
      return { available: false, reason: 'not allowed to read Cost Explorer (ce:GetCostAndUsage)' };
    }
    if (name === 'DataUnavailableException') {
      return { available: false, reason: 'Cost Explorer has no data for these days yet' };
    }
    throw error;
  }
  return { available: true, currency, rows, estimated };
}

function day(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** `service$orders` → `orders`; `service$` (untagged) → ``. */
function tagValueOf(key: string, tagKey: string): string {
  return key.startsWith(`${tagKey}$`) ? key.slice(tagKey.length + 1) : key;
}
