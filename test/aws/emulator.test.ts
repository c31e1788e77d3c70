import { PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateApplicationCommand,
  CreateDeploymentCommand,
  CreateDeploymentGroupCommand,
} from '@aws-sdk/client-codedeploy';
import {
  CreateAliasCommand,
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  PutFunctionEventInvokeConfigCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { CreateQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { createAwsClients, type AwsClients } from '../../src/aws/clients';
import { createAwsSources } from '../../src/aws/index';
import { CallLedger, countCalls } from '../../src/calls';
import { ErrorCode, GofnError } from '../../src/errors';
import type { ManagedFunctionRef, Sources } from '../../src/ports';
import { startEmulator, type Emulator } from '../support/moto';
import { createLambdaRole, emulatorAccount, emulatorRegion, lambdaRoleArn } from './emulator-fixtures';
import { hour, minute, rejectionOf } from './helpers';

/**
 * The adapters against the AWS emulator: real requests over HTTP through the standard SDK
 * environment. What the emulator does not emulate must come back as Unsupported or `missing`.
 */

const account = emulatorAccount;
const region = emulatorRegion;
const arnOf = (service: string, resource: string) => `arn:aws:${service}:${region}:${account}:${resource}`;
const queueArn = arnOf('sqs', 'orders-queue');
const dlqArn = arnOf('sqs', 'orders-dlq');
const roleArn = lambdaRoleArn;

// Whole minutes, so the datapoints below sit well inside their one-minute buckets.
const now = new Date(Math.floor(Date.now() / minute) * minute);
const window = { start: new Date(now.getTime() - hour), end: now };
const previous = { start: new Date(now.getTime() - 2 * hour), end: window.start };
const minutesAgo = (m: number) => new Date(now.getTime() - m * minute + 10_000);

let emulator: Emulator;
let clients: AwsClients;
let sources: Sources;

async function createFunction(name: string, tags: Record<string, string>): Promise<void> {
  await clients.lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'provided.al2023',
      Role: roleArn,
      Handler: 'bootstrap',
      // The emulator stores the bytes without opening the archive (it only runs code in Docker).
      Code: { ZipFile: Buffer.from('PK placeholder') },
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 10,
      Tags: tags,
    }),
  );
}

function datum(metric: string, dimensions: Record<string, string>, at: Date, value: number): MetricDatum {
  return {
    MetricName: metric,
    Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
    Timestamp: at,
    Value: value,
    Unit: metric === 'Duration' ? 'Milliseconds' : 'Count',
  };
}

async function putMetrics(): Promise<void> {
  const alias = { FunctionName: 'orders-api', Resource: 'orders-api:live' };
  const fn = { FunctionName: 'orders-api' };
  const data: MetricDatum[] = [
    // previous window: 30 invocations, 1 throttle, peak concurrency 5
    ...[100, 90, 70].map((m) => datum('Invocations', alias, minutesAgo(m), 10)),
    datum('Throttles', alias, minutesAgo(90), 1),
    datum('ConcurrentExecutions', fn, minutesAgo(100), 5),
    // current window: 100 invocations, 7 errors, 2 throttles, peak concurrency 12
    ...[50, 30, 20, 5].map((m) => datum('Invocations', alias, minutesAgo(m), 25)),
    datum('Errors', alias, minutesAgo(20), 4),
    datum('Errors', alias, minutesAgo(5), 3),
    datum('Throttles', alias, minutesAgo(5), 2),
    datum('ConcurrentExecutions', fn, minutesAgo(20), 12),
    datum('ConcurrentExecutions', fn, minutesAgo(5), 9),
    // a function with Duration data, which the emulator cannot compute percentiles over
    datum('Invocations', { FunctionName: 'timed-fn', Resource: 'timed-fn:live' }, minutesAgo(10), 3),
    datum('Duration', { FunctionName: 'timed-fn', Resource: 'timed-fn:live' }, minutesAgo(10), 120),
  ];
  await clients.cloudWatch.send(new PutMetricDataCommand({ Namespace: 'AWS/Lambda', MetricData: data }));
}

beforeAll(async () => {
  emulator = await startEmulator();
  // The unimplemented X-Ray filter answers 500, which the SDK retries; one retry keeps that quick.
  clients = createAwsClients({ maxAttempts: 2 });
  sources = createAwsSources({ clients });
  await createLambdaRole(emulator.endpoint);

  const dlq = await clients.sqs.send(new CreateQueueCommand({ QueueName: 'orders-dlq' }));
  await clients.sqs.send(
    new CreateQueueCommand({
      QueueName: 'orders-queue',
      Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 3 }) },
    }),
  );
  for (const body of ['a', 'b', 'c']) {
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: dlq.QueueUrl, MessageBody: body }));
  }

  await createFunction('orders-api', { 'gofn:managed': 'true', team: 'orders' });
  await createFunction('scratch-fn', { team: 'platform' });
  await clients.lambda.send(new PublishVersionCommand({ FunctionName: 'orders-api', Description: 'first' }));
  await clients.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'orders-api', MemorySize: 512 }));
  await clients.lambda.send(new PublishVersionCommand({ FunctionName: 'orders-api', Description: 'second' }));
  await clients.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'orders-api', MemorySize: 768 }));
  await clients.lambda.send(new PublishVersionCommand({ FunctionName: 'orders-api', Description: 'third' }));
  // A canary in progress, as Lambda has it: v2 stable (FunctionVersion), 10% on v3.
  await clients.lambda.send(
    new CreateAliasCommand({
      FunctionName: 'orders-api',
      Name: 'live',
      FunctionVersion: '2',
      RoutingConfig: { AdditionalVersionWeights: { '3': 0.1 } },
    }),
  );
  await clients.lambda.send(
    new PutFunctionConcurrencyCommand({ FunctionName: 'orders-api', ReservedConcurrentExecutions: 50 }),
  );
  await clients.lambda.send(
    new CreateEventSourceMappingCommand({ FunctionName: 'orders-api', EventSourceArn: queueArn, BatchSize: 10 }),
  );
  await putMetrics();
});

afterAll(async () => {
  clients?.destroy();
  await emulator?.stop();
});

describe('functions on the emulator', () => {
  it('reads the function through its alias with GetFunction, and its weights with GetAlias', async () => {
    // Prepare
    const ledger = new CallLedger();

    // Act
    const info = await countCalls(ledger, () => sources.functions.getFunction('orders-api', 'live'));

    // Assess
    expect(ledger.snapshot()).toEqual({ 'Lambda:GetAlias': 1, 'Lambda:GetFunction': 1 });
    expect(info).toMatchObject({
      name: 'orders-api',
      arn: arnOf('lambda', 'function:orders-api'),
      region,
      accountId: account,
      alias: 'live',
      version: '2',
      routing: { '3': 0.1 },
      runtime: 'provided.al2023',
      architectures: ['arm64'],
      memoryMb: 512,
      timeoutSeconds: 10,
      logGroup: '/aws/lambda/orders-api',
      tags: { 'gofn:managed': 'true', team: 'orders' },
    });
    expect(info.versionModifiedAt).toBeInstanceOf(Date);
    // The emulator reports TracingConfig (PassThrough unless set) but no LoggingConfig.
    expect(info.tracingMode).toBe('PassThrough');
    expect(info.logFormat).toBeUndefined();
  });

  it('reads reserved concurrency with GetFunctionConcurrency, which a qualified GetFunction leaves out', async () => {
    // Act
    const reserved = await sources.functions.getReservedConcurrency('orders-api');

    // Assess
    expect(reserved).toBe(50);
  });

  it('reports a missing function as NotFound', async () => {
    // Act
    const error = await rejectionOf(sources.functions.getFunction('no-such-fn', 'live'));

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.NotFound);
    expect((error as GofnError).message).toMatch(/for function no-such-fn:live/);
  });

  it('lists names, versions newest first, and event sources', async () => {
    // Act
    const names = await sources.functions.listFunctionNames();
    const versions = await sources.functions.listVersions('orders-api');
    const eventSources = await sources.functions.listEventSources({
      functionName: 'orders-api',
      functionArn: arnOf('lambda', 'function:orders-api'),
      qualifiers: [],
    });

    // Assess
    expect(names).toEqual(['orders-api', 'scratch-fn']);
    expect(versions.map((v) => [v.version, v.description])).toEqual([
      ['3', 'third'],
      ['2', 'second'],
      ['1', 'first'],
    ]);
    expect(eventSources).toEqual([
      { uuid: expect.any(String), sourceArn: queueArn, service: 'sqs', state: 'Enabled', qualifier: undefined },
    ]);
  });

  it('yields only the functions tagged gofn:managed=true', async () => {
    // Act
    const pages: ManagedFunctionRef[][] = [];
    for await (const page of sources.functions.managedFunctionPages()) pages.push(page);

    // Assess
    expect(pages).toEqual([
      [
        {
          name: 'orders-api',
          arn: arnOf('lambda', 'function:orders-api'),
          tags: { 'gofn:managed': 'true', team: 'orders' },
        },
      ],
    ]);
  });

  it('reads the async failure destination, and undefined where none is configured', async () => {
    // Prepare
    await clients.lambda.send(
      new CreateAliasCommand({ FunctionName: 'scratch-fn', Name: 'live', FunctionVersion: '$LATEST' }),
    );
    await clients.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: 'scratch-fn',
        Qualifier: 'live',
        DestinationConfig: { OnFailure: { Destination: dlqArn } },
      }),
    );

    // Act
    const configured = await sources.functions.getAsyncFailureDestination('scratch-fn', 'live');
    const none = await sources.functions.getAsyncFailureDestination('orders-api', 'live');

    // Assess
    expect(configured).toBe(dlqArn);
    expect(none).toBeUndefined();
  });

  it('reports GetAccountSettings, which the emulator does not implement, as Unsupported', async () => {
    // Act
    const error = await rejectionOf(sources.functions.getAccountConcurrency());

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.Unsupported);
    expect((error as GofnError).message).toBe(
      'Lambda GetAccountSettings is not supported by this AWS endpoint (HTTP 404 with a body that is not an AWS response).',
    );
  });
});

describe('queues on the emulator', () => {
  it('reads the redrive policy and the DLQ depth with one request each, by ARN', async () => {
    // Prepare
    const ledger = new CallLedger();

    // Act
    const target = await countCalls(ledger, () => sources.queues.getRedriveTarget(queueArn));
    const depth = await countCalls(ledger, () => sources.queues.getDepth(dlqArn));

    // Assess
    expect(target).toEqual({ deadLetterArn: dlqArn, maxReceiveCount: 3, fifo: false });
    expect(depth).toEqual({ arn: dlqArn, name: 'orders-dlq', visible: 3, inFlight: 0, fifo: false });
    expect(ledger.snapshot()).toEqual({ 'SQS:GetQueueAttributes': 2 });
  });

  it('reports no redrive policy for the DLQ itself, and NotFound for a missing queue', async () => {
    // Act
    const none = await sources.queues.getRedriveTarget(dlqArn);
    const error = await rejectionOf(sources.queues.getDepth(arnOf('sqs', 'no-such-queue')));

    // Assess
    expect(none).toBeUndefined();
    expect((error as GofnError).code).toBe(ErrorCode.NotFound);
  });
});

describe('metrics on the emulator', () => {
  it('totals both windows from one GetMetricData and lists the percentiles as missing', async () => {
    // Prepare
    const ledger = new CallLedger();

    // Act
    const metrics = await countCalls(ledger, () =>
      sources.metrics.getFunctionMetrics({ functionName: 'orders-api', alias: 'live', window, previous }),
    );

    // Assess
    expect(ledger.snapshot()).toEqual({ 'CloudWatch:GetMetricData': 1 });
    expect(metrics.current).toEqual({
      invocations: 100,
      errors: 7,
      throttles: 2,
      peakConcurrency: 12,
      durationP50Ms: undefined,
      durationP95Ms: undefined,
      durationP99Ms: undefined,
    });
    expect(metrics.previous).toMatchObject({ invocations: 30, errors: 0, throttles: 1, peakConcurrency: 5 });
    expect(metrics.series.invocations.map((p) => p.value)).toEqual([25, 25, 25, 25]);
    expect(metrics.missing).toEqual(['Duration p50', 'Duration p95', 'Duration p99']);
  });

  it('still returns the sums when the emulator fails on percentiles over real Duration data', async () => {
    // Prepare
    const ledger = new CallLedger();

    // Act
    const metrics = await countCalls(ledger, () =>
      sources.metrics.getFunctionMetrics({ functionName: 'timed-fn', alias: 'live', window, previous }),
    );

    // Assess: two attempts of the request that crashes the emulator, then one without percentiles.
    expect(ledger.snapshot()).toEqual({ 'CloudWatch:GetMetricData': 3 });
    expect(metrics.current.invocations).toBe(3);
    expect(metrics.missing).toEqual(expect.arrayContaining(['Duration p50', 'Duration p95', 'Duration p99']));
  });

  it('totals the fleet from the alias metrics, with concurrency per function and the DLQ by name', async () => {
    // Prepare
    const alias = { FunctionName: 'scratch-fn', Resource: 'scratch-fn:live' };
    await clients.cloudWatch.send(
      new PutMetricDataCommand({
        Namespace: 'AWS/Lambda',
        MetricData: [
          datum('Invocations', alias, minutesAgo(30), 40),
          datum('Errors', alias, minutesAgo(30), 2),
          datum('Invocations', alias, minutesAgo(90), 25),
          datum('ConcurrentExecutions', { FunctionName: 'scratch-fn' }, minutesAgo(30), 3),
        ],
      }),
    );
    await clients.cloudWatch.send(
      new PutMetricDataCommand({
        Namespace: 'AWS/SQS',
        MetricData: [datum('ApproximateNumberOfMessagesVisible', { QueueName: 'scratch-dlq' }, minutesAgo(4), 7)],
      }),
    );

    // Act
    const fleet = await sources.metrics.getFleetMetrics(
      [
        { functionName: 'scratch-fn', alias: 'live', deadLetterQueue: 'scratch-dlq' },
        { functionName: 'orders-api', alias: 'live', deadLetterQueue: undefined },
      ],
      window,
    );

    // Assess: the hour before comes from the same queries.
    expect(fleet.get('scratch-fn')).toEqual({
      served: true,
      metrics: {
        invocations: 40,
        errors: 2,
        throttles: 0,
        durationP99Ms: undefined,
        peakConcurrency: 3,
        deadLetterMessages: 7,
        previous: { invocations: 25, durationP99Ms: undefined, peakConcurrency: undefined },
        missing: [],
      },
    });
    // orders-api has alias data from the tests above, and names no DLQ.
    expect(fleet.get('orders-api')).toMatchObject({ served: true, metrics: { deadLetterMessages: undefined } });
  });
});

describe('deployments on the emulator', () => {
  it('lists a Lambda deployment; its versions need deployment targets, which the emulator lacks', async () => {
    // Prepare
    await clients.codeDeploy.send(
      new CreateApplicationCommand({ applicationName: 'orders', computePlatform: 'Lambda' }),
    );
    await clients.codeDeploy.send(
      new CreateDeploymentGroupCommand({
        applicationName: 'orders',
        deploymentGroupName: 'orders-api',
        serviceRoleArn: `arn:aws:iam::${account}:role/codedeploy`,
        deploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
        deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      }),
    );
    const content = [
      'version: 0.0',
      'Resources:',
      '  - ordersApi:',
      '      Type: AWS::Lambda::Function',
      '      Properties: { Name: orders-api, Alias: live, CurrentVersion: "1", TargetVersion: "2" }',
    ].join('\n');
    const created = await clients.codeDeploy.send(
      new CreateDeploymentCommand({
        applicationName: 'orders',
        deploymentGroupName: 'orders-api',
        revision: { revisionType: 'AppSpecContent', appSpecContent: { content } },
      }),
    );
    const ledger = new CallLedger();

    // Act
    const deployments = await countCalls(ledger, () =>
      sources.deploys.listRecentDeployments({ application: 'orders', group: 'orders-api' }, window.start),
    );

    // Assess
    expect(ledger.snapshot()).toEqual({ 'CodeDeploy:BatchGetDeployments': 1, 'CodeDeploy:ListDeployments': 1 });
    expect(deployments).toEqual([
      {
        id: created.deploymentId,
        application: 'orders',
        group: 'orders-api',
        // The emulator never moves a deployment past Created.
        status: 'Created',
        createdAt: expect.any(Date),
        completedAt: undefined,
        configName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
      },
    ]);
    const target = await rejectionOf(sources.deploys.getLambdaTarget(created.deploymentId ?? '', 'orders-api'));
    expect((target as GofnError).code).toBe(ErrorCode.Unsupported);
  });
});

describe('what the emulator does not emulate', () => {
  it('reports Logs Insights stats as Unsupported: the emulator answers raw rows', async () => {
    // Prepare
    const logGroupName = '/aws/lambda/orders-api';
    await clients.logs.send(new CreateLogGroupCommand({ logGroupName }));
    await clients.logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName: 'instance-1' }));
    await clients.logs.send(
      new PutLogEventsCommand({
        logGroupName,
        logStreamName: 'instance-1',
        logEvents: [
          {
            timestamp: minutesAgo(3).getTime(),
            message:
              'REPORT RequestId: 1 Duration: 12.1 ms Billed Duration: 13 ms Memory Size: 512 MB Max Memory Used: 30 MB Init Duration: 80.5 ms',
          },
        ],
      }),
    );

    // Act
    const error = await rejectionOf(sources.logs.getColdStarts({ logGroup: logGroupName, window, previous }));

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.Unsupported);
    expect((error as GofnError).message).toMatch(/without its statistics \(fields: @ptr\)/);
  });

  it('reports a missing log group as NotFound', async () => {
    // Act
    const error = await rejectionOf(sources.logs.getColdStarts({ logGroup: '/aws/lambda/none', window, previous }));

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.NotFound);
  });

  it('reports the empty X-Ray service graph as Unsupported', async () => {
    // Act
    const error = await rejectionOf(sources.traces.getDownstream({ functionName: 'orders-api', window }));

    // Assess
    expect(error).toBeInstanceOf(GofnError);
    expect((error as GofnError).code).toBe(ErrorCode.Unsupported);
  });

  it('reports X-Ray filter expressions as Unsupported', async () => {
    // Act
    const error = await rejectionOf(
      sources.traces.getErrorTraces({ functionName: 'orders-api', window, sampleSize: 3 }),
    );

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.Unsupported);
    expect((error as GofnError).message).toMatch(/Not implemented yet/);
    expect((error as GofnError).message).toMatch(/^XRay GetTraceSummaries for function orders-api /);
  });
});
