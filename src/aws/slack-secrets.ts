import { GetParameterError, TransformParameterError } from '@aws-lambda-powertools/parameters/errors';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import * as z from 'zod';
import { ErrorCode, GofnError } from '../errors';
import { callAws, untilAborted, type AwsCall } from './call';
import type { AwsClients } from './clients';

export interface SlackCredentials {
  signingSecret: string;
  botToken: string;
  /** During a signing-secret rotation: the secret before, and until when (epoch seconds) buttons signed with it count. */
  previousSigningSecret?: string | undefined;
  previousSigningSecretUntil?: number | undefined;
}

const slackCredentialsSchema = z
  .object({
    signingSecret: z.string().min(1),
    botToken: z.string().min(1),
    previousSigningSecret: z.string().min(1).optional(),
    /** ISO 8601 time, e.g. 2026-12-01T12:00:00Z. */
    previousSigningSecretUntil: z.iso.datetime({ offset: true }).optional(),
  })
  .transform(({ previousSigningSecretUntil, ...rest }) => ({
    ...rest,
    ...(previousSigningSecretUntil
      ? { previousSigningSecretUntil: Math.floor(Date.parse(previousSigningSecretUntil) / 1000) }
      : {}),
  }));

/**
 * Reads the Slack app's credentials from a Secrets Manager secret holding
 * `{"signingSecret": "...", "botToken": "xoxb-..."}`, through Powertools' SecretsProvider: it keeps
 * the parsed value for `ttlSeconds`, so warm invocations send no request, and a rotated secret is
 * picked up within that time. The provider uses the shared SecretsManager client, so its requests
 * carry gofn's timeouts and retries and are counted like every other call.
 *
 * Error messages name the secret, never its value: they end up in logs and in Slack.
 */
export function slackSecretsFromSecretsManager(
  clients: Pick<AwsClients, 'secretsManager' | 'settings'>,
  secretArn: string,
  ttlSeconds: number,
): () => Promise<SlackCredentials> {
  const provider = new SecretsProvider({ awsSdkV3Client: clients.secretsManager });
  const call: AwsCall = { service: 'SecretsManager', operation: 'GetSecretValue', subject: `secret ${secretArn}` };
  return async () => {
    const value = await callAws(call, undefined, clients.settings.callTimeoutMs, (abortSignal) =>
      untilAborted(readJson(provider, secretArn, ttlSeconds), abortSignal),
    );
    return parseCredentials(value, secretArn);
  };
}

async function readJson(provider: SecretsProvider, secretArn: string, ttlSeconds: number): Promise<unknown> {
  try {
    return await provider.get(secretArn, { maxAge: ttlSeconds, transform: 'json' });
  } catch (error) {
    if (error instanceof TransformParameterError) {
      // No cause: JSON.parse's message quotes the start of the text, which is the secret.
      throw new GofnError(ErrorCode.InvalidInput, `The secret ${secretArn} is not JSON.`, { hint: credentialsHint });
    }
    // Powertools wraps the SDK's error; hand `callAws` the SDK's own so it maps NotFound, AccessDenied...
    if (error instanceof GetParameterError && error.cause !== undefined) throw error.cause;
    throw error;
  }
}

const credentialsHint = 'Store {"signingSecret": "...", "botToken": "xoxb-..."} in it, both non-empty.';

function parseCredentials(value: unknown, secretArn: string): SlackCredentials {
  const parsed = slackCredentialsSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const keys = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0] ?? '')))].filter(Boolean);
  const what = keys.length > 0 ? `${keys.join(' and ')} missing or empty` : 'not a JSON object';
  throw new GofnError(ErrorCode.InvalidInput, `The secret ${secretArn} does not hold Slack credentials: ${what}.`, {
    hint: credentialsHint,
  });
}
