import path from 'node:path';
import { costAcrossTargets, monthAcross } from '../../src/cost/across-targets';
import { costReport } from '../../src/cost/collect';
import { renderCostAcrossTargets } from '../../src/cli/render-cost';
import { createStyle } from '../../src/cli/style';
import { ErrorCode, GofnError } from '../../src/errors';
import type { Sources, TargetPorts, TargetSet } from '../../src/ports';
import { loadRunbook } from '../../src/runbook/loader';
import { fleetAcrossTargets } from '../../src/runbook/targets';
import { createSimulatedSources } from '../../src/sim/backend';
import { createSimulatedControl } from '../../src/sim/control';
import { listScenarioFiles, loadScenarioFiles } from '../../src/sim/loader';
import { targetLabel, type TargetRef } from '../../src/targets';
import { NOW } from '../sim/helpers';

const SCENARIOS = path.resolve(__dirname, '..', '..', 'runbooks', 'scenarios');
const HOUR = 3_600_000;

/**
 * prod in us-east-1 and eu-west-1, each the shipped simulated fleet, and staging in us-east-1,
 * whose role cannot be assumed: every call there fails as the credential provider's would.
 */
async function threeTargets(): Promise<{ set: TargetSet; single: Sources }> {
  const fleet = await loadScenarioFiles(await listScenarioFiles(SCENARIOS), { now: NOW });
  const targets: TargetRef[] = [
    { account: 'prod', accountId: '111122223333', region: 'us-east-1' },
    { account: 'prod', accountId: '111122223333', region: 'eu-west-1' },
    { account: 'staging', accountId: '444455556666', region: 'us-east-1' },
  ];
  const refused = new GofnError(ErrorCode.AccessDenied, 'gofn could not assume the role of account staging.');
  const opened = new Map<string, TargetPorts>();
  for (const target of targets) {
    const sources = createSimulatedSources(fleet);
    sources.region = target.region;
    if (target.account === 'staging') {
      sources.functions.managedFunctionPages = async function* () {
        yield await Promise.reject(refused);
      };
    }
    opened.set(targetLabel(target), { target, sources, control: createSimulatedControl(fleet) });
  }
  return {
    set: { targets, configured: true, open: (target) => opened.get(targetLabel(target))! },
    single: createSimulatedSources(fleet),
  };
}

describe('gofn cost across accounts and regions', () => {
  it('prices each account and region with its own read, names the one that failed, and adds up the others', async () => {
    // Arrange
    const { set, single } = await threeTargets();
    const alone = await costReport({ sources: single, selection: { kind: 'all' }, now: NOW, deadlineMs: 20_000 });

    // Act
    const costs = await costAcrossTargets(set, { kind: 'all' }, { now: NOW, deadlineMs: 20_000 });

    // Assess
    expect(costs.map((c) => [c.account, c.region, c.report === null])).toEqual([
      ['prod', 'us-east-1', false],
      ['prod', 'eu-west-1', false],
      ['staging', 'us-east-1', true],
    ]);
    expect(costs[2]!.problem).toBe('gofn could not assume the role of account staging.');
    expect(costs[0]!.report!.functions).toHaveLength(alone.functions.length);
    // Each region is priced at its own prices (eu-west-1's differ from us-east-1's).
    expect(costs[1]!.report!.prices.region).toBe('eu-west-1');
    expect(monthAcross(costs)).toBeCloseTo(costs[0]!.report!.total.month + costs[1]!.report!.total.month, 6);
    const text = renderCostAcrossTargets(costs, createStyle(false));
    expect(text).toContain('== prod/us-east-1');
    expect(text).toContain(
      '== staging/us-east-1\n  could not be read: gofn could not assume the role of account staging.',
    );
    expect(text).toMatch(/\$[\d,.]+ a month across 2 accounts and regions · 1 could not be read and is not counted/);
  });

  it('prices a function named account/region/fn in that account and region only', async () => {
    // Arrange
    const { set } = await threeTargets();

    // Act
    const costs = await costAcrossTargets(
      set,
      { kind: 'function', name: 'prod/eu-west-1/orders-api' },
      { now: NOW, deadlineMs: 20_000 },
    );

    // Assess
    expect(costs).toHaveLength(1);
    expect(costs[0]).toMatchObject({ account: 'prod', region: 'eu-west-1', problem: null });
    expect(costs[0]!.report!.functions.map((f) => f.function)).toEqual(['orders-api']);
  });

  it('gives the fleet a cost column across accounts and regions, most expensive first on request', async () => {
    // Arrange
    const { set } = await threeTargets();
    const runbook = await loadRunbook();

    // Act
    const fleet = await fleetAcrossTargets({
      targets: set,
      runbook,
      windowMs: HOUR,
      deadlineMs: 20_000,
      now: NOW,
      sort: 'cost',
    });

    // Assess
    const perRegion = fleet.functions.filter((f) => f.region === 'us-east-1');
    expect(perRegion.length).toBeGreaterThan(0);
    const costs = fleet.functions.map((f) => f.monthlyCost ?? -1);
    expect(costs).toEqual([...costs].sort((a, b) => b - a));
    const priced = fleet.functions.reduce((sum, f) => sum + (f.monthlyCost ?? 0), 0);
    expect(fleet.cost?.month).toBeCloseTo(priced, 6);
    expect(fleet.targets?.find((t) => t.account === 'staging')?.problem).toContain('could not assume');
  });
});
