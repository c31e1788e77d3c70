import { ErrorCode, GofnError } from '../../src/errors';
import { loadRunbook } from '../../src/runbook/loader';
import type { Runbook } from '../../src/runbook/schema';
import { MemoryRecordStore } from '../../src/sim/record-store';
import type { StatusJob } from '../../src/slack/jobs';
import { fakeSources, type FakeData } from '../support/fake-sources';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack';
import { testWorker } from '../support/test-worker';
import { keptLog, recordResult, repoPath } from './support';

/**
 * Lambda stops the worker at its timeout, whatever it is doing. The worker takes the time it has
 * (`context.getRemainingTimeInMillis()`) into account: the diagnosis deadline shrinks so the
 * report is posted before the end, saying which steps did not answer; with too little time left
 * it does not start, gives the claim back and fails, so Lambda's retry runs the work once.
 */
let slack: FakeSlack;
let runbook: Runbook;
const MARGIN_MS = 1000;
const fileStarted = Date.now();

beforeAll(async () => {
  [slack, runbook] = await Promise.all([startFakeSlack(), loadRunbook()]);
});
afterAll(async () => {
  await slack.close();
});
beforeEach(() => slack.reset());

function setup(data: Partial<FakeData> = {}) {
  const store = new MemoryRecordStore();
  const log = keptLog();
  const worker = testWorker(slack.apiUrl, {
    sources: fakeSources(data),
    store,
    runbook,
    // Far longer than the invocation has: the remaining time must win.
    settings: { deadlineMs: 60_000, postMarginMs: MARGIN_MS, admins: ['U0MARIA'] },
    log,
  });
  return { worker, store, log };
}

const job = (id: string): StatusJob => ({
  kind: 'status',
  id,
  functionName: 'orders-api',
  window: '1h',
  alias: 'live',
  responseUrl: slack.responseUrl(id),
  channel: 'C0ONCALL',
  user: 'U0MARIA',
});

const alarm = JSON.stringify({
  AlarmName: 'orders-api-errors',
  NewStateValue: 'ALARM',
  NewStateReason: 'Threshold Crossed',
  StateChangeTime: '2026-11-26T14:22:05.123+0000',
  Trigger: {
    MetricName: 'Errors',
    Namespace: 'AWS/Lambda',
    Dimensions: [{ name: 'FunctionName', value: 'orders-api' }],
    Period: 60,
    EvaluationPeriods: 1,
    ComparisonOperator: 'GreaterThanThreshold',
    Threshold: 5,
  },
});

const hanging = { fail: { getInvocationLogs: 'hang', getErrorTraces: 'hang', getDownstream: 'hang' } } as const;
const results: { name: string; faults: number; lost: number; duplicated: number }[] = [];

describe('Lambda time running out', () => {
  it('posts a partial report before the invocation ends, naming the steps that did not answer', async () => {
    // Prepare: three sources never answer; the invocation has 2.5 s left
    const { worker } = setup(hanging);
    const remainingMs = 2500;
    const started = Date.now();

    // Act
    await worker.runJob(job('t-partial'), { remainingMs });

    // Assess
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(remainingMs);
    expect(elapsed).toBeGreaterThanOrEqual(remainingMs - MARGIN_MS - 100);
    const [report] = slack.callsOf('chat.postMessage');
    const blocks = JSON.stringify(report!.args.blocks);
    expect(blocks).toContain(
      'Incomplete: no answer before the deadline from: cold starts, downstream latency, memory and crashes, error traces',
    );
    expect(blocks).toContain('Throttles');
    results.push({ name: 'status job, 3 sources hanging, 2.5 s left', faults: 3, lost: 0, duplicated: 0 });
  });

  it('opens the alarm thread and posts the partial diagnosis in it before the end', async () => {
    // Prepare
    const { worker } = setup(hanging);
    const remainingMs = 2500;
    const started = Date.now();

    // Act
    await worker.handleAlarm({ messageId: 'sns-time-1', message: alarm }, { remainingMs });

    // Assess
    expect(Date.now() - started).toBeLessThan(remainingMs);
    const [root, report] = slack.callsOf('chat.postMessage');
    expect(report!.args.thread_ts).toBe(root!.response.ts);
    expect(JSON.stringify(report!.args.blocks)).toContain('Incomplete: no answer before the deadline from:');
    results.push({ name: 'alarm thread, 3 sources hanging, 2.5 s left', faults: 3, lost: 0, duplicated: 0 });
  });

  it('does not start with less than the margin left, gives the claim back, and the retry runs it once', async () => {
    // Prepare
    const { worker, log } = setup();

    // Act: the first delivery has 400 ms left, the retry a full minute, then a duplicate arrives
    const first = await worker.runJob(job('t-late'), { remainingMs: 400 }).then(
      () => undefined,
      (error: unknown) => error,
    );
    const postsAfterFirst = slack.callsOf('chat.postMessage').length;
    await worker.runJob(job('t-late'), { remainingMs: 60_000 });
    await worker.runJob(job('t-late'), { remainingMs: 60_000 });

    // Assess
    expect(first).toBeInstanceOf(GofnError);
    expect((first as GofnError).code).toBe(ErrorCode.Timeout);
    expect(postsAfterFirst).toBe(0);
    expect(log.lines.map((l) => l.message)).toContain(
      'too little time left to start; the work goes back for the retry',
    );
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
    results.push({ name: 'job delivered with 400 ms left, then retried', faults: 1, lost: 0, duplicated: 0 });
  });

  it('does the same for an alarm notification: nothing posted until the retry, then one thread', async () => {
    // Prepare
    const { worker } = setup();

    // Act
    const first = await worker.handleAlarm({ messageId: 'sns-late', message: alarm }, { remainingMs: 200 }).then(
      () => undefined,
      (error: unknown) => error,
    );
    await worker.handleAlarm({ messageId: 'sns-late', message: alarm }, { remainingMs: 60_000 });

    // Assess
    expect((first as GofnError).code).toBe(ErrorCode.Timeout);
    const roots = slack.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === undefined);
    expect(roots).toHaveLength(1);
    expect(slack.callsOf('chat.postMessage')).toHaveLength(2);
    results.push({ name: 'alarm delivered with 200 ms left, then retried', faults: 1, lost: 0, duplicated: 0 });
  });

  afterAll(() => {
    recordResult('lambda-time', {
      test: 'Lambda time running out',
      file: repoPath(__filename),
      group: 'faults',
      tried:
        'A status job and an alarm with 2.5 s of the invocation left and three AWS sources that never answer (settings deadline 60 s); a job and an alarm delivered with less than the posting margin left, then retried',
      faults: results.reduce((n, r) => n + r.faults, 0),
      lost: results.reduce((n, r) => n + r.lost, 0),
      duplicated: results.reduce((n, r) => n + r.duplicated, 0),
      details: Object.fromEntries(results.map((r) => [r.name, r.faults])),
      note: 'A partial report arrives before the end with the missing steps named; work started too late is handed back and runs once on the retry.',
      durationMs: Date.now() - fileStarted,
    });
  });
});
