import { describeError } from '../errors';
import type {
  AccountConcurrency,
  CallOptions,
  ColdStartStats,
  DeploymentInfo,
  DownstreamGraph,
  ErrorTraceStats,
  FunctionInfo,
  FunctionMetrics,
  QueueDepth,
  Sources,
  TimeWindow,
} from '../ports';

/** The function's dead-letter queue, however it is wired. */
export interface DeadLetterQueue {
  /** `sqs-source`: redrive target of the SQS queue the function consumes; `async-invoke`: DeadLetterConfig or OnFailure destination. */
  kind: 'sqs-source' | 'async-invoke';
  depth: QueueDepth;
  /** For `sqs-source`, the queue messages go back to on replay. */
  sourceQueueArn: string | undefined;
}

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
}

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

  metrics(): Promise<FunctionMetrics> {
    const { sources, fn, window, previous } = this.options;
    return this.once('metrics', () =>
      sources.metrics.getFunctionMetrics({ functionName: fn.name, alias: fn.alias, window, previous }, this.call),
    );
  }

  coldStarts(): Promise<ColdStartStats> {
    const { sources, fn, window, previous } = this.options;
    return this.once('coldStarts', () =>
      sources.logs.getColdStarts({ logGroup: fn.logGroup, window, previous }, this.call),
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

  accountConcurrency(): Promise<AccountConcurrency> {
    return this.once('account', () => this.options.sources.functions.getAccountConcurrency(this.call));
  }

  /** The function's dead-letter queue and its depth; null if none is wired. */
  deadLetterQueue(): Promise<DeadLetterQueue | null> {
    const { sources, fn } = this.options;
    return this.once('dlq', () => findDeadLetterQueue(sources, fn, this.call));
  }
}

/**
 * The function's DLQ: the redrive target of an SQS event source first (the usual Go worker),
 * then the async-invoke DeadLetterConfig, then an OnFailure destination. Null if none is wired.
 * Shared by the dlq check and the replay action, so both find the same queue.
 */
export async function findDeadLetterQueue(
  sources: Pick<Sources, 'functions' | 'queues'>,
  fn: FunctionInfo,
  call: CallOptions,
): Promise<DeadLetterQueue | null> {
  const eventSources = await sources.functions.listEventSources(fn.name, call);
  for (const source of eventSources.filter((s) => s.service === 'sqs')) {
    const redrive = await sources.queues.getRedriveTarget(source.sourceArn, call);
    if (redrive) {
      const depth = await sources.queues.getDepth(redrive.deadLetterArn, call);
      return { kind: 'sqs-source', depth, sourceQueueArn: source.sourceArn };
    }
  }
  const asyncTarget =
    sqsArnOrUndefined(fn.deadLetterTargetArn) ??
    sqsArnOrUndefined(await sources.functions.getAsyncFailureDestination(fn.name, fn.alias, call));
  if (!asyncTarget) return null;
  const depth = await sources.queues.getDepth(asyncTarget, call);
  return { kind: 'async-invoke', depth, sourceQueueArn: undefined };
}

function sqsArnOrUndefined(arn: string | undefined): string | undefined {
  return arn?.startsWith('arn:') && arn.split(':')[2] === 'sqs' ? arn : undefined;
}

export function parseDeploymentGroupTag(value: string | undefined): { application: string; group: string } | null {
  if (!value) return null;
  const slash = value.indexOf('/');
  if (slash <= 0 || slash === value.length - 1) return null;
  return { application: value.slice(0, slash), group: value.slice(slash + 1) };
}
