import { runAction } from '../../src/actions/run';
import type { ActionDeps } from '../../src/actions/types';
import { CallLedger, countCalls } from '../../src/calls';
import { ErrorCode, type GofnError } from '../../src/errors';
import { silentLog } from '../../src/log';
import type { MetricPoint } from '../../src/ports';
import { createSimulatedSources } from '../../src/sim/backend';
import { createSimulatedControl } from '../../src/sim/control';
import { MemoryRecordStore } from '../../src/sim/record-store';
import { functionText, HOUR, loadTexts, MINUTE, NOW, scenarioText, windows } from './helpers';

/**
 * A weighted alias as Lambda has it: FunctionVersion 2 is the stable version, 10% goes to the
 * canary, version 3, since 20 minutes ago. Version 1 is older than both.
 */
const canaryAlias = [
  '    aliases:',
  '      live:',
  '        version: 2',
  "        routing: { '3': 0.1 }",
  '        canary:',
  '          since: -20m',
  '          set: { errors: 20%, duration: { p99: 2000 } }',
].join('\n');

function canaryFunction(options: { codeDeploy?: boolean } = {}): string {
  return functionText({
    name: 'api',
    extra: options.codeDeploy
      ? [
          '    tags: { gofn:managed: "true", gofn:deployment-group: api/live }',
          '    codeDeploy:',
          '      application: api',
          '      group: live',
          '      deployments:',
          '        - { id: d-CANARY001, status: InProgress, created: -21m, currentVersion: 2, targetVersion: 3 }',
        ].join('\n')
      : '',
  })
    .replace('    tags: { gofn:managed: "true" }\n', options.codeDeploy ? '' : '    tags: { gofn:managed: "true" }\n')
    .replace(
      '      - { version: 2, publishedAt: -2d }',
      '      - { version: 2, publishedAt: -2d }\n      - { version: 3, publishedAt: -25m }',
    )
    .replace('    aliases: { live: 2 }', canaryAlias);
}

async function setUp(options: { codeDeploy?: boolean } = {}) {
  const fleet = await loadTexts([scenarioText({ functions: canaryFunction(options) })]);
  const sources = createSimulatedSources(fleet);
  const control = createSimulatedControl(fleet);
  const deps: ActionDeps = {
    sources,
    control,
    store: new MemoryRecordStore(),
    settings: { maxConcurrency: 500, replayRatePerSecond: 1000, admins: [] },
    log: silentLog,
  };
  return { fleet, sources, control, deps };
}

const sum = (points: MetricPoint[]) => points.reduce((total, p) => total + p.value, 0);

describe('a simulated canary', () => {
  it('reports the stable version as the alias version and the canary as its weighted version', async () => {
    // Prepare
    const { sources } = await setUp();

    // Act
    const fn = await sources.functions.getFunction('api', 'live');

    // Assess
    expect(fn).toMatchObject({ version: '2', routing: { '3': 0.1 } });
  });

  it('splits the alias by ExecutedVersion in the one GetMetricData: the canary only since it took traffic', async () => {
    // Prepare
    const { sources } = await setUp();
    const { window, previous } = windows(HOUR);
    const ledger = new CallLedger();

    // Act
    const metrics = await countCalls(ledger, () =>
      sources.metrics.getFunctionMetrics({
        functionName: 'api',
        alias: 'live',
        window,
        previous,
        versions: ['2', '3'],
      }),
    );

    // Assess
    expect(ledger.snapshot()).toEqual({ 'CloudWatch:GetMetricData': 1 });
    const stable = metrics.byVersion['2']!;
    const canary = metrics.byVersion['3']!;
    expect(canary.invocations[0]?.at).toEqual(new Date(NOW.getTime() - 20 * MINUTE));
    expect(sum(stable.invocations) + sum(canary.invocations)).toBe(sum(metrics.timeline.invocations));
    expect(sum(stable.errors) + sum(canary.errors)).toBe(sum(metrics.timeline.errors));
    // 10% of 20 minutes of 100 a minute; a fifth of them fail.
    expect(sum(canary.invocations)).toBeGreaterThanOrEqual(180);
    expect(sum(canary.invocations)).toBeLessThanOrEqual(220);
    expect(sum(canary.errors) / sum(canary.invocations)).toBeCloseTo(0.2, 1);
    expect(sum(stable.errors)).toBe(0);
    expect(canary.durationP99Ms).toBeGreaterThan(1500);
    expect(stable.durationP99Ms).toBeLessThan(250);
  });

  it('refuses a canary without weighted routing, and weighted routing on two aliases', async () => {
    // Prepare
    const noRouting = canaryFunction().replace("        routing: { '3': 0.1 }\n", '');
    const twoWeighted = canaryFunction().replace(
      '    aliases:\n',
      "    aliases:\n      beta: { version: 1, routing: { '2': 0.5 } }\n",
    );

    // Act
    const first = await loadTexts([scenarioText({ functions: noRouting })]).catch((e: unknown) => e);
    const second = await loadTexts([scenarioText({ functions: twoWeighted })]).catch((e: unknown) => e);

    // Assess
    expect((first as GofnError).code).toBe(ErrorCode.InvalidFile);
    expect((first as GofnError).message).toContain(
      'functions[0].aliases.live.canary: expected routing to an additional version for the canary to run',
    );
    expect((second as GofnError).message).toContain('expected weighted routing on one alias only (beta has it)');
  });
});

describe('rolling back a simulated canary', () => {
  it('keeps the stable version and clears the weights, never going below it', async () => {
    // Prepare
    const { fleet, deps } = await setUp();

    // Act
    const outcome = await runAction(
      {
        kind: 'rollback',
        functionName: 'api',
        alias: 'live',
        expected: {},
        actor: { via: 'cli', id: 'maria@laptop' },
        requestId: 'canary-1',
      },
      deps,
    );

    // Assess
    expect(outcome.status).toBe('succeeded');
    expect(outcome.plan).toMatchObject({
      method: 'update-alias',
      fromVersion: '3',
      toVersion: '2',
      targetSource: 'stable',
    });
    expect(fleet.findFunction('api')?.aliases.get('live')).toMatchObject({ version: '2', routing: {} });
  });

  it('stops the CodeDeploy deployment that owns the canary; CodeDeploy puts the alias back on the stable version', async () => {
    // Prepare
    const { fleet, deps } = await setUp({ codeDeploy: true });

    // Act
    const outcome = await runAction(
      {
        kind: 'rollback',
        functionName: 'api',
        alias: 'live',
        expected: { fromVersion: '3' },
        actor: { via: 'cli', id: 'maria@laptop' },
        requestId: 'canary-2',
      },
      deps,
    );

    // Assess
    expect(outcome.status).toBe('succeeded');
    expect(outcome.plan).toMatchObject({ method: 'stop-deployment', deploymentId: 'd-CANARY001' });
    expect(fleet.findDeployment('d-CANARY001')?.status).toBe('Stopped');
    expect(fleet.findFunction('api')?.aliases.get('live')).toMatchObject({ version: '2', routing: {} });
  });
});
