import { createSimulatedSources } from '../../src/sim/backend';
import { functionText, HOUR, loadTexts, scenarioText, windows } from './helpers';

/**
 * How a function logs and is traced changes what Logs Insights and X-Ray can say about it; the
 * simulation answers as they would, and the fleet's metrics read each function's DLQ by name.
 */
const metrics = [
  '      baseline:',
  '        invocations: 100',
  '        coldStarts: 10%',
  '        duration: { p50: 50, p95: 100, p99: 200 }',
  '        downstream:',
  "          DynamoDB: { type: 'AWS::DynamoDB::Table', avgMs: 5, p95Ms: 12 }",
].join('\n');

async function sourcesFor(...functions: string[]) {
  return createSimulatedSources(await loadTexts([scenarioText({ functions: functions.join('\n') })]));
}

describe('logging configuration', () => {
  it('reports the LoggingConfig and counts platform.report records of a JSON function at INFO', async () => {
    // Prepare
    const sources = await sourcesFor(
      functionText({
        name: 'json-fn',
        extra: '    logging: { format: JSON, systemLogLevel: INFO, logGroup: /custom/json-fn }',
        metrics,
      }),
    );
    const { window, previous } = windows(HOUR);

    // Act
    const fn = await sources.functions.getFunction('json-fn', 'live');
    const stats = await sources.logs.getColdStarts({ logGroup: fn.logGroup, window, previous });

    // Assess
    expect(fn).toMatchObject({ logGroup: '/custom/json-fn', logFormat: 'JSON', systemLogLevel: 'INFO' });
    expect(stats.current.invocations).toBe(6000);
    expect(stats.current.coldStarts).toBeGreaterThan(500);
    expect(stats.queryString).toContain('type = "platform.report"');
  });

  it('finds no report record of a JSON function at system log level WARN', async () => {
    // Prepare
    const sources = await sourcesFor(
      functionText({ name: 'quiet-logs', extra: '    logging: { format: JSON, systemLogLevel: WARN }', metrics }),
    );
    const { window, previous } = windows(HOUR);

    // Act
    const stats = await sources.logs.getColdStarts({ logGroup: '/aws/lambda/quiet-logs', window, previous });

    // Assess
    expect(stats.current).toEqual({ invocations: 0, coldStarts: 0, initAvgMs: undefined, initMaxMs: undefined });
  });
});

describe('tracing configuration', () => {
  it('has no node in the service graph for a PassThrough function, whatever it called', async () => {
    // Prepare
    const sources = await sourcesFor(
      functionText({ name: 'traced', metrics }),
      functionText({ name: 'untraced', extra: '    tracing: PassThrough', metrics }),
    );
    const { window } = windows(HOUR);

    // Act
    const traced = await sources.traces.getDownstream({ functionName: 'traced', window });
    const untraced = await sources.traces.getDownstream({ functionName: 'untraced', window });
    const fn = await sources.functions.getFunction('untraced', 'live');

    // Assess
    expect(traced.functionFound).toBe(true);
    expect(traced.services.map((s) => s.name)).toEqual(['DynamoDB']);
    expect(untraced).toEqual({ services: [], functionFound: false, partial: undefined });
    expect(fn.tracingMode).toBe('PassThrough');
  });
});

describe('fleet metrics', () => {
  it('reads the depth of the DLQ a function names, and fails only the request holding a faulty function', async () => {
    // Prepare: 120 functions cost 600 queries, two requests; the faulty one is in the second.
    const many = Array.from({ length: 119 }, (_, i) => functionText({ name: `fn-${i}` }));
    const withDlq = functionText({
      name: 'fn-dlq',
      extra: '    deadLetter: { queue: fn-dlq-q, messages: 37 }\n    faults: { metrics: Throttled }',
    });
    const sources = await sourcesFor(...many, withDlq);
    const targets = [...many.map((_, i) => `fn-${i}`), 'fn-dlq'].map((functionName) => ({
      functionName,
      alias: 'live',
      deadLetterQueue: functionName === 'fn-dlq' ? 'fn-dlq-q' : undefined,
    }));

    // Act
    const entries = await sources.metrics.getFleetMetrics(targets, windows(HOUR).window);

    // Assess
    const refused = [...entries.entries()].filter(([, e]) => !e.served).map(([name]) => name);
    expect(refused).toHaveLength(20);
    expect(refused).toContain('fn-dlq');
    expect(entries.get('fn-0')).toMatchObject({ served: true, metrics: { invocations: 6000 } });
  });

  it('answers the depth now of a DLQ that exists, and 0 for one SQS publishes nothing about', async () => {
    // Prepare
    const sources = await sourcesFor(
      functionText({ name: 'fn-dlq', extra: '    deadLetter: { queue: fn-dlq-q, messages: 37 }' }),
      functionText({ name: 'fn-typo' }),
    );

    // Act
    const entries = await sources.metrics.getFleetMetrics(
      [
        { functionName: 'fn-dlq', alias: 'live', deadLetterQueue: 'fn-dlq-q' },
        { functionName: 'fn-typo', alias: 'live', deadLetterQueue: 'misspelt-q' },
      ],
      windows(HOUR).window,
    );

    // Assess
    expect(entries.get('fn-dlq')).toMatchObject({ served: true, metrics: { deadLetterMessages: 37 } });
    expect(entries.get('fn-typo')).toMatchObject({ served: true, metrics: { deadLetterMessages: 0 } });
  });
});
