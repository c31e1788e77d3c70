import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ErrorCode, GofnError } from '../../src/errors';
import { defaultRunbookPath, loadRunbook } from '../../src/runbook/loader';

let dir: string;
let shipped: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'gofn-runbook-'));
  shipped = await readFile(defaultRunbookPath(), 'utf8');
});

async function loadText(name: string, text: string): Promise<GofnError> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  const error = await loadRunbook(file).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof GofnError)) throw new Error(`expected a GofnError, got ${String(error)}`);
  return error;
}

/** The 1-based line of the first line holding `needle`. */
function lineOf(text: string, needle: string): number {
  return text.split('\n').findIndex((line) => line.includes(needle)) + 1;
}

describe('loadRunbook', () => {
  it('loads the shipped runbook with its eleven steps: DESIGN order, then memory, timeouts, lag and the API in between', async () => {
    // Act
    const runbook = await loadRunbook();

    // Assess
    expect(runbook.steps.map((s) => s.id)).toEqual([
      'throttles',
      'cold-starts',
      'downstream-latency',
      'memory-crashes',
      'timeouts',
      'error-traces',
      'recent-deploy',
      'event-source-lag',
      'api-gateway',
      'dlq',
      'profile',
    ]);
    const throttles = runbook.steps[0]!;
    expect(throttles.check).toBe('throttles');
    expect(throttles.actions).toEqual(['raise-concurrency', 'lower-concurrency']);
    if (throttles.check === 'throttles')
      expect(throttles.thresholds.throttledPercent).toEqual({ warn: 0.1, critical: 1 });
  });

  it('names the file, the line, the path inside it and what was expected for a typo in a threshold', async () => {
    // Prepare
    const text = shipped.replace(
      'throttledPercent: { warn: 0.1, critical: 1 }',
      'throttledPercent: { warn: 0.1, critcal: 1 }',
    );

    // Act
    const error = await loadText('typo.yaml', text);

    // Assess
    expect(error.code).toBe(ErrorCode.InvalidFile);
    expect(error.message).toMatch(
      new RegExp(
        `typo\\.yaml:${lineOf(text, 'critcal')}: steps\\[0\\]\\.thresholds\\.throttledPercent: unknown key "critcal"`,
      ),
    );
    expect(error.message).toContain('not a valid runbook');
  });

  it('names a misspelt key of a step and its line first, then the key it leaves missing, with the line of its step', async () => {
    // Prepare
    const text = shipped.replace('    title: Throttles', '    titel: Throttles');

    // Act
    const error = await loadText('titel.yaml', text);

    // Assess
    expect(error.message).toBe(
      `${path.join(dir, 'titel.yaml')}:${lineOf(text, 'titel:')}: steps[0]: unknown key "titel". ` +
        `Also line ${lineOf(text, '- id: throttles')}: steps[0].title: missing (expected string). The file is not a valid runbook.`,
    );
  });

  it('gives every problem a line, a missing top-level key the line where the document starts', async () => {
    // Prepare
    const text = shipped.replace('name: degraded-function\n', '').replace('    title: Profile', '    tite: Profile');

    // Act
    const error = await loadText('nameless.yaml', text);

    // Assess
    expect(error.message).toContain(`line ${lineOf(text, 'apiVersion:')}: name: missing (expected string)`);
    expect(error.message).toContain(`nameless.yaml:${lineOf(text, 'tite:')}: steps[10]: unknown key "tite".`);
    expect(error.message).not.toMatch(/more problems/);
  });

  it.each([
    [
      'coldStartPercent: { warn: 5, critical: 20 }',
      'coldStartPercent: { warn: 50, critical: 20 }',
      'steps[1].thresholds.coldStartPercent: warn (50) is above critical (20)',
    ],
    [
      'minutesSinceDeploy: { warn: 120 }',
      'minutesSinceDeploy: { warn: 10, critical: 30 }',
      'steps[6].thresholds.minutesSinceDeploy: warn (10) is below critical (30)',
    ],
  ])('refuses thresholds in the wrong order: %s → %s', async (from, to, problem) => {
    // Prepare
    const text = shipped.replace(from, to);

    // Act
    const error = await loadText('inverted.yaml', text);

    // Assess
    expect(error.message).toContain(`inverted.yaml:${lineOf(text, to)}: ${problem}`);
  });

  it('accepts a threshold graded below (minutes since a deploy) with warn above critical', async () => {
    // Prepare
    const file = path.join(dir, 'below.yaml');
    await writeFile(
      file,
      shipped.replace('minutesSinceDeploy: { warn: 120 }', 'minutesSinceDeploy: { warn: 120, critical: 30 }'),
    );

    // Act
    const runbook = await loadRunbook(file);

    // Assess
    const step = runbook.steps[6]!;
    if (step.check === 'recent-deploy') expect(step.thresholds.minutesSinceDeploy).toEqual({ warn: 120, critical: 30 });
    expect(step.check).toBe('recent-deploy');
  });

  it('lists the known checks when a step names one that does not exist', async () => {
    // Act
    const error = await loadText('check.yaml', shipped.replace('check: dlq', 'check: dead-letters'));

    // Assess
    expect(error.message).toContain('steps[9].check');
    expect(error.message).toContain('expected "check" to be one of throttles, cold-starts');
  });

  it('rejects a threshold that is not a number', async () => {
    // Act
    const error = await loadText(
      'nan.yaml',
      shipped.replace('messages: { warn: 1, critical: 100 }', 'messages: { warn: one }'),
    );

    // Assess
    expect(error.message).toMatch(/steps\[9\]\.thresholds\.messages\.warn: .*expected number/i);
  });

  it('rejects two steps with the same id', async () => {
    // Act
    const error = await loadText('dup.yaml', shipped.replace('- id: cold-starts', '- id: throttles'));

    // Assess
    expect(error.message).toContain('steps[1].id: step id "throttles" is used twice');
  });

  it('reports YAML syntax errors with line and column', async () => {
    // Act
    const error = await loadText('syntax.yaml', 'apiVersion: gofn/v1\nsteps: [\n  - id: x\n');

    // Assess
    expect(error.code).toBe(ErrorCode.InvalidFile);
    expect(error.message).toMatch(/syntax\.yaml:\d+:\d+ is not valid YAML/);
  });

  it('says so when the file does not exist', async () => {
    // Act
    const error = await loadRunbook(path.join(dir, 'missing.yaml')).catch((e: GofnError) => e);

    // Assess
    expect(error).toBeInstanceOf(GofnError);
    expect((error as GofnError).message).toBe(`Runbook file ${path.join(dir, 'missing.yaml')} does not exist.`);
  });

  it('accepts a runbook with changed thresholds and wording without code changes', async () => {
    // Prepare
    const file = path.join(dir, 'custom.yaml');
    await writeFile(
      file,
      shipped
        .replace('title: Throttles', 'title: Throttling')
        .replace('warn: 0.1, critical: 1', 'warn: 5, critical: 50'),
    );

    // Act
    const runbook = await loadRunbook(file);

    // Assess
    const step = runbook.steps[0]!;
    expect(step.title).toBe('Throttling');
    if (step.check === 'throttles') expect(step.thresholds.throttledPercent).toEqual({ warn: 5, critical: 50 });
  });

  describe('steps of its own', () => {
    let example: string;
    beforeAll(async () => {
      example = await readFile(path.join(path.dirname(defaultRunbookPath()), 'examples', 'ledger-checks.yaml'), 'utf8');
    });

    it('loads the worked example: a metric-threshold step and a Logs Insights step beside built-in ones', async () => {
      // Act
      const runbook = await loadRunbook(
        path.join(path.dirname(defaultRunbookPath()), 'examples', 'ledger-checks.yaml'),
      );

      // Assess
      const metric = runbook.steps.find((s) => s.id === 'reconcile-backlog')!;
      const query = runbook.steps.find((s) => s.id === 'balance-mismatches')!;
      expect(metric.check).toBe('metric-threshold');
      if (metric.check === 'metric-threshold') {
        expect(metric.metric).toEqual({
          namespace: 'AWS/SQS',
          name: 'ApproximateNumberOfMessagesVisible',
          dimensions: { QueueName: '${function}-reconcile' },
          stat: 'Maximum',
        });
        expect(metric.compare).toBe('above');
      }
      expect(query.check).toBe('logs-insights');
      if (query.check === 'logs-insights') expect(query.aggregate).toBe('sum');
    });

    it('refuses a placeholder other than ${function} and ${alias}, on the line of the dimension', async () => {
      // Act
      const text = example.replace("QueueName: '${function}-reconcile'", "QueueName: '${fn}-reconcile'");
      const error = await loadText('placeholder.yaml', text);

      // Assess
      expect(error.message).toContain(
        `placeholder.yaml:${lineOf(text, "QueueName: '${fn}")}: steps[2].metric.dimensions.QueueName: unknown placeholder \${fn}; use \${function} or \${alias}`,
      );
    });

    it('refuses a Logs Insights step whose query never computes its field', async () => {
      // Act
      const text = example.replace('field: mismatches', 'field: mismatch_count');
      const error = await loadText('field.yaml', text);

      // Assess
      expect(error.message).toContain(
        `field.yaml:${lineOf(text, 'field: mismatch_count')}: steps[3].field: the query never names "mismatch_count"`,
      );
    });

    it('refuses thresholds out of the order compare grades them in', async () => {
      // Act
      const text = example.replace('value: { warn: 500, critical: 5000 }', 'value: { warn: 5000, critical: 500 }');
      const error = await loadText('order.yaml', text);

      // Assess
      expect(error.message).toContain(
        `order.yaml:${lineOf(text, 'value: { warn: 5000')}: steps[2].thresholds.value: warn (5000) is above critical (500); with compare: above, warn must not exceed critical`,
      );
    });

    it('accepts the same pair with compare: below (a smaller value is worse)', async () => {
      // Prepare
      const file = path.join(dir, 'below.yaml');
      await writeFile(
        file,
        example
          .replace('compare: above', 'compare: below')
          .replace('value: { warn: 500, critical: 5000 }', 'value: { warn: 5000, critical: 500 }'),
      );

      // Act
      const runbook = await loadRunbook(file);

      // Assess
      const step = runbook.steps.find((s) => s.id === 'reconcile-backlog')!;
      if (step.check === 'metric-threshold') expect(step.thresholds.value).toEqual({ warn: 5000, critical: 500 });
      expect(step.check).toBe('metric-threshold');
    });

    it('refuses a statistic CloudWatch does not have', async () => {
      // Act
      const text = example.replace('stat: Maximum', 'stat: Max');
      const error = await loadText('stat.yaml', text);

      // Assess
      expect(error.message).toContain(
        `stat.yaml:${lineOf(text, 'stat: Max')}: steps[2].metric.stat: expected Sum, Average, Minimum, Maximum, SampleCount or a percentile like p99`,
      );
    });
  });
});
