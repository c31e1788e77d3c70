/**
 * The adapter interfaces the runbook engine, checks and actions are written against, and the
 * evidence types they return. `src/aws/` implements them over the AWS SDK, `src/sim/` over a
 * scenario file; the engine cannot tell the two apart.
 *
 * Conventions for every port method:
 * - `opts.signal` aborts the call (the diagnosis deadline); an aborted call rejects with a
 *   GofnError of code Timeout.
 * - Failures reject with a GofnError whose code says why (NotFound, AccessDenied, Throttled,
 *   Timeout, Unsupported, Upstream) and whose message is a sentence naming what failed.
 * - Times are Date objects; durations are milliseconds unless the name says otherwise.
 */

export interface CallOptions {
  signal?: AbortSignal;
}

export interface TimeWindow {
  start: Date;
  end: Date;
}

// ---------------------------------------------------------------- functions (Lambda, tagging)

export interface FunctionInfo {
  name: string;
  /** Unqualified function ARN. */
  arn: string;
  region: string;
  accountId: string | undefined;
  /** The alias that was asked for, for example `live`. */
  alias: string;
  /** The version the alias points to (the primary version when routing is weighted). */
  version: string;
  /** LastModified of that version: when it was published. */
  versionModifiedAt: Date | undefined;
  /**
   * Additional version weights of the alias (weighted routing during a canary), e.g. {"43": 0.1};
   * empty when the source does not report it (AWS GetFunction does not).
   */
  routing: Record<string, number>;
  runtime: string | undefined;
  architectures: string[];
  memoryMb: number | undefined;
  timeoutSeconds: number | undefined;
  /** Reserved concurrency of the function, undefined when it uses the unreserved pool. */
  reservedConcurrency: number | undefined;
  /** DeadLetterConfig.TargetArn of async invocations (SQS or SNS ARN). */
  deadLetterTargetArn: string | undefined;
  logGroup: string;
  tags: Record<string, string>;
}

export interface EventSourceInfo {
  uuid: string;
  sourceArn: string;
  /** Service of the source ARN: `sqs`, `kinesis`, `dynamodb`, `kafka` or `other`. */
  service: string;
  state: string;
}

export interface AccountConcurrency {
  /** ConcurrentExecutions limit of the account in the region. */
  limit: number;
  /** UnreservedConcurrentExecutions: what functions without reserved concurrency share. */
  unreserved: number;
}

export interface FunctionVersionInfo {
  version: string;
  modifiedAt: Date | undefined;
  description: string | undefined;
}

export interface ManagedFunctionRef {
  name: string;
  arn: string;
  tags: Record<string, string>;
}

export interface FunctionsPort {
  /** The function as seen through `alias`. NotFound when the function or alias is missing. */
  getFunction(name: string, alias: string, opts?: CallOptions): Promise<FunctionInfo>;
  /** All function names in the region, for "did you mean" suggestions. */
  listFunctionNames(opts?: CallOptions): Promise<string[]>;
  listEventSources(functionName: string, opts?: CallOptions): Promise<EventSourceInfo[]>;
  /** The OnFailure destination of async invocations for the alias, if any (EventInvokeConfig). */
  getAsyncFailureDestination(functionName: string, alias: string, opts?: CallOptions): Promise<string | undefined>;
  getAccountConcurrency(opts?: CallOptions): Promise<AccountConcurrency>;
  /** Published versions, newest first (without $LATEST). */
  listVersions(functionName: string, opts?: CallOptions): Promise<FunctionVersionInfo[]>;
  /**
   * Functions tagged `gofn:managed=true`, one page at a time, as the tagging API returns them,
   * so a large fleet can be processed while it is still being listed.
   */
  managedFunctionPages(opts?: CallOptions): AsyncIterable<ManagedFunctionRef[]>;
}

// ---------------------------------------------------------------- metrics (CloudWatch)

export interface MetricPoint {
  at: Date;
  value: number;
}

export interface WindowMetrics {
  invocations: number;
  errors: number;
  throttles: number;
  /** Maximum of ConcurrentExecutions over the window. */
  peakConcurrency: number | undefined;
  durationP50Ms: number | undefined;
  durationP95Ms: number | undefined;
  durationP99Ms: number | undefined;
}

export interface FunctionMetrics {
  current: WindowMetrics;
  previous: WindowMetrics;
  /** Per-period series over the current window, oldest first. */
  series: {
    invocations: MetricPoint[];
    errors: MetricPoint[];
    throttles: MetricPoint[];
    concurrency: MetricPoint[];
  };
  periodSeconds: number;
  /** Statistics the source could not serve (for example percentiles on the emulator). */
  missing: string[];
}

export interface FleetMetrics {
  invocations: number;
  errors: number;
  throttles: number;
  durationP99Ms: number | undefined;
  /** The window before, from the same queries: enough to see a function getting slower. */
  previous: { invocations: number; durationP99Ms: number | undefined };
}

export interface FunctionMetricsQuery {
  functionName: string;
  alias: string;
  window: TimeWindow;
  previous: TimeWindow;
}

export interface MetricsPort {
  /** ONE GetMetricData request covering both windows. */
  getFunctionMetrics(query: FunctionMetricsQuery, opts?: CallOptions): Promise<FunctionMetrics>;
  /**
   * Window totals for many functions, in as few requests as the 500-queries-per-request limit
   * allows, sent concurrently. Functions with no data get zeros.
   */
  getFleetMetrics(functionNames: string[], window: TimeWindow, opts?: CallOptions): Promise<Map<string, FleetMetrics>>;
}

// ---------------------------------------------------------------- cold starts (Logs Insights)

export interface ColdStartWindow {
  /** REPORT lines seen (one per invocation). */
  invocations: number;
  /** REPORT lines with an Init Duration. */
  coldStarts: number;
  initAvgMs: number | undefined;
  initMaxMs: number | undefined;
}

export interface ColdStartStats {
  current: ColdStartWindow;
  previous: ColdStartWindow;
  /** The Logs Insights query that produced the numbers, for the console link. */
  queryString: string;
}

export interface ColdStartQuery {
  logGroup: string;
  window: TimeWindow;
  previous: TimeWindow;
}

export interface LogsPort {
  /**
   * StartQuery, poll GetQueryResults with backoff (at most 10 polls), StopQuery if `opts.signal`
   * aborts first.
   */
  getColdStarts(query: ColdStartQuery, opts?: CallOptions): Promise<ColdStartStats>;
}

// ---------------------------------------------------------------- traces (X-Ray)

export interface DownstreamStats {
  /** Service name as X-Ray shows it, e.g. `DynamoDB` or `api.stripe.com`. */
  name: string;
  /** X-Ray service type, e.g. `AWS::DynamoDB` or `remote`. */
  type: string;
  requests: number;
  errors: number;
  faults: number;
  averageMs: number | undefined;
  p95Ms: number | undefined;
}

export interface ErrorTraceSample {
  traceId: string;
  requestId: string | undefined;
  message: string | undefined;
  at: Date | undefined;
  durationMs: number | undefined;
}

export interface ErrorTraceStats {
  /** Traces with error (4xx) or fault (5xx) in the window, as far as the listing went. */
  tracesWithError: number;
  tracesWithFault: number;
  /** Most common root-cause messages, most frequent first. */
  topMessages: { message: string; count: number }[];
  /** A few failing invocations with their request IDs (from BatchGetTraces, at most 5 IDs a call). */
  samples: ErrorTraceSample[];
  /** True when there were more traces than were listed. */
  truncated: boolean;
}

export interface TraceQuery {
  functionName: string;
  window: TimeWindow;
}

export interface TracesPort {
  /** Downstream services of the function and their latency over the window (service graph). */
  getDownstream(query: TraceQuery, opts?: CallOptions): Promise<DownstreamStats[]>;
  getErrorTraces(query: TraceQuery & { sampleSize: number }, opts?: CallOptions): Promise<ErrorTraceStats>;
}

// ---------------------------------------------------------------- deployments (CodeDeploy)

/** CodeDeploy statuses of a deployment that is still moving (or about to move) traffic. */
export const ACTIVE_DEPLOYMENT_STATUSES: ReadonlySet<string> = new Set([
  'Created',
  'Queued',
  'InProgress',
  'Baking',
  'Ready',
]);

export interface DeploymentInfo {
  id: string;
  application: string;
  group: string;
  /** CodeDeploy status: Created, Queued, InProgress, Baking, Succeeded, Failed, Stopped, Ready. */
  status: string;
  createdAt: Date | undefined;
  completedAt: Date | undefined;
  configName: string | undefined;
  /** From the AppSpec: the version the alias pointed to before, and the one it moves to. */
  currentVersion: string | undefined;
  targetVersion: string | undefined;
}

export interface DeploymentGroupRef {
  application: string;
  group: string;
}

export interface DeploysPort {
  /** Deployments of the group created since `since`, newest first. */
  listRecentDeployments(group: DeploymentGroupRef, since: Date, opts?: CallOptions): Promise<DeploymentInfo[]>;
}

// ---------------------------------------------------------------- queues (SQS)

export interface QueueDepth {
  arn: string;
  name: string;
  /** ApproximateNumberOfMessages. */
  visible: number;
  /** ApproximateNumberOfMessagesNotVisible. */
  inFlight: number;
}

export interface RedriveTarget {
  deadLetterArn: string;
  maxReceiveCount: number;
}

export interface QueuesPort {
  /** The queue's RedrivePolicy, if it has one. */
  getRedriveTarget(queueArn: string, opts?: CallOptions): Promise<RedriveTarget | undefined>;
  getDepth(queueArn: string, opts?: CallOptions): Promise<QueueDepth>;
}

// ---------------------------------------------------------------- the bundle the engine takes

export interface Sources {
  /** `aws` for a real account or the emulator, `simulated` for a scenario. */
  kind: 'aws' | 'simulated';
  region: string;
  functions: FunctionsPort;
  metrics: MetricsPort;
  logs: LogsPort;
  traces: TracesPort;
  deploys: DeploysPort;
  queues: QueuesPort;
}

// ---------------------------------------------------------------- changing production (actions)

export interface AliasState {
  functionName: string;
  alias: string;
  version: string;
  /** Additional version weights (weighted routing), e.g. {"43": 0.1}. */
  routing: Record<string, number>;
  /** Passed back on update so a concurrent change fails instead of being overwritten. */
  revisionId: string | undefined;
}

export interface LambdaControlPort {
  getAlias(functionName: string, alias: string, opts?: CallOptions): Promise<AliasState>;
  /**
   * Points the alias at `version` with no weighted routing, only if its RevisionId is still
   * `expectedRevisionId`; a concurrent change rejects with GofnError Conflict.
   */
  updateAlias(
    functionName: string,
    alias: string,
    version: string,
    expectedRevisionId: string | undefined,
    opts?: CallOptions,
  ): Promise<AliasState>;
  /** ReservedConcurrentExecutions, undefined when none is set (GetFunctionConcurrency). */
  getReservedConcurrency(functionName: string, opts?: CallOptions): Promise<number | undefined>;
  putReservedConcurrency(functionName: string, value: number, opts?: CallOptions): Promise<number>;
  /** InvocationType Event; resolves once Lambda accepted the event (202). */
  invokeAsync(functionName: string, qualifier: string, payload: string, opts?: CallOptions): Promise<void>;
}

export interface DeployControlPort {
  /** A deployment of the group that is still shifting traffic, if any. */
  findActiveDeployment(group: DeploymentGroupRef, opts?: CallOptions): Promise<DeploymentInfo | undefined>;
  getDeployment(deploymentId: string, opts?: CallOptions): Promise<DeploymentInfo>;
  /** StopDeployment with autoRollbackEnabled; resolves with CodeDeploy's status (Pending, Succeeded). */
  stopDeployment(deploymentId: string, opts?: CallOptions): Promise<string>;
}

export interface QueueMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  /** String message attributes, carried over on replay. */
  attributes: Record<string, string>;
}

export interface MessageMoveTask {
  taskHandle: string | undefined;
  /** RUNNING, COMPLETED, CANCELLING, CANCELLED, FAILED. */
  status: string;
  moved: number;
  toMove: number | undefined;
  failureReason: string | undefined;
}

export interface QueueControlPort {
  /** SQS StartMessageMoveTask from a DLQ back to `destinationArn` at `maxPerSecond`. Unsupported where the API is missing. */
  startMessageMoveTask(
    sourceArn: string,
    destinationArn: string,
    maxPerSecond: number,
    opts?: CallOptions,
  ): Promise<string>;
  /** Most recent tasks of the DLQ, newest first. */
  listMessageMoveTasks(sourceArn: string, opts?: CallOptions): Promise<MessageMoveTask[]>;
  /** Up to 10 messages, hidden from others for `visibilitySeconds`. */
  receive(queueArn: string, max: number, visibilitySeconds: number, opts?: CallOptions): Promise<QueueMessage[]>;
  /** SendMessageBatch; returns the ids (the `messageId`s passed in) that were accepted. */
  sendBatch(queueArn: string, messages: QueueMessage[], opts?: CallOptions): Promise<Set<string>>;
  /** DeleteMessageBatch; returns the receipt handles that were deleted. */
  deleteBatch(queueArn: string, receiptHandles: string[], opts?: CallOptions): Promise<Set<string>>;
}

export interface ControlPorts {
  lambda: LambdaControlPort;
  deploys: DeployControlPort;
  queues: QueueControlPort;
}

// ---------------------------------------------------------------- gofn's own state (DynamoDB)

/** One item of gofn's single table: threads, audit records, idempotency claims, pending actions. */
export interface StoredRecord {
  pk: string;
  sk: string;
  /** Epoch seconds after which the record is gone (DynamoDB TTL); absent: kept. */
  expiresAt?: number | undefined;
  /** Incremented by every update; conditional updates compare it. */
  version: number;
  data: Record<string, unknown>;
}

export interface RecordStore {
  get(pk: string, sk: string, opts?: CallOptions): Promise<StoredRecord | undefined>;
  /**
   * Creates the record with version 1 only if no live record has this key (an expired one that
   * TTL has not removed yet counts as absent). Resolves false if one exists.
   */
  create(record: Omit<StoredRecord, 'version'>, opts?: CallOptions): Promise<boolean>;
  /**
   * Replaces `data` (and `expiresAt` if given) only if the stored version is `expectedVersion`,
   * and increments the version. Resolves false when someone else updated it first.
   */
  updateIf(
    pk: string,
    sk: string,
    expectedVersion: number,
    data: Record<string, unknown>,
    expiresAt?: number,
    opts?: CallOptions,
  ): Promise<boolean>;
  /** Records of a partition, by sort key, newest (largest) first unless `ascending`. */
  query(
    pk: string,
    options?: { limit?: number; ascending?: boolean; skPrefix?: string },
    opts?: CallOptions,
  ): Promise<StoredRecord[]>;
}

/** Hands a job from the ingress (which must ack within 3 s) to the worker. */
export interface JobQueuePort {
  enqueue(job: unknown, opts?: CallOptions): Promise<void>;
}

export interface ChartPort {
  /** CloudWatch GetMetricWidgetImage: a PNG of the widget definition. */
  metricWidgetImage(widget: Record<string, unknown>, opts?: CallOptions): Promise<Uint8Array>;
}
