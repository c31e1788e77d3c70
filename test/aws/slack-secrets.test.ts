import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { slackSecretsFromSecretsManager } from '../../src/aws/slack-secrets';
import { ErrorCode, GofnError } from '../../src/errors';
import { mockedClients, rejectionOf } from './helpers';

const secretsManager = mockClient(SecretsManagerClient);

const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:gofn/slack-AbCdEf';
const signingSecret = '8f742231b10e8888abcd99yyyzzz85a5';
const botToken = 'xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy';

/** Everything an error could carry to a log line or a person. */
function everythingSaidBy(error: unknown): string {
  const e = error as GofnError;
  const cause = e.cause instanceof Error ? `${e.cause.name} ${e.cause.message}` : String(e.cause ?? '');
  return `${e.message} ${e.hint ?? ''} ${cause} ${JSON.stringify(e)}`;
}

describe('slackSecretsFromSecretsManager', () => {
  beforeEach(() => {
    secretsManager.reset();
    jest.restoreAllMocks();
  });

  it('reads the credentials once and serves them from the cache within the TTL', async () => {
    // Prepare
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ signingSecret, botToken }) });
    const secrets = slackSecretsFromSecretsManager(mockedClients(), secretArn, 300);

    // Act
    const first = await secrets();
    const second = await secrets();

    // Assess
    expect(first).toEqual({ signingSecret, botToken });
    expect(second).toEqual(first);
    expect(secretsManager).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    expect(secretsManager).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: secretArn });
  });

  it('reads the secret again once the TTL has passed, picking up a rotation', async () => {
    // Prepare
    secretsManager
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: JSON.stringify({ signingSecret, botToken }) })
      .resolvesOnce({ SecretString: JSON.stringify({ signingSecret, botToken: 'xoxb-rotated' }) });
    const secrets = slackSecretsFromSecretsManager(mockedClients(), secretArn, 60);
    await secrets();
    const later = Date.now() + 61_000;
    jest.spyOn(Date, 'now').mockReturnValue(later);

    // Act
    const rotated = await secrets();

    // Assess
    expect(rotated.botToken).toBe('xoxb-rotated');
    expect(secretsManager).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('rejects a secret that is not JSON as InvalidInput naming the secret, never quoting it', async () => {
    // Prepare
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: `${botToken} ${signingSecret}` });
    const secrets = slackSecretsFromSecretsManager(mockedClients(), secretArn, 300);

    // Act
    const error = await rejectionOf(secrets());

    // Assess
    expect(error).toBeInstanceOf(GofnError);
    expect((error as GofnError).code).toBe(ErrorCode.InvalidInput);
    expect((error as GofnError).message).toBe(`The secret ${secretArn} is not JSON.`);
    expect(everythingSaidBy(error)).not.toContain(botToken.slice(0, 8));
    expect(everythingSaidBy(error)).not.toContain(signingSecret.slice(0, 8));
  });

  it('rejects JSON without both credentials as InvalidInput naming the missing keys, not the values', async () => {
    // Prepare: what the stack creates before anyone pastes the bot token in.
    secretsManager
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ signingSecret, botToken: '' }) });
    const secrets = slackSecretsFromSecretsManager(mockedClients(), secretArn, 300);

    // Act
    const error = await rejectionOf(secrets());

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.InvalidInput);
    expect((error as GofnError).message).toBe(
      `The secret ${secretArn} does not hold Slack credentials: botToken missing or empty.`,
    );
    expect(everythingSaidBy(error)).not.toContain(signingSecret);
  });

  it('reports a missing secret as NotFound, through the same error mapping as every call', async () => {
    // Prepare
    secretsManager.on(GetSecretValueCommand).rejects(
      new ResourceNotFoundException({
        message: "Secrets Manager can't find the specified secret.",
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const secrets = slackSecretsFromSecretsManager(mockedClients(), secretArn, 300);

    // Act
    const error = await rejectionOf(secrets());

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.NotFound);
    expect((error as GofnError).message).toMatch(
      new RegExp(`^SecretsManager GetSecretValue found nothing for secret ${secretArn}`),
    );
  });
});
