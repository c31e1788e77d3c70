import { CallLedger, countCalls } from '../../src/calls';
import type { GofnError } from '../../src/errors';
import { ErrorCode } from '../../src/errors';
import { createSimulatedSources } from '../../src/sim/backend';
import { createSimulatedControl } from '../../src/sim/control';
import { functionText, loadTexts, scenarioText } from './helpers';

const arn = (name: string) => `arn:aws:sqs:us-east-1:123456789012:${name}`;

/** A worker with a DLQ behind its source queue, and an API in the middle of a canary. */
const fleetText = scenarioText({
  header: 'accountConcurrencyLimit: 400',
  functions: [
    functionText({
      name: 'worker',
      extra: [
        '    reservedConcurrency: 50',
        '    deadLetter: { queue: worker-async-dlq, messages: 3, samples: ["{\\"event\\":1}"] }',
        '    eventSource:',
        '      queue: jobs',
        '      deadLetter: { queue: jobs-dlq, messages: 25, samples: ["{\\"job\\":1}", "{\\"job\\":2}"] }',
      ].join('\n'),
    }),
    functionText({
      name: 'api',
      extra: [
        '    codeDeploy:',
        '      application: api',
        '      group: live',
        '      deployments:',
        '        - { id: d-CANARY001, status: InProgress, created: -4m, currentVersion: 1, targetVersion: 2 }',
      ].join('\n'),
    }).replace('aliases: { live: 2 }', 'aliases: { live: { version: 1, routing: { "2": 0.1 } } }'),
  ].join('\n'),
});

async function setUp() {
  const fleet = await loadTexts([fleetText]);
  return { fleet, control: createSimulatedControl(fleet), sources: createSimulatedSources(fleet) };
}

describe('simulated Lambda control', () => {
  it('moves an alias when its revision is unchanged, and refuses a stale revision', async () => {
    // Prepare
    const { control, sources } = await setUp();
    const before = await control.lambda.getAlias('api', 'live');

    // Act
    const after = await control.lambda.updateAlias('api', 'live', '2', before.revisionId);
    const stale = await control.lambda.updateAlias('api', 'live', '1', before.revisionId).catch((e: unknown) => e);

    // Assess
    expect(before).toMatchObject({ version: '1', routing: { '2': 0.1 } });
    expect(before.revisionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(after).toMatchObject({ version: '2', routing: {} });
    expect(after.revisionId).not.toBe(before.revisionId);
    expect((stale as GofnError).code).toBe(ErrorCode.Conflict);
    expect(await sources.functions.getFunction('api', 'live')).toMatchObject({ version: '2', routing: {} });
  });

  it('reads and raises reserved concurrency, within what the account leaves', async () => {
    // Prepare
    const { control, sources } = await setUp();

    // Act
    const before = await control.lambda.getReservedConcurrency('worker');
    const raised = await control.lambda.putReservedConcurrency('worker', 120);
    const tooMuch = await control.lambda.putReservedConcurrency('worker', 350).catch((e: unknown) => e);

    // Assess
    expect(before).toBe(50);
    expect(raised).toBe(120);
    expect(await control.lambda.getReservedConcurrency('worker')).toBe(120);
    expect(await sources.functions.getAccountConcurrency()).toEqual({ limit: 400, unreserved: 280 });
    expect((tooMuch as GofnError).code).toBe(ErrorCode.Upstream);
  });

  it('accepts async invokes for an existing alias and rejects them for a missing one', async () => {
    // Prepare
    const { control, fleet } = await setUp();

    // Act
    await control.lambda.invokeAsync('worker', 'live', '{"event":1}');
    const missing = await control.lambda.invokeAsync('worker', 'blue', '{}').catch((e: unknown) => e);

    // Assess
    expect(fleet.asyncInvocationsOf('worker')).toEqual([
      { functionName: 'worker', qualifier: 'live', payload: '{"event":1}' },
    ]);
    expect((missing as GofnError).code).toBe(ErrorCode.NotFound);
  });
});

describe('simulated CodeDeploy control', () => {
  it('finds the deployment in flight and stops it, rolling the alias back', async () => {
    // Prepare
    const { control, sources } = await setUp();
    const ledger = new CallLedger();

    // Act
    const active = await countCalls(ledger, () =>
      control.deploys.findActiveDeployment({ application: 'api', group: 'live' }),
    );
    const target = await sources.deploys.getLambdaTarget('d-CANARY001', 'api');
    const status = await control.deploys.stopDeployment('d-CANARY001');
    const stopped = await control.deploys.getDeployment('d-CANARY001');
    const again = await control.deploys.stopDeployment('d-CANARY001').catch((e: unknown) => e);
    const none = await control.deploys.findActiveDeployment({ application: 'api', group: 'live' });

    // Assess
    expect(active).toMatchObject({ id: 'd-CANARY001', status: 'InProgress' });
    expect(ledger.snapshot()).toEqual({ 'CodeDeploy:BatchGetDeployments': 1, 'CodeDeploy:ListDeployments': 1 });
    expect(target).toMatchObject({ functionName: 'api', alias: 'live', currentVersion: '1', targetVersion: '2' });
    expect(target?.targetVersionWeight).toBe(0.1);
    expect(status).toBe('Succeeded');
    expect(stopped.status).toBe('Stopped');
    expect(await sources.functions.getFunction('api', 'live')).toMatchObject({ version: '1', routing: {} });
    expect((again as GofnError).code).toBe(ErrorCode.Conflict);
    expect(none).toBeUndefined();
  });

  it('answers NotFound for an unknown deployment or group', async () => {
    // Prepare
    const { control } = await setUp();

    // Act
    const deployment = await control.deploys.getDeployment('d-NOPE00000').catch((e: unknown) => e);
    const group = await control.deploys
      .findActiveDeployment({ application: 'api', group: 'blue' })
      .catch((e: unknown) => e);

    // Assess
    expect((deployment as GofnError).code).toBe(ErrorCode.NotFound);
    expect((group as GofnError).code).toBe(ErrorCode.NotFound);
  });
});

describe('simulated SQS control', () => {
  it('moves a DLQ back to its source queue with a message-move task', async () => {
    // Prepare
    const { control, sources } = await setUp();

    // Act
    const handle = await control.queues.startMessageMoveTask(arn('jobs-dlq'), arn('jobs'), 50);
    const tasks = await control.queues.listMessageMoveTasks(arn('jobs-dlq'));

    // Assess
    expect(tasks).toEqual([
      { taskHandle: handle, status: 'COMPLETED', moved: 25, toMove: 25, failureReason: undefined },
    ]);
    expect(await sources.queues.getDepth(arn('jobs-dlq'))).toMatchObject({ visible: 0, inFlight: 0 });
    expect(await sources.queues.getDepth(arn('jobs'))).toMatchObject({ visible: 25 });
  });

  it("refuses a move task from a queue that is no other queue's DLQ", async () => {
    // Prepare
    const { control } = await setUp();

    // Act
    const error = await control.queues
      .startMessageMoveTask(arn('worker-async-dlq'), arn('jobs'), 50)
      .catch((e: unknown) => e);

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.Upstream);
  });

  it('receives, sends and deletes in batches without losing a message', async () => {
    // Prepare
    const { control, sources } = await setUp();
    const ledger = new CallLedger();

    // Act
    const batch = await countCalls(ledger, async () => {
      const received = await control.queues.receive(arn('jobs-dlq'), 10, 60);
      const sent = await control.queues.sendBatch(arn('jobs'), received);
      const deleted = await control.queues.deleteBatch(
        arn('jobs-dlq'),
        received.filter((m) => sent.has(m.messageId)).map((m) => m.receiptHandle),
      );
      return { received, sent, deleted };
    });
    const unknownHandle = await control.queues.deleteBatch(arn('jobs-dlq'), ['not-a-handle']);

    // Assess
    expect(batch.received).toHaveLength(10);
    expect(new Set(batch.received.map((m) => m.messageId)).size).toBe(10);
    expect(batch.received[0]?.body).toBe('{"job":1}');
    expect(batch.sent.size).toBe(10);
    expect(batch.deleted.size).toBe(10);
    expect(unknownHandle.size).toBe(0);
    expect(await sources.queues.getDepth(arn('jobs-dlq'))).toMatchObject({ visible: 15, inFlight: 0 });
    expect(await sources.queues.getDepth(arn('jobs'))).toMatchObject({ visible: 10 });
    expect(ledger.snapshot()).toEqual({
      'SQS:DeleteMessageBatch': 1,
      'SQS:ReceiveMessage': 1,
      'SQS:SendMessageBatch': 1,
    });
  });

  it('makes a received message visible again when its visibility timeout passes undeleted', async () => {
    // Prepare
    const { control, sources } = await setUp();

    // Act
    const received = await control.queues.receive(arn('worker-async-dlq'), 10, 0);
    const receivedAgain = await control.queues.receive(arn('worker-async-dlq'), 10, 60);

    // Assess
    expect(received).toHaveLength(3);
    expect(receivedAgain).toHaveLength(3); // the first three came back
    expect(await sources.queues.getDepth(arn('worker-async-dlq'))).toMatchObject({ visible: 0, inFlight: 3 });
  });
});
