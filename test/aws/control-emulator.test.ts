import {
  CreateApplicationCommand,
  CreateDeploymentCommand,
  CreateDeploymentGroupCommand,
} from '@aws-sdk/client-codedeploy';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  PublishVersionCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { createAwsClients, type AwsClients } from '../../src/aws/clients';
import {
  CloudWatchCharts,
  createControlPorts,
  DynamoRecordStore,
  LambdaJobQueue,
  slackSecretsFromSecretsManager,
  SqsQueues,
} from '../../src/aws/index';
import { CallLedger, countCalls } from '../../src/calls';
import { ErrorCode, type GofnError } from '../../src/errors';
import type { ControlPorts, QueueMessage } from '../../src/ports';
import { startEmulator, type Emulator } from '../support/moto';
import { createLambdaRole, emulatorAccount, emulatorRegion, lambdaRoleArn } from './emulator-fixtures';
import { rejectionOf } from './helpers';

/**
 * The ports that change things (and gofn's own state) against the AWS emulator: real requests
 * over HTTP. Where the emulator is less strict than AWS (RevisionId), the test pins what it does,
 * so the notes in docs/emulator-notes.md stay true; the AWS behaviour is covered with mocks.
 */

const arnOf = (service: string, resource: string) =>
  `arn:aws:${service}:${emulatorRegion}:${emulatorAccount}:${resource}`;
const nowSeconds = () => Math.floor(Date.now() / 1000);

let emulator: Emulator;
let clients: AwsClients;
let control: ControlPorts;

beforeAll(async () => {
  emulator = await startEmulator();
  // Unimplemented operations answer 500, which the SDK retries; one retry keeps those quick.
  clients = createAwsClients({ maxAttempts: 2 });
  control = createControlPorts(clients);
});

afterAll(async () => {
  clients?.destroy();
  await emulator?.stop();
});

describe('Lambda control on the emulator', () => {
  beforeAll(async () => {
    await createLambdaRole(emulator.endpoint);
    await clients.lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'orders-api',
        Runtime: 'provided.al2023',
        Role: lambdaRoleArn,
        Handler: 'bootstrap',
        // Stored, never opened: the emulator runs code only in Docker.
        Code: { ZipFile: Buffer.from('PK placeholder') },
      }),
    );
    await clients.lambda.send(new PublishVersionCommand({ FunctionName: 'orders-api' }));
    // A version is only published when something changed since the last one.
    await clients.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'orders-api', MemorySize: 512 }));
    await clients.lambda.send(new PublishVersionCommand({ FunctionName: 'orders-api' }));
  });

  it('stops a canary: keeps the stable FunctionVersion, clears the weights, reads the result back', async () => {
    // Prepare: v1 stable with a 10% canary on v2, as CodeDeploy or a person sets it.
    await clients.lambda.send(
      new CreateAliasCommand({
        FunctionName: 'orders-api',
        Name: 'live',
        FunctionVersion: '1',
        RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } },
      }),
    );
    const ledger = new CallLedger();

    // Act
    const { before, updated, after } = await countCalls(ledger, async () => {
      const before = await control.lambda.getAlias('orders-api', 'live');
      const updated = await control.lambda.updateAlias('orders-api', 'live', before.version, before.revisionId);
      const after = await control.lambda.getAlias('orders-api', 'live');
      return { before, updated, after };
    });

    // Assess
    expect(before).toEqual({
      functionName: 'orders-api',
      alias: 'live',
      version: '1',
      routing: { '2': 0.1 },
      revisionId: expect.any(String),
    });
    expect(updated).toMatchObject({ version: '1', routing: {} });
    expect(after).toMatchObject({ version: '1', routing: {} });
    expect(ledger.snapshot()).toEqual({ 'Lambda:GetAlias': 2, 'Lambda:UpdateAlias': 1 });
  });

  it('accepts a stale RevisionId: the emulator does not check it (AWS answers 412, see the mock tests)', async () => {
    // Act
    const updated = await control.lambda.updateAlias('orders-api', 'live', '2', 'a-revision-that-never-was');

    // Assess
    expect(updated.version).toBe('2');
  });

  it('reports a missing alias as NotFound', async () => {
    // Act
    const error = await rejectionOf(control.lambda.updateAlias('orders-api', 'blue', '1', undefined));

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.NotFound);
  });

  it('sets reserved concurrency and reads it back, undefined before it is set', async () => {
    // Act
    const unset = await control.lambda.getReservedConcurrency('orders-api');
    const stored = await control.lambda.putReservedConcurrency('orders-api', 25);
    const readBack = await control.lambda.getReservedConcurrency('orders-api');

    // Assess
    expect(unset).toBeUndefined();
    expect(stored).toBe(25);
    expect(readBack).toBe(25);
  });

  it('accepts an asynchronous invoke (202) without running anything', async () => {
    // Prepare
    const ledger = new CallLedger();

    // Act
    await countCalls(ledger, async () => {
      await control.lambda.invokeAsync('orders-api', 'live', '{"order":1}');
      await new LambdaJobQueue(clients, 'orders-api').enqueue({ kind: 'status' });
    });
    const missing = await rejectionOf(new LambdaJobQueue(clients, 'no-such-worker').enqueue({ kind: 'status' }));

    // Assess
    expect(ledger.snapshot()).toEqual({ 'Lambda:Invoke': 2 });
    expect((missing as GofnError).code).toBe(ErrorCode.NotFound);
  });
});

describe('SQS control on the emulator', () => {
  const dlqArn = arnOf('sqs', 'replay-dlq');
  const targetArn = arnOf('sqs', 'replay-target');
  const bodies = Array.from({ length: 15 }, (_, n) => `{"order":${n}}`);

  beforeAll(async () => {
    const dlq = await clients.sqs.send(new CreateQueueCommand({ QueueName: 'replay-dlq' }));
    await clients.sqs.send(new CreateQueueCommand({ QueueName: 'replay-target' }));
    for (const [n, body] of bodies.entries()) {
      await clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: dlq.QueueUrl,
          MessageBody: body,
          MessageAttributes: {
            tenant: { DataType: 'String', StringValue: `tenant-${n % 3}` },
            attempt: { DataType: 'Number', StringValue: '3' },
          },
        }),
      );
    }
  });

  it('moves every message from the DLQ to the target: receive, send, delete only what was sent', async () => {
    // Prepare
    const ledger = new CallLedger();
    let moved = 0;

    // Act
    await countCalls(ledger, async () => {
      for (let round = 0; round < 5 && moved < bodies.length; round++) {
        const batch = await control.queues.receive(dlqArn, 10, 30);
        const sent = await control.queues.sendBatch(targetArn, batch);
        const sentHandles = batch.filter((m) => sent.has(m.messageId)).map((m) => m.receiptHandle);
        moved += (await control.queues.deleteBatch(dlqArn, sentHandles)).size;
      }
    });

    // Assess
    expect(moved).toBe(15);
    expect(ledger.snapshot()).toEqual({
      'SQS:DeleteMessageBatch': 2,
      'SQS:ReceiveMessage': 2,
      'SQS:SendMessageBatch': 2,
    });
    const depths = new SqsQueues(clients);
    expect(await depths.getDepth(dlqArn)).toMatchObject({ visible: 0, inFlight: 0 });
    expect(await depths.getDepth(targetArn)).toMatchObject({ visible: 15, inFlight: 0 });
    const arrived: QueueMessage[] = [];
    for (let round = 0; round < 5 && arrived.length < bodies.length; round++) {
      arrived.push(...(await control.queues.receive(targetArn, 10, 30)));
    }
    expect(arrived.map((m) => m.body).sort()).toEqual([...bodies].sort());
    // Each attribute keeps its data type: a Number stays a Number.
    expect(arrived.find((m) => m.body === '{"order":4}')?.attributes).toEqual({
      tenant: { dataType: 'String', stringValue: 'tenant-1' },
      attempt: { dataType: 'Number', stringValue: '3' },
    });
  });

  it('leaves a receipt handle that is not valid out of the deleted set', async () => {
    // Act
    const deleted = await control.queues.deleteBatch(dlqArn, ['not-a-receipt-handle']);

    // Assess
    expect(deleted.size).toBe(0);
  });

  it('reports message-move tasks, which the emulator lacks, as Unsupported', async () => {
    // Act
    const started = await rejectionOf(control.queues.startMessageMoveTask(dlqArn, targetArn, 50));
    const listed = await rejectionOf(control.queues.listMessageMoveTasks(dlqArn));

    // Assess
    expect((started as GofnError).code).toBe(ErrorCode.Unsupported);
    expect((started as GofnError).message).toBe(
      `SQS StartMessageMoveTask for dead-letter queue ${dlqArn} is not supported by this AWS endpoint (HTTP 500 with a body that is not an AWS response).`,
    );
    expect((listed as GofnError).code).toBe(ErrorCode.Unsupported);
  });
});

describe('CodeDeploy control on the emulator', () => {
  it('finds the deployment that never leaves Created as active, and cannot stop it', async () => {
    // Prepare
    await clients.codeDeploy.send(
      new CreateApplicationCommand({ applicationName: 'orders', computePlatform: 'Lambda' }),
    );
    await clients.codeDeploy.send(
      new CreateDeploymentGroupCommand({
        applicationName: 'orders',
        deploymentGroupName: 'orders-api',
        serviceRoleArn: `arn:aws:iam::${emulatorAccount}:role/codedeploy`,
      }),
    );
    const content = JSON.stringify({
      version: 0.0,
      Resources: [
        {
          ordersApi: {
            Type: 'AWS::Lambda::Function',
            Properties: { Name: 'orders-api', Alias: 'live', CurrentVersion: '1', TargetVersion: '2' },
          },
        },
      ],
    });
    const created = await clients.codeDeploy.send(
      new CreateDeploymentCommand({
        applicationName: 'orders',
        deploymentGroupName: 'orders-api',
        revision: { revisionType: 'AppSpecContent', appSpecContent: { content } },
      }),
    );

    // Act
    const active = await control.deploys.findActiveDeployment({ application: 'orders', group: 'orders-api' });
    const read = await control.deploys.getDeployment(created.deploymentId ?? '');
    const stop = await rejectionOf(control.deploys.stopDeployment(created.deploymentId ?? ''));

    // Assess
    expect(active).toMatchObject({ id: created.deploymentId, status: 'Created' });
    expect(read).toMatchObject({ id: created.deploymentId, application: 'orders', group: 'orders-api' });
    expect((stop as GofnError).code).toBe(ErrorCode.Unsupported);
  });
});

describe('charts and secrets on the emulator', () => {
  it('reports GetMetricWidgetImage, which the emulator lacks, as Unsupported', async () => {
    // Act
    const error = await rejectionOf(
      new CloudWatchCharts(clients).metricWidgetImage({ metrics: [['AWS/Lambda', 'Errors', 'FunctionName', 'x']] }),
    );

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.Unsupported);
  });

  it('reads the Slack credentials once through the shared client, counted like every call', async () => {
    // Prepare
    const secret = await clients.secretsManager.send(
      new CreateSecretCommand({
        Name: 'gofn/slack',
        SecretString: JSON.stringify({ signingSecret: 'a'.repeat(32), botToken: 'xoxb-1-2-abc' }),
      }),
    );
    const secrets = slackSecretsFromSecretsManager(clients, secret.ARN ?? '', 300);
    const ledger = new CallLedger();

    // Act
    const [first, second] = await countCalls(ledger, async () => [await secrets(), await secrets()]);

    // Assess
    expect(first).toEqual({ signingSecret: 'a'.repeat(32), botToken: 'xoxb-1-2-abc' });
    expect(second).toEqual(first);
    expect(ledger.snapshot()).toEqual({ 'SecretsManager:GetSecretValue': 1 });
  });
});

describe('DynamoRecordStore on the emulator', () => {
  const table = 'gofn-test-state';
  let store: DynamoRecordStore;

  beforeAll(async () => {
    await clients.dynamodb.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
    store = new DynamoRecordStore(clients, table);
  });

  it('creates a record once: the second create of the key resolves false', async () => {
    // Prepare
    const ledger = new CallLedger();

    // Act
    const [first, second] = await countCalls(ledger, async () => [
      await store.create({ pk: 'claim#once', sk: 'claim', data: { state: 'running', by: undefined } }),
      await store.create({ pk: 'claim#once', sk: 'claim', data: { state: 'other' } }),
    ]);

    // Assess
    expect([first, second]).toEqual([true, false]);
    expect(await store.get('claim#once', 'claim')).toEqual({
      pk: 'claim#once',
      sk: 'claim',
      version: 1,
      data: { state: 'running' },
    });
    expect(ledger.snapshot()).toEqual({ 'DynamoDB:PutItem': 2 });
  });

  it('updates only at the expected version, and increments it', async () => {
    // Prepare
    await store.create({ pk: 'thread#a', sk: 'thread', expiresAt: nowSeconds() + 3600, data: { ts: '1' } });

    // Act
    const right = await store.updateIf('thread#a', 'thread', 1, { ts: '2' }, nowSeconds() + 7200);
    const wrong = await store.updateIf('thread#a', 'thread', 1, { ts: '3' });
    const missing = await store.updateIf('thread#none', 'thread', 1, { ts: '4' });

    // Assess
    expect([right, wrong, missing]).toEqual([true, false, false]);
    const record = await store.get('thread#a', 'thread');
    expect(record).toMatchObject({ version: 2, data: { ts: '2' } });
    expect(record?.expiresAt).toBeGreaterThan(nowSeconds() + 3600);
    // A conditional update that failed must not have created the missing item.
    expect(await store.get('thread#none', 'thread')).toBeUndefined();
  });

  it('treats an expired record TTL has not deleted yet as absent: unreadable, not updatable, re-creatable', async () => {
    // Prepare
    await store.create({ pk: 'claim#lease', sk: 'claim', expiresAt: nowSeconds() - 10, data: { state: 'running' } });

    // Act
    const read = await store.get('claim#lease', 'claim');
    const updated = await store.updateIf('claim#lease', 'claim', 1, { state: 'done' });
    const listed = await store.query('claim#lease');
    const recreated = await store.create({ pk: 'claim#lease', sk: 'claim', data: { state: 'again' } });

    // Assess
    expect(read).toBeUndefined();
    expect(updated).toBe(false);
    expect(listed).toEqual([]);
    expect(recreated).toBe(true);
    expect(await store.get('claim#lease', 'claim')).toMatchObject({ version: 1, data: { state: 'again' } });
  });

  it('queries a partition newest first, oldest first, by prefix and with a limit, without expired records', async () => {
    // Prepare
    const pk = 'audit#orders-api';
    for (const sk of ['2024-05-01T10', '2024-05-01T11', '2024-05-02T09', '2024-06-01T00']) {
      await store.create({ pk, sk, data: { sk } });
    }
    await store.create({ pk, sk: '2024-05-03T00', expiresAt: nowSeconds() - 1, data: {} });

    // Act
    const newest = await store.query(pk, { limit: 2 });
    const oldest = await store.query(pk, { ascending: true, limit: 3 });
    const may = await store.query(pk, { skPrefix: '2024-05' });

    // Assess
    expect(newest.map((r) => r.sk)).toEqual(['2024-06-01T00', '2024-05-02T09']);
    expect(oldest.map((r) => r.sk)).toEqual(['2024-05-01T10', '2024-05-01T11', '2024-05-02T09']);
    expect(may.map((r) => r.sk)).toEqual(['2024-05-02T09', '2024-05-01T11', '2024-05-01T10']);
  });

  it('lets exactly one of 20 concurrent creates of one key win', async () => {
    // Act
    // DynamoDB evaluates the condition and writes atomically (PutItem, DynamoDB API Reference);
    // the tests' emulator keeps that (tools/emulator.py).
    const key = 'claim#create-race';
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, n) => store.create({ pk: key, sk: 'claim', data: { worker: n } })),
    );

    // Assess
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect(await store.get(key, 'claim')).toMatchObject({ version: 1, data: { worker: winner } });
  });

  it('lets exactly one of 10 concurrent updates at the same version win', async () => {
    // Act
    const key = 'claim#update-race';
    await store.create({ pk: key, sk: 'claim', data: { worker: -1 } });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, n) => store.updateIf(key, 'claim', 1, { worker: n })),
    );

    // Assess
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect(await store.get(key, 'claim')).toMatchObject({ version: 2, data: { worker: winner } });
  });
});
