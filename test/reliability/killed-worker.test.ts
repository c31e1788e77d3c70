import { listAudit } from '../../src/actions/audit';
import { ErrorCode, GofnError } from '../../src/errors';
import { loadRunbook } from '../../src/runbook/loader';
import type { Runbook } from '../../src/runbook/schema';
import type { ControlPorts, QueueMessage } from '../../src/ports';
import { MemoryRecordStore } from '../../src/sim/record-store';
import { signActionToken, type ActionClaim } from '../../src/slack/action-token';
import type { ActionJob } from '../../src/slack/jobs';
import { fakeControl } from '../support/fake-control';
import { fakeSources } from '../support/fake-sources';
import { SIGNING_SECRET } from '../support/slack-requests';
import { testWorker } from '../support/test-worker';
import { memorySlackFetch, recordResult, repoPath } from './support';

/**
 * Lambda kills the worker at its timeout (or the execution environment dies) in the middle of an
 * action; Lambda delivers the job again a minute or two later to a new instance. The dead
 * worker's claims last only as long as its invocation could, so the retry takes the work over:
 * a DLQ replay resumes and every message ends in the source queue or the DLQ; a change to an
 * alias or to reserved concurrency is sent once.
 */
const MESSAGES = 95;
const SOURCE = 'arn:aws:sqs:us-east-1:123456789012:orders';
const DLQ = 'arn:aws:sqs:us-east-1:123456789012:orders-dlq';
const INVOCATION_MS = 60_000;
/** Lambda retries a failed async invocation after about one minute, then two. */
const RETRY_AFTER_MS = INVOCATION_MS + 70_000;

let runbook: Runbook;
beforeAll(async () => {
  runbook = await loadRunbook();
});

/** SQS as far as a replay sees it: visibility timeouts, a new receipt handle per receive. */
class MemoryQueues {
  private readonly queues = new Map<string, { id: string; body: string; receipt: string; hiddenUntil: number }[]>();
  private seq = 0;
  constructor(private readonly clock: () => number) {}

  fill(arn: string, bodies: string[]): void {
    this.queues.set(
      arn,
      bodies.map((body) => ({ id: `m-${++this.seq}`, body, receipt: '', hiddenUntil: 0 })),
    );
  }

  bodies(arn: string): string[] {
    return (this.queues.get(arn) ?? []).map((m) => m.body);
  }

  visible(arn: string): number {
    return (this.queues.get(arn) ?? []).filter((m) => m.hiddenUntil <= this.clock()).length;
  }

  ports(): ControlPorts['queues'] {
    return {
      startMessageMoveTask: async () => {
        throw new GofnError(ErrorCode.Unsupported, 'no message-move tasks here');
      },
      listMessageMoveTasks: async () => [],
      receive: async (arn, max, visibilitySeconds) => {
        const now = this.clock();
        const visible = (this.queues.get(arn) ?? []).filter((m) => m.hiddenUntil <= now).slice(0, max);
        return visible.map((m) => {
          m.hiddenUntil = now + visibilitySeconds * 1000;
          m.receipt = `r-${++this.seq}`;
          return { messageId: m.id, receiptHandle: m.receipt, body: m.body } as QueueMessage;
        });
      },
      sendBatch: async (arn, batch) => {
        const queue = this.queues.get(arn) ?? [];
        for (const m of batch) queue.push({ id: `m-${++this.seq}`, body: m.body, receipt: '', hiddenUntil: 0 });
        this.queues.set(arn, queue);
        return new Set(batch.map((m) => m.messageId));
      },
      deleteBatch: async (arn, receipts) => {
        const wanted = new Set(receipts);
        const queue = this.queues.get(arn) ?? [];
        const deleted = new Set(queue.filter((m) => wanted.has(m.receipt)).map((m) => m.receipt));
        this.queues.set(
          arn,
          queue.filter((m) => !wanted.has(m.receipt)),
        );
        return deleted;
      },
    };
  }
}

type KillPoint = { method: string; call: number; after: boolean };

/**
 * Wraps one port method so that its n-th call never returns: the process is gone. With `after`,
 * the call reaches AWS first (the change happened, the answer was lost with the process).
 */
function killAt<T extends object>(target: T, point: KillPoint, onKilled: () => void): T {
  let calls = 0;
  const original = (target as Record<string, unknown>)[point.method] as (...args: unknown[]) => Promise<unknown>;
  return {
    ...target,
    [point.method]: async (...args: unknown[]) => {
      if (++calls === point.call) {
        if (point.after) await original(...args);
        onKilled();
        return new Promise(() => undefined);
      }
      return original(...args);
    },
  };
}

function world(clock: { ms: number }) {
  const store = new MemoryRecordStore(() => Math.floor(clock.ms / 1000));
  const queues = new MemoryQueues(() => clock.ms);
  queues.fill(
    DLQ,
    Array.from({ length: MESSAGES }, (_, i) => `order-${i}`),
  );
  const control = fakeControl();
  control.aliases.set('orders-api:live', {
    functionName: 'orders-api',
    alias: 'live',
    version: '42',
    routing: {},
    revisionId: 'rev-1',
  });
  control.concurrency.set('orders-api', 100);
  const sent = { updateAlias: 0, putReservedConcurrency: 0 };
  const { updateAlias, putReservedConcurrency } = control.lambda;
  control.lambda.updateAlias = (...args) => ((sent.updateAlias += 1), updateAlias(...args));
  control.lambda.putReservedConcurrency = (...args) => (
    (sent.putReservedConcurrency += 1),
    putReservedConcurrency(...args)
  );
  const sources = fakeSources({ sqsSource: { sourceArn: SOURCE, dlqArn: DLQ } });
  sources.queues.getDepth = async (arn) => ({
    arn,
    name: arn.split(':').pop()!,
    visible: queues.visible(arn),
    inFlight: 0,
  });
  return { store, queues, control, sources, sent };
}

function workerOver(
  w: ReturnType<typeof world>,
  control: ControlPorts,
  clock: { ms: number },
  slack: ReturnType<typeof memorySlackFetch>,
) {
  return testWorker(slack, {
    sources: w.sources,
    control,
    store: w.store,
    runbook,
    settings: { actionTtlSeconds: 7200, replayRatePerSecond: 10_000, admins: ['U0MARIA'] },
    now: () => new Date(clock.ms),
  });
}

function actionJob(
  claim: Omit<ActionClaim, 'v' | 'fn' | 'alias' | 'channel' | 'exp'>,
  clock: { ms: number },
): ActionJob {
  const token = signActionToken(SIGNING_SECRET, {
    v: 1,
    fn: 'orders-api',
    alias: 'live',
    channel: 'C0ONCALL',
    exp: Math.floor(clock.ms / 1000) + 7200,
    ...claim,
  });
  return { kind: 'action', id: `V-${claim.id.slice(-4)}`, token, channel: 'C0ONCALL', user: 'U0MARIA' };
}

interface Row {
  scenario: string;
  lost: number;
  duplicated: number;
  executedTwice: number;
}
const rows: Row[] = [];
const fileStarted = Date.now();

/** Runs the job on a worker that dies at `point`, then delivers it again to a fresh worker later. */
async function killThenRetry(
  point: KillPoint,
  target: 'queues' | 'lambda',
  claim: Omit<ActionClaim, 'v' | 'fn' | 'alias' | 'channel' | 'exp'>,
) {
  const clock = { ms: Date.now() };
  const w = world(clock);
  const slack = memorySlackFetch();
  let killed!: () => void;
  const died = new Promise<void>((resolve) => (killed = resolve));
  const dying: ControlPorts = {
    ...w.control,
    queues: target === 'queues' ? killAt(w.queues.ports(), point, killed) : w.queues.ports(),
    lambda: target === 'lambda' ? killAt(w.control.lambda, point, killed) : w.control.lambda,
  };
  const job = actionJob(claim, clock);

  // The first delivery runs until the process dies; nothing of it runs after that.
  void workerOver(w, dying, clock, slack).runJob(job, { remainingMs: INVOCATION_MS });
  await died;
  // Lambda's retry comes after the dead invocation's timeout, to a new instance.
  clock.ms += RETRY_AFTER_MS;
  const healthy: ControlPorts = { ...w.control, queues: w.queues.ports() };
  await workerOver(w, healthy, clock, slack).runJob(job, { remainingMs: INVOCATION_MS });
  // The visibility timeout of anything the dead worker held has passed too; one more retry finds it done.
  clock.ms += RETRY_AFTER_MS;
  await workerOver(w, healthy, clock, slack).runJob(job, { remainingMs: INVOCATION_MS });
  return { w, slack };
}

const replayClaim = {
  id: '5a0c8e1e-8a4b-4f7a-9f0e-00000000c0de',
  kind: 'replay-dlq' as const,
  params: { queue: 'orders-dlq', messages: MESSAGES },
};

describe('the worker killed in the middle of a DLQ replay, the job delivered again', () => {
  const points: [string, KillPoint][] = [
    ['before the 4th receive', { method: 'receive', call: 4, after: false }],
    ['after the 4th receive, before its send', { method: 'sendBatch', call: 4, after: false }],
    ['after the 4th send, before its delete', { method: 'sendBatch', call: 4, after: true }],
    ['after the 4th delete', { method: 'deleteBatch', call: 4, after: true }],
    ['after the 10th (last) delete', { method: 'deleteBatch', call: 10, after: true }],
  ];

  it.each(points)('killed %s: the replay resumes and no message is lost', async (name, point) => {
    // Act
    const { w, slack } = await killThenRetry(point, 'queues', replayClaim);

    // Assess
    const inSource = w.queues.bodies(SOURCE);
    const inDlq = w.queues.bodies(DLQ);
    const originals = Array.from({ length: MESSAGES }, (_, i) => `order-${i}`);
    const lost = originals.filter((b) => !inSource.includes(b) && !inDlq.includes(b)).length;
    const duplicated = inSource.length + inDlq.length - new Set([...inSource, ...inDlq]).size;
    expect(lost).toBe(0);
    expect(inDlq).toEqual([]);
    expect(new Set(inSource).size).toBe(MESSAGES);
    // Sent but not deleted when the process died: SQS is at-least-once, a batch at most.
    expect(duplicated).toBe(point.method === 'sendBatch' && point.after ? 10 : 0);
    const posts = slack.calls.filter((c) => c.method === 'chat.postMessage').map((c) => String(c.args.text));
    expect(posts.filter((t) => /replayed \d+ of \d+ messages/.test(t)).length).toBeLessThanOrEqual(1);
    const audit = await listAudit(w.store, 'orders-api');
    expect(audit.filter((a) => a.status === 'succeeded')).toHaveLength(1);
    expect(audit.filter((a) => a.status === 'conflict')).toEqual([]);
    rows.push({ scenario: `DLQ replay, killed ${name}`, lost, duplicated, executedTwice: 0 });
  });
});

describe('the worker killed in the middle of an alias or concurrency change, the job delivered again', () => {
  const rollback = {
    id: '5a0c8e1e-8a4b-4f7a-9f0e-00000000a11a',
    kind: 'rollback' as const,
    params: { fromVersion: '42', toVersion: '41' },
  };
  const raise = {
    id: '5a0c8e1e-8a4b-4f7a-9f0e-00000000cc01',
    kind: 'raise-concurrency' as const,
    params: { from: 100, to: 200 },
  };
  const cases: [string, KillPoint, typeof rollback | typeof raise][] = [
    ['rollback, killed before UpdateAlias', { method: 'updateAlias', call: 1, after: false }, rollback],
    ['rollback, killed after UpdateAlias reached Lambda', { method: 'updateAlias', call: 1, after: true }, rollback],
    ['rollback, killed while reading the alias back', { method: 'getAlias', call: 2, after: false }, rollback],
    [
      'concurrency, killed after PutFunctionConcurrency reached Lambda',
      { method: 'putReservedConcurrency', call: 1, after: true },
      raise,
    ],
  ];

  it.each(cases)('%s: the change is sent once', async (name, point, claim) => {
    // Act
    const { w } = await killThenRetry(point, 'lambda', claim);

    // Assess
    const changes = claim.kind === 'rollback' ? w.sent.updateAlias : w.sent.putReservedConcurrency;
    expect(changes).toBe(1);
    if (claim.kind === 'rollback') expect(w.control.aliases.get('orders-api:live')!.version).toBe('41');
    else expect(w.control.concurrency.get('orders-api')).toBe(200);
    // The trail says the change was made, once, even when the worker that made it died first.
    const audit = await listAudit(w.store, 'orders-api');
    expect(audit.filter((a) => a.status === 'succeeded')).toHaveLength(1);
    expect(audit.filter((a) => a.status === 'conflict')).toEqual([]);
    rows.push({ scenario: name, lost: 0, duplicated: 0, executedTwice: changes - 1 });
  });
});

afterAll(() => {
  recordResult('killed-worker', {
    test: 'Worker killed mid-job, job delivered again',
    file: repoPath(__filename),
    group: 'faults',
    tried: `${rows.length} kill points (a port call that never returns, before or after it reached AWS) in a ${MESSAGES}-message DLQ replay, a rollback and a concurrency change; the job delivered again to a new worker over the same store after the dead invocation's time (${RETRY_AFTER_MS / 1000} s later), and once more`,
    faults: rows.length,
    lost: rows.reduce((n, r) => n + r.lost, 0),
    duplicated: rows.reduce((n, r) => n + r.executedTwice, 0),
    details: {
      ...Object.fromEntries(rows.map((r) => [r.scenario, r.duplicated])),
    },
    note: 'Duplicated counts actions executed twice (0). Messages a replay sent but had not deleted when it died are sent again on resume (10 at that one kill point, listed per scenario): SQS redrive is at-least-once, consumers must be idempotent. Nothing is lost at any kill point. The audit trail holds one succeeded record per action at every kill point: the plan is noted on the claim before it runs, so a retry that finds the world already changed to it records the change as made.',
    durationMs: Date.now() - fileStarted,
  });
});
