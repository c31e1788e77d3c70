import path from 'node:path';
import { costReport } from '../../src/cost/collect';
import { ErrorCode } from '../../src/errors';
import type { Sources } from '../../src/ports';
import { createSimulatedSources } from '../../src/sim/backend';
import { loadScenarioFiles, listScenarioFiles } from '../../src/sim/loader';
import { functionText, loadTexts, NOW, scenarioText } from '../sim/helpers';

const SCENARIOS = path.resolve(__dirname, '..', '..', 'runbooks', 'scenarios');

async function shippedFleet(): Promise<Sources> {
  return createSimulatedSources(await loadScenarioFiles(await listScenarioFiles(SCENARIOS), { now: NOW }));
}

/** `n` managed functions; `extra(i)` adds keys to the i-th. */
async function generatedFleet(n: number, extra: (i: number) => string = () => '', header = ''): Promise<Sources> {
  const functions = Array.from({ length: n }, (_, i) =>
    functionText({ name: `svc-${String(i).padStart(4, '0')}`, extra: extra(i) }),
  ).join('\n');
  return createSimulatedSources(await loadTexts([scenarioText({ functions, header })]));
}

describe('costReport over the shipped scenarios', () => {
  it('prices every managed function, most expensive first, in one batched read of each kind', async () => {
    // Act
    const report = await costReport({
      sources: await shippedFleet(),
      selection: { kind: 'all' },
      now: NOW,
      deadlineMs: 20_000,
    });

    // Assess
    const months = report.functions.map((f) => f.total.month);
    expect(months).toEqual([...months].sort((a, b) => b - a));
    expect(report.functions).toHaveLength(23);
    expect(report.awsCalls).toEqual({
      'CloudWatch:GetMetricData': 1,
      'CloudWatchLogs:GetQueryResults': 2,
      'CloudWatchLogs:StartQuery': 1,
      'ComputeOptimizer:GetLambdaFunctionRecommendations': 1,
      'CostExplorer:GetCostAndUsage': 1,
      'Lambda:ListFunctions': 1,
      'Lambda:ListProvisionedConcurrencyConfigs': 1,
      'ResourceGroupsTaggingAPI:GetResources': 1,
      'XRay:GetServiceGraph': 1,
    });
    expect(report.window).toEqual({ start: '2026-02-22T00:00:00.000Z', end: '2026-03-24T00:00:00.000Z', days: 30 });
  });

  it('flags what bites and sizes orders-api by its peak memory, beside Compute Optimizer', async () => {
    // Act
    const report = await costReport({
      sources: await shippedFleet(),
      selection: { kind: 'all' },
      now: NOW,
      deadlineMs: 20_000,
    });

    // Assess
    const byName = new Map(report.functions.map((f) => [f.function, f]));
    const orders = byName.get('orders-api')!;
    expect(orders.flags.map((f) => f.kind)).toEqual(['logs-over-compute', 'memory-far-above-use']);
    expect(orders.rightSizing).toMatchObject({ status: 'shrink', currentMb: 1024, suggestedMb: 320 });
    expect(orders.computeOptimizer).toMatchObject({ status: 'recommends', memoryMb: 768 });
    expect(byName.get('catalog-api')!.flags.map((f) => f.kind)).toEqual(['idle-provisioned']);
    expect(byName.get('payments-api')!.flags.map((f) => f.kind)).toEqual(['xray-full-sampling']);
    expect(byName.get('reports-worker')!.computeOptimizer?.status).toBe('unavailable');
    expect(report.billed.status).toBe('compared');
  });

  it('reads one service by its tag, function by function', async () => {
    // Act
    const report = await costReport({
      sources: await shippedFleet(),
      selection: { kind: 'service', service: 'orders' },
      now: NOW,
      deadlineMs: 20_000,
      billed: false,
    });

    // Assess
    expect(report.functions.map((f) => f.function).sort()).toEqual(['orders-api', 'orders-worker']);
    expect(report.awsCalls['Lambda:GetFunction']).toBe(2);
    expect(report.awsCalls['Lambda:ListFunctions']).toBeUndefined();
    expect(report.awsCalls['CostExplorer:GetCostAndUsage']).toBeUndefined();
    expect(report.billed).toEqual({ status: 'skipped', reason: 'not asked for (--no-billed)' });
  });

  it('rejects a function that does not exist with NotFound', async () => {
    // Act
    const rejected = costReport({
      sources: await shippedFleet(),
      selection: { kind: 'function', name: 'ordrs-api' },
      now: NOW,
      deadlineMs: 20_000,
    });

    // Assess
    await expect(rejected).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });
});

describe('costReport over a large fleet', () => {
  it('sends ⌈functions ÷ 100⌉ GetMetricData, one Insights query per 50 log groups, no request per function', async () => {
    // Act
    const report = await costReport({
      sources: await generatedFleet(250),
      selection: { kind: 'all' },
      now: NOW,
      deadlineMs: 20_000,
    });

    // Assess
    expect(report.functions).toHaveLength(250);
    expect(report.awsCalls).toMatchObject({
      'ResourceGroupsTaggingAPI:GetResources': 3,
      'Lambda:ListFunctions': 5,
      'CloudWatch:GetMetricData': 3,
      'CloudWatchLogs:StartQuery': 5,
      'CloudWatchLogs:GetQueryResults': 10,
      'XRay:GetServiceGraph': 1,
    });
    expect(report.awsCalls['Lambda:GetFunction']).toBeUndefined();
    expect(report.awsCalls['Lambda:ListProvisionedConcurrencyConfigs']).toBeUndefined();
  });

  it('leaves the functions of a refused request unpriced with the reason, and prices the rest', async () => {
    // Prepare: the metrics of svc-0150 are denied, which fails the request holding svc-0100..0199.
    const sources = await generatedFleet(250, (i) => (i === 150 ? '    faults: { metrics: AccessDenied }' : ''));

    // Act
    const report = await costReport({ sources, selection: { kind: 'all' }, now: NOW, deadlineMs: 20_000 });

    // Assess
    expect(report.unpriced).toHaveLength(100);
    expect(report.unpriced[0]!.reason).toMatch(/denied GetMetricData/);
    expect(report.functions).toHaveLength(150);
  });

  it('says what it does not read: Compute Optimizer not opted in, Cost Explorer not enabled, a failed memory query', async () => {
    // Prepare
    const sources = await generatedFleet(12, (i) => (i === 3 ? '    faults: { logs: Throttled }' : ''));

    // Act
    const report = await costReport({ sources, selection: { kind: 'all' }, now: NOW, deadlineMs: 20_000 });

    // Assess
    expect(report.computeOptimizer).toEqual({
      available: false,
      reason: 'this account is not opted in to AWS Compute Optimizer',
    });
    expect(report.billed).toEqual({ status: 'unavailable', reason: 'Cost Explorer is not enabled for this account' });
    expect(report.notes.some((n) => /Logs Insights did not answer for 12 log groups: .*throttled/.test(n))).toBe(true);
    expect(report.functions.every((f) => f.rightSizing.status === 'not-enough-data')).toBe(true);
  });
});
