import { describeError, ErrorCode, isGofnError } from '../errors';
import { DEFAULT_ACCOUNT, qualifiedName } from '../targets';
import type { FunctionInfo } from '../ports';
import { writeAudit } from './audit';
import { authorize } from './authorize';
import { claimWork, isDone, markDone, noteOnClaim, releaseClaim } from './claims';
import { executePlan, readBackPlan } from './execute';
import { planAction } from './plan';
import type { ActionDeps, ActionOutcome, ActionRequest, OutcomeStatus, Plan } from './types';

/** How long one worker may hold an action before another delivery may take it over. */
const LEASE_SECONDS = 15 * 60;
const KEEP_SECONDS = 30 * 86_400;

/** Failures worth trying again with the same button: the next delivery may run it. */
const TRANSIENT = new Set<ErrorCode>([ErrorCode.Throttled, ErrorCode.Timeout, ErrorCode.Upstream]);

function statusOf(error: unknown): OutcomeStatus {
  if (isGofnError(error, ErrorCode.Conflict)) return 'conflict';
  if (isGofnError(error, ErrorCode.Forbidden) || isGofnError(error, ErrorCode.InvalidInput)) return 'refused';
  return 'failed';
}

/**
 * authorize → claim (exactly once) → plan → note the plan on the claim → execute → verify →
 * audit. Every attempt, allowed or not, ends in one audit record; the outcome is a sentence for
 * the person who asked.
 */
export async function runAction(request: ActionRequest, deps: ActionDeps): Promise<ActionOutcome> {
  const now = () => deps.now?.() ?? new Date();
  const finish = (
    status: OutcomeStatus,
    sentence: string,
    plan: Plan | undefined,
    before = {},
    after = {},
    verifiedAt?: Date,
  ) => audited(request, deps, { status, sentence, plan, before, after, verifiedAt: verifiedAt?.toISOString() });

  // A finished action is a duplicate before anything else: re-planning it would only find the
  // world it changed and call that a conflict.
  const key = `action#${request.requestId}`;
  if (await isDone(deps.store, key, deps.call)) {
    return finish('duplicate', 'This action already ran; it runs only once.', undefined);
  }

  // Who may act is settled before the plan reads the world, so a refusal tells someone who may
  // not act nothing about the function's current state.
  let fn: FunctionInfo;
  try {
    fn = await deps.sources.functions.getFunction(request.functionName, request.alias, deps.call);
  } catch (error) {
    return finish(statusOf(error), describeError(error), undefined);
  }
  const decision = await authorize(request.actor, fn.tags, deps);
  if (!decision.allowed) {
    return finish(
      'refused',
      `You are not allowed to change ${request.target ? qualifiedName(request.target, fn.name) : fn.name}: ${decision.because}. Nothing was changed.`,
      undefined,
    );
  }

  const leaseSeconds = deps.leaseSeconds ?? LEASE_SECONDS;
  const claimed = await claimWork(
    deps.store,
    key,
    { leaseSeconds, keepSeconds: KEEP_SECONDS, nowMs: now().getTime(), holder: deps.holder },
    deps.call,
  );
  if (claimed.outcome !== 'claimed' || !claimed.claim) {
    const sentence =
      claimed.outcome === 'done' ? 'This action already ran; it runs only once.' : 'This action is already running.';
    return finish('duplicate', sentence, undefined);
  }

  let plan: Plan;
  try {
    ({ plan } = await planAction(request, deps, fn));
  } catch (error) {
    const earlier = startedPlan(claimed.claim.previous);
    if (earlier && isGofnError(error, ErrorCode.Conflict)) {
      // The world moved since the button was pressed; if it moved to exactly what an earlier
      // attempt of this same request set out to do, that attempt made the change and died
      // before it could report it.
      const readBack = await readBackPlan(earlier, deps).catch(() => undefined);
      if (readBack && 'executed' in readBack) {
        const { done, before, after, verifiedAt } = readBack.executed;
        await markDone(deps.store, claimed.claim, { sentence: done }, deps.call).catch(() => undefined);
        return finish(
          'succeeded',
          `${done}, by an earlier attempt that stopped before it could report`,
          earlier,
          before,
          after,
          verifiedAt,
        );
      }
    }
    // An earlier attempt's plan stays noted: it may still have been carried out.
    await releaseClaim(deps.store, claimed.claim, deps.call, earlier ? { started: earlier } : {}).catch(
      () => undefined,
    );
    return finish(statusOf(error), describeError(error), undefined);
  }

  let claim;
  try {
    claim = await noteOnClaim(
      deps.store,
      claimed.claim,
      { started: plan },
      now().getTime() + leaseSeconds * 1000,
      deps.call,
    );
  } catch (error) {
    await releaseClaim(deps.store, claimed.claim, deps.call).catch(() => undefined);
    return finish('failed', describeError(error), plan);
  }
  if (!claim) return finish('duplicate', 'This action is already running.', plan);

  try {
    const executed = await executePlan(plan, deps);
    await markDone(deps.store, claim, { sentence: executed.done }, deps.call);
    return finish('succeeded', executed.done, plan, executed.before, executed.after, executed.verifiedAt);
  } catch (error) {
    const status = statusOf(error);
    if (isGofnError(error) && TRANSIENT.has(error.code)) {
      // A timeout may have hidden a change that was made: the plan stays noted for the retry.
      await releaseClaim(deps.store, claim, deps.call, { started: plan }).catch(() => undefined);
    } else {
      await markDone(deps.store, claim, { failed: describeError(error) }, deps.call).catch(() => undefined);
    }
    return finish(status, describeError(error), plan);
  }
}

/** What writing an audit record needs. */
type AuditDeps = Pick<ActionDeps, 'store' | 'now' | 'call' | 'log'>;

/**
 * Audits an attempt that stopped before there was a plan to run: the CLI's own planning failed
 * (no such function, AWS refused a read), or Slack refused the click of someone a button does
 * not name.
 */
export function auditUnplanned(request: ActionRequest, error: unknown, deps: AuditDeps): Promise<ActionOutcome> {
  return audited(request, deps, {
    status: statusOf(error),
    sentence: describeError(error),
    plan: undefined,
    before: {},
    after: {},
    verifiedAt: undefined,
  });
}

/** Writes the outcome's audit record and hands the outcome back; a lost record is logged, never thrown. */
async function audited(request: ActionRequest, deps: AuditDeps, outcome: ActionOutcome): Promise<ActionOutcome> {
  try {
    await writeAudit(
      deps.store,
      {
        at: (deps.now?.() ?? new Date()).toISOString(),
        functionName: request.functionName,
        kind: request.kind,
        actor: request.actor,
        status: outcome.status,
        sentence: outcome.sentence,
        plan: outcome.plan?.sentence,
        before: outcome.before,
        after: outcome.after,
        requestId: request.requestId,
        ...placeOfRequest(request),
      },
      deps.call,
    );
  } catch (error) {
    deps.log.error('could not write the audit record', { requestId: request.requestId, error });
  }
  return outcome;
}

/** The account and region an audit record keeps: the configured account's name only when there is one. */
function placeOfRequest(request: ActionRequest): { account?: string; accountId?: string; region?: string } {
  const target = request.target;
  if (!target) return {};
  return {
    ...(target.account === DEFAULT_ACCOUNT ? {} : { account: target.account }),
    ...(target.accountId ? { accountId: target.accountId } : {}),
    region: target.region,
  };
}

/** The plan an earlier holder of the claim noted before executing, if any. */
function startedPlan(previous: Record<string, unknown> | undefined): Plan | undefined {
  const started = previous?.started;
  return started && typeof started === 'object' && 'kind' in started ? (started as Plan) : undefined;
}
