import { createSimulatedSources } from '../../src/sim/backend';
import { functionText, HOUR, loadTexts, MINUTE, NOW, scenarioText, windows } from './helpers';

/**
 * A function with whole-number levels and no noise, so every window's totals can be computed by
 * hand: 100 invocations a minute, 200 during an incident in the last 30 minutes.
 */
const steady = scenarioText({
  functions: functionText({
    extra: '    reservedConcurrency: 50',
    metrics: [
      '      baseline:',
      '        invocations: 100',
      '        errors: 1',
      '        concurrency: 20',
      '        duration: { p50: 50, p95: 100, p99: 200 }',
      '        coldStarts: 2%',
      '        downstream: { DynamoDB: { type: "AWS::DynamoDB::Table", avgMs: 5, p95Ms: 10 } }',
      '      incidents:',
      '        - from: -30m',
      '          set:',
      '            invocations: 200',
      '            errors: 5%',
      '            throttles: 3',
      '            concurrency: 80',
      '            duration: { p50: 400, p95: 900, p99: 1500 }',
      '            downstream: { DynamoDB: { avgMs: 300, p95Ms: 800 } }',
    ].join('\n'),
  }),
});

async function metricsFor(windowMs: number) {
  const sources = createSimulatedSources(await loadTexts([steady]));
  return sources.metrics.getFunctionMetrics({ functionName: 'fn-a', alias: 'live', ...windows(windowMs) });
}

describe('metrics over any window', () => {
  it('adds up the minutes of a 1 h window, and of the hour before', async () => {
    // Act
    const metrics = await metricsFor(HOUR);

    // Assess: 30 baseline minutes + 30 incident minutes, against 60 baseline minutes before.
    expect(metrics.current).toMatchObject({
      invocations: 30 * 100 + 30 * 200,
      errors: 30 * 1 + 30 * 10,
      throttles: 90,
    });
    expect(metrics.current.peakConcurrency).toBe(50); // 80 wanted, capped by the reservation
    expect(metrics.previous).toMatchObject({ invocations: 6000, errors: 60, throttles: 0, peakConcurrency: 20 });
    expect(metrics.periodSeconds).toBe(60);
    expect(metrics.series.invocations).toHaveLength(60);
    expect(metrics.series.throttles.find((p) => p.value > 0)?.at).toEqual(new Date(NOW.getTime() - 30 * MINUTE));
    expect(metrics.missing).toEqual([]);
  });

  it('scales counts with the window: 15 min inside the incident, 3 h mostly before it', async () => {
    // Act
    const quarter = await metricsFor(15 * MINUTE);
    const threeHours = await metricsFor(3 * HOUR);

    // Assess
    expect(quarter.current.invocations).toBe(15 * 200);
    expect(quarter.previous.invocations).toBe(15 * 200); // the incident started 30 minutes ago
    expect(threeHours.current.invocations).toBe(150 * 100 + 30 * 200);
    expect(threeHours.previous.invocations).toBe(180 * 100);
    expect(threeHours.series.invocations.reduce((sum, p) => sum + p.value, 0)).toBe(21_000);
  });

  it('keeps a slowdown visible in the percentiles of a long window', async () => {
    // Act
    const hour = await metricsFor(HOUR);
    const threeHours = await metricsFor(3 * HOUR);

    // Assess: the incident carries 2/3 of the last hour's and 2/7 of the 3 hours' traffic,
    // more than 5% either way, so the p95 is an incident latency in both.
    expect(hour.previous.durationP95Ms).toBe(100);
    expect(hour.current.durationP95Ms).toBeGreaterThan(800);
    expect(threeHours.current.durationP95Ms).toBeGreaterThan(700);
    expect(threeHours.current.durationP50Ms).toBeLessThan(hour.current.durationP50Ms ?? 0);
  });

  it('answers cold starts and downstream latency for the same windows', async () => {
    // Prepare
    const sources = createSimulatedSources(await loadTexts([steady]));
    const { window, previous } = windows(HOUR);

    // Act
    const coldStarts = await sources.logs.getColdStarts({ logGroup: '/aws/lambda/fn-a', window, previous });
    const downstreamNow = (await sources.traces.getDownstream({ functionName: 'fn-a', window })).services;
    const graphBefore = await sources.traces.getDownstream({ functionName: 'fn-a', window: previous });

    // Assess
    expect(coldStarts.current.invocations).toBe(9000);
    expect(coldStarts.current.coldStarts).toBeGreaterThan(150); // 2% of 9,000 = 180, dithered
    expect(coldStarts.current.coldStarts).toBeLessThan(210);
    expect(coldStarts.queryString).toContain('filter @type = "REPORT"');
    expect(graphBefore).toEqual({
      services: [
        {
          name: 'DynamoDB',
          type: 'AWS::DynamoDB::Table',
          requests: 6000,
          errors: 0,
          faults: 0,
          averageMs: 5,
          p95Ms: 10,
        },
      ],
      functionFound: true,
      partial: undefined,
    });
    expect(downstreamNow[0]?.requests).toBe(9000);
    expect(downstreamNow[0]?.averageMs).toBeCloseTo((3000 * 5 + 6000 * 300) / 9000, 0);
    expect(downstreamNow[0]?.p95Ms).toBeGreaterThan(700);
  });

  it('gives fleet totals per function, zeros for unknown ones, and the depth of a DLQ by name', async () => {
    // Prepare
    const sources = createSimulatedSources(await loadTexts([steady]));

    // Act
    const fleet = await sources.metrics.getFleetMetrics(
      [
        { functionName: 'fn-a', alias: 'live', deadLetterQueue: 'no-such-queue' },
        { functionName: 'ghost', alias: 'live', deadLetterQueue: undefined },
      ],
      windows(HOUR).window,
    );

    // Assess
    expect(fleet.get('fn-a')).toMatchObject({
      served: true,
      metrics: { invocations: 9000, errors: 330, throttles: 90, deadLetterMessages: 0 },
    });
    expect(fleet.get('ghost')).toEqual({
      served: true,
      metrics: {
        invocations: 0,
        errors: 0,
        throttles: 0,
        durationP99Ms: undefined,
        peakConcurrency: undefined,
        deadLetterMessages: undefined,
        previous: { invocations: 0, durationP99Ms: undefined, peakConcurrency: undefined },
        missing: [],
      },
    });
  });

  it('has no telemetry before the first version was published or after now', async () => {
    // Prepare
    const young = scenarioText({
      functions: functionText()
        .replace('publishedAt: -3d', 'publishedAt: -20m')
        .replace('publishedAt: -2d', 'publishedAt: -20m'),
    });
    const sources = createSimulatedSources(await loadTexts([young]));
    const future = { start: NOW, end: new Date(NOW.getTime() + HOUR) };

    // Act
    const lastHour = await sources.metrics.getFunctionMetrics({
      functionName: 'fn-a',
      alias: 'live',
      ...windows(HOUR),
    });
    const ahead = await sources.metrics.getFunctionMetrics({
      functionName: 'fn-a',
      alias: 'live',
      window: future,
      previous: windows(HOUR).window,
    });

    // Assess
    expect(lastHour.current.invocations).toBe(20 * 100);
    expect(lastHour.previous).toMatchObject({ invocations: 0, peakConcurrency: undefined, durationP95Ms: undefined });
    expect(ahead.current.invocations).toBe(0);
  });
});
