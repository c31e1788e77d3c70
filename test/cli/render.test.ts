import { renderFleet } from '../../src/cli/render-fleet';
import { renderReport } from '../../src/cli/render-report';
import { colourWanted, createStyle } from '../../src/cli/style';
import { diagnose } from '../../src/runbook/engine';
import { fleetOverview } from '../../src/runbook/fleet';
import { loadRunbook } from '../../src/runbook/loader';
import type { FleetEntry, ManagedFunctionRef } from '../../src/ports';
import { fakeSources, NOW } from '../support/fake-sources';

const plain = createStyle(false);
const ANSI = /\u001b\[/;

async function throttlingReport() {
  const runbook = await loadRunbook();
  return diagnose({
    sources: fakeSources({
      current: { invocations: 18_240, throttles: 412, peakConcurrency: 100 },
      throttleSeries: [{ at: new Date('2026-11-26T14:22:00Z'), value: 4 }],
      fn: { versionModifiedAt: new Date(NOW.getTime() - 38 * 60_000) },
    }),
    runbook,
    functionName: 'orders-api',
    windowMs: 3_600_000,
    now: NOW,
    deadlineMs: 5000,
  });
}

describe('terminal report', () => {
  it('puts the verdict first, one line per step with its mark, then actions, links and the request count', async () => {
    // Prepare
    const report = await throttlingReport();

    // Act
    const lines = renderReport(report, plain).split('\n');

    // Assess
    expect(lines[0]).toBe('orders-api  live → v42 · us-east-1 · last 1h (14:05–15:05 UTC) · simulated');
    expect(lines[1]).toMatch(/^CRITICAL {2}Throttles: reserved concurrency 100 is saturated since 14:22\./);
    expect(lines[3]).toMatch(/^ {2}✖ throttles +412 throttled of 18,652/);
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}▲ recent deploy +v42 went live 38 min ago$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}· profile +how to capture a pprof/));
    expect(lines).toContainEqual(
      expect.stringMatching(/^Next: Raise reserved concurrency if the account has headroom/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^Run: {2}raise concurrency 100 → 200 +gofn concurrency orders-api 200$/),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^ {6}or roll back v42 +gofn rollback orders-api$/));
    expect(lines).toContainEqual(
      expect.stringMatching(/^Open: metrics +https:\/\/us-east-1\.console\.aws\.amazon\.com\/cloudwatch/),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^diagnosed in \d+\.\d s · \d+ simulated AWS requests$/));
    expect(lines.join('\n')).not.toMatch(ANSI);
  });

  it("shows the likely cause's advice first, then the actions other steps offer", async () => {
    // Prepare: DynamoDB is slow (critical, no action); concurrency at 86% of reserved (warn, an action)
    const runbook = await loadRunbook();
    const dynamo = (p95Ms: number) => ({
      name: 'DynamoDB',
      type: 'AWS::DynamoDB',
      requests: 5000,
      errors: 0,
      faults: 0,
      averageMs: p95Ms / 2,
      p95Ms,
    });
    const report = await diagnose({
      sources: fakeSources({
        current: { peakConcurrency: 86 },
        downstream: [dynamo(1400)],
        downstreamPrevious: [dynamo(18)],
      }),
      runbook,
      functionName: 'orders-api',
      windowMs: 3_600_000,
      now: NOW,
      deadlineMs: 5000,
    });

    // Act
    const lines = renderReport(report, plain).split('\n');

    // Assess
    expect(report.primaryCause).toBe('downstream-latency');
    const next = lines.findIndex((line) => line.startsWith('Next: '));
    expect(lines.slice(next, next + 3)).toEqual([
      expect.stringMatching(/^Next: A slow downstream makes every invocation longer and uses up concurrency\./),
      expect.stringMatching(/^ {6}\S.*client timeouts\.$/),
      expect.stringMatching(/^Run: {2}raise concurrency 100 → 200 +gofn concurrency orders-api 200$/),
    ]);
  });

  it('clips a long top error message in the middle, keeping its root cause; the report keeps it whole', async () => {
    // Prepare: 10% of invocations fail, all with one long wrapped Go error
    const message =
      'operation error DynamoDB: GetItem, https response error StatusCode: 0, RequestID: 8f2c1e77-4b0d-4a53-9d1e-0c6f2b9a7d31, ' +
      'api error RequestCanceled: request context canceled, caused by: context deadline exceeded';
    const runbook = await loadRunbook();
    const report = await diagnose({
      sources: fakeSources({
        current: { invocations: 1000, errors: 100 },
        errorTraces: { tracesWithFault: 100, topMessages: [{ message, count: 100 }] },
      }),
      runbook,
      functionName: 'orders-api',
      windowMs: 3_600_000,
      now: NOW,
      deadlineMs: 5000,
    });

    // Act
    const lines = renderReport(report, plain).split('\n');

    // Assess
    const step = report.steps.find((s) => s.id === 'error-traces')!;
    expect(step.evidence.topMessage).toBe(message);
    expect(step.summary).toContain(`"${message}"`);
    const shown = lines.find((line) => line.includes('error traces'))!;
    const quoted = /top: "([^"]*)"/.exec(shown)![1]!;
    expect(quoted.length).toBeLessThanOrEqual(80);
    expect(quoted).toMatch(/^operation error DynamoDB: GetItem, .*….* context deadline exceeded$/);
    expect(lines[1]).toContain(`most with "${quoted}"`);
  });

  it('shows $LATEST as it is, not as a version number with a v', async () => {
    // Prepare
    const runbook = await loadRunbook();
    const report = await diagnose({
      sources: fakeSources({
        fn: { version: '$LATEST', versionModifiedAt: new Date(NOW.getTime() - 20 * 60_000) },
      }),
      runbook,
      functionName: 'orders-api',
      alias: '$LATEST',
      windowMs: 3_600_000,
      now: NOW,
      deadlineMs: 5000,
    });

    // Act
    const text = renderReport(report, plain);

    // Assess
    expect(text.split('\n')[0]).toMatch(/^orders-api {2}\$LATEST · us-east-1 · /);
    expect(text).toMatch(/▲ recent deploy +\$LATEST went live 20 min ago/);
    expect(text).not.toContain('v$LATEST');
  });

  it('says NO TRAFFIC first and marks the quiet steps with ∅, not ✔', async () => {
    // Prepare
    const runbook = await loadRunbook();
    const report = await diagnose({
      sources: fakeSources({
        current: { invocations: 0, errors: 0, throttles: 0, peakConcurrency: 0 },
        coldStarts: { current: { invocations: 0, coldStarts: 0, initAvgMs: undefined, initMaxMs: undefined } },
      }),
      runbook,
      functionName: 'orders-api',
      windowMs: 3_600_000,
      now: NOW,
      deadlineMs: 5000,
    });

    // Act
    const lines = renderReport(report, plain).split('\n');

    // Assess
    expect(lines[1]).toMatch(/^NO TRAFFIC {2}No request reached orders-api:live in the window/);
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}∅ throttles +no requests to live in the window/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}∅ error traces +no invocations of live in the window$/));
    for (const step of ['throttles', 'cold starts', 'downstream latency', 'error traces']) {
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^ {2}∅ ${step} `)));
    }
  });

  it('colours marks only when asked', async () => {
    // Prepare
    const report = await throttlingReport();

    // Act
    const coloured = renderReport(report, createStyle(true));

    // Assess
    expect(coloured).toMatch(ANSI);
    expect(coloured).toContain('\u001b[31m✖\u001b[39m');
  });
});

describe('colour decision', () => {
  it('colours a TTY unless NO_COLOR or --no-color say otherwise', () => {
    expect(colourWanted({ isTTY: true }, {}, true)).toBe(true);
    expect(colourWanted({ isTTY: true }, { NO_COLOR: '1' }, true)).toBe(false);
    expect(colourWanted({ isTTY: true }, {}, false)).toBe(false);
    expect(colourWanted({ isTTY: false }, {}, true)).toBe(false);
  });
});

describe('fleet overview', () => {
  it('lists every managed function with invocations, errors, throttles and p99', async () => {
    // Prepare
    const runbook = await loadRunbook();
    const fleet = await fleetOverview({
      sources: fakeSources(),
      runbook,
      windowMs: 3_600_000,
      now: NOW,
      deadlineMs: 5000,
    });

    // Act
    const text = renderFleet(fleet, plain);

    // Assess
    expect(fleet.functions).toEqual([
      expect.objectContaining({
        function: 'orders-api',
        status: 'ok',
        invocations: 100,
        errors: 0,
        throttles: 0,
        p99Ms: 100,
      }),
    ]);
    expect(text).toContain('1 managed function');
    expect(text).toMatch(/✔ orders-api +100 inv +0 err \(0%\) +0 throttled \(0%\) +conc 2\/100 +dlq — +p99 100 ms\n/);
    expect(text).toContain('live graded on errors, throttles, p99 and concurrency against the window before');
  });

  it('shows no traffic, a refused request, a DLQ backlog and a cold-start surge on their rows', async () => {
    // Prepare
    const runbook = await loadRunbook();
    const sources = fakeSources();
    const rows = {
      quiet: { invocations: 0, errors: 0, throttles: 0, peak: 0, peakBefore: 0, dlq: undefined },
      backlog: { invocations: 900, errors: 0, throttles: 0, peak: 5, peakBefore: 5, dlq: 1240 },
      storm: { invocations: 84_000, errors: 40, throttles: 0, peak: 180, peakBefore: 4, dlq: undefined },
    };
    sources.functions.managedFunctionPages = async function* (): AsyncGenerator<ManagedFunctionRef[]> {
      yield [
        { name: 'quiet', arn: 'arn:quiet', tags: {} },
        { name: 'backlog', arn: 'arn:backlog', tags: { 'gofn:dlq': 'arn:aws:sqs:us-east-1:123456789012:backlog-dlq' } },
        { name: 'storm', arn: 'arn:storm', tags: {} },
        { name: 'refused', arn: 'arn:refused', tags: {} },
      ];
    };
    sources.metrics.getFleetMetrics = async (targets) =>
      new Map(
        targets.map((t): [string, FleetEntry] => {
          const row = rows[t.functionName as keyof typeof rows];
          if (!row) return [t.functionName, { served: false, reason: 'CloudWatch throttled GetMetricData.' }];
          return [
            t.functionName,
            {
              served: true,
              metrics: {
                invocations: row.invocations,
                errors: row.errors,
                throttles: row.throttles,
                durationP99Ms: row.invocations > 0 ? 300 : undefined,
                peakConcurrency: row.peak,
                deadLetterMessages: t.deadLetterQueue ? row.dlq : undefined,
                previous: { invocations: 24_000, durationP99Ms: 300, peakConcurrency: row.peakBefore },
                missing: [],
              },
            },
          ];
        }),
      );

    // Act
    const fleet = await fleetOverview({ sources, runbook, windowMs: 3_600_000, now: NOW, deadlineMs: 5000 });
    const text = renderFleet(fleet, plain);

    // Assess
    expect(fleet.functions.map((f) => [f.function, f.status])).toEqual([
      ['storm', 'critical'],
      ['backlog', 'critical'],
      ['quiet', 'no-traffic'],
      ['refused', 'unknown'],
    ]);
    expect(text).toMatch(/✖ backlog .* dlq 1,240 /);
    expect(text).toMatch(/✖ storm .* · concurrency 4 → 180: new environments start cold\n/);
    expect(text).toMatch(/∅ quiet .* · no traffic\n/);
    expect(text).toMatch(/\? refused .* · unknown: CloudWatch throttled GetMetricData\.\n/);
    expect(fleet.functions.find((f) => f.function === 'backlog')?.dlq).toEqual({
      queue: 'backlog-dlq',
      messages: 1240,
    });
  });

  it.each([
    [
      'six times slower than the window before: critical, with the ratio',
      600,
      100,
      1000,
      'critical',
      ' (×6.0 vs prev.)',
    ],
    ['two and a half times: warn', 250, 100, 1000, 'warn', ' (×2.5 vs prev.)'],
    ['a little slower: ok, and the ratio left out', 120, 100, 1000, 'ok', ''],
    ['too quiet before to compare: ok', 600, 100, 10, 'ok', ''],
  ])('grades a function whose p99 is %s', async (_, p99Now, p99Before, invocationsBefore, status, note) => {
    // Prepare: the runbook's downstream slowdown thresholds are warn 2, critical 5
    const runbook = await loadRunbook();
    const sources = fakeSources();
    sources.metrics.getFleetMetrics = async (targets) =>
      new Map(
        targets.map((t) => [
          t.functionName,
          {
            served: true,
            metrics: {
              invocations: 1000,
              errors: 0,
              throttles: 0,
              durationP99Ms: p99Now,
              peakConcurrency: 10,
              deadLetterMessages: undefined,
              previous: { invocations: invocationsBefore, durationP99Ms: p99Before, peakConcurrency: 10 },
              missing: [],
            },
          },
        ]),
      );

    // Act
    const fleet = await fleetOverview({ sources, runbook, windowMs: 3_600_000, now: NOW, deadlineMs: 5000 });

    // Assess
    expect(fleet.functions.map((f) => f.status)).toEqual([status]);
    expect(renderFleet(fleet, plain)).toContain(`p99 ${p99Now} ms${note}\n`);
  });
});

describe('what the terminal shows a newcomer', () => {
  it('suggests commands that run when pasted: $LATEST quoted, the scenario carried along', async () => {
    // Prepare
    const runbook = await loadRunbook();
    const report = await diagnose({
      sources: fakeSources({ current: { invocations: 18_240, throttles: 412, peakConcurrency: 100 } }),
      runbook,
      functionName: 'orders-api',
      alias: 'blue green',
      windowMs: 3_600_000,
      now: NOW,
      deadlineMs: 5000,
    });

    // Act
    const lines = renderReport(report, plain, { scenario: ['my scenarios'] }).split('\n');

    // Assess
    expect(lines).toContainEqual(
      expect.stringMatching(/gofn concurrency orders-api 200 --alias 'blue green' --scenario 'my scenarios'$/),
    );
  });

  it('offers no rollback on $LATEST, which is not an alias that can move back', async () => {
    // Prepare
    const runbook = await loadRunbook();
    const sources = fakeSources({
      current: { invocations: 18_240, throttles: 412, peakConcurrency: 100 },
      fn: { alias: '$LATEST', version: '$LATEST', versionModifiedAt: new Date(NOW.getTime() - 5 * 60_000) },
    });

    // Act
    const report = await diagnose({
      sources,
      runbook,
      functionName: 'orders-api',
      alias: '$LATEST',
      windowMs: 3_600_000,
      now: NOW,
      deadlineMs: 5000,
    });

    // Assess
    const offered = report.steps.flatMap((s) => s.actions);
    expect(offered.map((a) => a.kind)).not.toContain('rollback');
    expect(offered.map((a) => a.command)).toContainEqual("gofn concurrency orders-api 200 --alias '$LATEST'");
  });

  it('dates a window that spans days, and counts one request as one', async () => {
    // Prepare
    const runbook = await loadRunbook();
    const report = await diagnose({
      sources: fakeSources({}),
      runbook,
      functionName: 'orders-api',
      windowMs: 3 * 86_400_000,
      now: NOW,
      deadlineMs: 5000,
    });

    // Act
    const lines = renderReport({ ...report, awsCalls: { 'Lambda.GetFunction': 1 } }, plain).split('\n');

    // Assess
    expect(lines[0]).toBe('orders-api  live → v42 · us-east-1 · last 3d (Nov 23 15:05 – Nov 26 15:05 UTC) · simulated');
    expect(lines.at(-2)).toMatch(/ · 1 simulated AWS request$/);
  });
});
