import { recordCall } from '../../src/calls';
import { ErrorCode, GofnError } from '../../src/errors';
import type {
  ColdStartStats,
  DeploymentInfo,
  DeploymentTarget,
  DownstreamStats,
  ErrorTraceStats,
  FunctionInfo,
  FunctionMetrics,
  QueueDepth,
  Sources,
  WindowMetrics,
} from '../../src/ports';

/**
 * A hand-built Sources for unit tests of checks and the engine: a healthy function by default,
 * every piece overridable, every method counting its calls so tests can assert sharing.
 */
export interface FakeData {
  fn: Partial<FunctionInfo>;
  current: Partial<WindowMetrics>;
  previous: Partial<WindowMetrics>;
  throttleSeries: { at: Date; value: number }[];
  coldStarts: Partial<ColdStartStats>;
  downstream: DownstreamStats[];
  downstreamPrevious: DownstreamStats[];
  /** The rest of the current service graph: whether it held the function, and a partial read. */
  graph: { functionFound?: boolean; partial?: string };
  errorTraces: Partial<ErrorTraceStats>;
  deployments: DeploymentInfo[];
  /** What BatchGetDeploymentTargets says each deployment moves. */
  deploymentTargets: DeploymentTarget[];
  /** The alias's Invocations and Errors over both windows, and per version. */
  timeline: FunctionMetrics['timeline'];
  byVersion: FunctionMetrics['byVersion'];
  periodSeconds: number;
  sqsSource: { sourceArn: string; dlqArn: string; qualifier?: string; fifo?: boolean } | undefined;
  /** The alias's OnFailure destination (EventInvokeConfig). */
  onFailure: string | undefined;
  dlqDepth: Partial<QueueDepth>;
  unreserved: number;
  /** What GetFunctionConcurrency answers: a reservation, or null for none. Default 100. */
  reservedConcurrency: number | null;
  /** Make a port method reject (or hang with 'hang'). */
  fail: Partial<Record<string, GofnError | 'hang'>>;
}

export const NOW = new Date('2026-11-26T15:05:30Z');

export function fakeFunction(overrides: Partial<FunctionInfo> = {}): FunctionInfo {
  return {
    name: 'orders-api',
    arn: 'arn:aws:lambda:us-east-1:123456789012:function:orders-api',
    region: 'us-east-1',
    accountId: '123456789012',
    alias: 'live',
    version: '42',
    versionModifiedAt: new Date(NOW.getTime() - 3 * 86_400_000),
    routing: {},
    runtime: 'provided.al2023',
    architectures: ['arm64'],
    memoryMb: 512,
    timeoutSeconds: 10,
    deadLetterTargetArn: undefined,
    logGroup: '/aws/lambda/orders-api',
    logFormat: 'Text',
    systemLogLevel: undefined,
    tracingMode: 'Active',
    tags: { 'gofn:managed': 'true' },
    ...overrides,
  };
}

function windowMetrics(values: Partial<WindowMetrics>): WindowMetrics {
  return {
    invocations: 10_000,
    errors: 5,
    throttles: 0,
    peakConcurrency: 20,
    durationP50Ms: 40,
    durationP95Ms: 90,
    durationP99Ms: 150,
    ...values,
  };
}

export interface FakeSources extends Sources {
  calls: Map<string, number>;
}

export function fakeSources(data: Partial<FakeData> = {}): FakeSources {
  const calls = new Map<string, number>();
  const fail = data.fail ?? {};
  const call = async <T>(name: string, value: () => T, signal?: AbortSignal): Promise<T> => {
    calls.set(name, (calls.get(name) ?? 0) + 1);
    recordCall('Fake', name);
    const failure = fail[name];
    if (failure === 'hang') {
      return new Promise<T>((_, reject) => {
        signal?.addEventListener('abort', () => reject(new GofnError(ErrorCode.Timeout, `${name} timed out`)), {
          once: true,
        });
      });
    }
    if (failure) throw failure;
    return value();
  };
  const fn = fakeFunction(data.fn);

  return {
    kind: 'simulated',
    region: 'us-east-1',
    calls,
    functions: {
      getFunction: (name, alias, opts) =>
        call(
          'getFunction',
          () => {
            if (name !== fn.name) throw new GofnError(ErrorCode.NotFound, `Function not found: ${name}`);
            return { ...fn, alias };
          },
          opts?.signal,
        ),
      listFunctionNames: () => call('listFunctionNames', () => [fn.name, 'catalog-api']),
      listEventSources: (_name, opts) =>
        call(
          'listEventSources',
          () =>
            data.sqsSource
              ? [
                  {
                    uuid: 'u-1',
                    sourceArn: data.sqsSource.sourceArn,
                    service: 'sqs',
                    state: 'Enabled',
                    qualifier: data.sqsSource.qualifier,
                  },
                ]
              : [],
          opts?.signal,
        ),
      getAsyncFailureDestination: (_n, _a, opts) =>
        call('getAsyncFailureDestination', () => data.onFailure, opts?.signal),
      getReservedConcurrency: (_name, opts) =>
        call(
          'getReservedConcurrency',
          () => (data.reservedConcurrency === undefined ? 100 : (data.reservedConcurrency ?? undefined)),
          opts?.signal,
        ),
      getAccountConcurrency: (opts) =>
        call('getAccountConcurrency', () => ({ limit: 1000, unreserved: data.unreserved ?? 750 }), opts?.signal),
      listVersions: (_n, opts) =>
        call(
          'listVersions',
          () => ['42', '41', '40'].map((version) => ({ version, modifiedAt: undefined, description: undefined })),
          opts?.signal,
        ),
      managedFunctionPages: async function* () {
        yield [{ name: fn.name, arn: fn.arn, tags: fn.tags }];
      },
    },
    metrics: {
      getFunctionMetrics: (_q, opts): Promise<FunctionMetrics> =>
        call(
          'getFunctionMetrics',
          () => ({
            current: windowMetrics(data.current ?? {}),
            previous: windowMetrics(data.previous ?? {}),
            series: { invocations: [], errors: [], throttles: data.throttleSeries ?? [], concurrency: [] },
            periodSeconds: data.periodSeconds ?? 60,
            missing: [],
            timeline: data.timeline ?? { invocations: [], errors: [] },
            byVersion: data.byVersion ?? {},
          }),
          opts?.signal,
        ),
      getFleetMetrics: (targets, _w, opts) =>
        call(
          'getFleetMetrics',
          () =>
            new Map(
              targets.map((t) => [
                t.functionName,
                {
                  served: true,
                  metrics: {
                    invocations: 100,
                    errors: 0,
                    throttles: 0,
                    durationP99Ms: 100,
                    peakConcurrency: 2,
                    deadLetterMessages: t.deadLetterQueue ? 0 : undefined,
                    previous: { invocations: 100, durationP99Ms: 100, peakConcurrency: 2 },
                    missing: [],
                  },
                },
              ]),
            ),
          opts?.signal,
        ),
    },
    logs: {
      getColdStarts: (_q, opts) =>
        call(
          'getColdStarts',
          () => ({
            current: { invocations: 10_000, coldStarts: 100, initAvgMs: 250, initMaxMs: 400 },
            previous: { invocations: 10_000, coldStarts: 90, initAvgMs: 240, initMaxMs: 380 },
            queryString: 'filter @type = "REPORT"',
            ...data.coldStarts,
          }),
          opts?.signal,
        ),
    },
    traces: {
      getDownstream: (q, opts) =>
        call(
          'getDownstream',
          () =>
            q.window.end.getTime() <= NOW.getTime() - 3_000_000
              ? { services: data.downstreamPrevious ?? [], functionFound: true, partial: undefined }
              : {
                  services: data.downstream ?? [],
                  // X-Ray has a node for a traced function that ran in the window, none otherwise.
                  functionFound: data.graph?.functionFound ?? windowMetrics(data.current ?? {}).invocations > 0,
                  partial: data.graph?.partial,
                },
          opts?.signal,
        ),
      getErrorTraces: (_q, opts) =>
        call(
          'getErrorTraces',
          () => ({
            tracesWithError: 0,
            tracesWithFault: 0,
            topMessages: [],
            samples: [],
            truncated: false,
            ...data.errorTraces,
          }),
          opts?.signal,
        ),
    },
    deploys: {
      listRecentDeployments: (_g, _since, opts) =>
        call('listRecentDeployments', () => data.deployments ?? [], opts?.signal),
      getLambdaTarget: (id, _fn, opts) =>
        call('getLambdaTarget', () => data.deploymentTargets?.find((t) => t.deploymentId === id), opts?.signal),
    },
    queues: {
      getRedriveTarget: (arn, opts) =>
        call(
          'getRedriveTarget',
          () =>
            data.sqsSource && arn === data.sqsSource.sourceArn
              ? { deadLetterArn: data.sqsSource.dlqArn, maxReceiveCount: 3, fifo: data.sqsSource.fifo === true }
              : undefined,
          opts?.signal,
        ),
      getDepth: (arn, opts) =>
        call(
          'getDepth',
          () => ({
            arn,
            name: arn.split(':').pop() ?? arn,
            visible: 0,
            inFlight: 0,
            fifo: arn.endsWith('.fifo'),
            ...data.dlqDepth,
          }),
          opts?.signal,
        ),
    },
  };
}
