import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PRICE_TABLE } from '../../src/prices';
import { runCli } from '../support/cli';

const ROOT = path.resolve(__dirname, '..', '..');
const SCENARIOS = path.join(ROOT, 'runbooks', 'scenarios');

describe('gofn cost on the simulated fleet', () => {
  it('prints a table most expensive first, with each item, the month, the 30 days and the advice', async () => {
    // Act
    const run = await runCli(['cost', '--scenario', SCENARIOS]);

    // Assess
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(
      /^cost {2}every managed function · us-east-1 · last 30 days \(\w{3} \d+ – \w{3} \d+ UTC\) and a month at the last 7 days' rate · simulated$/,
    );
    expect(lines[2]).toMatch(
      /^ {2}function +requests +compute +prov\. +logs +x-ray +month +30 days +memory {2}advice$/,
    );
    expect(lines[3]).toMatch(/^ {2}orders-api +\$\d+\.\d\d +\$\d+\.\d\d +— +\$\d+\.\d\d .*logs cost more than compute/);
    expect(lines[4]).toMatch(/^ +max used 212 MB → 320 MB saves up to \$\d+\.\d\d\/mo \(risk medium\)$/);
    expect(run.stdout).toMatch(/\n {2}total +\$/);
    expect(run.stdout).toContain('Billed by Cost Explorer over the same days, by tag service:');
    expect(run.stdout).toContain('Compute Optimizer, beside gofn:');
    expect(run.stdout).toMatch(/read in \d+\.\d s · 10 simulated AWS requests\n$/);
  });

  it('explains each amount with its formula and prices', async () => {
    // Act
    const run = await runCli(['cost', 'orders-api', '--explain', '--scenario', SCENARIOS]);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('How each amount is computed');
    expect(run.stdout).toMatch(/ {4}requests +[\d,]+ requests × \$0\.20\/1M = \$/);
    expect(run.stdout).toMatch(
      / {4}compute +\([\d,]+ s handler \+ [\d,]+ s init\) × 1 GB = [\d,]+ GB-s × \$0\.0000133334\/GB-s \(arm64\)/,
    );
    expect(run.stdout).toMatch(
      / {4}sizing +peak 212 MB over [\d,]+ invocations in 7 days, \+ 30% headroom → 320 MB; risk medium/,
    );
  });

  it('prints the report as JSON with the prices it used', async () => {
    // Act
    const run = await runCli(['cost', 'service=orders', '--json', '--scenario', SCENARIOS]);

    // Assess
    const report = JSON.parse(run.stdout) as {
      selection: string;
      prices: { date: string; region: string; fallback: string | null };
      functions: { function: string; items: Record<string, { window: number; month: number } | null> }[];
    };
    expect(report.selection).toBe('service=orders');
    expect(report.prices).toMatchObject({ date: PRICE_TABLE.date, region: 'us-east-1', fallback: null });
    expect(report.functions.map((f) => f.function)).toEqual(['orders-api', 'orders-worker']);
    expect(Object.keys(report.functions[0]!.items)).toEqual(['requests', 'compute', 'provisioned', 'logs', 'xray']);
  });

  it('takes another price table from a file, starting from the built-in one it prints', async () => {
    // Prepare: the printed table, with Lambda logs at twice the price.
    const printed = JSON.parse((await runCli(['cost', '--show-prices'])).stdout) as typeof PRICE_TABLE;
    expect(printed).toEqual(PRICE_TABLE);
    const dir = await mkdtemp(path.join(tmpdir(), 'gofn-prices-'));
    const file = path.join(dir, 'prices.json');
    const regions = { 'us-east-1': { ...printed.regions['us-east-1']!, logsIngestionPerGb: 1 } };
    await writeFile(file, JSON.stringify({ ...printed, date: '2027-01-15', regions }));

    // Act
    const base = JSON.parse((await runCli(['cost', 'orders-api', '--json', '--scenario', SCENARIOS])).stdout);
    const dear = JSON.parse(
      (await runCli(['cost', 'orders-api', '--json', '--prices', file, '--scenario', SCENARIOS])).stdout,
    );

    // Assess
    expect(dear.prices.date).toBe('2027-01-15');
    expect(dear.functions[0].items.logs.window).toBeCloseTo(2 * base.functions[0].items.logs.window, 6);
  });

  it('answers a typo, a bad target or option with one sentence and exit 3', async () => {
    // Act
    const typo = await runCli(['cost', 'ordrs-api', '--scenario', SCENARIOS]);
    const target = await runCli(['cost', 'service=', '--scenario', SCENARIOS]);
    const days = await runCli(['cost', '--days', '400', '--scenario', SCENARIOS]);

    // Assess
    expect(typo).toMatchObject({
      code: 3,
      stderr: 'gofn: no function "ordrs-api" in us-east-1. Did you mean orders-api?\n',
    });
    expect(target.stderr).toBe(
      'gofn: "service=" does not name a service; use service=<value of the service tag>, like service=orders.\n',
    );
    expect(days.stderr).toBe('gofn: --days "400" is not a whole number from 1 to 90.\n');
  });
});

describe('gofn test with cost expectations', () => {
  it('checks the flags and the suggested size, and says what differed', async () => {
    // Prepare
    const dir = await mkdtemp(path.join(tmpdir(), 'gofn-cost-test-'));
    const file = path.join(dir, 'orders.yaml');
    await writeFile(
      file,
      [
        'apiVersion: gofn/v1',
        'kind: RunbookTest',
        `scenarios: [${JSON.stringify(path.join(SCENARIOS, 'throttling.yaml'))}]`,
        'tests:',
        '  - function: orders-api',
        '    expect:',
        '      cost: { flags: [logs-over-compute], suggestedMemoryMb: 512 }',
      ].join('\n'),
    );

    // Act
    const run = await runCli(['test', file, '--no-color']);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      '  orders-api: cost flags: expected logs-over-compute, got logs-over-compute, memory-far-above-use\n',
    );
    expect(run.stdout).toContain('  orders-api: suggested memory: expected 512, got 320\n');
  });
});
