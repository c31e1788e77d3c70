/**
 * Alarm → root message: from `handleAlarm` being called with an SNS ALARM notification to the
 * moment the fake Slack receives the thread's root `chat.postMessage`, on a warm worker. The
 * worker's AWS adapters run over stubbed clients (GetFunction 120 ms for the "is it managed"
 * check), its record store answers after a few milliseconds per call, like DynamoDB.
 */
import { GetFunctionCommand } from '@aws-sdk/client-lambda';
import { createControlPorts } from '../src/aws/index';
import { silentLog } from '../src/log';
import type { RecordStore, StoredRecord } from '../src/ports';
import { loadRunbook } from '../src/runbook/loader';
import { MemoryRecordStore } from '../src/sim/record-store';
import { httpsFetch } from '../src/slack/https-fetch';
import { SlackOut } from '../src/slack/out';
import { createWorker } from '../src/slack/worker';
import { startFakeSlack } from '../test/support/fake-slack';
import { functionName, SimulatedAws } from './aws-sim';
import { baselineOf, result, sleep, summarize, type BenchResult } from './stats';

/** Simulated DynamoDB round trip of one record-store call. */
const STORE_MS = 5;
const CHANNEL = 'C0ALARMS';

/** MemoryRecordStore behind a network-like delay, noting when each call was made. */
class DelayedStore implements RecordStore {
  private readonly inner = new MemoryRecordStore();
  readonly calls: number[] = [];

  private async delay(): Promise<void> {
    this.calls.push(Date.now());
    await sleep(STORE_MS);
  }

  async get(pk: string, sk: string): Promise<StoredRecord | undefined> {
    await this.delay();
    return this.inner.get(pk, sk);
  }
  async create(record: Omit<StoredRecord, 'version'>): Promise<boolean> {
    await this.delay();
    return this.inner.create(record);
  }
  async updateIf(
    pk: string,
    sk: string,
    expectedVersion: number,
    data: Record<string, unknown>,
    expiresAt?: number,
  ): Promise<boolean> {
    await this.delay();
    return this.inner.updateIf(pk, sk, expectedVersion, data, expiresAt);
  }
  async query(
    pk: string,
    options?: { limit?: number; ascending?: boolean; skPrefix?: string },
  ): Promise<StoredRecord[]> {
    await this.delay();
    return this.inner.query(pk, options);
  }
}

function alarmMessage(name: string): string {
  return JSON.stringify({
    AlarmName: name,
    AlarmDescription: `Errors of ${functionName}`,
    AWSAccountId: '123456789012',
    NewStateValue: 'ALARM',
    OldStateValue: 'OK',
    NewStateReason: 'Threshold Crossed: 2 out of the last 3 datapoints were greater than the threshold (5.0).',
    StateChangeTime: new Date().toISOString().replace('Z', '+0000'),
    Region: 'EU (Ireland)',
    AlarmArn: `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${name}`,
    Trigger: {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Statistic: 'SUM',
      Dimensions: [{ name: 'FunctionName', value: functionName }],
      Period: 60,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 5,
    },
  });
}

export async function benchAlarmRoot(runs: number): Promise<BenchResult[]> {
  const sim = new SimulatedAws();
  const slack = await startFakeSlack();
  const store = new DelayedStore();
  const out = new SlackOut({
    botToken: 'xoxb-bench',
    clientOptions: { slackApiUrl: slack.apiUrl, fetch: httpsFetch },
    log: silentLog,
  });
  const worker = createWorker({
    sources: sim.sources(),
    control: createControlPorts(sim.clients),
    store,
    chart: undefined,
    runbook: await loadRunbook(),
    slack: out,
    signingSecret: 'bench-signing-secret',
    settings: {
      alarmChannel: CHANNEL,
      // Only the root message is timed; a short deadline keeps the diagnosis after it brief.
      deadlineMs: 600,
      actionTtlSeconds: 7200,
      maxConcurrency: 1000,
      replayRatePerSecond: 50,
      admins: [],
    },
    log: silentLog,
  });

  let seq = 0;
  const once = async () => {
    seq += 1;
    const name = `${functionName}-errors-${seq}`;
    const storeCallsBefore = store.calls.length;
    const started = Date.now();
    await worker.handleAlarm({ messageId: `bench-${seq}`, message: alarmMessage(name) });
    const root = slack
      .callsOf('chat.postMessage')
      .find((c) => c.args.channel === CHANNEL && !c.args.thread_ts && String(c.args.text).includes(name));
    if (!root) throw new Error(`no root message for ${name}`);
    const storeCalls = store.calls.slice(storeCallsBefore).filter((at) => at <= root.at).length;
    return { ms: root.at - started, storeCalls };
  };

  /** The waits the path cannot avoid: GetFunction, its store calls one after another, one post. */
  const chain = async (storeCalls: number) => {
    const started = Date.now();
    await sim.clients.lambda.send(new GetFunctionCommand({ FunctionName: functionName, Qualifier: 'live' }));
    for (let i = 0; i < storeCalls; i++) await store.get('bench', 'chain');
    await out.post(CHANNEL, { text: 'chain', blocks: [] });
    return Date.now() - started;
  };

  try {
    const first = await once(); // warm-up: the first Slack call also loads the HTTP stack
    await chain(first.storeCalls);
    const times: number[] = [];
    const chains: number[] = [];
    let storeCalls = first.storeCalls;
    for (let i = 0; i < runs; i++) {
      const run = await once();
      times.push(run.ms);
      storeCalls = run.storeCalls;
      chains.push(await chain(run.storeCalls));
    }
    const measured = summarize(times);
    return [
      result({
        name: 'alarm → root message posted',
        unit: 'ms',
        measured,
        baseline: baselineOf('GetFunction + the store calls before the root + one post', chains),
        target: '≤ 300 ms',
        pass: measured.median <= 300 && measured.max <= 300,
        details: { storeCallsBeforeRoot: storeCalls, storeMs: STORE_MS, getFunctionMs: sim.latencyOf('Lambda') },
      }),
    ];
  } finally {
    await slack.close();
    sim.destroy();
  }
}
