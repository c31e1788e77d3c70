import { loadRunbook } from '../../src/runbook/loader';
import type { Runbook } from '../../src/runbook/schema';
import { MemoryRecordStore } from '../../src/sim/record-store';
import { SlackOut } from '../../src/slack/out';
import { createWorker } from '../../src/slack/worker';
import { fakeControl } from '../support/fake-control';
import { fakeSources } from '../support/fake-sources';
import { startFakeSlack, type Fault, type FakeSlack } from '../support/fake-slack';
import { BOT_TOKEN, SIGNING_SECRET } from '../support/slack-requests';
import { quietConsole, recordResult, repoPath } from './support';

/**
 * Slack answers 429 with Retry-After, fails with 5xx, or does not answer in time, while an alarm
 * thread is being written. The worker's Web API client (SlackOut, with its production retry
 * policy) must deliver every message of the thread, each once.
 */
let slack: FakeSlack;
let runbook: Runbook;
let restoreConsole: () => void;
const fileStarted = Date.now();
/** The client's per-attempt timeout in this test (10 s in production), so a slow answer times out quickly. */
const CLIENT_TIMEOUT_MS = 700;

beforeAll(async () => {
  [slack, runbook] = await Promise.all([startFakeSlack(), loadRunbook()]);
  restoreConsole = quietConsole();
});
afterAll(async () => {
  restoreConsole();
  await slack.close();
});
beforeEach(() => slack.reset());

/** A worker whose Slack client counts its HTTP attempts (including the ones the faults ate). */
function setup() {
  const attempts = { count: 0 };
  const counting: typeof fetch = (input, init) => {
    attempts.count += 1;
    return fetch(input, init);
  };
  const worker = createWorker({
    sources: fakeSources(),
    control: fakeControl(),
    store: new MemoryRecordStore(),
    chart: undefined,
    runbook,
    // SlackOut's retry policy (5 retries, exponential backoff) with its waits scaled down 5×, and a
    // shorter per-attempt timeout: the same sequence of attempts in a fifth of the time.
    slack: new SlackOut({
      botToken: BOT_TOKEN,
      clientOptions: {
        slackApiUrl: slack.apiUrl,
        timeout: CLIENT_TIMEOUT_MS,
        fetch: counting,
        retryConfig: { retries: 5, factor: 2, minTimeout: 50, maxTimeout: 1000, randomize: true },
      },
      log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    }),
    signingSecret: SIGNING_SECRET,
    settings: {
      alarmChannel: 'C0ALARMS',
      deadlineMs: 3000,
      actionTtlSeconds: 600,
      maxConcurrency: 1000,
      replayRatePerSecond: 1000,
      admins: [],
    },
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  return { worker, attempts };
}

function alarm(state: 'ALARM' | 'OK', at: string): string {
  return JSON.stringify({
    AlarmName: 'orders-api-errors',
    NewStateValue: state,
    NewStateReason: 'Threshold Crossed: 2 out of the last 3 datapoints were greater than the threshold (5.0).',
    StateChangeTime: at,
    Trigger: {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Dimensions: [{ name: 'FunctionName', value: 'orders-api' }],
      Period: 60,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 5,
    },
  });
}

/** The alarm thread: open, a repeat, the resolution. */
async function alarmThread(worker: ReturnType<typeof setup>['worker']): Promise<void> {
  await worker.handleAlarm({ messageId: 'sns-1', message: alarm('ALARM', '2026-11-26T14:22:05.000+0000') });
  await worker.handleAlarm({ messageId: 'sns-2', message: alarm('ALARM', '2026-11-26T14:25:05.000+0000') });
  await worker.handleAlarm({ messageId: 'sns-3', message: alarm('OK', '2026-11-26T14:53:05.000+0000') });
}

/** What the thread should hold, one each: root, report, repeat reply, resolution reply; one edit. */
function delivered() {
  const posts = slack.callsOf('chat.postMessage').map((c) => ({
    text: String(c.args.text),
    thread: c.args.thread_ts,
  }));
  const kinds = {
    root: posts.filter((p) => p.thread === undefined),
    report: posts.filter((p) => p.thread !== undefined && /^🔴|^🟠|^🟢|orders-api is/.test(p.text)),
    repeat: posts.filter((p) => p.text.startsWith('Still in ALARM')),
    resolved: posts.filter((p) => p.text.startsWith('Resolved:')),
    edit: slack.callsOf('chat.update'),
  };
  const expected = Object.keys(kinds).length;
  const counts = Object.values(kinds).map((list) => list.length);
  return {
    kinds,
    lost: counts.filter((n) => n === 0).length,
    duplicated: counts.reduce((n, c) => n + Math.max(0, c - 1), 0),
    expected,
  };
}

const rows: Record<string, { faults: number; lost: number; duplicated: number }> = {};

describe('Slack faults during an alarm thread', () => {
  it('429 with Retry-After, 5xx and dropped connections: every message delivered once', async () => {
    // Prepare
    const { worker, attempts } = setup();
    // Faults apply to consecutive requests, retries included; `ok` lets one through between them.
    const ok: Fault = { delayMs: 0, thenOk: true };
    const postFaults: Fault[] = [
      { status: 429, retryAfterSeconds: 1 },
      { status: 500 },
      ok,
      { status: 503 },
      // The connection dies after a while without an answer: the client times out; Slack never saw it.
      { delayMs: CLIENT_TIMEOUT_MS + 300 },
      ok,
      { status: 502 },
      { status: 429, retryAfterSeconds: 1 },
      ok,
      { status: 500 },
    ];
    const updateFaults: Fault[] = [{ status: 429, retryAfterSeconds: 1 }, { status: 503 }];
    slack.injectFaults('chat.postMessage', postFaults);
    slack.injectFaults('chat.update', updateFaults);

    // Act
    await alarmThread(worker);

    // Assess
    const result = delivered();
    expect(result.lost).toBe(0);
    expect(result.duplicated).toBe(0);
    const faults = postFaults.filter((f) => f !== ok).length + updateFaults.length;
    const recorded = slack.calls.length;
    expect(attempts.count - recorded).toBe(faults);
    const rootTs = String(slack.callsOf('chat.postMessage')[0]!.response.ts);
    expect(result.kinds.report[0]!.thread).toBe(rootTs);
    expect(slack.callsOf('chat.update')[0]!.args.ts).toBe(rootTs);
    rows['429 ×3, 5xx ×5, a dropped connection ×1, spread over the thread'] = {
      faults,
      lost: result.lost,
      duplicated: result.duplicated,
    };
  });

  it('three consecutive 5xx on every message (more than half the retry budget): still delivered once', async () => {
    // Prepare: each post's first three attempts fail; the edit's too
    const { worker } = setup();
    const ok: Fault = { delayMs: 0, thenOk: true };
    const burst: Fault[] = [{ status: 500 }, { status: 502 }, { status: 503 }, ok];
    slack.injectFaults('chat.postMessage', [...burst, ...burst, ...burst, ...burst]);
    slack.injectFaults('chat.update', burst);

    // Act
    await alarmThread(worker);

    // Assess
    const result = delivered();
    expect(result.lost).toBe(0);
    expect(result.duplicated).toBe(0);
    rows['3 consecutive 5xx on each of the 5 writes'] = { faults: 15, lost: 0, duplicated: 0 };
  });

  it('answers lost after Slack carried out the post: the retries find the posts and do not post again', async () => {
    // Prepare: the root and the report are posted, but each answer is lost on the way back
    const { worker } = setup();
    slack.injectFaults('chat.postMessage', [{ loseAnswer: true }, { loseAnswer: true }]);

    // Act
    await alarmThread(worker);

    // Assess: one of each, the thread on the root Slack kept, and each retry preceded by a search
    const result = delivered();
    expect(result.lost).toBe(0);
    expect(result.duplicated).toBe(0);
    const rootTs = String(slack.callsOf('chat.postMessage')[0]!.response.ts);
    expect(result.kinds.report[0]!.thread).toBe(rootTs);
    expect(result.kinds.repeat[0]!.thread).toBe(rootTs);
    expect(slack.callsOf('conversations.history')).toHaveLength(1);
    expect(slack.callsOf('conversations.replies')).toHaveLength(1);
    rows['2 answers lost after Slack carried out the post (root, report)'] = {
      faults: 2,
      lost: result.lost,
      duplicated: result.duplicated,
    };
  });

  afterAll(() => {
    const all = Object.values(rows);
    recordResult('faults-slack', {
      test: 'Slack faults during an alarm thread',
      file: repoPath(__filename),
      group: 'faults',
      tried:
        'An alarm thread (root, diagnosis, repeat reply, resolution edit and reply) against the fake Slack Web API injecting 429 with Retry-After, 500/502/503, connections dropped after the client timeout, and answers lost after Slack carried out the post; the retry policy of SlackOut (5 retries, backoff scaled down 5×)',
      faults: all.reduce((n, r) => n + r.faults, 0),
      lost: all.reduce((n, r) => n + r.lost, 0),
      duplicated: all.reduce((n, r) => n + r.duplicated, 0),
      details: Object.fromEntries(
        Object.entries(rows).flatMap(([k, r]) => [
          [`${k}: faults`, r.faults],
          [`${k}: lost`, r.lost],
          [`${k}: duplicated`, r.duplicated],
        ]),
      ),
      note: 'chat.postMessage has no idempotency key: each post carries a random key in its message metadata, and an attempt after one whose answer was lost first searches the channel or thread for it (conversations.history/replies). A post Slack carries out only after the retry has searched (over 10 s late in production), or a search Slack refuses (the bot is not in the channel), is posted again: a duplicate rather than a loss.',
      durationMs: Date.now() - fileStarted,
    });
  });
});
