import path from 'node:path';
import { ErrorCode, GofnError } from '../../src/errors';
import { diagnose } from '../../src/runbook/engine';
import { defaultRunbookPath, loadRunbook } from '../../src/runbook/loader';
import type { Runbook } from '../../src/runbook/schema';
import { createSimulatedSources } from '../../src/sim/backend';
import { listScenarioFiles, loadScenarioFiles } from '../../src/sim/loader';
import type { Sources } from '../../src/ports';

/**
 * The engine's part in the next checks, on the shipped scenarios: a function without aliases
 * diagnosed as $LATEST, a report that leads with the alarm that asked for it, and a runbook's own
 * steps run in the same batch (its metric in the one GetMetricData, its query beside the built-in).
 */

const NOW = new Date('2026-03-24T15:00:00Z');
const HOUR = 3_600_000;
let sources: Sources;
let runbook: Runbook;

beforeAll(async () => {
  sources = createSimulatedSources(await loadScenarioFiles(await listScenarioFiles(), { now: NOW }));
  runbook = await loadRunbook();
});

const run = (functionName: string, extra: Partial<Parameters<typeof diagnose>[0]> = {}) =>
  diagnose({ sources, runbook, functionName, windowMs: HOUR, now: NOW, deadlineMs: 20_000, ...extra });

describe('a function without aliases', () => {
  it('is diagnosed as $LATEST with a note saying how to add an alias, and offers no rollback', async () => {
    // Act
    const report = await run('cron-cleanup');

    // Assess
    expect(report.alias).toBe('$LATEST');
    expect(report.version).toBe('$LATEST');
    expect(report.status).toBe('ok');
    expect(report.notes).toEqual([
      'cron-cleanup has no alias, so gofn diagnosed $LATEST and cannot offer a rollback. Publish a version and ' +
        'point an alias at it: aws lambda publish-version --function-name cron-cleanup, then aws lambda create-alias ' +
        '--function-name cron-cleanup --name live --function-version <version>, and invoke the alias.',
    ]);
    expect(report.steps.flatMap((s) => s.actions).filter((a) => a.kind === 'rollback')).toEqual([]);
    expect(report.awsCalls['Lambda:ListAliases']).toBe(1);
    expect(report.links.find((l) => l.label === 'function')?.url).toMatch(/#\/functions\/cron-cleanup$/);
  });

  it('still fails for a misspelt alias of a function that has aliases, naming them', async () => {
    // Act
    const error = await run('orders-api', { alias: 'liv' }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(GofnError);
    expect((error as GofnError).code).toBe(ErrorCode.NotFound);
    expect((error as GofnError).message).toBe('Function orders-api has no alias "liv" (its aliases: live).');
  });

  it('still fails for a function that does not exist', async () => {
    // Act
    const error = await run('ordrs-api').catch((e: unknown) => e);

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.NotFound);
    expect((error as GofnError).message).toMatch(/^No function "ordrs-api"/);
  });
});

describe('a report asked for by an alarm', () => {
  it("leads with the alarm's metric, its threshold and its peak, read in the same single GetMetricData", async () => {
    // Act
    const report = await run('thumbnailer', {
      alarm: {
        name: 'thumbnailer-errors',
        condition: 'Errors Sum > 5 for 1 of 1 periods of 1 min',
        reason: 'Threshold Crossed: 1 datapoint [18.0] was greater than the threshold (5.0).',
        changedAt: new Date(NOW.getTime() - 20 * 60_000),
        watched: {
          namespace: 'AWS/Lambda',
          metricName: 'Errors',
          dimensions: [{ name: 'FunctionName', value: 'thumbnailer' }],
          stat: 'Sum',
          periodSeconds: 60,
          threshold: 5,
        },
      },
    });

    // Assess
    expect(report.awsCalls['CloudWatch:GetMetricData']).toBe(1);
    expect(report.alarm).toMatchObject({
      name: 'thumbnailer-errors',
      condition: 'Errors Sum > 5 for 1 of 1 periods of 1 min',
      metric: 'AWS/Lambda Errors (FunctionName=thumbnailer)',
      threshold: 5,
      since: '2026-03-24T14:40:00.000Z',
    });
    // 6% of ~120 invocations a minute during the upload incident.
    expect(report.alarm?.value).toBeGreaterThan(5);
    expect(report.primaryCause).toBe('memory-crashes');
  });

  it('says what the alarm is even when it watches no single metric', async () => {
    // Act
    const report = await run('orders-api', {
      alarm: {
        name: 'orders-composite',
        condition: 'composite: ALARM(orders-api-errors) OR ALARM(orders-api-throttles)',
        reason: 'children in ALARM',
        changedAt: NOW,
      },
    });

    // Assess
    expect(report.alarm).toMatchObject({ name: 'orders-composite', value: null, threshold: null });
    expect(report.awsCalls['CloudWatch:GetMetricData']).toBe(1);
  });
});

describe("a runbook's own steps", () => {
  it('run in the same batch: the metric in the one GetMetricData, the query beside the built-in one', async () => {
    // Prepare
    const own = await loadRunbook(path.join(path.dirname(defaultRunbookPath()), 'examples', 'ledger-checks.yaml'));

    // Act
    const report = await diagnose({
      sources,
      runbook: own,
      functionName: 'ledger-sync',
      windowMs: HOUR,
      now: NOW,
      deadlineMs: 20_000,
    });

    // Assess
    expect(report.awsCalls['CloudWatch:GetMetricData']).toBe(1);
    // The built-in query (cold starts, memory and crashes) and the step's own.
    expect(report.awsCalls['CloudWatchLogs:StartQuery']).toBe(2);
    expect(Object.fromEntries(report.steps.map((s) => [s.id, s.status]))).toEqual({
      throttles: 'ok',
      'memory-crashes': 'ok',
      'reconcile-backlog': 'critical',
      'balance-mismatches': 'critical',
    });
    expect(report.primaryCause).toBe('reconcile-backlog');
    expect(report.steps.find((s) => s.id === 'reconcile-backlog')?.recommendation).toMatch(
      /^Reconciliation is falling behind/,
    );
  });
});
