/** SQS queues read by the diagnosis. */
import type { CallOptions } from './common';

export interface QueueDepth {
  arn: string;
  name: string;
  /** ApproximateNumberOfMessages. */
  visible: number;
  /** ApproximateNumberOfMessagesNotVisible. */
  inFlight: number;
}

export interface RedriveTarget {
  deadLetterArn: string;
  maxReceiveCount: number;
}

export interface QueuesPort {
  /** The queue's RedrivePolicy, if it has one. */
  getRedriveTarget(queueArn: string, opts?: CallOptions): Promise<RedriveTarget | undefined>;
  getDepth(queueArn: string, opts?: CallOptions): Promise<QueueDepth>;
}
