import {
  CloudWatchClient,
  CloudWatchServiceException,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { CloudWatchMetrics } from '../../src/aws/cloudwatch-metrics';
import { planFunctionMetrics, seriesPeriodFor } from '../../src/aws/metric-plan';
import { ErrorCode, GofnError } from '../../src/errors';
import type { FunctionMetricsQuery } from '../../src/ports';
import {
  answerGetMetricData,
  type AliasTelemetry,
  type MinuteValues,
} from '../fixtures/aws/cloudwatch-executed-version';
import { hour, minute, mockedClients, rejectionOf } from './helpers';

const cloudWatch = mockClient(CloudWatchClient);

const now = new Date('2024-05-01T12:00:00Z');
const query: FunctionMetricsQuery = {
  functionName: 'orders-api',
  alias: 'live',
  window: { start: new Date(now.getTime() - hour), end: now },
  previous: { start: new Date(now.getTime() - 2 * hour), end: new Date(now.getTime() - hour) },
};

function sentInputs(): GetMetricDataCommandInput[] {
  return cloudWatch.commandCalls(GetMetricDataCommand).map((call) => call.args[0].input);
}

function queryById(input: GetMetricDataCommandInput, id: string): MetricDataQuery | undefined {
  return input.MetricDataQueries?.find((q) => q.Id === id);
}

const at = (offsetMinutes: number) => new Date(now.getTime() + offsetMinutes * minute);

describe('CloudWatchMetrics.getFunctionMetrics', () => {
  beforeEach(() => cloudWatch.reset());

  it('asks for both windows in exactly one GetMetricData request', async () => {
    // Prepare
    cloudWatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    const metrics = new CloudWatchMetrics(mockedClients(), { now: () => now });

    // Act
    await metrics.getFunctionMetrics(query);

    // Assess
    expect(cloudWatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 1);
    const [input] = sentInputs();
    expect(input?.StartTime).toEqual(query.previous.start);
    expect(input?.EndTime).toEqual(query.window.end);
    expect(input?.MetricDataQueries?.map((q) => q.Id)).toEqual([
      'invocations',
      'errors',
      'throttles',
      'concurrency',
      'p50',
      'p95',
      'p99',
    ]);
  });

  it('uses alias dimensions, 60 s series and window-long percentile periods', async () => {
    // Prepare
    cloudWatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    const metrics = new CloudWatchMetrics(mockedClients(), { now: () => now });

    // Act
    await metrics.getFunctionMetrics(query);

    // Assess
    const [input] = sentInputs();
    if (!input) throw new Error('no request');
    const aliasDimensions = [
      { Name: 'FunctionName', Value: 'orders-api' },
      { Name: 'Resource', Value: 'orders-api:live' },
    ];
    expect(queryById(input, 'invocations')?.MetricStat).toEqual({
      Metric: { Namespace: 'AWS/Lambda', MetricName: 'Invocations', Dimensions: aliasDimensions },
      Period: 60,
      Stat: 'Sum',
    });
    expect(queryById(input, 'throttles')?.MetricStat?.Stat).toBe('Sum');
    expect(queryById(input, 'concurrency')?.MetricStat).toEqual({
      Metric: {
        Namespace: 'AWS/Lambda',
        MetricName: 'ConcurrentExecutions',
        Dimensions: [{ Name: 'FunctionName', Value: 'orders-api' }],
      },
      Period: 60,
      Stat: 'Maximum',
    });
    for (const p of ['p50', 'p95', 'p99']) {
      expect(queryById(input, p)?.MetricStat).toEqual({
        Metric: { Namespace: 'AWS/Lambda', MetricName: 'Duration', Dimensions: aliasDimensions },
        Period: 3600,
        Stat: p,
      });
    }
  });

  it('splits datapoints into the current and previous window and builds the current series', async () => {
    // Prepare
    cloudWatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'invocations', Timestamps: [at(-90), at(-30), at(-1)], Values: [100, 40, 60], StatusCode: 'Complete' },
        { Id: 'errors', Timestamps: [at(-30)], Values: [5], StatusCode: 'Complete' },
        { Id: 'throttles', Timestamps: [at(-100)], Values: [3], StatusCode: 'Complete' },
        { Id: 'concurrency', Timestamps: [at(-90), at(-30), at(-29)], Values: [7, 20, 12], StatusCode: 'Complete' },
        { Id: 'p50', Timestamps: [at(-120), at(-60)], Values: [40, 55], StatusCode: 'Complete' },
        { Id: 'p95', Timestamps: [at(-120), at(-60)], Values: [90, 180], StatusCode: 'Complete' },
        { Id: 'p99', Timestamps: [at(-120), at(-60)], Values: [150, 400], StatusCode: 'Complete' },
      ],
    });
    const metrics = new CloudWatchMetrics(mockedClients(), { now: () => now });

    // Act
    const result = await metrics.getFunctionMetrics(query);

    // Assess
    expect(result.current).toEqual({
      invocations: 100,
      errors: 5,
      throttles: 0,
      peakConcurrency: 20,
      durationP50Ms: 55,
      durationP95Ms: 180,
      durationP99Ms: 400,
    });
    expect(result.previous).toEqual({
      invocations: 100,
      errors: 0,
      throttles: 3,
      peakConcurrency: 7,
      durationP50Ms: 40,
      durationP95Ms: 90,
      durationP99Ms: 150,
    });
    expect(result.series.invocations).toEqual([
      { at: at(-30), value: 40 },
      { at: at(-1), value: 60 },
    ]);
    expect(result.periodSeconds).toBe(60);
    expect(result.missing).toEqual([]);
  });

  it('follows NextToken and merges the pages of each query', async () => {
    // Prepare
    cloudWatch
      .on(GetMetricDataCommand, { NextToken: undefined })
      .resolves({
        NextToken: 'more',
        MetricDataResults: [{ Id: 'invocations', Timestamps: [at(-10)], Values: [1], StatusCode: 'PartialData' }],
      })
      .on(GetMetricDataCommand, { NextToken: 'more' })
      .resolves({
        MetricDataResults: [{ Id: 'invocations', Timestamps: [at(-5)], Values: [2], StatusCode: 'Complete' }],
      });
    const metrics = new CloudWatchMetrics(mockedClients(), { now: () => now });

    // Act
    const result = await metrics.getFunctionMetrics(query);

    // Assess
    expect(cloudWatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 2);
    expect(result.current.invocations).toBe(3);
  });

  it('lists percentiles and concurrency as missing when the function ran but they have no data', async () => {
    // Prepare: what the emulator answers, sums but empty percentile results.
    cloudWatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'invocations', Timestamps: [at(-10)], Values: [10], StatusCode: 'Complete' },
        { Id: 'concurrency', Timestamps: [], Values: [], StatusCode: 'Complete' },
        { Id: 'p50', Timestamps: [], Values: [], StatusCode: 'Complete' },
        { Id: 'p95', Timestamps: [], Values: [], StatusCode: 'Complete' },
        { Id: 'p99', Timestamps: [], Values: [], StatusCode: 'Complete' },
      ],
    });
    const metrics = new CloudWatchMetrics(mockedClients(), { now: () => now });

    // Act
    const result = await metrics.getFunctionMetrics(query);

    // Assess
    expect(result.missing).toEqual(['ConcurrentExecutions Maximum', 'Duration p50', 'Duration p95', 'Duration p99']);
    expect(result.current.durationP99Ms).toBeUndefined();
  });

  it('lists nothing as missing for an idle function', async () => {
    // Prepare
    cloudWatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    const metrics = new CloudWatchMetrics(mockedClients(), { now: () => now });

    // Act
    const result = await metrics.getFunctionMetrics(query);

    // Assess
    expect(result.missing).toEqual([]);
    expect(result.current.invocations).toBe(0);
  });

  it('asks again without percentiles when the source cannot answer percentile queries', async () => {
    // Prepare: the emulator crashes (HTML 500) on percentiles of real Duration data.
    const crash = Object.assign(new SyntaxError("Unexpected token '<'\n  Deserialization error: ..."), {
      $metadata: { httpStatusCode: 500 },
    });
    cloudWatch
      .on(GetMetricDataCommand)
      .rejectsOnce(crash)
      .resolves({ MetricDataResults: [{ Id: 'invocations', Timestamps: [at(-10)], Values: [4] }] });
    const metrics = new CloudWatchMetrics(mockedClients(), { now: () => now });

    // Act
    const result = await metrics.getFunctionMetrics(query);

    // Assess
    const [first, second] = sentInputs();
    expect(first?.MetricDataQueries).toHaveLength(7);
    expect(second?.MetricDataQueries?.map((q) => q.Id)).toEqual(['invocations', 'errors', 'throttles', 'concurrency']);
    expect(result.current.invocations).toBe(4);
    expect(result.missing).toEqual(
      expect.arrayContaining(['Duration p50', 'Duration p95', 'Duration p99', 'ConcurrentExecutions Maximum']),
    );
  });

  it('maps a denied request to AccessDenied naming the call and the permission', async () => {
    // Prepare
    const denied = new CloudWatchServiceException({
      name: 'AccessDenied',
      $fault: 'client',
      message:
        'User: arn:aws:sts::123456789012:assumed-role/gofn is not authorized to perform: cloudwatch:GetMetricData',
      $metadata: { httpStatusCode: 403 },
    });
    cloudWatch.on(GetMetricDataCommand).rejects(denied);
    const metrics = new CloudWatchMetrics(mockedClients(), { now: () => now });

    // Act
    const error = await rejectionOf(metrics.getFunctionMetrics(query));

    // Assess
    expect(error).toBeInstanceOf(GofnError);
    expect((error as GofnError).code).toBe(ErrorCode.AccessDenied);
    expect((error as GofnError).message).toMatch(/^CloudWatch GetMetricData for orders-api:live was denied: User: /);
    expect((error as GofnError).hint).toContain('cloudwatch:GetMetricData');
    expect(cloudWatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 1);
  });

  it('breaks a canary down by ExecutedVersion in the same single request', async () => {
    // Prepare: v42 stable, 10% on v43 for the last 20 minutes; v43 fails one in five.
    const minutes = (from: number, to: number, values: Omit<MinuteValues, 'at'>) =>
      Array.from({ length: to - from }, (_, i) => ({ at: at(from + i), ...values }));
    const telemetry: AliasTelemetry = {
      functionName: 'orders-api',
      alias: 'live',
      throughAlias: [
        ...minutes(-120, -20, { invocations: 100, errors: 0, durationP99Ms: 300 }),
        ...minutes(-20, 0, { invocations: 100, errors: 2, durationP99Ms: 900 }),
      ],
      versions: {
        '42': [
          ...minutes(-120, -20, { invocations: 100, errors: 0, durationP99Ms: 300 }),
          ...minutes(-20, 0, { invocations: 90, errors: 0, durationP99Ms: 310 }),
        ],
        '43': minutes(-20, 0, { invocations: 10, errors: 2, durationP99Ms: 900 }),
      },
    };
    cloudWatch
      .on(GetMetricDataCommand)
      .callsFake(async (input: GetMetricDataCommandInput) => answerGetMetricData(input, telemetry));
    const metrics = new CloudWatchMetrics(mockedClients(), { now: () => now });

    // Act
    const result = await metrics.getFunctionMetrics({ ...query, versions: ['42', '43'] });

    // Assess
    expect(cloudWatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 1);
    const [input] = sentInputs();
    expect(queryById(input!, 'v1_errors')?.MetricStat?.Metric?.Dimensions).toEqual([
      { Name: 'FunctionName', Value: 'orders-api' },
      { Name: 'Resource', Value: 'orders-api:live' },
      { Name: 'ExecutedVersion', Value: '43' },
    ]);
    expect(queryById(input!, 'v1_p99')?.MetricStat).toMatchObject({ Period: 3600, Stat: 'p99' });
    const sum = (points: { value: number }[]) => points.reduce((total, p) => total + p.value, 0);
    expect(sum(result.byVersion['43']!.invocations)).toBe(200);
    expect(sum(result.byVersion['43']!.errors)).toBe(40);
    expect(result.byVersion['43']!.invocations[0]?.at).toEqual(at(-20));
    expect(sum(result.byVersion['42']!.invocations)).toBe(11_800);
    expect(result.byVersion['43']!.durationP99Ms).toBe(900);
    expect(result.byVersion['42']!.durationP99Ms).toBe(310);
    expect(sum(result.timeline.invocations)).toBe(12_000);
    expect(result.timeline.errors[0]?.at).toEqual(at(-120));
  });

  it('asks for no version when the alias is not weighted', async () => {
    // Prepare
    cloudWatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    const metrics = new CloudWatchMetrics(mockedClients(), { now: () => now });

    // Act
    const result = await metrics.getFunctionMetrics(query);

    // Assess
    const [input] = sentInputs();
    expect(input?.MetricDataQueries?.some((q) => q.Id?.startsWith('v'))).toBe(false);
    expect(result.byVersion).toEqual({});
  });

  it('rejects a window that ends before it starts', async () => {
    // Prepare
    const metrics = new CloudWatchMetrics(mockedClients(), { now: () => now });

    // Act
    const error = await rejectionOf(
      metrics.getFunctionMetrics({ ...query, window: { start: now, end: query.window.start } }),
    );

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.InvalidInput);
    expect(cloudWatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 0);
  });
});

describe('metric periods', () => {
  it('keeps one-minute series up to a day and coarsens longer spans to ≤ 1,440 points', () => {
    expect(seriesPeriodFor(2 * 3600, 60)).toBe(60);
    expect(seriesPeriodFor(24 * 3600, 60)).toBe(60);
    expect(seriesPeriodFor(48 * 3600, 60)).toBe(120);
    expect(seriesPeriodFor(14 * 24 * 3600, 60)).toBe(840);
    expect((14 * 24 * 3600) / seriesPeriodFor(14 * 24 * 3600, 60)).toBeLessThanOrEqual(1440);
  });

  it('plans a week-long comparison with coarser series and week-long percentile buckets', () => {
    // Prepare
    const week = 7 * 24 * hour;
    const longQuery: FunctionMetricsQuery = {
      functionName: 'orders-api',
      alias: 'live',
      window: { start: new Date(now.getTime() - week), end: now },
      previous: { start: new Date(now.getTime() - 2 * week), end: new Date(now.getTime() - week) },
    };

    // Act
    const plan = planFunctionMetrics(longQuery, now);

    // Assess
    expect(plan.seriesPeriod % 60).toBe(0);
    expect((2 * week) / 1000 / plan.seriesPeriod).toBeLessThanOrEqual(1440);
    expect(plan.percentilePeriod).toBe(week / 1000);
  });

  it('uses 5-minute multiples when the range starts more than 15 days ago', () => {
    // Prepare
    const old: FunctionMetricsQuery = {
      ...query,
      window: { start: new Date(now.getTime() - 20 * 24 * hour), end: new Date(now.getTime() - 20 * 24 * hour + hour) },
      previous: {
        start: new Date(now.getTime() - 20 * 24 * hour - hour),
        end: new Date(now.getTime() - 20 * 24 * hour),
      },
    };

    // Act
    const plan = planFunctionMetrics(old, now);

    // Assess
    expect(plan.seriesPeriod).toBe(300);
  });
});
