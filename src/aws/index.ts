import type { Sources } from '../ports';
import { createAwsClients, type AwsClientOptions, type AwsClients } from './clients';
import { CloudWatchMetrics } from './cloudwatch-metrics';
import { CodeDeployDeploys } from './codedeploy-deploys';
import { InsightsColdStarts } from './insights-cold-starts';
import { LambdaFunctions } from './lambda-functions';
import { SqsQueues } from './sqs-queues';
import { XRayTraces } from './xray-traces';

export { createAwsClients, type AwsClientOptions, type AwsClients } from './clients';
export { callAws, type AwsCall } from './call';
export { toGofnAwsError } from './errors';
export { managedTag } from './lambda-functions';
export type { AwsServiceName } from './services';
export { CloudWatchMetrics, CodeDeployDeploys, InsightsColdStarts, LambdaFunctions, SqsQueues, XRayTraces };
export { CloudWatchAlarms } from './cloudwatch-alarms';
export { CloudWatchCharts } from './cloudwatch-charts';
export { CodeDeployControl } from './codedeploy-control';
export { createControlPorts } from './control-ports';
export { DynamoRecordStore } from './dynamo-record-store';
export { LambdaControl } from './lambda-control';
export { LambdaJobQueue } from './lambda-job-queue';
export { slackSecretsFromSecretsManager, type SlackCredentials } from './slack-secrets';
export { SqsControl } from './sqs-control';
export { stackOutput } from './stack-outputs';
export { S3ProfileStore } from './s3-profile-store';
export { SsmProfileFlags } from './ssm-profile-flags';

export interface AwsSourcesOptions extends AwsClientOptions {
  /** Share clients (and their connections) with other code; created from the options otherwise. */
  clients?: AwsClients;
}

/**
 * The ports over the live AWS account (or the emulator) the standard SDK environment points at.
 * `region` is the explicit option, else AWS_REGION, else (filled in shortly after) the profile's;
 * `loadAwsSources` waits for the SDK's answer instead.
 */
export function createAwsSources(options: AwsSourcesOptions = {}): Sources {
  const { clients: shared, ...clientOptions } = options;
  const clients = shared ?? createAwsClients(clientOptions);
  const known = clients.settings.region ?? process.env.AWS_REGION;
  const sources = sourcesOver(clients, known ?? '');
  if (!known) {
    // The profile's region is only readable asynchronously; fill it in when the SDK has it (long
    // before a diagnosis finishes), and leave it empty when there is none (the calls will say so).
    clients.resolveRegion().then(
      (region) => (sources.region = region),
      () => undefined,
    );
  }
  return sources;
}

/** Like `createAwsSources`, with the region resolved through the SDK's chain (profile included). */
export async function loadAwsSources(options: AwsSourcesOptions = {}): Promise<Sources> {
  const { clients: shared, ...clientOptions } = options;
  const clients = shared ?? createAwsClients(clientOptions);
  return sourcesOver(clients, await clients.resolveRegion());
}

function sourcesOver(clients: AwsClients, region: string): Sources {
  return {
    kind: 'aws',
    region,
    functions: new LambdaFunctions(clients),
    metrics: new CloudWatchMetrics(clients),
    logs: new InsightsColdStarts(clients),
    traces: new XRayTraces(clients),
    deploys: new CodeDeployDeploys(clients),
    queues: new SqsQueues(clients),
  };
}
