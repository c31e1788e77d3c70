/**
 * Peak RSS of a worker running one diagnosis, and of a fleet overview of 5,000 functions, each
 * run in its own process. The baseline is the same process built but idle: what loading the code
 * costs before the work starts.
 */
import { startFakeSlack } from '../test/support/fake-slack';
import { buildChild, loadOnly, runChild, type ChildReport } from './children';
import { baselineOf, result, summarize, type BenchResult } from './stats';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

async function measure(
  file: string,
  env: Record<string, string>,
  runs: number,
): Promise<{ run: number[]; idle: number[]; last: ChildReport }> {
  const run: number[] = [];
  const idle: number[] = [];
  let last: ChildReport | undefined;
  for (let i = 0; i < runs; i++) {
    idle.push((await runChild(file, { ...env, BENCH_MODE: 'idle' })).maxRssMb);
    last = await runChild(file, { ...env, BENCH_MODE: 'run' });
    run.push(last.maxRssMb);
  }
  if (!last) throw new Error('no runs');
  return { run, idle, last };
}

export async function benchWorkerMemory(runs: number, workerBundle: string): Promise<BenchResult[]> {
  const file = await buildChild('worker-diagnosis');
  const slack = await startFakeSlack();
  try {
    const { run, idle, last } = await measure(file, { SLACK_API_URL: slack.apiUrl }, runs);
    const posted = slack.callsOf('chat.postMessage').length;
    if (posted < runs) throw new Error(`the worker posted ${posted} reports for ${runs} runs`);
    // A graph that failed to upload is only logged by the worker; a run without it would weigh less.
    const graphs = [...slack.uploads.values()].filter((bytes) => bytes.subarray(0, 8).equals(PNG_SIGNATURE));
    if (graphs.length < runs) throw new Error(`the worker uploaded ${graphs.length} graphs for ${runs} runs`);
    // Attribution, not a figure: the same job with WebAssembly kept on V8's baseline compiler,
    // which takes out what optimising the HTTP parser of Node's fetch (undici's llhttp) would cost.
    // Equal to the run as long as nothing in the job goes through Node's fetch.
    const liftoffOnly = await runChild(file, { SLACK_API_URL: slack.apiUrl, BENCH_MODE: 'run' }, ['--liftoff-only']);
    // What the deployed worker bundle costs to load on its own, without the benchmark's stubs.
    const workerBundleOnly = await loadOnly(workerBundle, {
      SLACK_SIGNING_SECRET: 'bench-signing-secret',
      SLACK_BOT_TOKEN: 'xoxb-bench',
      TABLE_NAME: 'gofn-bench',
      AWS_REGION: 'eu-west-1',
    });
    const measured = summarize(run);
    return [
      result({
        name: 'worker peak RSS, one diagnosis',
        unit: 'MB',
        measured,
        baseline: baselineOf('the same worker process, idle', idle),
        target: '≤ 128 MB',
        pass: measured.max <= 128,
        details: {
          jobMs: last.ms,
          slackCalls: [...new Set(slack.calls.map((c) => c.method))],
          runWithWasmLiftoffOnlyMb: liftoffOnly.maxRssMb,
          workerBundleLoadedAloneMb: workerBundleOnly.maxRssMb,
          idleChildMinusBundleAloneMb: Number((summarize(idle).median - workerBundleOnly.maxRssMb).toFixed(1)),
        },
      }),
    ];
  } finally {
    await slack.close();
  }
}

/** The fleet across 2 accounts × 3 regions of `perTarget` functions each, in its own process. */
export async function benchFleetAcrossAccountsMemory(perTarget: number, runs: number): Promise<BenchResult[]> {
  const file = await buildChild('fleet-accounts');
  const { run, idle, last } = await measure(file, { PER_TARGET: String(perTarget), TAG_PAGE_MS: '30' }, runs);
  const measured = summarize(run);
  return [
    result({
      name: `fleet across 2 accounts × 3 regions peak RSS, ${perTarget.toLocaleString('en-US')} functions each`,
      unit: 'MB',
      measured,
      baseline: baselineOf('the same process, idle', idle),
      target: '≤ 200 MB',
      pass: measured.max <= 200,
      details: { overviewMs: last.ms, functions: last.functions, requests: last.requests },
    }),
  ];
}

export async function benchFleetMemory(size: number, runs: number): Promise<BenchResult[]> {
  const file = await buildChild('fleet-overview');
  const { run, idle, last } = await measure(file, { FLEET_SIZE: String(size), TAG_PAGE_MS: '30' }, runs);
  const measured = summarize(run);
  return [
    result({
      name: `fleet overview peak RSS, ${size.toLocaleString('en-US')} functions`,
      unit: 'MB',
      measured,
      baseline: baselineOf('the same process, idle', idle),
      target: '≤ 200 MB',
      pass: measured.max <= 200,
      details: { overviewMs: last.ms, requests: last.requests },
    }),
  ];
}

export async function benchCostMemory(size: number, runs: number): Promise<BenchResult[]> {
  const file = await buildChild('cost-report');
  const { run, idle, last } = await measure(file, { FLEET_SIZE: String(size) }, runs);
  const measured = summarize(run);
  return [
    result({
      name: `gofn cost peak RSS, ${size.toLocaleString('en-US')} functions`,
      unit: 'MB',
      measured,
      baseline: baselineOf('the same process, idle', idle),
      target: '≤ 200 MB',
      pass: measured.max <= 200,
      details: { costMs: last.ms, requests: last.requests },
    }),
  ];
}
