import { ErrorCode, GofnError } from '../../src/errors';
import { diagnose } from '../../src/runbook/engine';
import { loadRunbook } from '../../src/runbook/loader';
import type { Runbook } from '../../src/runbook/schema';
import { fakeSources, NOW, type FakeData } from '../support/fake-sources';

const HOUR = 3_600_000;
let runbook: Runbook;

beforeAll(async () => {
  runbook = await loadRunbook();
});

function run(data: Partial<FakeData>, extra: { deadlineMs?: number } = {}) {
  const sources = fakeSources(data);
  const report = diagnose({
    sources,
    runbook,
    functionName: 'orders-api',
    windowMs: HOUR,
    now: NOW,
    deadlineMs: extra.deadlineMs ?? 5000,
  });
  return { sources, report };
}

describe('diagnose', () => {
  it('reports a healthy function as ok with no primary cause and every step in runbook order', async () => {
    // Act
    const { report } = run({});
    const result = await report;

    // Assess
    expect(result.status).toBe('ok');
    expect(result.primaryCause).toBeNull();
    expect(result.steps.map((s) => s.id)).toEqual([
      'throttles',
      'cold-starts',
      'downstream-latency',
      'error-traces',
      'recent-deploy',
      'dlq',
      'profile',
    ]);
    expect(result.steps.every((s) => s.actions.length === 0)).toBe(true);
    expect(result.verdict).toContain('No step of the runbook found a problem');
  });

  it('names throttles as the cause when reserved concurrency is saturated, and offers to raise it within the headroom', async () => {
    // Prepare
    const since = new Date('2026-11-26T14:22:00Z');
    const { report } = run({
      current: { invocations: 18_240, throttles: 412, peakConcurrency: 100 },
      throttleSeries: [
        { at: new Date('2026-11-26T14:21:00Z'), value: 0 },
        { at: since, value: 3 },
      ],
      unreserved: 750,
    });

    // Act
    const result = await report;

    // Assess
    const throttles = result.steps.find((s) => s.id === 'throttles')!;
    expect(result.status).toBe('critical');
    expect(result.primaryCause).toBe('throttles');
    expect(throttles.summary).toBe(
      '412 throttled of 18,652 (2.2%) · peak concurrency 100 of 100 reserved (100%) · account headroom 650 · since 14:22',
    );
    expect(result.verdict).toMatch(/^Throttles: reserved concurrency 100 is saturated since 14:22\./);
    expect(throttles.actions).toEqual([
      expect.objectContaining({
        kind: 'raise-concurrency',
        command: 'gofn concurrency orders-api 200',
        label: 'Raise concurrency 100 → 200',
      }),
    ]);
    expect(throttles.recommendation).toContain('Raise reserved concurrency');
  });

  it('fetches metrics once although three steps read them', async () => {
    // Prepare
    const { sources, report } = run({
      current: { errors: 500 },
      fn: { versionModifiedAt: new Date(NOW.getTime() - 20 * 60_000) },
    });

    // Act
    await report;

    // Assess
    expect(sources.calls.get('getFunctionMetrics')).toBe(1);
    expect(sources.calls.get('getFunction')).toBe(1);
  });

  it('marks a step unknown with the reason when its source is denied, and still reports the rest', async () => {
    // Prepare
    const denied = new GofnError(ErrorCode.AccessDenied, 'X-Ray GetServiceGraph was denied: not authorized.');

    // Act
    const result = await run({ fail: { getDownstream: denied }, current: { errors: 2000 } }).report;

    // Assess
    const downstream = result.steps.find((s) => s.id === 'downstream-latency')!;
    expect(downstream.status).toBe('unknown');
    expect(downstream.reason).toBe('X-Ray GetServiceGraph was denied: not authorized.');
    expect(result.status).toBe('critical');
    expect(result.primaryCause).toBe('error-traces');
  });

  it('stops waiting at the deadline: the hanging step is unknown and the report says what is missing', async () => {
    // Act
    const result = await run({ fail: { getColdStarts: 'hang' } }, { deadlineMs: 200 }).report;

    // Assess
    const coldStarts = result.steps.find((s) => s.id === 'cold-starts')!;
    expect(coldStarts.status).toBe('unknown');
    expect(coldStarts.reason).toBe('no answer within the 0.2 s deadline');
    expect(result.incomplete).toBe('no answer before the deadline from: cold starts');
    expect(result.steps.find((s) => s.id === 'throttles')!.status).toBe('ok');
  });

  it('is unknown overall when no step could be checked', async () => {
    // Prepare
    const denied = new GofnError(ErrorCode.AccessDenied, 'denied.');
    const fail = Object.fromEntries(
      ['getFunctionMetrics', 'getColdStarts', 'getDownstream', 'listRecentDeployments', 'listEventSources'].map((k) => [
        k,
        denied,
      ]),
    );

    // Act
    const result = await run({ fail, fn: { versionModifiedAt: undefined } }).report;

    // Assess
    expect(result.status).toBe('unknown');
    expect(result.primaryCause).toBeNull();
    expect(result.verdict).toMatch(/^gofn could not check orders-api/);
  });

  it('throws NotFound for a missing function instead of reporting on nothing', async () => {
    // Act
    const result = diagnose({
      sources: fakeSources(),
      runbook,
      functionName: 'ordrs-api',
      windowMs: HOUR,
      now: NOW,
      deadlineMs: 1000,
    });

    // Assess
    await expect(result).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });

  it('picks the first step in runbook order among those at the worst status', async () => {
    // Prepare: recent deploy and DLQ are both critical; recent deploy comes first in the runbook.
    const minuteAt = (minutesAgo: number) => new Date(Math.floor(NOW.getTime() / 60_000 - minutesAgo) * 60_000);
    const minutes = Array.from({ length: 120 }, (_, i) => minuteAt(120 - i));
    const result = await run({
      fn: { versionModifiedAt: minuteAt(22) },
      current: { errors: 600, invocations: 10_000 },
      previous: { errors: 10, invocations: 10_000 },
      // 0.1% errors until the version went live 22 minutes ago, 6% since.
      timeline: {
        invocations: minutes.map((at) => ({ at, value: 100 })),
        errors: minutes.map((at) => ({ at, value: at < minuteAt(22) ? 0.1 : 6 })),
      },
      sqsSource: {
        sourceArn: 'arn:aws:sqs:us-east-1:123456789012:orders',
        dlqArn: 'arn:aws:sqs:us-east-1:123456789012:orders-dlq',
      },
      dlqDepth: { visible: 1240 },
    }).report;

    // Assess
    expect(result.steps.find((s) => s.id === 'recent-deploy')!.status).toBe('critical');
    expect(result.steps.find((s) => s.id === 'dlq')!.status).toBe('critical');
    expect(result.primaryCause).toBe('recent-deploy');
    expect(result.verdict).toContain('Also look at error traces and dead-letter queue');
  });

  it('counts the requests it made, per operation', async () => {
    // Act
    const result = await run({}).report;

    // Assess
    expect(result.awsCalls['Fake:getFunction']).toBe(1);
    expect(result.awsCalls['Fake:getFunctionMetrics']).toBe(1);
    expect(result.awsCalls['Fake:getAccountConcurrency']).toBeUndefined();
  });

  describe('no traffic', () => {
    const quiet = { current: { invocations: 0, errors: 0, throttles: 0, peakConcurrency: 0 } };

    it('reports an alias without a request as no traffic, never ok, with its traffic in the report', async () => {
      // Act
      const result = await run({
        ...quiet,
        coldStarts: { current: { invocations: 0, coldStarts: 0, initAvgMs: undefined, initMaxMs: undefined } },
      }).report;

      // Assess
      expect(result.status).toBe('no-traffic');
      expect(result.traffic).toEqual({ invocations: 0, throttles: 0 });
      expect(result.primaryCause).toBeNull();
      expect(result.verdict).toMatch(
        /^No request reached orders-api:live in the window: no invocations and no throttles, so nothing here says it is healthy\./,
      );
      const statusOf = (id: string) => result.steps.find((s) => s.id === id)!.status;
      expect(['throttles', 'cold-starts', 'downstream-latency', 'error-traces'].map(statusOf)).toEqual([
        'no-traffic',
        'no-traffic',
        'no-traffic',
        'no-traffic',
      ]);
    });

    it('lets a problem a step found outrank the quiet: messages still waiting in the DLQ', async () => {
      // Act
      const result = await run({
        ...quiet,
        sqsSource: {
          sourceArn: 'arn:aws:sqs:us-east-1:123456789012:orders',
          dlqArn: 'arn:aws:sqs:us-east-1:123456789012:orders-dlq',
        },
        dlqDepth: { visible: 1240 },
      }).report;

      // Assess
      expect(result.status).toBe('critical');
      expect(result.primaryCause).toBe('dlq');
      expect(result.traffic).toEqual({ invocations: 0, throttles: 0 });
    });

    it('is no traffic even under a runbook whose steps do not read the metrics', async () => {
      // Prepare
      const dlqOnly: Runbook = { ...runbook, steps: runbook.steps.filter((s) => s.check === 'dlq') };
      const sources = fakeSources(quiet);

      // Act
      const result = await diagnose({
        sources,
        runbook: dlqOnly,
        functionName: 'orders-api',
        windowMs: HOUR,
        now: NOW,
        deadlineMs: 5000,
      });

      // Assess
      expect(result.status).toBe('no-traffic');
      expect(sources.calls.get('getFunctionMetrics')).toBe(1);
    });

    it('leaves the traffic null when the metrics could not be read', async () => {
      // Act
      const result = await run({ fail: { getFunctionMetrics: new GofnError(ErrorCode.AccessDenied, 'denied.') } })
        .report;

      // Assess
      expect(result.traffic).toBeNull();
      expect(result.status).not.toBe('no-traffic');
    });
  });
});
