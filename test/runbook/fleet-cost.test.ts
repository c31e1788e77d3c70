import path from 'node:path';
import { renderFleet } from '../../src/cli/render-fleet';
import { createStyle } from '../../src/cli/style';
import { costReport } from '../../src/cost/collect';
import type { Sources } from '../../src/ports';
import { fleetOverview } from '../../src/runbook/fleet';
import { loadRunbook } from '../../src/runbook/loader';
import { createSimulatedSources } from '../../src/sim/backend';
import { listScenarioFiles, loadScenarioFiles } from '../../src/sim/loader';

const SCENARIOS = path.resolve(__dirname, '..', '..', 'runbooks', 'scenarios');
const NOW = new Date('2026-11-26T15:05:00Z');
const HOUR = 3_600_000;

async function fleet(): Promise<Sources> {
  return createSimulatedSources(await loadScenarioFiles(await listScenarioFiles(SCENARIOS), { now: NOW }));
}

async function overview(sources: Sources, extra: { cost?: boolean; sort?: 'status' | 'cost' } = {}) {
  return fleetOverview({
    sources,
    runbook: await loadRunbook(),
    windowMs: HOUR,
    now: NOW,
    deadlineMs: 20_000,
    ...extra,
  });
}

describe('the fleet overview with costs', () => {
  it('reads no cost unless asked', async () => {
    // Act
    const report = await overview(await fleet());

    // Assess
    expect(report.cost).toBeUndefined();
    expect(report.functions.every((row) => row.monthlyCost === null)).toBe(true);
    expect(report.awsCalls['CloudWatch:GetMetricData']).toBe(1);
    expect(report.awsCalls['Lambda:ListFunctions']).toBeUndefined();
  });

  it('sorted by cost: most expensive first, each row what gofn cost says a month, in a few more batched requests', async () => {
    // Prepare
    const sources = await fleet();

    // Act
    const report = await overview(sources, { sort: 'cost' });
    const priced = await costReport({
      sources,
      selection: { kind: 'all' },
      now: NOW,
      memoryDays: 0,
      billed: false,
      recommendations: false,
      deadlineMs: 20_000,
    });

    // Assess
    const costs = report.functions.map((row) => row.monthlyCost!);
    expect(costs).toEqual([...costs].sort((a, b) => b - a));
    expect(report.functions[0]!.function).toBe('orders-api');
    for (const f of priced.functions) {
      expect(report.functions.find((row) => row.function === f.function)?.monthlyCost).toBeCloseTo(f.total.month, 6);
    }
    expect(report.cost).toMatchObject({ days: 30, unpriced: 0 });
    expect(report.cost!.month).toBeCloseTo(priced.total.month, 6);
    expect(report.awsCalls).toMatchObject({
      'CloudWatch:GetMetricData': 2,
      'Lambda:ListFunctions': 1,
      'XRay:GetServiceGraph': 1,
      'ResourceGroupsTaggingAPI:GetResources': 1,
    });
    expect(report.awsCalls['CloudWatchLogs:StartQuery']).toBeUndefined();
    expect(report.awsCalls['CostExplorer:GetCostAndUsage']).toBeUndefined();
  });

  it('keeps the grades when the costs cannot be read, and says why', async () => {
    // Prepare: a source that cannot say what functions cost.
    const { cost: _cost, ...withoutCost } = await fleet();

    // Act
    const report = await overview(withoutCost, { cost: true });

    // Assess
    expect(report.functions.some((row) => row.status === 'critical')).toBe(true);
    expect(report.cost).toMatchObject({ days: 0, reason: 'The simulated source cannot say what functions cost.' });
    expect(renderFleet(report, createStyle(false))).toContain(
      'cost not read: The simulated source cannot say what functions cost.',
    );
  });

  it('shows the cost column and the fleet total in the terminal', async () => {
    // Act
    const text = renderFleet(await overview(await fleet(), { cost: true }), createStyle(false));

    // Assess
    expect(text).toMatch(/\n {2}✖ orders-api +\$\d+\.\d\d\/mo +[\d,]+ inv/);
    expect(text).toMatch(
      /\n\$\d+\.\d\d\/mo for the fleet · a month at the last 7 days' rate, list prices of \d{4}-\d\d-\d\d/,
    );
  });
});
