import { ErrorCode, GofnError } from '../errors';
import { ACTIVE_DEPLOYMENT_STATUSES, type QueueMessage } from '../ports';
import { addMessages, deleteMessages, receiveMessages, transferMessages } from './messages';
import type { MessageState } from './messages';
import type { CostExplorerSpec, CostSpec, FaultCode, FaultSource, Rate } from './schema';
import type { FunctionSignals } from './signals';

/**
 * The state of a simulated fleet: what the scenario files described, resolved against one `now`.
 * The ports read it; actions (alias moves, reserved concurrency, DLQ redrives) change it through
 * the methods of SimulatedFleet, so a diagnosis after an action sees the new state.
 */

export interface SimulatedVersion {
  version: string;
  publishedAt: Date;
  description: string | undefined;
}

export interface SimulatedAlias {
  name: string;
  version: string;
  /** Additional version weights, e.g. {"43": 0.1}. */
  routing: Record<string, number>;
  /** Counts changes, like Lambda's RevisionId, so a stale update can be told from a fresh one. */
  revision: number;
}

export interface SimulatedQueue extends MessageState {
  arn: string;
  redrive: { deadLetterArn: string; maxReceiveCount: number } | undefined;
  /** The function whose scenario declared the queue: its `faults.queues` applies. */
  declaredBy: string;
}

export interface SimulatedEventSource {
  uuid: string;
  /** The source's ARN: an SQS queue, a Kinesis stream or a DynamoDB table's stream. */
  queueArn: string;
  service: 'sqs' | 'kinesis' | 'dynamodb';
  state: string;
  /** The alias or version the mapping invokes; undefined for the function itself. */
  qualifier: string | undefined;
  stateTransitionReason: string | undefined;
  lastProcessingResult: string | undefined;
  maximumConcurrency: number | undefined;
  /** SQS: ApproximateAgeOfOldestMessage now, in seconds. */
  oldestMessageAgeSeconds: number;
  /** Streams: IteratorAge (Maximum) over the window, in ms. */
  iteratorAgeMs: number;
}

/** The API in front of a function, and what API Gateway measured (per minute levels). */
export interface SimulatedApi {
  type: 'rest' | 'http';
  name: string;
  stage: string | undefined;
  requests: number | undefined;
  errors4xx: Rate;
  errors5xx: Rate;
  latencyP99Ms: number;
  integrationLatencyP99Ms: number;
}

export interface SimulatedCustomMetric {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  value: number;
  previous: number | undefined;
}

export interface SimulatedDeployment {
  id: string;
  application: string;
  group: string;
  status: string;
  configName: string;
  createdAt: Date;
  completedAt: Date | undefined;
  currentVersion: string;
  targetVersion: string;
}

export interface DeploymentGroupKey {
  application: string;
  group: string;
}

export interface SimulatedDeploymentGroup extends DeploymentGroupKey {
  /** The alias the group's deployments move. */
  alias: string;
}

export interface SimulatedMoveTask {
  taskHandle: string;
  sourceArn: string;
  destinationArn: string;
  status: 'COMPLETED';
  moved: number;
  toMove: number;
  startedAt: Date;
}

export interface AsyncInvocation {
  functionName: string;
  qualifier: string;
  payload: string;
}

export interface SimulatedFunction {
  name: string;
  arn: string;
  /** The scenario file that declared the function, for messages. */
  sourceFile: string;
  description: string | undefined;
  tags: Record<string, string>;
  runtime: string;
  architecture: string;
  memoryMb: number;
  timeoutSeconds: number;
  reservedConcurrency: number | undefined;
  logGroup: string;
  /** LoggingConfig.LogFormat: `Text` or `JSON`. */
  logFormat: string;
  /** LoggingConfig.SystemLogLevel, JSON format only. */
  systemLogLevel: string | undefined;
  /** TracingConfig.Mode: `Active` or `PassThrough`. */
  tracingMode: string;
  /** Oldest first. */
  versions: SimulatedVersion[];
  aliases: Map<string, SimulatedAlias>;
  deadLetterArn: string | undefined;
  onFailureArn: string | undefined;
  eventSources: SimulatedEventSource[];
  codeDeploy: SimulatedDeploymentGroup | undefined;
  /** Environment variables as GetFunction returns them (the diagnosis reads GOMEMLIMIT only). */
  environment: Record<string, string>;
  api: SimulatedApi | undefined;
  customMetrics: SimulatedCustomMetric[];
  /** What any runbook Logs Insights step on the function's log group answers. */
  insightsRows: Record<string, string>[];
  /** The per-minute telemetry the function produced. History: actions do not rewrite it. */
  signals: FunctionSignals;
  faults: Partial<Record<FaultSource, FaultCode>>;
  /** What `gofn cost` sees beyond the traffic, with the provisioned concurrency's start resolved. */
  cost: SimulatedCostSpec;
}

export interface SimulatedCostSpec extends Omit<CostSpec, 'provisionedConcurrency'> {
  provisionedConcurrency: { alias: string; count: number; since: Date | undefined } | undefined;
}

/** The account's billing services, as `gofn cost` asks them. */
export interface SimulatedBilling {
  /** Undefined: Cost Explorer was never enabled. */
  costExplorer: CostExplorerSpec | undefined;
  computeOptimizer: 'opted-in' | 'not-opted-in';
}

export interface FleetInit {
  now: Date;
  region: string;
  accountId: string;
  accountConcurrencyLimit: number;
  functions: SimulatedFunction[];
  queues: SimulatedQueue[];
  deployments: SimulatedDeployment[];
  sourceFiles: string[];
  /** Wall clock for message visibility timeouts, which run in real time; default Date.now. */
  clock?: () => number;
  /** Cost Explorer and Compute Optimizer; default neither enabled. */
  billing?: SimulatedBilling;
}

/** Lambda always keeps this much of the account's concurrency unreserved. */
export const MINIMUM_UNRESERVED_CONCURRENCY = 100;

export class SimulatedFleet {
  /** The simulation's present: telemetry ends here, relative times in the files are from here. */
  readonly now: Date;
  readonly region: string;
  readonly accountId: string;
  readonly accountConcurrencyLimit: number;
  readonly sourceFiles: readonly string[];
  readonly billing: SimulatedBilling;
  private readonly functions = new Map<string, SimulatedFunction>();
  private readonly queues = new Map<string, SimulatedQueue>();
  private readonly deployments: SimulatedDeployment[];
  private readonly moveTasks: SimulatedMoveTask[] = [];
  private readonly invocations: AsyncInvocation[] = [];
  private readonly clock: () => number;

  constructor(init: FleetInit) {
    this.clock = init.clock ?? Date.now;
    this.now = new Date(init.now.getTime());
    this.region = init.region;
    this.accountId = init.accountId;
    this.accountConcurrencyLimit = init.accountConcurrencyLimit;
    this.sourceFiles = [...init.sourceFiles];
    this.billing = init.billing ?? { costExplorer: undefined, computeOptimizer: 'not-opted-in' };
    for (const fn of init.functions) this.functions.set(fn.name, fn);
    for (const queue of init.queues) this.queues.set(queue.arn, queue);
    this.deployments = [...init.deployments];
  }

  // ---------------------------------------------------------------- reading

  /** Sorted, so listings are stable. */
  functionNames(): string[] {
    return [...this.functions.keys()].sort();
  }

  findFunction(name: string): SimulatedFunction | undefined {
    return this.functions.get(name);
  }

  /** The function, or NotFound with the sentence Lambda's absence deserves. */
  requireFunction(name: string): SimulatedFunction {
    const fn = this.functions.get(name);
    if (!fn) {
      throw new GofnError(ErrorCode.NotFound, `No function "${name}" in ${this.region} (account ${this.accountId}).`);
    }
    return fn;
  }

  findFunctionByLogGroup(logGroup: string): SimulatedFunction | undefined {
    for (const fn of this.functions.values()) if (fn.logGroup === logGroup) return fn;
    return undefined;
  }

  findQueue(arn: string): SimulatedQueue | undefined {
    return this.queues.get(arn);
  }

  requireQueue(arn: string): SimulatedQueue {
    const queue = this.queues.get(arn);
    if (!queue) {
      throw new GofnError(ErrorCode.NotFound, `No SQS queue ${arn} in ${this.region} (account ${this.accountId}).`);
    }
    return queue;
  }

  queueArn(name: string): string {
    return `arn:aws:sqs:${this.region}:${this.accountId}:${name}`;
  }

  /** Deployments of the group, newest first; undefined when the group does not exist. */
  deploymentsOf(group: DeploymentGroupKey): SimulatedDeployment[] | undefined {
    const owner = this.functionOfDeploymentGroup(group);
    if (!owner) return undefined;
    return this.deployments
      .filter((d) => d.application === group.application && d.group === group.group)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }

  functionOfDeploymentGroup(group: DeploymentGroupKey): SimulatedFunction | undefined {
    for (const fn of this.functions.values()) {
      if (fn.codeDeploy?.application === group.application && fn.codeDeploy.group === group.group) return fn;
    }
    return undefined;
  }

  /** UnreservedConcurrentExecutions: the account limit minus every function's reservation. */
  unreservedConcurrency(): number {
    let reserved = 0;
    for (const fn of this.functions.values()) reserved += fn.reservedConcurrency ?? 0;
    return this.accountConcurrencyLimit - reserved;
  }

  // ---------------------------------------------------------------- changing (for action ports)

  /** Points an alias at a version, replacing any weighted routing. */
  setAlias(functionName: string, aliasName: string, version: string, routing: Record<string, number> = {}): void {
    const fn = this.requireFunction(functionName);
    const alias = fn.aliases.get(aliasName);
    if (!alias) throw new GofnError(ErrorCode.NotFound, `Function ${functionName} has no alias "${aliasName}".`);
    for (const v of [version, ...Object.keys(routing)]) {
      if (!fn.versions.some((known) => known.version === v)) {
        throw new GofnError(ErrorCode.NotFound, `Function ${functionName} has no published version ${v}.`);
      }
    }
    alias.version = version;
    alias.routing = { ...routing };
    alias.revision += 1;
  }

  /** Sets or (with undefined) removes the reservation, keeping the unreserved minimum Lambda enforces. */
  setReservedConcurrency(functionName: string, value: number | undefined): void {
    const fn = this.requireFunction(functionName);
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
      throw new GofnError(
        ErrorCode.InvalidInput,
        `Reserved concurrency must be a whole number of 0 or more, not ${value}.`,
      );
    }
    const unreservedAfter = this.unreservedConcurrency() + (fn.reservedConcurrency ?? 0) - (value ?? 0);
    if (unreservedAfter < MINIMUM_UNRESERVED_CONCURRENCY) {
      throw new GofnError(
        ErrorCode.Conflict,
        `Reserving ${value ?? 0} for ${functionName} would leave ${unreservedAfter} unreserved; ` +
          `the account must keep at least ${MINIMUM_UNRESERVED_CONCURRENCY}.`,
      );
    }
    fn.reservedConcurrency = value;
  }

  /** The mapping with this UUID and the function it feeds. NotFound when there is none. */
  requireMapping(uuid: string): { fn: SimulatedFunction; mapping: SimulatedEventSource } {
    for (const fn of this.functions.values()) {
      const mapping = fn.eventSources.find((m) => m.uuid === uuid);
      if (mapping) return { fn, mapping };
    }
    throw new GofnError(
      ErrorCode.NotFound,
      `No event-source mapping ${uuid} in ${this.region} (account ${this.accountId}).`,
    );
  }

  /**
   * Turns a mapping on or off, or changes its MaximumConcurrency (null removes it). Lambda refuses
   * a cap outside 2–1,000, and a MaximumConcurrency on anything but an SQS source.
   */
  updateMapping(uuid: string, change: { enabled?: boolean; maximumConcurrency?: number | null }): SimulatedEventSource {
    const { mapping } = this.requireMapping(uuid);
    const cap = change.maximumConcurrency;
    if (cap !== undefined && cap !== null) {
      if (mapping.service !== 'sqs') {
        throw new GofnError(
          ErrorCode.InvalidInput,
          `MaximumConcurrency applies to SQS sources only, not ${mapping.service}.`,
        );
      }
      if (!Number.isInteger(cap) || cap < 2 || cap > 1000) {
        throw new GofnError(
          ErrorCode.InvalidInput,
          `MaximumConcurrency must be a whole number from 2 to 1000, not ${cap}.`,
        );
      }
    }
    if (cap !== undefined) mapping.maximumConcurrency = cap ?? undefined;
    if (change.enabled !== undefined) {
      mapping.state = change.enabled ? 'Enabled' : 'Disabled';
      mapping.stateTransitionReason = 'USER_INITIATED';
    }
    return mapping;
  }

  /**
   * Moves up to `limit` visible messages (all when omitted) from one queue to another, as an SQS
   * message-move task does. Returns how many moved.
   */
  moveMessages(fromArn: string, toArn: string, limit?: number): number {
    const from = this.requireQueue(fromArn);
    return transferMessages(from, this.requireQueue(toArn), limit ?? from.visible);
  }

  /** Up to 10 visible messages, held for `visibilitySeconds` of wall-clock time. */
  receiveMessages(queueArn: string, max: number, visibilitySeconds: number): QueueMessage[] {
    return receiveMessages(this.requireQueue(queueArn), max, visibilitySeconds, this.clock());
  }

  /** Deletes received messages; returns the receipt handles that were still held. */
  deleteMessages(queueArn: string, receiptHandles: readonly string[]): Set<string> {
    return deleteMessages(this.requireQueue(queueArn), receiptHandles, this.clock());
  }

  sendMessages(queueArn: string, bodies: readonly string[]): void {
    addMessages(this.requireQueue(queueArn), bodies);
  }

  /**
   * An SQS message-move task from a dead-letter queue. The simulation has no clock to run it
   * against, so it completes at once.
   */
  startMoveTask(sourceArn: string, destinationArn: string): SimulatedMoveTask {
    const source = this.requireQueue(sourceArn);
    this.requireQueue(destinationArn);
    const isDeadLetterQueue = [...this.queues.values()].some((q) => q.redrive?.deadLetterArn === sourceArn);
    if (!isDeadLetterQueue) {
      throw new GofnError(
        ErrorCode.Upstream,
        `SQS StartMessageMoveTask refused ${source.name}: the source queue must be the dead-letter queue of another queue.`,
      );
    }
    const toMove = source.visible;
    const task: SimulatedMoveTask = {
      taskHandle: `sim-move-${source.name}-${this.moveTasks.length + 1}`,
      sourceArn,
      destinationArn,
      status: 'COMPLETED',
      moved: this.moveMessages(sourceArn, destinationArn),
      toMove,
      startedAt: new Date(this.clock()),
    };
    this.moveTasks.push(task);
    return { ...task };
  }

  /** Message-move tasks of a source queue, newest first. */
  moveTasksOf(sourceArn: string): SimulatedMoveTask[] {
    return this.moveTasks
      .filter((t) => t.sourceArn === sourceArn)
      .reverse()
      .map((t) => ({ ...t }));
  }

  findDeployment(deploymentId: string): SimulatedDeployment | undefined {
    return this.deployments.find((d) => d.id === deploymentId);
  }

  /**
   * Stops a deployment that is still moving traffic, with rollback: CodeDeploy points the alias
   * back at the version it had before. Conflict when the deployment already finished.
   */
  stopDeployment(deploymentId: string): SimulatedDeployment {
    const deployment = this.findDeployment(deploymentId);
    if (!deployment) throw new GofnError(ErrorCode.NotFound, `CodeDeploy has no deployment ${deploymentId}.`);
    if (!ACTIVE_DEPLOYMENT_STATUSES.has(deployment.status)) {
      throw new GofnError(ErrorCode.Conflict, `Deployment ${deploymentId} already ended (${deployment.status}).`);
    }
    const owner = this.functionOfDeploymentGroup(deployment);
    if (owner?.codeDeploy) this.setAlias(owner.name, owner.codeDeploy.alias, deployment.currentVersion);
    deployment.status = 'Stopped';
    deployment.completedAt = new Date(this.now.getTime());
    return deployment;
  }

  recordAsyncInvocation(invocation: AsyncInvocation): void {
    this.invocations.push({ ...invocation });
  }

  /** Events handed to the function with InvocationType Event, oldest first. */
  asyncInvocationsOf(functionName: string): AsyncInvocation[] {
    return this.invocations.filter((i) => i.functionName === functionName).map((i) => ({ ...i }));
  }
}
