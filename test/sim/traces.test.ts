import { createSimulatedSources } from '../../src/sim/backend';
import { CallLedger, countCalls } from '../../src/calls';
import { functionText, HOUR, loadTexts, MINUTE, NOW, scenarioText, windows } from './helpers';

const failing = scenarioText({
  functions: functionText({
    metrics: [
      '      baseline:',
      '        invocations: 100',
      '        errors: 2',
      '        duration: { p50: 50, p95: 100, p99: 200 }',
      '        errorMessages:',
      '          - { message: "context deadline exceeded", weight: 3 }',
      '          - { message: "decode order: unexpected EOF", weight: 1, durationMs: 4 }',
      '      incidents:',
      '        - from: -10m',
      '          set:',
      '            errors: 30',
      '            errorMessages: [{ message: "validate order: unsupported currency \\"XBT\\"", kind: error }]',
    ].join('\n'),
  }),
});

async function errorTraces(now: Date, sampleSize = 5, window = windows(HOUR, now).window) {
  const sources = createSimulatedSources(await loadTexts([failing], now));
  return sources.traces.getErrorTraces({ functionName: 'fn-a', window, sampleSize });
}

describe('error traces', () => {
  it('are the same for the same now: trace and request IDs are seeded, not random', async () => {
    // Act
    const first = await errorTraces(NOW);
    const second = await errorTraces(NOW);
    const later = await errorTraces(new Date(NOW.getTime() + MINUTE));

    // Assess
    expect(second).toEqual(first);
    expect(later.samples.map((s) => s.traceId)).not.toEqual(first.samples.map((s) => s.traceId));
  });

  it('have X-Ray trace IDs carrying their time, and UUID request IDs', async () => {
    // Act
    const stats = await errorTraces(NOW);

    // Assess
    expect(stats.samples).toHaveLength(5);
    for (const sample of stats.samples) {
      expect(sample.traceId).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
      expect(sample.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const seconds = parseInt(sample.traceId.slice(2, 10), 16);
      expect(seconds).toBe(Math.floor((sample.at?.getTime() ?? 0) / 1000));
      expect(sample.at!.getTime()).toBeLessThan(NOW.getTime());
    }
    // Newest first.
    const times = stats.samples.map((s) => s.at!.getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('count faults and client errors from the message mix, most common message first', async () => {
    // Act: the last 10 minutes hold 300 client errors; the 50 minutes before hold 100 faults.
    const stats = await errorTraces(NOW);

    // Assess: the listing stops after 2 pages of 100, newest first, so it holds only the incident.
    expect(stats.tracesWithError).toBe(200);
    expect(stats.tracesWithFault).toBe(0);
    expect(stats.truncated).toBe(true);
    expect(stats.topMessages).toEqual([{ message: 'validate order: unsupported currency "XBT"', count: 200 }]);
  });

  it('weights messages as the scenario says', async () => {
    // Act: a window before the incident, with 2 errors a minute for 40 minutes.
    const stats = await errorTraces(NOW, 5, windows(40 * MINUTE, new Date(NOW.getTime() - 10 * MINUTE)).window);

    // Assess
    expect(stats.tracesWithFault).toBe(80);
    expect(stats.truncated).toBe(false);
    const [top, second] = stats.topMessages;
    expect(top?.message).toBe('context deadline exceeded');
    expect(top!.count).toBeGreaterThan(45); // 3 in 4 of 80 is 60
    expect(second?.message).toBe('decode order: unexpected EOF');
    expect(top!.count + second!.count).toBe(80);
  });

  it('cost one GetTraceSummaries per page and one BatchGetTraces per 5 samples', async () => {
    // Prepare
    const ledger = new CallLedger();

    // Act
    await countCalls(ledger, () => errorTraces(NOW, 12));

    // Assess
    expect(ledger.snapshot()).toEqual({ 'XRay:BatchGetTraces': 3, 'XRay:GetTraceSummaries': 2 });
  });

  it('do not generate the traces a listing never reaches, however busy the function', async () => {
    // Prepare
    const busy = scenarioText({
      functions: functionText({
        metrics: '      baseline: { invocations: 10000000, errors: 50%, duration: { p50: 5, p95: 9, p99: 20 } }',
      }),
    });
    const sources = createSimulatedSources(await loadTexts([busy]));

    // Act
    const started = performance.now();
    const stats = await sources.traces.getErrorTraces({
      functionName: 'fn-a',
      window: windows(HOUR).window,
      sampleSize: 5,
    });

    // Assess
    expect(performance.now() - started).toBeLessThan(2000);
    expect(stats.tracesWithFault).toBe(200);
    expect(stats.truncated).toBe(true);
  });
});
