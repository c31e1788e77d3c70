import { CallLedger, countCalls } from '../../src/calls';
import { ErrorCode, GofnError } from '../../src/errors';
import type { Sources } from '../../src/ports';
import { createSimulatedSources } from '../../src/sim/backend';
import type { SimulatedFleet } from '../../src/sim/fleet';
import { functionText, HOUR, loadTexts, NOW, scenarioText, windows } from './helpers';

const worker = functionText({
  name: 'worker',
  extra: [
    '    reservedConcurrency: 40',
    '    onFailure: { queue: worker-failures }',
    '    eventSource:',
    '      queue: jobs',
    '      messages: 7',
    '      maxReceiveCount: 3',
    '      deadLetter: { queue: jobs-dlq, messages: 12, inFlight: 2, samples: ["{\\"job\\":1}", "{\\"job\\":2}"] }',
    '    codeDeploy:',
    '      application: worker',
    '      group: live',
    '      deployments:',
    '        - { id: d-AAAAAAAAA, status: Succeeded, created: -2d, completed: -2d, currentVersion: 1, targetVersion: 2 }',
    '        - { status: Failed, created: -30m, completed: -25m, currentVersion: 2, targetVersion: 3 }',
  ].join('\n'),
}).replace(
  '      - { version: 2, publishedAt: -2d }',
  '      - { version: 2, publishedAt: -2d }\n      - { version: 3, publishedAt: -31m }',
);
const api = functionText({ name: 'api', extra: '    faults: { traces: AccessDenied, logs: Timeout }' }).replace(
  'aliases: { live: 2 }',
  'aliases: { live: { version: 1, routing: { "2": 0.1 } }, canary: 1 }',
);
const fleetText = scenarioText({ header: 'accountConcurrencyLimit: 500', functions: `${worker}\n${api}` });

async function setUp(
  latencyMs?: Partial<Record<string, number>>,
): Promise<{ fleet: SimulatedFleet; sources: Sources }> {
  const fleet = await loadTexts([fleetText]);
  return { fleet, sources: createSimulatedSources(fleet, latencyMs ? { latencyMs } : {}) };
}

async function callsOf(work: () => Promise<unknown>): Promise<Record<string, number>> {
  const ledger = new CallLedger();
  await countCalls(ledger, async () => {
    await work();
  });
  return ledger.snapshot();
}

describe('functions port', () => {
  it('describes the function through its alias', async () => {
    // Prepare
    const { sources } = await setUp();

    // Act
    const fn = await sources.functions.getFunction('api', 'live');

    // Assess
    expect(fn).toMatchObject({
      name: 'api',
      arn: 'arn:aws:lambda:us-east-1:123456789012:function:api',
      region: 'us-east-1',
      accountId: '123456789012',
      alias: 'live',
      // FunctionVersion is the stable version; the routed one is the canary.
      version: '1',
      versionModifiedAt: new Date(NOW.getTime() - 3 * 24 * HOUR),
      routing: { '2': 0.1 },
      runtime: 'provided.al2023',
      architectures: ['arm64'],
      logGroup: '/aws/lambda/api',
      logFormat: 'Text',
      systemLogLevel: undefined,
      tracingMode: 'Active',
      tags: { 'gofn:managed': 'true' },
    });
    expect(await sources.functions.getReservedConcurrency('api')).toBeUndefined();
  });

  it('rejects an unknown function and a missing alias with NotFound sentences', async () => {
    // Prepare
    const { sources } = await setUp();

    // Act
    const noFunction = await sources.functions.getFunction('ordrs-api', 'live').catch((e: unknown) => e);
    const noAlias = await sources.functions.getFunction('api', 'blue').catch((e: unknown) => e);
    const noSources = await sources.functions
      .listEventSources({
        functionName: 'ordrs-api',
        functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:ordrs-api',
        qualifiers: [],
      })
      .catch((e: unknown) => e);

    // Assess
    expect(noFunction).toEqual(expect.objectContaining({ code: ErrorCode.NotFound }));
    expect((noFunction as GofnError).message).toBe('No function "ordrs-api" in us-east-1 (account 123456789012).');
    expect((noAlias as GofnError).code).toBe(ErrorCode.NotFound);
    expect((noAlias as GofnError).message).toBe('Function api has no alias "blue" (its aliases: canary, live).');
    expect((noSources as GofnError).code).toBe(ErrorCode.NotFound);
  });

  it('lists names, versions newest first, event sources, async destinations and account concurrency', async () => {
    // Prepare
    const { sources } = await setUp();

    // Act
    const names = await sources.functions.listFunctionNames();
    const versions = await sources.functions.listVersions('worker');
    const eventSources = await sources.functions.listEventSources({
      functionName: 'worker',
      functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:worker',
      qualifiers: [],
    });
    const destination = await sources.functions.getAsyncFailureDestination('worker', 'live');
    const account = await sources.functions.getAccountConcurrency();

    // Assess
    expect(names).toEqual(['api', 'worker']);
    expect(versions.map((v) => v.version)).toEqual(['3', '2', '1']);
    expect(eventSources).toEqual([
      expect.objectContaining({
        sourceArn: 'arn:aws:sqs:us-east-1:123456789012:jobs',
        service: 'sqs',
        state: 'Enabled',
        qualifier: undefined,
      }),
    ]);
    expect(destination).toBe('arn:aws:sqs:us-east-1:123456789012:worker-failures');
    expect(account).toEqual({ limit: 500, unreserved: 460 });
  });

  it('pages managed functions 100 at a time, one GetResources each', async () => {
    // Prepare
    const many = Array.from({ length: 250 }, (_, i) => functionText({ name: `fn-${i}` })).join('\n');
    const sources = createSimulatedSources(await loadTexts([scenarioText({ functions: many })]));
    const pages: number[] = [];

    // Act
    const calls = await callsOf(async () => {
      for await (const page of sources.functions.managedFunctionPages()) pages.push(page.length);
    });
    const fleetCalls = await callsOf(() =>
      sources.metrics.getFleetMetrics(
        Array.from({ length: 250 }, (_, i) => ({ functionName: `fn-${i}`, alias: 'live', deadLetterQueue: undefined })),
        windows(HOUR).window,
      ),
    );

    // Assess
    expect(pages).toEqual([100, 100, 50]);
    expect(calls).toEqual({ 'ResourceGroupsTaggingAPI:GetResources': 3 });
    expect(fleetCalls).toEqual({ 'CloudWatch:GetMetricData': 3 }); // 5 queries a function, 500 a request
  });
});

describe('requests are recorded under the names the AWS adapters send', () => {
  it('counts what each port method costs', async () => {
    // Prepare
    const { sources } = await setUp();
    const { window, previous } = windows(HOUR);
    const dlqArn = 'arn:aws:sqs:us-east-1:123456789012:jobs-dlq';

    // Act
    const calls = {
      getFunction: await callsOf(() => sources.functions.getFunction('worker', 'live')),
      metrics: await callsOf(() =>
        sources.metrics.getFunctionMetrics({ functionName: 'worker', alias: 'live', window, previous }),
      ),
      coldStarts: await callsOf(() => sources.logs.getColdStarts({ logGroup: '/aws/lambda/worker', window, previous })),
      downstream: await callsOf(() => sources.traces.getDownstream({ functionName: 'worker', window })),
      deploys: await callsOf(() =>
        sources.deploys.listRecentDeployments({ application: 'worker', group: 'live' }, new Date(NOW.getTime() - HOUR)),
      ),
      queues: await callsOf(async () => {
        await sources.queues.getRedriveTarget('arn:aws:sqs:us-east-1:123456789012:jobs');
        await sources.queues.getDepth(dlqArn);
      }),
      asyncDestination: await callsOf(() => sources.functions.getAsyncFailureDestination('worker', 'live')),
      eventSources: await callsOf(() =>
        sources.functions.listEventSources({
          ...{
            functionName: 'worker',
            functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:worker',
            qualifiers: [],
          },
          qualifiers: ['live', '2'],
        }),
      ),
      account: await callsOf(() => sources.functions.getAccountConcurrency()),
    };

    // Assess
    expect(calls).toEqual({
      getFunction: { 'Lambda:GetAlias': 1, 'Lambda:GetFunction': 1 },
      metrics: { 'CloudWatch:GetMetricData': 1 },
      coldStarts: { 'CloudWatchLogs:GetQueryResults': 2, 'CloudWatchLogs:StartQuery': 1 },
      downstream: { 'XRay:GetServiceGraph': 1 },
      deploys: { 'CodeDeploy:BatchGetDeployments': 1, 'CodeDeploy:ListDeployments': 1 },
      queues: { 'SQS:GetQueueAttributes': 2 },
      asyncDestination: { 'Lambda:GetFunctionEventInvokeConfig': 1 },
      // The function, its alias and the version behind it: a mapping is listed under what it is bound to.
      eventSources: { 'Lambda:ListEventSourceMappings': 3 },
      account: { 'Lambda:GetAccountSettings': 1 },
    });
  });
});

describe('deployments and queues', () => {
  it('lists deployments created since a time, newest first, and NotFound for an unknown group', async () => {
    // Prepare
    const { sources } = await setUp();

    // Act
    const recent = await sources.deploys.listRecentDeployments(
      { application: 'worker', group: 'live' },
      new Date(NOW.getTime() - 3 * 24 * HOUR),
    );
    const unknown = await sources.deploys
      .listRecentDeployments({ application: 'worker', group: 'blue' }, NOW)
      .catch((e: unknown) => e);

    // Assess
    const targets = await Promise.all(recent.map((d) => sources.deploys.getLambdaTarget(d.id, 'worker')));
    expect(recent.map((d) => d.status)).toEqual(['Failed', 'Succeeded']);
    expect(targets.map((t) => [t?.functionName, t?.alias, t?.currentVersion, t?.targetVersion])).toEqual([
      ['worker', 'live', '2', '3'],
      ['worker', 'live', '1', '2'],
    ]);
    expect(recent[0]?.id).toMatch(/^d-[A-Z0-9]{9}$/);
    expect(recent[1]).toMatchObject({ id: 'd-AAAAAAAAA', configName: 'CodeDeployDefault.LambdaAllAtOnce' });
    expect((unknown as GofnError).code).toBe(ErrorCode.NotFound);
  });

  it('reports redrive policies and depths, and NotFound for an unknown queue', async () => {
    // Prepare
    const { sources } = await setUp();
    const arn = (name: string) => `arn:aws:sqs:us-east-1:123456789012:${name}`;

    // Act
    const redrive = await sources.queues.getRedriveTarget(arn('jobs'));
    const noRedrive = await sources.queues.getRedriveTarget(arn('jobs-dlq'));
    const depth = await sources.queues.getDepth(arn('jobs-dlq'));
    const unknown = await sources.queues.getDepth(arn('nope')).catch((e: unknown) => e);

    // Assess
    expect(redrive).toEqual({ deadLetterArn: arn('jobs-dlq'), maxReceiveCount: 3, fifo: false });
    expect(noRedrive).toBeUndefined();
    expect(depth).toEqual({ arn: arn('jobs-dlq'), name: 'jobs-dlq', visible: 12, inFlight: 2, fifo: false });
    expect((unknown as GofnError).code).toBe(ErrorCode.NotFound);
  });
});

describe('latency, deadlines and injected faults', () => {
  it('waits the configured latency per request, most specific key first', async () => {
    // Prepare
    const { sources } = await setUp({ 'Lambda:GetFunction': 120, Lambda: 5, '*': 10_000 });

    // Act
    const started = performance.now();
    await sources.functions.getFunction('worker', 'live'); // GetFunction: 120 ms, not Lambda's 5 or the 10 s default
    const elapsed = performance.now() - started;

    // Assess
    expect(elapsed).toBeGreaterThanOrEqual(110);
    expect(elapsed).toBeLessThan(5000);
  });

  it('rejects with Timeout as soon as the signal aborts, and stops a running Logs query', async () => {
    // Prepare
    const { sources } = await setUp({ 'CloudWatchLogs:GetQueryResults': 5000 });
    const deadline = new AbortController();
    const { window, previous } = windows(HOUR);
    setTimeout(() => deadline.abort(), 50);
    const ledger = new CallLedger();

    // Act
    const started = performance.now();
    const error = await countCalls(ledger, () =>
      sources.logs.getColdStarts({ logGroup: '/aws/lambda/worker', window, previous }, { signal: deadline.signal }),
    ).catch((e: unknown) => e);

    // Assess
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error).toBeInstanceOf(GofnError);
    expect((error as GofnError).code).toBe(ErrorCode.Timeout);
    expect(ledger.snapshot()).toEqual({
      'CloudWatchLogs:GetQueryResults': 1,
      'CloudWatchLogs:StartQuery': 1,
      'CloudWatchLogs:StopQuery': 1,
    });
  });

  it('sends nothing when the signal has already fired', async () => {
    // Prepare
    const { sources } = await setUp();
    const signal = AbortSignal.abort();

    // Act
    let error: unknown;
    const calls = await callsOf(async () => {
      error = await sources.functions.getAccountConcurrency({ signal }).catch((e: unknown) => e);
    });

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.Timeout);
    expect(calls).toEqual({});
  });

  it('fails the sources a scenario marks as faulty, for that function only', async () => {
    // Prepare
    const { sources } = await setUp();
    const { window } = windows(HOUR);

    // Act
    const denied = await sources.traces.getDownstream({ functionName: 'api', window }).catch((e: unknown) => e);
    const fine = await sources.traces.getDownstream({ functionName: 'worker', window });

    // Assess
    expect((denied as GofnError).code).toBe(ErrorCode.AccessDenied);
    expect((denied as GofnError).message).toMatch(
      /^X-Ray denied GetServiceGraph on the traces of api \(a fault injected by scenario .*scenario-0\.yaml\)\.$/,
    );
    expect(fine).toEqual({ services: [], functionFound: true, partial: undefined });
  });

  it('makes a Timeout fault hang until the deadline', async () => {
    // Prepare
    const { sources } = await setUp();
    const { window, previous } = windows(HOUR);
    const deadline = new AbortController();
    setTimeout(() => deadline.abort(), 30);

    // Act
    const started = performance.now();
    const error = await sources.logs
      .getColdStarts({ logGroup: '/aws/lambda/api', window, previous }, { signal: deadline.signal })
      .catch((e: unknown) => e);

    // Assess
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    expect((error as GofnError).code).toBe(ErrorCode.Timeout);
  });
});

describe('changing the fleet', () => {
  it('moves an alias, reserves concurrency and moves DLQ messages, and the ports see it', async () => {
    // Prepare
    const { fleet, sources } = await setUp();
    const arn = (name: string) => `arn:aws:sqs:us-east-1:123456789012:${name}`;

    // Act
    fleet.setAlias('worker', 'live', '3');
    fleet.setReservedConcurrency('worker', 100);
    const moved = fleet.moveMessages(arn('jobs-dlq'), arn('jobs'), 10);
    const tooMuch = (() => {
      try {
        fleet.setReservedConcurrency('api', 350);
      } catch (error) {
        return error;
      }
    })();

    // Assess
    expect(await sources.functions.getFunction('worker', 'live')).toMatchObject({ version: '3' });
    expect(await sources.functions.getReservedConcurrency('worker')).toBe(100);
    expect(fleet.findFunction('worker')?.aliases.get('live')?.revision).toBe(2);
    expect(moved).toBe(10);
    expect(await sources.queues.getDepth(arn('jobs-dlq'))).toMatchObject({ visible: 2 });
    expect(await sources.queues.getDepth(arn('jobs'))).toMatchObject({ visible: 17 });
    expect(fleet.findQueue(arn('jobs'))?.samples).toEqual(['{"job":1}', '{"job":2}']);
    expect((tooMuch as GofnError).code).toBe(ErrorCode.Conflict);
    expect(await sources.functions.getAccountConcurrency()).toEqual({ limit: 500, unreserved: 400 });
  });

  it('refuses an alias move to a version that does not exist', async () => {
    // Prepare
    const { fleet } = await setUp();

    // Act
    const move = () => fleet.setAlias('worker', 'live', '9');

    // Assess
    expect(move).toThrow('Function worker has no published version 9.');
  });
});
