/**
 * A process running one fleet overview of FLEET_SIZE managed functions over the AWS adapters with
 * stubbed clients. Tag pages take TAG_PAGE_MS (default 30 ms, so 5,000 functions list in about
 * 1.5 s); GetMetricData keeps its 300 ms, so requests pile up as far as the overview lets them.
 * BENCH_MODE=idle loads and builds the same and runs nothing.
 */
import { fleetOverview } from '../../src/runbook/fleet';
import { loadRunbook } from '../../src/runbook/loader';
import { SimulatedAws } from '../aws-sim';
import { report } from '../children';

async function main(): Promise<void> {
  const size = Number(process.env.FLEET_SIZE ?? 5000);
  const sim = new SimulatedAws({
    fleetSize: size,
    latency: { 'ResourceGroupsTaggingAPI:GetResources': Number(process.env.TAG_PAGE_MS ?? 30) },
  });
  const runbook = await loadRunbook();
  if (process.env.BENCH_MODE === 'idle') {
    report({ mode: 'idle' });
    sim.destroy();
    return;
  }
  const started = performance.now();
  const overview = await fleetOverview({ sources: sim.sources(), runbook, windowMs: 3_600_000, deadlineMs: 120_000 });
  if (overview.functions.length !== size) throw new Error(`listed ${overview.functions.length} of ${size} functions`);
  report({
    mode: 'run',
    ms: Math.round(performance.now() - started),
    functions: overview.functions.length,
    requests: sim.counts(),
  });
  sim.destroy();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
