import { loadConfig } from '../config';
import { describeError, ErrorCode, GofnError } from '../errors';
import { openWorld } from '../cli/world';
import { loadRunbook } from '../runbook/loader';
import { createSlackApp } from '../slack/app';
import { SlackOut } from '../slack/out';
import { socketModeReceiver } from '../slack/socket-mode';
import { createWorker } from '../slack/worker';
import { createLambdaLog } from './log';
import { workerSettings } from './settings';

/**
 * The Slack credentials local development needs, asked for by name before the general
 * configuration, whose message speaks of production's secret ARN.
 */
function devCredentials(env: NodeJS.ProcessEnv) {
  const { SLACK_APP_TOKEN: appToken, SLACK_BOT_TOKEN: botToken, SLACK_SIGNING_SECRET: signingSecret } = env;
  if (appToken && botToken && signingSecret) return { appToken, botToken, signingSecret };
  const missing = Object.entries({
    SLACK_APP_TOKEN: appToken,
    SLACK_BOT_TOKEN: botToken,
    SLACK_SIGNING_SECRET: signingSecret,
  })
    .filter(([, value]) => !value)
    .map(([name]) => name);
  throw new GofnError(
    ErrorCode.InvalidInput,
    `npm run dev needs SLACK_APP_TOKEN (xapp-…), SLACK_BOT_TOKEN (xoxb-…) and SLACK_SIGNING_SECRET; ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set`,
    { hint: 'The README\'s "Slack" section says where to find each.' },
  );
}

/**
 * `npm run dev`: the Slack app over Socket Mode against a real workspace, with the worker in
 * this process instead of a second Lambda. No public URL is needed. AWS comes from the standard
 * SDK environment, or a simulated fleet when GOFN_SCENARIO names scenario files or directories.
 */
async function main(): Promise<void> {
  const { appToken, botToken, signingSecret } = devCredentials(process.env);
  const config = loadConfig();
  const secrets = [appToken, botToken, signingSecret];
  const log = createLambdaLog('gofn-dev', () => secrets);
  const scenario = process.env.GOFN_SCENARIO?.split(',').filter(Boolean);
  const world = await openWorld({ scenario, table: config.TABLE_NAME, needsTable: false, env: process.env });
  const clientOptions = { slackApiUrl: config.SLACK_API_URL };
  const worker = createWorker({
    ...world,
    chart: undefined,
    runbook: await loadRunbook(),
    slack: new SlackOut({ botToken, clientOptions, log }),
    signingSecret,
    settings: workerSettings(config),
    log,
  });
  const receiver = socketModeReceiver(appToken);
  const app = createSlackApp({
    receiver,
    botToken,
    signingSecret,
    clientOptions,
    log,
    defaultWindow: config.GOFN_WINDOW,
    jobs: {
      // In-process hand-off: the listener acks first, the job runs right after.
      enqueue: async (job) => {
        setImmediate(() => {
          worker
            .runJob(job as Parameters<typeof worker.runJob>[0])
            .catch((error: unknown) => log.error('job failed', { error }));
        });
      },
    },
  });
  await app.start();
  process.stderr.write(
    `gofn is connected over Socket Mode (${world.simulated ? 'simulated fleet' : 'AWS'}); try /gofn help in Slack.\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`gofn dev: ${describeError(error)}\n`);
  process.exit(1);
});
