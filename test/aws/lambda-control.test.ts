import {
  GetAliasCommand,
  GetFunctionConcurrencyCommand,
  InvokeCommand,
  LambdaClient,
  PreconditionFailedException,
  PutFunctionConcurrencyCommand,
  ResourceNotFoundException,
  UpdateAliasCommand,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { LambdaControl } from '../../src/aws/lambda-control';
import { LambdaJobQueue } from '../../src/aws/lambda-job-queue';
import { ErrorCode, GofnError } from '../../src/errors';
import { canaryCleared, canaryInProgress } from '../fixtures/aws/lambda-alias';
import { mockedClients, rejectionOf } from './helpers';

const lambda = mockClient(LambdaClient);

const fnArn = 'arn:aws:lambda:eu-west-1:123456789012:function:orders-api';

describe('LambdaControl', () => {
  beforeEach(() => lambda.reset());

  it('reads a canary in progress: FunctionVersion is the stable version, the weight belongs to the canary', async () => {
    // Prepare
    lambda.on(GetAliasCommand).resolves(canaryInProgress);
    const control = new LambdaControl(mockedClients());

    // Act
    const alias = await control.getAlias('orders-api', 'live');

    // Assess
    expect(lambda).toHaveReceivedCommandWith(GetAliasCommand, { FunctionName: 'orders-api', Name: 'live' });
    expect(alias).toEqual({
      functionName: 'orders-api',
      alias: 'live',
      version: '42',
      routing: { '43': 0.1 },
      revisionId: canaryInProgress.RevisionId,
    });
  });

  it('stops a canary by keeping FunctionVersion and clearing the weights, guarded by RevisionId', async () => {
    // Prepare
    lambda.on(UpdateAliasCommand).resolves(canaryCleared);
    const control = new LambdaControl(mockedClients());

    // Act
    const alias = await control.updateAlias('orders-api', 'live', '42', canaryInProgress.RevisionId);

    // Assess
    expect(lambda).toHaveReceivedCommandWith(UpdateAliasCommand, {
      FunctionName: 'orders-api',
      Name: 'live',
      FunctionVersion: '42',
      RoutingConfig: { AdditionalVersionWeights: {} },
      RevisionId: canaryInProgress.RevisionId,
    });
    expect(alias).toMatchObject({ version: '42', routing: {}, revisionId: canaryCleared.RevisionId });
  });

  it('moves the alias, clears its routing and passes the expected RevisionId', async () => {
    // Prepare
    lambda.on(UpdateAliasCommand).resolves({
      Name: 'live',
      FunctionVersion: '41',
      RoutingConfig: { AdditionalVersionWeights: {} },
      RevisionId: 'rev-2',
    });
    const control = new LambdaControl(mockedClients());

    // Act
    const alias = await control.updateAlias('orders-api', 'live', '41', 'rev-1');

    // Assess
    expect(lambda.calls()).toHaveLength(1);
    expect(lambda).toHaveReceivedCommandWith(UpdateAliasCommand, {
      FunctionName: 'orders-api',
      Name: 'live',
      FunctionVersion: '41',
      RoutingConfig: { AdditionalVersionWeights: {} },
      RevisionId: 'rev-1',
    });
    expect(alias).toEqual({
      functionName: 'orders-api',
      alias: 'live',
      version: '41',
      routing: {},
      revisionId: 'rev-2',
    });
  });

  it('reports a stale RevisionId as Conflict in a sentence naming the alias and function', async () => {
    // Prepare
    const stale = new PreconditionFailedException({
      message:
        'The Revision Id provided does not match the latest Revision Id. Call the GetAlias API to retrieve the latest Revision Id',
      Type: 'User',
      $metadata: { httpStatusCode: 412 },
    });
    lambda.on(UpdateAliasCommand).rejects(stale);
    const control = new LambdaControl(mockedClients());

    // Act
    const error = await rejectionOf(control.updateAlias('orders-api', 'live', '41', 'rev-1'));

    // Assess
    expect(error).toBeInstanceOf(GofnError);
    expect((error as GofnError).code).toBe(ErrorCode.Conflict);
    expect((error as GofnError).message).toBe(
      'The alias changed since you looked: live of orders-api was modified by someone else.',
    );
    expect(((error as GofnError).cause as GofnError).cause).toBe(stale);
  });

  it('reports a missing alias as NotFound', async () => {
    // Prepare
    lambda.on(UpdateAliasCommand).rejects(
      new ResourceNotFoundException({
        message: `Alias not found: ${fnArn}:blue`,
        $metadata: { httpStatusCode: 404 },
      }),
    );
    const control = new LambdaControl(mockedClients());

    // Act
    const error = await rejectionOf(control.updateAlias('orders-api', 'blue', '41', undefined));

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.NotFound);
    expect((error as GofnError).message).toMatch(/^Lambda UpdateAlias found nothing for function orders-api:blue/);
  });

  it('reads reserved concurrency, undefined when none is set', async () => {
    // Prepare
    lambda
      .on(GetFunctionConcurrencyCommand, { FunctionName: 'orders-api' })
      .resolves({ ReservedConcurrentExecutions: 100 })
      .on(GetFunctionConcurrencyCommand, { FunctionName: 'billing' })
      .resolves({});
    const control = new LambdaControl(mockedClients());

    // Act
    const reserved = await control.getReservedConcurrency('orders-api');
    const unset = await control.getReservedConcurrency('billing');

    // Assess
    expect(reserved).toBe(100);
    expect(unset).toBeUndefined();
  });

  it('sets reserved concurrency and returns what Lambda stored', async () => {
    // Prepare
    lambda.on(PutFunctionConcurrencyCommand).resolves({ ReservedConcurrentExecutions: 150 });
    const control = new LambdaControl(mockedClients());

    // Act
    const stored = await control.putReservedConcurrency('orders-api', 150);

    // Assess
    expect(lambda).toHaveReceivedCommandWith(PutFunctionConcurrencyCommand, {
      FunctionName: 'orders-api',
      ReservedConcurrentExecutions: 150,
    });
    expect(stored).toBe(150);
  });

  it('invokes asynchronously with the qualifier and the payload bytes, resolving on 202', async () => {
    // Prepare
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    const control = new LambdaControl(mockedClients());

    // Act
    await control.invokeAsync('orders-api', 'live', '{"order":"é1"}');

    // Assess
    const input = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ FunctionName: 'orders-api', Qualifier: 'live', InvocationType: 'Event' });
    expect(Buffer.from(input?.Payload as Uint8Array).toString('utf8')).toBe('{"order":"é1"}');
  });

  it('rejects an invoke Lambda did not accept with Upstream', async () => {
    // Prepare
    lambda.on(InvokeCommand).resolves({ StatusCode: 200 });
    const control = new LambdaControl(mockedClients());

    // Act
    const error = await rejectionOf(control.invokeAsync('orders-api', 'live', '{}'));

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.Upstream);
    expect((error as GofnError).message).toMatch(/status 200, expected 202/);
  });
});

describe('LambdaJobQueue', () => {
  beforeEach(() => lambda.reset());

  it('hands the job to the worker with one asynchronous Invoke of its JSON', async () => {
    // Prepare
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    const jobs = new LambdaJobQueue(mockedClients(), 'gofn-worker');

    // Act
    await jobs.enqueue({ kind: 'status', functionName: 'orders-api' });

    // Assess
    expect(lambda.calls()).toHaveLength(1);
    const input = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ FunctionName: 'gofn-worker', InvocationType: 'Event' });
    expect(input?.Qualifier).toBeUndefined();
    expect(JSON.parse(Buffer.from(input?.Payload as Uint8Array).toString('utf8'))).toEqual({
      kind: 'status',
      functionName: 'orders-api',
    });
  });

  it('rejects with InvalidInput, sending nothing, when no worker is configured', async () => {
    // Prepare
    const jobs = new LambdaJobQueue(mockedClients(), '');

    // Act
    const error = await rejectionOf(jobs.enqueue({ kind: 'status' }));

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.InvalidInput);
    expect(lambda.calls()).toHaveLength(0);
  });
});
