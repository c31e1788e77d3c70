import { createAwsClients, type AwsClients } from '../../src/aws/clients';
import { enqueueTimeoutMs, LambdaJobQueue } from '../../src/aws/lambda-job-queue';
import { slackSecretsFromSecretsManager } from '../../src/aws/slack-secrets';
import { ErrorCode, type GofnError } from '../../src/errors';
import { FakeEndpoint, isolatedEnv } from './fake-endpoint';
import { rejectionOf } from './helpers';

/**
 * Deadlines of the adapters that must answer fast, against an endpoint that never answers: the
 * real SDK on the wire, since a mocked `send` cannot show whether the abort reaches it.
 */
describe('deadlines on a silent endpoint', () => {
  const env = isolatedEnv();
  let endpoint: FakeEndpoint;
  let clients: AwsClients | undefined;

  beforeAll(async () => {
    endpoint = await FakeEndpoint.start();
  });

  afterAll(async () => {
    await endpoint.stop();
  });

  beforeEach(() => {
    endpoint.answer({ status: 200, hang: true });
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
    });
  });

  afterEach(() => {
    clients?.destroy();
    env.restore();
  });

  it('ends an enqueue at its own deadline, shorter than the clients allow', async () => {
    // Prepare
    clients = createAwsClients({ maxAttempts: 1, callTimeoutMs: 20_000 });
    const jobs = new LambdaJobQueue(clients, 'gofn-worker');
    const started = Date.now();

    // Act
    const error = await rejectionOf(jobs.enqueue({ kind: 'status' }));

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.Timeout);
    expect((error as GofnError).message).toBe(
      `Lambda Invoke for function gofn-worker did not answer within ${enqueueTimeoutMs} ms.`,
    );
    expect(Date.now() - started).toBeLessThan(enqueueTimeoutMs + 1_000);
    expect(endpoint.requests).toHaveLength(1);
  });

  it('ends a secret read at callTimeoutMs although Powertools passes no abort signal', async () => {
    // Prepare
    clients = createAwsClients({ maxAttempts: 1, callTimeoutMs: 200 });
    const secrets = slackSecretsFromSecretsManager(
      clients,
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:slack',
      300,
    );
    const started = Date.now();

    // Act
    const error = await rejectionOf(secrets());

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.Timeout);
    expect((error as GofnError).message).toMatch(
      /^SecretsManager GetSecretValue for secret arn:.*:slack did not answer within 200 ms\.$/,
    );
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});
