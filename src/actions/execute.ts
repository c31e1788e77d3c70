import { ErrorCode, GofnError } from '../errors';
import { formatCount, formatClock } from '../format';
import { recordAliasVersion } from './alias-history';
import { replayDlq } from './replay';
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
  const now = () => deps.now?.() ?? new Date();
  switch (plan.kind) {
    case 'rollback': {
      if (plan.method === 'stop-deployment') {
        const status = await control.deploys.stopDeployment(plan.deploymentId, call);
        const deployment = await control.deploys.getDeployment(plan.deploymentId, call);
        const alias = await control.lambda.getAlias(plan.functionName, plan.alias, call);
        return {
          done: `stopped deployment ${plan.deploymentId} of ${plan.functionName} (${status}); CodeDeploy rolls ${plan.alias} back, now v${alias.version}`,
          before: { deployment: plan.deploymentId, version: plan.fromVersion },
          after: { deploymentStatus: deployment.status, version: alias.version },
          verifiedAt: now(),
        };
      }
      await control.lambda.updateAlias(plan.functionName, plan.alias, plan.toVersion, plan.revisionId, call);
      const alias = await control.lambda.getAlias(plan.functionName, plan.alias, call);
      if (alias.version !== plan.toVersion || Object.keys(alias.routing).length > 0) {
        throw verificationFailed(
          `${plan.alias} at v${alias.version}${Object.keys(alias.routing).length ? ' with weighted routing' : ''}`,
        );
      }
      const verifiedAt = now();
      await recordAliasVersion(deps.store, plan.functionName, plan.alias, plan.toVersion, verifiedAt, call).catch(
        () => undefined,
      );
      return {
        done: `rolled ${plan.functionName} back: ${plan.alias} v${plan.fromVersion} → v${plan.toVersion} (verified ${formatClock(verifiedAt)}:${verifiedAt.toISOString().slice(17, 19)})`,
        before: { version: plan.fromVersion, routing: plan.clearsRouting },
        after: { version: alias.version, routing: alias.routing },
        verifiedAt,
      };
    }
    case 'raise-concurrency': {
      await control.lambda.putReservedConcurrency(plan.functionName, plan.to, call);
      const readBack = await control.lambda.getReservedConcurrency(plan.functionName, call);
      if (readBack !== plan.to) throw verificationFailed(`reserved concurrency ${readBack ?? 'unset'}`);
      return {
        done: `raised reserved concurrency of ${plan.functionName}: ${plan.from === undefined ? 'unset' : formatCount(plan.from)} → ${formatCount(plan.to)}`,
        before: { reservedConcurrency: plan.from ?? null },
        after: { reservedConcurrency: readBack },
        verifiedAt: now(),
      };
    }
    case 'replay-dlq': {
      const result = await replayDlq(plan, deps);
      const depth = await deps.sources.queues.getDepth(plan.dlqArn, call);
      return {
        done:
          `replayed ${formatCount(result.moved)} of ${formatCount(plan.messages)} messages from ${plan.dlqName}` +
          ` (${result.method}; ${formatCount(depth.visible)} left in the DLQ` +
          (result.maybeDuplicated > 0 ? `, ${formatCount(result.maybeDuplicated)} may be delivered twice` : '') +
          ')',
        before: { dlqMessages: plan.messages },
        after: {
          moved: result.moved,
          dlqMessages: depth.visible,
          maybeDuplicated: result.maybeDuplicated,
          method: result.method,
        },
        verifiedAt: now(),
      };
    }
  }
}
