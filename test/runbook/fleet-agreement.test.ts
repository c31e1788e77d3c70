import type { StepStatus } from '../../src/checks/types';
import { diagnose } from '../../src/runbook/engine';
import { fleetOverview } from '../../src/runbook/fleet';
import { loadRunbook } from '../../src/runbook/loader';
import { createSimulatedSources } from '../../src/sim/backend';
import { listScenarioFiles, loadScenarioFiles } from '../../src/sim/loader';

const HOUR = 3_600_000;

/**
 * The fleet overview is where an on-call engineer decides what to open: a function it shows as
 * healthy (✔) while its own report is critical (✖) would be skipped. Over every shipped scenario,
 * at several moments (the simulated noise differs for each), the two must not disagree so, and
 * must agree on which functions had no traffic.
 */
describe("the fleet overview agrees with each function's report", () => {
  const moments = [
    new Date('2026-03-24T15:00:00Z'),
    new Date('2026-07-14T09:31:17.500Z'),
    new Date('2027-01-01T00:00:59Z'),
  ];

  it.each(moments.map((now) => [now.toISOString(), now]))(
    'over every shipped scenario at %s',
    async (_label, now) => {
      // Prepare
      const files = await listScenarioFiles();
      const sources = createSimulatedSources(await loadScenarioFiles(files, { now }));
      const runbook = await loadRunbook();

      // Act
      const fleet = await fleetOverview({ sources, runbook, windowMs: HOUR, now, deadlineMs: 20_000 });
      const pairs: { function: string; fleet: StepStatus; report: StepStatus }[] = [];
      for (const row of fleet.functions) {
        const report = await diagnose({
          sources,
          runbook,
          functionName: row.function,
          windowMs: HOUR,
          now,
          deadlineMs: 20_000,
        });
        pairs.push({ function: row.function, fleet: row.status, report: report.status });
      }

      // Assess
      expect(files.length).toBeGreaterThanOrEqual(9);
      expect(pairs.length).toBeGreaterThanOrEqual(10);
      expect(pairs.filter((p) => p.fleet === 'ok' && p.report === 'critical')).toEqual([]);
      expect(pairs.filter((p) => (p.fleet === 'no-traffic') !== (p.report === 'no-traffic'))).toEqual([]);
      expect(pairs.filter((p) => p.fleet === 'unknown')).toEqual([]);
    },
    30_000,
  );
});
