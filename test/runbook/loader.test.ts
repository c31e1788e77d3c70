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

describe('loadRunbook', () => {
  it('loads the shipped runbook with the seven steps in DESIGN order and their thresholds', async () => {
    // Act
    const runbook = await loadRunbook();

    // Assess
    expect(runbook.steps.map((s) => s.id)).toEqual([
      'throttles',
      'cold-starts',
      'downstream-latency',
      'error-traces',
      'recent-deploy',
      'dlq',
      'profile',
    ]);
    const throttles = runbook.steps[0]!;
    expect(throttles.check).toBe('throttles');
    expect(throttles.actions).toEqual(['raise-concurrency']);
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
      /typo\.yaml:\d+: steps\[0\]\.thresholds\.throttledPercent: Unrecognized key: "critcal"/,
    );
    expect(error.message).toContain('not a valid runbook');
  });

  it('lists the known checks when a step names one that does not exist', async () => {
    // Act
    const error = await loadText('check.yaml', shipped.replace('check: dlq', 'check: dead-letters'));

    // Assess
    expect(error.message).toContain('steps[5].check');
    expect(error.message).toContain('expected "check" to be one of throttles, cold-starts');
  });

  it('rejects a threshold that is not a number', async () => {
    // Act
    const error = await loadText(
      'nan.yaml',
      shipped.replace('messages: { warn: 1, critical: 100 }', 'messages: { warn: one }'),
    );

    // Assess
    expect(error.message).toMatch(/steps\[5\]\.thresholds\.messages\.warn: .*expected number/i);
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
});
