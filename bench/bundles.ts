/**
 * The Lambda bundles as `scripts/bundle-lambdas.mjs` (the only bundling configuration) writes
 * them: their size, and how long a fresh Node process takes to load the ingress.
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './paths';
import { baselineOf, nowMs, result, summarize, type BenchResult } from './stats';

const root = repoRoot();
const outdir = path.join(root, 'dist', 'bench', 'lambda');

/** Builds both bundles into dist/bench/lambda; returns the path of each `index.js`. */
export function buildBundles(): Record<'ingress' | 'worker', string> {
  const built = spawnSync(process.execPath, ['scripts/bundle-lambdas.mjs', '--outdir', outdir], {
    cwd: root,
    encoding: 'utf8',
  });
  if (built.status !== 0) throw new Error(`bundle-lambdas failed: ${built.stderr}`);
  return { ingress: path.join(outdir, 'ingress', 'index.js'), worker: path.join(outdir, 'worker', 'index.js') };
}

/** 1 MB, as in the target: 1,000,000 bytes. */
const MB = 1_000_000;

export function benchBundleSize(bundles: Record<'ingress' | 'worker', string>): BenchResult[] {
  const ingress = statSync(bundles.ingress).size;
  const worker = statSync(bundles.worker).size;
  return [
    result({
      name: 'ingress bundle size',
      unit: 'KiB',
      measured: summarize([ingress / 1024]),
      baseline: null,
      target: '≤ 1 MB minified',
      pass: ingress <= MB,
      details: { ingressBytes: ingress, workerBytes: worker },
    }),
  ];
}

/** The environment the ingress handler reads at import, and nothing else from this process. */
const ingressEnv = {
  PATH: process.env.PATH ?? '',
  SLACK_SIGNING_SECRET: 'bench-signing-secret',
  SLACK_BOT_TOKEN: 'xoxb-bench',
  WORKER_FUNCTION_NAME: 'gofn-worker',
  AWS_REGION: 'eu-west-1',
};

function timeNode(args: string[]): number {
  const started = nowMs();
  const run = spawnSync(process.execPath, args, { env: ingressEnv, encoding: 'utf8' });
  const elapsed = nowMs() - started;
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${run.stderr}`);
  return elapsed;
}

export function benchColdLoad(ingressBundle: string, runs: number): BenchResult[] {
  const load = ['-e', `require(${JSON.stringify(ingressBundle)})`];
  const bare = ['-e', '0'];
  // Warm the page cache for both before timing.
  timeNode(load);
  timeNode(bare);
  const loads: number[] = [];
  const bares: number[] = [];
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) bares.push(timeNode(bare));
    loads.push(timeNode(load));
    if (i % 2 === 1) bares.push(timeNode(bare));
  }
  const measured = summarize(loads);
  const baseline = baselineOf('node -e 0', bares);
  const added = measured.median - baseline.median;
  return [
    result({
      name: 'ingress cold load',
      unit: 'ms',
      measured,
      baseline,
      target: '≤ baseline + 120 ms',
      pass: added <= 120,
      details: { addedMs: Math.round(added) },
    }),
  ];
}
