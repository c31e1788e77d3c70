import { loadConfig } from '../config';
import { openWorld } from '../cli/world';
import { loadRunbook } from '../runbook/loader';
import { createSlackApp } from '../slack/app';
import { SlackOut } from '../slack/out';
import { socketModeReceiver } from '../slack/socket-mode';
import { createWorker } from '../slack/worker';
import { createLambdaLog } from './log';
import { workerSettings } from './settings';

/**
 * `npm run dev`: the Slack app over Socket Mode against a real workspace, with the worker in
 * this process instead of a second Lambda. No public URL is needed. AWS comes from the standard
 * SDK environment, or a simulated fleet when GOFN_SCENARIO names scenario files or directories.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.SLACK_APP_TOKEN || !config.SLACK_BOT_TOKEN || !config.SLACK_SIGNING_SECRET) {
    throw new Error(
      'npm run dev needs SLACK_APP_TOKEN (xapp-…), SLACK_BOT_TOKEN (xoxb-…) and SLACK_SIGNING_SECRET; see the README.',
    );
  }
  const secrets = [config.SLACK_APP_TOKEN, config.SLACK_BOT_TOKEN, config.SLACK_SIGNING_SECRET];
  const log = createLambdaLog('gofn-dev', () => secrets);
  const scenario = process.env.GOFN_SCENARIO?.split(',').filter(Boolean);
  const world = await openWorld({ scenario, table: config.TABLE_NAME, needsTable: false, env: process.env });
  const clientOptions = { slackApiUrl: config.SLACK_API_URL };
  const worker = createWorker({
    ...world,
    chart: undefined,
    runbook: await loadRunbook(),
    slack: new SlackOut({ botToken: config.SLACK_BOT_TOKEN, clientOptions, log }),
    signingSecret: config.SLACK_SIGNING_SECRET,
    settings: workerSettings(config),
    log,
  });
  const receiver = socketModeReceiver(config.SLACK_APP_TOKEN);
  const app = createSlackApp({
    receiver,
    botToken: config.SLACK_BOT_TOKEN,
    signingSecret: config.SLACK_SIGNING_SECRET,
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
  process.stderr.write(`gofn dev: ${(error as Error).message}\n`);
  process.exit(1);
});
