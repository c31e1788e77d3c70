import { formatCount, plural } from '../format';
import { gradeAbove } from './grade';
import { queueLink } from './links';
import type { CheckParams } from './params';
import type { CheckContext, CheckResult } from './types';

export async function dlqCheck(ctx: CheckContext, params: CheckParams<'dlq'>): Promise<CheckResult> {
  const { fn } = ctx;
  const dlq = await ctx.evidence.deadLetterQueue();
  if (!dlq) {
    return {
      status: 'ok',
      summary: 'no dead-letter queue configured',
      evidence: { queue: null, messages: null },
      links: [],
    };
  }
  const { depth } = dlq;
  const status = gradeAbove(depth.visible, params.thresholds.messages);
  const inFlight = depth.inFlight > 0 ? ` (+${formatCount(depth.inFlight)} in flight)` : '';
  return {
    status,
    summary:
      depth.visible === 0
        ? `${depth.name} empty${inFlight}`
        : `${plural(depth.visible, 'message')} in ${depth.name}${inFlight}`,
    headline: `${plural(depth.visible, 'failed event')} ${depth.visible === 1 ? 'is' : 'are'} waiting in ${depth.name}`,
    evidence: {
      queue: depth.name,
      queueArn: depth.arn,
      kind: dlq.kind,
      messages: depth.visible,
      inFlight: depth.inFlight,
      sourceQueueArn: dlq.sourceQueueArn ?? null,
    },
    links: [queueLink(fn.region, depth.arn)],
    hints: { replayDlq: { queueName: depth.name, queueArn: depth.arn, messages: depth.visible, kind: dlq.kind } },
  };
}
