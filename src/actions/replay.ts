import { ErrorCode, GofnError, isGofnError } from '../errors';
import { formatCount } from '../format';
import type { QueueMessage } from '../ports';
import { requestPayloadOf } from './invocation-record';
import type { ActionDeps, Plan } from './types';

type ReplayPlan = Extract<Plan, { kind: 'replay-dlq' }>;

export interface ReplayResult {
  method: 'message-move-task' | 'receive-send-delete' | 'receive-invoke-delete';
  moved: number;
  /** Messages sent (or invoked) but whose delete failed: they may be processed twice, never lost. */
  maybeDuplicated: number;
  /** Messages left in the DLQ, by why: no payload to replay, or a copy that was not accepted. */
  kept: Record<string, number>;
}

/** Visibility timeout while a batch is in our hands: long enough to send and delete it. */
const DEFAULT_VISIBILITY_SECONDS = 60;
const PROGRESS_EVERY_MS = 5000;
const MAX_EMPTY_RECEIVES = 2;
const MAX_FAILED_BATCHES = 3;
const TASK_POLL_MS = 2000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Moves a DLQ's messages back. For an SQS event source, SQS's own message-move task does it
 * at a bounded rate; where that API is missing, and for async-invoke DLQs, messages move in
 * batches of ten: received, sent (or invoked), and deleted only once their copy was accepted.
 * A crash at any point leaves every message in the DLQ or at its destination: none is lost.
 * An OnFailure destination holds invocation records: the function gets each record's
 * requestPayload, and a record without one stays in the DLQ, counted under its reason.
 * What a replay keeps of each message is described in docs/replay.md.
 */
export async function replayDlq(plan: ReplayPlan, deps: ActionDeps): Promise<ReplayResult> {
  if (plan.mode === 'sqs-source' && plan.destinationArn) {
    try {
      return await followMoveTask(plan, plan.destinationArn, deps);
    } catch (error) {
      if (!isGofnError(error, ErrorCode.Unsupported)) throw error;
      deps.log.info('message-move tasks are not available; moving messages in batches', { queue: plan.dlqName });
    }
  }
  return moveInBatches(plan, deps);
}

async function followMoveTask(plan: ReplayPlan, destinationArn: string, deps: ActionDeps): Promise<ReplayResult> {
  const queues = deps.control.queues;
  const handle = await queues.startMessageMoveTask(
    plan.dlqArn,
    destinationArn,
    deps.settings.replayRatePerSecond,
    deps.call,
  );
  // The first progress line comes with the first poll, then one every few seconds.
  let lastProgress = 0;
  for (;;) {
    await sleep(TASK_POLL_MS);
    const tasks = await queues.listMessageMoveTasks(plan.dlqArn, deps.call);
    const task = tasks.find((t) => t.taskHandle === handle) ?? tasks[0];
    if (!task) throw new GofnError(ErrorCode.Upstream, `The message-move task of ${plan.dlqName} disappeared.`);
    if (task.status === 'COMPLETED') {
      return { method: 'message-move-task', moved: task.moved, maybeDuplicated: 0, kept: {} };
    }
    if (task.status === 'FAILED' || task.status === 'CANCELLED') {
      throw new GofnError(
        ErrorCode.Upstream,
        `The message-move task of ${plan.dlqName} ended ${task.status}${task.failureReason ? `: ${task.failureReason}` : ''} after ${formatCount(task.moved)} messages.`,
      );
    }
    if (Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
      lastProgress = Date.now();
      await deps.onProgress?.(
        `moved ${formatCount(task.moved)} of ${formatCount(task.toMove ?? plan.messages)} messages from ${plan.dlqName}`,
      );
    }
  }
}

async function moveInBatches(plan: ReplayPlan, deps: ActionDeps): Promise<ReplayResult> {
  const { queues, lambda } = deps.control;
  const call = deps.call;
  const rate = Math.max(1, deps.settings.replayRatePerSecond);
  const toQueue = plan.mode === 'sqs-source' ? plan.destinationArn : undefined;
  let moved = 0;
  let maybeDuplicated = 0;
  const kept = new Map<string, number>();
  const keep = (reason: string, count = 1) => kept.set(reason, (kept.get(reason) ?? 0) + count);
  const keptCount = () => [...kept.values()].reduce((a, b) => a + b, 0);
  let emptyReceives = 0;
  let failedBatches = 0;
  let lastProgress = Date.now();

  // Messages that arrive during the replay stay for the next one; the plan's count bounds the
  // work. A message kept back stays hidden until its visibility timeout ends, so it is not
  // received again by this run.
  while (moved + maybeDuplicated + keptCount() < plan.messages) {
    const started = Date.now();
    const visibility = deps.settings.replayVisibilitySeconds ?? DEFAULT_VISIBILITY_SECONDS;
    const handled = moved + maybeDuplicated + keptCount();
    const batch = await queues.receive(plan.dlqArn, Math.min(10, plan.messages - handled), visibility, call);
    if (batch.length === 0) {
      if (++emptyReceives >= MAX_EMPTY_RECEIVES) break;
      continue;
    }
    emptyReceives = 0;

    const { replayable, unusable } = payloadsOf(batch, plan);
    for (const { reason } of unusable) keep(reason);
    let accepted: Set<string>;
    if (toQueue) {
      accepted =
        replayable.length > 0
          ? await queues.sendBatch(
              toQueue,
              replayable.map((r) => r.message),
              call,
            )
          : new Set();
      for (const { message } of replayable) if (!accepted.has(message.messageId)) keep('SQS did not accept the copy');
    } else {
      accepted = await invokeEach(replayable, keep, (payload) =>
        lambda.invokeAsync(plan.functionName, plan.alias, payload, call),
      );
    }
    const sent = batch.filter((m) => accepted.has(m.messageId));
    if (sent.length === 0) {
      if (replayable.length > 0 && ++failedBatches >= MAX_FAILED_BATCHES) {
        throw new GofnError(
          ErrorCode.Upstream,
          `Replaying ${plan.dlqName} stopped: ${MAX_FAILED_BATCHES} batches in a row could not be sent. ${formatCount(moved)} messages were moved; the rest are still in the DLQ.`,
        );
      }
      continue;
    }
    failedBatches = 0;
    const deleted = await queues.deleteBatch(
      plan.dlqArn,
      sent.map((m) => m.receiptHandle),
      call,
    );
    moved += deleted.size;
    maybeDuplicated += sent.length - deleted.size;

    if (Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
      lastProgress = Date.now();
      await deps.onProgress?.(
        `moved ${formatCount(moved)} of ${formatCount(plan.messages)} messages from ${plan.dlqName}`,
      );
    }
    const minimumMs = (batch.length / rate) * 1000;
    const spent = Date.now() - started;
    if (spent < minimumMs) await sleep(minimumMs - spent);
  }
  return {
    method: toQueue ? 'receive-send-delete' : 'receive-invoke-delete',
    moved,
    maybeDuplicated,
    kept: Object.fromEntries(kept),
  };
}

interface Replayable {
  message: QueueMessage;
  /** What the function is invoked with; for a queue, the message goes as it is. */
  payload: string;
}

/** Splits a batch into what can be replayed, with its payload, and what stays in the DLQ, with why. */
function payloadsOf(
  batch: QueueMessage[],
  plan: ReplayPlan,
): { replayable: Replayable[]; unusable: { message: QueueMessage; reason: string }[] } {
  const replayable: Replayable[] = [];
  const unusable: { message: QueueMessage; reason: string }[] = [];
  for (const message of batch) {
    if (plan.mode !== 'on-failure') {
      replayable.push({ message, payload: message.body });
      continue;
    }
    const record = requestPayloadOf(message.body, plan.functionName);
    if ('payload' in record) replayable.push({ message, payload: record.payload });
    else unusable.push({ message, reason: record.reason });
  }
  return { replayable, unusable };
}

async function invokeEach(
  batch: Replayable[],
  keep: (reason: string) => void,
  invoke: (payload: string) => Promise<void>,
): Promise<Set<string>> {
  const accepted = new Set<string>();
  await Promise.all(
    batch.map(async ({ message, payload }) => {
      try {
        await invoke(payload);
        accepted.add(message.messageId);
      } catch (error) {
        // Not accepted: the message stays in the DLQ and becomes visible again.
        keep(invokeRefusal(error));
      }
    }),
  );
  return accepted;
}

/** Why Lambda did not take an event, short enough to group the kept messages by. */
function invokeRefusal(error: unknown): string {
  if (isGofnError(error, ErrorCode.Throttled)) return 'Lambda throttled the invoke';
  if (isGofnError(error, ErrorCode.Timeout)) return 'the invoke timed out';
  if (isGofnError(error, ErrorCode.AccessDenied)) return 'Lambda denied the invoke';
  return 'Lambda did not accept the invoke';
}
