import { listAudit } from '../../src/actions/audit';
import { loadRunbook } from '../../src/runbook/loader';
import type { Runbook } from '../../src/runbook/schema';
import { MemoryRecordStore } from '../../src/sim/record-store';
import { signActionToken } from '../../src/slack/action-token';
import type { ActionJob } from '../../src/slack/jobs';
import { fakeControl } from '../support/fake-control';
import { memorySlackFetch } from '../reliability/support';
import { SIGNING_SECRET } from '../support/slack-requests';
import { testWorker } from '../support/test-worker';

/**
 * A worker that dies in its first second (out of memory, the runtime crashed) leaves claims
 * whose lease is the rest of its 60 s invocation. Lambda retries the job about a minute later,
 * before that lease ends, with the same request ID. The retry must take the work over, and the
 * action still runs exactly once; a duplicate delivery (another request ID) must not.
 */
const INVOCATION_MS = 60_000;
let runbook: Runbook;
beforeAll(async () => {
  runbook = await loadRunbook();
});

function world() {
  const clock = { ms: Date.parse('2026-11-26T14:00:00.000Z') };
  const store = new MemoryRecordStore(() => Math.floor(clock.ms / 1000));
  const control = fakeControl();
  control.aliases.set('orders-api:live', {
    functionName: 'orders-api',
    alias: 'live',
    version: '42',
    routing: {},
    revisionId: 'rev-1',
  });
  const sent = { updateAlias: 0 };
  const { updateAlias } = control.lambda;
  control.lambda.updateAlias = (...args) => ((sent.updateAlias += 1), updateAlias(...args));
  const slack = memorySlackFetch();
  const workerWith = (dies: boolean) => {
    const { getAlias } = control.lambda;
    const ports = dies
      ? { ...control, lambda: { ...control.lambda, getAlias: () => new Promise<never>(() => undefined) } }
      : { ...control, lambda: { ...control.lambda, getAlias } };
    return testWorker(slack, {
      control: ports,
      store,
      runbook,
      settings: { actionTtlSeconds: 7200, admins: ['U0MARIA'] },
      now: () => new Date(clock.ms),
    });
  };
  const job: ActionJob = {
    kind: 'action',
    id: 'V-early',
    token: signActionToken(SIGNING_SECRET, {
      v: 1,
      id: '0b6f9d4e-1c1a-4c55-9d0e-0000000ea51e',
      kind: 'rollback',
      fn: 'orders-api',
      alias: 'live',
      params: { fromVersion: '42', toVersion: '41' },
      channel: 'C0ONCALL',
      exp: Math.floor(clock.ms / 1000) + 7200,
    }),
    channel: 'C0ONCALL',
    user: 'U0MARIA',
  };
  return { clock, store, control, sent, workerWith, job };
}

/** Lets the dying attempt take its claims and reach the call it never comes back from. */
const settle = () => new Promise((r) => setTimeout(r, 50));

describe('a worker that dies in its first second', () => {
  it("Lambda's retry a minute later (same request ID) takes over its claims: the rollback runs once and is audited", async () => {
    // Prepare: the first attempt claims the job and the action, then dies at 1 s while planning
    const { clock, store, control, sent, workerWith, job } = world();
    clock.ms += 1000;
    void workerWith(true).runJob(job, { remainingMs: INVOCATION_MS - 1000, requestId: 'req-1' });
    await settle();

    // Act: Lambda's retry, 60 s later, on a new instance
    clock.ms += 60_000;
    await workerWith(false).runJob(job, { remainingMs: INVOCATION_MS, requestId: 'req-1' });

    // Assess
    expect(control.aliases.get('orders-api:live')!.version).toBe('41');
    expect(sent.updateAlias).toBe(1);
    const audit = await listAudit(store, 'orders-api');
    expect(audit.map((a) => [a.status, a.actor.id])).toEqual([['succeeded', 'U0MARIA']]);
  });

  it('a duplicate delivery (another request ID) during the lease still skips the work, and the retry then runs it once', async () => {
    // Prepare
    const { clock, store, control, sent, workerWith, job } = world();
    clock.ms += 1000;
    void workerWith(true).runJob(job, { remainingMs: INVOCATION_MS - 1000, requestId: 'req-1' });
    await settle();

    // Act: a duplicate at 30 s, then the retry at 61 s
    clock.ms += 29_000;
    await workerWith(false).runJob(job, { remainingMs: INVOCATION_MS, requestId: 'req-dup' });
    const afterDuplicate = control.aliases.get('orders-api:live')!.version;
    clock.ms += 31_000;
    await workerWith(false).runJob(job, { remainingMs: INVOCATION_MS, requestId: 'req-1' });

    // Assess
    expect(afterDuplicate).toBe('42');
    expect(control.aliases.get('orders-api:live')!.version).toBe('41');
    expect(sent.updateAlias).toBe(1);
    expect((await listAudit(store, 'orders-api')).filter((a) => a.status === 'succeeded')).toHaveLength(1);
  });
});
