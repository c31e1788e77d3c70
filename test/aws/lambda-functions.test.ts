import {
  GetAccountSettingsCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionEventInvokeConfigCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  ListFunctionsCommand,
  ListTagsCommand,
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
import { canaryInProgress, plainAlias } from '../fixtures/aws/lambda-alias';
import * as invokeConfig from '../fixtures/aws/lambda-event-invoke-config';
import * as mappings from '../fixtures/aws/lambda-event-source-mappings';
import {
  functionArn as tagsFunctionArn,
  getFunctionWithoutTagPermission,
  listTags,
  listTagsDenied,
} from '../fixtures/aws/lambda-tags';
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
    it('reads the aliased version with GetFunction and the alias weights with GetAlias, sent at once', async () => {
      // Prepare: GetFunction answers only once GetAlias was sent too; one after the other would time out.
      let aliasAsked: () => void = () => undefined;
      const aliasSent = new Promise<void>((resolve) => (aliasAsked = resolve));
      lambda.on(GetFunctionCommand).callsFake(async () => {
        await aliasSent;
        return getFunctionResponse;
      });
      lambda.on(GetAliasCommand).callsFake(async () => {
        aliasAsked();
        return canaryInProgress;
      });
      const functions = new LambdaFunctions(mockedClients());

      // Act
      const info = await functions.getFunction('orders-api', 'live');

      // Assess: FunctionVersion (42) is the stable version; the canary is the weighted one (43).
      expect(lambda).toHaveReceivedCommandWith(GetFunctionCommand, { FunctionName: 'orders-api', Qualifier: 'live' });
      expect(lambda).toHaveReceivedCommandWith(GetAliasCommand, { FunctionName: 'orders-api', Name: 'live' });
      expect(lambda.calls()).toHaveLength(2);
      expect(info).toEqual({
        name: 'orders-api',
        arn: fnArn,
        region: 'eu-west-1',
        accountId: '123456789012',
        alias: 'live',
        version: '42',
        versionModifiedAt: new Date('2024-05-01T12:00:00.000Z'),
        routing: { '43': 0.1 },
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
      lambda.on(GetAliasCommand).resolves(plainAlias);
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
      lambda.on(GetAliasCommand).resolves(plainAlias);
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
      expect(info.routingUnavailable).toBeUndefined();
      expect(info.tags).toEqual({});
      expect(info.tagsUnavailable).toBeUndefined();
    });

    it('asks ListTags when GetFunction withholds the tags (TagsError)', async () => {
      // Prepare
      lambda.on(GetFunctionCommand).resolves(getFunctionWithoutTagPermission);
      lambda.on(GetAliasCommand).resolves(plainAlias);
      lambda.on(ListTagsCommand).resolves(listTags);
      const functions = new LambdaFunctions(mockedClients());

      // Act
      const info = await functions.getFunction('orders-api', 'live');

      // Assess: tags belong to the unqualified function.
      expect(lambda).toHaveReceivedCommandWith(ListTagsCommand, { Resource: tagsFunctionArn });
      expect(info.tags).toEqual(listTags.Tags);
      expect(info.tagsUnavailable).toBeUndefined();
    });

    it('says the tags are unknown, not empty, when ListTags is refused too', async () => {
      // Prepare
      lambda.on(GetFunctionCommand).resolves(getFunctionWithoutTagPermission);
      lambda.on(GetAliasCommand).resolves(plainAlias);
      lambda.on(ListTagsCommand).rejects(listTagsDenied());
      const functions = new LambdaFunctions(mockedClients());

      // Act
      const info = await functions.getFunction('orders-api', 'live');

      // Assess
      expect(info.tags).toEqual({});
      expect(info.tagsUnavailable).toMatch(/^Lambda ListTags for function orders-api was denied: /);
      expect(info.tagsUnavailable).toContain('GetFunction: AccessDeniedException');
    });

    it('says the weights are unknown when GetAlias fails, and still reads the function', async () => {
      // Prepare
      lambda.on(GetFunctionCommand).resolves(getFunctionResponse);
      lambda.on(GetAliasCommand).rejects(listTagsDenied());
      const functions = new LambdaFunctions(mockedClients());

      // Act
      const info = await functions.getFunction('orders-api', 'live');

      // Assess
      expect(info.version).toBe('42');
      expect(info.routing).toEqual({});
      expect(info.routingUnavailable).toMatch(/^Lambda GetAlias for function orders-api:live was denied/);
    });

    it('rejects with NotFound naming the function when the alias does not exist', async () => {
      // Prepare
      const notFound = new ResourceNotFoundException({
        message: `Function not found: ${fnArn}:blue`,
        $metadata: { httpStatusCode: 404 },
      });
      lambda.on(GetFunctionCommand).rejects(notFound);
      lambda.on(GetAliasCommand).rejects(
        new ResourceNotFoundException({
          message: `Alias not found: ${fnArn}:blue`,
          $metadata: { httpStatusCode: 404 },
        }),
      );
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
    const sources = await functions.listEventSources({
      functionName: 'orders-api',
      functionArn: fnArn,
      qualifiers: [],
    });

    // Assess
    expect(lambda).toHaveReceivedCommandWith(ListEventSourceMappingsCommand, { FunctionName: 'orders-api' });
    expect(sources.map((s) => [s.uuid, s.service, s.state])).toEqual([
      ['u1', 'sqs', 'Enabled'],
      ['u2', 'kinesis', 'Disabled'],
      ['u3', 'kafka', 'Enabled'],
      ['u4', 'other', 'Enabled'],
    ]);
  });

  it('finds mappings bound to the function, its alias and its version, each once', async () => {
    // Prepare: each name answers with the mappings bound to it; the alias ARN is asked twice over.
    lambda
      .on(ListEventSourceMappingsCommand)
      .resolves({ EventSourceMappings: [] })
      .on(ListEventSourceMappingsCommand, { FunctionName: 'orders-worker' })
      .resolves(mappings.mappingsOfFunction)
      .on(ListEventSourceMappingsCommand, { FunctionName: mappings.aliasArn })
      .resolves(mappings.mappingsOfAlias)
      .on(ListEventSourceMappingsCommand, { FunctionName: mappings.versionArn })
      .resolves(mappings.mappingsOfVersion);
    const functions = new LambdaFunctions(mockedClients());

    // Act
    const sources = await functions.listEventSources({
      functionName: 'orders-worker',
      functionArn: mappings.functionArn,
      qualifiers: ['live', '7', 'live'],
    });

    // Assess
    expect(lambda).toHaveReceivedCommandTimes(ListEventSourceMappingsCommand, 3);
    expect(sources).toEqual([
      {
        uuid: 'a1b2c3d4-0000-4e5f-8a9b-000000000001',
        sourceArn: mappings.auditQueueArn,
        service: 'sqs',
        state: 'Enabled',
        qualifier: undefined,
      },
      {
        uuid: 'a1b2c3d4-0000-4e5f-8a9b-000000000002',
        sourceArn: mappings.ordersQueueArn,
        service: 'sqs',
        state: 'Enabled',
        qualifier: 'live',
      },
      {
        uuid: 'a1b2c3d4-0000-4e5f-8a9b-000000000003',
        sourceArn: mappings.refundsQueueArn,
        service: 'sqs',
        state: 'Enabled',
        qualifier: '7',
      },
    ]);
  });

  it('keeps a mapping once when the function name also answers with those of its alias', async () => {
    // Prepare: whichever way Lambda lists them, a mapping is one mapping.
    const both = [
      ...mappings.mappingsOfFunction.EventSourceMappings!,
      ...mappings.mappingsOfAlias.EventSourceMappings!,
    ];
    lambda
      .on(ListEventSourceMappingsCommand, { FunctionName: 'orders-worker' })
      .resolves({ EventSourceMappings: both })
      .on(ListEventSourceMappingsCommand, { FunctionName: mappings.aliasArn })
      .resolves(mappings.mappingsOfAlias);
    const functions = new LambdaFunctions(mockedClients());

    // Act
    const sources = await functions.listEventSources({
      functionName: 'orders-worker',
      functionArn: mappings.functionArn,
      qualifiers: ['live'],
    });

    // Assess
    expect(sources.map((s) => [s.sourceArn, s.qualifier])).toEqual([
      [mappings.auditQueueArn, undefined],
      [mappings.ordersQueueArn, 'live'],
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

    it.each(Object.entries(invokeConfig.destinations))(
      'returns a %s OnFailure destination as GetFunctionEventInvokeConfig names it',
      async (_kind, destinationArn) => {
        // Prepare
        lambda.on(GetFunctionEventInvokeConfigCommand).resolves(invokeConfig.eventInvokeConfig(destinationArn));
        const functions = new LambdaFunctions(mockedClients());

        // Act
        const destination = await functions.getAsyncFailureDestination('billing-events', 'live');

        // Assess
        expect(destination).toBe(destinationArn);
      },
    );

    it('returns undefined when the alias has no EventInvokeConfig', async () => {
      // Prepare
      lambda.on(GetFunctionEventInvokeConfigCommand).rejects(
        new ResourceNotFoundException({
          message: invokeConfig.noEventInvokeConfigMessage,
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
