import * as z from 'zod';
import { ErrorCode, GofnError } from './errors';
import type { Architecture } from './ports';

/**
 * The list prices gofn estimates cost with (`gofn cost`, the fleet's cost column, the simulated
 * bill): a dated table per region, in USD, first pricing tier, without the free tier or Savings
 * Plans (the account's bill, which Cost Explorer shows, has both). Kept here, beside the other
 * shared modules, so the simulation can bill with the same table.
 *
 * Sources, as read on the date below (`date`):
 * - Lambda, https://aws.amazon.com/lambda/pricing/: requests $0.20 per million; duration per
 *   GB-second x86_64 $0.0000166667 and arm64 $0.0000133334 up to the first tier (6 billion GB-s a
 *   month on x86, 7.5 billion on Arm; 10% and 20% less beyond, account-wide); provisioned
 *   concurrency x86_64 $0.0000041667 per GB-s configured and $0.0000097222 per GB-s of duration
 *   on it, arm64 $0.0000033334 and $0.0000077778. The regions below share these prices; AWS's
 *   Lambda Power Tuning keeps the same per-region table, where only af-south-1, ap-east-1,
 *   ap-northeast-3, eu-south-1, me-south-1 and the China regions differ.
 * - CloudWatch Logs, https://aws.amazon.com/cloudwatch/pricing/: Lambda's logs are vended logs
 *   since 1 May 2025, Standard class ingestion at $0.50 per GB for the first 10 TB a month in
 *   us-east-1 (then $0.25, $0.10 and $0.05), $0.57 in eu-west-1, $0.76 in ap-northeast-1; the
 *   other US regions at the us-east-1 rate.
 * - X-Ray, https://aws.amazon.com/xray/pricing/: $5.00 per million traces recorded ($0.000005 a
 *   trace) after 100,000 free a month; retrieved and scanned traces are not counted here.
 */

const perArchitecture = z.strictObject({ arm64: z.number().nonnegative(), x86_64: z.number().nonnegative() });

const regionPricesSchema = z.strictObject({
  lambda: z.strictObject({
    requestsPerMillion: z.number().nonnegative(),
    /** On-demand duration, per GB-second. */
    gbSecond: perArchitecture,
    /** Provisioned concurrency configured, per GB-second it stays allocated. */
    provisionedGbSecond: perArchitecture,
    /** Duration of invocations served by provisioned concurrency, per GB-second. */
    provisionedDurationGbSecond: perArchitecture,
  }),
  /** CloudWatch Logs ingestion of Lambda logs (Standard class, first tier), per GB (2^30 bytes). */
  logsIngestionPerGb: z.number().nonnegative(),
  xrayPerMillionTraces: z.number().nonnegative(),
});

export const priceTableSchema = z.strictObject({
  /** The day the prices were read from the sources, YYYY-MM-DD. */
  date: z.iso.date(),
  currency: z.literal('USD'),
  sources: z.array(z.string().min(1)).min(1),
  regions: z.record(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/), regionPricesSchema),
});

export type RegionPrices = z.output<typeof regionPricesSchema>;
export type PriceTable = z.output<typeof priceTableSchema>;

const lambdaStandard: RegionPrices['lambda'] = {
  requestsPerMillion: 0.2,
  gbSecond: { x86_64: 0.0000166667, arm64: 0.0000133334 },
  provisionedGbSecond: { x86_64: 0.0000041667, arm64: 0.0000033334 },
  provisionedDurationGbSecond: { x86_64: 0.0000097222, arm64: 0.0000077778 },
};

const XRAY_PER_MILLION = 5;

export const PRICE_TABLE: PriceTable = {
  date: '2026-12-03',
  currency: 'USD',
  sources: [
    'https://aws.amazon.com/lambda/pricing/',
    'https://aws.amazon.com/cloudwatch/pricing/ (Logs, vended logs: Lambda)',
    'https://aws.amazon.com/xray/pricing/',
  ],
  regions: {
    'us-east-1': { lambda: lambdaStandard, logsIngestionPerGb: 0.5, xrayPerMillionTraces: XRAY_PER_MILLION },
    'us-east-2': { lambda: lambdaStandard, logsIngestionPerGb: 0.5, xrayPerMillionTraces: XRAY_PER_MILLION },
    'us-west-2': { lambda: lambdaStandard, logsIngestionPerGb: 0.5, xrayPerMillionTraces: XRAY_PER_MILLION },
    'eu-west-1': { lambda: lambdaStandard, logsIngestionPerGb: 0.57, xrayPerMillionTraces: XRAY_PER_MILLION },
    'ap-northeast-1': { lambda: lambdaStandard, logsIngestionPerGb: 0.76, xrayPerMillionTraces: XRAY_PER_MILLION },
  },
};

/** The region whose prices stand in for a region the table does not list. */
export const FALLBACK_REGION = 'us-east-1';

export interface PricesFor {
  prices: RegionPrices;
  /** The region whose prices these are: the region asked for, or FALLBACK_REGION. */
  region: string;
  date: string;
  /** Set when the table has no prices for the region asked: the sentence saying so. */
  fallback: string | undefined;
}

export function pricesFor(table: PriceTable, region: string): PricesFor {
  const own = table.regions[region];
  if (own) return { prices: own, region, date: table.date, fallback: undefined };
  const stand = table.regions[FALLBACK_REGION] ?? Object.values(table.regions)[0];
  const standRegion = table.regions[FALLBACK_REGION] ? FALLBACK_REGION : Object.keys(table.regions)[0];
  if (!stand || !standRegion) {
    throw new GofnError(ErrorCode.InvalidFile, 'The price table lists no region.');
  }
  return {
    prices: stand,
    region: standRegion,
    date: table.date,
    fallback: `The price table of ${table.date} has no prices for ${region}; ${standRegion}'s are used, so amounts may be off by the regions' difference (pass --prices with a table that lists ${region}).`,
  };
}

/** A price table from JSON text (`--prices FILE`), or InvalidFile saying what is wrong. */
export function parsePriceTable(text: string, file: string): PriceTable {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new GofnError(ErrorCode.InvalidFile, `Price table ${file} is not JSON.`, { cause: error });
  }
  const parsed = priceTableSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new GofnError(
      ErrorCode.InvalidFile,
      `Price table ${file} is invalid${where}: ${issue?.message ?? 'unknown problem'}.`,
      { hint: '`gofn cost --show-prices` prints the built-in table, a file to start from.' },
    );
  }
  return parsed.data;
}

export function gbSecondPrice(prices: RegionPrices, architecture: Architecture): number {
  return prices.lambda.gbSecond[architecture];
}
