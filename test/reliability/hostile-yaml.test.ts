import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { ErrorCode, GofnError } from '../../src/errors';
import { defaultRunbookPath, loadRunbook } from '../../src/runbook/loader';
import { runbookSchema } from '../../src/runbook/schema';
import { defaultScenarioDir, loadScenarioFiles, loadScenarioTexts } from '../../src/sim/loader';
import { parseYamlText } from '../../src/yaml-file';
import { recordResult, repoPath, tally } from './support';

/**
 * Runbooks and scenarios are files people edit (and `--runbook FILE` / `--scenario FILE` take any
 * path). Whatever the bytes, loading ends in a valid runbook or fleet, or in one InvalidFile error
 * that names the file and says what is wrong: never another exception, never a stack trace.
 */
const RUNS = 10_000;
const NOW = new Date('2026-11-26T15:00:00Z');
const FILE = 'fuzzed.yaml';

const withoutComments = (text: string) =>
  text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line) && line.trim() !== '')
    .join('\n');

const shippedRunbook = withoutComments(readFileSync(defaultRunbookPath(), 'utf8'));
const smallRunbook = [
  'apiVersion: gofn/v1',
  'kind: Runbook',
  'name: small',
  'steps:',
  '  - id: throttles',
  '    title: Throttles',
  '    check: throttles',
  '    thresholds:',
  '      throttledPercent: { warn: 0.1, critical: 1 }',
  '      concurrencyPercent: { warn: 80, critical: 100 }',
  '    actions: [raise-concurrency]',
  '  - id: dlq',
  '    title: Dead-letter queue',
  '    check: dlq',
  '    thresholds:',
  '      messages: { warn: 1, critical: 100 }',
].join('\n');

const shippedScenario = withoutComments(readFileSync(path.join(defaultScenarioDir(), 'throttling.yaml'), 'utf8'));
const smallScenario = [
  'apiVersion: gofn/v1',
  'kind: Scenario',
  'name: small',
  'functions:',
  '  - name: fn-a',
  '    tags: { gofn:managed: "true" }',
  '    versions:',
  '      - { version: 1, publishedAt: -3d }',
  '      - { version: 2, publishedAt: -2d }',
  '    aliases: { live: 2 }',
  '    metrics:',
  '      baseline:',
  '        invocations: 100',
  '        duration: { p50: 50, p95: 100, p99: 200 }',
].join('\n');

/** Fragments that mean something to YAML: the likely slips and the known attacks. */
const yamlBits = fc.constantFrom(
  ': ',
  '- ',
  '&a ',
  '*a',
  '*undefined_alias',
  '!!binary ',
  '!!js/function "function(){}"',
  '!!python/object:os.system',
  '!<tag:yaml.org,2002:str> ',
  '{',
  '}',
  '[',
  ']',
  '"',
  "'",
  '\t',
  '\n  ',
  '\n',
  '#',
  '? ',
  '|',
  '>-',
  '%YAML 1.2\n---\n',
  '---\n',
  '...\n',
  '<<: *a',
  '~',
  '.nan',
  '-.inf',
  '1e400',
  '0x1F',
  '0o17',
  '9007199254740993',
  '__proto__: { polluted: true }',
  'constructor: { prototype: { polluted: true } }',
  '\u0000',
  '\ufeff',
  '\u2028',
);

type Edit =
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'number'; at: number; value: string }
  | { kind: 'duplicate-line'; at: number }
  | { kind: 'indent'; at: number; by: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(yamlBits, fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 6 })),
  }),
  fc.record({
    kind: fc.constant('number' as const),
    at: fc.nat(),
    value: fc.oneof(
      fc.double().map(String),
      fc.integer().map(String),
      fc.constantFrom('.nan', '.inf', '-1', '1e400', '"x"', '[]', '{}', '~', '-0', '1_000', '0.0000001'),
    ),
  }),
  fc.record({ kind: fc.constant('duplicate-line' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('indent' as const), at: fc.nat(), by: fc.integer({ min: -4, max: 4 }) }),
);

function applyEdits(text: string, edits: Edit[]): string {
  let out = text;
  for (const e of edits) {
    const at = e.at % Math.max(1, out.length);
    if (e.kind === 'delete') out = out.slice(0, at) + out.slice(at + e.length);
    else if (e.kind === 'insert') out = out.slice(0, at) + e.text + out.slice(at);
    else if (e.kind === 'number') out = out.slice(0, at) + out.slice(at).replace(/\d+(\.\d+)?/, e.value);
    else {
      const lines = out.split('\n');
      const i = e.at % lines.length;
      if (e.kind === 'duplicate-line') lines.splice(i, 0, lines[i]!);
      else lines[i] = e.by >= 0 ? ' '.repeat(e.by) + lines[i] : lines[i]!.replace(new RegExp(`^ {0,${-e.by}}`), '');
      out = lines.join('\n');
    }
  }
  return out;
}

/** Documents that attack the parser itself rather than the schema: each run once, they are slow by design. */
const attacks = [
  // Billion laughs: each alias doubles the size.
  [
    'a: &a ["x","x"]',
    ...Array.from(
      { length: 30 },
      (_, i) => `${String.fromCharCode(98 + (i % 24))}${i}: &a${i + 1} [*a${i || ''}, *a${i || ''}]`,
    ),
  ]
    .join('\n')
    .replace(/\*a0/g, '*a'),
  '['.repeat(20_000),
  '{a: '.repeat(5_000),
  `${'- '.repeat(3_000)}x`,
  `name: ${'x'.repeat(200_000)}`,
  `apiVersion: gofn/v1\nkind: Runbook\nname: x\nsteps:\n${'  - { id: a, title: A, check: profile }\n'.repeat(500)}`,
  'apiVersion: gofn/v1\napiVersion: gofn/v1\nkind: Runbook',
  '!!binary aGVsbG8=',
  '--- !!set\n? a\n? b',
  '&anchor\n*anchor',
  '\ufeffapiVersion: gofn/v1',
];

function documents(
  seeds: { full: string; small: string },
  extra: fc.Arbitrary<string>,
): fc.Arbitrary<[string, string]> {
  return fc.oneof(
    {
      weight: 2,
      arbitrary: fc
        .array(edit, { minLength: 1, maxLength: 4 })
        .map((e) => ['edits of the shipped file', applyEdits(seeds.full, e)] as [string, string]),
    },
    {
      weight: 10,
      arbitrary: fc
        .array(edit, { minLength: 1, maxLength: 4 })
        .map((e) => ['edits of a small valid file', applyEdits(seeds.small, e)] as [string, string]),
    },
    { weight: 1, arbitrary: extra.map((t) => ['generated structures', t] as [string, string]) },
    {
      weight: 3,
      arbitrary: fc.anything({ maxDepth: 4 }).map((v) => {
        try {
          return ['arbitrary values as YAML', stringify(v)] as [string, string];
        } catch {
          return ['arbitrary values as YAML', String(v)] as [string, string];
        }
      }),
    },
    {
      weight: 3,
      arbitrary: fc
        .oneof(
          fc.string({ maxLength: 200 }),
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('utf8')),
        )
        .map((t) => ['text and bytes', t] as [string, string]),
    },
  );
}

const checkNames = fc.constantFrom(
  'throttles',
  'cold-starts',
  'downstream-latency',
  'error-traces',
  'recent-deploy',
  'dlq',
  'profile',
  'Throttles',
  'unknown',
  '',
);
const generatedRunbook = fc
  .record(
    {
      apiVersion: fc.constantFrom('gofn/v1', 'gofn/v2', 1, undefined),
      kind: fc.constantFrom('Runbook', 'Scenario', undefined),
      name: fc.oneof(fc.string({ maxLength: 100 }), fc.constant(undefined)),
      steps: fc.array(
        fc.record(
          {
            id: fc.oneof(fc.stringMatching(/^[a-z][a-z0-9-]{0,45}$/), fc.string({ maxLength: 10 })),
            title: fc.string({ maxLength: 45 }),
            check: checkNames,
            thresholds: fc.dictionary(
              fc.constantFrom('throttledPercent', 'messages', 'p95Ms', 'x'),
              fc.dictionary(
                fc.constantFrom('warn', 'critical', 'ok'),
                fc.oneof(fc.double(), fc.string({ maxLength: 4 })),
              ),
            ),
            actions: fc.array(fc.constantFrom('rollback', 'replay-dlq', 'raise-concurrency', 'delete-function'), {
              maxLength: 4,
            }),
          },
          { requiredKeys: ['id', 'check'] },
        ),
        { maxLength: 22 },
      ),
    },
    { requiredKeys: [] },
  )
  .map((doc) => stringify(doc));

const generatedScenario = fc
  .record(
    {
      apiVersion: fc.constantFrom('gofn/v1', 'gofn/v2'),
      kind: fc.constantFrom('Scenario', 'Runbook'),
      name: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
      functions: fc.array(
        fc.record(
          {
            name: fc.oneof(fc.constantFrom('fn-a', 'fn-b'), fc.string({ maxLength: 70 })),
            versions: fc.array(
              fc.record({
                version: fc.oneof(fc.integer({ min: -2, max: 100 }), fc.string({ maxLength: 3 })),
                publishedAt: fc.constantFrom('-3d', '-1h', 'yesterday', '+1d', '-0m', '-99999d'),
              }),
              { maxLength: 4 },
            ),
            aliases: fc.dictionary(fc.constantFrom('live', 'beta', ''), fc.integer({ min: -1, max: 5 })),
            metrics: fc.record(
              {
                baseline: fc.record(
                  {
                    invocations: fc.oneof(fc.integer({ min: -10, max: 10_000_000 }), fc.double()),
                    errors: fc.constantFrom('1%', '200%', '-1%', 0.5, 'many'),
                    duration: fc.record({
                      p50: fc.integer({ min: -5, max: 1e6 }),
                      p95: fc.integer({ min: -5, max: 1e6 }),
                      p99: fc.integer({ min: -5, max: 1e6 }),
                    }),
                  },
                  { requiredKeys: [] },
                ),
              },
              { requiredKeys: [] },
            ),
          },
          { requiredKeys: ['name'] },
        ),
        { maxLength: 3 },
      ),
    },
    { requiredKeys: [] },
  )
  .map((doc) => stringify(doc));

type Outcome = 'loaded' | 'refused';

function assertClear(error: unknown): void {
  if (!(error instanceof GofnError)) throw new Error(`not a GofnError: ${String(error)}`);
  expect(error.code).toBe(ErrorCode.InvalidFile);
  expect(error.message).toContain(FILE);
  expect(error.message).not.toMatch(/\n\s+at /);
  expect(error.message.length).toBeLessThan(2000);
}

function runbookOutcome(text: string): Outcome {
  try {
    const runbook = parseYamlText(text, FILE, runbookSchema, 'runbook');
    expect(runbook.steps.length).toBeGreaterThanOrEqual(1);
    expect(new Set(runbook.steps.map((s) => s.id)).size).toBe(runbook.steps.length);
    return 'loaded';
  } catch (error) {
    assertClear(error);
    return 'refused';
  }
}

function scenarioOutcome(text: string): Outcome {
  try {
    const fleet = loadScenarioTexts([{ file: FILE, text }], { now: NOW });
    expect(fleet).toBeDefined();
    return 'loaded';
  } catch (error) {
    assertClear(error);
    return 'refused';
  }
}

let attackCount = 0;

describe('hostile YAML', () => {
  it('starts from files that load (the edits reach deep into the schema)', async () => {
    expect(runbookOutcome(shippedRunbook)).toBe('loaded');
    expect(runbookOutcome(smallRunbook)).toBe('loaded');
    expect(scenarioOutcome(shippedScenario)).toBe('loaded');
    expect(scenarioOutcome(smallScenario)).toBe('loaded');
    expect((await loadRunbook()).steps.length).toBeGreaterThan(0);
  });

  it('loads or clearly refuses documents that attack the parser: alias bombs, deep nesting, huge values', () => {
    // Act
    const outcomes = attacks.map((text) => [runbookOutcome(text), scenarioOutcome(text)]);

    // Assess
    expect(outcomes.flat().every((o) => o === 'loaded' || o === 'refused')).toBe(true);
    attackCount = attacks.length;
  });

  it(`loads or clearly refuses ${RUNS.toLocaleString('en')} generated runbooks`, () => {
    // Prepare
    const started = Date.now();
    const counts: Record<string, number> = {};

    // Act + Assess
    fc.assert(
      fc.property(documents({ full: shippedRunbook, small: smallRunbook }, generatedRunbook), ([kind, text]) => {
        tally(counts, kind);
        tally(counts, runbookOutcome(text));
      }),
      { numRuns: RUNS, seed: 20260705 },
    );

    // Assess
    expect(counts.loaded).toBeGreaterThan(0);
    expect(counts.refused).toBeGreaterThan(0);
    recordResult('hostile-runbook-yaml', {
      test: 'Runbook YAML',
      file: repoPath(__filename),
      group: 'hostile input',
      tried: `${RUNS.toLocaleString('en')} generated runbooks: 1 to 4 edits (deletions, YAML tokens and tags, numbers, duplicated lines, indentation) of the shipped and of a small runbook, generated structures, arbitrary values, text and bytes, alias bombs, deep nesting, 200 KB values`,
      inputs: RUNS + attackCount,
      lost: 0,
      duplicated: 0,
      details: { ...counts, 'parser attacks (aliases, nesting, size), once each': attackCount, 'other exceptions': 0 },
      durationMs: Date.now() - started,
    });
  });

  it(`loads or clearly refuses ${RUNS.toLocaleString('en')} generated scenarios`, () => {
    // Prepare
    const started = Date.now();
    const counts: Record<string, number> = {};

    // Act + Assess
    fc.assert(
      fc.property(documents({ full: shippedScenario, small: smallScenario }, generatedScenario), ([kind, text]) => {
        tally(counts, kind);
        tally(counts, scenarioOutcome(text));
      }),
      { numRuns: RUNS, seed: 20260706 },
    );

    // Assess
    expect(counts.loaded).toBeGreaterThan(0);
    expect(counts.refused).toBeGreaterThan(0);
    recordResult('hostile-scenario-yaml', {
      test: 'Scenario YAML',
      file: repoPath(__filename),
      group: 'hostile input',
      tried: `${RUNS.toLocaleString('en')} generated scenarios: 1 to 4 edits of a shipped and of a small scenario, generated structures (bad versions, aliases, times, rates), arbitrary values, text and bytes, alias bombs, deep nesting, 200 KB values`,
      inputs: RUNS + attackCount,
      lost: 0,
      duplicated: 0,
      details: { ...counts, 'parser attacks (aliases, nesting, size), once each': attackCount, 'other exceptions': 0 },
      durationMs: Date.now() - started,
    });
  });

  it('refuses files that are missing, directories or over 1 MB with a sentence', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gofn-reliability-'));
    try {
      const big = path.join(dir, 'big.yaml');
      writeFileSync(big, `name: ${'x'.repeat(1024 * 1024)}`);
      for (const file of [path.join(dir, 'missing.yaml'), dir, big]) {
        await expect(loadRunbook(file)).rejects.toMatchObject({ code: ErrorCode.InvalidFile });
        await expect(loadScenarioFiles([file], { now: NOW })).rejects.toMatchObject({ code: ErrorCode.InvalidFile });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
