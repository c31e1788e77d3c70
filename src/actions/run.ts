import { describeError, ErrorCode, isGofnError } from '../errors';
import { writeAudit } from './audit';
import { authorize } from './authorize';
import { claimWork, isDone, markDone, releaseClaim } from './claims';
import { executePlan } from './execute';
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
 * plan → authorize → claim (exactly once) → execute → verify → audit. Every attempt, allowed or
 * not, ends in one audit record; the outcome is a sentence for the person who asked.
 */
export async function runAction(request: ActionRequest, deps: ActionDeps): Promise<ActionOutcome> {
  const now = () => deps.now?.() ?? new Date();
  const finish = async (
    status: OutcomeStatus,
    sentence: string,
    plan: Plan | undefined,
    before = {},
    after = {},
    verifiedAt?: Date,
  ) => {
    const outcome: ActionOutcome = { status, sentence, plan, before, after, verifiedAt: verifiedAt?.toISOString() };
    try {
      await writeAudit(
        deps.store,
        {
          at: now().toISOString(),
          functionName: request.functionName,
          kind: request.kind,
          actor: request.actor,
          status,
          sentence,
          plan: plan?.sentence,
          before,
          after,
          requestId: request.requestId,
        },
        deps.call,
      );
    } catch (error) {
      deps.log.error('could not write the audit record', { requestId: request.requestId, error });
    }
    return outcome;
  };

  // A finished action is a duplicate before anything else: re-planning it would only find the
  // world it changed and call that a conflict.
  const key = `action#${request.requestId}`;
  if (await isDone(deps.store, key, deps.call)) {
    return finish('duplicate', 'This action already ran; it runs only once.', undefined);
  }

  let planned;
  try {
    planned = await planAction(request, deps);
  } catch (error) {
    return finish(statusOf(error), describeError(error), undefined);
  }
  const { plan, fn } = planned;

  const decision = await authorize(request.actor, fn.tags, deps);
  if (!decision.allowed) {
    return finish(
      'refused',
      `You are not allowed to change ${fn.name}: ${decision.because}. Nothing was changed.`,
      plan,
    );
  }

  const claimed = await claimWork(
    deps.store,
    `action#${request.requestId}`,
    { leaseSeconds: deps.leaseSeconds ?? LEASE_SECONDS, keepSeconds: KEEP_SECONDS, nowMs: now().getTime() },
    deps.call,
  );
  if (claimed.outcome !== 'claimed' || !claimed.claim) {
    const sentence =
      claimed.outcome === 'done' ? 'This action already ran; it runs only once.' : 'This action is already running.';
    return finish('duplicate', sentence, plan);
  }

  try {
    const executed = await executePlan(plan, deps);
    await markDone(deps.store, claimed.claim, { sentence: executed.done }, deps.call);
    return finish('succeeded', executed.done, plan, executed.before, executed.after, executed.verifiedAt);
  } catch (error) {
    const status = statusOf(error);
    if (isGofnError(error) && TRANSIENT.has(error.code)) {
      await releaseClaim(deps.store, claimed.claim, deps.call).catch(() => undefined);
    } else {
      await markDone(deps.store, claimed.claim, { failed: describeError(error) }, deps.call).catch(() => undefined);
    }
    return finish(status, describeError(error), plan);
  }
}
