import { formatCount, plural } from '../format';
import type { DeadLetterKind } from './dead-letter';
import { gradeAbove } from './grade';
import { queueLink } from './links';
import type { CheckParams } from './params';
import type { CheckContext, CheckResult } from './types';

/** What the queue is to the function, for the summary: "orders-dlq (OnFailure destination)". */
const kindLabel: Record<DeadLetterKind, string> = {
  'sqs-source': 'redrive queue',
  'dead-letter-config': 'dead-letter queue',
  'on-failure': 'OnFailure destination',
};

export async function dlqCheck(ctx: CheckContext, params: CheckParams<'dlq'>): Promise<CheckResult> {
  const { fn } = ctx;
  const found = await ctx.evidence.failureDestination();
  if (found.found === 'none') {
    return {
      status: 'ok',
      summary: 'no dead-letter queue configured',
      evidence: { queue: null, messages: null },
      links: [],
    };
  }
  if (found.found === 'unreadable') {
    const { destination } = found;
    const role = destination.kind === 'dead-letter-config' ? 'dead-letter target' : 'OnFailure destination';
    return {
      status: 'unknown',
      summary: `failed events go to ${destination.description} (${role}), which gofn cannot read`,
      reason: `failed events go to ${destination.description}: ${destination.reason}`,
      evidence: { queue: null, messages: null, kind: destination.kind, destinationArn: destination.arn },
      links: [],
    };
  }
  const dlq = found.queue;
  const { depth } = dlq;
  const status = gradeAbove(depth.visible, params.thresholds.messages);
  const inFlight = depth.inFlight > 0 ? ` (+${formatCount(depth.inFlight)} in flight)` : '';
  // Only the kinds the reader could mistake are named: an event-source DLQ is the usual case.
  const label = dlq.kind === 'on-failure' ? ` (${kindLabel[dlq.kind]})` : '';
  return {
    status,
    summary:
      depth.visible === 0
        ? `${depth.name}${label} empty${inFlight}`
        : `${plural(depth.visible, 'message')} in ${depth.name}${label}${inFlight}`,
    headline: `${plural(depth.visible, 'failed event')} ${depth.visible === 1 ? 'is' : 'are'} waiting in ${depth.name}`,
    evidence: {
      queue: depth.name,
      queueArn: depth.arn,
      kind: dlq.kind,
      messages: depth.visible,
      inFlight: depth.inFlight,
      sourceQueueArn: dlq.sourceQueueArn ?? null,
      boundTo: dlq.boundTo ?? null,
      fifo: depth.fifo === true,
    },
    links: [queueLink(fn.region, depth.arn)],
    hints: { replayDlq: { queueName: depth.name, queueArn: depth.arn, messages: depth.visible, kind: dlq.kind } },
  };
}
