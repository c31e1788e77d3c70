import {
  CreateEventSourceMappingCommand,
  InvokeCommand,
  PutFunctionEventInvokeConfigCommand,
  type InvokeCommandOutput,
} from '@aws-sdk/client-lambda';
import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type MessageAttributeValue,
} from '@aws-sdk/client-sqs';
import { runAction } from '../../src/actions/run';
import type { ActionDeps, ActionRequest } from '../../src/actions/types';
import { createAwsClients, createAwsSources, createControlPorts, type AwsClients } from '../../src/aws/index';
import { findDeadLetterQueue } from '../../src/checks/evidence';
import { silentLog } from '../../src/log';
import { MemoryRecordStore } from '../../src/sim/record-store';
import { createLambdaRole, createTestFunction, emulatorAccount, emulatorRegion } from '../aws/emulator-fixtures';
import * as records from '../fixtures/aws/lambda-async-failures';
import { binaryAttribute } from '../fixtures/aws/sqs-messages';
import { startEmulator, type Emulator } from '../support/moto';

/**
 * Event sources, destinations and replay fidelity against the AWS emulator. Lambda runs without
 * Docker here: its Invoke answers with the request payload, which is how the test sees what
 * reached the Lambda endpoint. Message-move tasks are not emulated, so SQS replays take the
 * receive / send / delete path, the one that has to carry attributes and FIFO IDs itself.
 */

const arn = (service: string, resource: string) =>
  `arn:aws:${service}:${emulatorRegion}:${emulatorAccount}:${resource}`;

let emulator: Emulator;
let clients: AwsClients;
let runId = 0;
/** What the Lambda endpoint answered to each Invoke: with Docker off, the payload it received. */
const invoked: string[] = [];

beforeAll(async () => {
  emulator = await startEmulator();
  // Before any function exists: the emulator keeps Docker-less functions in a backend of their own.
  const configured = await fetch(`${emulator.endpoint}/moto-api/config`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ lambda: { use_docker: false } }),
  });
  if (!configured.ok) throw new Error(`moto-api/config answered ${configured.status}`);
  clients = createAwsClients({ maxAttempts: 1 });
  clients.lambda.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === InvokeCommand.name) {
        const payload = (result.output as InvokeCommandOutput).Payload;
        if (payload) invoked.push(new TextDecoder().decode(payload));
      }
      return result;
    },
    { step: 'initialize', name: 'recordInvokeAnswers' },
  );
  await createLambdaRole(emulator.endpoint);
});
afterAll(async () => {
  clients?.destroy();
  await emulator?.stop();
});
beforeEach(() => {
  invoked.length = 0;
});

function deps(): ActionDeps {
  return {
    sources: createAwsSources({ clients }),
    control: createControlPorts(clients),
    store: new MemoryRecordStore(),
    settings: { maxConcurrency: 1000, replayRatePerSecond: 500, admins: [], replayVisibilitySeconds: 1 },
    log: silentLog,
  };
}

const replay = (functionName: string): ActionRequest => ({
  kind: 'replay-dlq',
  functionName,
  alias: 'live',
  expected: {},
  actor: { via: 'cli', id: 'tester@host' },
  requestId: `replay-${functionName}`,
});

/** A source queue whose redrive policy sends to `<name>-dlq` (both FIFO when the name says so). */
async function queueWithDlq(name: string): Promise<{ source: string; dlq: string; sourceUrl: string; dlqUrl: string }> {
  const fifo = name.endsWith('.fifo');
  const dlqName = fifo ? name.replace(/\.fifo$/, '-dlq.fifo') : `${name}-dlq`;
  const fifoAttributes: Record<string, string> = fifo ? { FifoQueue: 'true' } : {};
  const dlq = await clients.sqs.send(new CreateQueueCommand({ QueueName: dlqName, Attributes: fifoAttributes }));
  const source = await clients.sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        ...fifoAttributes,
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn('sqs', dlqName), maxReceiveCount: 3 }),
      },
    }),
  );
  return { source: arn('sqs', name), dlq: arn('sqs', dlqName), sourceUrl: source.QueueUrl!, dlqUrl: dlq.QueueUrl! };
}

async function receiveAll(queueUrl: string) {
  const out = await clients.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 30,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['MessageGroupId'],
    }),
  );
  return out.Messages ?? [];
}

describe('event-source mappings bound to an alias or a version', () => {
  it('are found through the alias and versions, and their DLQ replays to the source queue', async () => {
    // Prepare: the emulator lists a mapping only under the exact name it was created with.
    const fn = `payouts-worker-${++runId}`;
    await createTestFunction(clients, fn, { tags: { 'gofn:managed': 'true' }, versions: 2, alias: 'live' });
    const payouts = await queueWithDlq(`payouts-${runId}`);
    const audit = await queueWithDlq(`audit-${runId}`);
    const refunds = await queueWithDlq(`refunds-${runId}`);
    const bind = (queue: string, functionName: string) =>
      clients.lambda.send(
        // Disabled: the emulator would otherwise try to run the function for each message.
        new CreateEventSourceMappingCommand({ FunctionName: functionName, EventSourceArn: queue, Enabled: false }),
      );
    await bind(payouts.source, arn('lambda', `function:${fn}:live`));
    await bind(refunds.source, arn('lambda', `function:${fn}:2`));
    await bind(audit.source, fn);
    for (let i = 0; i < 3; i++) {
      await clients.sqs.send(new SendMessageCommand({ QueueUrl: payouts.dlqUrl, MessageBody: `payout-${i}` }));
    }
    const sources = createAwsSources({ clients });
    const info = await sources.functions.getFunction(fn, 'live');

    // Act
    const mappings = await sources.functions.listEventSources({
      functionName: fn,
      functionArn: info.arn,
      qualifiers: ['live', info.version],
    });
    const byNameOnly = await sources.functions.listEventSources({
      functionName: fn,
      functionArn: info.arn,
      qualifiers: [],
    });
    const outcome = await runAction(replay(fn), deps());

    // Assess
    expect(mappings.map((m) => m.sourceArn).sort()).toEqual([audit.source, payouts.source, refunds.source].sort());
    expect(byNameOnly.map((m) => m.sourceArn)).toEqual([audit.source]);
    expect([outcome.status, outcome.sentence]).toEqual(['succeeded', expect.any(String)]);
    expect(outcome.plan).toMatchObject({ mode: 'sqs-source', dlqArn: payouts.dlq, destinationArn: payouts.source });
    expect((await receiveAll(payouts.sourceUrl)).map((m) => m.Body).sort()).toEqual([
      'payout-0',
      'payout-1',
      'payout-2',
    ]);
  });
});

describe('an OnFailure destination on the emulator', () => {
  it('is replayed by invoking with each requestPayload, which reaches Lambda byte for byte', async () => {
    // Prepare
    const fn = 'billing-events';
    await createTestFunction(clients, fn, { tags: { 'gofn:managed': 'true' }, versions: 1, alias: 'live' });
    const failures = await clients.sqs.send(new CreateQueueCommand({ QueueName: 'billing-failures' }));
    await clients.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: fn,
        Qualifier: 'live',
        DestinationConfig: { OnFailure: { Destination: arn('sqs', 'billing-failures') } },
      }),
    );
    const bodies = [
      records.failureRecordBody,
      records.expiredRecordBody,
      records.successRecordBody,
      records.otherFunctionRecordBody,
      records.streamBatchRecordBody,
    ];
    await clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: failures.QueueUrl,
        Entries: bodies.map((body, i) => ({ Id: `r${i}`, MessageBody: body })),
      }),
    );
    const sources = createAwsSources({ clients });
    const dlq = await findDeadLetterQueue(sources, await sources.functions.getFunction(fn, 'live'), {});

    // Act
    const outcome = await runAction(replay(fn), deps());
    await new Promise((r) => setTimeout(r, 1500)); // the kept records come back after their visibility timeout

    // Assess
    expect(dlq).toMatchObject({ kind: 'on-failure', depth: { name: 'billing-failures', visible: 5 } });
    expect([outcome.status, outcome.sentence]).toEqual(['succeeded', expect.any(String)]);
    expect([...invoked].sort()).toEqual([records.originalEvent, '{"invoiceId":"inv-2292","amountCents":4500}'].sort());
    expect(outcome.after).toMatchObject({ moved: 2, method: 'receive-invoke-delete' });
    expect(Object.values(outcome.after.kept as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(3);
    const left = await receiveAll(failures.QueueUrl!);
    expect(left.map((m) => m.Body).sort()).toEqual(
      [records.successRecordBody, records.otherFunctionRecordBody, records.streamBatchRecordBody].sort(),
    );
  });

  it('re-invokes with the body of a DeadLetterConfig message, the event as it was', async () => {
    // Prepare: the emulator does not keep DeadLetterConfig, so the function is read as AWS returns it.
    const fn = `orders-events-${++runId}`;
    await createTestFunction(clients, fn, { tags: { 'gofn:managed': 'true' }, versions: 1, alias: 'live' });
    const dlq = await clients.sqs.send(new CreateQueueCommand({ QueueName: `${fn}-dlq` }));
    await clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: dlq.QueueUrl,
        MessageBody: records.originalEvent,
        MessageAttributes: records.deadLetterMessage.MessageAttributes,
      }),
    );
    const base = deps();
    const functions = base.sources.functions;
    const withDeadLetterConfig: ActionDeps = {
      ...base,
      sources: {
        ...base.sources,
        functions: Object.assign(Object.create(functions) as typeof functions, {
          getFunction: async (name: string, alias: string) => ({
            ...(await functions.getFunction(name, alias)),
            deadLetterTargetArn: arn('sqs', `${fn}-dlq`),
          }),
        }),
      },
    };

    // Act
    const outcome = await runAction(replay(fn), withDeadLetterConfig);

    // Assess
    expect([outcome.status, outcome.sentence]).toEqual(['succeeded', expect.any(String)]);
    expect(outcome.plan).toMatchObject({ mode: 'dead-letter-config' });
    expect(invoked).toEqual([records.originalEvent]);
  });
});

describe('what a replay keeps of each message', () => {
  const attributes: Record<string, MessageAttributeValue> = {
    tenant: { DataType: 'String', StringValue: 'acme-bv · café' },
    attempt: { DataType: 'Number', StringValue: '3' },
    amount: { DataType: 'Number.decimal', StringValue: '0.004100' },
    traceparent: { DataType: 'String.w3c', StringValue: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    signature: { DataType: 'Binary', BinaryValue: binaryAttribute },
    thumbnail: { DataType: 'Binary.png', BinaryValue: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00]) },
  };

  it('carries every attribute type byte for byte, the attribute digest included', async () => {
    // Prepare
    const fn = `ledger-worker-${++runId}`;
    await createTestFunction(clients, fn, { tags: { 'gofn:managed': 'true' }, versions: 1, alias: 'live' });
    const queues = await queueWithDlq(`ledger-${runId}`);
    await clients.lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: arn('lambda', `function:${fn}:live`),
        EventSourceArn: queues.source,
        Enabled: false,
      }),
    );
    const sent = await clients.sqs.send(
      new SendMessageCommand({ QueueUrl: queues.dlqUrl, MessageBody: '{"entry":1}', MessageAttributes: attributes }),
    );

    // Act
    const outcome = await runAction(replay(fn), deps());

    // Assess
    expect([outcome.status, outcome.sentence]).toEqual(['succeeded', expect.any(String)]);
    const [moved] = await receiveAll(queues.sourceUrl);
    expect(moved?.Body).toBe('{"entry":1}');
    expect(moved?.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
    expect(moved?.MessageAttributes).toEqual(attributes);
    expect(Buffer.from(moved!.MessageAttributes!.signature!.BinaryValue!).equals(Buffer.from(binaryAttribute))).toBe(
      true,
    );
  });

  it('moves FIFO messages back into their groups, in order', async () => {
    // Prepare
    const fn = `ledger-fifo-worker-${++runId}`;
    await createTestFunction(clients, fn, { tags: { 'gofn:managed': 'true' }, versions: 1, alias: 'live' });
    const queues = await queueWithDlq(`ledger-${runId}.fifo`);
    await clients.lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: arn('lambda', `function:${fn}:live`),
        EventSourceArn: queues.source,
        Enabled: false,
      }),
    );
    await clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queues.dlqUrl,
        Entries: [1, 2, 3].map((entry) => ({
          Id: `e${entry}`,
          MessageBody: `{"accountId":"acc-1","entry":${entry}}`,
          MessageGroupId: 'acc-1',
          MessageDeduplicationId: `original-${entry}`,
        })),
      }),
    );

    // Act
    const outcome = await runAction(replay(fn), deps());

    // Assess
    expect([outcome.status, outcome.sentence]).toEqual(['succeeded', expect.any(String)]);
    expect(outcome.plan?.sentence).toMatch(/, each in its message group$/);
    const moved = await receiveAll(queues.sourceUrl);
    expect(moved.map((m) => [m.Body, m.Attributes?.MessageGroupId])).toEqual([
      ['{"accountId":"acc-1","entry":1}', 'acc-1'],
      ['{"accountId":"acc-1","entry":2}', 'acc-1'],
      ['{"accountId":"acc-1","entry":3}', 'acc-1'],
    ]);
  });

  it('splits messages into requests SQS accepts when ten would be too large for one', async () => {
    // Prepare: ten messages of 120 KiB; one request holding all of them exceeds any SQS batch limit.
    const fn = `bulk-worker-${++runId}`;
    await createTestFunction(clients, fn, { tags: { 'gofn:managed': 'true' }, versions: 1, alias: 'live' });
    const queues = await queueWithDlq(`bulk-${runId}`);
    await clients.lambda.send(
      new CreateEventSourceMappingCommand({ FunctionName: fn, EventSourceArn: queues.source, Enabled: false }),
    );
    const body = (i: number) => `${i}`.padEnd(120 * 1024, '.');
    for (let i = 0; i < 10; i++) {
      await clients.sqs.send(new SendMessageCommand({ QueueUrl: queues.dlqUrl, MessageBody: body(i) }));
    }

    // Act
    const outcome = await runAction(replay(fn), deps());

    // Assess
    expect([outcome.status, outcome.sentence]).toEqual(['succeeded', expect.any(String)]);
    expect(outcome.after).toMatchObject({ moved: 10, method: 'receive-send-delete' });
    const moved = [...(await receiveAll(queues.sourceUrl)), ...(await receiveAll(queues.sourceUrl))];
    expect(moved.map((m) => m.Body?.length)).toEqual(Array(10).fill(120 * 1024));
  });
});
