/**
 * Simulated AWS below the adapters: the SDK clients `createAwsClients()` makes, each stubbed with
 * aws-sdk-client-mock so that every command waits its simulated latency and answers like the AWS
 * API reference (the shapes of test/aws/*.test.ts). The adapters, the engine and the fleet
 * overview run unchanged on top, so what a benchmark times is their orchestration.
 *
 * The stubs replace `client.send`, so the SDK's middleware (and gofn's attempt counter in it)
 * does not run: requests are counted here, per "Service:Operation", when they are sent.
 */
import {
  GetMetricDataCommand,
  GetMetricWidgetImageCommand,
  type GetMetricDataCommandInput,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import {
  GetQueryResultsCommand,
  StartQueryCommand,
  StopQueryCommand,
  type GetQueryResultsCommandInput,
  type ResultField,
  type StartQueryCommandInput,
} from '@aws-sdk/client-cloudwatch-logs';
import { GetLambdaFunctionRecommendationsCommand } from '@aws-sdk/client-compute-optimizer';
import { GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import {
  BatchGetDeploymentsCommand,
  BatchGetDeploymentTargetsCommand,
  ListDeploymentsCommand,
  type BatchGetDeploymentsCommandInput,
  type BatchGetDeploymentTargetsCommandInput,
} from '@aws-sdk/client-codedeploy';
import {
  GetAccountSettingsCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionEventInvokeConfigCommand,
  InvokeCommand,
  ListEventSourceMappingsCommand,
  ListFunctionsCommand,
  ListProvisionedConcurrencyConfigsCommand,
  ResourceNotFoundException,
  type GetFunctionCommandInput,
  type GetFunctionConcurrencyCommandInput,
  type ListFunctionsCommandInput,
  type ListProvisionedConcurrencyConfigsCommandInput,
} from '@aws-sdk/client-lambda';
import { GetResourcesCommand, type GetResourcesCommandInput } from '@aws-sdk/client-resource-groups-tagging-api';
import { GetQueueAttributesCommand, type GetQueueAttributesCommandInput } from '@aws-sdk/client-sqs';
import {
  BatchGetTracesCommand,
  GetServiceGraphCommand,
  GetTraceSummariesCommand,
  type BatchGetTracesCommandInput,
  type GetServiceGraphCommandInput,
  type GetTraceSummariesCommandInput,
  type TraceSummary,
} from '@aws-sdk/client-xray';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsClients, createAwsSources, type AwsClients } from '../src/aws/index';
import type { Sources } from '../src/ports';
import { nowMs, sleep } from './stats';

/** Simulated round trip per operation ("Service:Operation") or per service ("Service"), in ms. */
export type LatencyTable = Record<string, number>;

/** The latencies the issue names, and plausible ones for the operations it does not. */
export const defaultLatency: LatencyTable = {
  // Lambda control plane: GetFunction, ListEventSourceMappings, GetAccountSettings, ...
  Lambda: 120,
  'CloudWatch:GetMetricData': 300,
  'CloudWatch:GetMetricWidgetImage': 300,
  // StartQuery and GetQueryResults are quick; the query itself completes `queryRunsMs` after StartQuery.
  CloudWatchLogs: 100,
  'XRay:GetTraceSummaries': 400,
  'XRay:BatchGetTraces': 250,
  'XRay:GetServiceGraph': 300,
  CodeDeploy: 150,
  SQS: 50,
  'ResourceGroupsTaggingAPI:GetResources': 150,
  ComputeOptimizer: 250,
  'CostExplorer:GetCostAndUsage': 400,
};

/** A Logs Insights query answers Complete once this long has passed since StartQuery was sent. */
export const defaultQueryRunsMs = 2000;

export const region = 'eu-west-1';
export const accountId = '123456789012';
export const functionName = 'orders-api';
const fnArn = `arn:aws:lambda:${region}:${accountId}:function:${functionName}`;
const sourceQueueArn = `arn:aws:sqs:${region}:${accountId}:orders-queue`;
const dlqArn = `arn:aws:sqs:${region}:${accountId}:orders-dlq`;

export interface SimOptions {
  latency?: LatencyTable;
  /** Managed functions the tagging API lists, 100 a page. Default 0. */
  fleetSize?: number;
  /** Whether the diagnosed function is tagged gofn:managed=true. Default true. */
  managed?: boolean;
  /** How long a Logs Insights query runs. Default 2 s. */
  queryRunsMs?: number;
  /** Whether alias `live` is in the middle of a canary (v42 stable, 10% on v43). Default false. */
  canary?: boolean;
  /** Every n-th function of the fleet serves requests from provisioned concurrency on live. Default 100. */
  provisionedEvery?: number;
  /**
   * Awaited before each request is sent, as the SDK resolves credentials before signing: an
   * assumed-role credential provider makes the first request of an account wait for AssumeRole.
   */
  beforeRequest?: () => Promise<unknown>;
  /**
   * The services stubbed (default all). A stub builds its SDK client, so a memory benchmark stubs
   * only what the code it measures calls: a call to another fails loudly instead of being answered.
   */
  services?: readonly SimService[];
}

const SIM_SERVICES = ['lambda', 'cloudwatch', 'logs', 'xray', 'codedeploy', 'sqs', 'tagging', 'billing'] as const;
export type SimService = (typeof SIM_SERVICES)[number];

interface OperationStats {
  count: number;
  inFlight: number;
  peakInFlight: number;
  /** Send times (ms), for the rate check. */
  sentAt: number[];
}

/**
 * The worst realistic case for the request count: an SQS-triggered function with reserved
 * concurrency that is saturated and throttling, 5% errors (so error traces are sampled, over two
 * pages of trace summaries), a CodeDeploy deployment 40 minutes ago (tag gofn:deployment-group)
 * whose revision is in S3 (so its versions come from its target), and messages waiting in the DLQ
 * of its source queue. With `canary`, the alias also sends 10% to v43.
 */
export class SimulatedAws {
  readonly clients: AwsClients;
  readonly latency: LatencyTable;
  readonly queryRunsMs: number;
  private readonly stats = new Map<string, OperationStats>();
  private readonly queries = new Map<
    string,
    { startedAt: number; binMinutes: number; start: number; end: number; logGroups: string[]; byLog: boolean }
  >();
  private readonly mocks: { resetHistory(): void; restore(): void }[] = [];
  private readonly fleetSize: number;
  private readonly managed: boolean;
  private readonly canary: boolean;
  private readonly provisionedEvery: number;
  private readonly beforeRequest: (() => Promise<unknown>) | undefined;
  private metricQueryIds: string[] = [];

  constructor(options: SimOptions = {}) {
    this.latency = { ...defaultLatency, ...options.latency };
    this.queryRunsMs = options.queryRunsMs ?? defaultQueryRunsMs;
    this.fleetSize = options.fleetSize ?? 0;
    this.managed = options.managed ?? true;
    this.canary = options.canary ?? false;
    this.provisionedEvery = options.provisionedEvery ?? 100;
    this.beforeRequest = options.beforeRequest;
    this.clients = createAwsClients({ region, maxAttempts: 1 });
    const stubs: Record<SimService, () => void> = {
      lambda: () => this.stubLambda(),
      cloudwatch: () => this.stubCloudWatch(),
      logs: () => this.stubLogs(),
      xray: () => this.stubXRay(),
      codedeploy: () => this.stubCodeDeploy(),
      sqs: () => this.stubSqs(),
      tagging: () => this.stubTagging(),
      billing: () => this.stubBilling(),
    };
    for (const service of options.services ?? SIM_SERVICES) stubs[service]();
  }

  /** The ports over the stubbed clients, as the worker and the CLI build them. */
  sources(): Sources {
    return createAwsSources({ clients: this.clients });
  }

  latencyOf(operation: string): number {
    return this.latency[operation] ?? this.latency[operation.split(':')[0]!] ?? 0;
  }

  /** Requests sent since the last reset, per "Service:Operation". */
  counts(): Record<string, number> {
    return Object.fromEntries(
      [...this.stats.entries()].filter(([, s]) => s.count > 0).map(([op, s]) => [op, s.count] as const),
    );
  }

  total(except: string[] = []): number {
    let n = 0;
    for (const [op, s] of this.stats) if (!except.includes(op)) n += s.count;
    return n;
  }

  /** When each request of `operation` was sent (ms on the `nowMs` clock). */
  sentTimes(operation: string): number[] {
    return [...(this.stats.get(operation)?.sentAt ?? [])];
  }

  peakInFlight(operation: string): number {
    return this.stats.get(operation)?.peakInFlight ?? 0;
  }

  /** The most requests of `operation` sent within any one second. */
  peakPerSecond(operation: string): number {
    const sent = this.stats.get(operation)?.sentAt ?? [];
    let peak = 0;
    let first = 0;
    for (let last = 0; last < sent.length; last++) {
      while (sent[last]! - sent[first]! >= 1000) first++;
      peak = Math.max(peak, last - first + 1);
    }
    return peak;
  }

  /** When the Logs Insights query answers Complete (ms on the `nowMs` clock). */
  queryCompletesAt(queryId: string): number {
    const query = this.queries.get(queryId);
    if (!query) throw new Error(`no query ${queryId}`);
    return query.startedAt + this.queryRunsMs;
  }

  /** The query ids of the last GetMetricData request. */
  lastMetricQueryIds(): string[] {
    return [...this.metricQueryIds];
  }

  reset(): void {
    this.stats.clear();
    this.queries.clear();
  }

  destroy(): void {
    for (const mock of this.mocks.splice(0)) mock.restore();
    this.clients.destroy();
  }

  /** Counts the request, waits its latency, then answers (so an answer reflects the time it is given). */
  private async respond<T>(operation: string, answer: () => T): Promise<T> {
    if (this.beforeRequest) await this.beforeRequest();
    let s = this.stats.get(operation);
    if (!s) this.stats.set(operation, (s = { count: 0, inFlight: 0, peakInFlight: 0, sentAt: [] }));
    s.count += 1;
    s.sentAt.push(nowMs());
    s.inFlight += 1;
    s.peakInFlight = Math.max(s.peakInFlight, s.inFlight);
    try {
      const ms = this.latencyOf(operation);
      if (ms > 0) await sleep(ms);
      return answer();
    } finally {
      s.inFlight -= 1;
      // Nothing reads sinon's call history (requests are counted above), and it would keep every
      // request and answer alive: memory the benchmarks would then charge to gofn.
      for (const mock of this.mocks) mock.resetHistory();
    }
  }

  private stubLambda(): void {
    const lambda = mockClient(this.clients.lambda);
    this.mocks.push(lambda);
    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
    lambda.on(GetFunctionCommand).callsFake((input: GetFunctionCommandInput) =>
      this.respond('Lambda:GetFunction', () => {
        if (input.FunctionName !== functionName) {
          throw new ResourceNotFoundException({
            message: `Function not found: ${fnArn.replace(functionName, String(input.FunctionName))}`,
            $metadata: { httpStatusCode: 404 },
          });
        }
        return {
          Configuration: {
            FunctionName: functionName,
            FunctionArn: `${fnArn}:42`,
            Runtime: 'provided.al2023',
            Handler: 'bootstrap',
            MemorySize: 512,
            Timeout: 15,
            LastModified: minutesAgo(40).toISOString().replace('Z', '+0000'),
            Version: '42',
            Architectures: ['arm64'],
            LoggingConfig: { LogFormat: 'Text', LogGroup: `/aws/lambda/${functionName}` },
            TracingConfig: { Mode: 'Active' },
            // GOMEMLIMIT is read from here: the memory step costs no request of its own.
            Environment: { Variables: { GOMEMLIMIT: '460MiB', LOG_LEVEL: 'info' } },
          },
          Code: { RepositoryType: 'S3', Location: 'https://example.invalid/code.zip' },
          Tags: {
            ...(this.managed ? { 'gofn:managed': 'true' } : {}),
            'gofn:deployment-group': 'orders/orders-api-live',
            team: 'orders',
          },
          // Qualified by the alias, GetFunction leaves Concurrency out: GetFunctionConcurrency has it.
        };
      }),
    );
    lambda.on(GetFunctionConcurrencyCommand).callsFake((input: GetFunctionConcurrencyCommandInput) =>
      this.respond('Lambda:GetFunctionConcurrency', () =>
        // The diagnosed function is saturated at its reservation; the fleet's have none.
        input.FunctionName === functionName ? { ReservedConcurrentExecutions: 50 } : {},
      ),
    );
    lambda.on(GetAliasCommand).callsFake(() =>
      this.respond('Lambda:GetAlias', () => ({
        AliasArn: `${fnArn}:live`,
        Name: 'live',
        FunctionVersion: '42',
        ...(this.canary ? { RoutingConfig: { AdditionalVersionWeights: { '43': 0.1 } } } : {}),
        RevisionId: '4f2b8c1e-5d7a-4e3b-9c6f-0a1b2c3d4e5f',
      })),
    );
    lambda.on(ListEventSourceMappingsCommand).callsFake(() =>
      this.respond('Lambda:ListEventSourceMappings', () => ({
        EventSourceMappings: [
          { UUID: 'esm-1', EventSourceArn: sourceQueueArn, FunctionArn: fnArn, State: 'Enabled', BatchSize: 10 },
        ],
      })),
    );
    lambda.on(GetAccountSettingsCommand).callsFake(() =>
      this.respond('Lambda:GetAccountSettings', () => ({
        AccountLimit: { ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 400 },
        AccountUsage: { FunctionCount: 42 },
      })),
    );
    lambda.on(GetFunctionEventInvokeConfigCommand).callsFake(() =>
      this.respond('Lambda:GetFunctionEventInvokeConfig', () => {
        throw new ResourceNotFoundException({
          message: 'The function has no EventInvokeConfig.',
          $metadata: { httpStatusCode: 404 },
        });
      }),
    );
    lambda.on(ListFunctionsCommand).callsFake((input: ListFunctionsCommandInput) =>
      this.respond('Lambda:ListFunctions', () => {
        const from = input.Marker ? Number(input.Marker) : 0;
        const to = Math.min(this.fleetSize, from + (input.MaxItems ?? 50));
        return {
          Functions: Array.from({ length: to - from }, (_, i) => {
            const name = fleetFunctionName(from + i);
            return {
              FunctionName: name,
              FunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${name}`,
              Runtime: 'provided.al2023',
              MemorySize: 1024,
              Timeout: 10,
              Architectures: ['arm64'],
              LoggingConfig: { LogFormat: 'Text', LogGroup: `/aws/lambda/${name}` },
              TracingConfig: { Mode: 'Active' },
            };
          }),
          ...(to < this.fleetSize ? { NextMarker: String(to) } : {}),
        };
      }),
    );
    lambda
      .on(ListProvisionedConcurrencyConfigsCommand)
      .callsFake((input: ListProvisionedConcurrencyConfigsCommandInput) =>
        this.respond('Lambda:ListProvisionedConcurrencyConfigs', () => ({
          ProvisionedConcurrencyConfigs: this.hasProvisioned(input.FunctionName ?? '')
            ? [
                {
                  FunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${input.FunctionName}:live`,
                  AllocatedProvisionedConcurrentExecutions: 20,
                  RequestedProvisionedConcurrentExecutions: 20,
                  AvailableProvisionedConcurrentExecutions: 20,
                  Status: 'READY',
                  LastModified: new Date(Date.now() - 90 * 86_400_000).toISOString(),
                },
              ]
            : [],
        })),
      );
    lambda
      .on(InvokeCommand)
      .callsFake(() => this.respond('Lambda:Invoke', () => ({ StatusCode: 202, $metadata: { httpStatusCode: 202 } })));
  }

  private stubCloudWatch(): void {
    const cloudWatch = mockClient(this.clients.cloudWatch);
    this.mocks.push(cloudWatch);
    cloudWatch.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
      this.metricQueryIds = (input.MetricDataQueries ?? []).map((q) => q.Id ?? '');
      return this.respond('CloudWatch:GetMetricData', () => ({
        MetricDataResults: metricResults(input, (index) => index % this.provisionedEvery === 0),
        Messages: [],
      }));
    });
    // A 1×1 PNG: the worker attaches the widget image to its thread.
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
      'base64',
    );
    cloudWatch
      .on(GetMetricWidgetImageCommand)
      .callsFake(() => this.respond('CloudWatch:GetMetricWidgetImage', () => ({ MetricWidgetImage: png })));
  }

  private stubLogs(): void {
    const logs = mockClient(this.clients.logs);
    this.mocks.push(logs);
    let seq = 0;
    logs.on(StartQueryCommand).callsFake((input: StartQueryCommandInput) => {
      const queryId = `q-${++seq}`;
      const binMinutes = Number(/bin\((\d+)m\)/.exec(input.queryString ?? '')?.[1] ?? 1);
      this.queries.set(queryId, {
        startedAt: nowMs(),
        binMinutes,
        start: (input.startTime ?? 0) * 1000,
        end: (input.endTime ?? 0) * 1000,
        logGroups: input.logGroupNames ?? (input.logGroupName ? [input.logGroupName] : []),
        byLog: / by @log$/.test(input.queryString ?? ''),
      });
      return this.respond('CloudWatchLogs:StartQuery', () => ({ queryId }));
    });
    logs.on(GetQueryResultsCommand).callsFake((input: GetQueryResultsCommandInput) =>
      this.respond('CloudWatchLogs:GetQueryResults', () => {
        const query = this.queries.get(input.queryId ?? '');
        if (!query) throw new Error(`unknown query ${input.queryId}`);
        const statistics = { recordsMatched: 0, recordsScanned: 0, bytesScanned: 0 };
        if (nowMs() < query.startedAt + this.queryRunsMs) return { status: 'Running', results: [], statistics };
        return { status: 'Complete', results: query.byLog ? memoryRows(query) : coldStartRows(query), statistics };
      }),
    );
    logs.on(StopQueryCommand).callsFake(() => this.respond('CloudWatchLogs:StopQuery', () => ({ success: true })));
  }

  private stubXRay(): void {
    const xray = mockClient(this.clients.xray);
    this.mocks.push(xray);
    xray
      .on(GetServiceGraphCommand)
      .callsFake((input: GetServiceGraphCommandInput) =>
        this.respond('XRay:GetServiceGraph', () => serviceGraph(input)),
      );
    xray.on(GetTraceSummariesCommand).callsFake((input: GetTraceSummariesCommandInput) =>
      this.respond('XRay:GetTraceSummaries', () => {
        // A busy hour of errors does not fit one page: X-Ray hands out a NextToken.
        const end = input.EndTime?.getTime() ?? Date.now();
        if (!input.NextToken) {
          return {
            TraceSummaries: Array.from({ length: 20 }, (_, i) => traceSummary(`1-a${i}`, end - i * 90_000)),
            NextToken: 'page-2',
            TracesProcessedCount: 20,
            ApproximateTime: new Date(end),
          };
        }
        return {
          TraceSummaries: Array.from({ length: 12 }, (_, i) => traceSummary(`1-b${i}`, end - (20 + i) * 90_000)),
          TracesProcessedCount: 12,
          ApproximateTime: new Date(end),
        };
      }),
    );
    xray.on(BatchGetTracesCommand).callsFake((input: BatchGetTracesCommandInput) =>
      this.respond('XRay:BatchGetTraces', () => ({
        Traces: (input.TraceIds ?? []).map((id) => fullTrace(id)),
        UnprocessedTraceIds: [],
      })),
    );
  }

  private stubCodeDeploy(): void {
    const codeDeploy = mockClient(this.clients.codeDeploy);
    this.mocks.push(codeDeploy);
    this.stubDeploymentTargets(codeDeploy);
    codeDeploy
      .on(ListDeploymentsCommand)
      .callsFake(() => this.respond('CodeDeploy:ListDeployments', () => ({ deployments: ['d-7Q3EXAMPLE'] })));
    codeDeploy.on(BatchGetDeploymentsCommand).callsFake((input: BatchGetDeploymentsCommandInput) =>
      this.respond('CodeDeploy:BatchGetDeployments', () => ({
        deploymentsInfo: (input.deploymentIds ?? []).map((deploymentId) => ({
          applicationName: 'orders',
          deploymentGroupName: 'orders-api-live',
          deploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
          deploymentId,
          revision: { revisionType: 'S3', s3Location: { bucket: 'orders-artifacts', key: 'orders-api/appspec.yml' } },
          status: 'Succeeded',
          createTime: new Date(Date.now() - 46 * 60_000),
          completeTime: new Date(Date.now() - 40 * 60_000),
        })),
      })),
    );
  }

  private stubDeploymentTargets(codeDeploy: ReturnType<typeof mockClient>): void {
    codeDeploy.on(BatchGetDeploymentTargetsCommand).callsFake((input: BatchGetDeploymentTargetsCommandInput) =>
      this.respond('CodeDeploy:BatchGetDeploymentTargets', () => ({
        deploymentTargets: (input.targetIds ?? []).map((targetId) => ({
          deploymentTargetType: 'LambdaTarget',
          lambdaTarget: {
            deploymentId: input.deploymentId,
            targetId,
            targetArn: `${fnArn}:live`,
            status: 'Succeeded',
            lastUpdatedAt: new Date(Date.now() - 40 * 60_000),
            lambdaFunctionInfo: {
              functionName,
              functionAlias: 'live',
              currentVersion: '41',
              targetVersion: '42',
              targetVersionWeight: 1,
            },
          },
        })),
      })),
    );
  }

  private stubSqs(): void {
    const sqs = mockClient(this.clients.sqs);
    this.mocks.push(sqs);
    sqs.on(GetQueueAttributesCommand).callsFake((input: GetQueueAttributesCommandInput) =>
      this.respond('SQS:GetQueueAttributes', () => {
        if (input.AttributeNames?.includes('RedrivePolicy')) {
          return input.QueueUrl?.endsWith('/orders-queue')
            ? { Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: '5' }) } }
            : { Attributes: {} };
        }
        return { Attributes: { ApproximateNumberOfMessages: '37', ApproximateNumberOfMessagesNotVisible: '2' } };
      }),
    );
  }

  /** Compute Optimizer recommends 512 MB for every 10th function; Cost Explorer bills by team tag. */
  private stubBilling(): void {
    const optimizer = mockClient(this.clients.computeOptimizer);
    this.mocks.push(optimizer);
    optimizer.on(GetLambdaFunctionRecommendationsCommand).callsFake(() =>
      this.respond('ComputeOptimizer:GetLambdaFunctionRecommendations', () => ({
        lambdaFunctionRecommendations: Array.from({ length: Math.ceil(this.fleetSize / 10) }, (_, i) => ({
          functionArn: `arn:aws:lambda:${region}:${accountId}:function:${fleetFunctionName(i * 10)}:$LATEST`,
          functionVersion: '$LATEST',
          currentMemorySize: 1024,
          finding: 'NotOptimized',
          findingReasonCodes: ['MemoryOverprovisioned'],
          lookbackPeriodInDays: 14,
          memorySizeRecommendationOptions: [
            {
              rank: 1,
              memorySize: 512,
              savingsOpportunity: { estimatedMonthlySavings: { currency: 'USD', value: 3.2 } },
            },
          ],
        })),
      })),
    );
    const costExplorer = mockClient(this.clients.costExplorer);
    this.mocks.push(costExplorer);
    costExplorer.on(GetCostAndUsageCommand).callsFake(() =>
      this.respond('CostExplorer:GetCostAndUsage', () => ({
        ResultsByTime: [
          {
            Groups: Array.from({ length: 17 }, (_, team) => ({
              Keys: [`team$team-${team}`, 'AWS Lambda'],
              Metrics: { UnblendedCost: { Amount: '123.45', Unit: 'USD' } },
            })),
            Estimated: false,
          },
        ],
      })),
    );
  }

  private hasProvisioned(functionName: string): boolean {
    const index = Number(/^svc-(\d+)-worker$/.exec(functionName)?.[1] ?? -1);
    return index >= 0 && index % this.provisionedEvery === 0;
  }

  private stubTagging(): void {
    const tagging = mockClient(this.clients.tagging);
    this.mocks.push(tagging);
    tagging.on(GetResourcesCommand).callsFake((input: GetResourcesCommandInput) =>
      this.respond('ResourceGroupsTaggingAPI:GetResources', () => {
        const perPage = input.ResourcesPerPage ?? 100;
        const from = input.PaginationToken ? Number(input.PaginationToken) : 0;
        const to = Math.min(this.fleetSize, from + perPage);
        return {
          ResourceTagMappingList: Array.from({ length: to - from }, (_, i) => ({
            ResourceARN: `arn:aws:lambda:${region}:${accountId}:function:${fleetFunctionName(from + i)}`,
            Tags: [
              { Key: 'gofn:managed', Value: 'true' },
              { Key: 'team', Value: `team-${(from + i) % 17}` },
            ],
          })),
          // The tagging API marks the last page with an empty token.
          PaginationToken: to < this.fleetSize ? String(to) : '',
        };
      }),
    );
  }
}

export function fleetFunctionName(index: number): string {
  return `svc-${String(index).padStart(5, '0')}-worker`;
}

/**
 * Per statistic: the value in the previous window, in the current one, and whether it is a Sum
 * per minute (scaled to the period). Saturated at reserved concurrency 50, throttling, 5% errors,
 * slower than before.
 */
const metricValues: Record<string, [number, number, boolean]> = {
  invocations: [1000, 1000, true],
  // The cost read: Duration Sum (ms a minute), IncomingBytes of the log group, provisioned invocations.
  duration: [80_000, 80_000, true],
  logBytes: [600_000, 600_000, true],
  provisioned: [600, 600, true],
  errors: [4, 50, true],
  throttles: [0, 30, true],
  concurrency: [31, 50, false],
  p50: [80, 80, false],
  p95: [240, 900, false],
  p99: [400, 1400, false],
};

/**
 * Datapoints for every query, one per period over the request's range. Values depend on the query
 * id (the adapter's ids: invocations, errors, ..., or f<n>_<stat> for the fleet) and on whether the
 * point falls in the second (current) half of the range.
 */
function metricResults(
  input: GetMetricDataCommandInput,
  provisioned: (functionIndex: number) => boolean = () => true,
): MetricDataResult[] {
  const start = input.StartTime?.getTime() ?? 0;
  const end = input.EndTime?.getTime() ?? 0;
  const middle = start + (end - start) / 2;
  return (input.MetricDataQueries ?? []).map((query) => {
    const id = query.Id ?? '';
    const stat = id.includes('_') ? id.slice(id.indexOf('_') + 1) : id;
    const functionIndex = Number(/^[a-z](\d+)_/.exec(id)?.[1] ?? 0);
    const periodMs = (query.MetricStat?.Period ?? 60) * 1000;
    const timestamps: Date[] = [];
    const values: number[] = [];
    for (let t = start; t < end; t += periodMs) {
      const current = t + periodMs / 2 >= middle;
      const [previousValue, currentValue, perMinuteSum] =
        stat === 'provisioned' && !provisioned(functionIndex) ? [0, 0, false] : (metricValues[stat] ?? [0, 0, false]);
      const value = (current ? currentValue : previousValue) * (perMinuteSum ? periodMs / 60_000 : 1);
      timestamps.push(new Date(t));
      values.push(value);
    }
    return { Id: id, Label: id, Timestamps: timestamps, Values: values, StatusCode: 'Complete' };
  });
}

/** Per-bin rows as GetQueryResults returns them: every value a string. */
function coldStartRows(query: { binMinutes: number; start: number; end: number }): ResultField[][] {
  const binMs = query.binMinutes * 60_000;
  const middle = query.start + (query.end - query.start) / 2;
  const rows: ResultField[][] = [];
  for (let t = Math.floor(query.start / binMs) * binMs; t < query.end; t += binMs) {
    const current = t >= middle;
    const invocations = 1000 * query.binMinutes;
    const coldStarts = Math.round(invocations * (current ? 0.08 : 0.01));
    const bin = new Date(t).toISOString().replace('T', ' ').replace('Z', '');
    // A Text-format function: the JSON columns count nothing. Memory in bytes, as Logs Insights
    // reports @maxMemoryUsed; a few invocations time out in the current window.
    rows.push([
      { field: `bin(${query.binMinutes}m)`, value: bin },
      { field: 'textReports', value: String(invocations) },
      { field: 'textColdStarts', value: String(coldStarts) },
      { field: 'textInitSum', value: String(coldStarts * (current ? 412.5 : 380.1)) },
      { field: 'textInitMax', value: current ? '690.2' : '455.0' },
      { field: 'jsonColdStarts', value: '0' },
      { field: 'textMemoryMax', value: String(230_000_000) },
      { field: 'textMemorySum', value: String(invocations * 180_000_000) },
      { field: 'textMemorySize', value: String(512_000_000) },
      { field: 'timeoutLines', value: current ? '1' : '0' },
      { field: 'timeoutReports', value: current ? '1' : '0' },
      ...(current ? [{ field: 'timeoutLatest', value: `${String(t).slice(-8)}-0000-4000-8000-000000000000` }] : []),
    ]);
  }
  return rows;
}

/** Rows of the memory query, one per log group asked about: 1,000 invocations a minute, peak 212 MB. */
function memoryRows(query: { start: number; end: number; logGroups: string[] }): ResultField[][] {
  const reports = Math.round(((query.end - query.start) / 60_000) * 1000);
  return query.logGroups.map((group) => [
    { field: '@log', value: `${accountId}:${group}` },
    { field: 'reports', value: String(reports) },
    { field: 'textMaxUsedBytes', value: '212000000' },
    { field: 'textMemoryBytes', value: '1024000000' },
    { field: 'textInits', value: String(Math.round(reports * 0.01)) },
    { field: 'textInitMs', value: String(Math.round(reports * 0.01) * 240) },
    { field: 'jsonInits', value: '0' },
  ]);
}

function edge(referenceId: number, total: number, errors: number, faults: number, histogram: [number, number][]) {
  const totalSeconds = histogram.reduce((sum, [value, count]) => sum + value * count, 0);
  return {
    ReferenceId: referenceId,
    SummaryStatistics: {
      OkCount: total - errors - faults,
      ErrorStatistics: { ThrottleCount: 0, OtherCount: errors, TotalCount: errors },
      FaultStatistics: { OtherCount: faults, TotalCount: faults },
      TotalCount: total,
      TotalResponseTime: totalSeconds,
    },
    ResponseTimeHistogram: histogram.map(([Value, Count]) => ({ Value, Count })),
    Aliases: [],
  };
}

/** Client → Lambda service node → function node → DynamoDB and a remote API; slower in the current window. */
function serviceGraph(input: GetServiceGraphCommandInput) {
  const current = (input.EndTime?.getTime() ?? 0) > Date.now() - 5 * 60_000;
  const dynamo: [number, number][] = current
    ? [
        [0.02, 300],
        [0.35, 400],
        [0.9, 100],
      ]
    : [
        [0.02, 700],
        [0.05, 300],
      ];
  return {
    StartTime: input.StartTime,
    EndTime: input.EndTime,
    Services: [
      {
        ReferenceId: 0,
        Name: functionName,
        Names: [functionName],
        Root: true,
        Type: 'AWS::Lambda',
        State: 'active',
        Edges: [edge(1, 1000, 0, 0, [[0.9, 1000]])],
      },
      {
        ReferenceId: 1,
        Name: functionName,
        Names: [functionName],
        Type: 'AWS::Lambda::Function',
        State: 'active',
        Edges: [edge(2, 800, 4, 2, dynamo), edge(3, 200, 0, 10, [[0.4, 200]])],
      },
      { ReferenceId: 2, Name: 'orders', Names: ['orders'], Type: 'AWS::DynamoDB::Table', State: 'active', Edges: [] },
      {
        ReferenceId: 3,
        Name: 'api.stripe.com',
        Names: ['api.stripe.com'],
        Type: 'remote',
        State: 'unknown',
        Edges: [],
      },
    ],
  };
}

const messages = ['dial tcp 10.0.3.17:443: i/o timeout', 'ProvisionedThroughputExceededException', 'context deadline'];

function traceSummary(id: string, at: number): TraceSummary {
  const message = messages[id.length % messages.length]!;
  return {
    Id: id,
    StartTime: new Date(at),
    Duration: 1.2,
    ResponseTime: 1.2,
    HasError: false,
    HasFault: true,
    HasThrottle: false,
    IsPartial: false,
    ErrorRootCauses: [],
    FaultRootCauses: [
      {
        Services: [
          {
            Name: functionName,
            Names: [functionName],
            Type: 'AWS::Lambda::Function',
            AccountId: accountId,
            EntityPath: [
              { Name: functionName, Exceptions: [], Remote: false },
              { Name: 'Invocation', Exceptions: [{ Name: 'errorString', Message: message }], Remote: false },
            ],
            Inferred: false,
          },
        ],
        ClientImpacting: true,
      },
    ],
  };
}

/** What BatchGetTraces returns for a failed invocation: the Lambda service and function segments. */
function fullTrace(id: string) {
  const t = Date.now() / 1000 - 120;
  return {
    Id: id,
    Duration: 1.2,
    LimitExceeded: false,
    Segments: [
      {
        Id: `${id}-a`,
        Document: JSON.stringify({
          id: '1a',
          name: functionName,
          origin: 'AWS::Lambda',
          start_time: t,
          end_time: t + 1.2,
          http: { response: { status: 200 } },
          aws: { request_id: `req-${id}` },
          trace_id: id,
        }),
      },
      {
        Id: `${id}-b`,
        Document: JSON.stringify({
          id: '1b',
          name: functionName,
          origin: 'AWS::Lambda::Function',
          start_time: t + 0.01,
          end_time: t + 1.19,
          fault: true,
          subsegments: [
            {
              id: '1c',
              name: 'Invocation',
              fault: true,
              cause: {
                working_directory: '/var/task',
                exceptions: [{ id: 'e1', message: messages[0], type: 'errorString' }],
              },
            },
          ],
          parent_id: '1a',
          trace_id: id,
        }),
      },
    ],
  };
}
