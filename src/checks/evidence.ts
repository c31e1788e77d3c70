import { describeError } from '../errors';
import { findFailureDestination, type DeadLetterQueue, type FailureDestination } from './dead-letter';
import type {
  AccountConcurrency,
  ColdStartStats,
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
}

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

  /** During a canary the same request breaks the alias down by version (stable and canary). */
  metrics(): Promise<FunctionMetrics> {
    const { sources, fn, window, previous } = this.options;
    const canary = Object.keys(fn.routing);
    const versions = canary.length > 0 ? [fn.version, ...canary] : undefined;
    return this.once('metrics', () =>
      sources.metrics.getFunctionMetrics(
        { functionName: fn.name, alias: fn.alias, window, previous, ...(versions ? { versions } : {}) },
        this.call,
      ),
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
    return this.once('dlq', () => findFailureDestination(sources, fn, this.call));
  }

  /** The function's dead-letter queue and its depth; null if none gofn can read is wired. */
  async deadLetterQueue(): Promise<DeadLetterQueue | null> {
    const found = await this.failureDestination();
    return found.found === 'queue' ? found.queue : null;
  }
}

export function parseDeploymentGroupTag(value: string | undefined): { application: string; group: string } | null {
  if (!value) return null;
  const slash = value.indexOf('/');
  if (slash <= 0 || slash === value.length - 1) return null;
  return { application: value.slice(0, slash), group: value.slice(slash + 1) };
}
