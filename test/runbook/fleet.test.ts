import { fleetOverview, queueNameOf, RESERVATION_READS } from '../../src/runbook/fleet';
import { loadRunbook } from '../../src/runbook/loader';
import type { FleetEntry, FleetMetrics, FleetTarget, ManagedFunctionRef } from '../../src/ports';
import { ErrorCode, GofnError } from '../../src/errors';
import { fakeSources, NOW } from '../support/fake-sources';

const HOUR = 3_600_000;

function metrics(overrides: Partial<FleetMetrics> = {}): FleetMetrics {
  return {
    invocations: 1000,
    errors: 0,
    throttles: 0,
    durationP99Ms: 200,
    peakConcurrency: 10,
    deadLetterMessages: undefined,
    previous: { invocations: 1000, durationP99Ms: 200, peakConcurrency: 10 },
    missing: [],
    ...overrides,
  };
}

/** Sources listing `refs` and answering the fleet metrics with `answer` per target. */
function fleetSources(
  refs: ManagedFunctionRef[],
  answer: (target: FleetTarget) => FleetEntry,
  reservations: Record<string, number | undefined | GofnError> = {},
) {
  const sources = fakeSources();
  const asked: FleetTarget[][] = [];
  const reservationReads: string[] = [];
  sources.functions.managedFunctionPages = async function* (): AsyncGenerator<ManagedFunctionRef[]> {
    for (let i = 0; i < refs.length; i += 100) yield refs.slice(i, i + 100);
  };
  sources.metrics.getFleetMetrics = async (targets) => {
    asked.push(targets);
    return new Map(targets.map((t) => [t.functionName, answer(t)]));
  };
  sources.functions.getReservedConcurrency = async (name) => {
    reservationReads.push(name);
    const value = reservations[name];
    if (value instanceof GofnError) throw value;
    return value;
  };
  return { sources, asked, reservationReads };
}

const ref = (name: string, tags: Record<string, string> = {}): ManagedFunctionRef => ({
  name,
  arn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
  tags: { 'gofn:managed': 'true', ...tags },
});

async function overview(sources: ReturnType<typeof fakeSources>) {
  return fleetOverview({ sources, runbook: await loadRunbook(), windowMs: HOUR, now: NOW, deadlineMs: 5000 });
}

describe('fleetOverview', () => {
  it('asks about the live alias and the DLQ each function names, 500 queries a request', async () => {
    // Prepare: 90 functions with a DLQ (6 queries each) and 30 without (5 each): 690 queries.
    const refs = [
      ...Array.from({ length: 90 }, (_, i) =>
        ref(`with-${i}`, { 'gofn:dlq': `arn:aws:sqs:us-east-1:1:with-${i}-dlq` }),
      ),
      ...Array.from({ length: 30 }, (_, i) => ref(`without-${i}`)),
    ];
    const { sources, asked } = fleetSources(refs, () => ({ served: true, metrics: metrics() }));

    // Act
    await overview(sources);

    // Assess
    const cost = (targets: FleetTarget[]) => targets.reduce((n, t) => n + (t.deadLetterQueue ? 6 : 5), 0);
    expect(asked.map(cost)).toEqual([498, 192]);
    expect(asked[0]![0]).toEqual({ functionName: 'with-0', alias: 'live', deadLetterQueue: 'with-0-dlq' });
    expect(asked[1]!.at(-1)).toEqual({ functionName: 'without-29', alias: 'live', deadLetterQueue: undefined });
  });

  it('grades concurrency against the reservations it read, for the busiest functions only', async () => {
    // Prepare: peaks 1..15; the 10 busiest are read, one saturated, one without a reservation.
    const refs = Array.from({ length: 15 }, (_, i) => ref(`fn-${i + 1}`));
    const { sources, reservationReads } = fleetSources(
      refs,
      (t) => {
        const peak = Number(t.functionName.slice(3));
        return {
          served: true,
          metrics: metrics({
            peakConcurrency: peak,
            previous: { invocations: 1000, durationP99Ms: 200, peakConcurrency: peak },
          }),
        };
      },
      {
        'fn-15': 15,
        'fn-14': undefined,
        'fn-13': new GofnError(ErrorCode.AccessDenied, 'Lambda GetFunctionConcurrency was denied.'),
      },
    );

    // Act
    const fleet = await overview(sources);

    // Assess
    expect(reservationReads.sort()).toEqual(Array.from({ length: RESERVATION_READS }, (_, i) => `fn-${15 - i}`).sort());
    const row = (name: string) => fleet.functions.find((f) => f.function === name)!;
    expect(row('fn-15')).toMatchObject({
      status: 'critical',
      reservation: 'reserved',
      reservedConcurrency: 15,
      concurrencyPercent: 100,
    });
    expect(row('fn-14')).toMatchObject({ status: 'ok', reservation: 'none', concurrencyPercent: null });
    expect(row('fn-13')).toMatchObject({ status: 'ok', reservation: 'unknown' });
    expect(row('fn-13').notGraded).toEqual(['reservation unknown: Lambda GetFunctionConcurrency was denied.']);
    expect(row('fn-1')).toMatchObject({ reservation: 'not-read' });
  });

  it('grades a jump in concurrency like a cold-start spike, and the DLQ depth with the dlq thresholds', async () => {
    // Prepare
    const { sources } = fleetSources(
      [ref('surging'), ref('backlog', { 'gofn:dlq': 'backlog-dlq' }), ref('steady')],
      (t) => ({
        served: true,
        metrics:
          t.functionName === 'surging'
            ? metrics({ peakConcurrency: 120, previous: { invocations: 1000, durationP99Ms: 200, peakConcurrency: 4 } })
            : t.functionName === 'backlog'
              ? metrics({ deadLetterMessages: 12 })
              : metrics(),
      }),
    );

    // Act
    const fleet = await overview(sources);

    // Assess
    const row = (name: string) => fleet.functions.find((f) => f.function === name)!;
    expect(row('surging')).toMatchObject({ status: 'critical', concurrencyRatio: 30 });
    expect(row('surging').findings.map((f) => f.signal)).toEqual(['cold-starts']);
    expect(row('backlog')).toMatchObject({ status: 'warn', dlq: { queue: 'backlog-dlq', messages: 12 } });
    expect(row('steady').status).toBe('ok');
  });

  it('is no traffic for a function without requests, unless its DLQ still holds messages', async () => {
    // Prepare
    const quiet = metrics({ invocations: 0, durationP99Ms: undefined, peakConcurrency: undefined });
    const { sources } = fleetSources([ref('idle'), ref('idle-backlog', { 'gofn:dlq': 'idle-dlq' })], (t) => ({
      served: true,
      metrics: t.functionName === 'idle' ? quiet : { ...quiet, deadLetterMessages: 300 },
    }));

    // Act
    const fleet = await overview(sources);

    // Assess
    expect(fleet.functions.map((f) => [f.function, f.status])).toEqual([
      ['idle-backlog', 'critical'],
      ['idle', 'no-traffic'],
    ]);
  });

  it('leaves the functions of a refused request unknown, with the reason, and grades the others', async () => {
    // Prepare
    const refs = Array.from({ length: 150 }, (_, i) => ref(`fn-${i}`));
    const { sources } = fleetSources(refs, (t) =>
      Number(t.functionName.slice(3)) >= 100
        ? { served: false, reason: 'CloudWatch throttled GetMetricData (Rate exceeded).' }
        : { served: true, metrics: metrics({ errors: t.functionName === 'fn-7' ? 200 : 0 }) },
    );

    // Act
    const fleet = await overview(sources);

    // Assess
    const unknown = fleet.functions.filter((f) => f.status === 'unknown');
    expect(unknown).toHaveLength(50);
    expect(unknown[0]?.reason).toBe('CloudWatch throttled GetMetricData (Rate exceeded).');
    expect(fleet.functions[0]).toMatchObject({ function: 'fn-7', status: 'critical' });
  });

  it('reads a queue name from a gofn:dlq tag holding a name or an ARN, and ignores anything else', () => {
    expect(queueNameOf('orders-dlq')).toBe('orders-dlq');
    expect(queueNameOf('arn:aws:sqs:us-east-1:123456789012:orders-dlq.fifo')).toBe('orders-dlq.fifo');
    expect(queueNameOf(' ')).toBeUndefined();
    expect(queueNameOf('https://sqs.us-east-1.amazonaws.com/123456789012/orders dlq')).toBeUndefined();
    expect(queueNameOf(undefined)).toBeUndefined();
  });
});
