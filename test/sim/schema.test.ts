import { ErrorCode, GofnError } from '../../src/errors';
import { loadScenarioFiles, parseScenario } from '../../src/sim/loader';
import { functionText, NOW, ScratchDir, scenarioText } from './helpers';

/** Loads one file with `content` and returns what it rejected with (fails the test if it loaded). */
async function rejectionOf(content: string | Uint8Array, name = 'bad.yaml'): Promise<GofnError> {
  const scratch = new ScratchDir();
  try {
    const file = scratch.write(name, content);
    await loadScenarioFiles([file], { now: NOW });
  } catch (error) {
    return error as GofnError;
  } finally {
    scratch.cleanup();
  }
  throw new Error('the scenario loaded, but it should have been rejected');
}

function expectInvalidFile(error: GofnError, ...fragments: string[]): void {
  expect(error).toBeInstanceOf(GofnError);
  expect(error.code).toBe(ErrorCode.InvalidFile);
  for (const fragment of fragments) expect(error.message).toContain(fragment);
  expect(error.message).not.toMatch(/\n\s+at /); // never a stack trace
}

describe('scenario schema errors name the file, the path and what was expected', () => {
  it('rejects a relative time without its minus sign', async () => {
    // Prepare
    const text = scenarioText({
      functions: functionText({
        metrics: [
          '      baseline: { invocations: 100, duration: { p50: 50, p95: 100, p99: 200 } }',
          '      incidents:',
          '        - { from: 38m, set: { invocations: 200 } }',
        ].join('\n'),
      }),
    });

    // Act
    const error = await rejectionOf(text, 'typo.yaml');

    // Assess
    expectInvalidFile(
      error,
      'typo.yaml',
      'functions[0].metrics.incidents[0].from',
      'expected a time like -38m',
      '"38m"',
    );
  });

  it('rejects a misspelt key and suggests the right one', async () => {
    // Prepare
    const text = scenarioText({ functions: functionText({ extra: '    reservedConcurency: 10' }) });

    // Act
    const error = await rejectionOf(text);

    // Assess
    expectInvalidFile(error, 'functions[0]', 'unknown key "reservedConcurency"', 'did you mean "reservedConcurrency"?');
  });

  it('rejects a number that is text, with the value it found', async () => {
    // Prepare
    const text = scenarioText({
      functions: functionText({
        metrics: '      baseline: { invocations: lots, duration: { p50: 50, p95: 100, p99: 200 } }',
      }),
    });

    // Act
    const error = await rejectionOf(text);

    // Assess
    expectInvalidFile(error, 'functions[0].metrics.baseline.invocations', 'expected a number', 'got "lots"');
  });

  it('rejects a percentage above 100', async () => {
    // Prepare
    const text = scenarioText({
      functions: functionText({
        metrics: '      baseline: { invocations: 10, errors: 120%, duration: { p50: 50, p95: 100, p99: 200 } }',
      }),
    });

    // Act
    const error = await rejectionOf(text);

    // Assess
    expectInvalidFile(error, 'functions[0].metrics.baseline.errors', 'percentage from 0% to 100%', '"120%"');
  });

  it('rejects an alias pointing at a version that is not listed', async () => {
    // Prepare
    const text = scenarioText({ functions: functionText().replace('aliases: { live: 2 }', 'aliases: { live: 7 }') });

    // Act
    const error = await rejectionOf(text);

    // Assess
    expectInvalidFile(error, 'functions[0].aliases.live', 'expected a version listed under versions (1, 2), got 7');
  });

  it('rejects an incident that ends before it starts', async () => {
    // Prepare
    const text = scenarioText({
      functions: functionText({
        metrics: [
          '      baseline: { invocations: 100, duration: { p50: 50, p95: 100, p99: 200 } }',
          '      incidents:',
          '        - { from: -10m, to: -20m, set: { invocations: 200 } }',
        ].join('\n'),
      }),
    });

    // Act
    const error = await rejectionOf(text);

    // Assess
    expectInvalidFile(error, 'functions[0].metrics.incidents[0].to', 'expected a time after `from`');
  });

  it('rejects an incident naming a downstream service the baseline does not have', async () => {
    // Prepare
    const text = scenarioText({
      functions: functionText({
        metrics: [
          '      baseline:',
          '        invocations: 100',
          '        duration: { p50: 50, p95: 100, p99: 200 }',
          '        downstream: { DynamoDB: { type: "AWS::DynamoDB::Table", avgMs: 5, p95Ms: 10 } }',
          '      incidents:',
          '        - { from: -10m, set: { downstream: { DynamoDb: { p95Ms: 900 } } } }',
        ].join('\n'),
      }),
    });

    // Act
    const error = await rejectionOf(text);

    // Assess
    expectInvalidFile(error, 'functions[0].metrics.incidents[0].set.downstream.DynamoDb', '(DynamoDB)');
  });

  it('rejects the wrong apiVersion and a missing list of functions', async () => {
    // Prepare
    const text = 'apiVersion: gofn/v2\nkind: Scenario\nname: x\n';

    // Act
    const error = await rejectionOf(text);

    // Assess
    expectInvalidFile(error, 'apiVersion: expected "gofn/v1", got "gofn/v2"', 'functions: missing');
  });

  it('rejects NaN, infinity and absurd numbers', async () => {
    // Prepare
    const nan = scenarioText({
      functions: functionText({
        metrics: '      baseline: { invocations: .nan, duration: { p50: 1, p95: 2, p99: 3 } }',
      }),
    });
    const huge = scenarioText({
      functions: functionText({
        metrics: '      baseline: { invocations: 1e400, duration: { p50: 1, p95: 2, p99: 3 } }',
      }),
    });
    const tooMany = scenarioText({
      functions: functionText({
        metrics: '      baseline: { invocations: 1e12, duration: { p50: 1, p95: 2, p99: 3 } }',
      }),
    });

    // Act
    const errors = [await rejectionOf(nan), await rejectionOf(huge), await rejectionOf(tooMany)];

    // Assess
    expectInvalidFile(errors[0] as GofnError, 'functions[0].metrics.baseline.invocations', 'got NaN');
    expectInvalidFile(errors[1] as GofnError, 'functions[0].metrics.baseline.invocations', 'got Infinity');
    expectInvalidFile(errors[2] as GofnError, 'functions[0].metrics.baseline.invocations', 'at most 10000000');
  });

  it('reports YAML syntax errors with the line', async () => {
    // Prepare
    const text = 'apiVersion: gofn/v1\nkind: Scenario\nfunctions: [\n  { name: a\n';

    // Act
    const error = await rejectionOf(text, 'broken.yaml');

    // Assess
    expectInvalidFile(error, 'broken.yaml is not valid YAML at line');
  });

  it('reports an empty file, a file that is not a mapping and binary garbage', async () => {
    // Act
    const empty = await rejectionOf('');
    const list = await rejectionOf('- a\n- b\n');
    const binary = await rejectionOf(Uint8Array.from([0, 159, 146, 150, 255, 0, 1, 2, 58, 32, 91]));

    // Assess
    expectInvalidFile(empty, 'bad.yaml is empty');
    expectInvalidFile(list, 'bad.yaml holds a list of 2');
    expectInvalidFile(binary, 'bad.yaml');
  });

  it('reports a file that does not exist', async () => {
    // Act
    const error = await loadScenarioFiles(['no/such/scenario.yaml'], { now: NOW }).catch((e: unknown) => e);

    // Assess
    expectInvalidFile(error as GofnError, 'no/such/scenario.yaml', 'does not exist');
  });

  it('lists a few more problems after the first, each with its line', async () => {
    // Prepare
    const text = scenarioText({ functions: functionText({ extra: '    memoryMb: 64\n    timeoutSeconds: 0' }) });
    const lineOf = (needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

    // Act
    const error = await rejectionOf(text);

    // Assess
    expectInvalidFile(
      error,
      `.yaml:${lineOf('memoryMb: 64')} is invalid at functions[0].memoryMb: expected a number at least 128, got 64`,
      `Also: line ${lineOf('timeoutSeconds: 0')}: functions[0].timeoutSeconds`,
    );
  });

  it('names a misspelt key first, at its own line, with what it may have meant', async () => {
    // Prepare
    const text = scenarioText({ functions: functionText({ extra: '    reservedConcurency: 3' }) });
    const line = text.split('\n').findIndex((l) => l.includes('reservedConcurency')) + 1;

    // Act
    const error = await rejectionOf(text);

    // Assess
    expectInvalidFile(
      error,
      `.yaml:${line} is invalid at functions[0]: unknown key "reservedConcurency" (did you mean "reservedConcurrency"?)`,
    );
  });
});

describe('parseScenario under hostile input', () => {
  it('accepts the minimal scenario the docs describe', () => {
    // Act
    const scenario = parseScenario('ok.yaml', scenarioText());

    // Assess
    expect(scenario.functions[0]?.metrics.baseline.errors).toEqual({ perMinute: 0 });
    expect(scenario.functions[0]?.aliases['live']).toEqual({ version: '2', routing: {} });
  });

  it('throws only InvalidFile GofnErrors for alias bombs, deep nesting and prototype keys', () => {
    // Prepare
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...Array.from(
        { length: 12 },
        (_, i) =>
          `b${i}: &b${i} [*${i === 0 ? 'a' : `b${i - 1}`}, *${i === 0 ? 'a' : `b${i - 1}`}, *${i === 0 ? 'a' : `b${i - 1}`}, *${i === 0 ? 'a' : `b${i - 1}`}, *${i === 0 ? 'a' : `b${i - 1}`}, *${i === 0 ? 'a' : `b${i - 1}`}, *${i === 0 ? 'a' : `b${i - 1}`}, *${i === 0 ? 'a' : `b${i - 1}`}, *${i === 0 ? 'a' : `b${i - 1}`}, *${i === 0 ? 'a' : `b${i - 1}`}]`,
      ),
    ].join('\n');
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const proto = `${scenarioText()}\n__proto__: { polluted: true }\n`;

    // Act
    const outcomes = [bomb, deep, proto].map((text) => {
      try {
        parseScenario('hostile.yaml', text);
        return undefined;
      } catch (error) {
        return error;
      }
    });

    // Assess
    for (const outcome of outcomes) {
      expect(outcome).toBeInstanceOf(GofnError);
      expect((outcome as GofnError).code).toBe(ErrorCode.InvalidFile);
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('errors inside alternatives', () => {
  it('reports the problem inside an alias written as a mapping, not "invalid input"', async () => {
    // Prepare
    const text = scenarioText({
      functions: functionText().replace(
        'aliases: { live: 2 }',
        'aliases: { live: { version: 2, routng: { "1": 0.1 } } }',
      ),
    });

    // Act
    const error = await rejectionOf(text);

    // Assess
    expectInvalidFile(error, 'functions[0].aliases.live: unknown key "routng" (did you mean "routing"?)');
  });

  it('says what an alias may be when it is neither a version nor a mapping', async () => {
    // Prepare
    const text = scenarioText({ functions: functionText().replace('aliases: { live: 2 }', 'aliases: { live: [2] }') });

    // Act
    const error = await rejectionOf(text);

    // Assess
    expectInvalidFile(error, 'functions[0].aliases.live', 'got a list of 1');
  });
});
