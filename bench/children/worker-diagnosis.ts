/**
 * A worker process running one `/gofn status` job: `createWorker` with the AWS adapters over
 * stubbed clients (simulated latency), an in-memory record store, and `SlackOut` posting to the
 * fake Slack the parent runs (SLACK_API_URL) through the same fetch as the worker handler.
 * BENCH_MODE=idle builds the same worker and runs nothing: the floor the job's memory adds to.
 */
import { CloudWatchCharts, createControlPorts } from '../../src/aws/index';
import { silentLog } from '../../src/log';
import { loadRunbook } from '../../src/runbook/loader';
import { MemoryRecordStore } from '../../src/sim/record-store';
import { httpsFetch } from '../../src/slack/https-fetch';
import { SlackOut } from '../../src/slack/out';
import { createWorker } from '../../src/slack/worker';
import { functionName, SimulatedAws } from '../aws-sim';
import { report } from '../children';

async function main(): Promise<void> {
  const apiUrl = process.env.SLACK_API_URL;
  if (!apiUrl) throw new Error('SLACK_API_URL is not set');
  const sim = new SimulatedAws();
  const worker = createWorker({
    sources: sim.sources(),
    control: createControlPorts(sim.clients),
    store: new MemoryRecordStore(),
    chart: new CloudWatchCharts(sim.clients),
    runbook: await loadRunbook(),
    slack: new SlackOut({
      botToken: 'xoxb-bench',
      clientOptions: { slackApiUrl: apiUrl, fetch: httpsFetch },
      log: silentLog,
    }),
    signingSecret: 'bench-signing-secret',
    settings: {
      alarmChannel: 'C0ALARMS',
      deadlineMs: 20_000,
      actionTtlSeconds: 7200,
      maxConcurrency: 1000,
      replayRatePerSecond: 50,
      admins: [],
    },
    log: silentLog,
  });
  if (process.env.BENCH_MODE === 'idle') {
    report({ mode: 'idle' });
    sim.destroy();
    return;
  }
  const started = performance.now();
  await worker.runJob({
    kind: 'status',
    id: `trigger-${process.pid}`,
    functionName,
    window: '1h',
    alias: 'live',
    responseUrl: process.env.RESPONSE_URL ?? `${apiUrl.replace(/\/api\/$/, '')}/response/bench`,
    channel: 'C0ONCALL',
    user: 'U0MARIA',
    team: 'T1',
  });
  report({ mode: 'run', ms: Math.round(performance.now() - started), requests: sim.counts() });
  sim.destroy();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
