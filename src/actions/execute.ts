import { ErrorCode, GofnError } from '../errors';
import { formatCount, formatClock, formatPercent, formatVersion } from '../format';
import { recordAliasVersion } from './alias-history';
import { collectProfiles, runProfile } from './profile';
import { replayDlq, type ReplayResult } from './replay';
import type { ActionDeps, Plan } from './types';

export interface Executed {
  /** What changed, before → after, as a sentence fragment: "rolled orders-api back: live v42 → v41". */
  done: string;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  verifiedAt: Date;
}

function verificationFailed(what: string): GofnError {
  return new GofnError(ErrorCode.Upstream, `The change was sent but reading it back showed ${what}.`, {
    hint: 'Check the console before trying again.',
  });
}

/** Executes exactly the plan, then reads the state back to verify it. */
export async function executePlan(plan: Plan, deps: ActionDeps): Promise<Executed> {
  const { control, call } = deps;
  let sent: Sent = {};
  switch (plan.kind) {
    case 'rollback':
      if (plan.method === 'stop-deployment') {
        sent = { stopStatus: await control.deploys.stopDeployment(plan.deploymentId, call) };
      } else {
        await control.lambda.updateAlias(plan.functionName, plan.alias, plan.toVersion, plan.revisionId, call);
      }
      break;
    case 'raise-concurrency':
      await control.lambda.putReservedConcurrency(plan.functionName, plan.to, call);
      break;
    case 'replay-dlq':
      sent = { replayed: await replayDlq(plan, deps) };
      break;
    case 'profile': {
      // The flag's read-back is its verification; what follows is the recording and its collection.
      const profiled = await runProfile(plan, deps);
      return { ...profiled, verifiedAt: deps.now?.() ?? new Date() };
    }
  }
  const readBack = await readBackPlan(plan, deps, sent);
  if ('executed' in readBack) return readBack.executed;
  throw verificationFailed(readBack.observed);
}

/** What executing a plan sent, when its read-back needs it. */
interface Sent {
  replayed?: ReplayResult;
  /** StopDeployment's answer: the deployment is being stopped, if not stopped yet. */
  stopStatus?: string;
}

/**
 * Whether the plan's change is in place, read from AWS: what was done as a sentence, or what is
 * there instead. Also answers, for a retried job, whether the attempt that died made the change.
 */
export async function readBackPlan(
  plan: Plan,
  deps: ActionDeps,
  sent: Sent = {},
): Promise<{ executed: Executed } | { observed: string }> {
  const { control, call } = deps;
  const now = () => deps.now?.() ?? new Date();
  switch (plan.kind) {
    case 'rollback': {
      if (plan.method === 'stop-deployment') {
        const deployment = await control.deploys.getDeployment(plan.deploymentId, call);
        // Just after StopDeployment the deployment may still show as running while it stops.
        // Without a stop sent now (a retry after a crash), only Stopped says that one was: a
        // deployment that finished on its own was never stopped by gofn.
        if (!sent.stopStatus && deployment.status !== 'Stopped') {
          return { observed: `deployment ${plan.deploymentId} ${deployment.status}, not stopped` };
        }
        const alias = await control.lambda.getAlias(plan.functionName, plan.alias, call);
        return {
          executed: {
            done: `stopped deployment ${plan.deploymentId} of ${plan.functionName} (${sent.stopStatus ?? deployment.status}); CodeDeploy rolls ${plan.alias} back, now ${formatVersion(alias.version)}`,
            before: { deployment: plan.deploymentId, version: plan.fromVersion },
            after: { deploymentStatus: deployment.status, version: alias.version },
            verifiedAt: now(),
          },
        };
      }
      const alias = await control.lambda.getAlias(plan.functionName, plan.alias, call);
      if (alias.version !== plan.toVersion || Object.keys(alias.routing).length > 0) {
        return {
          observed: `${plan.alias} at ${formatVersion(alias.version)}${Object.keys(alias.routing).length ? ' with weighted routing' : ''}`,
        };
      }
      const verifiedAt = now();
      await recordAliasVersion(deps.store, plan.functionName, plan.alias, plan.toVersion, verifiedAt, call).catch(
        () => undefined,
      );
      const canaryWeight = plan.clearsRouting[plan.fromVersion];
      const from =
        canaryWeight !== undefined
          ? `${formatVersion(plan.fromVersion)} (canary, ${formatPercent(canaryWeight * 100)})`
          : formatVersion(plan.fromVersion);
      return {
        executed: {
          done: `rolled ${plan.functionName} back: ${plan.alias} ${from} → ${formatVersion(plan.toVersion)} (verified ${formatClock(verifiedAt)}:${verifiedAt.toISOString().slice(17, 19)})`,
          before: { version: plan.aliasVersion ?? plan.fromVersion, routing: plan.clearsRouting },
          after: { version: alias.version, routing: alias.routing },
          verifiedAt,
        },
      };
    }
    case 'raise-concurrency': {
      const readBack = await control.lambda.getReservedConcurrency(plan.functionName, call);
      if (readBack !== plan.to) return { observed: `reserved concurrency ${readBack ?? 'unset'}` };
      return {
        executed: {
          done: `raised reserved concurrency of ${plan.functionName}: ${plan.from === undefined ? 'unset' : formatCount(plan.from)} → ${formatCount(plan.to)}`,
          before: { reservedConcurrency: plan.from ?? null },
          after: { reservedConcurrency: readBack },
          verifiedAt: now(),
        },
      };
    }
    case 'profile': {
      // A retry after the attempt that turned profiling on died: its instances' profiles, if any.
      const ports = control.profiles;
      if (!ports) return { observed: 'no profiling ports' };
      const collected = await collectProfiles(ports, plan, deps);
      if (collected.instances === 0) return { observed: `no profile of session ${plan.session}` };
      return {
        executed: {
          done: `profiled ${plan.functionName}: ${formatCount(Number(collected.record.samples))} CPU samples across ${collected.instances} instances, collected after an earlier attempt stopped (${String(collected.record.merged)})`,
          before: {},
          after: collected.record,
          verifiedAt: now(),
        },
      };
    }
    case 'replay-dlq': {
      const depth = await deps.sources.queues.getDepth(plan.dlqArn, call);
      const replayed = sent.replayed;
      if (!replayed) {
        // A retried replay whose DLQ is empty now: the attempt that died moved what was left.
        // Messages it had received but not moved are hidden (in flight) until they come back.
        const left = depth.visible + depth.inFlight;
        if (left > 0) return { observed: `${formatCount(left)} messages still in ${plan.dlqName}` };
        return {
          executed: {
            done: `replayed the messages of ${plan.dlqName}; the DLQ is empty`,
            before: { dlqMessages: plan.messages },
            after: { dlqMessages: 0 },
            verifiedAt: now(),
          },
        };
      }
      const kept = Object.entries(replayed.kept);
      return {
        executed: {
          done:
            `replayed ${formatCount(replayed.moved)} of ${formatCount(plan.messages)} messages from ${plan.dlqName}` +
            ` (${replayed.method}; ${formatCount(depth.visible)} left in the DLQ` +
            (replayed.maybeDuplicated > 0 ? `, ${formatCount(replayed.maybeDuplicated)} may be delivered twice` : '') +
            ')' +
            (kept.length > 0
              ? `; kept in the DLQ: ${kept.map(([reason, count]) => `${reason} (${formatCount(count)})`).join('; ')}`
              : ''),
          before: { dlqMessages: plan.messages },
          after: {
            moved: replayed.moved,
            dlqMessages: depth.visible,
            maybeDuplicated: replayed.maybeDuplicated,
            method: replayed.method,
            kept: replayed.kept,
          },
          verifiedAt: now(),
        },
      };
    }
  }
}
