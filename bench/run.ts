/**
 * `npm run bench`: every benchmark in bench/, each measured against its baseline in the same
 * run, written to bench/results/latest.json and printed as a table.
 *
 *   node scripts/run-ts.js bench/run.ts [--only ack,diagnosis] [--strict]
 *
 * --only runs some of them (names below); --strict exits 1 when a target is missed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchAckLatency } from './ack-latency';
import { benchAckWhileSlackHangs } from './ack-while-slack-hangs';
import { benchAlarmRoot } from './alarm-root';
import { benchBundleSize, benchColdLoad, buildBundles } from './bundles';
import { benchCost } from './cost';
import { benchDiagnosis } from './diagnosis';
import { benchFleetAcrossAccounts } from './accounts';
import { benchFleet } from './fleet';
import { benchCostMemory, benchFleetAcrossAccountsMemory, benchFleetMemory, benchWorkerMemory } from './memory';
import { benchProfilingOverhead } from './profiling-overhead';
import { repoRoot } from './paths';
import { table, type BenchResult } from './stats';

type Bench = () => Promise<BenchResult[]>;

let bundles: ReturnType<typeof buildBundles> | undefined;
const built = () => (bundles ??= buildBundles());

/** In the order they run; the names are what --only takes. */
const benchmarks: Record<string, Bench> = {
  bundle: async () => benchBundleSize(built()),
  'cold-load': async () => benchColdLoad(built().ingress, 20),
  ack: () => benchAckLatency({ rounds: 6, perRound: 500, warmup: 500 }),
  'ack-hang': () => benchAckWhileSlackHangs(20),
  diagnosis: () => benchDiagnosis({ runs: 5, otherQueryDurationsMs: [1000, 1500, 2500, 3000, 5000] }),
  fleet: () => benchFleet({ size: 1000, runs: 5 }),
  'fleet-memory': () => benchFleetMemory(5000, 3),
  cost: () => benchCost({ size: 1000, runs: 3 }),
  'cost-memory': () => benchCostMemory(1000, 3),
  'fleet-accounts': () => benchFleetAcrossAccounts({ perTarget: 1000, runs: 5 }),
  'fleet-accounts-memory': () => benchFleetAcrossAccountsMemory(1000, 3),
  'worker-memory': () => benchWorkerMemory(3, built().worker),
  'alarm-root': () => benchAlarmRoot(8),
  'profiling-overhead': () => benchProfilingOverhead({ invocations: 400, warmup: 30 }),
};

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { only: { type: 'string' }, strict: { type: 'boolean', default: false } },
  });
  const only = values.only?.split(',').map((name) => name.trim());
  const unknown = only?.filter((name) => !(name in benchmarks)) ?? [];
  if (unknown.length > 0) {
    process.stderr.write(
      `bench: unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(benchmarks).join(', ')}\n`,
    );
    return 2;
  }

  const started = Date.now();
  const results: BenchResult[] = [];
  for (const [name, bench] of Object.entries(benchmarks)) {
    if (only && !only.includes(name)) continue;
    const t0 = Date.now();
    process.stderr.write(`bench: ${name}…`);
    results.push(...(await bench()));
    process.stderr.write(` ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  }

  const file = path.join(repoRoot(), 'bench', 'results', 'latest.json');
  mkdirSync(path.dirname(file), { recursive: true });
  const cpus = os.cpus();
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        generatedAt: new Date().toISOString(),
        durationSeconds: Math.round((Date.now() - started) / 1000),
        machine: {
          node: process.version,
          platform: `${os.platform()} ${os.arch()}`,
          cpus: cpus.length,
          cpu: cpus[0]?.model,
        },
        benchmarks: results,
      },
      null,
      2,
    )}\n`,
  );

  process.stdout.write(`${table(results)}\n\n`);
  const missed = results.filter((r) => !r.pass);
  process.stdout.write(
    `${results.length - missed.length} of ${results.length} targets met` +
      (missed.length > 0 ? `; missed: ${missed.map((r) => r.name).join(', ')}` : '') +
      `. Written to ${path.relative(process.cwd(), file)} in ${Math.round((Date.now() - started) / 1000)} s.\n`,
  );
  return values.strict && missed.length > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`\nbench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
