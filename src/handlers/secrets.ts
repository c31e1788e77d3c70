import { slackSecretsFromSecretsManager, type IngressClients } from '../aws/ingress';
import type { Config } from '../config';
import { ErrorCode, GofnError } from '../errors';
import type { SlackSecrets } from '../slack/ingress';

/**
 * Slack credentials: from Secrets Manager in production (cached for GOFN_SECRET_TTL_SECONDS by
 * Powertools parameters), from the environment only when no secret ARN is configured (local
 * development and tests).
 */
export function slackSecretsProvider(
  config: Config,
  clients: Pick<IngressClients, 'secretsManager' | 'settings'>,
): () => Promise<SlackSecrets> {
  if (config.SLACK_SECRET_ARN) {
    return slackSecretsFromSecretsManager(clients, config.SLACK_SECRET_ARN, config.GOFN_SECRET_TTL_SECONDS);
  }
  const until = config.SLACK_PREVIOUS_SIGNING_SECRET_UNTIL;
  const secrets: SlackSecrets = {
    signingSecret: config.SLACK_SIGNING_SECRET ?? '',
    botToken: config.SLACK_BOT_TOKEN ?? '',
    ...(config.SLACK_PREVIOUS_SIGNING_SECRET && until
      ? {
          previousSigningSecret: config.SLACK_PREVIOUS_SIGNING_SECRET,
          previousSigningSecretUntil: Math.floor(Date.parse(until) / 1000),
        }
      : {}),
  };
  if (!secrets.botToken) {
    throw new GofnError(
      ErrorCode.InvalidInput,
      'Configuration SLACK_BOT_TOKEN: set it with SLACK_SIGNING_SECRET, or set SLACK_SECRET_ARN.',
    );
  }
  return async () => secrets;
}
