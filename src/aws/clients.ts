import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { ComputeOptimizerClient } from '@aws-sdk/client-compute-optimizer';
import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { XRayClient } from '@aws-sdk/client-xray';
import { ErrorCode, GofnError } from '../errors';
import { ClientRegistry, resolveSettings, type AwsClientOptions, type AwsClientSettings } from './client-config';

export type { AwsClientOptions, AwsClientSettings, AwsCredentials } from './client-config';

/**
 * The SDK clients gofn uses, each created on first use and then shared. Endpoints, credentials and
 * profiles come from the standard SDK environment (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL,
 * AWS_ENDPOINT_URL_<SERVICE>, ...), which the SDK reads itself.
 */
export interface AwsClients {
  readonly settings: AwsClientSettings;
  readonly lambda: LambdaClient;
  readonly cloudWatch: CloudWatchClient;
  readonly logs: CloudWatchLogsClient;
  readonly xray: XRayClient;
  readonly codeDeploy: CodeDeployClient;
  readonly sqs: SQSClient;
  readonly tagging: ResourceGroupsTaggingAPIClient;
  readonly sts: STSClient;
  /** gofn's own table (threads, audit, claims); wrap it in lib-dynamodb's document client. */
  readonly dynamodb: DynamoDBClient;
  readonly secretsManager: SecretsManagerClient;
  /** The deployed bot stack's outputs, for the CLI to find gofn's table. */
  readonly cloudFormation: CloudFormationClient;
  /** Billed cost (`gofn cost`); Cost Explorer's endpoint is global, in the partition's billing region. */
  readonly costExplorer: CostExplorerClient;
  /** Memory recommendations (`gofn cost`). */
  readonly computeOptimizer: ComputeOptimizerClient;
  /** The profiling flags (`gofn profile`). */
  readonly ssm: SSMClient;
  /** The profiles bucket. */
  readonly s3: S3Client;
  /** The region the clients use, as the SDK resolved it. NoCredentials when there is none. */
  resolveRegion(): Promise<string>;
  /** Closes the sockets of the clients created so far. */
  destroy(): void;
}

export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  return new LazyAwsClients(resolveSettings(options));
}

class LazyAwsClients implements AwsClients {
  private readonly registry: ClientRegistry;
  private lambdaClient?: LambdaClient;
  private cloudWatchClient?: CloudWatchClient;
  private logsClient?: CloudWatchLogsClient;
  private xrayClient?: XRayClient;
  private codeDeployClient?: CodeDeployClient;
  private sqsClient?: SQSClient;
  private taggingClient?: ResourceGroupsTaggingAPIClient;
  private stsClient?: STSClient;
  private dynamodbClient?: DynamoDBClient;
  private secretsManagerClient?: SecretsManagerClient;
  private cloudFormationClient?: CloudFormationClient;
  private costExplorerClient?: CostExplorerClient;
  private computeOptimizerClient?: ComputeOptimizerClient;
  private ssmClient?: SSMClient;
  private s3Client?: S3Client;

  constructor(readonly settings: AwsClientSettings) {
    this.registry = new ClientRegistry(settings);
  }

  get lambda(): LambdaClient {
    return (this.lambdaClient ??= this.registry.make('Lambda', (config) => new LambdaClient(config)));
  }
  get cloudWatch(): CloudWatchClient {
    return (this.cloudWatchClient ??= this.registry.make('CloudWatch', (config) => new CloudWatchClient(config)));
  }
  get logs(): CloudWatchLogsClient {
    return (this.logsClient ??= this.registry.make('CloudWatchLogs', (config) => new CloudWatchLogsClient(config)));
  }
  get xray(): XRayClient {
    return (this.xrayClient ??= this.registry.make('XRay', (config) => new XRayClient(config)));
  }
  get codeDeploy(): CodeDeployClient {
    return (this.codeDeployClient ??= this.registry.make('CodeDeploy', (config) => new CodeDeployClient(config)));
  }
  get sqs(): SQSClient {
    // Queue URLs are built from ARNs with the public SQS host. Without this the SDK would send the
    // request to that host instead of the configured endpoint (AWS_ENDPOINT_URL, the emulator).
    return (this.sqsClient ??= this.registry.make(
      'SQS',
      (config) => new SQSClient({ ...config, useQueueUrlAsEndpoint: false }),
    ));
  }
  get tagging(): ResourceGroupsTaggingAPIClient {
    return (this.taggingClient ??= this.registry.make(
      'ResourceGroupsTaggingAPI',
      (config) => new ResourceGroupsTaggingAPIClient(config),
    ));
  }
  get sts(): STSClient {
    return (this.stsClient ??= this.registry.make('STS', (config) => new STSClient(config)));
  }
  get dynamodb(): DynamoDBClient {
    return (this.dynamodbClient ??= this.registry.make('DynamoDB', (config) => new DynamoDBClient(config)));
  }
  get secretsManager(): SecretsManagerClient {
    return (this.secretsManagerClient ??= this.registry.make(
      'SecretsManager',
      (config) => new SecretsManagerClient(config),
    ));
  }

  get cloudFormation(): CloudFormationClient {
    return (this.cloudFormationClient ??= this.registry.make(
      'CloudFormation',
      (config) => new CloudFormationClient(config),
    ));
  }
  get ssm(): SSMClient {
    return (this.ssmClient ??= this.registry.make('SSM', (config) => new SSMClient(config)));
  }
  get s3(): S3Client {
    // An endpoint override (the emulator, an S3-compatible store) is addressed path-style:
    // bucket.127.0.0.1 is no host name.
    const overridden = Boolean(process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL);
    return (this.s3Client ??= this.registry.make(
      'S3',
      (config) => new S3Client({ ...config, forcePathStyle: overridden }),
    ));
  }

  get costExplorer(): CostExplorerClient {
    return (this.costExplorerClient ??= this.registry.make(
      'CostExplorer',
      (config) => new CostExplorerClient({ ...config, region: costExplorerRegion(config.region) }),
    ));
  }

  get computeOptimizer(): ComputeOptimizerClient {
    return (this.computeOptimizerClient ??= this.registry.make(
      'ComputeOptimizer',
      (config) => new ComputeOptimizerClient(config),
    ));
  }

  async resolveRegion(): Promise<string> {
    try {
      const region = await this.sts.config.region();
      if (region) return region;
    } catch (error) {
      throw noRegion(error);
    }
    throw noRegion(undefined);
  }

  destroy(): void {
    this.registry.destroy();
  }
}

/**
 * Cost Explorer answers for the whole account from one endpoint per partition (ce.us-east-1 for
 * the commercial partition, ce.cn-northwest-1 in China), whatever region the usage is in; the
 * region to report on is a filter of the request.
 */
export function costExplorerRegion(region: string | undefined): string {
  return region?.startsWith('cn-') ? 'cn-northwest-1' : 'us-east-1';
}

function noRegion(cause: unknown): GofnError {
  return new GofnError(ErrorCode.NoCredentials, 'No AWS region is configured.', {
    cause,
    hint: 'Set AWS_REGION, choose a profile with a region (AWS_PROFILE), or pass a region.',
  });
}
