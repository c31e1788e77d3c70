import { GetQueueAttributesCommand, type QueueAttributeName } from '@aws-sdk/client-sqs';
import { ErrorCode, GofnError } from '../errors';
import type { CallOptions, QueueDepth, QueuesPort, RedriveTarget } from '../ports';
import { queueFromArn, type QueueRef } from './arn';
import { callAws } from './call';
import type { AwsClients } from './clients';

/**
 * QueuesPort over SQS: one GetQueueAttributes per question, addressed by a queue URL built from
 * the ARN (no GetQueueUrl round trip).
 */
export class SqsQueues implements QueuesPort {
  constructor(private readonly clients: AwsClients) {}

  async getRedriveTarget(queueArn: string, opts?: CallOptions): Promise<RedriveTarget | undefined> {
    const queue = queueFromArn(queueArn);
    const attributes = await this.attributes(queue, ['RedrivePolicy', 'FifoQueue'], opts);
    const policy = attributes.RedrivePolicy;
    if (!policy) return undefined;
    let parsed: { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
    try {
      parsed = JSON.parse(policy) as typeof parsed;
    } catch (error) {
      throw new GofnError(ErrorCode.Upstream, `The RedrivePolicy of ${queueArn} is not JSON.`, { cause: error });
    }
    const maxReceiveCount = Number(parsed.maxReceiveCount);
    if (typeof parsed.deadLetterTargetArn !== 'string' || !Number.isFinite(maxReceiveCount)) {
      throw new GofnError(ErrorCode.Upstream, `The RedrivePolicy of ${queueArn} has no dead-letter target: ${policy}`);
    }
    return { deadLetterArn: parsed.deadLetterTargetArn, maxReceiveCount, fifo: isFifo(queue, attributes) };
  }

  async getDepth(queueArn: string, opts?: CallOptions): Promise<QueueDepth> {
    const queue = queueFromArn(queueArn);
    const attributes = await this.attributes(
      queue,
      ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'FifoQueue'],
      opts,
    );
    return {
      arn: queue.arn,
      name: queue.name,
      visible: Number(attributes.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
      fifo: isFifo(queue, attributes),
    };
  }

  private async attributes(
    queue: QueueRef,
    names: QueueAttributeName[],
    opts: CallOptions | undefined,
  ): Promise<Partial<Record<QueueAttributeName, string>>> {
    const out = await callAws(
      { service: 'SQS', operation: 'GetQueueAttributes', subject: `queue ${queue.arn}` },
      opts,
      this.clients.settings.callTimeoutMs,
      (abortSignal) =>
        this.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: names }), {
          abortSignal,
        }),
    );
    return out.Attributes ?? {};
  }
}

/**
 * FifoQueue as SQS answers it. A standard queue may leave the attribute out; a FIFO queue's name
 * must end in `.fifo` (and a standard queue's name cannot hold a dot), so the name settles it then.
 */
function isFifo(queue: QueueRef, attributes: Partial<Record<QueueAttributeName, string>>): boolean {
  return attributes.FifoQueue !== undefined ? attributes.FifoQueue === 'true' : queue.name.endsWith('.fifo');
}
