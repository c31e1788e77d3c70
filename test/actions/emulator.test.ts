import { CreateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { listAudit } from '../../src/actions/audit';
import { runAction } from '../../src/actions/run';
import type { ActionDeps, ActionRequest } from '../../src/actions/types';
import { createAwsClients, createAwsSources, createControlPorts, type AwsClients } from '../../src/aws/index';
import { CallLedger, countCalls } from '../../src/calls';
import { ErrorCode, GofnError } from '../../src/errors';
import { silentLog } from '../../src/log';
import type { ControlPorts, QueueMessage, RecordStore } from '../../src/ports';
import {
  createGofnTable,
  createLambdaRole,
  createTestFunction,
  emulatorAccount,
  emulatorRegion,
} from '../aws/emulator-fixtures';
import { startEmulator, type Emulator } from '../support/moto';

/**
 * The actions against the AWS emulator: real SQS moves with faults and a crash in the middle,
 * and concurrent attempts on one alias with the idempotency and audit records in DynamoDB.
 * Messages are counted by body: every one must end in the source queue or the DLQ.
 */
const MESSAGES = 35;
const arn = (name: string) => `arn:aws:sqs:${emulatorRegion}:${emulatorAccount}:${name}`;

let emulator: Emulator;
let clients: AwsClients;
let runId = 0;

beforeAll(async () => {
  emulator = await startEmulator();
  clients = createAwsClients({ maxAttempts: 1 });
  await createLambdaRole(emulator.endpoint);
});
afterAll(async () => {
  clients?.destroy();
  await emulator?.stop();
});

async function newStore(): Promise<RecordStore> {
  return createGofnTable(clients, `gofn-actions-${++runId}`);
}

/** A worker function consuming `orders-N` whose redrive goes to `orders-N-dlq`, holding MESSAGES messages. */
async function workerWithBacklog(): Promise<{
  fn: string;
  source: string;
  dlq: string;
  sourceUrl: string;
  dlqUrl: string;
}> {
  const n = ++runId;
  const fn = `orders-worker-${n}`;
  const dlq = await clients.sqs.send(new CreateQueueCommand({ QueueName: `orders-${n}-dlq` }));
  const source = await clients.sqs.send(
    new CreateQueueCommand({
      QueueName: `orders-${n}`,
      Attributes: {
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn(`orders-${n}-dlq`), maxReceiveCount: 3 }),
      },
    }),
  );
  for (let i = 0; i < MESSAGES; i += 10) {
    const entries = Array.from({ length: Math.min(10, MESSAGES - i) }, (_, j) => ({
      Id: `m${i + j}`,
      MessageBody: `order-${i + j}`,
    }));
    await clients.sqs.send(new SendMessageBatchCommand({ QueueUrl: dlq.QueueUrl, Entries: entries }));
  }
  await createTestFunction(clients, fn, { tags: { 'gofn:managed': 'true' }, versions: 1, alias: 'live' });
  // Disabled: the emulator would try to run the function for each message and, failing without
  // Docker, redrive the replayed messages straight back to the DLQ.
  await clients.lambda.send(
    new CreateEventSourceMappingCommand({ FunctionName: fn, EventSourceArn: arn(`orders-${n}`), Enabled: false }),
  );
  return {
    fn,
    source: arn(`orders-${n}`),
    dlq: arn(`orders-${n}-dlq`),
    sourceUrl: source.QueueUrl!,
    dlqUrl: dlq.QueueUrl!,
  };
}

/** Every body in a queue, read and deleted (after waiting out any visibility timeout). */
async function drainBodies(queueUrl: string): Promise<string[]> {
  const bodies: string[] = [];
  for (let empty = 0; empty < 2;) {
    const out = await clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 30 }),
    );
    if (!out.Messages?.length) {
      empty += 1;
      continue;
    }
    for (const m of out.Messages) {
      bodies.push(m.Body!);
      await clients.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
    }
  }
  return bodies;
}

function depsWith(control: ControlPorts, store: RecordStore, now: () => Date = () => new Date()): ActionDeps {
  return {
    sources: createAwsSources({ clients }),
    control,
    store,
    settings: { maxConcurrency: 1000, replayRatePerSecond: 500, admins: [], replayVisibilitySeconds: 1 },
    log: silentLog,
    now,
  };
}

const replay = (fn: string, requestId: string): ActionRequest => ({
  kind: 'replay-dlq',
  functionName: fn,
  alias: 'live',
  expected: {},
  actor: { via: 'cli', id: 'tester@host' },
  requestId,
});

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('DLQ replay on the emulator', () => {
  it('a delete that fails after the send loses nothing; the retry finishes the move', async () => {
    // Prepare
    const { fn, sourceUrl, dlqUrl } = await workerWithBacklog();
    const store = await newStore();
    const control = createControlPorts(clients);
    const realDelete = control.queues.deleteBatch.bind(control.queues);
    let deletes = 0;
    control.queues.deleteBatch = async (...args) => {
      if (++deletes === 2) throw new GofnError(ErrorCode.Upstream, 'SQS DeleteMessageBatch failed (injected).');
      return realDelete(...args);
    };

    // Act
    const first = await runAction(replay(fn, 'replay-fault'), depsWith(control, store));
    await wait(1500); // the failed batch becomes visible in the DLQ again
    const second = await runAction(replay(fn, 'replay-fault'), depsWith(control, store));

    // Assess
    expect(first.status).toBe('failed');
    expect(second.status).toBe('succeeded');
    const inSource = await drainBodies(sourceUrl);
    const inDlq = await drainBodies(dlqUrl);
    const all = new Set([...inSource, ...inDlq]);
    expect(all.size).toBe(MESSAGES);
    expect(inDlq).toEqual([]);
    // The batch whose delete failed was sent twice: at least once, never lost.
    expect(inSource.length).toBeGreaterThanOrEqual(MESSAGES);
    expect(inSource.length).toBeLessThanOrEqual(MESSAGES + 10);
  });

  it('a worker killed mid-batch is taken over after its lease, and the replay resumes without loss', async () => {
    // Prepare
    const { fn, sourceUrl, dlqUrl } = await workerWithBacklog();
    const store = await newStore();
    const dying = createControlPorts(clients);
    const realSend = dying.queues.sendBatch.bind(dying.queues);
    let sends = 0;
    let died: () => void = () => undefined;
    const dead = new Promise<void>((resolve) => (died = resolve));
    dying.queues.sendBatch = async (arnOf: string, batch: QueueMessage[], opts) => {
      // The third batch is received, then the process dies before sending it: nothing after runs.
      if (++sends === 3) {
        died();
        return new Promise<Set<string>>(() => undefined);
      }
      return realSend(arnOf, batch, opts);
    };

    // Act: the takeover starts once the first worker is dead, however long it took to get there,
    // and the batch it held has come back (replayVisibilitySeconds is 1 here, 60 in production:
    // Lambda's retry of the dead invocation comes about a minute later).
    void runAction(replay(fn, 'replay-crash'), depsWith(dying, store));
    await dead;
    await wait(1500);
    const later = new Date(Date.now() + 16 * 60_000); // past the dead worker's lease
    const resumed = await runAction(
      replay(fn, 'replay-crash'),
      depsWith(createControlPorts(clients), store, () => later),
    );

    // Assess
    expect(resumed.status).toBe('succeeded');
    const inSource = await drainBodies(sourceUrl);
    const inDlq = await drainBodies(dlqUrl);
    expect(new Set([...inSource, ...inDlq]).size).toBe(MESSAGES);
    expect(inSource).toHaveLength(MESSAGES);
    expect(inDlq).toEqual([]);
  });
});

describe('exactly once with DynamoDB', () => {
  it('five concurrent attempts of one rollback send one UpdateAlias; all five are audited', async () => {
    // Prepare
    const fn = `payments-api-${++runId}`;
    await createTestFunction(clients, fn, { tags: { 'gofn:managed': 'true' }, versions: 2, alias: 'live' });
    const store = await newStore();
    const deps = depsWith(createControlPorts(clients), store);
    const request: ActionRequest = {
      kind: 'rollback',
      functionName: fn,
      alias: 'live',
      expected: { fromVersion: '2', toVersion: '1' },
      actor: { via: 'slack', id: 'U0MARIA' },
      requestId: 'rollback-once',
    };
    const ledger = new CallLedger();

    // Act
    const outcomes = await countCalls(ledger, () =>
      Promise.all(
        Array.from({ length: 5 }, () =>
          runAction(request, { ...deps, settings: { ...deps.settings, admins: ['U0MARIA'] } }),
        ),
      ),
    );

    // Assess
    expect(ledger.snapshot()['Lambda:UpdateAlias']).toBe(1);
    expect(outcomes.filter((o) => o.status === 'succeeded')).toHaveLength(1);
    const alias = await createControlPorts(clients).lambda.getAlias(fn, 'live');
    expect(alias.version).toBe('1');
    const audit = await listAudit(store, fn);
    expect(audit).toHaveLength(5);
    expect(audit.filter((a) => a.status === 'succeeded')).toHaveLength(1);
  });
});
