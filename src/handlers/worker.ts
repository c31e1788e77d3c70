import type { Context } from 'aws-lambda';
import {
  CloudWatchAlarms,
  CloudWatchCharts,
  createAwsClients,
  createAwsSources,
  createControlPorts,
  DynamoRecordStore,
} from '../aws/index';
import { createAwsTargets, type AwsTargetSet } from '../aws/accounts';
import { loadConfig } from '../config';
import { loadRunbook } from '../runbook/loader';
import { httpsFetch } from '../slack/https-fetch';
import { tokenKeys, type SlackSecrets } from '../slack/ingress';
import { jobSchema } from '../slack/jobs';
import { SlackOut } from '../slack/out';
import { createWorker, isHandedBack, type Worker } from '../slack/worker';
import { createLambdaLog } from './log';
import { workerSettings } from './settings';
import { slackSecretsProvider } from './secrets';
import { isSnsEvent } from './sns';

/**
 * Lambda entry point for the slow work: jobs from the ingress (async invoke) and CloudWatch
 * alarm notifications (SNS). Clients and the runbook load once per execution environment.
 */
const config = loadConfig();
const clients = createAwsClients();
let known: SlackSecrets | undefined;
const log = createLambdaLog('gofn-worker', () => (known ? [known.signingSecret, known.botToken] : []));
const secrets = slackSecretsProvider(config, clients);
const runbook = loadRunbook();
let built: { worker: Worker; secrets: SlackSecrets } | undefined;
// The configured accounts and regions (GOFN_TARGETS): their clients and assumed-role credentials
// outlive one job, so an account's role is assumed once an hour, not once a job.
let targets: Promise<AwsTargetSet> | undefined;

async function workerFor(): Promise<Worker> {
  known = await secrets();
  if (built && built.secrets === known) return built.worker;
  if (!config.TABLE_NAME) throw new Error('TABLE_NAME is not set');
  targets ??= createAwsTargets({ config: config.GOFN_TARGETS, home: clients }).catch((error: unknown) => {
    targets = undefined;
    throw error;
  });
  const worker = createWorker({
    targets: await targets,
    sources: createAwsSources({ clients }),
    control: createControlPorts(clients),
    store: new DynamoRecordStore(clients, config.TABLE_NAME),
    chart: new CloudWatchCharts(clients),
    alarms: new CloudWatchAlarms(clients),
    runbook: await runbook,
    slack: new SlackOut({
      botToken: known.botToken,
      // Not Node's fetch: its first request costs the worker about 29 MB of peak memory (see https-fetch).
      clientOptions: { slackApiUrl: config.SLACK_API_URL, fetch: httpsFetch },
      log,
    }),
    signingSecret: tokenKeys(known),
    settings: workerSettings(config),
    log,
  });
  built = { worker, secrets: known };
  return worker;
}

export async function handler(event: unknown, context?: Context): Promise<void> {
  const worker = await workerFor();
  // The request ID lets Lambda's retry of a failed attempt take over the claims it left.
  const time = () => ({ remainingMs: context?.getRemainingTimeInMillis(), requestId: context?.awsRequestId });
  if (isSnsEvent(event)) {
    let handedBack: unknown;
    for (const record of event.Records) {
      try {
        await worker.handleAlarm({ messageId: record.Sns.MessageId, message: record.Sns.Message }, time());
      } catch (error) {
        // One bad record must not make SNS redeliver the others; the failure is logged. A record
        // left for lack of time, or whose thread Slack would not open, is the exception: failing
        // the invocation makes Lambda retry it.
        log.error('an alarm notification failed', { messageId: record.Sns.MessageId, error });
        if (isHandedBack(error)) handedBack = error;
      }
    }
    if (handedBack) throw handedBack;
    return;
  }
  const job = jobSchema.safeParse(event);
  if (!job.success) {
    log.warn('dropped an event that is neither a job nor an SNS notification');
    return;
  }
  await worker.runJob(job.data, time());
}
