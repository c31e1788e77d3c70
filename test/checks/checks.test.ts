import { Evidence } from '../../src/checks/evidence';
import { checkParams } from '../../src/checks/params';
import { coldStartsCheck } from '../../src/checks/cold-starts';
import { dlqCheck } from '../../src/checks/dlq';
import { downstreamLatencyCheck } from '../../src/checks/downstream-latency';
import { errorTracesCheck } from '../../src/checks/error-traces';
import { throttlesCheck } from '../../src/checks/throttles';
import type { CheckContext } from '../../src/checks/types';
import { ErrorCode, GofnError } from '../../src/errors';
import { windowsEndingAt } from '../../src/runbook/window';
import { fakeFunction, fakeSources, NOW, type FakeData } from '../support/fake-sources';

function context(data: Partial<FakeData> = {}): CheckContext {
  const sources = fakeSources(data);
  const fn = fakeFunction(data.fn);
  const { window, previous } = windowsEndingAt(NOW, 3_600_000);
  const evidence = new Evidence({
    sources,
    fn,
    window,
    previous,
    signal: new AbortController().signal,
    errorSampleSize: 5,
    deployLookbackMs: 86_400_000,
  });
  return { fn, window, previous, evidence, now: NOW };
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
    const ctx = context({ fn: { reservedConcurrency: 150 }, current: { throttles: 0, peakConcurrency: 129 } });

    // Act
    const result = await throttlesCheck(ctx, throttleParams);

    // Assess
    expect(result.status).toBe('warn');
    expect(result.summary).toMatch(/^no throttles yet · peak concurrency 129 of 150 reserved \(86%\)/);
  });

  it('says plainly "no throttles" when nothing is wrong', async () => {
    // Prepare
    const ctx = context({ fn: { reservedConcurrency: 150 }, current: { throttles: 0, peakConcurrency: 20 } });

    // Act
    const result = await throttlesCheck(ctx, throttleParams);

    // Assess
    expect(result.status).toBe('ok');
    expect(result.summary).toBe('no throttles · peak concurrency 20 of 150 reserved (13%)');
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
