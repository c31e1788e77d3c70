import { ErrorCode, GofnError, isGofnError } from '../errors';
import { formatCount } from '../format';
import type { QueueMessage } from '../ports';
import type { ActionDeps, Plan } from './types';

type ReplayPlan = Extract<Plan, { kind: 'replay-dlq' }>;

export interface ReplayResult {
  method: 'message-move-task' | 'receive-send-delete' | 'receive-invoke-delete';
  moved: number;
  /** Messages sent (or invoked) but whose delete failed: they may be processed twice, never lost. */
  maybeDuplicated: number;
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
    if (task.status === 'COMPLETED') return { method: 'message-move-task', moved: task.moved, maybeDuplicated: 0 };
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
  let moved = 0;
  let maybeDuplicated = 0;
  let emptyReceives = 0;
  let failedBatches = 0;
  let lastProgress = Date.now();

  // Messages that arrive during the replay stay for the next one; the plan's count bounds the work.
  while (moved < plan.messages) {
    const started = Date.now();
    const visibility = deps.settings.replayVisibilitySeconds ?? DEFAULT_VISIBILITY_SECONDS;
    const batch = await queues.receive(plan.dlqArn, Math.min(10, plan.messages - moved), visibility, call);
    if (batch.length === 0) {
      if (++emptyReceives >= MAX_EMPTY_RECEIVES) break;
      continue;
    }
    emptyReceives = 0;
    const accepted =
      plan.mode === 'sqs-source' && plan.destinationArn
        ? await queues.sendBatch(plan.destinationArn, batch, call)
        : await invokeEach(batch, (body) => lambda.invokeAsync(plan.functionName, plan.alias, body, call));
    const sent = batch.filter((m) => accepted.has(m.messageId));
    if (sent.length === 0) {
      if (++failedBatches >= MAX_FAILED_BATCHES) {
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
    method: plan.mode === 'sqs-source' ? 'receive-send-delete' : 'receive-invoke-delete',
    moved,
    maybeDuplicated,
  };
}

async function invokeEach(batch: QueueMessage[], invoke: (body: string) => Promise<void>): Promise<Set<string>> {
  const accepted = new Set<string>();
  await Promise.all(
    batch.map(async (m) => {
      try {
        await invoke(m.body);
        accepted.add(m.messageId);
      } catch {
        // Not accepted: the message stays in the DLQ and becomes visible again.
      }
    }),
  );
  return accepted;
}
