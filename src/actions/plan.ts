import { findDeadLetterQueue, parseDeploymentGroupTag } from '../checks/evidence';
import { ErrorCode, GofnError } from '../errors';
import { formatCount, formatVersion, plural } from '../format';
import type { FunctionInfo } from '../ports';
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

async function planRollback(request: ActionRequest, fn: FunctionInfo, deps: ActionDeps): Promise<Plan> {
  const { control, sources, store, call } = deps;
  const alias = await control.lambda.getAlias(fn.name, request.alias, call);
  const expectedFrom = request.expected.fromVersion;
  if (expectedFrom !== undefined && alias.version !== expectedFrom) {
    throw conflict(
      `The alias changed since you looked: ${request.alias} of ${fn.name} now points to ${formatVersion(alias.version)}, not ${formatVersion(expectedFrom)}.`,
    );
  }
  const group = parseDeploymentGroupTag(fn.tags['gofn:deployment-group']);
  if (group) {
    const active = await control.deploys.findActiveDeployment(group, call);
    if (active) {
      return {
        kind: 'rollback',
        method: 'stop-deployment',
        functionName: fn.name,
        alias: request.alias,
        fromVersion: alias.version,
        deploymentId: active.id,
        sentence: `${fn.name}: stop CodeDeploy deployment ${active.id} with automatic rollback of alias ${request.alias}`,
      };
    }
  }

  let toVersion = request.expected.toVersion;
  let targetSource: RollbackTargetSource = request.expected.targetSource ?? 'requested';
  if (!toVersion) {
    toVersion = await previousRecordedVersion(store, fn.name, request.alias, alias.version, call);
    targetSource = 'history';
  }
  if (!toVersion && group) {
    const since = new Date((deps.now?.() ?? new Date()).getTime() - DEPLOYMENT_LOOKBACK_MS);
    const deployments = await sources.deploys.listRecentDeployments(group, since, call);
    toVersion = deployments.find((d) => d.status === 'Succeeded' && d.targetVersion === alias.version)?.currentVersion;
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
  if (toVersion === alias.version && Object.keys(alias.routing).length === 0) {
    throw conflict(`${request.alias} of ${fn.name} already points to ${formatVersion(toVersion)}.`);
  }
  const routed = Object.entries(alias.routing);
  return {
    kind: 'rollback',
    method: 'update-alias',
    functionName: fn.name,
    alias: request.alias,
    fromVersion: alias.version,
    toVersion,
    targetSource,
    revisionId: alias.revisionId,
    clearsRouting: alias.routing,
    sentence:
      `${fn.name}: alias ${request.alias} ${formatVersion(alias.version)} → ${formatVersion(toVersion)}` +
      (routed.length > 0
        ? ` (and stop routing ${routed.map(([v, w]) => `${Math.round(w * 100)}% to ${formatVersion(v)}`).join(', ')})`
        : ''),
  };
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
  const dlq = await findDeadLetterQueue(deps.sources, fn, deps.call ?? {});
  if (!dlq) throw refuse(`${fn.name} has no dead-letter queue gofn can replay.`);
  if (dlq.depth.visible === 0) {
    // "Now" only when the person saw messages there (a button, a confirmed plan): then the world
    // changed. A queue that was empty all along is a request with nothing to do.
    if (request.expected.queue !== undefined) {
      throw conflict(`${dlq.depth.name} is empty now; there is nothing to replay.`);
    }
    throw refuse(`${dlq.depth.name} is empty; there is nothing to replay.`);
  }
  const destinationName = dlq.sourceQueueArn?.split(':').pop();
  return {
    kind: 'replay-dlq',
    functionName: fn.name,
    alias: request.alias,
    dlqArn: dlq.depth.arn,
    dlqName: dlq.depth.name,
    messages: dlq.depth.visible,
    mode: dlq.kind,
    destinationArn: dlq.sourceQueueArn,
    sentence:
      dlq.kind === 'sqs-source'
        ? `move ${plural(dlq.depth.visible, 'message')} from ${dlq.depth.name} to ${destinationName}`
        : `re-invoke ${fn.name}:${request.alias} with each of the ${plural(dlq.depth.visible, 'message')} in ${dlq.depth.name}`,
  };
}
