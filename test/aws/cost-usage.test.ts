import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { readCostUsage } from '../../src/aws/cloudwatch-cost';
import { planCostMetrics } from '../../src/aws/cost-metric-plan';
import { costWindowEndingAt } from '../../src/cost/collect';
import type { CostTarget, CostUsageEntry } from '../../src/ports';
import { complete, forbidden, throttled } from '../fixtures/aws/cloudwatch-get-metric-data';
import { mockedClients } from './helpers';

const cloudWatch = mockClient(CloudWatchClient);

const now = new Date('2024-05-01T15:20:00Z');
const window = costWindowEndingAt(now, 30);
const DAY = 86_400_000;

const targets = (n: number): CostTarget[] =>
  Array.from({ length: n }, (_, i) => ({ functionName: `fn-${i}`, logGroup: `/aws/lambda/fn-${i}` }));

function sentInputs(): GetMetricDataCommandInput[] {
  return cloudWatch.commandCalls(GetMetricDataCommand).map((call) => call.args[0].input);
}

function served(entry: CostUsageEntry | undefined) {
  if (!entry?.served) throw new Error(`expected usage, got ${JSON.stringify(entry)}`);
  return entry.usage;
}

/** Daily points from the window's start; `values[i]` is day i. */
function daily(id: string, values: number[]): MetricDataResult {
  return complete(
    id,
    values.map((_, i) => new Date(window.start.getTime() + i * DAY)),
    values,
  );
}

beforeEach(() => cloudWatch.reset());

describe('planCostMetrics', () => {
  it('asks per function for what it is billed on, daily over whole UTC days, every version together', () => {
    // Act
    const plan = planCostMetrics([{ functionName: 'orders-api', logGroup: '/aws/lambda/orders-api' }], window);

    // Assess
    expect(plan.startTime.toISOString()).toBe('2024-04-01T00:00:00.000Z');
    expect(plan.endTime.toISOString()).toBe('2024-05-01T00:00:00.000Z');
    const stats = plan.batches[0]!.queries.map((q) => q.MetricStat);
    const fn = [{ Name: 'FunctionName', Value: 'orders-api' }];
    expect(stats).toEqual([
      { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Invocations', Dimensions: fn }, Period: 21_600, Stat: 'Sum' },
      { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Duration', Dimensions: fn }, Period: 86_400, Stat: 'Sum' },
      { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Duration', Dimensions: fn }, Period: 86_400, Stat: 'p99' },
      {
        Metric: { Namespace: 'AWS/Lambda', MetricName: 'ProvisionedConcurrencyInvocations', Dimensions: fn },
        Period: 86_400,
        Stat: 'Sum',
      },
      {
        Metric: {
          Namespace: 'AWS/Logs',
          MetricName: 'IncomingBytes',
          Dimensions: [{ Name: 'LogGroupName', Value: '/aws/lambda/orders-api' }],
        },
        Period: 86_400,
        Stat: 'Sum',
      },
    ]);
  });

  it('packs 100 functions to a request: 1,000 functions are 10 requests of 500 queries', () => {
    // Act
    const plan = planCostMetrics(targets(1000), window);

    // Assess
    expect(plan.batches).toHaveLength(10);
    expect(plan.batches.every((b) => b.queries.length === 500 && b.functionNames.length === 100)).toBe(true);
    const ids = plan.batches.flatMap((b) => b.queries.map((q) => q.Id));
    expect(new Set(ids).size).toBe(5000);
    expect(ids.every((id) => /^[a-z][A-Za-z0-9_]*$/.test(id ?? ''))).toBe(true);
  });
});

describe('readCostUsage', () => {
  it('adds the points up by UTC day, takes the worst daily p99 and the last 6 hours of invocations', async () => {
    // Prepare
    const days = Array.from({ length: 30 }, (_, i) => i + 1);
    cloudWatch.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
      const id = (stat: string) => input.MetricDataQueries!.find((q) => q.Id?.endsWith(`_${stat}`))!.Id!;
      const quarters = Array.from({ length: 120 }, (_, i) => new Date(window.start.getTime() + i * 6 * 3_600_000));
      return {
        MetricDataResults: [
          complete(
            id('invocations'),
            quarters,
            quarters.map(() => 250),
          ),
          daily(
            id('duration'),
            days.map((d) => d * 1000),
          ),
          daily(
            id('p99'),
            days.map((d) => (d === 12 ? 2400 : 300)),
          ),
          daily(
            id('provisioned'),
            days.map(() => 0),
          ),
          daily(
            id('logBytes'),
            days.map(() => 1_048_576),
          ),
        ],
      };
    });

    // Act
    const usage = served((await readCostUsage(mockedClients(), targets(1), window)).get('fn-0'));

    // Assess
    expect(usage.days).toHaveLength(30);
    expect(usage.days[0]).toEqual({
      invocations: 1000,
      durationMs: 1000,
      provisionedInvocations: 0,
      logBytes: 1_048_576,
    });
    expect(usage.days[29]!.durationMs).toBe(30_000);
    expect(usage.durationP99Ms).toBe(2400);
    expect(usage.recentInvocations).toBe(250);
    expect(usage.missing).toEqual([]);
    expect(sentInputs()[0]).toMatchObject({
      StartTime: window.start,
      EndTime: window.end,
      ScanBy: 'TimestampAscending',
    });
  });

  it('says which statistic CloudWatch would not serve instead of counting it as 0', async () => {
    // Prepare
    cloudWatch.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
      MetricDataResults: input.MetricDataQueries!.map((q) =>
        q.Id!.endsWith('_logBytes') ? forbidden(q.Id!) : daily(q.Id!, [5]),
      ),
    }));

    // Act
    const usage = served((await readCostUsage(mockedClients(), targets(1), window)).get('fn-0'));

    // Assess
    expect(usage.missing).toEqual(['IncomingBytes']);
    expect(usage.days[0]!.invocations).toBe(5);
  });

  it('leaves only the functions of a refused request unserved', async () => {
    // Prepare: the second of three requests is throttled.
    let call = 0;
    cloudWatch.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
      call += 1;
      if (call === 2) throw throttled();
      return { MetricDataResults: input.MetricDataQueries!.map((q) => daily(q.Id!, [1])) };
    });

    // Act
    const entries = await readCostUsage(mockedClients(), targets(250), window);

    // Assess
    expect(sentInputs()).toHaveLength(3);
    const unserved = [...entries.values()].filter((e) => !e.served);
    expect(unserved).toHaveLength(100);
    expect(unserved[0]).toMatchObject({ served: false, reason: expect.stringMatching(/throttled/) });
    expect([...entries.values()].filter((e) => e.served)).toHaveLength(150);
  });
});
