import { describeError } from '../errors';
import { findFailureDestination, type DeadLetterQueue, type FailureDestination } from './dead-letter';
import { apiMetricNames, API_TAG, parseApiTag } from '../api-tag';
import type {
  AccountConcurrency,
  ColdStartStats,
  EventSourceInfo,
  ExtraMetricQuery,
  InsightsRow,
  InvocationLogStats,
  DeploymentInfo,
  DeploymentTarget,
  DownstreamGraph,
  ErrorTraceStats,
  FunctionInfo,
  FunctionMetrics,
  Sources,
  TimeWindow,
} from '../ports';

/**
 * The function's reserved concurrency as Lambda reports it. `unknown` when it could not be read:
 * never taken for "none", which would hide a saturated reservation.
 */
export type Reservation =
  { state: 'reserved'; value: number } | { state: 'none' } | { state: 'unknown'; reason: string };

export interface DownstreamComparison {
  current: DownstreamGraph;
  previous: DownstreamGraph;
}

export interface EvidenceOptions {
  sources: Sources;
  fn: FunctionInfo;
  window: TimeWindow;
  previous: TimeWindow;
  signal: AbortSignal;
  /** How many failing invocations to sample from the traces. */
  errorSampleSize: number;
  /** How far back to look for deployments before the window starts. */
  deployLookbackMs: number;
  /**
   * Metrics of other namespaces the runbook's own steps and the alarm that opened the thread read,
   * dimensions already resolved: they ride in the one GetMetricData.
   */
  extraMetrics?: ExtraMetricQuery[] | undefined;
}

/** Ids of the extra metrics the built-in steps read, in the one GetMetricData. */
export const extraIds = {
  sqsAge: (index: number) => `sqs_age_${index}`,
  sqsVisible: (index: number) => `sqs_visible_${index}`,
  iteratorAge: 'iterator_age',
  apiCount: 'api_count',
  api4xx: 'api_4xx',
  api5xx: 'api_5xx',
  apiLatency: 'api_latency',
  apiIntegration: 'api_integration',
} as const;

export { findDeadLetterQueue, findFailureDestination } from './dead-letter';
export type { DeadLetterKind, DeadLetterQueue, FailureDestination, UnreadableDestination } from './dead-letter';

/**
 * Every piece of evidence a diagnosis may need, each fetched at most once and only when a check
 * asks for it. Checks run in parallel and share these promises, which is how several metric
 * steps end up sharing ONE GetMetricData request.
 */
export class Evidence {
  private readonly memo = new Map<string, Promise<unknown>>();

  constructor(private readonly options: EvidenceOptions) {}

  private once<T>(key: string, load: () => Promise<T>): Promise<T> {
    let pending = this.memo.get(key) as Promise<T> | undefined;
    if (!pending) {
      pending = load();
      // A rejection is handled by whichever check awaits it; do not let an unawaited one crash.
      pending.catch(() => undefined);
      this.memo.set(key, pending);
    }
    return pending;
  }

  private get call() {
    return { signal: this.options.signal };
  }

  /**
   * During a canary the same request breaks the alias down by version (stable and canary). The
   * metrics of the function's SQS sources are in it too, so it waits for the mappings (listed for
   * the dlq step anyway): a listing that fails leaves only those metrics out.
   */
  metrics(): Promise<FunctionMetrics> {
    const { sources, fn, window, previous } = this.options;
    const canary = Object.keys(fn.routing);
    const versions = canary.length > 0 ? [fn.version, ...canary] : undefined;
    return this.once('metrics', async () => {
      const mappings = await this.eventSources().catch(() => []);
      const extra = [...lagMetrics(fn, mappings), ...apiMetrics(fn), ...(this.options.extraMetrics ?? [])];
      return sources.metrics.getFunctionMetrics(
        {
          functionName: fn.name,
          alias: fn.alias,
          window,
          previous,
          ...(versions ? { versions } : {}),
          ...(extra.length > 0 ? { extra } : {}),
        },
        this.call,
      );
    });
  }

  /** The one Logs Insights query: cold starts, memory and crashes. */
  invocationLogs(): Promise<InvocationLogStats> {
    const { sources, fn, window, previous } = this.options;
    return this.once('logs', () =>
      sources.logs.getInvocationLogs({ logGroup: fn.logGroup, window, previous }, this.call),
    );
  }

  coldStarts(): Promise<ColdStartStats> {
    return this.invocationLogs();
  }

  /** A runbook's own Logs Insights step, over the current window (a query of its own). */
  insightsRows(queryString: string): Promise<InsightsRow[]> {
    const { sources, fn, window } = this.options;
    return this.once(`insights:${queryString}`, () =>
      sources.logs.runQuery({ logGroup: fn.logGroup, queryString, window }, this.call),
    );
  }

  /** Event-source mappings of the function, its alias and the versions the alias routes to. */
  eventSources(): Promise<EventSourceInfo[]> {
    const { sources, fn } = this.options;
    return this.once('eventSources', () =>
      sources.functions.listEventSources(
        { functionName: fn.name, functionArn: fn.arn, qualifiers: qualifiersOf(fn) },
        this.call,
      ),
    );
  }

  downstream(): Promise<DownstreamComparison> {
    const { sources, fn, window, previous } = this.options;
    return this.once('downstream', async () => {
      const [current, before] = await Promise.all([
        sources.traces.getDownstream({ functionName: fn.name, window }, this.call),
        sources.traces.getDownstream({ functionName: fn.name, window: previous }, this.call),
      ]);
      return { current, previous: before };
    });
  }

  errorTraces(): Promise<ErrorTraceStats> {
    const { sources, fn, window, errorSampleSize } = this.options;
    return this.once('errorTraces', () =>
      sources.traces.getErrorTraces({ functionName: fn.name, window, sampleSize: errorSampleSize }, this.call),
    );
  }

  /** Deployments of the function's CodeDeploy group (tag `gofn:deployment-group` = "app/group"), or null if it has none. */
  deployments(): Promise<DeploymentInfo[] | null> {
    const { sources, fn, window, deployLookbackMs } = this.options;
    return this.once('deployments', async () => {
      const group = parseDeploymentGroupTag(fn.tags['gofn:deployment-group']);
      if (!group) return null;
      const since = new Date(window.start.getTime() - deployLookbackMs);
      return sources.deploys.listRecentDeployments(group, since, this.call);
    });
  }

  /** GetFunctionConcurrency: what the throttles step compares the peak with. */
  reservedConcurrency(): Promise<Reservation> {
    const { sources, fn } = this.options;
    return this.once('reservation', async (): Promise<Reservation> => {
      try {
        const value = await sources.functions.getReservedConcurrency(fn.name, this.call);
        return value === undefined ? { state: 'none' } : { state: 'reserved', value };
      } catch (error) {
        return { state: 'unknown', reason: describeError(error) };
      }
    });
  }

  /** The function and versions a deployment moves (its Lambda target). */
  deploymentTarget(deploymentId: string): Promise<DeploymentTarget | undefined> {
    const { sources, fn } = this.options;
    return this.once(`deploymentTarget:${deploymentId}`, () =>
      sources.deploys.getLambdaTarget(deploymentId, fn.name, this.call),
    );
  }

  accountConcurrency(): Promise<AccountConcurrency> {
    return this.once('account', () => this.options.sources.functions.getAccountConcurrency(this.call));
  }

  /** Where the function's failed events go: its dead-letter queue and depth, or what gofn cannot read. */
  failureDestination(): Promise<FailureDestination> {
    const { sources, fn } = this.options;
    return this.once('dlq', () => findFailureDestination(sources, fn, this.call, this.eventSources()));
  }

  /** The function's dead-letter queue and its depth; null if none gofn can read is wired. */
  async deadLetterQueue(): Promise<DeadLetterQueue | null> {
    const found = await this.failureDestination();
    return found.found === 'queue' ? found.queue : null;
  }
}

/** SQS sources: the age of the oldest message and the messages waiting; streams: IteratorAge. */
function lagMetrics(fn: FunctionInfo, mappings: EventSourceInfo[]): ExtraMetricQuery[] {
  const queries: ExtraMetricQuery[] = [];
  sqsSourcesOf(mappings).forEach((mapping, index) => {
    const queue = [{ name: 'QueueName', value: queueNameOf(mapping.sourceArn) }];
    queries.push(
      {
        id: extraIds.sqsAge(index),
        namespace: 'AWS/SQS',
        metricName: 'ApproximateAgeOfOldestMessage',
        dimensions: queue,
        stat: 'Maximum',
      },
      {
        id: extraIds.sqsVisible(index),
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        dimensions: queue,
        stat: 'Maximum',
      },
    );
  });
  if (mappings.some((m) => m.service === 'kinesis' || m.service === 'dynamodb')) {
    // Lambda publishes IteratorAge per function for stream sources; the maximum is the furthest behind.
    queries.push({
      id: extraIds.iteratorAge,
      namespace: 'AWS/Lambda',
      metricName: 'IteratorAge',
      dimensions: [{ name: 'FunctionName', value: fn.name }],
      stat: 'Maximum',
    });
  }
  return queries;
}

/** The API in front of the function (tag gofn:api): requests, 4xx, 5xx, and latency against integration latency. */
function apiMetrics(fn: FunctionInfo): ExtraMetricQuery[] {
  const api = parseApiTag(fn.tags[API_TAG]);
  if (!api) return [];
  const names = apiMetricNames(api.type);
  const dimensions = [
    { name: names.dimension, value: api.name },
    ...(api.stage ? [{ name: 'Stage', value: api.stage }] : []),
  ];
  const metric = (id: string, metricName: string, stat: string): ExtraMetricQuery => ({
    id,
    namespace: 'AWS/ApiGateway',
    metricName,
    dimensions,
    stat,
  });
  return [
    metric(extraIds.apiCount, names.count, 'Sum'),
    metric(extraIds.api4xx, names.errors4xx, 'Sum'),
    metric(extraIds.api5xx, names.errors5xx, 'Sum'),
    metric(extraIds.apiLatency, 'Latency', 'p99'),
    metric(extraIds.apiIntegration, 'IntegrationLatency', 'p99'),
  ];
}

/** The function's SQS mappings in a stable order: the ids of their metrics follow it. */
export function sqsSourcesOf(mappings: EventSourceInfo[]): EventSourceInfo[] {
  return mappings.filter((m) => m.service === 'sqs').sort((a, b) => a.uuid.localeCompare(b.uuid));
}

export function queueNameOf(arn: string): string {
  return arn.split(':').pop() ?? arn;
}

/** The alias, the version it points to and any version it routes a share of traffic to. */
export function qualifiersOf(fn: FunctionInfo): string[] {
  return [...new Set([fn.alias, fn.version, ...Object.keys(fn.routing)].filter((q) => q !== '' && q !== '$LATEST'))];
}

export function parseDeploymentGroupTag(value: string | undefined): { application: string; group: string } | null {
  if (!value) return null;
  const slash = value.indexOf('/');
  if (slash <= 0 || slash === value.length - 1) return null;
  return { application: value.slice(0, slash), group: value.slice(slash + 1) };
}
