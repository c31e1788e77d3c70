import { ErrorCode, GofnError } from '../errors';
import { ACTIVE_DEPLOYMENT_STATUSES } from '../ports';
import { MINIMUM_UNRESERVED_CONCURRENCY, SimulatedFleet } from './fleet';
import type { SimulatedDeployment, SimulatedFunction, SimulatedQueue } from './fleet';
import { formatPath } from '../format';
import { invalidFileError, FORMAT_HINT } from './issues';
import type { Problem } from './issues';
import { randomUuid, seededRandom } from './random';
import type { FunctionSpec, QueueSpec, ScenarioFile } from './schema';
import { FunctionSignals, type CanarySignals } from './signals';
import { resolveTime } from './time';
import { API_TAG } from '../api-tag';
import type { TimeRef } from './time';

/**
 * Builds one fleet from validated scenario files: resolves relative times against `now`, checks
 * what a schema cannot (an alias pointing at a listed version, an incident ending after it
 * starts, names unique across files) and creates the mutable state the ports serve.
 */

export interface ParsedScenario {
  /** As the caller named it, for messages. */
  file: string;
  scenario: ScenarioFile;
}

const DEFAULT_REGION = 'us-east-1';
const DEFAULT_ACCOUNT_ID = '123456789012';
const DEFAULT_ACCOUNT_CONCURRENCY_LIMIT = 1000;

export function buildFleet(parsed: readonly ParsedScenario[], now: Date): SimulatedFleet {
  const account = mergeAccountSettings(parsed);
  const functions: SimulatedFunction[] = [];
  const queues: SimulatedQueue[] = [];
  const deployments: SimulatedDeployment[] = [];
  const declared = new Declarations();

  for (const { file, scenario } of parsed) {
    scenario.functions.forEach((spec, index) => {
      const at = `functions[${index}]`;
      const problems = checkFunction(spec, now).map((p) => ({ ...p, path: p.path ? `${at}.${p.path}` : at }));
      if (problems.length > 0) throw invalidFileError(file, problems);

      declared.claim('Function', spec.name, file, at);
      const queueArnOf = (name: string) => `arn:aws:sqs:${account.region}:${account.accountId}:${name}`;
      const addQueue = (q: QueueSpec, path: string, redrive?: SimulatedQueue['redrive']) => {
        declared.claim('Queue', q.queue, file, `${at}.${path}`);
        queues.push({
          name: q.queue,
          arn: queueArnOf(q.queue),
          visible: q.messages,
          inFlight: q.inFlight,
          samples: [...q.samples],
          held: new Map(),
          served: 0,
          redrive,
          declaredBy: spec.name,
        });
      };
      if (spec.deadLetter) addQueue(spec.deadLetter, 'deadLetter');
      if (spec.onFailure) addQueue(spec.onFailure, 'onFailure');
      const source = spec.eventSource;
      if (source) {
        if (source.deadLetter) addQueue(source.deadLetter, 'eventSource.deadLetter');
        const redrive = source.deadLetter
          ? { deadLetterArn: queueArnOf(source.deadLetter.queue), maxReceiveCount: source.maxReceiveCount }
          : undefined;
        addQueue(source, 'eventSource', redrive);
      }
      if (spec.codeDeploy) {
        const { application, group } = spec.codeDeploy;
        declared.claim('CodeDeploy deployment group', `${application}/${group}`, file, `${at}.codeDeploy`);
        spec.codeDeploy.deployments.forEach((d, i) => {
          deployments.push({
            id: d.id ?? deploymentId(spec.name, i),
            application,
            group,
            status: d.status,
            configName: d.config,
            createdAt: resolveTime(d.created, now),
            completedAt: d.completed ? resolveTime(d.completed, now) : undefined,
            currentVersion: d.currentVersion,
            targetVersion: d.targetVersion,
          });
        });
      }
      functions.push(simulatedFunction(spec, file, now, account, queueArnOf));
    });
  }

  const reserved = functions.reduce((sum, fn) => sum + (fn.reservedConcurrency ?? 0), 0);
  if (account.concurrencyLimit - reserved < MINIMUM_UNRESERVED_CONCURRENCY) {
    throw new GofnError(
      ErrorCode.InvalidFile,
      `The scenario files (${parsed.map((p) => p.file).join(', ')}) reserve ${reserved} of the account's ` +
        `concurrency limit of ${account.concurrencyLimit}; Lambda keeps at least ${MINIMUM_UNRESERVED_CONCURRENCY} unreserved.`,
      { hint: 'Lower a reservedConcurrency or raise accountConcurrencyLimit.' },
    );
  }

  return new SimulatedFleet({
    now,
    region: account.region,
    accountId: account.accountId,
    accountConcurrencyLimit: account.concurrencyLimit,
    functions,
    queues,
    deployments,
    sourceFiles: parsed.map((p) => p.file),
    billing: { costExplorer: account.costExplorer, computeOptimizer: account.computeOptimizer },
  });
}

// ---------------------------------------------------------------- across files

interface AccountSettings {
  region: string;
  accountId: string;
  concurrencyLimit: number;
  costExplorer: ScenarioFile['costExplorer'];
  computeOptimizer: 'opted-in' | 'not-opted-in';
}

/** Files that leave a setting out take the others'; files that set it must agree. */
function mergeAccountSettings(parsed: readonly ParsedScenario[]): AccountSettings {
  const pick = <T>(what: string, read: (s: ScenarioFile) => T | undefined, fallback: T): T => {
    let chosen: { value: T; file: string } | undefined;
    for (const { file, scenario } of parsed) {
      const value = read(scenario);
      if (value === undefined) continue;
      if (chosen && JSON.stringify(chosen.value) !== JSON.stringify(value)) {
        const shown = (v: T) => (typeof v === 'object' ? JSON.stringify(v) : String(v));
        throw new GofnError(
          ErrorCode.InvalidFile,
          `Scenario files ${chosen.file} and ${file} disagree on ${what}: ${shown(chosen.value)} and ${shown(value)}.`,
          { hint: 'Files merged into one fleet must describe the same account and region.' },
        );
      }
      chosen ??= { value, file };
    }
    return chosen?.value ?? fallback;
  };
  return {
    region: pick('region', (s) => s.region, DEFAULT_REGION),
    accountId: pick('accountId', (s) => s.accountId, DEFAULT_ACCOUNT_ID),
    concurrencyLimit: pick(
      'accountConcurrencyLimit',
      (s) => s.accountConcurrencyLimit,
      DEFAULT_ACCOUNT_CONCURRENCY_LIMIT,
    ),
    costExplorer: pick<ScenarioFile['costExplorer']>('costExplorer', (s) => s.costExplorer, undefined),
    computeOptimizer: pick('computeOptimizer', (s) => s.computeOptimizer, 'not-opted-in'),
  };
}

/** Names that must be unique in the fleet, and where each was declared first. */
class Declarations {
  private readonly seen = new Map<string, { file: string; path: string }>();

  claim(kind: string, name: string, file: string, path: string): void {
    const key = `${kind}\u0000${name}`;
    const earlier = this.seen.get(key);
    if (earlier) {
      const places =
        earlier.file === file
          ? `twice in ${file} (${earlier.path} and ${path})`
          : `in both ${earlier.file} (${earlier.path}) and ${file} (${path})`;
      throw new GofnError(ErrorCode.InvalidFile, `${kind} ${name} is declared ${places}.`, {
        hint: `Names must be unique across the scenario files of one fleet. ${FORMAT_HINT}`,
      });
    }
    this.seen.set(key, { file, path });
  }
}

// ---------------------------------------------------------------- one function

function simulatedFunction(
  spec: FunctionSpec,
  file: string,
  now: Date,
  account: AccountSettings,
  queueArn: (name: string) => string,
): SimulatedFunction {
  const versions = spec.versions
    .map((v) => ({ version: v.version, publishedAt: resolveTime(v.publishedAt, now), description: v.description }))
    .sort((a, b) => Number(a.version) - Number(b.version));
  const firstPublished = Math.min(...versions.map((v) => v.publishedAt.getTime()));
  const random = seededRandom(spec.name, 'event-source');
  return {
    name: spec.name,
    arn: `arn:aws:lambda:${account.region}:${account.accountId}:function:${spec.name}`,
    sourceFile: file,
    description: spec.description,
    tags: { ...(spec.api ? { [API_TAG]: apiTagValue(spec.api) } : {}), ...spec.tags },
    runtime: spec.runtime,
    architecture: spec.architecture,
    memoryMb: spec.memoryMb,
    timeoutSeconds: spec.timeoutSeconds,
    reservedConcurrency: spec.reservedConcurrency,
    logGroup: spec.logging.logGroup ?? `/aws/lambda/${spec.name}`,
    logFormat: spec.logging.format,
    systemLogLevel: spec.logging.systemLogLevel,
    tracingMode: spec.tracing,
    versions,
    aliases: new Map(
      Object.entries(spec.aliases).map(([name, target]) => [
        name,
        { name, version: target.version, routing: { ...target.routing }, revision: 1 },
      ]),
    ),
    deadLetterArn: spec.deadLetter ? queueArn(spec.deadLetter.queue) : undefined,
    onFailureArn: spec.onFailure ? queueArn(spec.onFailure.queue) : undefined,
    eventSources: [
      ...(spec.eventSource
        ? [
            {
              uuid: randomUuid(random),
              queueArn: queueArn(spec.eventSource.queue),
              service: 'sqs' as const,
              state: spec.eventSource.state,
              qualifier: spec.eventSource.boundTo,
              stateTransitionReason: spec.eventSource.stateTransitionReason,
              lastProcessingResult: undefined,
              maximumConcurrency: spec.eventSource.maximumConcurrency,
              oldestMessageAgeSeconds: spec.eventSource.oldestMessageAgeSeconds,
              iteratorAgeMs: 0,
            },
          ]
        : []),
      ...(spec.streamSource
        ? [
            {
              uuid: randomUuid(seededRandom(spec.name, 'stream-source')),
              queueArn: streamArn(spec.streamSource, account),
              service: spec.streamSource.service,
              state: spec.streamSource.state,
              qualifier: undefined,
              stateTransitionReason: spec.streamSource.stateTransitionReason,
              lastProcessingResult: spec.streamSource.lastProcessingResult,
              maximumConcurrency: undefined,
              oldestMessageAgeSeconds: 0,
              iteratorAgeMs: spec.streamSource.iteratorAgeMs,
            },
          ]
        : []),
    ],
    environment: { ...spec.environment },
    api: spec.api
      ? {
          type: spec.api.type,
          name: spec.api.name,
          stage: spec.api.stage,
          requests: spec.api.requests,
          errors4xx: spec.api.errors4xx,
          errors5xx: spec.api.errors5xx,
          latencyP99Ms: spec.api.latencyP99Ms,
          integrationLatencyP99Ms: spec.api.integrationLatencyP99Ms,
        }
      : undefined,
    customMetrics: spec.customMetrics.map((m) => ({ ...m, dimensions: { ...m.dimensions }, previous: m.previous })),
    insightsRows: spec.insightsRows.map((row) =>
      Object.fromEntries(Object.entries(row).map(([k, v]) => [k, String(v)])),
    ),
    codeDeploy: spec.codeDeploy
      ? { application: spec.codeDeploy.application, group: spec.codeDeploy.group, alias: spec.codeDeploy.alias }
      : undefined,
    signals: new FunctionSignals({
      functionName: spec.name,
      baseline: spec.metrics.baseline,
      incidents: spec.metrics.incidents.map((incident) => ({
        fromMs: resolveTime(incident.from, now).getTime(),
        toMs: incident.to ? resolveTime(incident.to, now).getTime() : undefined,
        rampMs: incident.ramp ?? 0,
        set: incident.set,
      })),
      noise: spec.metrics.noise,
      dataFromMs: firstPublished,
      dataUntilMs: now.getTime(),
      reservedConcurrency: spec.reservedConcurrency,
      canary: canaryOf(spec, versions, now),
    }),
    faults: { ...spec.faults },
    cost: {
      ...spec.cost,
      provisionedConcurrency: spec.cost.provisionedConcurrency
        ? {
            alias: spec.cost.provisionedConcurrency.alias,
            count: spec.cost.provisionedConcurrency.count,
            since: spec.cost.provisionedConcurrency.since
              ? resolveTime(spec.cost.provisionedConcurrency.since, now)
              : undefined,
          }
        : undefined,
    },
  };
}

/**
 * The weighted alias's telemetry split: the routed version takes its weight of the traffic from
 * `canary.since`, else from the start of the active deployment moving it, else from its publication.
 */
function canaryOf(
  spec: FunctionSpec,
  versions: { version: string; publishedAt: Date }[],
  now: Date,
): CanarySignals | undefined {
  const routed = Object.values(spec.aliases).find((target) => Object.keys(target.routing).length > 0);
  const [entry] = Object.entries(routed?.routing ?? {});
  if (!routed || !entry) return undefined;
  const [version, weight] = entry;
  const deployment = spec.codeDeploy?.deployments
    .filter((d) => d.targetVersion === version && ACTIVE_DEPLOYMENT_STATUSES.has(d.status))
    .map((d) => resolveTime(d.created, now))
    .sort((a, b) => b.getTime() - a.getTime())[0];
  const since = routed.canary?.since
    ? resolveTime(routed.canary.since, now)
    : (deployment ?? versions.find((v) => v.version === version)?.publishedAt ?? now);
  return { version, stableVersion: routed.version, weight, fromMs: since.getTime(), set: routed.canary?.set ?? {} };
}

/** What the schema cannot see: references between parts of the function and the order of times. */
function checkFunction(spec: FunctionSpec, now: Date): Problem[] {
  const problems: Problem[] = [];
  const problem = (path: (string | number)[], expected: string) => problems.push({ path: formatPath(path), expected });
  const versions = new Set<string>();
  spec.versions.forEach((v, i) => {
    if (versions.has(v.version)) problem(['versions', i, 'version'], `version ${v.version} is listed twice`);
    versions.add(v.version);
  });
  const listed = [...versions].join(', ');
  const requireVersion = (path: (string | number)[], version: string) => {
    if (!versions.has(version)) problem(path, `expected a version listed under versions (${listed}), got ${version}`);
  };

  const weighted = Object.entries(spec.aliases).filter(([, target]) => Object.keys(target.routing).length > 0);
  if (weighted.length > 1) {
    problem(
      ['aliases', weighted[1]![0], 'routing'],
      `expected weighted routing on one alias only (${weighted[0]![0]} has it): the simulated telemetry is per function`,
    );
  }
  for (const [name, target] of Object.entries(spec.aliases)) {
    requireVersion(['aliases', name], target.version);
    const extra = Object.entries(target.routing);
    if (extra.length > 1)
      problem(['aliases', name, 'routing'], 'expected at most one additional version (Lambda allows one)');
    for (const [version, weight] of extra) {
      requireVersion(['aliases', name, 'routing', version], version);
      if (version === target.version)
        problem(['aliases', name, 'routing', version], 'expected a version other than the primary');
      if (weight >= 1) problem(['aliases', name, 'routing', version], `expected a weight below 1, got ${weight}`);
    }
    if (target.canary && extra.length === 0) {
      problem(['aliases', name, 'canary'], 'expected routing to an additional version for the canary to run');
    }
    if (target.canary?.since && timeOf(target.canary.since, now) > now.getTime()) {
      problem(['aliases', name, 'canary', 'since'], 'expected a time no later than now');
    }
  }

  const provisioned = spec.cost.provisionedConcurrency;
  if (provisioned && !(provisioned.alias in spec.aliases)) {
    problem(
      ['cost', 'provisionedConcurrency', 'alias'],
      `expected an alias of the function (${Object.keys(spec.aliases).join(', ')}), got ${provisioned.alias}`,
    );
  }
  const peak = spec.cost.maxMemoryUsedMb;
  if (peak !== undefined && peak > spec.memoryMb) {
    problem(['cost', 'maxMemoryUsedMb'], `expected at most memoryMb (${spec.memoryMb}), got ${peak}`);
  }

  const { baseline, incidents } = spec.metrics;
  const { p50, p95, p99 } = baseline.duration;
  if (!(p50 <= p95 && p95 <= p99)) {
    problem(['metrics', 'baseline', 'duration'], `expected p50 <= p95 <= p99, got ${p50}, ${p95}, ${p99}`);
  }
  if (baseline.initDuration.avg > baseline.initDuration.max) {
    problem(['metrics', 'baseline', 'initDuration'], 'expected avg <= max');
  }
  incidents.forEach((incident, i) => {
    if (incident.to && timeOf(incident.to, now) <= timeOf(incident.from, now)) {
      problem(['metrics', 'incidents', i, 'to'], 'expected a time after `from`');
    }
    for (const name of Object.keys(incident.set.downstream ?? {})) {
      if (!(name in baseline.downstream)) {
        const known = Object.keys(baseline.downstream).join(', ') || 'none';
        problem(
          ['metrics', 'incidents', i, 'set', 'downstream', name],
          `expected a service of metrics.baseline.downstream (${known})`,
        );
      }
    }
  });

  const source = spec.eventSource;
  if (source?.deadLetter && source.deadLetter.queue === source.queue) {
    problem(['eventSource', 'deadLetter', 'queue'], 'expected a queue other than the source queue');
  }
  if (source?.deadLetter && source.deadLetter.queue.endsWith('.fifo') !== source.queue.endsWith('.fifo')) {
    // SQS: the dead-letter queue of a FIFO queue must be a FIFO queue, and of a standard queue a standard one.
    problem(
      ['eventSource', 'deadLetter', 'queue'],
      'expected a queue of the same type (FIFO or standard) as the source queue',
    );
  }
  if (source?.boundTo !== undefined && !(source.boundTo in spec.aliases) && !versions.has(source.boundTo)) {
    problem(
      ['eventSource', 'boundTo'],
      `expected one of the function's aliases (${Object.keys(spec.aliases).join(', ')}) or versions (${listed})`,
    );
  }
  if (spec.codeDeploy && !(spec.codeDeploy.alias in spec.aliases)) {
    problem(
      ['codeDeploy', 'alias'],
      `expected one of the function's aliases (${Object.keys(spec.aliases).join(', ')})`,
    );
  }
  spec.codeDeploy?.deployments.forEach((d, i) => {
    requireVersion(['codeDeploy', 'deployments', i, 'currentVersion'], d.currentVersion);
    requireVersion(['codeDeploy', 'deployments', i, 'targetVersion'], d.targetVersion);
    if (d.completed && timeOf(d.completed, now) < timeOf(d.created, now)) {
      problem(['codeDeploy', 'deployments', i, 'completed'], 'expected a time after `created`');
    }
  });
  return problems;
}

/** The ARN of a Kinesis stream, or of the stream of a DynamoDB table. */
function streamArn(source: { service: 'kinesis' | 'dynamodb'; name: string }, account: AccountSettings): string {
  const base = `arn:aws:${source.service}:${account.region}:${account.accountId}`;
  return source.service === 'kinesis'
    ? `${base}:stream/${source.name}`
    : `${base}:table/${source.name}/stream/2026-01-01T00:00:00.000`;
}

/** The gofn:api tag a function with an `api` carries, unless the scenario tags it itself. */
function apiTagValue(api: { type: string; name: string; stage?: string | undefined }): string {
  return [api.type, api.name, ...(api.stage ? [api.stage] : [])].join('/');
}

function timeOf(ref: TimeRef, now: Date): number {
  return resolveTime(ref, now).getTime();
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A stable CodeDeploy-shaped ID for deployments the scenario did not name. */
function deploymentId(functionName: string, index: number): string {
  const random = seededRandom(functionName, 'deployment', index);
  let id = 'd-';
  for (let i = 0; i < 9; i++) id += ID_ALPHABET[Math.floor(random() * ID_ALPHABET.length)];
  return id;
}
