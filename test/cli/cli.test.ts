import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { statusRank } from '../../src/checks/grade';
import type { StepStatus } from '../../src/checks/types';
import { afterPrefix } from '../../src/cli/common';
import { runCli } from '../support/cli';

const ROOT = path.resolve(__dirname, '..', '..');
const SCENARIOS = path.join(ROOT, 'runbooks', 'scenarios');

describe('gofn status on the simulated fleet', () => {
  it('diagnoses a throttled function: verdict first, exit 2 for critical', async () => {
    // Act
    const run = await runCli(['status', 'orders-api', '--scenario', SCENARIOS]);

    // Assess
    expect(run.code).toBe(2);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^orders-api {2}live → v42 · us-east-1 · last 1h/);
    expect(lines[1]).toMatch(/^CRITICAL {2}Throttles: reserved concurrency 100 is saturated since \d\d:\d\d\./);
    expect(run.stdout).toContain('gofn concurrency orders-api 200');
  });

  it('prints one JSON object with the documented fields', async () => {
    // Act
    const run = await runCli(['status', 'payments-api', '--scenario', SCENARIOS, '--json']);

    // Assess
    const report = JSON.parse(run.stdout) as Record<string, unknown> & {
      steps: Record<string, unknown>[];
      window: { start: string; end: string };
    };
    expect(run.code).toBe(2);
    expect(report).toMatchObject({
      function: 'payments-api',
      region: 'us-east-1',
      alias: 'live',
      status: 'critical',
      primaryCause: 'recent-deploy',
    });
    expect(new Date(report.window.end).getTime() - new Date(report.window.start).getTime()).toBe(3_600_000);
    for (const step of report.steps) {
      expect(Object.keys(step)).toEqual(
        expect.arrayContaining(['id', 'title', 'status', 'summary', 'evidence', 'recommendation', 'actions']),
      );
    }
    expect(report.awsCalls).toMatchObject({ 'CloudWatch:GetMetricData': 1 });
    expect(typeof report.durationMs).toBe('number');
  });

  it('exits 0 for a healthy function and 3 with one sentence for an unknown one', async () => {
    // Act
    const healthy = await runCli(['status', 'catalog-api', '--scenario', SCENARIOS]);
    const typo = await runCli(['status', 'ordrs-api', '--scenario', SCENARIOS]);

    // Assess
    expect(healthy.code).toBe(0);
    expect(typo.code).toBe(3);
    expect(typo.stderr).toBe('gofn: no function "ordrs-api" in us-east-1. Did you mean orders-api?\n');
  });

  it('lists the fleet worst first with --json functions[]', async () => {
    // Act
    const run = await runCli(['status', '--scenario', SCENARIOS, '--json']);

    // Assess
    const fleet = JSON.parse(run.stdout) as { functions: { function: string; status: string }[] };
    expect(fleet.functions.map((f) => f.function).sort()).toEqual(
      [
        'audit-api',
        'billing-events',
        'billing-worker',
        'catalog-api',
        'checkout-api',
        'clicks-consumer',
        'cron-cleanup',
        'emails-worker',
        'inventory-api',
        'ledger-api',
        'ledger-sync',
        'orders-api',
        'orders-worker',
        'payments-api',
        'payouts-worker',
        'pricing-api',
        'profile-api',
        'quotes-api',
        'report-api',
        'reports-worker',
        'search-api',
        'storefront-api',
        'thumbnailer',
      ].sort(),
    );
    // Graded on what metrics show: the slow downstream, the throttling, the two cold-start surges
    // and the DLQ backlogs are critical; error rates, the canary's slowness through the alias and
    // a smaller DLQ backlog are warnings; then the quiet one.
    const statuses = fleet.functions.map((f) => f.status);
    expect(statuses).toEqual([...statuses].sort((a, b) => rank(b) - rank(a)));
    expect(
      fleet.functions
        .filter((f) => f.status === 'critical')
        .map((f) => f.function)
        .sort(),
    ).toEqual([
      'billing-events',
      'billing-worker',
      'checkout-api',
      'clicks-consumer',
      'ledger-api',
      'orders-api',
      'orders-worker',
      'profile-api',
      'search-api',
    ]);
    expect(
      fleet.functions
        .filter((f) => f.status === 'warn')
        .map((f) => f.function)
        .sort(),
    ).toEqual(['inventory-api', 'payments-api', 'payouts-worker', 'pricing-api', 'quotes-api', 'thumbnailer']);
    expect(fleet.functions.find((f) => f.function === 'reports-worker')?.status).toBe('no-traffic');
  });
});

function rank(status: string): number {
  return statusRank(status as StepStatus);
}

describe('bad input', () => {
  it('refuses a window that is not a duration, naming the accepted forms', async () => {
    // Act
    const run = await runCli(['status', 'orders-api', '--window', '90x', '--scenario', SCENARIOS]);

    // Assess
    expect(run.code).toBe(3);
    expect(run.stderr).toBe('gofn: --window "90x" is not a duration; use 15m, 1h, 3h or 1d.\n');
  });

  it('reports an unreadable runbook with the file and path, never a stack trace', async () => {
    // Prepare
    const dir = await mkdtemp(path.join(tmpdir(), 'gofn-cli-'));
    const file = path.join(dir, 'bad.yaml');
    await writeFile(
      file,
      'apiVersion: gofn/v1\nkind: Runbook\nname: x\nsteps:\n  - id: throttles\n    title: T\n    check: throttles\n    thresholds: { throttledPercent: { warn: high } }\n',
    );

    // Act
    const run = await runCli(['status', 'orders-api', '--runbook', file, '--scenario', SCENARIOS]);

    // Assess
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      new RegExp(
        `^gofn: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:8: steps\\[0\\]\\.thresholds\\.throttledPercent\\.warn: `,
      ),
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('goes on in lower case after "gofn: ", like the other messages', async () => {
    // Prepare
    const missing = path.join(tmpdir(), 'gofn-no-such-runbook.yaml');

    // Act
    const run = await runCli(['status', 'orders-api', '--runbook', missing, '--scenario', SCENARIOS]);

    // Assess
    expect(run.code).toBe(3);
    expect(run.stderr).toBe(`gofn: runbook file ${missing} does not exist.\n`);
  });

  it('keeps the capital of a name that starts a message', () => {
    expect(afterPrefix('The alias changed.')).toBe('the alias changed.');
    expect(afterPrefix('Lambda GetAccountSettings returned no concurrency limits.')).toBe(
      'Lambda GetAccountSettings returned no concurrency limits.',
    );
    expect(afterPrefix('CloudWatch Logs StartQuery returned no query id.')).toBe(
      'CloudWatch Logs StartQuery returned no query id.',
    );
    expect(afterPrefix('No AWS region is configured.')).toBe('no AWS region is configured.');
    expect(afterPrefix('X-Ray returned an empty service graph.')).toBe('X-Ray returned an empty service graph.');
  });

  it('rejects a mistyped option with exit 3 and a suggestion', async () => {
    // Act
    const run = await runCli(['status', 'orders-api', '--windw', '1h']);

    // Assess
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^gofn: unknown option '--windw'/);
    expect(run.stderr).toContain('--window');
  });

  it('prints the JSON error object with --json', async () => {
    // Act
    const run = await runCli(['status', 'nope', '--scenario', SCENARIOS, '--json']);

    // Assess
    expect(JSON.parse(run.stdout)).toEqual({
      error: { code: 'gofn_not_found', message: 'no function "nope" in us-east-1.' },
    });
  });

  it.each([
    ['an unknown option', ['status', 'orders-api', '--json', '--bogus'], "unknown option '--bogus'."],
    [
      'an extra argument',
      ['status', 'a', 'b', '--json'],
      "too many arguments for 'status'. Expected 1 argument but got 2.",
    ],
    [
      'a missing option value',
      ['status', 'orders-api', '--json', '--window'],
      "option '--window <duration>' argument missing.",
    ],
    ['a missing argument', ['rollback', '--json'], "missing required argument 'function'."],
  ])('puts the JSON error object on stdout for %s with --json, exit 3', async (_, args, sentence) => {
    // Act
    const run = await runCli(args);

    // Assess
    expect(run.code).toBe(3);
    expect(run.stderr).toBe(`gofn: ${sentence}\n`);
    expect(JSON.parse(run.stdout)).toEqual({ error: { code: 'gofn_invalid_input', message: sentence } });
  });

  it('leaves stdout empty for a usage error without --json, or where --json is the value of another option', async () => {
    // Act
    const plain = await runCli(['status', 'orders-api', '--bogus']);
    const asValue = await runCli(['status', 'orders-api', '--alias', '--json', '--bogus']);

    // Assess
    expect([plain.code, asValue.code]).toEqual([3, 3]);
    expect(plain.stdout).toBe('');
    expect(asValue.stdout).toBe('');
    expect(asValue.stderr).toBe("gofn: unknown option '--bogus'.\n");
  });
});

describe('gofn demo and gofn test', () => {
  it('the demo shows the fleet, walks the two worst functions of different causes and the canary in progress, then the costs', async () => {
    // Act
    const run = await runCli(['demo', '--no-color']);

    // Assess
    expect(run.code).toBe(0);
    const commands = run.stdout.split('\n').filter((l) => l.startsWith('$ gofn'));
    // What the demo shows as typed runs on the same simulated fleet when pasted.
    expect(commands).toEqual([
      '$ gofn status --scenario runbooks/scenarios',
      '$ gofn status orders-api --scenario runbooks/scenarios',
      '$ gofn status profile-api --scenario runbooks/scenarios',
      '$ gofn status pricing-api --scenario runbooks/scenarios',
      '$ gofn cost --scenario runbooks/scenarios',
    ]);
    const suggested = run.stdout.split('\n').filter((l) => /^(Run: |      or )/.test(l));
    expect(suggested.length).toBeGreaterThan(0);
    expect(suggested.every((l) => l.endsWith(' --scenario runbooks/scenarios'))).toBe(true);
    // Worst first, then the most signals at that status: throttled, saturated and slow, then slow
    // alone (the slow downstream).
    expect(run.stdout).toMatch(/listed in \d+\.\d s \(simulated AWS latency\) · \d+ simulated AWS requests/);
    expect(run.stdout).toContain('CRITICAL  Downstream latency: DynamoDB is slow: p95 1.4 s');
    expect(run.stdout).toContain('CRITICAL  Throttles: reserved concurrency 100 is saturated');
    expect(run.stdout).toMatch(
      / {2}✖ recent deploy +canary: v13 takes 10% since \d\d:\d\d \(CodeDeploy d-8RT1CNRY1, Canary10Percent30Minutes\) · errors v13 \d\.\d% vs v12 0\.\d+% · p99 v13 3\.\d s vs v12 3\d\d ms/,
    );
    expect(run.stdout).toMatch(
      /^Run: {2}stop the canary, keep v12 +gofn rollback pricing-api --scenario runbooks\/scenarios$/m,
    );
    expect(run.stdout).toMatch(/\n {2}orders-api +\$[\d.,]+ .*logs cost more than compute/);
    const footers = run.stdout.split('\n').filter((l) => l.startsWith('diagnosed in '));
    expect(footers).toEqual([
      expect.stringMatching(/^diagnosed in \d+\.\d s \(simulated AWS latency\) · \d+ simulated AWS requests$/),
      expect.stringMatching(/^diagnosed in \d+\.\d s \(simulated AWS latency\) · \d+ simulated AWS requests$/),
      expect.stringMatching(/^diagnosed in \d+\.\d s \(simulated AWS latency\) · \d+ simulated AWS requests$/),
    ]);
  }, 30_000);

  it('passes every shipped runbook test', async () => {
    // Act
    const run = await runCli(['test']);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('17 files, 23 functions, 0 failed, 0 could not run');
  });

  it('says what was wrong and what to do for a test path that does not exist, exit 3', async () => {
    // Prepare
    const missing = path.join(tmpdir(), 'gofn-no-such-tests');

    // Act
    const run = await runCli(['test', missing]);

    // Assess
    expect(run.code).toBe(3);
    expect(run.stderr).toBe(
      `gofn: test path ${missing} does not exist. Pass runbook test files (.yaml) or directories that hold them; nothing was tested.\n`,
    );
  });

  it('does not pass when a directory holds nothing to test, exit 3', async () => {
    // Prepare
    const dir = await mkdtemp(path.join(tmpdir(), 'gofn-rt-empty-'));

    // Act
    const run = await runCli(['test', dir]);

    // Assess
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`gofn: directory ${dir} holds no runbook tests (.yaml files).`);
  });

  it('fails with what differed when an expectation is wrong, exit 1', async () => {
    // Prepare
    const dir = await mkdtemp(path.join(tmpdir(), 'gofn-rt-'));
    const file = path.join(dir, 'wrong.yaml');
    await writeFile(
      file,
      `apiVersion: gofn/v1\nkind: RunbookTest\nscenarios: [${path.join(SCENARIOS, 'throttling.yaml')}]\ntests:\n  - function: orders-api\n    expect:\n      primaryCause: dlq\n      steps: { throttles: ok }\n`,
    );

    // Act
    const run = await runCli(['test', file]);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('orders-api: primary cause: expected dlq, got throttles');
    expect(run.stdout).toContain('orders-api: step throttles: expected ok, got critical');
    expect(run.stdout).toContain('\n1 file, 1 function, 1 failed, 0 could not run\n');
  });
});

describe('actions from the terminal', () => {
  it('shows the plan and refuses to act without --yes on a non-interactive input', async () => {
    // Act
    const run = await runCli(['rollback', 'payments-api', '--scenario', SCENARIOS]);

    // Assess
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('Plan: payments-api: alias live v17 → v16');
    expect(run.stderr).toContain('Pass --yes to run it from a script.');
  });

  it('rolls back with --yes and verifies', async () => {
    // Act
    const run = await runCli(['rollback', 'payments-api', '--scenario', SCENARIOS, '--yes']);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^✔ rolled payments-api back: live v17 → v16 \(verified/);
  });

  it('keeps where the rollback target came from: the last deployment, or the person with --to', async () => {
    // Act
    const planned = await runCli(['rollback', 'payments-api', '--scenario', SCENARIOS, '--yes', '--json']);
    const asked = await runCli(['rollback', 'payments-api', '--scenario', SCENARIOS, '--yes', '--json', '--to', '15']);

    // Assess
    const plan = (run: { stdout: string }) => (JSON.parse(run.stdout) as { plan: Record<string, unknown> }).plan;
    expect(plan(planned)).toMatchObject({ toVersion: '16', targetSource: 'deployment' });
    expect(plan(asked)).toMatchObject({ toVersion: '15', targetSource: 'requested' });
  });

  it('asks on a TTY and changes nothing when the answer is no', async () => {
    // Act
    const run = await runCli(['concurrency', 'orders-api', '200', '--scenario', SCENARIOS], {
      tty: true,
      stdin: 'n\n',
    });

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Plan: orders-api: reserved concurrency 100 → 200');
    expect(run.stderr).toContain('Nothing was changed.');
  });

  it('lowers reserved concurrency, removes it with none, and says which it did', async () => {
    // Act
    const lowered = await runCli(['concurrency', 'billing-worker', '4', '--scenario', SCENARIOS, '--yes']);
    const removed = await runCli(['concurrency', 'billing-worker', 'none', '--scenario', SCENARIOS, '--yes', '--json']);

    // Assess
    expect(lowered.code).toBe(0);
    expect(lowered.stderr).toContain('Plan: billing-worker: reserved concurrency 10 → 4');
    expect(lowered.stdout).toBe('✔ lowered reserved concurrency of billing-worker: 10 → 4\n');
    expect(removed.code).toBe(0);
    expect(JSON.parse(removed.stdout)).toMatchObject({
      status: 'succeeded',
      plan: { kind: 'lower-concurrency', from: 10, to: null },
      after: { reservedConcurrency: null },
    });
  });

  it("sets a mapping's MaximumConcurrency by its queue's name, and turns the mapping on and off", async () => {
    // Act
    const capped = await runCli([
      'source-concurrency',
      'billing-worker',
      'billing-invoices',
      '10',
      '--scenario',
      SCENARIOS,
      '--yes',
    ]);
    const on = await runCli(['source', 'emails-worker', 'emails-outbox', 'on', '--scenario', SCENARIOS, '--yes']);
    const off = await runCli(['source', 'emails-worker', 'emails-outbox', 'off', '--scenario', SCENARIOS, '--yes']);

    // Assess
    expect(capped.code).toBe(0);
    expect(capped.stdout).toBe(
      '✔ set MaximumConcurrency of the mapping from billing-invoices (billing-worker): 50 → 10\n',
    );
    expect(on.stdout).toBe('✔ turned on the mapping from emails-outbox to emails-worker (Enabled)\n');
    // Each command starts from the scenario as written: there the mapping is off already.
    expect(off.code).toBe(1);
    expect(off.stdout).toBe('▲ The mapping from emails-outbox is already disabled. Nothing was changed.\n');
  });

  it('refuses arguments it cannot read before opening anything, exit 3', async () => {
    // Act
    const runs = await Promise.all([
      runCli(['concurrency', 'billing-worker', 'lots', '--scenario', SCENARIOS, '--yes']),
      runCli(['source-concurrency', 'billing-worker', 'billing-invoices', 'ten', '--scenario', SCENARIOS, '--yes']),
      runCli(['source', 'emails-worker', 'emails-outbox', 'maybe', '--scenario', SCENARIOS, '--yes']),
    ]);

    // Assess
    expect(runs.map((r) => r.code)).toEqual([3, 3, 3]);
    expect(runs.map((r) => r.stderr)).toEqual([
      'gofn: "lots" is not a whole number of concurrent executions; use a number, or none to remove it.\n',
      'gofn: "ten" is not a MaximumConcurrency; use a whole number from 2 to 1000, or none.\n',
      'gofn: "maybe" is neither on nor off.\n',
    ]);
  });

  it('refuses reserved concurrency above the account headroom, exit 1', async () => {
    // Act
    const run = await runCli([
      'concurrency',
      'orders-api',
      '5000',
      '--scenario',
      SCENARIOS,
      '--yes',
      '--max-concurrency',
      '10000',
    ]);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(
      // The shipped scenarios reserve 100 (orders-api), 10 (billing-worker) and 5 (checkout-api) of 1,000.
      '▲ The account has room for at most 735 reserved for orders-api: 735 unreserved, less the 100 Lambda keeps free, ' +
        'plus the 100 orders-api reserves now. Nothing was changed.\n',
    );
  });

  it('takes the cap on reserved concurrency from GOFN_MAX_CONCURRENCY, which --max-concurrency overrides', async () => {
    // Act
    const args = ['concurrency', 'orders-api', '300', '--scenario', SCENARIOS, '--yes'];
    const capped = await runCli(args, { env: { GOFN_MAX_CONCURRENCY: '250' } });
    const overridden = await runCli([...args, '--max-concurrency', '400'], { env: { GOFN_MAX_CONCURRENCY: '250' } });
    const help = await runCli(['concurrency', '--help']);

    // Assess
    expect(capped.code).toBe(1);
    expect(capped.stdout).toBe(
      "▲ 300 is above gofn's configured maximum of 250 reserved for one function. Nothing was changed.\n",
    );
    expect(overridden.code).toBe(0);
    expect(help.stdout).toMatch(
      /--max-concurrency <n>\s+refuse to set more than this\s+\(default:\s+GOFN_MAX_CONCURRENCY/,
    );
  });

  it('refuses a cap on reserved concurrency that is not a whole number above 0, exit 3', async () => {
    // Act
    const args = ['concurrency', 'orders-api', '300', '--scenario', SCENARIOS, '--yes'];
    const fromEnv = await runCli(args, { env: { GOFN_MAX_CONCURRENCY: 'lots' } });
    const fromFlag = await runCli([...args, '--max-concurrency', 'abc']);
    const overridden = await runCli([...args, '--max-concurrency', '400'], { env: { GOFN_MAX_CONCURRENCY: 'lots' } });
    const rollback = await runCli(['rollback', 'payments-api', '--scenario', SCENARIOS, '--yes'], {
      env: { GOFN_MAX_CONCURRENCY: 'lots' },
    });

    // Assess: a bad setting stops only the command that would use it
    expect([fromEnv.code, fromFlag.code, overridden.code, rollback.code]).toEqual([3, 3, 0, 0]);
    expect(fromEnv.stderr).toBe('gofn: configuration GOFN_MAX_CONCURRENCY: expected a whole number above 0.\n');
    expect(fromFlag.stderr).toBe('gofn: --max-concurrency "abc" is not a whole number above 0.\n');
  });

  it('replays a DLQ and reports what moved', async () => {
    // Act
    const run = await runCli(['replay-dlq', 'orders-worker', '--scenario', SCENARIOS, '--yes', '--rate', '500']);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('Plan: move 1,240 messages from orders-dlq to orders');
    expect(run.stdout).toMatch(/^✔ replayed 1,240 of 1,240 messages from orders-dlq/);
  });
});

describe('the CLI as a newcomer meets it', () => {
  it('takes Ctrl-D at the confirmation as a no, and says so', async () => {
    // Act: a terminal whose input ends without an answer
    const run = await runCli(['rollback', 'payments-api', '--scenario', SCENARIOS], { tty: true, stdin: '' });

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('No answer (end of input); nothing was changed.');
  });

  it('lists what each exit code of an action means in --help', async () => {
    // Act
    const run = await runCli(['rollback', '--help']);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /Exit codes: 0 done; 1 nothing changed .* 2 it was tried and failed; 3 it could not start/s,
    );
  });

  it.each([
    ['status', ['status', 'orders-api']],
    ['an action', ['concurrency', 'orders-api', '200', '--yes', '--table', 'gofn']],
  ])('refuses a --region that is not one, for %s, before any AWS call', async (_what, args) => {
    // Act
    const run = await runCli([...args, '--region', 'us-east-1; rm'], {
      env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:9' },
    });

    // Assess
    expect(run.code).toBe(3);
    expect(run.stderr).toBe('gofn: --region "us-east-1; rm" is not an AWS region; use a name like us-east-1.\n');
  });

  it('gofn audit takes --scenario like every command', async () => {
    // Act
    const run = await runCli(['audit', 'payments-api', '--scenario', SCENARIOS]);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      'No recorded actions on payments-api (a simulated fleet keeps its record only while one command runs).\n',
    );
  });

  it('gofn test --runbook tests another runbook against the shipped tests', async () => {
    // Prepare: the shipped runbook, made lenient about throttles
    const dir = await mkdtemp(path.join(tmpdir(), 'gofn-runbook-'));
    const lenient = path.join(dir, 'lenient.yaml');
    const shipped = await readFile(path.join(ROOT, 'runbooks', 'degraded-function.yaml'), 'utf8');
    await writeFile(
      lenient,
      shipped
        .replace('throttledPercent: { warn: 0.1, critical: 1 }', 'throttledPercent: { warn: 90, critical: 99 }')
        .replace('concurrencyPercent: { warn: 80, critical: 100 }', 'concurrencyPercent: { warn: 190, critical: 200 }'),
    );
    const throttling = path.join(ROOT, 'runbooks', 'tests', 'throttling.yaml');

    // Act
    const shippedRun = await runCli(['test', throttling]);
    const lenientRun = await runCli(['test', throttling, '--runbook', lenient]);
    const missing = await runCli(['test', throttling, '--runbook', path.join(dir, 'nope.yaml')]);

    // Assess
    expect(shippedRun.code).toBe(0);
    expect(lenientRun.code).toBe(1);
    expect(lenientRun.stdout).toMatch(/step throttles: expected critical, got ok/);
    expect(missing.code).toBe(3);
    expect(missing.stdout).toMatch(/ERROR .*throttling\.yaml: .*nope\.yaml/);
  });
});

describe('a canary as the terminal shows it', () => {
  it("names the canary's share in the header, beside the stable version", async () => {
    // Act
    const run = await runCli(['status', 'pricing-api', '--scenario', SCENARIOS, '--no-color']);

    // Assess
    expect(run.stdout.split('\n')[0]).toMatch(/^pricing-api {2}live → v12, v13 takes 10% · us-east-1 · /);
  });
});

describe('rollback --to', () => {
  it('refuses a version that does not exist at the plan, naming the newest there are, and changes nothing', async () => {
    // Act
    const missing = await runCli(['rollback', 'payments-api', '--scenario', SCENARIOS, '--to', '99', '--yes']);
    const word = await runCli(['rollback', 'payments-api', '--scenario', SCENARIOS, '--to', 'abc', '--yes']);

    // Assess
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe(
      '▲ payments-api has no published version 99; the newest are 17, 16, 15. Nothing was changed.\n',
    );
    expect(missing.stderr).not.toContain('Plan:');
    expect(word.code).toBe(3);
    expect(word.stderr).toBe('gofn: --to "abc" is not a version number; use a published version like 41.\n');
  });
});
