import { apiGatewayCheck } from '../../src/checks/api-gateway';
import { customMetricId, logsInsightsCheck, metricThresholdCheck } from '../../src/checks/custom';
import { eventSourceLagCheck } from '../../src/checks/event-source-lag';
import { extraIds } from '../../src/checks/evidence';
import { memoryCrashesCheck } from '../../src/checks/memory-crashes';
import { checkParams } from '../../src/checks/params';
import { throttlesCheck } from '../../src/checks/throttles';
import { timeoutsCheck } from '../../src/checks/timeouts';
import { ErrorCode, GofnError } from '../../src/errors';
import type { ExtraMetricQuery, ExtraMetricResult } from '../../src/ports';
import { checkContext } from '../support/check-context';
import { fakeSources, type FakeData } from '../support/fake-sources';

/**
 * The checks an on-call engineer runs after the first six: memory and crashes, timeouts, event-
 * source lag, the API in front, and a runbook's own steps, each over hand-made evidence.
 */

function context(data: Partial<FakeData> = {}, extraMetrics?: ExtraMetricQuery[]) {
  const sources = fakeSources(data);
  return { ctx: checkContext(sources, data.fn, extraMetrics), sources };
}

const served = (current: number | undefined, extra: Partial<ExtraMetricResult> = {}): ExtraMetricResult => ({
  current,
  previous: current,
  latest: current,
  served: true,
  ...extra,
});

const memoryParams = checkParams['memory-crashes'].parse({
  thresholds: { memoryPercent: { warn: 85, critical: 95 }, crashPercent: { warn: 0.1, critical: 1 } },
});
const noCrashes = {
  timeouts: { count: 0, requestIds: [] },
  outOfMemory: { count: 0, requestIds: [] },
  panics: { count: 0, requestIds: [], message: undefined, topFrame: undefined },
};
const ids = (prefix: string) => [1, 2, 3].map((i) => `${prefix}${i}000000-0000-4000-8000-000000000000`);

describe('memory and crashes', () => {
  it('names OOM kills and panics with their share and request IDs, the top frame, and the missing GOMEMLIMIT', async () => {
    // Prepare
    const { ctx } = context({
      fn: { memoryMb: 512, goMemLimit: { state: 'unset' } },
      logs: {
        memory: { reports: 10_000, maxMemoryUsedMB: 512, avgMemoryUsedMB: 300, memorySizeMB: 512 },
        crashes: {
          ...noCrashes,
          outOfMemory: { count: 120, requestIds: ids('a') },
          panics: {
            count: 15,
            requestIds: ids('b'),
            message: 'assignment to entry in nil map',
            topFrame: '(*Cart).Add (orders/internal/cart/cart.go:88)',
          },
        },
      },
    });

    // Act
    const result = await memoryCrashesCheck(ctx, memoryParams);

    // Assess
    expect(result.status).toBe('critical');
    expect(result.summary).toBe(
      'max memory 512 of 512 MB (100%), avg 300 MB · 120 killed for memory (1.2%): a1000000…, a2000000…, a3000000… · ' +
        '15 panicked (0.1%): b1000000…, b2000000…, b3000000… · panic: "assignment to entry in nil map" at ' +
        '(*Cart).Add (orders/internal/cart/cart.go:88) · GOMEMLIMIT is not set (set it to about 90% of the memory size)',
    );
    expect(result.headline).toBe('120 invocations killed for running out of memory (1.2%)');
    // What the cost engineer's right-sizing reads too: the evidence keeps the numbers.
    expect(result.evidence).toMatchObject({
      maxMemoryUsedMB: 512,
      avgMemoryUsedMB: 300,
      memorySizeMB: 512,
      outOfMemory: 120,
      outOfMemoryRequestIds: ids('a'),
      panicTopFrame: '(*Cart).Add (orders/internal/cart/cart.go:88)',
      goMemLimit: 'unset',
      goMemLimitOk: false,
    });
    expect(result.links.map((l) => l.label)).toEqual(['logs', 'crash logs']);
    // The console link's query (its escapes: `*XX`, written `$2AXX` in the Logs Insights route) finds the sampled IDs.
    expect(decodeURIComponent(result.links[1]!.url.replace(/\$2A/g, '%'))).toContain(
      `filter @message like /${[...ids('a'), ...ids('b')].join('|')}/`,
    );
  });

  it('is ok for roomy memory without crashes, and names a GOMEMLIMIT above the memory size less headroom without grading it', async () => {
    // Prepare: 500 MiB of a 512 MB function leaves less than 10% for what is not Go heap.
    const { ctx } = context({
      fn: { memoryMb: 512, goMemLimit: { state: 'set', bytes: 500 * 1024 * 1024 } },
      logs: {
        memory: { reports: 100, maxMemoryUsedMB: 120, avgMemoryUsedMB: 80, memorySizeMB: 512 },
        crashes: noCrashes,
      },
    });

    // Act
    const result = await memoryCrashesCheck(ctx, memoryParams);

    // Assess
    expect(result.status).toBe('ok');
    expect(result.summary).toContain('GOMEMLIMIT is above the memory size less 10% headroom');
    expect(result.evidence.goMemLimitOk).toBe(false);
    // The limit's value is never shown.
    expect(JSON.stringify(result)).not.toContain(String(500 * 1024 * 1024));
  });

  it('warns about the limit once memory is tight: then it is part of the cause', async () => {
    // Prepare
    const { ctx } = context({
      fn: { memoryMb: 512, goMemLimit: { state: 'unset' } },
      logs: {
        memory: { reports: 100, maxMemoryUsedMB: 450, avgMemoryUsedMB: 400, memorySizeMB: 512 },
        crashes: noCrashes,
      },
    });

    // Act
    const result = await memoryCrashesCheck(ctx, memoryParams);

    // Assess
    expect(result.status).toBe('warn');
    expect(result.headline).toBe(
      'invocations use up to 88% of their memory; GOMEMLIMIT is not set (set it to about 90% of the memory size)',
    );
  });

  it('accepts a GOMEMLIMIT within the headroom and says nothing about it', async () => {
    // Prepare
    const { ctx } = context({
      fn: { memoryMb: 512, goMemLimit: { state: 'set', bytes: 450 * 1024 * 1024 } },
      logs: {
        memory: { reports: 100, maxMemoryUsedMB: 120, avgMemoryUsedMB: 80, memorySizeMB: 512 },
        crashes: noCrashes,
      },
    });

    // Act
    const result = await memoryCrashesCheck(ctx, memoryParams);

    // Assess
    expect(result.summary).not.toContain('GOMEMLIMIT');
    expect(result.evidence).toMatchObject({ goMemLimit: 'set', goMemLimitOk: true });
  });

  it('is unknown with the reason for JSON logs at WARN, where Lambda writes no reports', async () => {
    // Prepare
    const { ctx, sources } = context({ fn: { logFormat: 'JSON', systemLogLevel: 'WARN' } });

    // Act
    const result = await memoryCrashesCheck(ctx, memoryParams);

    // Assess
    expect(result.status).toBe('unknown');
    expect(result.reason).toMatch(/system log level WARN/);
    expect(sources.calls.get('getInvocationLogs')).toBeUndefined();
  });

  it("is unknown when the query fails, with the query's own error", async () => {
    // Prepare
    const { ctx } = context({
      fail: { getInvocationLogs: new GofnError(ErrorCode.AccessDenied, 'StartQuery denied.') },
    });

    // Act
    const error = await memoryCrashesCheck(ctx, memoryParams).catch((e: unknown) => e);

    // Assess: the engine turns a rejected check into `unknown` with this sentence.
    expect(error).toBeInstanceOf(GofnError);
    expect((error as GofnError).message).toBe('StartQuery denied.');
  });
});

describe('timeouts', () => {
  const params = checkParams.timeouts.parse({ thresholds: { timeoutPercent: { warn: 90 } } });

  it('warns when p99 is within a tenth of the timeout, with both numbers', async () => {
    // Prepare
    const { ctx } = context({ fn: { timeoutSeconds: 10 }, current: { durationP99Ms: 9_400 } });

    // Act
    const result = await timeoutsCheck(ctx, params);

    // Assess
    expect(result.status).toBe('warn');
    expect(result.summary).toBe('duration p99 9.4 s of the 10 s timeout (94%)');
    expect(result.evidence).toEqual({ timeoutMs: 10_000, durationP99Ms: 9_400, timeoutPercent: 94 });
  });

  it('is ok well below, and unknown when the source serves no p99', async () => {
    // Prepare
    const ok = context({ fn: { timeoutSeconds: 10 }, current: { durationP99Ms: 800 } }).ctx;
    const none = context({ fn: { timeoutSeconds: 10 }, current: { durationP99Ms: undefined } }).ctx;

    // Act
    const [low, missing] = await Promise.all([timeoutsCheck(ok, params), timeoutsCheck(none, params)]);

    // Assess
    expect(low.status).toBe('ok');
    expect(missing.status).toBe('unknown');
    expect(missing.reason).toBe('CloudWatch returned no Duration p99 for the window');
  });
});

describe('event-source lag', () => {
  const params = checkParams['event-source-lag'].parse({
    thresholds: {
      oldestMessageAgeSeconds: { warn: 300, critical: 3600 },
      iteratorAgeMs: { warn: 60_000, critical: 3_600_000 },
    },
  });
  const queueArn = 'arn:aws:sqs:us-east-1:123456789012:billing';

  it('names a MaximumConcurrency above the reservation: the effective cap is the smaller, and suggests it', async () => {
    // Prepare
    const { ctx } = context({
      reservedConcurrency: 10,
      sqsSource: { sourceArn: queueArn, dlqArn: `${queueArn}-dlq`, maximumConcurrency: 50 },
      extra: { [extraIds.sqsAge(0)]: served(4_500), [extraIds.sqsVisible(0)]: served(8_400) },
    });

    // Act
    const result = await eventSourceLagCheck(ctx, params);

    // Assess
    expect(result.status).toBe('critical');
    expect(result.summary).toBe(
      'billing: oldest message 1 h 15 min, 8,400 waiting, MaximumConcurrency 50 above reserved concurrency 10: ' +
        'the effective cap is 10 and the extra batches are throttled',
    );
    expect(result.hints?.source).toEqual({
      uuid: 'u-1',
      name: 'billing',
      state: 'Enabled',
      maximumConcurrency: 50,
      suggestedMaximumConcurrency: 10,
    });
    expect(result.evidence).toMatchObject({
      oldestMessageAgeSeconds: 4_500,
      visibleMessages: 8_400,
      reservedConcurrency: 10,
    });
  });

  it('names a mapping that is off with StateTransitionReason, critical while messages wait', async () => {
    // Prepare
    const { ctx } = context({
      reservedConcurrency: null,
      sqsSource: {
        sourceArn: queueArn,
        dlqArn: `${queueArn}-dlq`,
        state: 'Disabled',
        stateTransitionReason: 'USER_INITIATED',
      },
      extra: { [extraIds.sqsAge(0)]: served(900), [extraIds.sqsVisible(0)]: served(2_300) },
    });

    // Act
    const result = await eventSourceLagCheck(ctx, params);

    // Assess
    expect(result.status).toBe('critical');
    expect(result.headline).toBe('the mapping from billing is disabled (USER_INITIATED) with 2,300 messages waiting');
    expect(result.hints?.source?.state).toBe('Disabled');
  });

  it('reads IteratorAge for a stream and flags its failing last poll as the kill-switch case', async () => {
    // Prepare
    const { ctx } = context({
      mappings: [
        {
          uuid: 'k-1',
          sourceArn: 'arn:aws:kinesis:us-east-1:123456789012:stream/clicks',
          service: 'kinesis',
          state: 'Enabled',
          qualifier: undefined,
          lastProcessingResult: 'PROBLEM: Function call failed',
        },
      ],
      extra: { [extraIds.iteratorAge]: served(7_200_000) },
    });

    // Act
    const result = await eventSourceLagCheck(ctx, params);

    // Assess
    expect(result.status).toBe('critical');
    expect(result.summary).toBe('clicks (kinesis): IteratorAge 2 h, last poll: PROBLEM: Function call failed');
    expect(result.hints?.source).toMatchObject({ uuid: 'k-1', name: 'clicks', failing: true });
  });

  it('says when it has nothing to watch, and is unknown when the mappings cannot be listed', async () => {
    // Prepare
    const none = context().ctx;
    const denied = context({ fail: { listEventSources: new GofnError(ErrorCode.AccessDenied, 'denied.') } }).ctx;

    // Act
    const [empty, unknown] = await Promise.all([
      eventSourceLagCheck(none, params),
      eventSourceLagCheck(denied, params),
    ]);

    // Assess
    expect(empty).toMatchObject({ status: 'ok', summary: 'no event-source mapping', notApplicable: true });
    expect(unknown.status).toBe('unknown');
    expect(unknown.reason).toBe('the event-source mappings could not be listed: denied.');
  });

  it('asks for the queue metrics in the one GetMetricData, after listing the mappings', async () => {
    // Prepare
    const { ctx, sources } = context({ sqsSource: { sourceArn: queueArn, dlqArn: `${queueArn}-dlq` } });
    const asked: unknown[] = [];
    const original = sources.metrics.getFunctionMetrics.bind(sources.metrics);
    sources.metrics.getFunctionMetrics = (query, opts) => {
      asked.push(query.extra);
      return original(query, opts);
    };

    // Act
    await eventSourceLagCheck(ctx, params);

    // Assess
    expect(sources.calls.get('getFunctionMetrics')).toBe(1);
    expect(asked).toEqual([
      [
        expect.objectContaining({
          id: 'sqs_age_0',
          namespace: 'AWS/SQS',
          metricName: 'ApproximateAgeOfOldestMessage',
          dimensions: [{ name: 'QueueName', value: 'billing' }],
        }),
        expect.objectContaining({ id: 'sqs_visible_0', metricName: 'ApproximateNumberOfMessagesVisible' }),
      ],
    ]);
  });
});

describe('API Gateway', () => {
  const params = checkParams['api-gateway'].parse({
    thresholds: {
      error5xxPercent: { warn: 1, critical: 5 },
      error4xxPercent: { warn: 20 },
      apiOverheadMs: { warn: 500, critical: 2000 },
    },
  });

  it('reads "the API is slow but the function isn\'t" from latency, integration latency and duration', async () => {
    // Prepare
    const { ctx } = context({
      fn: { tags: { 'gofn:api': 'rest/storefront/prod' } },
      current: { durationP99Ms: 300 },
      extra: {
        [extraIds.apiCount]: served(36_000),
        [extraIds.api4xx]: served(100),
        [extraIds.api5xx]: served(0),
        [extraIds.apiLatency]: served(2_400),
        [extraIds.apiIntegration]: served(330),
      },
    });

    // Act
    const result = await apiGatewayCheck(ctx, params);

    // Assess
    expect(result.status).toBe('critical');
    expect(result.summary).toBe(
      'REST API storefront (prod): 36,000 requests · 5xx 0% · 4xx 0.3% · latency p99 2.4 s = integration 330 ms + API 2.1 s · function p99 300 ms',
    );
    expect(result.headline).toBe(
      "the API is slow but the function isn't: REST API storefront (prod) adds 2.1 s at p99 while the function's p99 is 300 ms",
    );
  });

  it('is not applicable without the tag, and unknown with a tag it cannot read', async () => {
    // Prepare
    const untagged = context().ctx;
    const garbled = context({ fn: { tags: { 'gofn:api': 'graphql/x' } } }).ctx;

    // Act
    const [none, bad] = await Promise.all([apiGatewayCheck(untagged, params), apiGatewayCheck(garbled, params)]);

    // Assess
    expect(none.notApplicable).toBe(true);
    expect(bad.status).toBe('unknown');
    expect(bad.reason).toBe('the gofn:api tag "graphql/x" is not rest/<ApiName>[/<stage>] or http/<ApiId>[/<stage>]');
  });
});

describe("a runbook's own steps", () => {
  const metricStep = {
    id: 'reconcile-backlog',
    ...checkParams['metric-threshold'].parse({
      metric: {
        namespace: 'AWS/SQS',
        name: 'ApproximateNumberOfMessagesVisible',
        dimensions: { QueueName: '${function}-reconcile' },
        stat: 'Maximum',
      },
      thresholds: { value: { warn: 500, critical: 5000 } },
      unit: 'messages',
    }),
  };

  it('grades a metric of any namespace read in the one GetMetricData, with ${function} filled in', async () => {
    // Prepare
    const { ctx } = context({ extra: { [customMetricId('reconcile-backlog')]: served(7_200, { previous: 40 }) } });

    // Act
    const result = await metricThresholdCheck(ctx, metricStep);

    // Assess
    expect(result.status).toBe('critical');
    expect(result.summary).toBe(
      'ApproximateNumberOfMessagesVisible Maximum 7,200 messages (prev. 40 messages) · warn ≥ 500, critical ≥ 5,000',
    );
    expect(result.evidence.dimensions).toEqual(['QueueName=orders-api-reconcile']);
  });

  it('is unknown when CloudWatch has no datapoint, never 0', async () => {
    // Prepare
    const { ctx } = context({ extra: { [customMetricId('reconcile-backlog')]: served(undefined) } });

    // Act
    const result = await metricThresholdCheck(ctx, metricStep);

    // Assess
    expect(result.status).toBe('unknown');
    expect(result.reason).toBe(
      'CloudWatch has no datapoint of AWS/SQS ApproximateNumberOfMessagesVisible Maximum (QueueName=orders-api-reconcile) in the window',
    );
  });

  const queryStep = checkParams['logs-insights'].parse({
    query: 'filter msg = "balance mismatch" and fn = "${function}" | stats count(*) as mismatches by bin(5m)',
    field: 'mismatches',
    thresholds: { value: { warn: 1, critical: 20 } },
  });

  it('runs its own Logs Insights query and sums the field over the rows', async () => {
    // Prepare
    const { ctx, sources } = context({ insightsRows: [{ mismatches: '12' }, { mismatches: '22' }, { other: 'x' }] });
    const queries: string[] = [];
    const original = sources.logs.runQuery.bind(sources.logs);
    sources.logs.runQuery = (query, opts) => {
      queries.push(query.queryString);
      return original(query, opts);
    };

    // Act
    const result = await logsInsightsCheck(ctx, queryStep);

    // Assess
    expect(result.status).toBe('critical');
    expect(result.summary).toBe('mismatches 34 · warn ≥ 1, critical ≥ 20');
    expect(queries).toEqual([
      'filter msg = "balance mismatch" and fn = "orders-api" | stats count(*) as mismatches by bin(5m)',
    ]);
  });

  it('counts no rows as zero for a sum, and is unknown when the rows lack the field', async () => {
    // Prepare
    const empty = context({ insightsRows: [] }).ctx;
    const wrong = context({ insightsRows: [{ count: '3' }] }).ctx;

    // Act
    const [zero, missing] = await Promise.all([
      logsInsightsCheck(empty, queryStep),
      logsInsightsCheck(wrong, queryStep),
    ]);

    // Assess
    expect(zero).toMatchObject({ status: 'ok', evidence: { value: 0, rows: 0 } });
    expect(missing.status).toBe('unknown');
    expect(missing.reason).toBe('no row has a number in "mismatches" (fields: count)');
  });
});

describe('throttles: a reservation of 0', () => {
  it('is critical and offers to remove it: the function is switched off', async () => {
    // Prepare
    const { ctx } = context({
      reservedConcurrency: 0,
      current: { invocations: 0, throttles: 500, peakConcurrency: 0 },
    });

    // Act
    const result = await throttlesCheck(
      ctx,
      checkParams.throttles.parse({ thresholds: { throttledPercent: { warn: 0.1, critical: 1 } } }),
    );

    // Assess
    expect(result.status).toBe('critical');
    expect(result.headline).toBe('reserved concurrency is 0: every request is throttled until it is removed or raised');
    expect(result.hints).toEqual({ lowerConcurrency: { current: 0, suggested: null } });
  });
});
