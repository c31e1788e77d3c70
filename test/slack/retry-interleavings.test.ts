import { createAwsClients, type AwsClients } from '../../src/aws/index';
import type { RecordStore } from '../../src/ports';
import { loadRunbook } from '../../src/runbook/loader';
import type { Runbook } from '../../src/runbook/schema';
import type { StatusJob } from '../../src/slack/jobs';
import { createGofnTable } from '../aws/emulator-fixtures';
import { fakeControl } from '../support/fake-control';
import { fakeSources } from '../support/fake-sources';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack';
import { startEmulator, type Emulator } from '../support/moto';
import { testWorker } from '../support/test-worker';

/**
 * A slash command and Slack's retry of it reach two workers. Whatever the interleaving of the
 * two deliveries, one report is posted. Each case stops the first delivery at one point of its
 * work (through the table it keeps its claim in) and runs the retry to its end right there,
 * rather than starting both and hoping the scheduler lands on the interesting order.
 */
let emulator: Emulator;
let clients: AwsClients;
let slack: FakeSlack;
let runbook: Runbook;
let tables = 0;

beforeAll(async () => {
  [emulator, slack, runbook] = await Promise.all([startEmulator(), startFakeSlack(), loadRunbook()]);
  clients = createAwsClients({ maxAttempts: 1 });
});
afterAll(async () => {
  clients?.destroy();
  await Promise.all([emulator?.stop(), slack?.close()]);
});
beforeEach(() => slack.reset());

type Op = 'create' | 'get' | 'updateIf';
type Hook = (op: Op, pk: string, data: Record<string, unknown> | undefined) => Promise<void> | void;

/**
 * The table, with a hook the test sets for the first delivery: it runs after that delivery's
 * call of the store went through, and the delivery goes on only when the hook is done.
 */
function hooked(inner: RecordStore) {
  let hook: Hook | undefined;
  const store: RecordStore = {
    get: async (pk, sk, opts) => {
      const out = await inner.get(pk, sk, opts);
      await hook?.('get', pk, out?.data);
      return out;
    },
    create: async (record, opts) => {
      const out = await inner.create(record, opts);
      await hook?.('create', record.pk, record.data);
      return out;
    },
    updateIf: async (pk, sk, version, data, expiresAt, opts) => {
      const out = await inner.updateIf(pk, sk, version, data, expiresAt, opts);
      await hook?.('updateIf', pk, data);
      return out;
    },
    query: (pk, options, opts) => inner.query(pk, options, opts),
  };
  return { store, setHook: (h: Hook | undefined) => void (hook = h) };
}

/** One worker per delivery, as two Lambda invocations; they share the table and Slack. */
async function twoWorkers() {
  const table = await createGofnTable(clients, `gofn-interleave-${++tables}`);
  const first = hooked(table);
  const workerOn = (store: RecordStore) => {
    const control = fakeControl();
    control.aliases.set('orders-api:live', {
      functionName: 'orders-api',
      alias: 'live',
      version: '42',
      routing: {},
      revisionId: 'rev-1',
    });
    return testWorker(slack.apiUrl, {
      sources: fakeSources({ current: { invocations: 18_240, throttles: 412, peakConcurrency: 100 } }),
      control,
      store,
      runbook,
      settings: { admins: ['U0MARIA'] },
    });
  };
  return { first: workerOn(first.store), retry: workerOn(table), setHook: first.setHook, table };
}

const job: StatusJob = {
  kind: 'status',
  id: 'trigger-interleave',
  functionName: 'orders-api',
  window: '1h',
  alias: 'live',
  responseUrl: 'https://hooks.slack.com/commands/T1/1/abc',
  team: 'T1',
  channel: 'C0ONCALL',
  user: 'U0MARIA',
};

const isClaim = (pk: string) => pk === `claim#job#status#${job.id}`;

describe('a slash command and its retry, at every point of the first delivery', () => {
  const points: [string, (op: Op, pk: string, data: Record<string, unknown> | undefined) => boolean][] = [
    ['the first has just claimed the job', (op, pk) => op === 'create' && isClaim(pk)],
    ['the first has posted its report', (op, pk) => op === 'create' && pk.startsWith('msg#')],
    ['the first has marked the job done', (op, pk, data) => op === 'updateIf' && isClaim(pk) && data?.state === 'done'],
  ];

  it.each(points)('the retry runs when %s: one report', async (_point, isThePoint) => {
    // Prepare
    const { first, retry, setHook } = await twoWorkers();
    let retried = false;
    setHook(async (op, pk, data) => {
      if (retried || !isThePoint(op, pk, data)) return;
      retried = true;
      await retry.runJob(job);
    });

    // Act
    await first.runJob(job);

    // Assess
    expect(retried).toBe(true);
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
  });

  it('both deliveries claim at the same moment: one of them runs', async () => {
    // Prepare: the first delivery's claim is written but its answer held until the retry's
    // own claim attempt has come back, so both are in flight together.
    const { first, retry, setHook } = await twoWorkers();
    let retryClaimed: Promise<void> | undefined;
    setHook(async (op, pk) => {
      if (retryClaimed || op !== 'create' || !isClaim(pk)) return;
      retryClaimed = retry.runJob(job);
      await retryClaimed;
    });

    // Act
    await first.runJob(job);

    // Assess
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
  });

  it('the first posts but cannot mark the job done: the retry does not post again', async () => {
    // Prepare
    const { first, retry, setHook } = await twoWorkers();
    setHook((op, pk, data) => {
      if (op === 'updateIf' && isClaim(pk) && data?.state === 'done') throw new Error('DynamoDB went away');
    });

    // Act
    await first.runJob(job);
    await retry.runJob(job);

    // Assess
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
  });
});

describe('the emulator keeps DynamoDB conditional writes atomic', () => {
  it('of many creates of one key sent together, exactly one succeeds', async () => {
    // PutItem with a ConditionExpression is atomic per item (DynamoDB API Reference, PutItem;
    // Developer Guide, "Condition expressions"). tools/emulator.py makes moto keep that.
    const store = await createGofnTable(clients, 'gofn-atomic');
    const keys = Array.from({ length: 10 }, (_, i) => `claim#k${i}`);

    const created = await Promise.all(
      keys.map(async (pk) => {
        const results = await Promise.all(
          Array.from({ length: 12 }, () => store.create({ pk, sk: 'claim', data: { state: 'running' } })),
        );
        return results.filter(Boolean).length;
      }),
    );

    expect(created).toEqual(keys.map(() => 1));
  });
});
