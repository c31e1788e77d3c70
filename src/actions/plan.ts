import { aliasOwner, DEPLOYMENT_GROUP_TAG } from '../checks/alias-owner';
import { findFailureDestination, parseDeploymentGroupTag } from '../checks/evidence';
import { ErrorCode, GofnError } from '../errors';
import { formatCount, formatPercent, formatVersion, plural } from '../format';
import type { DeploymentGroupRef, FunctionInfo } from '../ports';
import { previousRecordedVersion } from './alias-history';
import { planProfile } from './profile';
import type { ActionDeps, ActionRequest, Plan, RollbackTargetSource } from './types';

/** Lambda keeps this much of the account's concurrency unreserved. */
const MINIMUM_UNRESERVED = 100;
const DEPLOYMENT_LOOKBACK_MS = 90 * 86_400_000;

export interface Planned {
  plan: Plan;
  fn: FunctionInfo;
}

function conflict(message: string): GofnError {
  return new GofnError(ErrorCode.Conflict, message, { hint: 'Nothing was changed.' });
}

function refuse(message: string): GofnError {
  return new GofnError(ErrorCode.Forbidden, message, { hint: 'Nothing was changed.' });
}

/**
 * Reads the current state and turns a request into the exact change to make. If the world no
 * longer matches what the person saw (alias moved, DLQ emptied, concurrency changed), it stops
 * with a Conflict instead of planning something they did not confirm.
 */
export async function planAction(request: ActionRequest, deps: ActionDeps, known?: FunctionInfo): Promise<Planned> {
  const fn = known ?? (await deps.sources.functions.getFunction(request.functionName, request.alias, deps.call));
  switch (request.kind) {
    case 'rollback':
      return { fn, plan: await planRollback(request, fn, deps) };
    case 'raise-concurrency':
      return { fn, plan: await planConcurrency(request, fn, deps) };
    case 'replay-dlq':
      return { fn, plan: await planReplay(request, fn, deps) };
    case 'profile':
      return { fn, plan: await planProfile(request, fn, deps) };
  }
}

/**
 * During a canary (weighted alias) rolling back means keeping the stable FunctionVersion and
 * clearing the weights, never moving below the stable version. When a CodeDeploy deployment is
 * moving the alias, only stopping it (with rollback) is safe: CodeDeploy would undo a hand-made
 * change at its next step. When that cannot be told, nothing is changed.
 */
async function planRollback(request: ActionRequest, fn: FunctionInfo, deps: ActionDeps): Promise<Plan> {
  const { control, sources, store, call } = deps;
  const alias = await control.lambda.getAlias(fn.name, request.alias, call);
  const canary = canaryOf(alias.routing);
  // The version being rolled back: the canary's during a canary, else the one the alias points to.
  const liveVersion = canary?.version ?? alias.version;
  const expectedFrom = request.expected.fromVersion;
  if (expectedFrom !== undefined && liveVersion !== expectedFrom) {
    const now = canary
      ? `runs a canary of ${formatVersion(canary.version)} (${weightText(canary.weight)}) on ${formatVersion(alias.version)}`
      : `points to ${formatVersion(alias.version)}`;
    throw conflict(
      `The alias changed since you looked: ${request.alias} of ${fn.name} now ${now}, not ${formatVersion(expectedFrom)}.`,
    );
  }

  const owner = await aliasOwner({
    fn,
    alias: request.alias,
    activeDeployment: (group) => control.deploys.findActiveDeployment(group, call),
    target: (id) => sources.deploys.getLambdaTarget(id, fn.name, call),
  });
  if (owner.kind === 'codedeploy') {
    const deploymentId = owner.deployment.id;
    return {
      kind: 'rollback',
      method: 'stop-deployment',
      functionName: fn.name,
      alias: request.alias,
      fromVersion: liveVersion,
      deploymentId,
      sentence: canary
        ? `${fn.name}: stop CodeDeploy deployment ${deploymentId} with automatic rollback: ${request.alias} keeps ${formatVersion(alias.version)}, the ${weightText(canary.weight)} on ${formatVersion(canary.version)} is taken off`
        : `${fn.name}: stop CodeDeploy deployment ${deploymentId} with automatic rollback of alias ${request.alias}`,
    };
  }
  if (owner.kind === 'unknown') {
    throw new GofnError(
      ErrorCode.Forbidden,
      `gofn cannot tell whether a CodeDeploy deployment is moving alias ${request.alias} of ${fn.name}: ${owner.reason}.`,
      {
        hint: 'Nothing was changed: moving the alias by hand could fight a deployment. Stop the deployment in CodeDeploy, or let gofn read the tags (lambda:ListTags) and the deployments (codedeploy:ListDeployments), then try again.',
      },
    );
  }

  let toVersion = request.expected.toVersion;
  let targetSource: RollbackTargetSource = request.expected.targetSource ?? 'requested';
  if (toVersion !== undefined && targetSource === 'requested') {
    await mustBePublished(fn.name, toVersion, deps);
  }
  if (!toVersion && canary) {
    toVersion = alias.version;
    targetSource = 'stable';
  }
  if (!toVersion) {
    toVersion = await previousRecordedVersion(store, fn.name, request.alias, alias.version, call);
    targetSource = 'history';
  }
  const group = parseDeploymentGroupTag(fn.tags[DEPLOYMENT_GROUP_TAG]);
  if (!toVersion && group) {
    toVersion = await versionBeforeLastDeployment(group, alias.version, fn.name, deps);
    targetSource = 'deployment';
  }
  if (!toVersion) {
    const versions = await sources.functions.listVersions(fn.name, call);
    const current = Number(alias.version);
    toVersion = versions
      .map((v) => Number(v.version))
      .filter((v) => Number.isInteger(v) && v < current)
      .sort((a, b) => b - a)[0]
      ?.toString();
    targetSource = 'versions';
  }
  if (!toVersion) {
    throw refuse(`${fn.name} has no published version before ${formatVersion(alias.version)} to roll back to.`);
  }
  if (toVersion === alias.version && !canary) {
    throw conflict(`${request.alias} of ${fn.name} already points to ${formatVersion(toVersion)}.`);
  }
  const takeOff = canary ? `the ${weightText(canary.weight)} on ${formatVersion(canary.version)}` : undefined;
  return {
    kind: 'rollback',
    method: 'update-alias',
    functionName: fn.name,
    alias: request.alias,
    fromVersion: liveVersion,
    toVersion,
    targetSource,
    revisionId: alias.revisionId,
    aliasVersion: alias.version,
    clearsRouting: alias.routing,
    sentence:
      canary && toVersion === alias.version
        ? `${fn.name}: stop the canary on alias ${request.alias}: keep ${formatVersion(alias.version)}, take ${takeOff} off`
        : `${fn.name}: alias ${request.alias} ${formatVersion(alias.version)} → ${formatVersion(toVersion)}` +
          (takeOff ? ` (and take ${takeOff} off)` : ''),
  };
}

/**
 * A version the person asked for exists before anything is planned on it, so `--to 99` is
 * refused with the versions there are, not found out when UpdateAlias fails.
 */
async function mustBePublished(functionName: string, version: string, deps: ActionDeps): Promise<void> {
  if (!/^\d+$/.test(version)) {
    throw new GofnError(
      ErrorCode.InvalidInput,
      `"${version}" is not a published version number; roll back to a version like 41.`,
    );
  }
  const versions = await deps.sources.functions.listVersions(functionName, deps.call);
  if (versions.some((v) => v.version === version)) return;
  const newest = versions
    .slice(0, 5)
    .map((v) => v.version)
    .join(', ');
  throw refuse(
    `${functionName} has no published version ${version}` +
      (newest ? `; the newest are ${newest}.` : '; it has no published versions.'),
  );
}

/**
 * The version the group's newest successful deployment moved the alias from, if that deployment
 * is what brought the current version: CodeDeploy's target says both (BatchGetDeploymentTargets).
 */
async function versionBeforeLastDeployment(
  group: DeploymentGroupRef,
  current: string,
  functionName: string,
  deps: ActionDeps,
): Promise<string | undefined> {
  const since = new Date((deps.now?.() ?? new Date()).getTime() - DEPLOYMENT_LOOKBACK_MS);
  const deployments = await deps.sources.deploys.listRecentDeployments(group, since, deps.call);
  const last = deployments.find((d) => d.status === 'Succeeded');
  if (!last) return undefined;
  const target = await deps.sources.deploys.getLambdaTarget(last.id, functionName, deps.call);
  return target?.targetVersion === current ? target.currentVersion : undefined;
}

/** The additional version of a weighted alias and its share; Lambda allows one. */
function canaryOf(routing: Record<string, number>): { version: string; weight: number } | undefined {
  const [entry] = Object.entries(routing).filter(([, weight]) => weight > 0);
  return entry ? { version: entry[0], weight: entry[1] } : undefined;
}

function weightText(weight: number): string {
  return formatPercent(weight * 100);
}

async function planConcurrency(request: ActionRequest, fn: FunctionInfo, deps: ActionDeps): Promise<Plan> {
  const { control, sources, settings, call } = deps;
  const to = request.expected.concurrencyTo;
  if (to === undefined || !Number.isInteger(to) || to < 1) {
    throw new GofnError(ErrorCode.InvalidInput, 'Say how much reserved concurrency to set, as a whole number above 0.');
  }
  const current = await control.lambda.getReservedConcurrency(fn.name, call);
  const expected = request.expected.concurrencyFrom;
  if (expected !== undefined && current !== expected) {
    throw conflict(
      `The reserved concurrency of ${fn.name} changed since you looked: it is ${current === undefined ? 'unset' : formatCount(current)} now, not ${formatCount(expected)}.`,
    );
  }
  if (current !== undefined && to <= current) {
    throw refuse(`${fn.name} already has ${formatCount(current)} reserved; ${formatCount(to)} would not raise it.`);
  }
  if (to > settings.maxConcurrency) {
    throw refuse(
      `${formatCount(to)} is above gofn's configured maximum of ${formatCount(settings.maxConcurrency)} reserved for one function.`,
    );
  }
  const account = await sources.functions.getAccountConcurrency(call);
  const ceiling = account.unreserved - MINIMUM_UNRESERVED + (current ?? 0);
  if (to > ceiling) {
    // The sentence is the sum, so the person can check it: unreserved − kept free + own.
    const sum =
      `${formatCount(account.unreserved)} unreserved, less the ${MINIMUM_UNRESERVED} Lambda keeps free` +
      (current ? `, plus the ${formatCount(current)} ${fn.name} reserves now` : '');
    throw refuse(
      ceiling > 0
        ? `The account has room for at most ${formatCount(ceiling)} reserved for ${fn.name}: ${sum}.`
        : `The account has no room to reserve concurrency for ${fn.name}: ${sum}.`,
    );
  }
  return {
    kind: 'raise-concurrency',
    functionName: fn.name,
    alias: request.alias,
    from: current,
    to,
    sentence: `${fn.name}: reserved concurrency ${current === undefined ? 'unset' : formatCount(current)} → ${formatCount(to)}`,
  };
}

async function planReplay(request: ActionRequest, fn: FunctionInfo, deps: ActionDeps): Promise<Plan> {
  const found = await findFailureDestination(deps.sources, fn, deps.call ?? {});
  if (found.found === 'unreadable') {
    const { destination } = found;
    throw refuse(`${fn.name} sends its failed events to ${destination.description}: ${destination.reason}.`);
  }
  if (found.found === 'none') throw refuse(`${fn.name} has no dead-letter queue gofn can replay.`);
  const dlq = found.queue;
  if (dlq.depth.visible === 0) {
    // "Now" only when the person saw messages there (a button, a confirmed plan): then the world
    // changed. A queue that was empty all along is a request with nothing to do.
    if (request.expected.queue !== undefined) {
      throw conflict(`${dlq.depth.name} is empty now; there is nothing to replay.`);
    }
    throw refuse(`${dlq.depth.name} is empty; there is nothing to replay.`);
  }
  const dlqFifo = dlq.depth.fifo === true;
  const destinationName = dlq.sourceQueueArn?.split(':').pop();
  if (dlq.kind === 'sqs-source' && dlqFifo !== dlq.sourceQueueFifo) {
    // SQS moves messages only between queues of one type, and a message's group and
    // deduplication IDs mean nothing to a standard queue.
    throw refuse(
      `${dlq.depth.name} is ${dlqFifo ? 'a FIFO' : 'a standard'} queue and ${destinationName} is ${dlq.sourceQueueFifo ? 'a FIFO' : 'a standard'} one; gofn moves messages only between queues of the same type.`,
    );
  }
  if (dlq.kind !== 'sqs-source' && dlqFifo) {
    throw refuse(
      `${dlq.depth.name} is a FIFO queue, and Lambda sends failed asynchronous events only to standard queues: its messages did not come from ${fn.name}.`,
    );
  }
  return {
    kind: 'replay-dlq',
    functionName: fn.name,
    alias: request.alias,
    dlqArn: dlq.depth.arn,
    dlqName: dlq.depth.name,
    messages: dlq.depth.visible,
    mode: dlq.kind,
    destinationArn: dlq.sourceQueueArn,
    fifo: dlqFifo,
    sentence:
      dlq.kind === 'sqs-source'
        ? `move ${plural(dlq.depth.visible, 'message')} from ${dlq.depth.name} to ${destinationName}` +
          (dlqFifo ? ', each in its message group' : '')
        : dlq.kind === 'on-failure'
          ? `re-invoke ${fn.name}:${request.alias} with the original event of each of the ${plural(dlq.depth.visible, 'invocation record')} in ${dlq.depth.name}`
          : `re-invoke ${fn.name}:${request.alias} with each of the ${plural(dlq.depth.visible, 'message')} in ${dlq.depth.name}`,
  };
}
