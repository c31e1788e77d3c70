import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { CloudWatchMetrics } from '../../src/aws/cloudwatch-metrics';
import { planFleetMetrics } from '../../src/aws/fleet-metric-plan';
import type { FleetEntry, FleetTarget } from '../../src/ports';
import {
  complete,
  forbidden,
  idleQueue,
  internalError,
  partialData,
  queueDepth,
  throttled,
} from '../fixtures/aws/cloudwatch-get-metric-data';
import { hour, minute, mockedClients } from './helpers';

const cloudWatch = mockClient(CloudWatchClient);

const now = new Date('2024-05-01T12:00:00Z');
const window = { start: new Date(now.getTime() - hour), end: now };
const before = new Date(window.start.getTime() - hour);

function targets(n: number, dlq?: (i: number) => string | undefined): FleetTarget[] {
  return Array.from({ length: n }, (_, i) => ({
    functionName: `fn-${i}`,
    alias: 'live',
    deadLetterQueue: dlq?.(i),
  }));
}

const target = (functionName: string, deadLetterQueue?: string): FleetTarget => ({
  functionName,
  alias: 'live',
  deadLetterQueue,
});

function sentInputs(): GetMetricDataCommandInput[] {
  return cloudWatch.commandCalls(GetMetricDataCommand).map((call) => call.args[0].input);
}

/** The id of the query for a function's statistic in a request, as the plan named it. */
function idOf(input: GetMetricDataCommandInput, functionName: string, metric: string): string {
  const query = input.MetricDataQueries?.find(
    (q: MetricDataQuery) =>
      q.MetricStat?.Metric?.MetricName === metric &&
      q.MetricStat.Metric.Dimensions?.some((d) => d.Value === functionName || d.Value === `${functionName}-dlq`),
  );
  if (!query?.Id) throw new Error(`no ${metric} query for ${functionName}`);
  return query.Id;
}

function served(entry: FleetEntry | undefined) {
  if (!entry?.served) throw new Error(`expected metrics, got ${JSON.stringify(entry)}`);
  return entry.metrics;
}

describe('planFleetMetrics', () => {
  it('asks what the report grades: the alias for requests, the function for concurrency, the DLQ by name', () => {
    // Act
    const plan = planFleetMetrics([target('orders-api', 'orders-api-dlq')], window, now);

    // Assess
    const queries = plan.batches[0]!.queries;
    const byMetric = Object.fromEntries(queries.map((q) => [q.MetricStat?.Metric?.MetricName, q.MetricStat]));
    const alias = [
      { Name: 'FunctionName', Value: 'orders-api' },
      { Name: 'Resource', Value: 'orders-api:live' },
    ];
    expect(byMetric.Invocations).toMatchObject({ Metric: { Namespace: 'AWS/Lambda', Dimensions: alias }, Stat: 'Sum' });
    expect(byMetric.Errors).toMatchObject({ Metric: { Dimensions: alias }, Stat: 'Sum' });
    expect(byMetric.Throttles).toMatchObject({ Metric: { Dimensions: alias }, Stat: 'Sum' });
    expect(byMetric.Duration).toMatchObject({ Metric: { Dimensions: alias }, Stat: 'p99', Period: 3600 });
    expect(byMetric.ConcurrentExecutions).toMatchObject({
      Metric: { Dimensions: [{ Name: 'FunctionName', Value: 'orders-api' }] },
      Stat: 'Maximum',
    });
    expect(byMetric.ApproximateNumberOfMessagesVisible).toMatchObject({
      Metric: { Namespace: 'AWS/SQS', Dimensions: [{ Name: 'QueueName', Value: 'orders-api-dlq' }] },
      Stat: 'Maximum',
      Period: 300,
    });
    expect(plan.startTime).toEqual(before);
  });

  it('gives queries valid CloudWatch ids', () => {
    // Act
    const plan = planFleetMetrics([target('orders-api'), target('billing_v2'), target('Ä-odd', 'q')], window, now);

    // Assess
    const ids = plan.batches.flatMap((b) => b.queries.map((q) => q.Id ?? ''));
    expect(ids).toHaveLength(16);
    for (const id of ids) expect(id).toMatch(/^[a-z][a-zA-Z0-9_]*$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("keeps a function's queries in one request, closing it when the next would not fit", () => {
    // Prepare: 6 queries each with a DLQ: 83 functions fill 498 of 500.
    const plan = planFleetMetrics(
      targets(84, (i) => `q-${i}`),
      window,
      now,
    );

    // Assess
    expect(plan.batches.map((b) => b.queries.length)).toEqual([498, 6]);
    expect(plan.batches[1]!.functionNames).toEqual(['fn-83']);
  });
});

describe('CloudWatchMetrics.getFleetMetrics', () => {
  beforeEach(() => cloudWatch.reset());

  it.each([
    [1, 1],
    [100, 1],
    [101, 2],
    [1000, 10],
  ])('sends ⌈5×%i queries / 500⌉ = %i requests', async (functions, requests) => {
    // Prepare
    cloudWatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    const metrics = new CloudWatchMetrics(mockedClients(), { now: () => now });

    // Act
    const result = await metrics.getFleetMetrics(targets(functions), window);

    // Assess
    expect(cloudWatch).toHaveReceivedCommandTimes(GetMetricDataCommand, requests);
    const sizes = sentInputs().map((input) => input.MetricDataQueries?.length ?? 0);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(500);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(5 * functions);
    expect(result.size).toBe(functions);
  });

  it('keeps at most 5 requests in flight', async () => {
    // Prepare
    let inFlight = 0;
    let peak = 0;
    cloudWatch.on(GetMetricDataCommand).callsFake(async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return { MetricDataResults: [] };
    });
    const metrics = new CloudWatchMetrics(mockedClients(), { now: () => now });

    // Act
    await metrics.getFleetMetrics(targets(2000), window);

    // Assess
    expect(cloudWatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 20);
    expect(peak).toBe(5);
  });

  it('reads the window and the one before from each query, the DLQ at its newest point, and zeros where no data came', async () => {
    // Prepare
    cloudWatch.on(GetMetricDataCommand).callsFake(async (input: GetMetricDataCommandInput) => ({
      MetricDataResults: [
        complete(idOf(input, 'orders-api', 'Invocations'), [before, window.start], [480, 500]),
        complete(idOf(input, 'orders-api', 'Errors'), [window.start], [12]),
        complete(idOf(input, 'orders-api', 'Duration'), [before, window.start], [120, 850]),
        complete(idOf(input, 'orders-api', 'ConcurrentExecutions'), [before, window.start], [4, 31]),
        queueDepth(
          idOf(input, 'orders-api', 'ApproximateNumberOfMessagesVisible'),
          [
            new Date(now.getTime() - 15 * minute),
            new Date(now.getTime() - 10 * minute),
            new Date(now.getTime() - 5 * minute),
          ],
          [1300, 1250, 1240],
        ),
        idleQueue(idOf(input, 'idle-fn', 'ApproximateNumberOfMessagesVisible')),
      ],
    }));
    const metrics = new CloudWatchMetrics(mockedClients(), { now: () => now });

    // Act
    const result = await metrics.getFleetMetrics(
      [
        target('orders-api', 'orders-api-dlq'),
        target('idle-fn', 'idle-fn-dlq'),
        target('orders-api', 'orders-api-dlq'),
      ],
      window,
    );

    // Assess
    expect(sentInputs()[0]?.MetricDataQueries).toHaveLength(12);
    expect(served(result.get('orders-api'))).toEqual({
      invocations: 500,
      errors: 12,
      throttles: 0,
      durationP99Ms: 850,
      peakConcurrency: 31,
      deadLetterMessages: 1240,
      previous: { invocations: 480, durationP99Ms: 120, peakConcurrency: 4 },
      missing: [],
    });
    expect(served(result.get('idle-fn'))).toEqual({
      invocations: 0,
      errors: 0,
      throttles: 0,
      durationP99Ms: undefined,
      peakConcurrency: undefined,
      deadLetterMessages: 0,
      previous: { invocations: 0, durationP99Ms: undefined, peakConcurrency: undefined },
      missing: [],
    });
  });

  it('makes the functions of a refused request unknown and still answers for the others', async () => {
    // Prepare: the second of three requests is throttled.
    let request = 0;
    cloudWatch.on(GetMetricDataCommand).callsFake(async (input: GetMetricDataCommandInput) => {
      request++;
      if (request === 2) throw throttled();
      return {
        MetricDataResults: (input.MetricDataQueries ?? [])
          .filter((q) => q.MetricStat?.Metric?.MetricName === 'Invocations')
          .map((q) => complete(q.Id ?? '', [window.start], [100])),
      };
    });
    const metrics = new CloudWatchMetrics(mockedClients(), { now: () => now, fleetConcurrency: 1 });

    // Act
    const result = await metrics.getFleetMetrics(targets(250), window);

    // Assess
    expect(result.size).toBe(250);
    const refused = [...result.entries()].filter(([, entry]) => !entry.served).map(([name]) => name);
    expect(refused).toEqual(Array.from({ length: 100 }, (_, i) => `fn-${100 + i}`));
    const entry = result.get('fn-150');
    expect(entry?.served === false && entry.reason).toMatch(/Rate exceeded|throttl/i);
    expect(served(result.get('fn-0')).invocations).toBe(100);
    expect(served(result.get('fn-249')).invocations).toBe(100);
  });

  it('asks once more without p99 when the percentiles sink a request, as the single path does', async () => {
    // Prepare: the emulator answers a percentile over real data with an HTML crash page.
    const crash = Object.assign(new SyntaxError('Unexpected token < in JSON'), {
      $metadata: { httpStatusCode: 500 },
      $response: { statusCode: 500, body: '<html>Internal Server Error</html>' },
    });
    cloudWatch.on(GetMetricDataCommand).callsFake(async (input: GetMetricDataCommandInput) => {
      if (input.MetricDataQueries?.some((q) => q.MetricStat?.Stat === 'p99')) throw crash;
      return { MetricDataResults: [complete(idOf(input, 'orders-api', 'Invocations'), [window.start], [500])] };
    });
    const metrics = new CloudWatchMetrics(mockedClients(), { now: () => now });

    // Act
    const result = await metrics.getFleetMetrics([target('orders-api')], window);

    // Assess
    expect(cloudWatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 2);
    const orders = served(result.get('orders-api'));
    expect(orders.invocations).toBe(500);
    expect(orders.durationP99Ms).toBeUndefined();
    expect(orders.missing).toEqual(['Duration p99']);
  });

  it('follows a PartialData answer with its NextToken and adds the pages up', async () => {
    // Prepare
    cloudWatch.on(GetMetricDataCommand).callsFake(async (input: GetMetricDataCommandInput) => {
      const id = idOf(input, 'orders-api', 'Invocations');
      return input.NextToken
        ? { MetricDataResults: [complete(id, [window.start], [500])] }
        : { MetricDataResults: [partialData(id, [before], [480])], NextToken: 'page-2' };
    });
    const metrics = new CloudWatchMetrics(mockedClients(), { now: () => now });

    // Act
    const result = await metrics.getFleetMetrics([target('orders-api')], window);

    // Assess
    expect(cloudWatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 2);
    expect(sentInputs()[1]?.NextToken).toBe('page-2');
    const orders = served(result.get('orders-api'));
    expect(orders.invocations).toBe(500);
    expect(orders.previous.invocations).toBe(480);
  });

  it('lists a statistic CloudWatch answers Forbidden or InternalError as missing, not as 0', async () => {
    // Prepare
    cloudWatch.on(GetMetricDataCommand).callsFake(async (input: GetMetricDataCommandInput) => ({
      MetricDataResults: [
        complete(idOf(input, 'orders-api', 'Invocations'), [window.start], [500]),
        forbidden(idOf(input, 'orders-api', 'ApproximateNumberOfMessagesVisible')),
        internalError(idOf(input, 'orders-api', 'Duration')),
      ],
    }));
    const metrics = new CloudWatchMetrics(mockedClients(), { now: () => now });

    // Act
    const result = await metrics.getFleetMetrics([target('orders-api', 'orders-api-dlq')], window);

    // Assess
    const orders = served(result.get('orders-api'));
    expect(orders.deadLetterMessages).toBeUndefined();
    expect(orders.durationP99Ms).toBeUndefined();
    expect(orders.missing).toEqual(['Duration p99', 'DLQ ApproximateNumberOfMessagesVisible']);
  });

  it('rejects only when the caller gives up', async () => {
    // Prepare
    const controller = new AbortController();
    cloudWatch.on(GetMetricDataCommand).callsFake(async () => {
      controller.abort();
      throw throttled();
    });
    const metrics = new CloudWatchMetrics(mockedClients(), { now: () => now });

    // Act
    const outcome = await metrics.getFleetMetrics(targets(3), window, { signal: controller.signal }).then(
      () => 'resolved',
      () => 'rejected',
    );

    // Assess
    expect(outcome).toBe('rejected');
  });

  it('sends nothing for an empty fleet', async () => {
    // Prepare
    const metrics = new CloudWatchMetrics(mockedClients(), { now: () => now });

    // Act
    const result = await metrics.getFleetMetrics([], window);

    // Assess
    expect(result.size).toBe(0);
    expect(cloudWatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 0);
  });
});
