import {
  GetAccountSettingsCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionEventInvokeConfigCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  ListFunctionsCommand,
  ListVersionsByFunctionCommand,
  ResourceNotFoundException,
  type FunctionConfiguration,
  type GetFunctionResponse,
} from '@aws-sdk/client-lambda';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { LambdaFunctions } from '../../src/aws/lambda-functions';
import { ErrorCode, GofnError } from '../../src/errors';
import type { ManagedFunctionRef } from '../../src/ports';
import {
  concurrencyNone,
  concurrencyReserved,
  concurrencyZero,
  getFunctionQualifiedJsonPassThrough,
  textActiveConfiguration,
} from '../fixtures/aws/lambda-configuration';
import { mockedClients, rejectionOf } from './helpers';

const lambda = mockClient(LambdaClient);
const tagging = mockClient(ResourceGroupsTaggingAPIClient);

const fnArn = 'arn:aws:lambda:eu-west-1:123456789012:function:orders-api';

// GetFunction response as in the Lambda API reference, qualified by an alias (no Concurrency).
const getFunctionResponse: GetFunctionResponse = getFunctionQualifiedJsonPassThrough;
const configuration: FunctionConfiguration = getFunctionResponse.Configuration!;

describe('LambdaFunctions', () => {
  beforeEach(() => {
    lambda.reset();
    tagging.reset();
  });

  describe('getFunction', () => {
    it('reads the aliased version with one GetFunction and nothing else', async () => {
      // Prepare
      lambda.on(GetFunctionCommand).resolves(getFunctionResponse);
      const functions = new LambdaFunctions(mockedClients());

      // Act
      const info = await functions.getFunction('orders-api', 'live');

      // Assess: routing weights are the rollback's business (LambdaControlPort.getAlias), not the diagnosis's.
      expect(lambda).toHaveReceivedCommandWith(GetFunctionCommand, { FunctionName: 'orders-api', Qualifier: 'live' });
      expect(lambda).not.toHaveReceivedCommand(GetAliasCommand);
      expect(lambda.calls()).toHaveLength(1);
      expect(info).toEqual({
        name: 'orders-api',
        arn: fnArn,
        region: 'eu-west-1',
        accountId: '123456789012',
        alias: 'live',
        version: '42',
        versionModifiedAt: new Date('2024-05-01T12:00:00.000Z'),
        routing: {},
        runtime: 'provided.al2023',
        architectures: ['arm64'],
        memoryMb: 512,
        timeoutSeconds: 15,
        deadLetterTargetArn: 'arn:aws:sqs:eu-west-1:123456789012:orders-api-dlq',
        logGroup: '/custom/orders-api',
        logFormat: 'JSON',
        systemLogLevel: 'INFO',
        tracingMode: 'PassThrough',
        tags: { 'gofn:managed': 'true', team: 'orders' },
      });
    });

    it('reads the Text format and active tracing Lambda reports for an unconfigured function', async () => {
      // Prepare
      lambda.on(GetFunctionCommand).resolves({ Configuration: textActiveConfiguration });
      const functions = new LambdaFunctions(mockedClients());

      // Act
      const info = await functions.getFunction('orders-api', 'live');

      // Assess
      expect(info).toMatchObject({
        logGroup: '/aws/lambda/orders-api',
        logFormat: 'Text',
        systemLogLevel: undefined,
        tracingMode: 'Active',
      });
    });

    it('defaults the log group and architecture like Lambda does, and leaves what it was not told unknown', async () => {
      // Prepare
      const {
        LoggingConfig: _l,
        Architectures: _a,
        DeadLetterConfig: _d,
        TracingConfig: _t,
        ...config
      } = configuration;
      lambda.on(GetFunctionCommand).resolves({ Configuration: config });
      const functions = new LambdaFunctions(mockedClients());

      // Act
      const info = await functions.getFunction('orders-api', 'live');

      // Assess
      expect(info.logGroup).toBe('/aws/lambda/orders-api');
      expect(info.architectures).toEqual(['x86_64']);
      expect(info.logFormat).toBeUndefined();
      expect(info.tracingMode).toBeUndefined();
      expect(info.deadLetterTargetArn).toBeUndefined();
      expect(info.routing).toEqual({});
      expect(info.tags).toEqual({});
    });

    it('rejects with NotFound naming the function when the alias does not exist', async () => {
      // Prepare
      const notFound = new ResourceNotFoundException({
        message: `Function not found: ${fnArn}:blue`,
        $metadata: { httpStatusCode: 404 },
      });
      lambda.on(GetFunctionCommand).rejects(notFound);
      const functions = new LambdaFunctions(mockedClients());

      // Act
      const error = await rejectionOf(functions.getFunction('orders-api', 'blue'));

      // Assess
      expect(error).toBeInstanceOf(GofnError);
      expect((error as GofnError).code).toBe(ErrorCode.NotFound);
      expect((error as GofnError).message).toMatch(/^Lambda GetFunction found nothing for function orders-api:blue/);
      expect((error as GofnError).cause).toBe(notFound);
    });
  });

  describe('getReservedConcurrency', () => {
    it('reads the reservation with GetFunctionConcurrency on the unqualified function', async () => {
      // Prepare
      lambda.on(GetFunctionConcurrencyCommand).resolves(concurrencyReserved);
      const functions = new LambdaFunctions(mockedClients());

      // Act
      const reserved = await functions.getReservedConcurrency('orders-api');

      // Assess
      expect(reserved).toBe(100);
      expect(lambda).toHaveReceivedCommandWith(GetFunctionConcurrencyCommand, { FunctionName: 'orders-api' });
    });

    it('says "none" only when Lambda answers without a reservation, and keeps a reservation of 0', async () => {
      // Prepare
      lambda.on(GetFunctionConcurrencyCommand).resolvesOnce(concurrencyNone).resolvesOnce(concurrencyZero);
      const functions = new LambdaFunctions(mockedClients());

      // Act
      const none = await functions.getReservedConcurrency('orders-api');
      const zero = await functions.getReservedConcurrency('orders-api');

      // Assess
      expect(none).toBeUndefined();
      expect(zero).toBe(0);
    });

    it('rejects with AccessDenied when the caller may not read it, rather than answering "none"', async () => {
      // Prepare
      const denied = Object.assign(
        new Error(
          'User: arn:aws:sts::123456789012:assumed-role/gofn/worker is not authorized to perform: lambda:GetFunctionConcurrency',
        ),
        { name: 'AccessDeniedException', $fault: 'client', $metadata: { httpStatusCode: 403 } },
      );
      lambda.on(GetFunctionConcurrencyCommand).rejects(denied);
      const functions = new LambdaFunctions(mockedClients());

      // Act
      const error = await rejectionOf(functions.getReservedConcurrency('orders-api'));

      // Assess
      expect((error as GofnError).code).toBe(ErrorCode.AccessDenied);
    });
  });

  it('lists function names across ListFunctions pages', async () => {
    // Prepare
    lambda
      .on(ListFunctionsCommand, { Marker: undefined })
      .resolves({ Functions: [{ FunctionName: 'b-fn' }, { FunctionName: 'a-fn' }], NextMarker: 'page-2' })
      .on(ListFunctionsCommand, { Marker: 'page-2' })
      .resolves({ Functions: [{ FunctionName: 'c-fn' }] });
    const functions = new LambdaFunctions(mockedClients());

    // Act
    const names = await functions.listFunctionNames();

    // Assess
    expect(names).toEqual(['a-fn', 'b-fn', 'c-fn']);
    expect(lambda).toHaveReceivedCommandTimes(ListFunctionsCommand, 2);
  });

  it('lists event sources with the service of each source ARN', async () => {
    // Prepare
    lambda.on(ListEventSourceMappingsCommand).resolves({
      EventSourceMappings: [
        { UUID: 'u1', EventSourceArn: 'arn:aws:sqs:eu-west-1:123456789012:orders', State: 'Enabled' },
        { UUID: 'u2', EventSourceArn: 'arn:aws:kinesis:eu-west-1:123456789012:stream/clicks', State: 'Disabled' },
        {
          UUID: 'u3',
          SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: ['b1:9092'] } },
          State: 'Enabled',
        },
        { UUID: 'u4', EventSourceArn: 'arn:aws:mq:eu-west-1:123456789012:broker:b', State: 'Enabled' },
      ],
    });
    const functions = new LambdaFunctions(mockedClients());

    // Act
    const sources = await functions.listEventSources('orders-api');

    // Assess
    expect(lambda).toHaveReceivedCommandWith(ListEventSourceMappingsCommand, { FunctionName: 'orders-api' });
    expect(sources.map((s) => [s.uuid, s.service, s.state])).toEqual([
      ['u1', 'sqs', 'Enabled'],
      ['u2', 'kinesis', 'Disabled'],
      ['u3', 'kafka', 'Enabled'],
      ['u4', 'other', 'Enabled'],
    ]);
  });

  describe('getAsyncFailureDestination', () => {
    it('returns the OnFailure destination of the alias', async () => {
      // Prepare
      lambda.on(GetFunctionEventInvokeConfigCommand).resolves({
        FunctionArn: `${fnArn}:live`,
        DestinationConfig: { OnFailure: { Destination: 'arn:aws:sqs:eu-west-1:123456789012:failed' } },
      });
      const functions = new LambdaFunctions(mockedClients());

      // Act
      const destination = await functions.getAsyncFailureDestination('orders-api', 'live');

      // Assess
      expect(destination).toBe('arn:aws:sqs:eu-west-1:123456789012:failed');
      expect(lambda).toHaveReceivedCommandWith(GetFunctionEventInvokeConfigCommand, {
        FunctionName: 'orders-api',
        Qualifier: 'live',
      });
    });

    it('returns undefined when the alias has no EventInvokeConfig', async () => {
      // Prepare
      lambda.on(GetFunctionEventInvokeConfigCommand).rejects(
        new ResourceNotFoundException({
          message: `The function ${fnArn} doesn't have an EventInvokeConfig`,
          $metadata: { httpStatusCode: 404 },
        }),
      );
      const functions = new LambdaFunctions(mockedClients());

      // Act
      const destination = await functions.getAsyncFailureDestination('orders-api', 'live');

      // Assess
      expect(destination).toBeUndefined();
    });
  });

  it('reads the account concurrency from GetAccountSettings', async () => {
    // Prepare
    lambda.on(GetAccountSettingsCommand).resolves({
      AccountLimit: { ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 850, CodeSizeZipped: 52428800 },
      AccountUsage: { FunctionCount: 12, TotalCodeSize: 1000 },
    });
    const functions = new LambdaFunctions(mockedClients());

    // Act
    const account = await functions.getAccountConcurrency();

    // Assess
    expect(account).toEqual({ limit: 1000, unreserved: 850 });
  });

  it('lists published versions newest first, without $LATEST, across pages', async () => {
    // Prepare
    lambda
      .on(ListVersionsByFunctionCommand, { Marker: undefined })
      .resolves({
        Versions: [
          { Version: '$LATEST', LastModified: '2024-05-03T00:00:00.000+0000' },
          { Version: '9', LastModified: '2024-05-01T00:00:00.000+0000', Description: 'nine' },
        ],
        NextMarker: 'm',
      })
      .on(ListVersionsByFunctionCommand, { Marker: 'm' })
      .resolves({ Versions: [{ Version: '10', LastModified: '2024-05-02T00:00:00.000+0000' }] });
    const functions = new LambdaFunctions(mockedClients());

    // Act
    const versions = await functions.listVersions('orders-api');

    // Assess
    expect(versions).toEqual([
      { version: '10', modifiedAt: new Date('2024-05-02T00:00:00Z'), description: undefined },
      { version: '9', modifiedAt: new Date('2024-05-01T00:00:00Z'), description: 'nine' },
    ]);
  });

  it('yields managed functions page by page as the tagging API returns them', async () => {
    // Prepare
    tagging
      .on(GetResourcesCommand, { PaginationToken: undefined })
      .resolves({
        PaginationToken: 'next',
        ResourceTagMappingList: [
          {
            ResourceARN: fnArn,
            Tags: [
              { Key: 'gofn:managed', Value: 'true' },
              { Key: 'team', Value: 'orders' },
            ],
          },
        ],
      })
      .on(GetResourcesCommand, { PaginationToken: 'next' })
      .resolves({
        PaginationToken: '',
        ResourceTagMappingList: [
          {
            ResourceARN: 'arn:aws:lambda:eu-west-1:123456789012:function:billing',
            Tags: [{ Key: 'gofn:managed', Value: 'true' }],
          },
        ],
      });
    const functions = new LambdaFunctions(mockedClients());

    // Act
    const pages: ManagedFunctionRef[][] = [];
    for await (const page of functions.managedFunctionPages()) pages.push(page);

    // Assess
    expect(tagging).toHaveReceivedCommandTimes(GetResourcesCommand, 2);
    expect(tagging).toHaveReceivedCommandWith(GetResourcesCommand, {
      TagFilters: [{ Key: 'gofn:managed', Values: ['true'] }],
      ResourceTypeFilters: ['lambda:function'],
      ResourcesPerPage: 100,
    });
    expect(pages).toEqual([
      [{ name: 'orders-api', arn: fnArn, tags: { 'gofn:managed': 'true', team: 'orders' } }],
      [
        {
          name: 'billing',
          arn: 'arn:aws:lambda:eu-west-1:123456789012:function:billing',
          tags: { 'gofn:managed': 'true' },
        },
      ],
    ]);
  });

  it('hands out the first page before the second is requested', async () => {
    // Prepare
    tagging
      .on(GetResourcesCommand, { PaginationToken: undefined })
      .resolves({ PaginationToken: 'next', ResourceTagMappingList: [{ ResourceARN: fnArn, Tags: [] }] })
      .on(GetResourcesCommand, { PaginationToken: 'next' })
      .resolves({ ResourceTagMappingList: [] });
    const functions = new LambdaFunctions(mockedClients());
    const iterator = functions.managedFunctionPages()[Symbol.asyncIterator]();

    // Act
    const first = await iterator.next();

    // Assess
    expect(first.value).toHaveLength(1);
    expect(tagging).toHaveReceivedCommandTimes(GetResourcesCommand, 1);
  });
});
