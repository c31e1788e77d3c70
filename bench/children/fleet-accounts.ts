/**
 * A process running one fleet overview across 2 accounts × 3 regions of PER_TARGET managed
 * functions each, over the AWS adapters with stubbed clients (bench/accounts.ts). Tag pages take
 * TAG_PAGE_MS (default 30 ms) before each region's latency factor. BENCH_MODE=idle loads and
 * builds the same and runs nothing.
 */
import { fleetAcrossTargets } from '../../src/runbook/targets';
import { loadRunbook } from '../../src/runbook/loader';
import { AccountsFleet } from '../accounts';
import { report } from '../children';

async function main(): Promise<void> {
  const perTarget = Number(process.env.PER_TARGET ?? 1000);
  const fleet = new AccountsFleet(perTarget, {
    'ResourceGroupsTaggingAPI:GetResources': Number(process.env.TAG_PAGE_MS ?? 30),
  });
  const runbook = await loadRunbook();
  if (process.env.BENCH_MODE === 'idle') {
    report({ mode: 'idle' });
    fleet.destroy();
    return;
  }
  const started = performance.now();
  const overview = await fleetAcrossTargets({ targets: fleet.set, runbook, windowMs: 3_600_000, deadlineMs: 120_000 });
  const total = perTarget * fleet.targets.length;
  if (overview.functions.length !== total) throw new Error(`listed ${overview.functions.length} of ${total} functions`);
  report({
    mode: 'run',
    ms: Math.round(performance.now() - started),
    functions: overview.functions.length,
    // The stubs answer in place of the SDK's middleware, so the requests are counted by the stubs.
    requests: fleet.requestCounts(),
  });
  fleet.destroy();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
