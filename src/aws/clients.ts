import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import { XRayClient } from '@aws-sdk/client-xray';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { ErrorCode, GofnError } from '../errors';
import { countAttempts, type MiddlewareStackLike } from './attempt-counter';
import type { AwsServiceName } from './services';

export interface AwsClientOptions {
  /**
   * Region of every client. Default: the SDK's own chain (AWS_REGION, then the region of the
   * AWS_PROFILE profile in the shared config file).
   */
  region?: string;
  /** Per attempt: how long the whole HTTP request may take. Default 10 000 ms. */
  requestTimeoutMs?: number;
  /** Per attempt: how long opening the connection may take. Default 3 000 ms. */
  connectionTimeoutMs?: number;
  /** Attempts per call including the first, 1 to 10. Default 3. */
  maxAttempts?: number;
  /** `standard` (default) or `adaptive`, which also slows the client down after throttling. */
  retryMode?: 'standard' | 'adaptive';
  /** Per call, all attempts and back-off included: the deadline `callAws` puts on a call. Default 20 000 ms. */
  callTimeoutMs?: number;
}

export type AwsClientSettings = Required<Omit<AwsClientOptions, 'region'>> & { region: string | undefined };

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
  /** The region the clients use, as the SDK resolved it. NoCredentials when there is none. */
  resolveRegion(): Promise<string>;
  /** Closes the sockets of the clients created so far. */
  destroy(): void;
}

const defaults = {
  requestTimeoutMs: 10_000,
  connectionTimeoutMs: 3_000,
  maxAttempts: 3,
  retryMode: 'standard',
  callTimeoutMs: 20_000,
} as const;

export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  return new LazyAwsClients(resolveSettings(options));
}

function resolveSettings(options: AwsClientOptions): AwsClientSettings {
  const known = new Set(['region', ...Object.keys(defaults)]);
  const unknown = Object.keys(options).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    throw new GofnError(ErrorCode.InvalidInput, `Unknown AWS client option ${unknown.join(', ')}.`);
  }
  const settings: AwsClientSettings = {
    region: options.region,
    requestTimeoutMs: options.requestTimeoutMs ?? defaults.requestTimeoutMs,
    connectionTimeoutMs: options.connectionTimeoutMs ?? defaults.connectionTimeoutMs,
    maxAttempts: options.maxAttempts ?? defaults.maxAttempts,
    retryMode: options.retryMode ?? defaults.retryMode,
    callTimeoutMs: options.callTimeoutMs ?? defaults.callTimeoutMs,
  };
  if (!Number.isInteger(settings.maxAttempts) || settings.maxAttempts < 1 || settings.maxAttempts > 10) {
    throw new GofnError(
      ErrorCode.InvalidInput,
      `maxAttempts must be a whole number from 1 to 10, not ${settings.maxAttempts}.`,
    );
  }
  for (const key of ['requestTimeoutMs', 'connectionTimeoutMs', 'callTimeoutMs'] as const) {
    if (!(settings[key] > 0))
      throw new GofnError(ErrorCode.InvalidInput, `${key} must be positive, not ${settings[key]}.`);
  }
  if (settings.retryMode !== 'standard' && settings.retryMode !== 'adaptive') {
    throw new GofnError(
      ErrorCode.InvalidInput,
      `retryMode must be standard or adaptive, not ${String(settings.retryMode)}.`,
    );
  }
  return settings;
}

/** Configuration every client shares; only what is set here overrides the SDK's environment. */
interface SharedClientConfig {
  region?: string;
  maxAttempts: number;
  retryMode: string;
  requestHandler: NodeHttpHandler;
}

interface Destroyable {
  destroy(): void;
}

class LazyAwsClients implements AwsClients {
  private readonly created: Destroyable[] = [];
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

  constructor(readonly settings: AwsClientSettings) {}

  get lambda(): LambdaClient {
    return (this.lambdaClient ??= this.register('Lambda', new LambdaClient(this.config())));
  }
  get cloudWatch(): CloudWatchClient {
    return (this.cloudWatchClient ??= this.register('CloudWatch', new CloudWatchClient(this.config())));
  }
  get logs(): CloudWatchLogsClient {
    return (this.logsClient ??= this.register('CloudWatchLogs', new CloudWatchLogsClient(this.config())));
  }
  get xray(): XRayClient {
    return (this.xrayClient ??= this.register('XRay', new XRayClient(this.config())));
  }
  get codeDeploy(): CodeDeployClient {
    return (this.codeDeployClient ??= this.register('CodeDeploy', new CodeDeployClient(this.config())));
  }
  get sqs(): SQSClient {
    // Queue URLs are built from ARNs with the public SQS host. Without this the SDK would send the
    // request to that host instead of the configured endpoint (AWS_ENDPOINT_URL, the emulator).
    return (this.sqsClient ??= this.register('SQS', new SQSClient({ ...this.config(), useQueueUrlAsEndpoint: false })));
  }
  get tagging(): ResourceGroupsTaggingAPIClient {
    return (this.taggingClient ??= this.register(
      'ResourceGroupsTaggingAPI',
      new ResourceGroupsTaggingAPIClient(this.config()),
    ));
  }
  get sts(): STSClient {
    return (this.stsClient ??= this.register('STS', new STSClient(this.config())));
  }
  get dynamodb(): DynamoDBClient {
    return (this.dynamodbClient ??= this.register('DynamoDB', new DynamoDBClient(this.config())));
  }
  get secretsManager(): SecretsManagerClient {
    return (this.secretsManagerClient ??= this.register('SecretsManager', new SecretsManagerClient(this.config())));
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
    for (const client of this.created.splice(0)) client.destroy();
  }

  private register<C extends Destroyable, Args, Result>(
    service: AwsServiceName,
    client: C & { middlewareStack: MiddlewareStackLike<Args, Result> },
  ): C {
    countAttempts(client.middlewareStack, service);
    this.created.push(client);
    return client;
  }

  private config(): SharedClientConfig {
    const config: SharedClientConfig = {
      maxAttempts: this.settings.maxAttempts,
      retryMode: this.settings.retryMode,
      requestHandler: new NodeHttpHandler({
        connectionTimeout: this.settings.connectionTimeoutMs,
        requestTimeout: this.settings.requestTimeoutMs,
        // Without it a request past requestTimeout only logs a warning and keeps waiting.
        throwOnRequestTimeout: true,
      }),
    };
    // An explicit `region: undefined` would hide the SDK's own region chain.
    if (this.settings.region) config.region = this.settings.region;
    return config;
  }
}

function noRegion(cause: unknown): GofnError {
  return new GofnError(ErrorCode.NoCredentials, 'No AWS region is configured.', {
    cause,
    hint: 'Set AWS_REGION, choose a profile with a region (AWS_PROFILE), or pass a region.',
  });
}
