import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import {
  assumedRoleCredentials,
  createAwsTargets,
  REFRESH_BEFORE_MS,
  RETRY_AFTER_FAILURE_MS,
} from '../../src/aws/accounts';
import { createAwsClients, type AwsClients } from '../../src/aws/clients';
import { ErrorCode, GofnError } from '../../src/errors';
import type { TargetsConfig } from '../../src/targets';
import { assumeRoleDenied, assumeRoleResponse, memberAccount, memberRoleArn } from '../fixtures/aws/sts-assume-role';
import { FakeEndpoint, isolatedEnv } from './fake-endpoint';
import { mockedClients, rejectionOf } from './helpers';

const account = { name: 'prod', id: memberAccount, roleArn: memberRoleArn, externalId: 'gofn-7f3a9c' };
const HOUR = 3_600_000;

describe('assumedRoleCredentials', () => {
  let home: AwsClients;
  let sts: ReturnType<typeof mockClient>;
  let clock: number;
  const now = () => clock;

  beforeEach(() => {
    home = mockedClients();
    sts = mockClient(home.sts);
    clock = Date.parse('2026-11-26T15:00:00Z');
  });
  afterEach(() => {
    sts.restore();
    home.destroy();
  });

  it('assumes the role once with its external ID, for every request that arrives together', async () => {
    // Prepare
    sts.on(AssumeRoleCommand).resolves(assumeRoleResponse(clock));
    const provide = assumedRoleCredentials({ home, account, now });

    // Act
    const all = await Promise.all([provide(), provide(), provide()]);

    // Assess
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    expect(sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input).toEqual({
      RoleArn: memberRoleArn,
      RoleSessionName: 'gofn',
      ExternalId: 'gofn-7f3a9c',
      // Role chaining caps a session at an hour.
      DurationSeconds: 3600,
    });
    expect(new Set(all.map((c) => c.accessKeyId))).toEqual(new Set(['ASIAIOSFODNN7EXAMPLE']));
    expect(all[0]!.sessionToken).toBe('FwoGZXIvYXdzEBYaDExampleSessionToken');
  });

  it('keeps the credentials until shortly before they expire, then assumes the role again', async () => {
    // Prepare
    sts
      .on(AssumeRoleCommand)
      .resolvesOnce(assumeRoleResponse(clock, HOUR, 'ASIAFIRST'))
      .resolves(assumeRoleResponse(clock + HOUR, HOUR, 'ASIASECOND'));
    const provide = assumedRoleCredentials({ home, account, now });

    // Act
    const first = await provide();
    clock += HOUR - REFRESH_BEFORE_MS - 1000;
    const stillCached = await provide();
    clock += 2000;
    const refreshed = await provide();

    // Assess
    expect([first.accessKeyId, stillCached.accessKeyId, refreshed.accessKeyId]).toEqual([
      'ASIAFIRST',
      'ASIAFIRST',
      'ASIASECOND',
    ]);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  it('keeps using credentials that still work when a refresh fails, and stops when they expire', async () => {
    // Prepare
    sts
      .on(AssumeRoleCommand)
      .resolvesOnce(assumeRoleResponse(clock, HOUR, 'ASIAFIRST'))
      .rejects(assumeRoleDenied('arn:aws:sts::444455556666:assumed-role/gofn-worker/gofn-worker'));
    const provide = assumedRoleCredentials({ home, account, now });
    await provide();

    // Act
    clock += HOUR - 60_000;
    const duringRefreshFailure = await provide();
    clock += 120_000;
    const afterExpiry = await rejectionOf(provide());

    // Assess
    expect(duringRefreshFailure.accessKeyId).toBe('ASIAFIRST');
    expect(afterExpiry).toBeInstanceOf(GofnError);
    expect((afterExpiry as GofnError).code).toBe(ErrorCode.AccessDenied);
  });

  it('says which role and account could not be assumed, and does not ask STS again for a while', async () => {
    // Prepare
    sts.on(AssumeRoleCommand).rejects(assumeRoleDenied('arn:aws:sts::444455556666:assumed-role/gofn-worker/x'));
    const provide = assumedRoleCredentials({ home, account, now });

    // Act
    const first = await rejectionOf(provide());
    clock += RETRY_AFTER_FAILURE_MS - 1000;
    const soon = await rejectionOf(provide());
    clock += 2000;
    await rejectionOf(provide());

    // Assess
    expect(first).toBeInstanceOf(GofnError);
    const error = first as GofnError;
    expect(error.code).toBe(ErrorCode.AccessDenied);
    expect(error.message).toBe(
      `gofn could not assume ${memberRoleArn} (account prod): STS AssumeRole was denied: User: arn:aws:sts::444455556666:assumed-role/gofn-worker/x is not authorized to perform: sts:AssumeRole on resource: ${memberRoleArn}.`,
    );
    expect(error.hint).toMatch(/member stack .* external ID/);
    expect(soon).toBe(first);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });
});

describe('createAwsTargets', () => {
  const env = isolatedEnv();
  let endpoint: FakeEndpoint;
  let home: AwsClients;
  let sts: ReturnType<typeof mockClient>;
  const config: TargetsConfig = {
    accounts: [account, { name: 'tools', id: '444455556666' }],
    regions: ['eu-west-1', 'us-east-1'],
  };
  const accountSettings = JSON.stringify({
    AccountLimit: { ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 900 },
    AccountUsage: { FunctionCount: 3 },
  });

  beforeAll(async () => {
    endpoint = await FakeEndpoint.start();
  });
  afterAll(async () => {
    await endpoint.stop();
  });
  beforeEach(() => {
    endpoint.requests.length = 0;
    endpoint.answer({ status: 200, body: accountSettings });
    env.set({
      AWS_ACCESS_KEY_ID: 'AKIDHOMEEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL: endpoint.url,
      AWS_CONFIG_FILE: '/nonexistent/aws/config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws/credentials',
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    home = createAwsClients({ region: 'eu-west-1', maxAttempts: 1 });
    sts = mockClient(home.sts);
    sts.on(AssumeRoleCommand).resolves(assumeRoleResponse(Date.now(), HOUR, 'ASIAPRODEXAMPLE'));
  });
  afterEach(() => {
    sts.restore();
    home.destroy();
    env.restore();
  });

  /** Access key and region of each request's signature: who it was sent as, and where. */
  const signedAs = () =>
    endpoint.requests.map((r) =>
      /Credential=(\w+)\/\d{8}\/([a-z0-9-]+)\//.exec(String(r.headers.authorization))!.slice(1),
    );

  it("sends each account's requests with its role's credentials, to each of its regions, assuming the role once", async () => {
    // Prepare
    const targets = await createAwsTargets({ config, home });

    // Act
    for (const target of targets.targets) await targets.open(target).sources.functions.getAccountConcurrency();
    targets.destroy();

    // Assess
    expect(targets.targets.map((t) => `${t.account}/${t.region}`)).toEqual([
      'prod/eu-west-1',
      'prod/us-east-1',
      'tools/eu-west-1',
      'tools/us-east-1',
    ]);
    expect(signedAs()).toEqual([
      ['ASIAPRODEXAMPLE', 'eu-west-1'],
      ['ASIAPRODEXAMPLE', 'us-east-1'],
      ['AKIDHOMEEXAMPLE', 'eu-west-1'],
      ['AKIDHOMEEXAMPLE', 'us-east-1'],
    ]);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    expect(targets.open(targets.targets[1]!).sources.region).toBe('us-east-1');
  });

  it('fails only the account whose role cannot be assumed', async () => {
    // Prepare
    sts.on(AssumeRoleCommand).rejects(assumeRoleDenied('arn:aws:sts::444455556666:assumed-role/gofn-worker/x'));
    const targets = await createAwsTargets({ config, home });

    // Act
    const outcomes = await Promise.all(
      targets.targets.map((t) =>
        targets
          .open(t)
          .sources.functions.getAccountConcurrency()
          .then(
            () => 'answered',
            (error: unknown) => (error as GofnError).code,
          ),
      ),
    );
    targets.destroy();

    // Assess
    expect(outcomes).toEqual([ErrorCode.AccessDenied, ErrorCode.AccessDenied, 'answered', 'answered']);
  });

  it('keeps to the region asked for, and says which regions there are when none is configured there', async () => {
    // Act
    const inUsEast = await createAwsTargets({ config, home, region: 'us-east-1' });
    const nowhere = await rejectionOf(createAwsTargets({ config, home, region: 'ap-south-1' }));

    // Assess
    expect(inUsEast.targets.map((t) => t.account)).toEqual(['prod', 'tools']);
    expect((nowhere as GofnError).sentence).toBe(
      'No configured account looks at ap-south-1. The configured regions are eu-west-1, us-east-1.',
    );
  });

  it('without a configuration, looks at the home account and region, and any region a name asks for', async () => {
    // Prepare
    const targets = await createAwsTargets({ config: undefined, home });

    // Act
    await targets.open(targets.targets[0]!).sources.functions.getAccountConcurrency();
    await targets.open({ ...targets.targets[0]!, region: 'ap-southeast-2' }).sources.functions.getAccountConcurrency();
    targets.destroy();

    // Assess
    expect(targets.configured).toBe(false);
    expect(targets.targets).toEqual([{ account: 'default', accountId: undefined, region: 'eu-west-1' }]);
    expect(signedAs()).toEqual([
      ['AKIDHOMEEXAMPLE', 'eu-west-1'],
      ['AKIDHOMEEXAMPLE', 'ap-southeast-2'],
    ]);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });
});
