/**
 * A process pricing FLEET_SIZE managed functions with `gofn cost`'s read over the AWS adapters with
 * stubbed clients. BENCH_MODE=idle loads and builds the same and runs nothing.
 */
import { costReport } from '../../src/cost/collect';
import { SimulatedAws } from '../aws-sim';
import { report } from '../children';

async function main(): Promise<void> {
  const size = Number(process.env.FLEET_SIZE ?? 1000);
  const sim = new SimulatedAws({
    fleetSize: size,
    queryRunsMs: 500,
    latency: { 'ResourceGroupsTaggingAPI:GetResources': 30, Lambda: 30 },
  });
  if (process.env.BENCH_MODE === 'idle') {
    report({ mode: 'idle' });
    sim.destroy();
    return;
  }
  const started = performance.now();
  const priced = await costReport({ sources: sim.sources(), selection: { kind: 'all' }, deadlineMs: 120_000 });
  if (priced.functions.length !== size) throw new Error(`priced ${priced.functions.length} of ${size} functions`);
  report({
    mode: 'run',
    ms: Math.round(performance.now() - started),
    functions: priced.functions.length,
    requests: sim.counts(),
  });
  sim.destroy();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
