import { ErrorCode, GofnError } from '../../src/errors';
import { createSimulatedControl } from '../../src/sim/control';
import { createSimulatedSources } from '../../src/sim/backend';
import { functionText, HOUR, loadTexts, NOW, scenarioText, windows } from './helpers';

/**
 * What the simulation serves the next checks: memory and crashes from the Logs Insights query,
 * queue, stream and API metrics and a runbook's own metrics in the one GetMetricData, the
 * mapping's state and its changes, GOMEMLIMIT, and a function without aliases.
 */

const crashing = functionText({
  name: 'crashy',
  extra: ['    memoryMb: 256', '    environment: { GOMEMLIMIT: 230MiB, SECRET_TOKEN: s3cr3t }'].join('\n'),
  metrics: [
    '      baseline:',
    '        invocations: 100',
    '        duration: { p50: 50, p95: 100, p99: 200 }',
    '        memoryUsed: { avg: 120, max: 250 }',
    '        outOfMemory: 2',
    '        panics: 1%',
    "        panic: { message: 'index out of range [3] with length 3', frame: 'parse (svc/parse.go:12)' }",
    '        timeouts: 0.5',
  ].join('\n'),
});

describe('memory and crashes from the one query', () => {
  it('counts kills, panics and timeouts with three request IDs each, the same in every window holding the minute', async () => {
    // Prepare
    const sources = createSimulatedSources(await loadTexts([scenarioText({ functions: crashing })]));
    const { window, previous } = windows(HOUR);
    const shorter = windows(30 * 60_000);

    // Act
    const hour = await sources.logs.getInvocationLogs({ logGroup: '/aws/lambda/crashy', window, previous });
    const half = await sources.logs.getInvocationLogs({ logGroup: '/aws/lambda/crashy', ...shorter });

    // Assess
    expect(hour.crashes.outOfMemory.count).toBe(120);
    expect(hour.crashes.panics.count).toBe(60);
    // Half an invocation a minute: dithered to whole ones, about 30 in the hour.
    expect(hour.crashes.timeouts.count).toBeGreaterThanOrEqual(20);
    expect(hour.crashes.timeouts.count).toBeLessThanOrEqual(40);
    expect(hour.crashes.outOfMemory.requestIds).toHaveLength(3);
    expect(hour.crashes.outOfMemory.requestIds[0]).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(half.crashes.outOfMemory.requestIds).toEqual(hour.crashes.outOfMemory.requestIds);
    expect(hour.crashes.panics).toMatchObject({
      message: 'index out of range [3] with length 3',
      topFrame: 'parse (svc/parse.go:12)',
    });
    expect(hour.memory).toEqual({
      reports: 6000,
      maxMemoryUsedMB: 250,
      avgMemoryUsedMB: expect.closeTo(120, 0),
      memorySizeMB: 256,
    });
  });

  it('reads GOMEMLIMIT as a number and keeps no other variable', async () => {
    // Prepare
    const sources = createSimulatedSources(await loadTexts([scenarioText({ functions: crashing })]));

    // Act
    const fn = await sources.functions.getFunction('crashy', 'live');

    // Assess
    expect(fn.goMemLimit).toEqual({ state: 'set', bytes: 230 * 1024 * 1024 });
    expect(JSON.stringify(fn)).not.toContain('s3cr3t');
  });
});

describe('metrics of other namespaces', () => {
  const consumer = functionText({
    name: 'consumer',
    extra: [
      '    reservedConcurrency: 5',
      '    eventSource: { queue: jobs, messages: 900, oldestMessageAgeSeconds: 1200, maximumConcurrency: 20 }',
      '    streamSource: { service: dynamodb, name: orders, iteratorAgeMs: 90000 }',
      '    api: { type: http, name: a1b2c3, stage: live, errors5xx: 2%, latencyP99Ms: 900, integrationLatencyP99Ms: 400 }',
      '    customMetrics:',
      '      - { namespace: Acme/Billing, metricName: Backlog, dimensions: { Service: consumer }, value: 42, previous: 7 }',
    ].join('\n'),
  });

  it('answers queue, stream, API and custom metrics in the one GetMetricData', async () => {
    // Prepare
    const sources = createSimulatedSources(await loadTexts([scenarioText({ functions: consumer })]));
    const { window, previous } = windows(HOUR);
    const dims = (pairs: Record<string, string>) => Object.entries(pairs).map(([name, value]) => ({ name, value }));

    // Act
    const metrics = await sources.metrics.getFunctionMetrics({
      functionName: 'consumer',
      alias: 'live',
      window,
      previous,
      extra: [
        {
          id: 'age',
          namespace: 'AWS/SQS',
          metricName: 'ApproximateAgeOfOldestMessage',
          dimensions: dims({ QueueName: 'jobs' }),
          stat: 'Maximum',
        },
        {
          id: 'visible',
          namespace: 'AWS/SQS',
          metricName: 'ApproximateNumberOfMessagesVisible',
          dimensions: dims({ QueueName: 'jobs' }),
          stat: 'Maximum',
        },
        {
          id: 'iterator',
          namespace: 'AWS/Lambda',
          metricName: 'IteratorAge',
          dimensions: dims({ FunctionName: 'consumer' }),
          stat: 'Maximum',
        },
        {
          id: 'count',
          namespace: 'AWS/ApiGateway',
          metricName: 'Count',
          dimensions: dims({ ApiId: 'a1b2c3', Stage: 'live' }),
          stat: 'Sum',
        },
        {
          id: '5xx',
          namespace: 'AWS/ApiGateway',
          metricName: '5xx',
          dimensions: dims({ ApiId: 'a1b2c3', Stage: 'live' }),
          stat: 'Sum',
        },
        {
          id: 'other-stage',
          namespace: 'AWS/ApiGateway',
          metricName: 'Count',
          dimensions: dims({ ApiId: 'a1b2c3', Stage: 'beta' }),
          stat: 'Sum',
        },
        {
          id: 'custom',
          namespace: 'Acme/Billing',
          metricName: 'Backlog',
          dimensions: dims({ Service: 'consumer' }),
          stat: 'Maximum',
        },
        { id: 'unknown', namespace: 'Acme/Other', metricName: 'Nothing', dimensions: [], stat: 'Sum' },
      ],
    });

    // Assess
    expect(metrics.extra.age?.latest).toBe(1200);
    expect(metrics.extra.visible?.latest).toBe(900);
    expect(metrics.extra.iterator?.current).toBe(90_000);
    expect(metrics.extra.count?.current).toBe(6000);
    expect(metrics.extra['5xx']?.current).toBeCloseTo(120, 0);
    expect(metrics.extra['other-stage']?.current).toBeUndefined();
    expect(metrics.extra.custom).toMatchObject({ current: 42, previous: 7 });
    expect(metrics.extra.unknown).toEqual({ current: undefined, previous: undefined, latest: undefined, served: true });
  });

  it('tags a function with an API with gofn:api, lists its stream mapping, and changes a mapping as Lambda would', async () => {
    // Prepare
    const fleet = await loadTexts([scenarioText({ functions: consumer })]);
    const sources = createSimulatedSources(fleet);
    const control = createSimulatedControl(fleet);
    const fn = await sources.functions.getFunction('consumer', 'live');
    const mappings = await sources.functions.listEventSources({
      functionName: 'consumer',
      functionArn: fn.arn,
      qualifiers: ['live', '2'],
    });
    const sqs = mappings.find((m) => m.service === 'sqs')!;
    const stream = mappings.find((m) => m.service === 'dynamodb')!;

    // Act
    const capped = await control.lambda.updateEventSourceMapping(sqs.uuid, { maximumConcurrency: 5 });
    const off = await control.lambda.updateEventSourceMapping(stream.uuid, { enabled: false });
    const refused = await control.lambda
      .updateEventSourceMapping(stream.uuid, { maximumConcurrency: 5 })
      .catch((e: unknown) => e);

    // Assess
    expect(fn.tags['gofn:api']).toBe('http/a1b2c3/live');
    expect(stream.sourceArn).toBe(
      'arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000',
    );
    expect(sqs.maximumConcurrency).toBe(20);
    expect(capped.maximumConcurrency).toBe(5);
    expect(off).toMatchObject({ state: 'Disabled', stateTransitionReason: 'USER_INITIATED' });
    expect(refused).toBeInstanceOf(GofnError);
    expect((refused as GofnError).code).toBe(ErrorCode.Upstream);
    expect((await control.lambda.getEventSourceMapping(stream.uuid)).state).toBe('Disabled');
  });
});

describe('a function without aliases', () => {
  it('is served as $LATEST, modified when its newest version was published, with no alias listed', async () => {
    // Prepare
    const text = functionText({ name: 'lonely' }).replace('    aliases: { live: 2 }', '    aliases: {}');
    const sources = createSimulatedSources(await loadTexts([scenarioText({ functions: text })]));

    // Act
    const aliases = await sources.functions.listAliases('lonely');
    const latest = await sources.functions.getFunction('lonely', '$LATEST');
    const missing = await sources.functions.getFunction('lonely', 'live').catch((e: unknown) => e);

    // Assess
    expect(aliases).toEqual([]);
    expect(latest).toMatchObject({ alias: '$LATEST', version: '$LATEST', routing: {} });
    expect(latest.versionModifiedAt).toEqual(new Date(NOW.getTime() - 2 * 86_400_000));
    expect((missing as GofnError).code).toBe(ErrorCode.NotFound);
  });
});
