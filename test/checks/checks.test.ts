import { checkParams } from '../../src/checks/params';
import { coldStartsCheck } from '../../src/checks/cold-starts';
import { dlqCheck } from '../../src/checks/dlq';
import { downstreamLatencyCheck } from '../../src/checks/downstream-latency';
import { errorTracesCheck } from '../../src/checks/error-traces';
import { throttlesCheck } from '../../src/checks/throttles';
import type { CheckContext } from '../../src/checks/types';
import { ErrorCode, GofnError } from '../../src/errors';
import { checkContext } from '../support/check-context';
import { fakeSources, type FakeData } from '../support/fake-sources';

function context(data: Partial<FakeData> = {}): CheckContext {
  return checkContext(fakeSources(data), data.fn);
}

const coldParams = checkParams['cold-starts'].parse({
  thresholds: { coldStartPercent: { warn: 5, critical: 20 }, spikeRatio: { warn: 3, critical: 10 } },
});

const throttleParams = checkParams.throttles.parse({
  thresholds: { throttledPercent: { warn: 0.1, critical: 1 }, concurrencyPercent: { warn: 80, critical: 100 } },
});

describe('throttles', () => {
  it('says why it warns before any throttle: no throttles yet, and how much of the reservation the peak used', async () => {
    // Prepare
    const ctx = context({ reservedConcurrency: 150, current: { throttles: 0, peakConcurrency: 129 } });

    // Act
    const result = await throttlesCheck(ctx, throttleParams);

    // Assess
    expect(result.status).toBe('warn');
    expect(result.summary).toMatch(/^no throttles yet · peak concurrency 129 of 150 reserved \(86%\)/);
  });

  it('says plainly "no throttles" when nothing is wrong', async () => {
    // Prepare
    const ctx = context({ reservedConcurrency: 150, current: { throttles: 0, peakConcurrency: 20 } });

    // Act
    const result = await throttlesCheck(ctx, throttleParams);

    // Assess
    expect(result.status).toBe('ok');
    expect(result.summary).toBe('no throttles · peak concurrency 20 of 150 reserved (13%)');
  });
});

describe('throttles: what Lambda says about the reservation', () => {
  it('says "no reserved concurrency" only when GetFunctionConcurrency answered without one', async () => {
    // Prepare
    const ctx = context({ reservedConcurrency: null, current: { throttles: 0, peakConcurrency: 20 } });

    // Act
    const result = await throttlesCheck(ctx, throttleParams);

    // Assess
    expect(result.status).toBe('ok');
    expect(result.summary).toBe('no throttles · peak concurrency 20 (no reserved concurrency)');
    expect(result.evidence.reservation).toBe('none');
  });

  it('is unknown, not ok, when the reservation could not be read and nothing else is wrong', async () => {
    // Prepare
    const denied = new GofnError(ErrorCode.AccessDenied, 'Lambda GetFunctionConcurrency was denied.');
    const ctx = context({ fail: { getReservedConcurrency: denied }, current: { throttles: 0, peakConcurrency: 20 } });

    // Act
    const result = await throttlesCheck(ctx, throttleParams);

    // Assess
    expect(result.status).toBe('unknown');
    expect(result.summary).toBe('no throttles · peak concurrency 20 (reserved concurrency unknown)');
    expect(result.summary).not.toMatch(/no reserved concurrency/);
    expect(result.reason).toMatch(/reserved concurrency could not be read: Lambda GetFunctionConcurrency was denied/);
  });

  it('still grades the throttles it measured when the reservation is unknown', async () => {
    // Prepare
    const denied = new GofnError(ErrorCode.AccessDenied, 'Lambda GetFunctionConcurrency was denied.');
    const ctx = context({ fail: { getReservedConcurrency: denied }, current: { invocations: 9_000, throttles: 400 } });

    // Act
    const result = await throttlesCheck(ctx, throttleParams);

    // Assess
    expect(result.status).toBe('critical');
  });

  it('reports no traffic, never ok, when the alias had no request at all', async () => {
    // Prepare
    const ctx = context({ current: { invocations: 0, throttles: 0, peakConcurrency: 0 } });

    // Act
    const result = await throttlesCheck(ctx, throttleParams);

    // Assess
    expect(result.status).toBe('no-traffic');
    expect(result.summary).toBe('no requests to live in the window: no invocations, no throttles');
  });

  it('is not "no traffic" when every request was throttled', async () => {
    // Prepare
    const ctx = context({ current: { invocations: 0, throttles: 250, peakConcurrency: 100 } });

    // Act
    const result = await throttlesCheck(ctx, throttleParams);

    // Assess
    expect(result.status).toBe('critical');
  });
});

describe('cold starts', () => {
  it('flags a spike against the previous window even below the absolute threshold', async () => {
    // Prepare
    const ctx = context({
      coldStarts: {
        current: { invocations: 18_240, coldStarts: 1_423, initAvgMs: 290, initMaxMs: 410 },
        previous: { invocations: 17_000, coldStarts: 204, initAvgMs: 280, initMaxMs: 400 },
      },
    });

    // Act
    const result = await coldStartsCheck(ctx, coldParams);

    // Assess
    expect(result.status).toBe('warn');
    expect(result.summary).toBe('7.8% of invocations (prev. 1.2%, ×6.5) · init avg 290 ms, max 410 ms');
    expect(result.evidence.spikeRatio).toBe(6.5);
  });

  it('does not judge a window with too few invocations', async () => {
    // Prepare
    const ctx = context({
      coldStarts: {
        current: { invocations: 12, coldStarts: 12, initAvgMs: 300, initMaxMs: 300 },
        previous: { invocations: 0, coldStarts: 0, initAvgMs: undefined, initMaxMs: undefined },
      },
    });

    // Act
    const result = await coldStartsCheck(ctx, coldParams);

    // Assess
    expect(result.status).toBe('ok');
    expect(result.summary).toContain('only 12 invocations; too few to judge');
  });
});

describe('cold starts: what the logs can say', () => {
  it('counts a JSON-format function like a Text one', async () => {
    // Prepare
    const ctx = context({
      fn: { logFormat: 'JSON', systemLogLevel: 'INFO' },
      coldStarts: { current: { invocations: 10_000, coldStarts: 2_500, initAvgMs: 300, initMaxMs: 500 } },
    });

    // Act
    const result = await coldStartsCheck(ctx, coldParams);

    // Assess
    expect(result.status).toBe('critical');
    expect(result.evidence.logFormat).toBe('JSON');
  });

  it('is unknown, without a query, for JSON logs whose system log level drops platform.report', async () => {
    // Prepare
    const sources = fakeSources({ fn: { logFormat: 'JSON', systemLogLevel: 'WARN' } });
    const ctx = checkContext(sources, { logFormat: 'JSON', systemLogLevel: 'WARN' });

    // Act
    const result = await coldStartsCheck(ctx, coldParams);

    // Assess
    expect(result.status).toBe('unknown');
    expect(result.reason).toMatch(/system log level WARN, so Lambda writes no platform.report records/);
    expect(result.reason).toMatch(/set LoggingConfig.SystemLogLevel to INFO/);
    expect(sources.calls.get('getInvocationLogs')).toBeUndefined();
  });

  it('is unknown for a log format the query does not read', async () => {
    // Prepare
    const ctx = context({ fn: { logFormat: 'CBOR' } });

    // Act
    const result = await coldStartsCheck(ctx, coldParams);

    // Assess
    expect(result.status).toBe('unknown');
    expect(result.summary).toBe(
      'cannot count cold starts: the function logs in the CBOR format, which the Logs Insights query does not read',
    );
  });

  it('is unknown, never ok, when the log group holds no report for invocations CloudWatch counted', async () => {
    // Prepare
    const ctx = context({
      current: { invocations: 4_200 },
      coldStarts: { current: { invocations: 0, coldStarts: 0, initAvgMs: undefined, initMaxMs: undefined } },
    });

    // Act
    const result = await coldStartsCheck(ctx, coldParams);

    // Assess
    expect(result.status).toBe('unknown');
    expect(result.reason).toBe(
      '/aws/lambda/orders-api holds no REPORT line or platform.report record for the 4,200 invocations CloudWatch counted',
    );
  });

  it('reports no traffic when the alias had no request', async () => {
    // Prepare
    const ctx = context({
      current: { invocations: 0, throttles: 0 },
      coldStarts: { current: { invocations: 0, coldStarts: 0, initAvgMs: undefined, initMaxMs: undefined } },
    });

    // Act
    const result = await coldStartsCheck(ctx, coldParams);

    // Assess
    expect(result.status).toBe('no-traffic');
  });
});

describe('downstream latency', () => {
  const params = checkParams['downstream-latency'].parse({
    thresholds: { p95Ms: { warn: 250, critical: 1000 }, slowdownRatio: { warn: 2, critical: 5 } },
  });
  const dynamo = (p95Ms: number, requests = 5000) => ({
    name: 'DynamoDB',
    type: 'AWS::DynamoDB::Table',
    requests,
    errors: 0,
    faults: 0,
    averageMs: p95Ms / 2,
    p95Ms,
  });

  it('is critical when a dependency got many times slower, and names it', async () => {
    // Prepare
    const ctx = context({ downstream: [dynamo(1400)], downstreamPrevious: [dynamo(18)] });

    // Act
    const result = await downstreamLatencyCheck(ctx, params);

    // Assess
    expect(result.status).toBe('critical');
    expect(result.summary).toBe('DynamoDB p95 1.4 s (prev. 18 ms)');
    expect(result.headline).toBe('DynamoDB is slow: p95 1.4 s (×78 vs the previous window)');
  });

  it('ignores a dependency with too few requests to compare', async () => {
    // Prepare
    const ctx = context({ downstream: [dynamo(900, 3)], downstreamPrevious: [dynamo(10, 3)] });

    // Act
    const result = await downstreamLatencyCheck(ctx, params);

    // Assess
    expect(result.status).toBe('ok');
  });
});

describe('downstream latency: what the traces can say', () => {
  const params = checkParams['downstream-latency'].parse({
    thresholds: { p95Ms: { warn: 250, critical: 1000 }, slowdownRatio: { warn: 2, critical: 5 } },
  });
  const dynamo = { name: 'DynamoDB', type: 'AWS::DynamoDB::Table', requests: 5000, errors: 0, faults: 0 };

  it('is unknown with the fix, and asks X-Ray nothing, when tracing is PassThrough', async () => {
    // Prepare
    const sources = fakeSources({ fn: { tracingMode: 'PassThrough' } });
    const ctx = checkContext(sources, { tracingMode: 'PassThrough' });

    // Act
    const result = await downstreamLatencyCheck(ctx, params);

    // Assess
    expect(result.status).toBe('unknown');
    expect(result.summary).toBe(
      'not traced: tracing of orders-api is PassThrough, so X-Ray holds no segments of its own; enable active tracing (TracingConfig Mode=Active)',
    );
    expect(sources.calls.get('getDownstream')).toBeUndefined();
  });

  it('says "partial" and still grades what it read of a partial graph', async () => {
    // Prepare
    const ctx = context({
      downstream: [{ ...dynamo, averageMs: 600, p95Ms: 1400 }],
      downstreamPrevious: [{ ...dynamo, averageMs: 9, p95Ms: 18 }],
      graph: { partial: 'only the first 5 pages of the service graph were read' },
    });

    // Act
    const result = await downstreamLatencyCheck(ctx, params);

    // Assess
    expect(result.status).toBe('critical');
    expect(result.summary).toBe(
      'DynamoDB p95 1.4 s (prev. 18 ms) · partial service graph: only the first 5 pages of the service graph were read',
    );
    expect(result.evidence.partialGraph).toBe('only the first 5 pages of the service graph were read');
  });

  it('is unknown, not "no downstream calls", when the function is not in the part of the graph read', async () => {
    // Prepare
    const ctx = context({
      downstream: [],
      graph: { functionFound: false, partial: 'only the first 5 pages of the service graph were read' },
    });

    // Act
    const result = await downstreamLatencyCheck(ctx, params);

    // Assess
    expect(result.status).toBe('unknown');
    expect(result.summary).toBe(
      'partial service graph: only the first 5 pages of the service graph were read, and orders-api is not in the part read',
    );
  });

  it('is unknown when a graph read in full has no node for a function that ran', async () => {
    // Prepare
    const ctx = context({ downstream: [], graph: { functionFound: false } });

    // Act
    const result = await downstreamLatencyCheck(ctx, params);

    // Assess
    expect(result.status).toBe('unknown');
    expect(result.reason).toBe('the service graph has no node for orders-api although it ran 10,000 times');
  });

  it('is ok for a traced function that called nothing downstream', async () => {
    // Prepare
    const ctx = context({ downstream: [] });

    // Act
    const result = await downstreamLatencyCheck(ctx, params);

    // Assess
    expect(result.status).toBe('ok');
    expect(result.summary).toBe('no downstream calls in the traces of this window');
  });

  it('reports no traffic when the alias had no request', async () => {
    // Prepare
    const ctx = context({ current: { invocations: 0, throttles: 0 }, downstream: [] });

    // Act
    const result = await downstreamLatencyCheck(ctx, params);

    // Assess
    expect(result.status).toBe('no-traffic');
  });
});

describe('error traces', () => {
  const params = checkParams['error-traces'].parse({ thresholds: { errorPercent: { warn: 1, critical: 10 } } });

  it('grades from metrics and explains with traces: top message and request IDs', async () => {
    // Prepare
    const ctx = context({
      current: { invocations: 10_000, errors: 600 },
      errorTraces: {
        tracesWithError: 0,
        tracesWithFault: 61,
        topMessages: [{ message: 'decode charge: unexpected EOF', count: 48 }],
        samples: [
          {
            traceId: '1-67e1a2b3-0123456789abcdef01234567',
            requestId: 'req-1',
            message: 'x',
            at: undefined,
            durationMs: 12,
          },
        ],
      },
    });

    // Act
    const result = await errorTracesCheck(ctx, params);

    // Assess
    expect(result.status).toBe('warn');
    expect(result.summary).toBe(
      '600 errors of 10,000 (6.0%) · top: "decode charge: unexpected EOF" ×48 · traces 1-67e1a2b3…',
    );
    expect(result.evidence.requestIds).toEqual(['req-1']);
    expect(result.links.map((l) => l.label)).toEqual(['traces', '1-67e1a2b3-0123456789abcdef01234567']);
  });

  it('is unknown with the fix, never ok, for a PassThrough function without errors', async () => {
    // Prepare
    const sources = fakeSources({ fn: { tracingMode: 'PassThrough' }, current: { errors: 0 } });
    const ctx = checkContext(sources, { tracingMode: 'PassThrough' });

    // Act
    const result = await errorTracesCheck(ctx, params);

    // Assess
    expect(result.status).toBe('unknown');
    expect(result.summary).toBe(
      'no errors · not traced: tracing of orders-api is PassThrough, so X-Ray holds no segments of its own; enable active tracing (TracingConfig Mode=Active)',
    );
    expect(result.reason).toMatch(/enable active tracing/);
    expect(sources.calls.get('getErrorTraces')).toBeUndefined();
  });

  it('keeps the error rate it measured for a PassThrough function, and says traces cannot explain it', async () => {
    // Prepare
    const ctx = context({ fn: { tracingMode: 'PassThrough' }, current: { invocations: 1000, errors: 200 } });

    // Act
    const result = await errorTracesCheck(ctx, params);

    // Assess
    expect(result.status).toBe('critical');
    expect(result.summary).toMatch(/^200 errors of 1,000 \(20%\) · not traced: tracing of orders-api is PassThrough/);
  });

  it('reports no traffic, never "no errors", when the alias had no request', async () => {
    // Prepare
    const ctx = context({ current: { invocations: 0, errors: 0, throttles: 0 } });

    // Act
    const result = await errorTracesCheck(ctx, params);

    // Assess
    expect(result.status).toBe('no-traffic');
    expect(result.summary).toBe('no invocations of live in the window');
  });

  it('keeps the metric verdict when traces are denied, and says why they are missing', async () => {
    // Prepare
    const ctx = context({
      current: { invocations: 1000, errors: 200 },
      fail: { getErrorTraces: new GofnError(ErrorCode.AccessDenied, 'X-Ray GetTraceSummaries was denied.') },
    });

    // Act
    const result = await errorTracesCheck(ctx, params);

    // Assess
    expect(result.status).toBe('critical');
    expect(result.summary).toContain('traces unavailable: X-Ray GetTraceSummaries was denied.');
  });
});

describe('dlq', () => {
  const params = checkParams.dlq.parse({ thresholds: { messages: { warn: 1, critical: 100 } } });

  it('finds the DLQ through the SQS event source redrive policy', async () => {
    // Prepare
    const ctx = context({
      sqsSource: {
        sourceArn: 'arn:aws:sqs:us-east-1:123456789012:orders',
        dlqArn: 'arn:aws:sqs:us-east-1:123456789012:orders-dlq',
      },
      dlqDepth: { visible: 1240 },
    });

    // Act
    const result = await dlqCheck(ctx, params);

    // Assess
    expect(result.status).toBe('critical');
    expect(result.summary).toBe('1,240 messages in orders-dlq');
    expect(result.hints?.replayDlq).toMatchObject({ queueName: 'orders-dlq', messages: 1240, kind: 'sqs-source' });
  });

  it('uses the async-invoke dead-letter config when there is no event source', async () => {
    // Prepare
    const ctx = context({ fn: { deadLetterTargetArn: 'arn:aws:sqs:us-east-1:123456789012:api-dlq' } });

    // Act
    const result = await dlqCheck(ctx, params);

    // Assess
    expect(result.status).toBe('ok');
    expect(result.summary).toBe('api-dlq empty');
    expect(result.evidence.kind).toBe('dead-letter-config');
  });

  it('finds the DLQ of an SQS source whose mapping is bound to the alias', async () => {
    // Prepare
    const ctx = context({
      sqsSource: {
        sourceArn: 'arn:aws:sqs:us-east-1:123456789012:orders',
        dlqArn: 'arn:aws:sqs:us-east-1:123456789012:orders-dlq',
        qualifier: 'live',
      },
      dlqDepth: { visible: 14 },
    });

    // Act
    const result = await dlqCheck(ctx, params);

    // Assess
    expect(result.status).toBe('warn');
    expect(result.summary).toBe('14 messages in orders-dlq');
    expect(result.evidence).toMatchObject({ kind: 'sqs-source', boundTo: 'live', sourceQueueArn: expect.any(String) });
    expect(result.hints?.replayDlq).toMatchObject({ queueName: 'orders-dlq', messages: 14, kind: 'sqs-source' });
  });

  it('names an OnFailure destination queue, whose messages are invocation records', async () => {
    // Prepare
    const ctx = context({ onFailure: 'arn:aws:sqs:us-east-1:123456789012:api-failures', dlqDepth: { visible: 3 } });

    // Act
    const result = await dlqCheck(ctx, params);

    // Assess
    expect(result.status).toBe('warn');
    expect(result.summary).toBe('3 messages in api-failures (OnFailure destination)');
    expect(result.hints?.replayDlq).toMatchObject({ queueName: 'api-failures', kind: 'on-failure' });
  });

  it.each([
    ['arn:aws:sns:us-east-1:123456789012:api-failures', 'SNS topic api-failures', /a topic keeps no messages/],
    [
      'arn:aws:events:us-east-1:123456789012:event-bus/api-failures',
      'EventBridge bus api-failures',
      /a bus keeps no events/,
    ],
    ['arn:aws:s3:::api-failures-bucket', 'S3 bucket api-failures-bucket', /counts and replays SQS queues only/],
    [
      'arn:aws:lambda:us-east-1:123456789012:function:api-failure-handler',
      'Lambda function api-failure-handler',
      /receives each record as its event/,
    ],
  ])('says it cannot read an OnFailure destination %s, and why', async (arn, description, why) => {
    // Prepare
    const ctx = context({ onFailure: arn });

    // Act
    const result = await dlqCheck(ctx, params);

    // Assess
    expect(result.status).toBe('unknown');
    expect(result.summary).toBe(`failed events go to ${description} (OnFailure destination), which gofn cannot read`);
    expect(result.reason).toMatch(why);
    expect(result.hints).toBeUndefined();
  });

  it('prefers an SQS OnFailure destination to an SNS dead-letter topic', async () => {
    // Prepare
    const ctx = context({
      fn: { deadLetterTargetArn: 'arn:aws:sns:us-east-1:123456789012:api-dead-letters' },
      onFailure: 'arn:aws:sqs:us-east-1:123456789012:api-failures',
    });

    // Act
    const result = await dlqCheck(ctx, params);

    // Assess
    expect(result.summary).toBe('api-failures (OnFailure destination) empty');
  });

  it('is ok and says so when no DLQ is configured', async () => {
    // Act
    const result = await dlqCheck(context(), params);

    // Assess
    expect(result.summary).toBe('no dead-letter queue configured');
  });
});
