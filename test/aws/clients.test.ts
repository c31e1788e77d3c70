import { GetAccountSettingsCommand } from '@aws-sdk/client-lambda';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createAwsClients, type AwsClients } from '../../src/aws/clients';
import { callAws } from '../../src/aws/call';
import { createAwsSources, loadAwsSources } from '../../src/aws/index';
import { LambdaFunctions } from '../../src/aws/lambda-functions';
import { CallLedger, countCalls } from '../../src/calls';
import { ErrorCode, GofnError } from '../../src/errors';
import { FakeEndpoint, isolatedEnv } from './fake-endpoint';
import { rejectionOf } from './helpers';

const accountSettings = JSON.stringify({
  AccountLimit: { ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 900 },
  AccountUsage: { FunctionCount: 3 },
});

const lambdaError = (status: number, type: string, message: string) => ({
  status,
  headers: { 'x-amzn-errortype': type },
  body: JSON.stringify({ Type: 'User', message }),
});

describe('createAwsClients', () => {
  const env = isolatedEnv();
  let endpoint: FakeEndpoint;
  let other: FakeEndpoint;
  const created: AwsClients[] = [];

  /** Clients against the fake endpoint, through the standard environment variables only. */
  function clients(options: Parameters<typeof createAwsClients>[0] = {}): AwsClients {
    const c = createAwsClients(options);
    created.push(c);
    return c;
  }

  beforeAll(async () => {
    endpoint = await FakeEndpoint.start();
    other = await FakeEndpoint.start();
  });

  afterAll(async () => {
    await endpoint.stop();
    await other.stop();
  });

  beforeEach(() => {
    endpoint.requests.length = 0;
    other.requests.length = 0;
    env.set({
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL: endpoint.url,
      AWS_CONFIG_FILE: '/nonexistent/aws/config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws/credentials',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_MAX_ATTEMPTS: undefined,
    });
  });

  afterEach(() => {
    for (const c of created.splice(0)) c.destroy();
    env.restore();
  });

  it('creates each client once and shares it', () => {
    // Prepare
    const aws = clients();

    // Act
    const first = aws.lambda;
    const second = aws.lambda;

    // Assess
    expect(first).toBe(second);
    expect(aws.cloudWatch).not.toBe(aws.logs);
  });

  it('sends to AWS_ENDPOINT_URL and lets AWS_ENDPOINT_URL_<SERVICE> override it', async () => {
    // Prepare
    env.set({ AWS_ENDPOINT_URL_LAMBDA: other.url });
    endpoint.answer({ status: 200, body: accountSettings });
    other.answer({ status: 200, body: accountSettings });
    const aws = clients({ maxAttempts: 1 });

    // Act
    await new LambdaFunctions(aws).getAccountConcurrency();
    await rejectionOf(aws.sts.send(new (await import('@aws-sdk/client-sts')).GetCallerIdentityCommand({})));

    // Assess
    expect(other.requests.map((r) => r.path)).toEqual(['/2016-08-19/account-settings']);
    expect(endpoint.requests).toHaveLength(1);
    expect(endpoint.requests[0]?.method).toBe('POST');
  });

  it('reads the service-specific endpoint variable by SDK service id (CloudWatch Logs → _CLOUDWATCH_LOGS)', async () => {
    // Prepare
    env.set({ AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: other.url });
    other.answer({ status: 200, body: JSON.stringify({ queryId: 'q' }) });
    const aws = clients({ maxAttempts: 1 });
    const { StartQueryCommand } = await import('@aws-sdk/client-cloudwatch-logs');

    // Act
    await aws.logs.send(new StartQueryCommand({ logGroupName: 'g', startTime: 1, endTime: 2, queryString: 'x' }));

    // Assess
    expect(other.requests).toHaveLength(1);
    expect(endpoint.requests).toHaveLength(0);
  });

  it('takes region, credentials and endpoint from the AWS_PROFILE profile', async () => {
    // Prepare
    const dir = await mkdtemp(path.join(tmpdir(), 'gofn-profile-'));
    const config = path.join(dir, 'config');
    const credentials = path.join(dir, 'credentials');
    await writeFile(config, `[profile oncall]\nregion = ap-northeast-1\nendpoint_url = ${other.url}\n`);
    await writeFile(credentials, '[oncall]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = secret\n');
    env.set({
      AWS_PROFILE: 'oncall',
      AWS_CONFIG_FILE: config,
      AWS_SHARED_CREDENTIALS_FILE: credentials,
      AWS_REGION: undefined,
      AWS_ENDPOINT_URL: undefined,
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
    });
    other.answer({ status: 200, body: accountSettings });
    const aws = clients({ maxAttempts: 1 });

    try {
      // Act
      const account = await new LambdaFunctions(aws).getAccountConcurrency();
      const loaded = await loadAwsSources({ clients: aws });
      const created = createAwsSources({ clients: aws });
      await aws.resolveRegion();
      await new Promise((resolve) => setImmediate(resolve));

      // Assess
      expect(account.limit).toBe(1000);
      expect(String(other.requests[0]?.headers.authorization)).toMatch(
        /Credential=AKIDPROFILE\/\d{8}\/ap-northeast-1\/lambda\/aws4_request/,
      );
      expect(loaded.region).toBe('ap-northeast-1');
      expect(created.region).toBe('ap-northeast-1');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('uses the region from options over AWS_REGION', async () => {
    // Prepare
    endpoint.answer({ status: 200, body: accountSettings });
    const aws = clients({ region: 'ap-southeast-2', maxAttempts: 1 });

    // Act
    await aws.lambda.send(new GetAccountSettingsCommand({}));

    // Assess
    expect(String(endpoint.requests[0]?.headers.authorization)).toContain('/ap-southeast-2/lambda/aws4_request');
    await expect(aws.resolveRegion()).resolves.toBe('ap-southeast-2');
  });

  it('records every attempt, retries included, in the ledger of the calling context', async () => {
    // Prepare
    endpoint.answer(lambdaError(500, 'ServiceException', 'try again'), { status: 200, body: accountSettings });
    const aws = clients({ maxAttempts: 3 });
    const ledger = new CallLedger();

    // Act
    const account = await countCalls(ledger, () => new LambdaFunctions(aws).getAccountConcurrency());
    await new LambdaFunctions(aws).getAccountConcurrency();

    // Assess
    expect(account).toEqual({ limit: 1000, unreserved: 900 });
    expect(endpoint.requests).toHaveLength(3);
    expect(ledger.snapshot()).toEqual({ 'Lambda:GetAccountSettings': 2 });
  });

  it('stops retrying at maxAttempts and reports throttling', async () => {
    // Prepare
    endpoint.answer(lambdaError(429, 'TooManyRequestsException', 'Rate exceeded'));
    const aws = clients({ maxAttempts: 2 });
    const ledger = new CallLedger();

    // Act
    const error = await rejectionOf(countCalls(ledger, () => new LambdaFunctions(aws).getAccountConcurrency()));

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.Throttled);
    expect((error as GofnError).message).toBe(
      'Lambda GetAccountSettings was throttled after 2 attempts: Rate exceeded',
    );
    expect(ledger.snapshot()).toEqual({ 'Lambda:GetAccountSettings': 2 });
  });

  it('gives up on an attempt after requestTimeoutMs', async () => {
    // Prepare
    endpoint.answer({ status: 200, hang: true });
    const aws = clients({ maxAttempts: 1, requestTimeoutMs: 100 });

    // Act
    const error = await rejectionOf(new LambdaFunctions(aws).getAccountConcurrency());

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.Timeout);
    expect((error as GofnError).message).toMatch(/^Lambda GetAccountSettings timed out/);
  });

  it('ends the whole call, retries included, at callTimeoutMs', async () => {
    // Prepare
    endpoint.answer({ status: 200, hang: true });
    const aws = clients({ maxAttempts: 3, callTimeoutMs: 150 });
    const started = Date.now();

    // Act
    const error = await rejectionOf(new LambdaFunctions(aws).getAccountConcurrency());

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.Timeout);
    expect((error as GofnError).message).toBe('Lambda GetAccountSettings did not answer within 150 ms.');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("stops a call when the caller's signal aborts", async () => {
    // Prepare
    endpoint.answer({ status: 200, hang: true });
    const aws = clients({ maxAttempts: 1 });

    // Act
    const error = await rejectionOf(
      new LambdaFunctions(aws).getAccountConcurrency({ signal: AbortSignal.timeout(50) }),
    );

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.Timeout);
    expect((error as GofnError).message).toBe('Lambda GetAccountSettings was stopped: the deadline passed.');
  });

  it('sends nothing when the deadline has already passed', async () => {
    // Prepare
    const aws = clients();
    const send = jest.fn();

    // Act
    const error = await rejectionOf(
      callAws({ service: 'Lambda', operation: 'GetAccountSettings' }, { signal: AbortSignal.abort() }, 1000, send),
    );

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.Timeout);
    expect(send).not.toHaveBeenCalled();
    expect(aws.settings.callTimeoutMs).toBe(20_000);
  });

  it('reports an endpoint that does not know the operation as Unsupported', async () => {
    // Prepare: what the emulator answers for GetAccountSettings.
    endpoint.answer({
      status: 404,
      headers: { 'content-type': 'text/html' },
      body: '<!doctype html><title>404 Not Found</title>',
    });
    const aws = clients({ maxAttempts: 1 });

    // Act
    const error = await rejectionOf(new LambdaFunctions(aws).getAccountConcurrency());

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.Unsupported);
  });

  it('reports missing credentials as NoCredentials without sending anything', async () => {
    // Prepare
    env.set({ AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined });
    const aws = clients({ maxAttempts: 1 });
    const ledger = new CallLedger();

    // Act
    const error = await rejectionOf(countCalls(ledger, () => new LambdaFunctions(aws).getAccountConcurrency()));

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.NoCredentials);
    expect((error as GofnError).hint).toMatch(/AWS_PROFILE/);
    expect(endpoint.requests).toHaveLength(0);
    expect(ledger.total).toBe(0);
  });

  it('reports a missing region as NoCredentials', async () => {
    // Prepare
    env.set({ AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined });
    const aws = clients({ maxAttempts: 1 });

    // Act
    const fromCall = await rejectionOf(new LambdaFunctions(aws).getAccountConcurrency());
    const fromResolve = await rejectionOf(aws.resolveRegion());

    // Assess
    expect((fromCall as GofnError).code).toBe(ErrorCode.NoCredentials);
    expect((fromResolve as GofnError).code).toBe(ErrorCode.NoCredentials);
  });

  it('rejects unknown or out-of-range options', () => {
    expect(() => createAwsClients({ maxAtempts: 3 } as never)).toThrow(/Unknown AWS client option maxAtempts/);
    expect(() => createAwsClients({ maxAttempts: 0 })).toThrow(GofnError);
    expect(() => createAwsClients({ callTimeoutMs: -1 })).toThrow(GofnError);
  });
});

describe('createAwsSources', () => {
  const env = isolatedEnv();
  afterEach(() => env.restore());

  it('bundles the AWS ports with the region from the options or AWS_REGION', () => {
    // Prepare
    env.set({ AWS_REGION: 'eu-central-1' });

    // Act
    const explicit = createAwsSources({ region: 'us-west-2' });
    const fromEnv = createAwsSources();

    // Assess
    expect(explicit.kind).toBe('aws');
    expect(explicit.region).toBe('us-west-2');
    expect(fromEnv.region).toBe('eu-central-1');
    for (const port of ['functions', 'metrics', 'logs', 'traces', 'deploys', 'queues'] as const) {
      expect(explicit[port]).toBeDefined();
    }
  });
});
