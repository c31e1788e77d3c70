import { createIngressClients, LambdaJobQueue } from '../aws/ingress';
import { loadConfig } from '../config';
import { createIngress, type SlackSecrets } from '../slack/ingress';
import { createLambdaLog } from './log';
import { slackSecretsProvider } from './secrets';

/**
 * Lambda entry point behind the Function URL Slack calls. Built once per execution environment;
 * per request it only verifies, acks and hands off (see src/slack/ingress.ts).
 */
const config = loadConfig();
const clients = createIngressClients({ callTimeoutMs: 1500, maxAttempts: 2 });
let known: SlackSecrets | undefined;
const log = createLambdaLog('gofn-ingress', () => (known ? [known.signingSecret, known.botToken] : []));
const secrets = slackSecretsProvider(config, clients);

export const handler = createIngress({
  secrets: async () => (known = await secrets()),
  jobs: new LambdaJobQueue(clients, config.WORKER_FUNCTION_NAME ?? ''),
  clientOptions: { slackApiUrl: config.SLACK_API_URL },
  log,
  defaultWindow: config.GOFN_WINDOW,
});
